"""The deadlines supervision gives (its actions) and the reunification prompts,
as rows for reviews.deadlines.refresh.derive."""

import datetime

from reviews.models import DeadlineKind
from reviews.supervision import rules, selectors


def supervision_rows(case, day: datetime.date) -> list:
    from reviews.deadlines.refresh import Due  # refresh imports this module

    rows = []
    actions = [a for supervision in case.supervisions.all() for a in supervision.actions.all()]
    for action in sorted(actions, key=lambda a: a.pk):
        rows.append(
            Due(
                DeadlineKind.SUPERVISION_ACTION,
                f"action-{action.pk}",
                f"Supervision action: {action.text[:150]}",
                action.due_on,
                action.owner_id,
                action.done_on,
            )
        )
    since = selectors.prompted_since(case)
    if since is None:
        return rows
    found = rules.prompts(selectors.triggers(case, since), selectors.reconsidered_on(case))
    # For the social worker and her manager (an unallocated role falls to the
    # team manager, so one row when there is no social worker).
    people = [("tm", case.team_manager_id)]
    if case.social_worker_id and case.social_worker_id != case.team_manager_id:
        people.append(("sw", case.social_worker_id))
    for prompt in found:
        what = "Consider reunification: " + "; ".join(prompt.reasons)
        if len(what) > 200:
            what = what[:199] + "…"
        for who, person in people:
            rows.append(
                Due(
                    DeadlineKind.REUNIFICATION_PROMPT,
                    f"prompt-{prompt.first_on:%Y-%m-%d}-{who}",
                    what,
                    prompt.due_on,
                    person,
                    prompt.done_on,
                )
            )
    return rows
