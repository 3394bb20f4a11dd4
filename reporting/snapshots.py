"""Read a report's figures from a recent snapshot, or work them out and keep them.

A snapshot is for one report and one filter (period, teams and the day the
figures are as of), and is used for REPORT_FRESH_SECONDS after it was worked
out. Nothing here decides who may see a report: the views do that first.
"""

import datetime
import hashlib
import json
from collections.abc import Callable

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction

from reunification.clock import now, today

from .models import ReportSnapshot
from .selectors import Scope
from .tables import Table, caseload_tables, outcome_tables

REPORTS: dict[str, Callable[[Scope], list[Table]]] = {
    "caseload": caseload_tables,
    "outcomes": outcome_tables,
}
KEPT_FIELDS = ("key", "caption", "headers", "rows", "chart_column", "note", "limit", "top_column")


def snapshot_key(report: str, scope: Scope) -> str:
    teams = ",".join(str(team) for team in sorted(scope.teams))
    text = f"{report}|{scope.start}|{scope.end}|{scope.today}|{teams}"
    return hashlib.sha256(text.encode()).hexdigest()


def _as_json(tables: list[dict]) -> list[dict]:
    # Kept as JSON and handed back through JSON, so fresh and kept figures agree.
    return json.loads(json.dumps(tables, cls=DjangoJSONEncoder))


def _for_page(table: Table) -> dict:
    """The table as the page shows it: a table that grows with the council keeps
    only the rows shown, and how many there are in all."""
    kept = {name: getattr(table, name) for name in KEPT_FIELDS}
    kept.update(rows=table.shown_rows, total_rows=len(table.rows))
    return kept


def figures(
    report: str, scope: Scope, *, refresh: bool = False, every_row: bool = False
) -> tuple[list[Table], datetime.datetime]:
    """The report's tables and when they were worked out: as the page shows them,
    or, with `every_row`, whole (for the CSV downloads)."""
    column = "csv_tables" if every_row else "tables"
    key = snapshot_key(report, scope)
    fresh_since = now() - datetime.timedelta(seconds=settings.REPORT_FRESH_SECONDS)
    if not refresh:
        kept = (
            ReportSnapshot.objects.filter(key=key, computed_at__gte=fresh_since)
            .values_list(column, "computed_at")
            .first()
        )
        if kept is not None:
            return [Table(**table) for table in kept[0]], kept[1]
    tables = REPORTS[report](scope)
    moment = now()
    fields = {
        "report": report,
        "computed_at": moment,
        "tables": _as_json([_for_page(t) for t in tables]),
        "csv_tables": _as_json([{n: getattr(t, n) for n in KEPT_FIELDS} for t in tables]),
    }
    if not ReportSnapshot.objects.filter(key=key).update(**fields):
        try:
            with transaction.atomic():
                ReportSnapshot.objects.create(key=key, **fields)
        except IntegrityError:
            pass  # another request kept the same figures a moment ago
    return [Table(**table) for table in fields[column]], moment


def refresh_council_figures() -> int:
    """Work out the whole-council figures for the default period (what a manager
    sees on opening the reports) and drop snapshots from before yesterday."""
    from .forms import ReportFilterForm

    start, end = ReportFilterForm().period()
    scope = Scope(start=start, end=end, today=today())
    for report in REPORTS:
        figures(report, scope, refresh=True)
    ReportSnapshot.objects.filter(computed_at__lt=now() - datetime.timedelta(days=1)).delete()
    return len(REPORTS)
