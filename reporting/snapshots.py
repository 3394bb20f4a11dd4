"""Read a report's figures from a recent snapshot, or work them out and keep them.

A snapshot is for one report and one filter (period, teams and the day the
figures are as of), and is used for REPORT_FRESH_SECONDS after it was worked
out. A snapshot keeps the figures as the page shows them, and the CSV file of
any table the page shows only the top of (compressed, ready to send), never the
rows as JSON to parse again. Nothing here decides who may see a report: the views do that first.
"""

import datetime
import gzip
import hashlib
import io
import json
from collections.abc import Callable

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction

from reunification.clock import now, today

from . import csv_files
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


def csv_text(table: Table) -> str:
    """The table as a CSV file: its headers, then every row, made safe to open."""
    text = io.StringIO()
    rows = csv_files.writer(text)
    rows.writerow(table.headers)
    rows.writerows(table.rows)
    return text.getvalue()


def _long_files(tables: list[Table]) -> bytes:
    """The CSV files of the tables the page cuts short, compressed: the only
    tables whose size grows with the council. Kept as the file to send, so a
    download reads no row."""
    files = {table.key: csv_text(table) for table in tables if table.cut}
    return gzip.compress(json.dumps(files).encode(), compresslevel=5) if files else b""


def _work_out(report: str, scope: Scope, key: str) -> dict:
    tables = REPORTS[report](scope)
    fields = {
        "report": report,
        "computed_at": now(),
        "tables": _as_json([_for_page(t) for t in tables]),
        "long_csv_files": _long_files(tables),
    }
    if not ReportSnapshot.objects.filter(key=key).update(**fields):
        try:
            with transaction.atomic():
                ReportSnapshot.objects.create(key=key, **fields)
        except IntegrityError:
            pass  # another request kept the same figures a moment ago
    return fields


def _kept(report: str, scope: Scope, refresh: bool, *columns) -> dict:
    key = snapshot_key(report, scope)
    if not refresh:
        fresh_since = now() - datetime.timedelta(seconds=settings.REPORT_FRESH_SECONDS)
        kept = (
            ReportSnapshot.objects.filter(key=key, computed_at__gte=fresh_since)
            .values("computed_at", *columns)
            .first()
        )
        if kept is not None:
            return kept
    return _work_out(report, scope, key)


def figures(
    report: str, scope: Scope, *, refresh: bool = False
) -> tuple[list[Table], datetime.datetime]:
    """The report's tables as the page shows them, and when they were worked out."""
    kept = _kept(report, scope, refresh, "tables")
    return [Table(**table) for table in kept["tables"]], kept["computed_at"]


def download(report: str, scope: Scope, table_key: str, *, refresh: bool = False):
    """(the table as the page shows it, its whole CSV file), or None when the
    report has no such table. A table the page shows whole is written from its
    figures; a long one's file was kept ready when the figures were worked out."""
    kept = _kept(report, scope, refresh, "tables", "long_csv_files")
    for fields in kept["tables"]:
        if fields["key"] == table_key:
            table = Table(**fields)
            break
    else:
        return None
    if not table.cut:
        return table, csv_text(table)
    return table, json.loads(gzip.decompress(bytes(kept["long_csv_files"])))[table_key]


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
