"""The whole-council SSDA903 return, prepared in the background: asking for it
records a PreparedExport and queues `reporting.tasks.prepare_ssda903`, which
writes the zip (the same file `write_zip` gives a download made in the request)
into the record; the page says it is being prepared, then links to it."""

import logging

from django.db import transaction
from django.utils import timezone

from cases import policy
from reunification.clock import now

from ..models import ExportStatus, PreparedExport
from .tables import Year, write_zip

log = logging.getLogger(__name__)


def file_name(year: Year) -> str:
    return f"ssda903-{year.ending - 1}-{str(year.ending)[2:]}.zip"


@transaction.atomic
def request_year_export(*, user, year: Year) -> PreparedExport:
    """The whole-council return for the year, for `user`: the one she asked for
    today if it is still being prepared or ready, otherwise a new one, queued
    once the request's transaction commits."""
    policy.require(policy.sees_whole_council(user))
    today_start = timezone.localtime(now()).replace(hour=0, minute=0, second=0, microsecond=0)
    earlier = (
        PreparedExport.objects.filter(
            requested_by=user,
            year_ending=year.ending,
            requested_at__gte=today_start,
            status__in=[ExportStatus.PREPARING, ExportStatus.READY],
        )
        .defer("content")
        .first()
    )
    if earlier is not None:
        return earlier
    export = PreparedExport.objects.create(
        requested_by=user, year_ending=year.ending, requested_at=now(), file_name=file_name(year)
    )
    from ..tasks import prepare_ssda903

    transaction.on_commit(lambda: prepare_ssda903.delay(export.pk))
    return export


def prepare(export_id: int) -> None:
    """Write the return's zip into the export (the task's work)."""
    export = PreparedExport.objects.defer("content").get(pk=export_id)
    if export.status != ExportStatus.PREPARING:
        return
    try:
        spool, counts = write_zip(Year(export.year_ending))
        with spool:
            content = spool.read()
    except Exception:
        log.exception("Preparing SSDA903 export %s failed", export_id)
        PreparedExport.objects.filter(pk=export_id).update(status=ExportStatus.FAILED)
        return
    PreparedExport.objects.filter(pk=export_id).update(
        status=ExportStatus.READY, ready_at=now(), content=content, row_counts=counts
    )
