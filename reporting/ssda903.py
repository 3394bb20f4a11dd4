"""An SSDA903-style extract of the reunification cohort, so a council can
reconcile it with its statutory return. Field names and codes follow the
Department for Education's SSDA903 header and episodes tables: one row per
episode, a new episode starting whenever the legal status or the placement
changes.

The cohort: every child with a reunification case open at any time in the
period; the rows: their episodes that overlap the period.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, Q

from cases.models import Child, LegalStatus, Placement, ReunificationCase

from . import csv_files

FIELDS = ["CHILD", "SEX", "DOB", "ETHNIC", "DECOM", "RNE", "LS", "CIN", "PLACE", "DEC", "REC"]

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
                previous.start, end, previous.legal_status, previous.placement, previous.carer
            )
        else:
            found.append(Episode(day, end, status.code, placement.placement_type, placement.carer))
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


def _fmt(day: datetime.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def extract(start: datetime.date, end: datetime.date, cases=None) -> list[dict]:
    """Rows for the cohort, ordered by child and episode start."""
    cases = cases if cases is not None else ReunificationCase.objects.all()
    overlapping = cases.filter(opened_on__lte=end).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gte=start)
    )
    children = (
        Child.objects.filter(pk__in=overlapping.values("child"))
        .prefetch_related(
            Prefetch("legal_statuses", queryset=LegalStatus.objects.order_by("start_date")),
            Prefetch("placements", queryset=Placement.objects.order_by("start_date")),
            Prefetch(
                "cases",
                queryset=ReunificationCase.objects.select_related("return_home").order_by(
                    "opened_on"
                ),
            ),
        )
        .order_by("local_identifier")
    )
    rows = []
    for child in children:
        found = episodes(list(child.legal_statuses.all()), list(child.placements.all()))
        child_cases = list(child.cases.all())
        for index, episode in enumerate(found):
            if episode.start > end or (episode.end is not None and episode.end < start):
                continue
            previous = found[index - 1] if index else None
            following = found[index + 1] if index + 1 < len(found) else None
            rows.append(
                {
                    "CHILD": child.local_identifier,
                    "SEX": child.sex,
                    "DOB": _fmt(child.date_of_birth),
                    "ETHNIC": child.ethnicity,
                    "DECOM": _fmt(episode.start),
                    "RNE": reason_new_episode(previous, episode),
                    "LS": episode.legal_status,
                    "CIN": _category_of_need(child_cases, episode.start),
                    "PLACE": episode.placement,
                    "DEC": _fmt(episode.end),
                    "REC": _reason_ceased(episode, following, child_cases),
                }
            )
    return rows


def _category_of_need(cases, day) -> str:
    current = [c for c in cases if c.opened_on <= day] or cases[:1]
    return current[-1].category_of_need if current else ""


def _reason_ceased(episode: Episode, following: Episode | None, cases) -> str:
    if episode.end is None:
        return ""
    if following is not None and following.start == episode.end:
        return "X1"  # this episode ends and a new one begins the same day
    for case in cases:
        returned = getattr(case, "return_home", None)
        if returned and returned.returned_on == episode.end and returned.episode_end_reason:
            return returned.episode_end_reason
    return ""


def write_csv(rows: list[dict], stream) -> None:
    out = csv_files.writer(stream)
    out.writerow(FIELDS)
    out.writerows([row[field] for field in FIELDS] for row in rows)
