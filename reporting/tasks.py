"""Celery tasks: thin adapters over the report snapshots and prepared exports."""

from celery import shared_task

from .snapshots import refresh_council_figures
from .ssda903 import prepared


@shared_task
def refresh_reports() -> int:
    return refresh_council_figures()


@shared_task
def prepare_ssda903(export_id: int) -> None:
    prepared.prepare(export_id)
