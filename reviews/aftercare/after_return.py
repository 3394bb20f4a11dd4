"""After the return home: the step-down plan and the team manager's agreement,
concerns once the child is home, and an assessment of the home. Each function
checks who may act and the rules, and writes in one transaction with its
chronology entry."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from cases import policy
from cases.changes import case_changed
from cases.models import ChronologyKind, ReunificationCase, Stage, User
from cases.services import add_chronology_entry, lock_case
from reunification.clock import now, today
from reviews.models import ConcernAfterReturn, HomeAssessment, StepDownPlan


def _returned(case: ReunificationCase):
    if case.stage != Stage.RETURN_HOME:
        raise ValidationError("This is recorded once the child has returned home")
    return case.return_home


def _not_before_return(returned, day: datetime.date, field: str, what: str) -> None:
    if day < returned.returned_on:
        raise ValidationError(
            {field: f"{what} cannot be before the return home ({returned.returned_on:%-d %B %Y})"}
        )


@transaction.atomic
def record_step_down_plan(
    *,
    case: ReunificationCase,
    by: User,
    lead_professional: str,
    lead_professional_role: str,
    lead_professional_agency: str,
    support_ends_on: datetime.date,
    notes: str = "",
) -> StepDownPlan:
    """Record or change the step-down plan. A change asks the team manager to
    agree it again."""
    case = lock_case(case)
    policy.require(policy.may_record_after_return(by, case))
    returned = _returned(case)
    errors = {}
    for name, value, message in (
        ("lead_professional", lead_professional, "Enter the lead professional's name"),
        ("lead_professional_role", lead_professional_role, "Enter the lead professional's role"),
        ("lead_professional_agency", lead_professional_agency, "Enter their agency"),
    ):
        if not value.strip():
            errors[name] = message
    if errors:
        raise ValidationError(errors)
    _not_before_return(
        returned, support_ends_on, "support_ends_on", "The date support is expected to end"
    )
    plan = StepDownPlan.objects.filter(case=case).first() or StepDownPlan(case=case)
    changing = plan.pk is not None
    plan.lead_professional = lead_professional.strip()
    plan.lead_professional_role = lead_professional_role.strip()
    plan.lead_professional_agency = lead_professional_agency.strip()
    plan.support_ends_on = support_ends_on
    plan.notes = notes
    plan.recorded_by = by
    plan.recorded_at = now()
    plan.agreed_by, plan.agreed_at, plan.agreed_on, plan.agreement_comments = None, None, None, ""
    plan.full_clean(exclude=["case", "recorded_by"])
    plan._history_user = by
    plan.save()
    add_chronology_entry(
        case=case,
        by=by,
        occurred_on=today(),
        kind=ChronologyKind.DECISION,
        description=f"Step-down plan {'changed' if changing else 'recorded'}: lead professional "
        f"{plan.lead_professional} ({plan.lead_professional_role}, "
        f"{plan.lead_professional_agency}); support expected to end on "
        f"{support_ends_on:%-d %B %Y}.",
        automatic=True,
    )
    case_changed(case.pk)
    return plan


@transaction.atomic
def agree_step_down_plan(
    *, case: ReunificationCase, by: User, agreed_on: datetime.date, comments: str
) -> StepDownPlan:
    """The team manager agrees the step-down plan as it stands, services and end
    dates included, with her reasons: this meets the alerts about support ending
    early until the plan or a service changes."""
    case = lock_case(case)
    policy.require(
        policy.may_agree_step_down(by, case),
        "Only a team manager of the case's team agrees the step-down plan",
    )
    returned = _returned(case)
    plan = StepDownPlan.objects.select_for_update().filter(case=case).first()
    if plan is None:
        raise ValidationError("Record the step-down plan first")
    _not_before_return(returned, agreed_on, "agreed_on", "The date agreed")
    if not comments.strip():
        raise ValidationError({"comments": "Give your reasons for agreeing the plan"})
    plan.agreed_by, plan.agreed_at, plan.agreed_on = by, now(), agreed_on
    plan.agreement_comments = comments.strip()
    plan._history_user = by
    plan.save()
    add_chronology_entry(
        case=case,
        by=by,
        occurred_on=agreed_on,
        kind=ChronologyKind.DECISION,
        description=f"{by} (team manager) agreed the step-down plan: {plan.agreement_comments}",
        automatic=True,
    )
    case_changed(case.pk)
    return plan


@transaction.atomic
def record_concern(
    *,
    case: ReunificationCase,
    by: User,
    kind: str,
    occurred_on: datetime.date,
    details: str,
    source: str = "",
) -> ConcernAfterReturn:
    """A referral, an incident or a new risk once the child is home: the risk is
    to be reassessed (a task for the social worker)."""
    case = lock_case(case)
    policy.require(policy.may_record_after_return(by, case))
    returned = _returned(case)
    _not_before_return(returned, occurred_on, "occurred_on", "A concern after the return")
    if not details.strip():
        raise ValidationError({"details": "Say what happened"})
    concern = ConcernAfterReturn(
        case=case,
        kind=kind,
        occurred_on=occurred_on,
        details=details.strip(),
        source=source.strip(),
        recorded_by=by,
        recorded_at=now(),
    )
    concern.full_clean(exclude=["case", "recorded_by"])
    concern._history_user = by
    concern.save()
    add_chronology_entry(
        case=case,
        by=by,
        occurred_on=occurred_on,
        kind=ChronologyKind.SIGNIFICANT_EVENT,
        description=f"Concern after the return ({concern.get_kind_display().lower()}): "
        f"{concern.details}",
        source=concern.source,
        automatic=True,
    )
    case_changed(case.pk)
    return concern


@transaction.atomic
def record_home_assessment(
    *, case: ReunificationCase, by: User, assessed_on: datetime.date, findings: str
) -> HomeAssessment:
    case = lock_case(case)
    policy.require(policy.may_record_after_return(by, case))
    returned = _returned(case)
    _not_before_return(returned, assessed_on, "assessed_on", "The assessment of the home")
    if not findings.strip():
        raise ValidationError({"findings": "Say what the assessment found"})
    assessment = HomeAssessment(
        case=case,
        assessed_on=assessed_on,
        findings=findings.strip(),
        recorded_by=by,
        recorded_at=now(),
    )
    assessment._history_user = by
    assessment.save()
    add_chronology_entry(
        case=case,
        by=by,
        occurred_on=assessed_on,
        kind=ChronologyKind.SIGNIFICANT_EVENT,
        description=f"Assessment of the home by {by}: {assessment.findings}",
        automatic=True,
    )
    case_changed(case.pk)
    return assessment
