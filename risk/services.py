"""Writes for risk assessments. Each takes plain values, checks who may make it
(cases.policy) and the state the assessment is in, locks the row, writes it and its
history in one transaction, and tells cases.changes that the case changed (the
sign-off deadline and the risk dates derive from assessments)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from cases import policy
from cases.changes import case_changed
from cases.models import ChronologyKind, ReunificationCase, StaleRecord, User
from cases.models.versioned import claim_version
from cases.services import add_chronology_entry, lock_case
from reunification.clock import now

from .models import (
    ANSWER_FIELDS,
    ANSWERS_CHANGED,
    AssessmentStatus,
    FactorStatus,
    NamedRiskFactor,
    RiskAssessment,
    RiskFactorEntry,
)
from .selectors import departure_for, factor_key, previous_signed_off
from .tool import Level, factors_disagree, new_or_reemerging, suggest_level


def _keyed(factors) -> dict[str, str]:
    return {factor_key(f["factor"], f.get("description", "")): f["status"] for f in factors}


def new_risks(
    assessment: RiskAssessment, factors: list[dict] | None = None
) -> tuple[Level | None, tuple[str, ...]]:
    """The level of the latest signed-off assessment before this one, and the named
    risk factors (`factors`, or those recorded on it) new or re-emerging since it."""
    previous = previous_signed_off(assessment)
    if previous is None:
        return None, ()
    if factors is None:
        recorded = assessment.factors.values("factor", "description", "status")
        factors = list(recorded) if assessment.pk else []
    before = _keyed(previous.factors.values("factor", "description", "status"))
    return previous.level, tuple(new_or_reemerging(before, _keyed(factors)))


def suggestion_for(assessment: RiskAssessment, factors: list[dict] | None = None):
    """The tool's suggestion: the five answers, and from Low or Medium any new or
    re-emerging named risk factors (the one rule for them, in tool.suggest_level);
    `factors` are the named factors about to be saved, if not those recorded."""
    after, names = new_risks(assessment, factors)
    return suggest_level(
        risk_factors=assessment.risk_factors or None,
        protective_factors=assessment.protective_factors or None,
        capacity_for_change=assessment.capacity_for_change or None,
        wishes=assessment.wishes or None,
        recurrence=assessment.recurrence or None,
        new_risks_after=after,
        new_risks=names,
    )


FACTORS_DISAGREE = (
    "You answered that the risk factors are fully addressed, but a named risk factor is "
    "not addressed: say why"
)
DEPARTURE_NEEDS_RATIONALE = (
    "The level steps down sooner than the step rules allow: say why you depart from them"
)


def _check_factors_agree(assessment: RiskAssessment, statuses: list[str]) -> None:
    if factors_disagree(assessment.risk_factors, statuses):
        if not assessment.factors_disagreement_reason.strip():
            raise ValidationError({"factors_disagreement_reason": FACTORS_DISAGREE})
    else:
        assessment.factors_disagreement_reason = ""


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
    statuses = list(assessment.factors.values_list("status", flat=True)) if assessment.pk else []
    disagree = factors_disagree(assessment.risk_factors, statuses)
    if disagree and not assessment.factors_disagreement_reason.strip():
        missing.append("why a named risk factor is not addressed when all are said to be")
    if departure_for(assessment) and not assessment.departure_rationale.strip():
        missing.append(
            "a rationale for departing from the step rules, because the level steps down "
            "sooner than they allow"
        )
    return missing


def _check_editable(assessment: RiskAssessment, by: User) -> None:
    if not assessment.is_editable:
        raise ValidationError(
            "This assessment can no longer be changed: "
            f"it is {assessment.get_status_display().lower()}"
        )
    policy.require(policy.may_edit_assessment(by, assessment.case, assessment))


def _locked(assessment: RiskAssessment) -> RiskAssessment:
    """The assessment read again under the lock of its case (the case first, as
    every write locks it, refusing a closed one), so that of two people deciding
    it at once the second sees what the first did."""
    case = lock_case(assessment.case)
    locked = RiskAssessment.objects.select_for_update().get(pk=assessment.pk)
    locked.case = case
    return locked


def _check_factors(factors: list[dict]) -> None:
    for factor in factors:
        if factor.get("factor") not in NamedRiskFactor.values:
            raise ValidationError("Select a listed risk factor, or name another")
        if factor.get("status") not in FactorStatus.values:
            raise ValidationError("Select whether this risk factor is addressed")
        if factor["factor"] == NamedRiskFactor.OTHER and not factor.get("description", "").strip():
            raise ValidationError("Name the other risk factor")


def _save_factors(assessment: RiskAssessment, factors: list[dict], by: User) -> None:
    """Make the assessment's named factors exactly `factors`: a row with the `id` of
    one recorded is changed, one without is added, and recorded ones not given go."""
    recorded = {entry.pk: entry for entry in assessment.factors.all()}
    for values in factors:
        entry = recorded.pop(values.get("id"), None) or RiskFactorEntry(assessment=assessment)
        entry.factor = values["factor"]
        entry.description = values.get("description", "").strip()
        entry.status = values["status"]
        entry._history_user = by
        entry.save()
    for entry in recorded.values():
        entry._history_user = by
        entry.delete()


@transaction.atomic
def save_draft(
    *,
    case: ReunificationCase,
    by: User,
    answers: dict,
    factors: list[dict],
    assessment: RiskAssessment | None = None,
    version: int | None = None,
) -> RiskAssessment:
    """Save the answers, evidence and named factors of a new assessment, or of one
    in draft or returned (`assessment`, as it was at `version`). `answers` holds
    ANSWER_FIELDS; each of `factors` a factor, its status, a description for an
    other factor and the `id` of a recorded row it changes. Whoever saves it has
    changed its answers, and so may not sign it off."""
    unknown = set(answers) - set(ANSWER_FIELDS)
    if unknown:
        raise TypeError(f"Not answers of a risk assessment: {sorted(unknown)}")
    if assessment is None:
        assessment = RiskAssessment(case=lock_case(case), author=by)
    else:
        if assessment.case_id != case.pk:
            raise PermissionDenied
        assessment = _locked(assessment)
    _check_editable(assessment, by)
    if assessment.pk is not None:
        if version is None:
            # An edit that does not say which version it changes may overwrite
            # someone else's: refused as stale, as every edit page does.
            raise StaleRecord(assessment)
        claim_version(assessment, version)
    for name in ANSWER_FIELDS:
        setattr(assessment, name, answers.get(name, getattr(assessment, name)))
    _check_factors(factors)
    _check_factors_agree(assessment, [factor["status"] for factor in factors])
    non_answers = [f.name for f in RiskAssessment._meta.fields if f.name not in ANSWER_FIELDS]
    assessment.full_clean(exclude=non_answers)
    suggestion = suggestion_for(assessment, factors)
    assessment.suggested_level = suggestion.level.code if suggestion.level else ""
    assessment._history_user = by
    assessment._change_reason = ANSWERS_CHANGED
    assessment.save()
    _save_factors(assessment, factors, by)
    case_changed(case.pk)
    return assessment


@transaction.atomic
def submit_for_sign_off(
    *,
    assessment: RiskAssessment,
    by: User,
    confirmed_level: str,
    rationale: str,
    departure_rationale: str = "",
) -> RiskAssessment:
    """Send it for sign-off at `confirmed_level`. A level below what the step rules
    allow yet needs `departure_rationale` (kept only when the level departs)."""
    assessment = _locked(assessment)
    _check_editable(assessment, by)
    assessment.confirmed_level = confirmed_level
    assessment.rationale = rationale
    departs = departure_for(assessment)
    assessment.departure_rationale = departure_rationale.strip() if departs else ""
    if departs and not assessment.departure_rationale:
        raise ValidationError({"departure_rationale": DEPARTURE_NEEDS_RATIONALE})
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
    case_changed(assessment.case_id)
    return assessment


WROTE_OR_SUBMITTED = "You cannot sign off an assessment you wrote or submitted."
CHANGED_ANSWERS = "You cannot sign off an assessment whose answers you changed."


def why_not_decider(assessment: RiskAssessment, user: User) -> str:
    """Why this person, a team manager of the case's team, may not decide this
    assessment because of the four-eyes rule, in words; "" if that is not why."""
    if user.pk in (assessment.author_id, assessment.submitted_by_id):
        return WROTE_OR_SUBMITTED
    if user.pk in assessment.contributor_ids():
        return CHANGED_ANSWERS
    return ""


def _check_decider(assessment: RiskAssessment, by: User) -> None:
    case = assessment.case
    policy.require(
        policy.may_decide_assessments(by, case),
        "Only a team manager of the case's team can sign off, while the case is open",
    )
    if not assessment.is_awaiting_sign_off:
        raise ValidationError("This assessment is not waiting for sign-off")
    reason = why_not_decider(assessment, by)
    if reason:
        raise ValidationError(reason.rstrip("."))
    policy.require(policy.may_sign_off_assessment(by, case, assessment))


@transaction.atomic
def sign_off(*, assessment: RiskAssessment, by: User) -> RiskAssessment:
    """Sign it off. Refused while it departs from the step rules without a rationale
    (for example when an earlier-dated assessment was signed off since it was sent)."""
    assessment = _locked(assessment)
    _check_decider(assessment, by)
    departs = departure_for(assessment)
    if departs and not assessment.departure_rationale.strip():
        raise ValidationError(
            f"{departs} It has no rationale for departing from the step rules: return it "
            "to the social worker to give one"
        )
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
        description=f"Risk assessment signed off by {by}: {level.label} risk."
        + (" A step down sooner than the step rules allow." if departs else ""),
        automatic=True,
    )
    case_changed(assessment.case_id)
    return assessment


@transaction.atomic
def return_for_changes(*, assessment: RiskAssessment, by: User, comment: str) -> RiskAssessment:
    assessment = _locked(assessment)
    _check_decider(assessment, by)
    if not comment.strip():
        raise ValidationError("Say what needs to change before it can be signed off")
    assessment.status = AssessmentStatus.RETURNED
    assessment.decided_by = by
    assessment.decided_at = now()
    assessment.return_comment = comment
    assessment._history_user = by
    assessment.save()
    case_changed(assessment.case_id)
    return assessment
