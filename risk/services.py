"""Writes for risk assessments: each checks who may make it and the state the
assessment is in, and writes in one transaction."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from cases import policy
from cases.models import ChronologyKind, ReunificationCase, User
from cases.services import add_chronology_entry
from reunification.clock import now

from .models import AssessmentStatus, RiskAssessment
from .tool import Level, suggest_level


def suggestion_for(assessment: RiskAssessment):
    return suggest_level(
        risk_factors=assessment.risk_factors or None,
        protective_factors=assessment.protective_factors or None,
        capacity_for_change=assessment.capacity_for_change or None,
        wishes=assessment.wishes or None,
        recurrence=assessment.recurrence or None,
    )


EVIDENCE_FIELDS = [
    ("risk_factors", "risk_factors_evidence"),
    ("protective_factors", "protective_factors_evidence"),
    ("capacity_for_change", "capacity_for_change_evidence"),
    ("wishes", "wishes_evidence"),
    ("recurrence", "recurrence_evidence"),
]


def missing_for_sign_off(assessment: RiskAssessment) -> list[str]:
    """What must be added before the assessment can go for sign-off, in words."""
    missing = []
    for answer, evidence in EVIDENCE_FIELDS:
        field = RiskAssessment._meta.get_field(answer)
        name = str(field.verbose_name).lower()
        if not getattr(assessment, answer):
            missing.append(f"the answer on {name}")
        if not getattr(assessment, evidence).strip():
            missing.append(f"the evidence on {name}")
    if not assessment.pk or not assessment.factors.exists():
        missing.append("at least one named risk factor with its status")
    if not assessment.confirmed_level:
        missing.append("your confirmed level")
    suggestion = suggestion_for(assessment)
    differs = suggestion.level and assessment.confirmed_level != suggestion.level.code
    if assessment.confirmed_level and differs and not assessment.rationale.strip():
        missing.append("a rationale, because your level differs from the suggested level")
    return missing


def _check_editable(assessment: RiskAssessment, by: User) -> None:
    if not policy.may_change_case(by, assessment.case):
        raise PermissionDenied
    if not assessment.is_editable:
        raise ValidationError(
            "This assessment can no longer be changed: "
            f"it is {assessment.get_status_display().lower()}"
        )


@transaction.atomic
def save_draft(*, case: ReunificationCase, by: User, form, factors_formset) -> RiskAssessment:
    """Save the answers, evidence and factors of a new or returned assessment."""
    assessment = form.instance
    if assessment.pk is None:
        assessment.case = case
        assessment.author = by
    _check_editable(assessment, by)
    assessment = form.save(commit=False)
    suggestion = suggestion_for(assessment)
    assessment.suggested_level = suggestion.level.code if suggestion.level else ""
    assessment.save()
    factors_formset.instance = assessment
    factors_formset.save()
    return assessment


@transaction.atomic
def submit_for_sign_off(
    *, assessment: RiskAssessment, by: User, confirmed_level: str, rationale: str
) -> RiskAssessment:
    assessment = RiskAssessment.objects.select_for_update().get(pk=assessment.pk)
    _check_editable(assessment, by)
    assessment.confirmed_level = confirmed_level
    assessment.rationale = rationale
    missing = missing_for_sign_off(assessment)
    if missing:
        raise ValidationError(
            "This assessment cannot go for sign-off yet. Add " + "; ".join(missing) + "."
        )
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_at = now()
    assessment.submitted_by = by
    # A resubmission is undecided again; the earlier return stays in the history.
    assessment.decided_by = None
    assessment.decided_at = None
    assessment.return_comment = ""
    assessment._history_user = by
    assessment.save()
    return assessment


def _check_decider(assessment: RiskAssessment, by: User) -> None:
    if not assessment.case.is_open:
        raise ValidationError("This case is closed")
    if not policy.is_team_manager_for(by, assessment.case):
        raise PermissionDenied("Only a team manager of the case's team can sign off")
    if by.pk in (assessment.author_id, assessment.submitted_by_id):
        raise ValidationError("You cannot sign off an assessment you wrote or submitted")
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise ValidationError("This assessment is not waiting for sign-off")


@transaction.atomic
def sign_off(*, assessment: RiskAssessment, by: User) -> RiskAssessment:
    assessment = RiskAssessment.objects.select_for_update().get(pk=assessment.pk)
    _check_decider(assessment, by)
    assessment.status = AssessmentStatus.SIGNED_OFF
    assessment.decided_by = by
    assessment.decided_at = now()
    assessment._history_user = by
    assessment.save()
    level = Level.from_code(assessment.confirmed_level)
    add_chronology_entry(
        case=assessment.case,
        by=by,
        occurred_on=assessment.assessed_on,
        kind=ChronologyKind.DECISION,
        description=f"Risk assessment signed off by {by}: {level.label} risk.",
        automatic=True,
    )
    return assessment


@transaction.atomic
def return_for_changes(*, assessment: RiskAssessment, by: User, comment: str) -> RiskAssessment:
    assessment = RiskAssessment.objects.select_for_update().get(pk=assessment.pk)
    _check_decider(assessment, by)
    if not comment.strip():
        raise ValidationError("Say what needs to change before it can be signed off")
    assessment.status = AssessmentStatus.RETURNED
    assessment.decided_by = by
    assessment.decided_at = now()
    assessment.return_comment = comment
    assessment._history_user = by
    assessment.save()
    return assessment
