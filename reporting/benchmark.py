"""Measure the main pages and the nightly run on a database of a given size.

Run through `manage.py bench`, which prepares one database per size and calls
`manage.py bench_size` against each in its own process. Every main page of every
role is timed over HTTP through gunicorn with DEBUG off (the production
settings), signed in as a person of that role; its queries and the peak memory
it allocates are measured in the benchmark's own process, with the same request
through Django's test client. The nightly reminder run is timed with one and
with two worker processes sharing it. A benchmark, not a test: nothing in
`make test` depends on its timings.
"""

import datetime
import os
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, reset_queries
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from cases.models import ReunificationCase, Role, Stage, User
from reunification.clock import today
from reviews.deadlines.refresh import sweep
from reviews.models import Deadline, DeadlineKind, ReminderDigest


@dataclass
class Measure:
    role: str
    name: str
    queries: int
    peak_kb: int
    median_ms: float
    p95_ms: float


def _in_process(client: Client, url: str) -> tuple[int, int]:
    """The request's queries and the peak of Python memory it allocated, in KB,
    measured in this process (gunicorn's workers cannot be looked into)."""
    client.get(url)  # warm caches and connections
    reset_queries()  # the log holds at most 9,000 queries; seeding fills it
    tracemalloc.start()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return len(queries), peak // 1024


def _over_http(person, url: str, repeat: int) -> tuple[float, float]:
    person.get(url)  # warm the worker
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        person.get(url)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return statistics.median(times), p95


def ensure_deadlines(seed: int = 2026) -> int:
    """Bulk-loaded cases have no deadline rows (bulk writes skip the signals), so
    give every open case the few rows `deadlines.refresh` would: a review, a visit
    and a risk date around today, some overdue."""
    missing = (
        ReunificationCase.objects.exclude(stage=Stage.CLOSED)
        .annotate(n=Count("deadlines"))
        .filter(n=0)
        .values_list("pk", "social_worker_id", "iro_id")
    )
    rng = random.Random(seed)
    day = today()
    rows = []
    created = 0
    for case_id, worker, iro in missing.iterator(chunk_size=2000):
        for kind, key, what, who in (
            (DeadlineKind.CIC_REVIEW, "cic-bench", "Child in Care review", iro),
            (DeadlineKind.VISIT, "visit-bench", "Social worker visit", worker),
            (DeadlineKind.RISK_REASSESS, "risk-bench", "Reassess the risk level", worker),
        ):
            due = day + datetime.timedelta(days=rng.randint(-20, 60))
            rows.append(
                Deadline(
                    case_id=case_id, kind=kind, key=key, what=what, due_on=due, responsible_id=who
                )
            )
        if len(rows) >= 3000:
            Deadline.objects.bulk_create(rows, ignore_conflicts=True)
            created += len(rows)
            rows = []
    Deadline.objects.bulk_create(rows, ignore_conflicts=True)
    return created + len(rows)


def people() -> dict[str, User]:
    """One person of each role, the busiest of their kind: the social worker with
    the most open cases, her team manager, the head of service overseeing most
    teams, the IRO reviewing most cases, the demo service director and performance."""
    open_cases = ~Q(cases_as_social_worker__stage=Stage.CLOSED)
    worker = (
        User.objects.filter(role_grants__role=Role.SOCIAL_WORKER)
        .annotate(n=Count("cases_as_social_worker", filter=open_cases))
        .order_by("-n", "pk")
        .first()
    )
    return {
        "social worker": worker,
        "team manager": User.objects.filter(
            role_grants__role=Role.TEAM_MANAGER, team=worker.team
        ).first(),
        "head of service": User.objects.filter(role_grants__role=Role.HEAD_OF_SERVICE)
        .annotate(n=Count("overseen_teams"))
        .order_by("-n", "pk")
        .first(),
        "IRO": User.objects.filter(role_grants__role=Role.IRO)
        .annotate(n=Count("reviewed_cases"))
        .order_by("-n", "pk")
        .first(),
        "service director": User.objects.get(username="director"),
        "performance": User.objects.get(username="performance"),
    }


def pages(who: dict[str, User]) -> dict[str, list[str]]:
    """Every main page and export of each role (the SSDA903 extract is measured
    by its own command)."""
    case = (
        ReunificationCase.objects.filter(social_worker=who["social worker"])
        .exclude(stage=Stage.CLOSED)
        .order_by("pk")
        .first()
    )
    reviewed = ReunificationCase.objects.filter(iro=who["IRO"]).order_by("pk").first()
    return {
        "social worker": [
            "/cases/",
            "/cases/?scope=all&stage=assessment&q=a",
            f"/cases/{case.pk}/",
            f"/cases/{case.pk}/risk/",
            f"/cases/{case.pk}/planning/",
            f"/cases/{case.pk}/journey/",
            "/tasks/",
        ],
        "team manager": [
            "/cases/team/",
            "/decisions/",
            "/tasks/team/",
            f"/cases/{case.pk}/audit/",
            "/reports/",
            "/reports/?csv=overdue",
        ],
        "head of service": ["/cases/?scope=all", "/decisions/", "/reports/"],
        "IRO": ["/cases/", "/decisions/", f"/cases/{reviewed.pk}/journey/"],
        "service director": [
            "/cases/?scope=all",
            "/cases/?scope=all&q=a",
            "/reports/",
            "/reports/outcomes/",
        ],
        "performance": [
            "/reports/",
            "/reports/?refresh=1",
            "/reports/outcomes/",
            "/reports/?csv=overdue",
            "/reports/outcomes/?csv=re-entry",
        ],
    }


def _nightly(workers: int) -> dict:
    """The day's reminder run, started from scratch, shared by `workers` worker
    processes (each claims batches of digests, as Celery workers would)."""
    ReminderDigest.objects.all().delete()
    env = {
        **os.environ,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    # Each worker reports when its sending began and ended (wall clock), so the
    # run is timed from the first start to the last end, without Django's start-up.
    code = (
        "import time;"
        "from reunification.clock import today;"
        "from reviews.reminders.digests import send_digests;"
        "began = time.time(); sent = send_digests(today()).sent;"
        "print(sent, began, time.time())"
    )
    running = [
        subprocess.Popen(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for _ in range(workers)
    ]
    ends = [process.communicate()[0].strip().splitlines()[-1].split() for process in running]
    seconds = max(float(end[2]) for end in ends) - min(float(end[1]) for end in ends)
    return {
        "workers": workers,
        "seconds": round(seconds, 1),
        "emails": sum(int(e[0]) for e in ends),
    }


def measure(repeat: int, base: str, *, with_sweep: bool = False) -> dict:
    """Queries and peak memory in this process; times over HTTP from `base`, a
    gunicorn with DEBUG off, signed in as each person."""
    sys.path.insert(0, str(settings.BASE_DIR / "scripts"))
    from load_test import Person

    who = people()
    pages_for = pages(who)
    results = []
    for role, urls in pages_for.items():
        client = Client()
        client.force_login(who[role])
        person = Person(base, who[role].username)
        person.sign_in()
        for url in urls:
            with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False):
                queries, peak = _in_process(client, url)
            median, p95 = _over_http(person, url, repeat)
            results.append(Measure(role, url, queries, peak, median, p95))
    swept = None
    if with_sweep:
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            report = sweep()
        swept = {
            "seconds": round(time.perf_counter() - started, 1),
            "queries": len(queries),
            "cases": report.cases,
        }
    return {
        "cases": ReunificationCase.objects.count(),
        "open_cases": ReunificationCase.objects.exclude(stage=Stage.CLOSED).count(),
        "worker_cases": ReunificationCase.objects.filter(social_worker=who["social worker"])
        .exclude(stage=Stage.CLOSED)
        .count(),
        "pages": [m.__dict__ for m in results],
        "sweep": swept,
        "nightly": [_nightly(1), _nightly(2)],
        "deadlines": Deadline.objects.count(),
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
    }
