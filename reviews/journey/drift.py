"""Drift: a case that has stayed in a stage longer than expected. The expected
time in each stage is a local setting (STAGE_EXPECTED_DAYS, in calendar days);
the time in the stage runs from the last stage move into it (reviews StageMove),
or from the day the case opened when it has not moved. The rules are plain
functions; `drifting_cases` applies them to a team's open cases for the team
manager, and the caseload report counts the same rule in the database."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from cases.models import ReunificationCase, Stage


def entered_stage_on(
    opened_on: datetime.date, moves: list[tuple[datetime.date, str]], stage: str
) -> datetime.date:
    """The day the case entered `stage` (its current one): the latest move into
    it, or the day it opened. `moves` are (day moved, stage moved to) pairs."""
    into = [day for day, to_stage in moves if to_stage == stage]
    return max(into, default=opened_on)


def days_in_stage(entered_on: datetime.date, day: datetime.date) -> int:
    """Calendar days in the stage by `day`: 0 on the day it was entered."""
    return (day - entered_on).days


def expected_days(stage: str, expected: dict[str, int] | None = None) -> int | None:
    """The expected time in the stage, or None where a stage has none (closed)."""
    table = settings.STAGE_EXPECTED_DAYS if expected is None else expected
    return table.get(stage)


def drifting_from(entered_on: datetime.date, limit: int | None) -> datetime.date | None:
    """The first day the case counts as drifting: the day after the expected time
    in the stage has run out."""
    return None if limit is None else entered_on + datetime.timedelta(days=limit + 1)


def is_drifting(
    stage: str, entered_on: datetime.date, day: datetime.date, expected: dict | None = None
) -> bool:
    since = drifting_from(entered_on, expected_days(stage, expected))
    return since is not None and day >= since


@dataclass(frozen=True)
class Drift:
    case: ReunificationCase
    entered_on: datetime.date
    days: int
    expected: int


def drifting_cases(cases, day: datetime.date) -> list[Drift]:
    """The open cases among `cases` longer in their stage than expected, longest
    first: child, worker and stage moves fetched in three queries."""
    found = []
    open_cases = (
        cases.exclude(stage=Stage.CLOSED)
        .select_related("child", "social_worker")
        .prefetch_related("stage_moves")
    )
    for case in open_cases:
        moves = [(timezone.localdate(m.moved_at), m.to_stage) for m in case.stage_moves.all()]
        entered = entered_stage_on(case.opened_on, moves, case.stage)
        if is_drifting(case.stage, entered, day):
            found.append(
                Drift(case, entered, days_in_stage(entered, day), expected_days(case.stage))
            )
    found.sort(key=lambda d: (-(d.days - d.expected), d.case.pk))
    return found
