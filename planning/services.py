"""Writes for the support and planning records. Each checks who may make it and
writes in one transaction, raising PermissionDenied or ValidationError when it
may not."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from cases import policy
from cases.models import ChronologyKind, ReunificationCase, Role, User
from cases.selectors import current_legal_status
from cases.services import add_chronology_entry

from .models import AgreementGoal, PlacementWithParentsApproval, PlanningMeeting, WrittenAgreement
from .selectors import pwp_needed


def _check_can_change(case: ReunificationCase, by: User) -> None:
    if not policy.may_change_case(by, case):
        raise PermissionDenied


def _history_user(by: User, *instances) -> None:
    # Recorded in the history even outside a web request (a command, a test).
    for instance in instances:
        instance._history_user = by


@transaction.atomic
def save_planning_meeting(
    *, case: ReunificationCase, by: User, form, invitees_formset
) -> PlanningMeeting:
    """Save the planning meeting and who was invited to it and came, together."""
    _check_can_change(case, by)
    meeting = form.save(commit=False)
    meeting.case = case
    _history_user(by, meeting)
    meeting.save()
    invitees_formset.instance = meeting
    invitees = invitees_formset.save(commit=False)
    for invitee in invitees:
        _history_user(by, invitee)
        invitee.save()
    return meeting


@transaction.atomic
def save_written_agreement(
    *, case: ReunificationCase, by: User, form, goals_formset
) -> WrittenAgreement:
    """Save the written agreement and its goals, together."""
    _check_can_change(case, by)
    agreement = form.save(commit=False)
    agreement.case = case
    _history_user(by, agreement)
    agreement.save()
    goals_formset.instance = agreement
    for goal in goals_formset.save(commit=False):
        _history_user(by, goal)
        goal.save()
    return agreement


@transaction.atomic
def save_goal_review(*, goal: AgreementGoal, by: User, form):
    _check_can_change(goal.agreement.case, by)
    review = form.save(commit=False)
    review.goal = goal
    _history_user(by, review)
    review.save()
    return review


@transaction.atomic
def approve_placement_with_parents(
    *, case: ReunificationCase, by: User, approved_on: datetime.date, notes: str
) -> PlacementWithParentsApproval:
    """The service director approves placing the child, on an interim or full care
    order, with parents (Placement with Parents regulations)."""
    if not (by.is_active and by.has_role(Role.SERVICE_DIRECTOR)):
        raise PermissionDenied("Only a service director can approve a placement with parents")
    if not case.is_open:
        raise ValidationError("This case is closed, so nothing more can be approved on it")
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
    approval = PlacementWithParentsApproval(
        case=case, approved_on=approved_on, approved_by=by, notes=notes
    )
    _history_user(by, approval)
    approval.save()
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
    return approval
