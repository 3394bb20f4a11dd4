"""Celery tasks: thin adapters that call the reminder and deadline services."""

import datetime
from dataclasses import asdict

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from reunification.clock import now, today
from reviews.deadlines.refresh import sweep
from reviews.reminders.digests import RunReport, send_digests


@shared_task
def sweep_deadlines() -> dict:
    """Nightly, before the reminders: re-derive every open case's deadlines, so
    a refresh that failed or was missed is put right before anyone is told."""
    report = sweep()
    return {
        "cases": report.cases,
        "changed": report.changed,
        "failed": report.failed,
        "out_of_line": report.out_of_line,
    }


@shared_task(bind=True, max_retries=3, default_retry_delay=300)
def send_reminders(self, day: str | None = None) -> dict:
    """The nightly run. A digest that failed is retried by running again later:
    sent ones are never sent twice, because each send is claimed first."""
    for_date = datetime.date.fromisoformat(day) if day else today()
    report = send_digests(for_date)
    if report.failed:
        raise self.retry()
    return asdict(report)


@shared_task
def catch_up_reminders(day: str | None = None) -> dict:
    """Every quarter of an hour after the nightly run's time: finish whatever
    the day's run left, or do the run if it never happened (say Redis was down
    at 06:30). Claims make it a no-op when all is sent."""
    moment = timezone.localtime(now())
    for_date = datetime.date.fromisoformat(day) if day else moment.date()
    if day is None and (moment.hour, moment.minute) < (
        settings.REMINDER_HOUR,
        settings.REMINDER_MINUTE,
    ):
        return asdict(RunReport())  # before the day's run is due
    report = send_digests(for_date, catch_up=True)
    return asdict(report)
