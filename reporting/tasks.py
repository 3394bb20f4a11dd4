"""Celery tasks: thin adapters over the report snapshots."""

from celery import shared_task

from .snapshots import refresh_council_figures


@shared_task
def refresh_reports() -> int:
    return refresh_council_figures()
