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
    GoalOutcome,
    GoalReview,
    InviteeKind,
    MeetingInvitee,
    PlacementWithParentsApproval,
    PlanningMeeting,
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
    return review


@transaction.atomic
def approve_placement_with_parents(
    *, case: ReunificationCase, by: User, approved_on: datetime.date, notes: str
) -> PlacementWithParentsApproval:
    """The service director approves placing the child, on an interim or full care
    order, with parents (Placement with Parents regulations)."""
    case = lock_case(case)
    policy.require(
        policy.may_approve_placement_with_parents(by, case),
        "Only a service director can approve a placement with parents, while the case is open",
    )
    status = current_legal_status(case.child)
    if not pwp_needed(status):
        name = case.child.first_name
        now_on = (
            f"{name}'s current legal status is {status.get_code_display()}"
            if status
            else f"{name} has no current legal status recorded"
        )
        raise ValidationError(
            "Placement with Parents approval is only for a child on an interim or full care "
            f"order (C1 or C2), and is not asked for under section 20. {now_on}."
        )
    if not notes.strip():
        raise ValidationError({"notes": "Enter notes on your approval"})
    approval = PlacementWithParentsApproval(
        case=case, approved_on=approved_on, approved_by=by, notes=notes
    )
    _save_as(by, approval)
    add_chronology_entry(
        case=case,
        by=by,
        occurred_on=approved_on,
        kind=ChronologyKind.DECISION,
        description=(
            f"{by} (service director) approved placing {case.child.first_name} with parents "
            f"under the Placement with Parents regulations, on {status.get_code_display()}."
        ),
        automatic=True,
    )
    # The journey's guard and the return home read the approval.
    case_changed(case.pk)
    return approval
