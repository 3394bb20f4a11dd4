"""Recording case supervision and marking its actions done: each one write, in
one transaction, with its permission check and its chronology entry."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from cases import policy
from cases.changes import case_changed
from cases.models import ChronologyKind, ReunificationCase, User
from cases.services import add_chronology_entry, lock_case
from reunification.clock import now, today
from reviews.models import CaseSupervision, SupervisionAction
from reviews.supervision.selectors import asks_about_reunification


@transaction.atomic
def record_supervision(
    *,
    case: ReunificationCase,
    by: User,
    held_on: datetime.date,
    reflection: str,
    decisions: str,
    reunification_considered: bool | None = None,
    reunification_note: str = "",
    actions: list[dict] = (),
) -> CaseSupervision:
    """Record a case supervision: a team manager of the case's team. For a child
    in care not yet home it must say whether reunification was considered, and
    why or what was decided; each action has an owner who may see the case and a
    date on or after the supervision."""
    case = lock_case(case)
    policy.require(policy.may_record_supervision(by, case))
    errors = {}
    if held_on > today():
        errors["held_on"] = "The date of the supervision must be today or in the past"
    if not reflection.strip():
        errors["reflection"] = "Enter the reflection"
    if not decisions.strip():
        errors["decisions"] = "Enter the decisions"
    if asks_about_reunification(case):
        if reunification_considered is None:
            errors["reunification_considered"] = "Select whether reunification was considered"
        elif not reunification_note.strip():
            errors["reunification_note"] = (
                "Say what was decided about reunification"
                if reunification_considered
                else "Say why reunification was not considered"
            )
    else:
        reunification_considered, reunification_note = None, ""
    refused = []
    for index, item in enumerate(actions, start=1):
        if not policy.may_see_case(item["owner"], case):
            refused.append(f"Action {index}: its owner must be someone who may see the case")
        if item["due_on"] < held_on:
            refused.append(f"Action {index} cannot be due before the supervision")
    if refused:
        errors["actions"] = refused
    if errors:
        raise ValidationError(errors)
    supervision = CaseSupervision(
        case=case,
        held_on=held_on,
        reflection=reflection.strip(),
        decisions=decisions.strip(),
        reunification_considered=reunification_considered,
        reunification_note=reunification_note.strip(),
        recorded_by=by,
        recorded_at=now(),
    )
    supervision._history_user = by
    supervision.save()
    for item in actions:
        action = SupervisionAction(
            supervision=supervision,
            text=item["text"].strip(),
            owner=item["owner"],
            due_on=item["due_on"],
        )
        action._history_user = by
        action.save()
    description = f"Case supervision by {by}. Decisions: {supervision.decisions}"
    if reunification_considered is not None:
        said = "considered" if reunification_considered else "not considered"
        description += f" Reunification {said}: {supervision.reunification_note}"
    if actions:
        description += f" {len(actions)} action{'s' if len(actions) != 1 else ''} set."
    add_chronology_entry(
        case=case,
        by=by,
        occurred_on=held_on,
        kind=ChronologyKind.DECISION,
        description=description,
        automatic=True,
    )
    case_changed(case.pk)
    return supervision


@transaction.atomic
def complete_action(
    *, action: SupervisionAction, by: User, done_on: datetime.date
) -> SupervisionAction:
    """Mark a supervision action done: its owner or a team manager of the case's team."""
    case = lock_case(action.supervision.case)
    action = (
        SupervisionAction.objects.select_for_update()
        .select_related("supervision")
        .get(pk=action.pk)
    )
    policy.require(policy.may_complete_supervision_action(by, case, action))
    if action.done_on:
        raise ValidationError("This action has already been marked as done")
    if done_on > today():
        raise ValidationError({"done_on": "The date done must be today or in the past"})
    if done_on < action.supervision.held_on:
        raise ValidationError({"done_on": "It cannot be done before the supervision that set it"})
    action.done_on = done_on
    action.done_by = by
    action._history_user = by
    action.save(update_fields=["done_on", "done_by"])
    add_chronology_entry(
        case=case,
        by=by,
        occurred_on=done_on,
        kind=ChronologyKind.SIGNIFICANT_EVENT,
        description=f"Supervision action done ({by}): {action.text[:150]}",
        automatic=True,
    )
    case_changed(case.pk)
    return action
