"""The nightly reminders through Celery: the beat schedule, the task, and one
integration test with a real worker consuming from the local Redis.

The worker test needs Redis: it is skipped, saying why, unless REDIS_URL is set and
Redis answers PING (`docker compose up -d redis`, then
`REDIS_URL=redis://127.0.0.1:6379/0`). It uses `transactional_db`, because the
worker runs in its own thread with its own database connection and sees only
committed data.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
import redis
import time_machine
from celery.contrib.testing.worker import start_worker
from celery.schedules import crontab
from django.core import mail

from reunification.celery import app
from reviews.models import Deadline, DigestStatus, ReminderDigest
from reviews.reminders.digests import people_with_items
from reviews.tasks import send_reminders

D = datetime.date
LONDON = ZoneInfo("Europe/London")
DAY = D(2026, 11, 23)
RESULT_TIMEOUT = 60


@pytest.fixture
def clock():
    with time_machine.travel(datetime.datetime(2026, 11, 23, 6, 30, tzinfo=LONDON)) as traveller:
        yield traveller


@pytest.fixture
def local_locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://reunification.example.gov.uk"


def redis_url(settings) -> str:
    url = settings.REDIS_URL
    if not url:
        pytest.skip(
            "REDIS_URL is not set: the real Celery worker needs the local Redis "
            "(docker compose up -d redis; REDIS_URL=redis://127.0.0.1:6379/0)"
        )
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis at {url} does not answer PING: {error}")
    return url


@pytest.fixture
def celery_app(settings, local_locmem_email):
    """The project's Celery app pointed at the local Redis, tasks sent to a broker
    rather than run in-process; the configuration is put back afterwards."""
    url = redis_url(settings)
    changed = {
        "broker_url": url,
        "result_backend": url,
        "task_always_eager": False,
        # Leave logging (and pytest's capture of it) as it is.
        "worker_hijack_root_logger": False,
    }
    before = {name: app.conf[name] for name in changed}
    app.conf.update(changed)
    # Messages left by an interrupted earlier run would be picked up too.
    app.control.purge()
    try:
        yield app
    finally:
        app.conf.update(before)


def test_a_real_worker_sends_each_reminder_once_and_a_second_run_sends_nothing(
    transactional_db, clock, celery_app, case, social_worker, team_manager, iro
):
    # With every commit real, the signals have already derived Kayla's deadlines
    # from her records (her first review and visits are long overdue); add one more.
    Deadline.objects.create(
        case=case,
        kind="sign_off",
        key="worker-test",
        what="Sign off the risk assessment",
        due_on=D(2026, 11, 25),
        responsible=social_worker,
    )
    people = {user.email for user in people_with_items(DAY)}
    assert {social_worker.email, team_manager.email, iro.email} <= people

    with start_worker(celery_app, pool="solo", perform_ping_check=False):
        first = send_reminders.delay("2026-11-23").get(timeout=RESULT_TIMEOUT)
        assert sorted(m.to[0] for m in mail.outbox) == sorted(people)

        second = send_reminders.delay("2026-11-23").get(timeout=RESULT_TIMEOUT)

    assert first == {"sent": len(people), "skipped": 0, "failed": 0, "nothing_to_send": 0}
    assert second == {"sent": 0, "skipped": len(people), "failed": 0, "nothing_to_send": 0}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(people)
    [sarahs] = [m for m in mail.outbox if m.to == [social_worker.email]]
    assert "Sign off the risk assessment, due 25 Nov 2026" in sarahs.body
    assert set(ReminderDigest.objects.values_list("status", flat=True)) == {DigestStatus.SENT}


# The schedule, and the task without a broker ------------------------------------------


def test_the_nightly_reminders_are_scheduled_at_the_set_time_london_time(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["nightly-reminders"]

    assert entry["task"] == "reviews.tasks.send_reminders"
    assert entry["schedule"] == crontab(
        hour=settings.REMINDER_HOUR, minute=settings.REMINDER_MINUTE
    )
    assert app.conf.beat_schedule["nightly-reminders"] == entry
    assert app.conf.timezone == "Europe/London"
    assert "reviews.tasks.send_reminders" in app.tasks


@pytest.mark.parametrize("day", [D(2026, 1, 14), D(2026, 7, 14)], ids=["gmt", "bst"])
def test_after_one_run_the_next_is_at_the_same_london_time_the_next_day(settings, day):
    at = datetime.time(settings.REMINDER_HOUR, settings.REMINDER_MINUTE)
    schedule = crontab(hour=settings.REMINDER_HOUR, minute=settings.REMINDER_MINUTE, app=app)
    last_run = datetime.datetime.combine(day, at, tzinfo=LONDON) + datetime.timedelta(minutes=1)

    last_run_here, delta, _ = schedule.remaining_delta(last_run)

    assert (last_run_here + delta).astimezone(LONDON) == datetime.datetime.combine(
        day + datetime.timedelta(days=1), at, tzinfo=LONDON
    )


def test_the_task_sends_the_reminders_for_the_day_it_is_given(
    db, clock, case, social_worker, local_locmem_email
):
    Deadline.objects.create(
        case=case, kind="visit", key="t", what="Visit", due_on=DAY, responsible=social_worker
    )

    result = send_reminders.apply(args=["2026-11-23"]).get()

    assert result == {"sent": 1, "skipped": 0, "failed": 0, "nothing_to_send": 0}
    assert ReminderDigest.objects.get().for_date == DAY


def test_the_task_without_a_day_sends_for_today_in_london(
    db, clock, case, social_worker, local_locmem_email
):
    clock.move_to(datetime.datetime(2026, 6, 2, 0, 30, tzinfo=LONDON))  # 1 June in UTC
    Deadline.objects.create(
        case=case,
        kind="visit",
        key="t",
        what="Visit",
        due_on=D(2026, 6, 2),
        responsible=social_worker,
    )

    send_reminders.apply().get()

    assert ReminderDigest.objects.get().for_date == D(2026, 6, 2)
