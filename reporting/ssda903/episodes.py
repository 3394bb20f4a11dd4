"""Episodes of care from the child's legal statuses and placements, the way
SSDA903 counts them: a new episode whenever the legal status or the placement
changes, periods half-open (one ending on a day and the next starting that day
do not overlap). Each episode carries the codes the return needs: RNE, CIN per
period of care, REC for every ending, the reason a placement changed.

The records are read with values() queries, a chunk of children at a time, so a
whole council's year is read without building a model object per row.
"""

import datetime
import functools
import itertools
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db.models import Q

from cases.models import (
    CareEpisode,
    Child,
    LegalStatus,
    Placement,
    PlacementType,
    ReasonPlaceChange,
    ReunificationCase,
)
from cases.models.codes import PLACEMENTS_WITHOUT_PROVIDER

from .. import csv_files

# The older one-file extract of the reunification cohort (Header fields beside
# the Episodes fields it began with).
FIELDS = ["CHILD", "SEX", "DOB", "ETHNIC", "DECOM", "RNE", "LS", "CIN", "PLACE", "DEC", "REC"]
CHUNK = 2000  # children read at once

# Reason for new episode: S started to be looked after; L legal status changed;
# P placement and carer changed; T placement changed, same carer; B legal status
# and placement and carer changed; U legal status and placement changed, same carer.


@dataclass(frozen=True)
class Episode:
    start: datetime.date
    end: datetime.date | None
    legal_status: str
    placement: str
    carer: str
    # The records the episode came from (for the codes held on them).
    status_record: object = field(default=None, compare=False, repr=False)
    placement_record: object = field(default=None, compare=False, repr=False)


def _running(periods, day):
    for period in periods:
        if period.start_date <= day and (period.end_date is None or day < period.end_date):
            return period
    return None


def episodes(statuses: list, placements: list) -> list[Episode]:
    """Split the child's care into episodes: stretches with one legal status and
    one placement. Periods are half-open, as in SSDA903."""
    days = sorted(
        {p.start_date for p in [*statuses, *placements]}
        | {p.end_date for p in [*statuses, *placements] if p.end_date}
    )
    found: list[Episode] = []
    for index, day in enumerate(days):
        status, placement = _running(statuses, day), _running(placements, day)
        if status is None or placement is None:
            continue
        end = days[index + 1] if index + 1 < len(days) else None
        previous = found[-1] if found else None
        same = (
            previous
            and previous.end == day
            and previous.legal_status == status.code
            and previous.placement == placement.placement_type
            and previous.carer == placement.carer
        )
        if same:
            found[-1] = Episode(
                previous.start,
                end,
                previous.legal_status,
                previous.placement,
                previous.carer,
                status,
                placement,
            )
        else:
            found.append(
                Episode(
                    day, end, status.code, placement.placement_type, placement.carer, status,
                    placement,
                )
            )  # fmt: skip
    return found


def reason_new_episode(previous: Episode | None, episode: Episode) -> str:
    if previous is None or previous.end != episode.start:
        return "S"
    status_changed = previous.legal_status != episode.legal_status
    placement_changed = previous.placement != episode.placement or previous.carer != episode.carer
    same_carer = previous.carer == episode.carer
    if status_changed and placement_changed:
        return "U" if same_carer else "B"
    if status_changed:
        return "L"
    return "T" if same_carer else "P"


@functools.lru_cache(maxsize=8192)
def fmt(day: datetime.date | None) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}" if day else ""


@dataclass
class ChildRecord:
    """What the return needs of one child, read in bulk."""

    child: dict
    statuses: list = field(default_factory=list)
    placements: list = field(default_factory=list)
    cases: list = field(default_factory=list)
    earlier_endings: dict = field(default_factory=dict)  # end date -> REC

    def episodes(self) -> list[Episode]:
        return episodes(self.statuses, self.placements)


def _grouped(queryset, fields):
    """(identifier, rows) for each child, from a queryset ordered by the child's
    identifier, read in chunks from a server-side cursor."""
    rows = queryset.values("child__local_identifier", *fields).iterator(chunk_size=CHUNK)
    return itertools.groupby(rows, key=lambda row: row["child__local_identifier"])


class _Side:
    """A side table's rows for each child, in step with the children."""

    def __init__(self, groups):
        self.groups = groups
        self.current = next(groups, None)

    def rows_for(self, identifier: str) -> list:
        while self.current is not None and self.current[0] < identifier:
            self.current = next(self.groups, None)
        if self.current is not None and self.current[0] == identifier:
            rows = list(self.current[1])
            self.current = next(self.groups, None)
            return rows
        return []


def read_children(children) -> "iter[ChildRecord]":
    """The records of the children (a queryset of Child), in identifier order:
    one query per table, each read in chunks and merged child by child, so the
    memory held is one chunk of each, whatever the number of children."""
    cohort = children.values("pk")
    ordered = ("child__local_identifier", "start_date", "pk")
    statuses = _Side(
        _grouped(
            LegalStatus.objects.filter(child__in=cohort).order_by(*ordered),
            ("code", "start_date", "end_date", "reason_ceased", "category_of_need"),
        )
    )
    placements = _Side(
        _grouped(
            Placement.objects.filter(child__in=cohort).order_by(*ordered),
            (
                "placement_type",
                "carer",
                "start_date",
                "end_date",
                "provider",
                "postcode",
                "urn",
                "reason_changed",
            ),
        )  # fmt: skip
    )
    cases = _Side(
        _grouped(
            ReunificationCase.objects.filter(child__in=cohort).order_by(
                "child__local_identifier", "opened_on", "pk"
            ),
            (
                "opened_on",
                "closed_on",
                "category_of_need",
                "return_home__returned_on",
                "return_home__episode_end_reason",
            ),
        )  # fmt: skip
    )
    earlier = _Side(
        _grouped(
            CareEpisode.objects.filter(child__in=cohort)
            .exclude(reason_ceased="")
            .order_by("child__local_identifier", "end_date"),
            ("end_date", "reason_ceased"),
        )
    )
    rows = (
        Child.objects.filter(pk__in=cohort)
        .order_by("local_identifier")
        .values(
            "id", "local_identifier", "sex", "date_of_birth", "ethnicity", "upn",
            "home_postcode", "is_mother", "mothers_child_born_on",
        )
        .iterator(chunk_size=CHUNK)
    )  # fmt: skip
    for row in rows:
        identifier = row["local_identifier"]
        record = ChildRecord(row)
        record.statuses = [SimpleNamespace(**r) for r in statuses.rows_for(identifier)]
        record.placements = [SimpleNamespace(**r) for r in placements.rows_for(identifier)]
        record.cases = cases.rows_for(identifier)
        for case in record.cases:
            if case["return_home__episode_end_reason"]:
                record.earlier_endings.setdefault(
                    case["return_home__returned_on"], case["return_home__episode_end_reason"]
                )
        for ended in earlier.rows_for(identifier):
            record.earlier_endings.setdefault(ended["end_date"], ended["reason_ceased"])
        yield record


def periods_of_care(found: list[Episode]) -> list[list[Episode]]:
    """Episodes grouped into periods of care: a new period at every S."""
    periods: list[list[Episode]] = []
    for index, episode in enumerate(found):
        previous = found[index - 1] if index else None
        if reason_new_episode(previous, episode) == "S":
            periods.append([])
        periods[-1].append(episode)
    return periods


def category_of_need(cases: list[dict], period: list[Episode]) -> str:
    """One category of need for a whole period of care: that of the first case
    open during it (a case closed the day the period began belongs to the one
    before); failing that, the case nearest before it, or the child's first."""
    start, end = period[0].start, period[-1].end
    during = [
        c
        for c in cases
        if (end is None or c["opened_on"] <= end)
        and (c["closed_on"] is None or c["closed_on"] > start)
    ]
    before = [c for c in cases if c["opened_on"] <= start]
    chosen = during[:1] or before[-1:] or cases[:1]
    if chosen:
        return chosen[0]["category_of_need"]
    # No case: the category held on the legal status the period began with (as
    # loaded from an earlier return).
    return getattr(period[0].status_record, "category_of_need", "") or ""


def reason_ceased(record: ChildRecord, episode: Episode, following: Episode | None) -> str:
    """REC: X1 where the next episode starts the same day; otherwise the reason held
    on the legal status that ended, the return home, or the earlier care episode
    that ended that day; E8 (any other reason) where an ending was recorded
    without one."""
    if episode.end is None:
        return ""
    if following is not None and following.start == episode.end:
        return "X1"
    status = episode.status_record
    if status is not None and status.end_date == episode.end and status.reason_ceased:
        return status.reason_ceased
    return record.earlier_endings.get(episode.end, "E8")


def reason_place_change(episode: Episode, following: Episode | None) -> str:
    """Why the placement ended, where the child moved and stayed looked after."""
    if following is None or following.start != episode.end:
        return ""
    if (following.placement, following.carer) == (episode.placement, episode.carer):
        return ""
    held = getattr(episode.placement_record, "reason_changed", "")
    if held:
        return held
    if following.placement == PlacementType.P1:
        return ReasonPlaceChange.CARPL  # home under the care plan
    return ReasonPlaceChange.OTHER


def cohort(start: datetime.date, end: datetime.date, cases=None):
    """Children with a reunification case open at any time in the period."""
    cases = cases if cases is not None else ReunificationCase.objects.all()
    overlapping = cases.filter(opened_on__lte=end).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gte=start)
    )
    return Child.objects.filter(pk__in=overlapping.values("child"))


def episode_rows(record: ChildRecord, start: datetime.date, end: datetime.date):
    """The child's episodes overlapping the period as SSDA903 Episodes fields. An
    episode still open at the end of the period is open in the return: no DEC,
    no REC, whatever happened later."""
    found = record.episodes()
    cin = {}
    for period in periods_of_care(found):
        need = category_of_need(record.cases, period)
        for episode in period:
            cin[episode.start] = need
    for index, episode in enumerate(found):
        if episode.start > end or (episode.end is not None and episode.end < start):
            continue
        previous = found[index - 1] if index else None
        following = found[index + 1] if index + 1 < len(found) else None
        ended = episode.end if episode.end is not None and episode.end <= end else None
        placement = episode.placement_record
        home = record.child["home_postcode"]
        yield {
            "CHILD": record.child["local_identifier"],
            "DECOM": fmt(episode.start),
            "RNE": reason_new_episode(previous, episode),
            "LS": episode.legal_status,
            "CIN": cin[episode.start],
            "PLACE": episode.placement,
            "PLACE_PROVIDER": placement_provider(placement),
            "DEC": fmt(ended),
            "REC": reason_ceased(record, episode, following) if ended else "",
            "REASON_PLACE_CHANGE": reason_place_change(episode, following) if ended else "",
            "HOME_POST": home,
            "PL_POST": placement.postcode or (home if episode.placement == "P1" else ""),
            "URN": placement.urn,
        }


def placement_provider(placement) -> str:
    """PLACE_PROVIDER as held; placed with parents is always PR0, and the
    placements the Department says have no provider have none."""
    if placement is None or placement.placement_type in PLACEMENTS_WITHOUT_PROVIDER:
        return ""
    if placement.placement_type == PlacementType.P1:
        return "PR0"
    return placement.provider or "PR1"


def extract(start: datetime.date, end: datetime.date, cases=None) -> list[dict]:
    """The reunification cohort's episodes in the period, ordered by child and
    episode start, with the child's Header fields on each row."""
    rows = []
    for record in read_children(cohort(start, end, cases)):
        child = record.child
        for episode in episode_rows(record, start, end):
            rows.append(
                {
                    "CHILD": child["local_identifier"],
                    "SEX": child["sex"],
                    "DOB": fmt(child["date_of_birth"]),
                    "ETHNIC": child["ethnicity"],
                    **{f: episode[f] for f in FIELDS[4:]},
                }
            )
    return rows


def write_csv(rows: list[dict], stream) -> None:
    out = csv_files.writer(stream)
    out.writerow(FIELDS)
    out.writerows([row[field] for field in FIELDS] for row in rows)
