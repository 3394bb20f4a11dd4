"""Reads for the risk pages."""

import datetime
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery

from cases import rules
from cases.models import ParentalIssueKind, ReunificationCase, TreatmentUptake

from .models import AssessmentStatus, RiskAssessment
from .step_rules import SignedOffAssessment, StepDates, step_dates
from .tool import WHAT_FOLLOWS, Level, WishesAboutReturn

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
    return list(
        case.risk_assessments.filter(status=AssessmentStatus.SIGNED_OFF).order_by(
            "assessed_on", "decided_at", "pk"
        )
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


@dataclass
class RiskSummary:
    level: Level | None
    what_follows: str
    dates: StepDates
    history: list[RiskAssessment]


def risk_summary(case: ReunificationCase) -> RiskSummary:
    history = signed_off(case)
    dates = step_dates(as_rule_input(history), period_months=case.risk_step_months)
    return RiskSummary(
        level=dates.level,
        what_follows=WHAT_FOLLOWS[dates.level] if dates.level else "",
        dates=dates,
        history=history,
    )


UNTREATED = {
    TreatmentUptake.NOT_OFFERED,
    TreatmentUptake.OFFERED_DECLINED,
    TreatmentUptake.OFFERED_WAITING,
    TreatmentUptake.DISENGAGED,
}


@dataclass
class BreakdownFactor:
    name: str
    present: bool
    detail: str


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
    ambivalent = bool(assessment and assessment.wishes == WishesAboutReturn.AMBIVALENT)
    return [
        BreakdownFactor("Child over 10", age > 10, f"{child.first_name} is {age}."),
        BreakdownFactor(
            "Previous returns home that broke down",
            bool(failed),
            f"{len(failed)} recorded." if failed else "None recorded.",
        ),
        BreakdownFactor(
            "Behavioural or emotional difficulties",
            child.behavioural_or_emotional_difficulties,
            "Recorded on the child's details."
            if child.behavioural_or_emotional_difficulties
            else "Not recorded.",
        ),
        BreakdownFactor(
            "Parental substance misuse without treatment",
            bool(misuse),
            "; ".join(f"{i.get_treatment_display()}" for i in misuse) or "None recorded.",
        ),
        BreakdownFactor(
            "Ambivalence about the return",
            ambivalent,
            "This assessment records ambivalence." if ambivalent else "Not recorded here.",
        ),
        BreakdownFactor(
            "Family isolated",
            case.family_isolated,
            "Recorded on the case." if case.family_isolated else "Not recorded.",
        ),
    ]
