"""When the parts around the application fail.

Redis stopped: no page needs it, so every page works; the nightly run that could
not be queued is not lost, because the catch-up on the beat schedule does it once
Redis is back.

A Celery worker killed in the middle of the nightly run: a real worker process,
sending to a real SMTP server (a sink in this process), is killed with SIGKILL
while the server holds its third email unanswered. After a new worker starts and
the catch-up runs, every person has had their email exactly once. This test needs
PostgreSQL (the worker process shares the test database) and Redis; without them
it is skipped, saying why.
"""

import datetime
import os
import signal
import subprocess
import sys
import time

import pytest
import redis
from django.conf import settings as django_settings
from django.core import mail
from django.db import connection
from django.urls import reverse
from kombu.exceptions import OperationalError

from reunification.celery import app
from reviews.models import Deadline, DeadlineKind, DigestStatus, ReminderDigest
from reviews.reminders.digests import people_with_items
from reviews.tasks import catch_up_reminders, send_reminders
from tests.factories import UserFactory, open_case
from tests.smtp_sink import SmtpSink

D = datetime.date
DAY = D(2026, 11, 23)
DEAD_REDIS = "redis://127.0.0.1:9/0"  # nothing listens on the discard port


def due(case, who, on=None):
    return Deadline.objects.create(
        case=case,
        kind=DeadlineKind.VISIT,
        key=f"t-{who.pk}-{case.pk}",
        what="Visit",
        due_on=on or D(2026, 11, 20),
        responsible=who,
    )


@pytest.fixture
def broker(settings):
    """The project's Celery app sending to a broker instead of running tasks in-process;
    `broker.point_at(url)` chooses which. The configuration is put back afterwards."""
    names = [
        "broker_url",
        "result_backend",
        "task_always_eager",
        "worker_hijack_root_logger",
        "broker_connection_max_retries",
        "broker_connection_timeout",
    ]
    before = {name: app.conf[name] for name in names}

    def forget_connections():
        # Celery keeps its broker connections and result backend once made.
        app._pool = None
        app.amqp._producer_pool = None
        app._local.__dict__.pop("backend", None)

    class Broker:
        def point_at(self, url, results=True):
            forget_connections()
            app.conf.update(
                broker_url=url,
                result_backend=url if results else None,
                task_always_eager=False,
                worker_hijack_root_logger=False,
                # Give up on a dead broker at once rather than after 100 tries.
                broker_connection_max_retries=1,
                broker_connection_timeout=2,
            )

    yield Broker()
    forget_connections()
    app.conf.update(before)


# Redis stopped -----------------------------------------------------------------------


PAGES = [
    ("social_worker", "cases:my_cases", False),
    ("social_worker", "cases:overview", True),
    ("social_worker", "my_tasks", False),
    ("team_manager", "cases:team", False),
    ("team_manager", "waiting_for_me", False),
    ("team_manager", "reporting:caseload", False),
    ("team_manager", "reporting:outcomes", False),
    ("team_manager", "cases:audit", True),
]


def test_with_redis_stopped_every_page_works_and_changes_are_saved(
    client, broker, request, case, social_worker, settings
):
    broker.point_at(DEAD_REDIS)
    settings.REDIS_URL = DEAD_REDIS
    for who, name, takes_case in PAGES:
        client.force_login(request.getfixturevalue(who))
        url = reverse(name, args=[case.pk] if takes_case else [])
        assert client.get(url).status_code == 200, url

    client.force_login(social_worker)
    response = client.post(
        reverse("cases:add_record", args=[case.pk, "chronology"]),
        {
            "occurred_on_0": "9",
            "occurred_on_1": "3",
            "occurred_on_2": "2026",
            "kind": "event",
            "description": "Saved while Redis was down",
            "source": "Phone call",
        },
    )
    assert response.status_code == 302
    assert case.chronology.filter(description="Saved while Redis was down").exists()


def test_a_nightly_run_that_could_not_be_queued_is_done_by_the_catch_up(
    broker, case, social_worker, settings, time_machine
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    broker.point_at(DEAD_REDIS, results=False)  # beat only publishes
    due(case, social_worker)

    # What beat meets at 06:30 with Redis down (the clock is left running here:
    # kombu's retry loop measures its time-out by it).
    with pytest.raises(OperationalError):
        send_reminders.apply_async(args=["2026-11-23"], retry=False)
    assert mail.outbox == []
    assert not ReminderDigest.objects.exists()

    # Redis is back; the next quarter-hour's catch-up runs.
    time_machine.move_to(datetime.datetime(2026, 11, 23, 9, 45, tzinfo=datetime.UTC), tick=False)
    assert catch_up_reminders()["sent"] >= 1
    assert social_worker.email in [m.to[0] for m in mail.outbox]
    assert catch_up_reminders()["sent"] == 0


# A worker killed mid-run -------------------------------------------------------------


def needs_postgres_and_redis() -> str:
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL (DATABASE_URL): the worker process must share the test database"
        )
    url = django_settings.REDIS_URL
    if not url:
        pytest.skip("REDIS_URL is not set: a real Celery worker needs the local Redis")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis at {url} does not answer PING: {error}")
    return url


def start_worker(queue: str, smtp_port: int, redis_url: str) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
        "DATABASE_CONN_MAX_AGE": "0",
        "REDIS_URL": redis_url,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "REMINDER_CLAIM_LEASE_SECONDS": "2",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "reunification",
            "worker",
            "-P",
            "solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "WARNING",
        ],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_a_worker_killed_mid_run_leaves_every_reminder_sent_exactly_once(
    transactional_db, broker, team_manager
):
    redis_url = needs_postgres_and_redis()
    broker.point_at(redis_url)
    queue = f"kill-test-{os.getpid()}-{time.time_ns()}"
    people = []
    for i in range(6):
        person = UserFactory(
            username=f"w{i}",
            email=f"w{i}@council.example.gov.uk",
            team=team_manager.team,
            roles=["social_worker"],
        )
        due(open_case(team_manager=team_manager, social_worker=person), person)
        people.append(person)
    expected = sorted(user.email for user in people_with_items(DAY))
    assert len(expected) >= 6

    with SmtpSink(hold_message=3) as sink:
        first = start_worker(queue, sink.port, redis_url)
        try:
            send_reminders.apply_async(args=[DAY.isoformat()], queue=queue)
            assert sink.holding.wait(timeout=90), "the worker never reached the third email"
            os.kill(first.pid, signal.SIGKILL)  # mid-send: the third email is unanswered
            first.wait(timeout=30)
        finally:
            if first.poll() is None:
                first.kill()
        assert len(sink.delivered) == 2
        statuses = sorted(ReminderDigest.objects.values_list("status", flat=True))
        assert statuses.count(DigestStatus.SENT) == 2
        # The rest of the dead worker's batch: claimed, not sent.
        assert statuses.count(DigestStatus.SENDING) == len(expected) - 2

        time.sleep(2.5)  # the dead worker's lease runs out
        second = start_worker(queue, sink.port, redis_url)
        try:
            result = catch_up_reminders.apply_async(args=[DAY.isoformat()], queue=queue)
            report = result.get(timeout=90)
        finally:
            second.terminate()
            second.wait(timeout=30)

    delivered = sorted(address for recipients in sink.delivered for address in recipients)
    assert delivered == expected  # each person once: none lost, none twice
    assert report["sent"] == len(expected) - 2
    assert set(ReminderDigest.objects.values_list("status", flat=True)) == {DigestStatus.SENT}
    assert ReminderDigest.objects.filter(attempts=2).count() == len(expected) - 2
