"""Reads for the risk pages."""

import datetime
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery
from django.urls import reverse

from cases import rules
from cases.models import (
    ParentalIssueKind,
    ReunificationCase,
    Stage,
    TreatmentUptake,
)
from cases.selectors import current_legal_status, placed_with_parents_since
from reunification.clock import today

from .models import AssessmentStatus, FactorStatus, NamedRiskFactor, RiskAssessment
from .step_rules import (
    ESCALATION_MONTHS,
    Departure,
    SignedOffAssessment,
    StepDates,
    departure,
    step_dates,
)
from .tool import Level, WishesAboutReturn, needs_decision_about_care, what_follows

# Which signed-off assessment counts as the latest: the latest assessed, then the
# latest signed off, then the latest recorded.
LATEST_FIRST = ("-assessed_on", "-decided_at", "-pk")


def latest_signed_off(
    case: ReunificationCase, since: datetime.date | None = None
) -> RiskAssessment | None:
    """The case's latest signed-off risk assessment (assessed on or after `since`)."""
    assessments = case.risk_assessments.filter(status=AssessmentStatus.SIGNED_OFF)
    if since:
        assessments = assessments.filter(assessed_on__gte=since)
    return assessments.order_by(*LATEST_FIRST).first()


def latest_signed_off_level_subquery(case_ref: str = "pk"):
    """The confirmed level of `latest_signed_off`, in SQL, for annotating cases."""
    signed = RiskAssessment.objects.filter(
        case=OuterRef(case_ref), status=AssessmentStatus.SIGNED_OFF
    ).order_by(*LATEST_FIRST)
    return Subquery(signed.values("confirmed_level")[:1])


def signed_off(case: ReunificationCase) -> list[RiskAssessment]:
    """Oldest first. Reads `case.risk_assessments.all()`, so a prefetch serves it
    (the deadline sweep loads a batch of cases at once)."""
    return sorted(
        (a for a in case.risk_assessments.all() if a.status == AssessmentStatus.SIGNED_OFF),
        key=lambda a: (a.assessed_on, a.decided_at is None, a.decided_at or 0, a.pk),
    )


def as_rule_input(assessments: list[RiskAssessment]) -> list[SignedOffAssessment]:
    return [
        SignedOffAssessment(
            assessed_on=a.assessed_on,
            level=a.level,
            risk_factors=a.risk_factors,
            protective_factors=a.protective_factors,
            capacity_for_change=a.capacity_for_change,
            sequence=index,
        )
        for index, a in enumerate(assessments)
    ]


@dataclass(frozen=True)
class Situation:
    """Where the child lives and under what order, as the risk advice needs it."""

    at_home_since: datetime.date | None  # living with a parent since, or None
    on_care_order: bool
    section_20: bool

    @property
    def at_home(self) -> bool:
        return self.at_home_since is not None


def situation(case: ReunificationCase, day: datetime.date) -> Situation:
    """At home: placed with a parent on `day` (cases.selectors.placed_with_parents_since),
    or the case is at the return-home stage (a breakdown closes it). The legal
    status is cases.selectors.current_legal_status."""
    child = case.child
    since = placed_with_parents_since(child, day)
    if since is None and case.stage == Stage.RETURN_HOME:
        since = case.stage_entered_on
    status = current_legal_status(child, day)
    return Situation(
        at_home_since=since,
        on_care_order=status is not None and status.is_care_order,
        section_20=status is not None and status.is_section_20,
    )


@dataclass
class RiskSummary:
    level: Level | None
    what_follows: str
    dates: StepDates
    history: list[RiskAssessment]
    situation: Situation | None = None

    @property
    def needs_decision_about_care(self) -> bool:
        """At home at High or Severe: the manager decides today about care."""
        at_home = self.situation is not None and self.situation.at_home
        return needs_decision_about_care(self.level, at_home=at_home)

    escalation_months: int = ESCALATION_MONTHS


def risk_summary(case: ReunificationCase, day: datetime.date | None = None) -> RiskSummary:
    """The case's level, dates and what should follow, for the child's situation
    on `day` (today if not given)."""
    history = signed_off(case)
    dates = step_dates(as_rule_input(history), period_months=case.risk_step_months)
    where = situation(case, day or today())
    return RiskSummary(
        level=dates.level,
        what_follows=what_follows(
            dates.level, at_home=where.at_home, on_care_order=where.on_care_order
        ),
        dates=dates,
        history=history,
        situation=where,
    )


def departure_for(assessment: RiskAssessment) -> Departure | None:
    """Whether the level confirmed on this assessment steps down sooner than the
    step rules allow after the case's other signed-off assessments."""
    if not assessment.confirmed_level:
        return None
    others = [a for a in signed_off(assessment.case) if a.pk != assessment.pk]
    return departure(
        as_rule_input(others),
        assessed_on=assessment.assessed_on,
        level=assessment.level,
        period_months=assessment.case.risk_step_months,
    )


def departures_by_level(assessment: RiskAssessment) -> dict[Level, Departure]:
    """For each level the worker might confirm on this assessment's date, the
    departure from the step rules it would be (levels that do not depart left out)."""
    others = as_rule_input([a for a in signed_off(assessment.case) if a.pk != assessment.pk])
    found = {}
    for level in Level:
        departs = departure(
            others,
            assessed_on=assessment.assessed_on,
            level=level,
            period_months=assessment.case.risk_step_months,
        )
        if departs:
            found[level] = departs
    return found


def previous_signed_off(assessment: RiskAssessment) -> RiskAssessment | None:
    """The latest signed-off assessment before this one (by the date assessed)."""
    earlier = assessment.case.risk_assessments.filter(
        status=AssessmentStatus.SIGNED_OFF, assessed_on__lte=assessment.assessed_on
    )
    if assessment.pk:
        earlier = earlier.exclude(pk=assessment.pk)
    return earlier.order_by(*LATEST_FIRST).first()


def factor_key(factor: str, description: str = "") -> str:
    """A named factor's identity across assessments: the listed factor, or an
    other factor's name."""
    if factor == NamedRiskFactor.OTHER:
        return description.strip().capitalize()
    return NamedRiskFactor(factor).label


UNTREATED = {
    TreatmentUptake.NOT_OFFERED,
    TreatmentUptake.OFFERED_DECLINED,
    TreatmentUptake.OFFERED_WAITING,
    TreatmentUptake.DISENGAGED,
}


@dataclass
class BreakdownFactor:
    """A factor research links to returns breaking down (or succeeding), whether
    the record shows it for this child, and where it is recorded."""

    name: str
    present: bool
    detail: str
    link: str = ""  # the address of the page section where it is recorded
    # What its tag says when it is not present: "Does not apply" where the record
    # settles it (the child's age), "Not recorded" where it may be missing.
    absent: str = "Not recorded"


def breakdown_factors(
    case: ReunificationCase, assessment: RiskAssessment | None, today: datetime.date
) -> list[BreakdownFactor]:
    """The factors research links to returns home breaking down, for this child,
    drawn from the case record."""
    child = case.child
    age = rules.age_of(rules.Person(child.date_of_birth, None, today, False, False, False), today)
    failed = [r for r in child.previous_returns.all() if r.failed]
    misuse = [
        issue
        for issue in case.parental_issues.all()
        if issue.kind == ParentalIssueKind.SUBSTANCE_MISUSE and issue.treatment in UNTREATED
    ]
    named_misuse = [
        entry
        for entry in (assessment.factors.all() if assessment and assessment.pk else [])
        if entry.factor == NamedRiskFactor.SUBSTANCE_MISUSE
        and entry.status == FactorStatus.NOT_ADDRESSED
    ]
    misuse_detail = [i.get_treatment_display() for i in misuse]
    if named_misuse:
        misuse_detail.append("This assessment names substance misuse as not addressed.")
    ambivalent = bool(assessment and assessment.wishes == WishesAboutReturn.AMBIVALENT)
    overview = reverse("cases:overview", args=[case.pk])
    assessed = (
        reverse("risk:detail", args=[case.pk, assessment.pk])
        if assessment and assessment.pk
        else reverse("risk:overview", args=[case.pk])
    )
    return [
        BreakdownFactor(
            "Child over 10",
            age > 10,
            f"{child.first_name} is {age}.",
            f"{overview}#child",
            absent="Does not apply",
        ),
        BreakdownFactor(
            "Previous returns home that broke down",
            bool(failed),
            f"{len(failed)} recorded." if failed else "None recorded.",
            f"{overview}#history",
        ),
        BreakdownFactor(
            "Behavioural or emotional difficulties",
            child.behavioural_or_emotional_difficulties,
            "Recorded on the child's details."
            if child.behavioural_or_emotional_difficulties
            else "Not recorded.",
            f"{overview}#child",
        ),
        BreakdownFactor(
            "Parental substance misuse without treatment",
            bool(misuse or named_misuse),
            "; ".join(misuse_detail) or "None recorded.",
            f"{overview}#reasons" if misuse or not named_misuse else assessed,
        ),
        BreakdownFactor(
            "Ambivalence about the return",
            ambivalent,
            "This assessment records ambivalence." if ambivalent else "Not recorded here.",
            assessed,
        ),
        BreakdownFactor(
            "Family isolated",
            case.family_isolated,
            "Recorded on the case." if case.family_isolated else "Not recorded.",
            f"{overview}#case",
        ),
    ]


def factor_statuses_carried(case: ReunificationCase) -> dict[str, str]:
    """The status of each listed risk factor in the case's last signed-off
    assessment, by factor: where a new assessment starts from."""
    last = latest_signed_off(case)
    if last is None:
        return {}
    return {
        entry.factor: entry.status for entry in last.factors.exclude(factor=NamedRiskFactor.OTHER)
    }
