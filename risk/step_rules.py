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
  (see `tool.level_after_new_risks`).
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from cases.dates import add_months

from .tool import CapacityForChange, Level, ProtectiveFactors, RiskFactors

DEFAULT_PERIOD_MONTHS = 6


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
class StepDates:
    level: Level | None
    level_since: datetime.date | None = None
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


def step_dates(
    assessments: Iterable[SignedOffAssessment], *, period_months: int = DEFAULT_PERIOD_MONTHS
) -> StepDates:
    """The dates the step rules give for a case's signed-off assessments."""
    if period_months < 1:
        raise ValueError("The step period must be at least one month")
    history = _in_order(assessments)
    if not history:
        return StepDates(level=None)

    latest = history[-1]
    level = latest.level
    run = []  # the latest unbroken run of assessments at the current level
    for assessment in reversed(history):
        if assessment.level != level:
            break
        run.insert(0, assessment)
    level_since = run[0].assessed_on

    def after(since: datetime.date | None) -> datetime.date | None:
        return add_months(since, period_months) if since else None

    if level == Level.LOW:
        return StepDates(level=level, level_since=level_since, closure_from=after(level_since))

    if level == Level.MEDIUM:
        since = _sustained_since(run, _addressed)
        return StepDates(
            level=level,
            level_since=level_since,
            step_down_to=Level.LOW,
            # A case that came down from High also holds Medium a full period.
            step_down_from=max(after(since), after(level_since)) if since else None,
            step_down_waits_for="" if since else "all risk factors to be addressed",
        )

    if level == Level.HIGH:
        progress = _sustained_since(run, _progress_at_high)
        stuck = _sustained_since(run, _no_progress_at_high)
        return StepDates(
            level=level,
            level_since=level_since,
            step_down_to=Level.MEDIUM,
            step_down_from=after(progress),
            step_down_waits_for=""
            if progress
            else "capacity for change, the risk factors being addressed and protective factors",
            reconsider_severe_by=after(stuck),
            # Every High case is looked at again within a period of its latest
            # assessment, whichever way it is going.
            reassess_by=after(latest.assessed_on),
            move_to_severe_now=latest.protective_factors == ProtectiveFactors.NONE,
        )

    progress = _sustained_since(run, _progress_at_severe)
    return StepDates(
        level=level,
        level_since=level_since,
        step_down_to=Level.HIGH,
        step_down_from=after(progress),
        step_down_waits_for=""
        if progress
        else "protective factors to appear or the risk factors to be addressed",
    )
