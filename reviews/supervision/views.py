"""Case supervision pages: the history with its actions and the prompts to
consider reunification, recording a supervision, marking an action done."""

from django.shortcuts import get_object_or_404, render

from cases import policy
from cases.services import case_for_page as _case
from reviews.models import SupervisionAction
from reviews.pages import decision_page
from reviews.supervision import selectors, services
from reviews.supervision.forms import ActionDoneForm, SupervisionForm


def supervision(request, pk):
    """Everyone who may see the case sees its supervision, reflection included:
    supervision is shared with the worker."""
    case = _case(request, pk)
    user = request.user
    history = list(selectors.supervisions(case))
    completable = {
        action.pk
        for item in history
        for action in item.actions.all()
        if not action.done_on and policy.may_complete_supervision_action(user, case, action)
    }
    return render(
        request,
        "reviews/supervision.html",
        {
            "case": case,
            "supervisions": history,
            "completable": completable,
            "prompts": selectors.open_prompts(case),
            "may_record": policy.may_record_supervision(user, case),
        },
    )


def record_supervision(request, pk):
    case = _case(request, pk)
    policy.require(policy.may_record_supervision(request.user, case))
    form = SupervisionForm(request.POST or None, case=case)
    # "Add another action" shows one more row: the form is not valid, not saved.
    return decision_page(
        request,
        case,
        form,
        "Record a case supervision",
        lambda d: services.record_supervision(case=case, by=request.user, **form.values()),
        "The supervision was recorded.",
        page="reviews:supervision",
        context={
            "before_form": "reviews/_supervision_prompts.html",
            "prompts": selectors.open_prompts(case),
        },
    )


def action_done(request, pk, action_pk):
    case = _case(request, pk)
    action = get_object_or_404(
        SupervisionAction, pk=action_pk, supervision__case=case, done_on__isnull=True
    )
    policy.require(policy.may_complete_supervision_action(request.user, case, action))
    form = ActionDoneForm(request.POST or None, case=case)
    return decision_page(
        request,
        case,
        form,
        f"Mark the supervision action as done: {action.text[:80]}",
        lambda d: services.complete_action(action=action, by=request.user, **d),
        "The action was marked as done.",
        page="reviews:supervision",
    )
