"""Decisions and stage moves. Each function checks who may make it and what the
stage needs, records the decision (who, in which role, when, why), moves the case
if it should, and writes the chronology, all in one transaction. When something
is missing it raises ValidationError naming it, and nothing changes."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from cases import policy
from cases.changes import case_changed
from cases.models import ChronologyKind, ReunificationCase, Role, Stage, User
from cases.models.codes import CARE_PLAN_APPROVER, care_plan_step_before
from cases.services import add_chronology_entry, lock_case
from reunification.clock import now, today
from reviews.aftercare.statutory import record_review
from reviews.evidence import (
    acknowledgement,
    acknowledgement_words,
    decision_evidence,
    require_acknowledged,
)
from reviews.journey import rules
from reviews.journey.selectors import HIGH_LEVELS, RETURN_LEVELS, case_facts, may_reopen
from reviews.journey.stage import move_stage
from reviews.models import (
    CarePlanApproval,
    CarePlanStep,
    ConsultationOutcome,
    Dispute,
    MeetingOutcome,
    NotPursued,
    ReviewType,
    ViabilityConsultation,
    ViabilityMeeting,
)
from risk.selectors import latest_signed_off, risk_summary


def _require_stage(case: ReunificationCase, *stages: str) -> None:
    if case.stage not in stages:
        names = " or ".join(Stage(s).label for s in stages)
        raise ValidationError(
            f"The case is at {Stage(case.stage).label}; this can only be done at {names}"
        )


def _require(case: ReunificationCase, *, except_keys: tuple[str, ...] = ()) -> None:
    missing = rules.outstanding(case_facts(case, today()), except_keys=except_keys)
    if missing:
        raise ValidationError(rules.describe(missing))


def _acknowledged(case: ReunificationCase, plan: str) -> dict:
    """What a decision about the return keeps of the unresolved parental issues
    (reviews.evidence), refused when one is not acknowledged with what will be done."""
    evidence = decision_evidence(case, today())
    require_acknowledged(evidence, plan)
    return acknowledgement(evidence, plan)


def _decided(case, by, text: str, on: datetime.date) -> None:
    add_chronology_entry(
        case=case,
        by=by,
        occurred_on=on,
        kind=ChronologyKind.DECISION,
        description=text,
        automatic=True,
    )


# Stage 1 ---------------------------------------------------------------------


@transaction.atomic
def approve_care_plan(
    *,
    case: ReunificationCase,
    by: User,
    step: str,
    approved_on: datetime.date,
    cic_review_on: datetime.date | None = None,
    rationale: str = "",
    cic_review_attended: str | None = None,
) -> CarePlanApproval:
    """Record one of the three approvals of the reunification care plan, each by
    the person who holds that role for this case, in order. Ratifying it at a
    Child in Care review records that review too (chaired by the IRO ratifying,
    reunification considered), unless a Child in Care review held that day is
    already recorded: the IRO does not type it again, and the first review is
    not left overdue. The page always records or links it, asking who attended
    (`cic_review_attended`); a caller giving None leaves the reviews alone."""
    case = lock_case(case)
    if step not in CarePlanStep.values:
        raise ValidationError("Select a care plan approval")
    role = CARE_PLAN_APPROVER[step]
    policy.require(
        policy.may_approve_care_plan(by, case, step),
        f"Only the case's {Role(role).label.lower()} can record this",
    )
    after = care_plan_step_before(step)
    _require_stage(case, Stage.IDENTIFICATION)
    steps = set(case.care_plan_approvals.values_list("step", flat=True))
    if step in steps:
        raise ValidationError("This approval has already been recorded")
    if after and after not in steps:
        raise ValidationError(
            f"The care plan must first be {CarePlanStep(after).label[0].lower()}"
            f"{CarePlanStep(after).label[1:]}"
        )
    if step == CarePlanStep.RATIFIED and not cic_review_on:
        raise ValidationError("Enter the date of the Child in Care review that ratified it")
    approval = CarePlanApproval.objects.create(
        case=case,
        step=step,
        decided_by=by,
        role=role,
        decided_at=now(),
        approved_on=approved_on,
        cic_review_on=cic_review_on,
        rationale=rationale,
    )
    if step == CarePlanStep.RATIFIED and cic_review_attended is not None:
        _record_ratifying_review(case, by, cic_review_on, cic_review_attended)
    _decided(
        case,
        by,
        f"Reunification care plan {CarePlanStep(step).label[0].lower()}"
        f"{CarePlanStep(step).label[1:]} ({by}).",
        approved_on,
    )
    case_changed(case.pk)
    return approval


def _record_ratifying_review(case, by, held_on: datetime.date, attended: str) -> None:
    if case.reviews.filter(review_type=ReviewType.CHILD_IN_CARE, held_on=held_on).exists():
        return
    if not attended.strip():
        raise ValidationError(
            {"cic_review_attended": "Enter who attended the Child in Care review"}
        )
    record_review(
        case=case,
        by=by,
        held_on=held_on,
        review_type=ReviewType.CHILD_IN_CARE,
        chair=by,
        attended=attended.strip(),
        outcome="The reunification care plan was ratified.",
        reunification_considered=True,
        reunification_outcome="The reunification care plan was ratified.",
    )


@transaction.atomic
def start_assessment(*, case: ReunificationCase, by: User) -> ReunificationCase:
    """Identification → Assessment, once the care plan has its three approvals."""
    case = lock_case(case)
    policy.require(policy.may_move_stage(by, case))
    _require_stage(case, Stage.IDENTIFICATION)
    _require(case)
    role = policy.acting_role(by, case)
    move_stage(
        case,
        to=Stage.ASSESSMENT,
        by=by,
        role=role,
        reason="The reunification care plan was confirmed, agreed and ratified.",
    )
    case_changed(case.pk)
    return case


# Stage 2 ---------------------------------------------------------------------


def _check_participants(case, participants: dict[str, User]) -> None:
    roles = {
        "social_worker": Role.SOCIAL_WORKER,
        "team_manager": Role.TEAM_MANAGER,
        "head_of_service": Role.HEAD_OF_SERVICE,
        "iro": Role.IRO,
    }
    for key, role in roles.items():
        person = participants.get(key)
        if person is None or not person.has_role(role):
            raise ValidationError(f"Select who took part as {Role(role).label.lower()}")
    label = "{} is not {} for this case"
    named = {
        "social_worker": "a social worker",
        "team_manager": "a team manager",
        "head_of_service": "head of service",
        "iro": "the IRO",
    }
    for key, role in roles.items():
        if not policy.may_take_part_as(participants[key], case, role):
            raise ValidationError(label.format(participants[key], named[key]))


@transaction.atomic
def record_viability_consultation(
    *,
    case: ReunificationCase,
    by: User,
    held_on: datetime.date,
    outcome: str,
    rationale: str,
    participants: dict[str, User],
    unresolved_issues_plan: str = "",
) -> ViabilityConsultation:
    """The team manager records the consultation as management oversight. When
    the child is potentially suited, and everything else at assessment is done,
    the case moves to support and planning."""
    case = lock_case(case)
    policy.require(
        policy.may_record_viability_decision(by, case),
        "Only a team manager of the case's team can record this",
    )
    _require_stage(case, Stage.ASSESSMENT)
    if not rationale.strip():
        raise ValidationError("Enter the rationale for the decision")
    _check_participants(case, participants)
    suited = outcome == ConsultationOutcome.POTENTIALLY_SUITED
    if suited:
        _require(case, except_keys=("viability_consultation",))
    acknowledged = _acknowledged(case, unresolved_issues_plan)
    consultation = ViabilityConsultation.objects.create(
        **acknowledged,
        case=case,
        decided_by=by,
        role=Role.TEAM_MANAGER,
        decided_at=now(),
        rationale=rationale,
        held_on=held_on,
        outcome=outcome,
        **participants,
    )
    _decided(
        case,
        by,
        f"Reunification Viability Consultation: {ConsultationOutcome(outcome).label.lower()}. "
        f"Management oversight by {by}: {rationale}{acknowledgement_words(acknowledged)}",
        held_on,
    )
    if suited:
        move_stage(
            case,
            to=Stage.SUPPORT_PLANNING,
            by=by,
            role=Role.TEAM_MANAGER,
            reason="The viability consultation agreed the child is potentially suited.",
        )
    case_changed(case.pk)
    return consultation


@transaction.atomic
def record_not_pursued(
    *,
    case: ReunificationCase,
    by: User,
    decided_on: datetime.date,
    explained_to_child_on: datetime.date,
    explained_to_family_on: datetime.date,
    care_plan_now: str,
    rationale: str,
    reconsider_on: datetime.date | None = None,
) -> NotPursued:
    """Reunification is not pursued: at assessment when the signed-off level is
    High or Severe (or the consultation found the child not suited); at
    confirmation when the viability meeting changed the plan or the level is High
    or Severe. The child stays looked after; planning and reviews go on. It is
    not a dead end: reunification is to be reconsidered by `reconsider_on` (by
    default the step rules' earliest move), a task for the manager and the
    social worker."""
    case = lock_case(case)
    policy.require(
        policy.may_record_viability_decision(by, case),
        "Only a team manager of the case's team can record this",
    )
    _require_stage(case, Stage.ASSESSMENT, Stage.CONFIRMATION)
    latest = latest_signed_off(case)
    high = latest is not None and latest.level in HIGH_LEVELS
    if case.stage == Stage.ASSESSMENT:
        not_suited = case.viability_consultations.filter(
            outcome=ConsultationOutcome.NOT_SUITED
        ).exists()
        allowed = high or not_suited
    else:
        changed = case.viability_meetings.filter(
            held_on__gte=case.stage_entered_on, outcome=MeetingOutcome.NOT_PURSUED
        ).exists()
        allowed = high or changed
    if not allowed:
        raise ValidationError(
            "Reunification can be stopped here only when the signed-off risk level is High "
            "or Severe, or a viability consultation or meeting has decided against it"
        )
    if not care_plan_now.strip():
        raise ValidationError("Enter what the care plan now is")
    if reconsider_on is None:
        reconsider_on = default_reconsider_on(case, decided_on)
    elif reconsider_on <= decided_on:
        raise ValidationError(
            {"reconsider_on": "Reunification is reconsidered after the decision, not before"}
        )
    decision = NotPursued.objects.create(
        case=case,
        decided_by=by,
        role=Role.TEAM_MANAGER,
        decided_at=now(),
        rationale=rationale,
        decided_on=decided_on,
        explained_to_child_on=explained_to_child_on,
        explained_to_family_on=explained_to_family_on,
        care_plan_now=care_plan_now,
        reconsider_on=reconsider_on,
    )
    move_stage(
        case,
        to=Stage.NOT_PURSUED,
        by=by,
        role=Role.TEAM_MANAGER,
        reason=f"Reunification not pursued: {rationale} Explained to the child on "
        f"{explained_to_child_on:%-d %B %Y} and to the family on "
        f"{explained_to_family_on:%-d %B %Y}. Care plan now: {care_plan_now} "
        f"Reunification to be reconsidered by {reconsider_on:%-d %B %Y}.",
    )
    case_changed(case.pk)
    return decision


def default_reconsider_on(case: ReunificationCase, decided_on: datetime.date) -> datetime.date:
    """The step rules' earliest move for the case's signed-off levels."""
    dates = risk_summary(case).dates
    return rules.reconsider_reunification_on(
        decided_on,
        step_down_from=dates.step_down_from,
        reassess_by=dates.reassess_by,
        step_months=case.risk_step_months,
    )


@transaction.atomic
def reopen_assessment(*, case: ReunificationCase, by: User, rationale: str) -> ReunificationCase:
    """Not pursued → Assessment: a team manager reopens the assessment stage when a
    risk assessment signed off since the decision puts the level at Low or
    Medium. The decision is the stage move, with its reason."""
    case = lock_case(case)
    policy.require(
        policy.may_record_viability_decision(by, case),
        "Only a team manager of the case's team can record this",
    )
    _require_stage(case, Stage.NOT_PURSUED)
    if not may_reopen(case):
        raise ValidationError(
            "The assessment can be reopened only when a risk assessment signed off since "
            "reunification was not pursued puts the level at Low or Medium"
        )
    if not rationale.strip():
        raise ValidationError({"rationale": "Enter the reason for reconsidering reunification"})
    latest = latest_signed_off(case)
    move_stage(
        case,
        to=Stage.ASSESSMENT,
        by=by,
        role=Role.TEAM_MANAGER,
        reason=f"Reunification reconsidered: the risk level signed off on "
        f"{latest.assessed_on:%-d %B %Y} is {latest.level.label}. {rationale}",
    )
    case_changed(case.pk)
    return case


# Stage 3 ---------------------------------------------------------------------


@transaction.atomic
def move_to_confirmation(
    *, case: ReunificationCase, by: User, unresolved_issues_plan: str = ""
) -> ReunificationCase:
    """Support and planning → Confirmation, once the planning records are in place
    and any unresolved parental issue is acknowledged with what will be done."""
    case = lock_case(case)
    policy.require(policy.may_move_stage(by, case))
    _require_stage(case, Stage.SUPPORT_PLANNING)
    _require(case)
    acknowledged = _acknowledged(case, unresolved_issues_plan)
    role = policy.acting_role(by, case)
    move_stage(
        case,
        to=Stage.CONFIRMATION,
        by=by,
        role=role,
        reason="The initial programme of support and planning is in place."
        + acknowledgement_words(acknowledged),
        acknowledged=acknowledged,
    )
    case_changed(case.pk)
    return case


# Stage 4 ---------------------------------------------------------------------


@transaction.atomic
def record_viability_meeting(
    *,
    case: ReunificationCase,
    by: User,
    held_on: datetime.date,
    outcome: str,
    rationale: str,
    participants: dict[str, User],
    return_date: datetime.date | None = None,
    further_work: str = "",
    further_work_by: datetime.date | None = None,
    unresolved_issues_plan: str = "",
) -> ViabilityMeeting:
    """The Reunification Viability Meeting reviews progress against a new signed-off
    risk assessment and confirms a return date, sends the case back to planning
    for further work, or changes the plan away from reunification."""
    case = lock_case(case)
    policy.require(
        policy.may_record_viability_decision(by, case),
        "Only a team manager of the case's team can record this",
    )
    _require_stage(case, Stage.CONFIRMATION)
    _check_participants(case, participants)
    if not rationale.strip():
        raise ValidationError("Enter the rationale for the decision")
    assessment = latest_signed_off(case, since=case.stage_entered_on)
    if assessment is None:
        raise ValidationError(rules.describe(rules.outstanding(case_facts(case, today()))[:1]))
    if held_on < assessment.assessed_on:
        raise ValidationError(
            "The meeting cannot be before the risk assessment it reviews "
            f"({assessment.assessed_on:%-d %B %Y})"
        )
    if outcome == MeetingOutcome.RETURN_DATE_CONFIRMED:
        if assessment.level not in RETURN_LEVELS:
            raise ValidationError(
                f"A return date can be confirmed only at Low or Medium risk; the latest "
                f"signed-off level is {assessment.level.label}"
            )
        if not return_date:
            raise ValidationError("Enter the confirmed return date")
        if return_date < held_on:
            raise ValidationError("The return date cannot be before the meeting")
    if outcome == MeetingOutcome.FURTHER_WORK and not (further_work.strip() and further_work_by):
        raise ValidationError("Say what further work is needed and by when")
    acknowledged = _acknowledged(case, unresolved_issues_plan)
    meeting = ViabilityMeeting.objects.create(
        **acknowledged,
        case=case,
        decided_by=by,
        role=Role.TEAM_MANAGER,
        decided_at=now(),
        rationale=rationale,
        held_on=held_on,
        risk_assessment=assessment,
        outcome=outcome,
        return_date=return_date if outcome == MeetingOutcome.RETURN_DATE_CONFIRMED else None,
        further_work=further_work,
        further_work_by=further_work_by,
        **participants,
    )
    summary = MeetingOutcome(outcome).label
    if meeting.return_date:
        summary += f": {meeting.return_date:%-d %B %Y}"
    _decided(
        case,
        by,
        f"Reunification Viability Meeting. {summary}. {rationale}"
        f"{acknowledgement_words(acknowledged)}",
        held_on,
    )
    if outcome == MeetingOutcome.FURTHER_WORK:
        move_stage(
            case,
            to=Stage.SUPPORT_PLANNING,
            by=by,
            role=Role.TEAM_MANAGER,
            reason=f"Further work needed by {further_work_by:%-d %B %Y}: {further_work}",
        )
    case_changed(case.pk)
    return meeting


# Disagreements -----------------------------------------------------------------


@transaction.atomic
def raise_dispute(
    *, case: ReunificationCase, by: User, raised_on: datetime.date, route: str, subject: str
) -> Dispute:
    """Record a disagreement between professionals: whoever cases.policy names
    (the case's IRO, social worker, team managers and head of service), while the
    case is open."""
    case = lock_case(case)
    policy.require(policy.may_raise_disagreement(by, case))
    role = policy.disagreement_role(by, case)
    if not subject.strip():
        raise ValidationError({"subject": "Say what the disagreement is about"})
    dispute = Dispute.objects.create(
        case=case,
        raised_by=by,
        raised_role=role,
        raised_on=raised_on,
        route=route,
        subject=subject,
    )
    _decided(
        case,
        by,
        f"{dispute.get_route_display()} raised by {by} ({Role(role).label}): {subject}",
        raised_on,
    )
    case_changed(case.pk)
    return dispute


@transaction.atomic
def resolve_dispute(
    *, dispute: Dispute, by: User, resolved_on: datetime.date, resolution: str
) -> Dispute:
    """Record how a disagreement was resolved. The row is locked and read again,
    so of two people resolving it at once the second is told it already is."""
    case = lock_case(dispute.case)
    policy.require(policy.may_resolve_disagreement(by, case))
    dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
    if dispute.resolved_on:
        raise ValidationError("This disagreement has already been resolved")
    if resolved_on < dispute.raised_on:
        raise ValidationError({"resolved_on": "It cannot be resolved before it was raised"})
    if not resolution.strip():
        raise ValidationError({"resolution": "Say how it was resolved"})
    dispute.resolved_on = resolved_on
    dispute.resolution = resolution
    dispute.resolved_by = by
    dispute._history_user = by
    dispute.save()
    _decided(case, by, f"{dispute.get_route_display()} resolved: {resolution}", resolved_on)
    case_changed(case.pk)
    return dispute
