"""Celery tasks: thin adapters that call the reminder service."""

import datetime

from celery import shared_task

from reunification.clock import today

from .reminders import send_digests


@shared_task(bind=True, max_retries=3, default_retry_delay=300)
def send_reminders(self, day: str | None = None) -> dict:
    """The nightly run. A digest that failed is retried by running again later:
    sent ones are never sent twice, because each send is claimed first."""
    for_date = datetime.date.fromisoformat(day) if day else today()
    report = send_digests(for_date)
    if report.failed:
        raise self.retry()
    return {"sent": report.sent, "skipped": report.skipped, "failed": report.failed}
