"""How a case moves between risk levels over time (Appendix A, "six-month step
rules"), as plain Python over signed-off assessments and a date.

"Six months" in the tool means a period that suits the child's timescale: it is a
parameter, six calendar months by default. A condition is "sustained" when every
signed-off assessment since it began, at the current level, still shows it.

The rules:
- Low held for the period: the case may close. (A case that came down from Medium
  starts its Low period on the day it reached Low, so it holds Low a further period.)
- Medium to Low: all risk factors addressed, sustained for the period.
- High to Medium: parents show capacity for change, are addressing the risk factors
  and protective factors remain, sustained for the period.
- High for the period without the risk factors being addressed: reconsider for
  Severe, with a plan for permanent separation. No protective factors at High: Severe
  at once.
- Severe to High: protective factors appear and/or parents begin to address the
  risks, sustained for the period.
- New or re-emerging risk factors move a Low or Medium case up at once
  (`tool.suggest_level`, through `tool.level_after_new_risks`).
- Escalation is never slower than six months: "reconsider for Severe" comes at
  most six months into High without progress, even where the child's step period
  is longer (step-downs use the child's period).

A confirmed level may go up at any time. A step down sooner than the rules allow
(before the earliest date, or more than one level at once) is a departure from the
rules: it needs a rationale and the manager sees it (`departure`). The case is then
at the confirmed level, but its dates count from the day the rules would have let
it get there, not from the day it was confirmed: the first step down from the
earliest date the rules give for it (a period from the departure when the
conditions for it were not yet held), and each further level a full period later.
So an early Low does not start the Low-held-for-the-period clock early, and does
not bring the closure date forward.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from cases.dates import add_months

from .tool import CapacityForChange, Level, ProtectiveFactors, RiskFactors

DEFAULT_PERIOD_MONTHS = 6
# The longest a High case without progress waits before it is reconsidered for Severe.
ESCALATION_MONTHS = 6


@dataclass(frozen=True)
class SignedOffAssessment:
    """What the rules need of a signed-off assessment."""

    assessed_on: datetime.date
    level: Level
    risk_factors: str
    protective_factors: str
    capacity_for_change: str
    sequence: int = 0  # order of sign-off, to settle two assessments on one day


@dataclass(frozen=True)
class Departure:
    """A confirmed level below what the step rules permit on the day assessed."""

    assessed_on: datetime.date
    from_level: Level  # the level the case was at
    to_level: Level  # the level confirmed
    permitted: Level  # the lowest level the rules permit on that day
    earliest: datetime.date  # when the rules would first let the case reach to_level

    def __str__(self) -> str:
        return (
            f"The step rules do not allow {self.to_level.label} on "
            f"{self.assessed_on:%-d %B %Y}: the case is at {self.from_level.label}, and the "
            f"lowest level they allow that day is {self.permitted.label}. The earliest the "
            f"rules would allow {self.to_level.label} is {self.earliest:%-d %B %Y}, so its "
            "dates count from then."
        )


@dataclass(frozen=True)
class StepDates:
    level: Level | None
    level_since: datetime.date | None = None
    # The day the rules count the current level from: level_since, unless the case
    # stepped down to it sooner than they allow (then a later day).
    counted_from: datetime.date | None = None
    departures: tuple[Departure, ...] = ()
    step_down_to: Level | None = None
    step_down_from: datetime.date | None = None
    step_down_waits_for: str = ""
    closure_from: datetime.date | None = None
    reconsider_severe_by: datetime.date | None = None
    reassess_by: datetime.date | None = None
    move_to_severe_now: bool = False

    def may_step_down(self, today: datetime.date) -> bool:
        return self.step_down_from is not None and today >= self.step_down_from

    def may_close(self, today: datetime.date) -> bool:
        return self.closure_from is not None and today >= self.closure_from


def _in_order(assessments: Iterable[SignedOffAssessment]) -> list[SignedOffAssessment]:
    # By the date assessed, not the date recorded: a back-dated assessment takes
    # its place in the history.
    return sorted(assessments, key=lambda a: (a.assessed_on, a.sequence))


def _sustained_since(
    run: list[SignedOffAssessment], holds: Callable[[SignedOffAssessment], bool]
) -> datetime.date | None:
    """The start of the unbroken stretch, ending with the latest assessment, in
    which `holds` is true; None if the latest assessment does not show it."""
    since = None
    for assessment in reversed(run):
        if not holds(assessment):
            break
        since = assessment.assessed_on
    return since


def _addressed(a: SignedOffAssessment) -> bool:
    return a.risk_factors == RiskFactors.ADDRESSED


def _progress_at_high(a: SignedOffAssessment) -> bool:
    return (
        a.capacity_for_change == CapacityForChange.ABLE
        and a.risk_factors != RiskFactors.NOT_BEING_ADDRESSED
        and a.protective_factors == ProtectiveFactors.APPARENT
    )


def _no_progress_at_high(a: SignedOffAssessment) -> bool:
    return a.risk_factors == RiskFactors.NOT_BEING_ADDRESSED


def _progress_at_severe(a: SignedOffAssessment) -> bool:
    return (
        a.protective_factors == ProtectiveFactors.APPARENT
        or a.risk_factors != RiskFactors.NOT_BEING_ADDRESSED
    )


def _run_dates(
    run: list[SignedOffAssessment], counted_from: datetime.date, period_months: int
) -> StepDates:
    """The dates for a run of assessments at one level, counted from `counted_from`."""
    latest = run[-1]
    level = latest.level
    level_since = run[0].assessed_on

    def after(since: datetime.date | None, months: int = period_months) -> datetime.date | None:
        return add_months(since, months) if since else None

    def held_from(since: datetime.date | None) -> datetime.date | None:
        # A condition does not count from before the rules let the case be here.
        return max(since, counted_from) if since else None

    common = {"level": level, "level_since": level_since, "counted_from": counted_from}
    if level == Level.LOW:
        return StepDates(**common, closure_from=after(counted_from))

    if level == Level.MEDIUM:
        since = held_from(_sustained_since(run, _addressed))
        return StepDates(
            **common,
            step_down_to=Level.LOW,
            # A case that came down from High also holds Medium a full period.
            step_down_from=after(since),
            step_down_waits_for="" if since else "all risk factors to be addressed",
        )

    if level == Level.HIGH:
        progress = held_from(_sustained_since(run, _progress_at_high))
        stuck = _sustained_since(run, _no_progress_at_high)
        return StepDates(
            **common,
            step_down_to=Level.MEDIUM,
            step_down_from=after(progress),
            step_down_waits_for=""
            if progress
            else "capacity for change, the risk factors being addressed and protective factors",
            # Never longer than six months, whatever the child's step period.
            reconsider_severe_by=after(stuck, min(period_months, ESCALATION_MONTHS)),
            # Every High case is looked at again within a period of its latest
            # assessment, whichever way it is going.
            reassess_by=after(latest.assessed_on),
            move_to_severe_now=latest.protective_factors == ProtectiveFactors.NONE,
        )

    progress = held_from(_sustained_since(run, _progress_at_severe))
    return StepDates(
        **common,
        step_down_to=Level.HIGH,
        step_down_from=after(progress),
        step_down_waits_for=""
        if progress
        else "protective factors to appear or the risk factors to be addressed",
    )


def _first_step_from(dates: StepDates, period_months: int) -> datetime.date:
    """The earliest day the rules let the case step down one level: the date they
    give, or, while they wait for a condition, no sooner than a period at the level
    (the new assessment's answers are then the worker's judgement on it)."""
    return dates.step_down_from or add_months(dates.counted_from, period_months)


def permitted_level(
    dates: StepDates, day: datetime.date, period_months: int = DEFAULT_PERIOD_MONTHS
) -> Level | None:
    """The lowest level the rules allow on `day`: one level down once the earliest
    date has come, otherwise the level the case is at."""
    if dates.level is None or dates.level == Level.LOW:
        return dates.level
    first = _first_step_from(dates, period_months)
    return dates.step_down_to if day >= first else dates.level


def _departure(
    dates: StepDates, assessed_on: datetime.date, level: Level, period_months: int
) -> Departure | None:
    """Whether confirming `level` on `assessed_on` departs from the rules, given the
    dates of the history before it; and if so when the rules would allow it."""
    permitted = permitted_level(dates, assessed_on, period_months)
    if permitted is None or level >= permitted:
        return None
    # The first step at its earliest date (not before the day assessed), each
    # further one a full period on.
    earliest = max(_first_step_from(dates, period_months), assessed_on)
    earliest = add_months(earliest, period_months * (dates.level - level - 1))
    return Departure(assessed_on, dates.level, level, permitted, earliest)


def _walk(
    history: list[SignedOffAssessment], period_months: int
) -> tuple[StepDates, list[Departure]]:
    """The dates after each assessment in turn, and the departures on the way."""
    dates, run, departures = StepDates(level=None), [], []
    for assessment in history:
        if run and assessment.level == dates.level:
            run.append(assessment)
            counted_from = dates.counted_from
        else:
            departure = _departure(dates, assessment.assessed_on, assessment.level, period_months)
            if departure:
                departures.append(departure)
            run = [assessment]
            counted_from = departure.earliest if departure else assessment.assessed_on
        dates = _run_dates(run, counted_from, period_months)
    return dates, departures


def _check_period(period_months: int) -> None:
    if period_months < 1:
        raise ValueError("The step period must be at least one month")


def step_dates(
    assessments: Iterable[SignedOffAssessment], *, period_months: int = DEFAULT_PERIOD_MONTHS
) -> StepDates:
    """The dates the step rules give for a case's signed-off assessments."""
    _check_period(period_months)
    history = _in_order(assessments)
    if not history:
        return StepDates(level=None)
    dates, departures = _walk(history, period_months)
    return replace(dates, departures=tuple(departures))


def departure(
    assessments: Iterable[SignedOffAssessment],
    *,
    assessed_on: datetime.date,
    level: Level,
    period_months: int = DEFAULT_PERIOD_MONTHS,
) -> Departure | None:
    """Whether a new assessment, on `assessed_on` at `level`, would step down sooner
    than the rules allow after the signed-off `assessments` assessed by that day."""
    _check_period(period_months)
    before = [a for a in _in_order(assessments) if a.assessed_on <= assessed_on]
    if not before:
        return None
    dates, _ = _walk(before, period_months)
    if level == dates.level:
        return None
    return _departure(dates, assessed_on, level, period_months)
