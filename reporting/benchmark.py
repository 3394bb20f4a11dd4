"""Measure the main pages and the nightly run on a database of a given size.

Run through `manage.py bench`, which prepares one database per size and calls
`manage.py bench_size` against each in its own process. A benchmark, not a test:
nothing in `make test` depends on its timings.
"""

import datetime
import random
import statistics
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import mail
from django.db import connection, reset_queries
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from cases.models import ReunificationCase, Role, Stage, User
from reunification.clock import today
from reviews.models import Deadline, DeadlineKind, ReminderDigest
from reviews.reminders.digests import send_digests


@dataclass
class Measure:
    name: str
    queries: int
    median_ms: float
    p95_ms: float


def _timed(client: Client, url: str, repeat: int) -> Measure:
    client.get(url)  # warm caches and connections
    reset_queries()  # the log holds at most 9,000 queries; seeding fills it
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    count = len(queries)  # read now: later requests reset the query log
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return Measure(url, count, statistics.median(times), p95)


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


def measure(repeat: int) -> dict:
    worker = (
        User.objects.filter(role_grants__role=Role.SOCIAL_WORKER)
        .annotate(n=Count("cases_as_social_worker"))
        .order_by("-n", "pk")
        .first()
    )
    manager = User.objects.filter(role_grants__role=Role.TEAM_MANAGER, team=worker.team).first()
    case = ReunificationCase.objects.filter(social_worker=worker).order_by("pk").first()
    results = []
    with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False):
        client = Client()
        client.force_login(worker)
        for url in (
            "/cases/",
            "/cases/?scope=all&stage=assessment&q=a",
            f"/cases/{case.pk}/",
            "/tasks/",
        ):
            results.append(_timed(client, url, repeat))
        client.force_login(manager)
        for url in ("/cases/team/", "/decisions/", "/reports/", "/reports/outcomes/"):
            results.append(_timed(client, url, repeat))
        client.force_login(User.objects.filter(is_superuser=True).first())
        results.append(_timed(client, "/admin/cases/user/", repeat))

        ReminderDigest.objects.all().delete()
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            mail.outbox = []
            reset_queries()
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                report = send_digests(today())
                seconds = time.perf_counter() - started
            nightly_queries = len(queries)
    return {
        "cases": ReunificationCase.objects.count(),
        "open_cases": ReunificationCase.objects.exclude(stage=Stage.CLOSED).count(),
        "worker_cases": ReunificationCase.objects.filter(social_worker=worker).count(),
        "pages": [m.__dict__ for m in results],
        "nightly": {
            "seconds": round(seconds, 2),
            "queries": nightly_queries,
            "emails": report.sent,
            "deadlines": Deadline.objects.count(),
        },
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
    }
