"""Pages for after the return: the step-down plan, concerns, the duties after an
unplanned return."""

from django.shortcuts import render

from cases import policy
from cases.models import Stage
from cases.services import case_for_page as _case
from reunification.clock import today
from reviews.aftercare import after_return
from reviews.aftercare.after_return_forms import (
    ConcernForm,
    HomeAssessmentForm,
    StepDownAgreementForm,
    StepDownPlanForm,
)
from reviews.aftercare.after_return_selectors import after_return_page
from reviews.models import StepDownPlan
from reviews.pages import decision_page

PAGE = "reviews:after_return"


def after_return_overview(request, pk):
    case = _case(request, pk)
    user = request.user
    open_after_return = case.stage == Stage.RETURN_HOME
    context = after_return_page(case, today())
    may_record = open_after_return and policy.may_record_after_return(user, case)
    return render(
        request,
        "reviews/after_return.html",
        {
            "case": case,
            **context,
            "may_record": may_record,
            "may_agree": open_after_return
            and context["plan"] is not None
            and policy.may_agree_step_down(user, case),
        },
    )


def _allowed(request, pk, predicate):
    case = _case(request, pk)
    policy.require(predicate(request.user, case))
    return case


def step_down_plan(request, pk):
    case = _allowed(request, pk, policy.may_record_after_return)
    plan = StepDownPlan.objects.filter(case=case).first()
    initial = {}
    if plan is not None:
        initial = {
            name: getattr(plan, name)
            for name in (
                "lead_professional",
                "lead_professional_role",
                "lead_professional_agency",
                "support_ends_on",
                "notes",
            )
        }
    form = StepDownPlanForm(request.POST or None, case=case, initial=initial)
    return decision_page(
        request,
        case,
        form,
        "Change the step-down plan" if plan else "Record the step-down plan",
        lambda d: after_return.record_step_down_plan(case=case, by=request.user, **d),
        "The step-down plan was saved.",
        page=PAGE,
    )


def agree_step_down_plan(request, pk):
    case = _allowed(request, pk, policy.may_agree_step_down)
    form = StepDownAgreementForm(request.POST or None, case=case)
    return decision_page(
        request,
        case,
        form,
        "Agree the step-down plan",
        lambda d: after_return.agree_step_down_plan(case=case, by=request.user, **d),
        "You agreed the step-down plan.",
        page=PAGE,
        context={**after_return_page(case, today()), "before_form": "reviews/_step_down.html"},
    )


def record_concern(request, pk):
    case = _allowed(request, pk, policy.may_record_after_return)
    form = ConcernForm(request.POST or None, case=case)
    return decision_page(
        request,
        case,
        form,
        "Record a concern after the return",
        lambda d: after_return.record_concern(case=case, by=request.user, **d),
        "The concern was recorded. Reassess the risk level.",
        page=PAGE,
    )


def record_home_assessment(request, pk):
    case = _allowed(request, pk, policy.may_record_after_return)
    form = HomeAssessmentForm(request.POST or None, case=case)
    return decision_page(
        request,
        case,
        form,
        "Record an assessment of the home",
        lambda d: after_return.record_home_assessment(case=case, by=request.user, **d),
        "The assessment of the home was recorded.",
        page=PAGE,
    )
