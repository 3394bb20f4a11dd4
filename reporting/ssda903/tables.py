"""The SSDA903 return's tables for one collection year, with the Department's
column names, for every child looked after at any time in the year.

Each table is written a chunk of children at a time (values() queries, never a
model object per row), and the zip goes through a temporary file that spills to
disk, so a whole council's year is written in bounded memory.
"""

import contextlib
import csv
import datetime
import heapq
import io
import tempfile
import zipfile
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q

from cases.models import Child, LegalStatus, LoadedReview, MissingEpisode, Role
from cases.models.case import Allocation

from .. import csv_files
from .episodes import episode_rows, fmt, read_children

# The tables the product holds, with the Department's column names, in order.
COLUMNS = {
    "Header": ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"],
    "Episodes": [
        "CHILD",
        "DECOM",
        "RNE",
        "LS",
        "CIN",
        "PLACE",
        "PLACE_PROVIDER",
        "DEC",
        "REC",
        "REASON_PLACE_CHANGE",
        "HOME_POST",
        "PL_POST",
        "URN",
    ],
    "Reviews": ["CHILD", "DOB", "REVIEW", "REVIEW_CODE"],
    "Missing": ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"],
    "SWEpisodes": ["CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"],
}
TABLES = list(COLUMNS)
FILE_NAMES = {table: f"{table.lower()}.csv" for table in TABLES}


@dataclass(frozen=True)
class Year:
    """A collection year, named by the year it ends: Year(2026) is 2025/26."""

    ending: int

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.ending - 1, 4, 1)

    @property
    def end(self) -> datetime.date:
        return datetime.date(self.ending, 3, 31)

    @property
    def label(self) -> str:
        return f"{self.ending - 1}/{str(self.ending)[2:]}"

    @classmethod
    def of(cls, day: datetime.date) -> "Year":
        return cls(day.year + 1 if day.month >= 4 else day.year)


def looked_after(year: Year, cases=None):
    """Every child looked after at any time in the year (of the cases given, if
    given: a user who may not see the whole council sees only their children),
    as a queryset, for use as a subquery."""
    statuses = LegalStatus.objects.filter(start_date__lte=year.end).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=year.start)
    )
    children = Child.objects.filter(pk__in=statuses.values("child_id"))
    if cases is not None:
        children = children.filter(pk__in=cases.values("child_id"))
    return children


HEADER_FIELDS = (
    "local_identifier", "sex", "date_of_birth", "ethnicity", "upn", "is_mother",
    "mothers_child_born_on",
)  # fmt: skip


def _header(child: dict) -> dict:
    girl = child["sex"] == "F"
    mother = {True: "1", False: "0"}.get(child["is_mother"], "") if girl else ""
    return {
        "CHILD": child["local_identifier"],
        "SEX": child["sex"],
        "DOB": fmt(child["date_of_birth"]),
        "ETHNIC": child["ethnicity"],
        "UPN": child["upn"] or "UN1",  # UN1: the child has no UPN recorded
        "MOTHER": mother,
        "MC_DOB": fmt(child["mothers_child_born_on"]) if mother == "1" else "",
    }


def _reviews(ids, year: Year):
    """The Child in Care reviews recorded on the child's cases and those loaded
    from an earlier return, merged in order: one a day."""
    from reviews.models import Review, ReviewType

    recorded = (
        Review.objects.filter(
            case__child__in=ids,
            review_type=ReviewType.CHILD_IN_CARE,
            held_on__range=(year.start, year.end),
        )
        .order_by("case__child__local_identifier", "held_on", "-participation")
        .values_list(
            "case__child__local_identifier", "case__child__date_of_birth", "held_on",
            "participation",
        )
        .iterator(chunk_size=2000)
    )  # fmt: skip
    loaded = (
        LoadedReview.objects.filter(child__in=ids, held_on__range=(year.start, year.end))
        .order_by("child__local_identifier", "held_on")
        .values_list("child__local_identifier", "child__date_of_birth", "held_on", "participation")
        .iterator(chunk_size=2000)
    )
    held = heapq.merge(recorded, loaded, key=lambda review: (review[0], review[2]))
    last = None
    for identifier, born, day, participation in held:
        if (identifier, day) == last:
            continue  # one review a day, whichever case recorded it
        last = (identifier, day)
        under_4 = (day.year - born.year - ((day.month, day.day) < (born.month, born.day))) < 4
        yield {
            "CHILD": identifier,
            "DOB": fmt(born),
            "REVIEW": fmt(day),
            # Under 4 at the review is PN0 whatever was recorded.
            "REVIEW_CODE": "PN0" if under_4 else participation,
        }


def _missing(ids, year: Year):
    spells = (
        MissingEpisode.objects.filter(child__in=ids, start_date__lte=year.end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=year.start))
        .order_by("child__local_identifier", "start_date")
        .values_list(
            "child__local_identifier", "child__date_of_birth", "kind", "start_date", "end_date"
        )
        .iterator(chunk_size=2000)
    )
    for identifier, born, kind, start, end in spells:
        yield {
            "CHILD": identifier,
            "DOB": fmt(born),
            "MISSING": kind,
            "MIS_START": fmt(start),
            "MIS_END": fmt(end) if end and end <= year.end else "",
        }


def _social_workers(ids, year: Year):
    held = (
        Allocation.objects.filter(case__child__in=ids, role=Role.SOCIAL_WORKER)
        .filter(Q(start_date__lte=year.end) | Q(case__became_looked_after_on__lte=year.end))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=year.start))
        .order_by("case__child__local_identifier", "start_date", "pk")
        .values_list(
            "case__child_id", "user__social_work_england_number", "start_date", "end_date",
            "change_reason", "case_id", "case__became_looked_after_on",
            "case__child__local_identifier", "case__child__date_of_birth",
        )
        .iterator(chunk_size=2000)
    )  # fmt: skip
    last, cases_seen = {}, set()
    for child_id, number, start, end, reason, case_id, looked_after, identifier, born in held:
        if case_id not in cases_seen and looked_after and looked_after < start:
            # The product holds social workers from a case's allocations: the
            # worker allocated when the case opened is taken to have held the
            # child since this period of care began.
            start = looked_after
        cases_seen.add(case_id)
        if start > year.end:
            continue
        before = last.get(child_id)
        # First contact: the child's first social worker, or the first after a
        # spell of more than a week with none.
        first = before is None or (before is not False and (start - before).days > 7)
        row = {
            "CHILD": identifier,
            "DOB": fmt(born),
            "SW_ID": number,
            "SW_DECOM": fmt(start),
            "SW_DEC": fmt(end) if end and end <= year.end else "",
            "SW_REASON": "FCONTA" if first else (reason or "OTHERS"),
        }
        last[child_id] = end if end else False
        yield row


def table_rows(table: str, year: Year, cases=None):
    """The table's rows for the year, as dicts keyed by its column names."""
    children = looked_after(year, cases)
    if table == "Header":
        rows = children.order_by("local_identifier").values(*HEADER_FIELDS)
        for child in rows.iterator(chunk_size=2000):
            yield _header(child)
        return
    if table == "Episodes":
        for record in read_children(children):
            yield from episode_rows(record, year.start, year.end)
        return
    rows = {"Reviews": _reviews, "Missing": _missing, "SWEpisodes": _social_workers}[table]
    yield from rows(children.values("pk"), year)


@contextlib.contextmanager
def _reading():
    """One transaction for the cursors a table reads through. PostgreSQL plans a
    cursor to return its first rows fast (nested loops over a whole council);
    these are read to the end, so it is told to plan for all of them."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
        yield


def write_table(table: str, year: Year, stream, cases=None) -> int:
    """Write the table as CSV; the number of rows written."""
    with _reading():
        return _write_table(table, year, stream, cases)


def _write_table(table: str, year: Year, stream, cases=None) -> int:
    out = csv_files.writer(stream)
    columns = COLUMNS[table]
    out.writerow(columns)
    count = 0
    for row in table_rows(table, year, cases):
        out.writerow([row[c] for c in columns])
        count += 1
    return count


def write_zip(year: Year, cases=None) -> tuple[tempfile.SpooledTemporaryFile, dict[str, int]]:
    """Every table as its own CSV in one zip, in a temporary file (in memory while
    small, on disk beyond that); the file, rewound, and each table's row count."""
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (returned)
    counts = {}
    with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in TABLES:
            with archive.open(FILE_NAMES[table], "w") as member:
                text = io.TextIOWrapper(member, encoding="utf-8", newline="")
                counts[table] = write_table(table, year, text, cases)
                text.flush()
                text.detach()
    spool.seek(0)
    return spool, counts


def read_csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))
