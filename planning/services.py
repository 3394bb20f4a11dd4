"""Writes for the support and planning records. Each takes plain values, checks
who may make it (cases.policy: nothing new on a closed case), validates the rules,
locks the row and claims its version when it edits one, and writes it and its
history in one transaction, raising PermissionDenied or ValidationError (keyed by
field where it names one) when it may not."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from cases import policy
from cases.changes import case_changed
from cases.models import ChronologyKind, ReunificationCase, Role, StaleRecord, User
from cases.models.versioned import Versioned, claim_version
from cases.selectors import current_legal_status
from cases.services import add_chronology_entry, lock_case

from .models import (
    AgreementGoal,
    DirectWorkKind,
    GoalOutcome,
    GoalReview,
    InviteeKind,
    MeetingInvitee,
    NotAppropriate,
    PlacementPlan,
    PlacementWithParentsApproval,
    PlanningMeeting,
    PlanStep,
    PwPOutcome,
    WrittenAgreement,
)
from .selectors import pwp_needed

MEETING_FIELDS = ("held_on", "led_by", "considerations")
AGREEMENT_FIELDS = ("agreed_on", "consequences_explained", "review_dates", "parents_agreed")
GOAL_FIELDS = ("goal", "measure", "responsible", "due_on", "services")
GOAL_REVIEW_FIELDS = ("reviewed_on", "outcome", "evidence")


def _save_as(by: User, instance) -> None:
    # Recorded in the history even outside a web request (a command, a test).
    instance._history_user = by
    instance.save()


def _fill(instance, values: dict, names: tuple[str, ...]) -> None:
    unknown = set(values) - set(names)
    if unknown:
        raise TypeError(f"Not fields of {type(instance).__name__}: {sorted(unknown)}")
    for name in names:
        if name in values:
            setattr(instance, name, values[name])


def _editing(model, record, version: int | None, **owner):
    """The saved row of `record`, locked, with its next version claimed (a missing
    version is refused as stale: the edit may overwrite someone else's); None
    when adding. `owner` names what the row must belong to."""
    if record is None or record.pk is None:
        return None
    locked = model.objects.select_for_update().filter(pk=record.pk, **owner).first()
    if locked is None:
        raise PermissionDenied
    if issubclass(model, Versioned):
        if version is None:
            raise StaleRecord(locked)
        claim_version(locked, version)
    return locked


def _check_can_change(case: ReunificationCase, by: User) -> ReunificationCase:
    # Asked of the case as locked, not as the page loaded it: it may have closed since.
    case = lock_case(case)
    policy.require(policy.may_change_case(by, case))
    return case


def _invitee_errors(invitees: list[dict]) -> list[str]:
    errors, seen = [], set()
    for row in invitees:
        kind = row.get("kind")
        if kind not in InviteeKind.values or kind in seen:
            errors.append("Each kind of invitee is recorded once per meeting")
        seen.add(kind)
        if row.get("name", "").strip() and not (row.get("invited") or row.get("attended")):
            who = InviteeKind(kind).label if kind in InviteeKind.values else "this person"
            errors.append(f"Tick whether {who} was invited or came, or leave the name blank")
    return errors


def _check_meeting(case: ReunificationCase, meeting: PlanningMeeting, invitees: list[dict]):
    errors = {}
    if not meeting.held_on:
        errors["held_on"] = "Enter the date of the meeting"
    leader = meeting.led_by if meeting.led_by_id else None
    if leader is None or not (
        leader.has_role(Role.TEAM_MANAGER) and leader.team_id == case.team_id
    ):
        errors["led_by"] = "Select the team manager who led the meeting"
    if not (meeting.considerations or "").strip():
        errors["considerations"] = "Enter the considerations agreed at the meeting"
    rows = _invitee_errors(invitees)
    if rows:
        errors["__all__"] = rows
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_planning_meeting(
    *,
    case: ReunificationCase,
    by: User,
    values: dict,
    invitees: list[dict],
    meeting: PlanningMeeting | None = None,
    version: int | None = None,
) -> PlanningMeeting:
    """Record the planning meeting (or change `meeting`, as it was at `version`)
    with who was invited and who came: each of `invitees` gives a kind, a name and
    whether they were invited and came. Only who was invited or came is kept."""
    case = _check_can_change(case, by)
    meeting = _editing(PlanningMeeting, meeting, version, case=case) or PlanningMeeting(case=case)
    _fill(meeting, values, MEETING_FIELDS)
    _check_meeting(case, meeting, invitees)
    _save_as(by, meeting)
    recorded = {invitee.kind: invitee for invitee in meeting.invitees.all()}
    for row in invitees:
        invitee = recorded.pop(row["kind"], None) or MeetingInvitee(meeting=meeting)
        if not (row.get("invited") or row.get("attended")):
            # Neither invited nor there: nothing to record about them.
            if invitee.pk:
                invitee._history_user = by
                invitee.delete()
            continue
        invitee.kind = row["kind"]
        invitee.name = row.get("name", "").strip()
        invitee.invited = bool(row.get("invited"))
        invitee.attended = bool(row.get("attended"))
        _save_as(by, invitee)
    # Deadlines (the planning meeting, goal reviews) read it.
    case_changed(meeting.case_id)
    return meeting


def _check_agreement(agreement: WrittenAgreement, goals: list[dict]) -> None:
    errors = {}
    if not agreement.agreed_on:
        errors["agreed_on"] = "Enter the date agreed"
    if not (agreement.consequences_explained or "").strip():
        errors["consequences_explained"] = (
            "Enter the consequences that were explained to the family"
        )
    if not (agreement.review_dates or "").strip():
        errors["review_dates"] = "Enter when the agreement will be reviewed"
    if not goals and not (agreement.pk and agreement.goals.exists()):
        errors["__all__"] = "Add at least one goal"
    for goal in goals:
        if not all(str(goal.get(name) or "").strip() for name in GOAL_FIELDS[:4]):
            errors["__all__"] = "Each goal needs what it is, how success is measured, who does "
            errors["__all__"] += "what and the date to be achieved by"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_written_agreement(
    *,
    case: ReunificationCase,
    by: User,
    values: dict,
    goals: list[dict],
    agreement: WrittenAgreement | None = None,
    version: int | None = None,
) -> WrittenAgreement:
    """Record the written agreement (or change `agreement`, as it was at `version`)
    with its goals: each of `goals` gives GOAL_FIELDS, and the `id` of an agreed
    goal it changes. Goals are added and changed, not taken away."""
    case = _check_can_change(case, by)
    agreement = _editing(WrittenAgreement, agreement, version, case=case) or WrittenAgreement(
        case=case
    )
    _fill(agreement, values, AGREEMENT_FIELDS)
    _check_agreement(agreement, goals)
    _save_as(by, agreement)
    agreed = {goal.pk: goal for goal in agreement.goals.all()}
    for row in goals:
        goal = agreed.get(row.get("id")) or AgreementGoal(agreement=agreement)
        _fill(goal, {k: v for k, v in row.items() if k != "id"}, GOAL_FIELDS)
        _save_as(by, goal)
    # Deadlines (the planning meeting, goal reviews) read it.
    case_changed(agreement.case_id)
    return agreement


@transaction.atomic
def save_goal_review(
    *,
    goal: AgreementGoal,
    by: User,
    values: dict,
    review: GoalReview | None = None,
    version: int | None = None,
) -> GoalReview:
    """Record how far a goal was met on a day, with the evidence (or change
    `review`, as it was at `version`)."""
    _check_can_change(goal.agreement.case, by)
    review = _editing(GoalReview, review, version, goal=goal) or GoalReview(goal=goal)
    _fill(review, values, GOAL_REVIEW_FIELDS)
    errors = {}
    if not review.reviewed_on:
        errors["reviewed_on"] = "Enter the date reviewed"
    if review.outcome not in GoalOutcome.values:
        errors["outcome"] = "Select whether the goal was met"
    if not (review.evidence or "").strip():
        errors["evidence"] = "Enter the evidence for the outcome"
    if errors:
        raise ValidationError(errors)
    _save_as(by, review)
    # Deadlines (the planning meeting, goal reviews) read it.
    case_changed(goal.agreement.case_id)
    return review


def _pwp_status_refusal(case: ReunificationCase, status) -> ValidationError:
    name = case.child.first_name
    now_on = (
        f"{name}'s current legal status is {status.get_code_display()}"
        if status
        else f"{name} has no current legal status recorded"
    )
    return ValidationError(
        "Placement with Parents approval is only for a child on an interim or full care "
        f"order (C1 or C2), and is not asked for under section 20. {now_on}."
    )


PWP_DECIDED = {
    PwPOutcome.APPROVED: "approved placing {child} with parents",
    PwPOutcome.REFUSED: "refused to approve placing {child} with parents",
    PwPOutcome.SENT_BACK: "sent the placement with parents back to the social worker for {child}",
}
PWP_REASON_MISSING = {
    PwPOutcome.APPROVED: "Enter the reasons for your approval",
    PwPOutcome.REFUSED: "Enter why you refused the placement with parents",
    PwPOutcome.SENT_BACK: "Enter what the social worker needs to do before you decide",
}


@transaction.atomic
def decide_placement_with_parents(
    *,
    case: ReunificationCase,
    by: User,
    outcome: str,
    decided_on: datetime.date,
    reason: str,
) -> PlacementWithParentsApproval:
    """The service director decides on placing the child, on an interim or full
    care order, with parents (Placement with Parents regulations 17 and 18):
    approves, refuses, or sends it back to the social worker, with her reasons,
    on the placement plan as it stands now. Approval needs a placement plan."""
    case = lock_case(case)
    policy.require(
        policy.may_approve_placement_with_parents(by, case),
        "Only a service director can decide on a placement with parents, while the case is open",
    )
    status = current_legal_status(case.child)
    if not pwp_needed(status):
        raise _pwp_status_refusal(case, status)
    errors = {}
    if outcome not in PwPOutcome.values:
        errors["outcome"] = "Select whether you approve, refuse or send it back"
    elif not reason.strip():
        errors["reason"] = PWP_REASON_MISSING[PwPOutcome(outcome)]
    if not decided_on:
        errors["decided_on"] = "Enter the date of the decision"
    plan = PlacementPlan.objects.select_for_update().filter(case=case).first()
    if outcome == PwPOutcome.APPROVED and plan is None:
        errors["__all__"] = (
            "A placement with parents can be approved only on a placement plan: the social "
            "worker records it first"
        )
    if errors:
        raise ValidationError(errors)
    decision = PlacementWithParentsApproval(
        case=case,
        outcome=outcome,
        decided_on=decided_on,
        decided_by=by,
        reason=reason.strip(),
        placement_plan=plan,
        plan_version=plan.version if plan else None,
    )
    _save_as(by, decision)
    what = PWP_DECIDED[PwPOutcome(outcome)].format(child=case.child.first_name)
    add_chronology_entry(
        case=case,
        by=by,
        occurred_on=decided_on,
        kind=ChronologyKind.DECISION,
        description=f"{by} (service director) {what} under the Placement with Parents "
        f"regulations, on {status.get_code_display()}: {reason.strip()}",
        automatic=True,
    )
    # The journey's guard, the return home and the director's waiting list read it.
    case_changed(case.pk)
    return decision


def approve_placement_with_parents(
    *, case: ReunificationCase, by: User, approved_on: datetime.date, notes: str
) -> PlacementWithParentsApproval:
    """decide_placement_with_parents, approving (as the demo and the tests ask)."""
    return decide_placement_with_parents(
        case=case, by=by, outcome=PwPOutcome.APPROVED, decided_on=approved_on, reason=notes
    )


NOT_APPROPRIATE_DONE = {
    PlanStep.RESTORATIVE_MEETING: "A restorative meeting is already recorded, on {on}",
    PlanStep.OVERNIGHT_STAYS: "Overnight family time is already planned, from {on}",
}


def _already_done(case: ReunificationCase, step: str) -> datetime.date | None:
    """The day the part of the plan happened (or is planned from), if it did."""
    if step == PlanStep.RESTORATIVE_MEETING:
        sessions = case.direct_work_sessions.filter(kind=DirectWorkKind.RESTORATIVE_MEETING)
        return sessions.order_by("held_on").values_list("held_on", flat=True).first()
    steps = case.family_time_steps.filter(overnight=True).order_by("starts_on")
    return steps.values_list("starts_on", flat=True).first()


@transaction.atomic
def record_not_appropriate(
    *,
    case: ReunificationCase,
    by: User,
    step: str,
    decided_on: datetime.date,
    reason: str,
    version: int | None = None,
) -> NotAppropriate:
    """Record that a part of the programme asked for "where appropriate" (a
    restorative meeting, overnight stays) is not appropriate for this child, and
    why; or change the reason, from the record as it was at `version`. Refused
    with a reason missing, or where it already happened."""
    case = _check_can_change(case, by)
    if step not in PlanStep.values:
        raise ValueError(f"No part of the plan {step!r}")
    saved = case.not_appropriate.filter(step=step).first()
    record = _editing(NotAppropriate, saved, version, case=case) or NotAppropriate(
        case=case, step=step
    )
    errors = {}
    if not decided_on:
        errors["decided_on"] = "Enter the date it was decided"
    if not reason.strip():
        errors["reason"] = (
            f"Enter why {PlanStep(step).label[0].lower()}{PlanStep(step).label[1:]} "
            f"is not appropriate for {case.child.first_name}"
        )
    done_on = _already_done(case, step)
    if done_on:
        errors["__all__"] = NOT_APPROPRIATE_DONE[PlanStep(step)].format(on=f"{done_on:%-d %B %Y}")
    if errors:
        raise ValidationError(errors)
    record.reason, record.decided_on, record.recorded_by = reason.strip(), decided_on, by
    _save_as(by, record)
    add_chronology_entry(
        case=case,
        by=by,
        occurred_on=decided_on,
        kind=ChronologyKind.DECISION,
        description=f"{PlanStep(step).label} judged not appropriate for "
        f"{case.child.first_name}: {record.reason}",
        automatic=True,
    )
    case_changed(case.pk)
    return record
