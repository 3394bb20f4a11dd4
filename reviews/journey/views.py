from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cases import policy
from cases.models import Role, Stage
from cases.services import case_for_page
from reunification.clock import today
from reviews.journey import decisions, rules
from reviews.journey.forms import (
    CarePlanApprovalForm,
    DisputeForm,
    NotPursuedForm,
    ResolveDisputeForm,
    ViabilityConsultationForm,
    ViabilityMeetingForm,
)
from reviews.journey.selectors import case_facts, decisions_waiting, journey_record
from reviews.models import CarePlanStep
from reviews.pages import attempt, form_page

_case = case_for_page


def journey_page(request, pk):
    case = _case(request, pk)
    facts = case_facts(case, today())
    tasks = rules.requirements(facts)
    user = request.user
    return render(
        request,
        "reviews/journey.html",
        {
            "case": case,
            "tasks": tasks,
            "all_done": tasks and all(t.done for t in tasks),
            "record": journey_record(case),
            "actions": available_actions(user, case, facts),
            "can_raise_dispute": _may_raise_dispute(user, case),
        },
    )


def _may_raise_dispute(user, case) -> bool:
    return (
        case.iro_id == user.pk
        or case.social_worker_id == user.pk
        or case.head_of_service_id == user.pk
        or policy.is_team_manager_for(user, case)
    )


def available_actions(user, case, facts) -> list[tuple[str, str]]:
    """(label, url name) for what this user can do next at this stage."""
    actions = []
    manager = policy.is_team_manager_for(user, case)
    changer = policy.may_change_case(user, case)
    if case.stage == Stage.IDENTIFICATION:
        steps = facts.care_plan_steps
        if "confirmed" not in steps and case.team_manager_id == user.pk:
            actions.append(("Confirm the care plan", "reviews:approve", "confirmed"))
        if "confirmed" in steps and "agreed" not in steps and case.head_of_service_id == user.pk:
            actions.append(("Agree the care plan", "reviews:approve", "agreed"))
        if "agreed" in steps and "ratified" not in steps and case.iro_id == user.pk:
            actions.append(("Ratify the care plan", "reviews:approve", "ratified"))
        if changer:
            actions.append(("Start the assessment", "reviews:start_assessment", None))
    elif case.stage == Stage.ASSESSMENT and manager:
        actions.append(("Record the viability consultation", "reviews:consultation", None))
        actions.append(("Record that reunification is not pursued", "reviews:not_pursued", None))
    elif case.stage == Stage.SUPPORT_PLANNING and changer:
        actions.append(("Move to confirmation", "reviews:confirmation", None))
    elif case.stage == Stage.CONFIRMATION and manager:
        actions.append(("Record the viability meeting", "reviews:meeting", None))
        actions.append(("Record that reunification is not pursued", "reviews:not_pursued", None))
    return actions


def approve(request, pk, step):
    case = _case(request, pk)
    if step not in CarePlanStep.values:
        raise Http404
    if getattr(case, decisions.APPROVER[step][0]) != request.user.pk:
        raise PermissionDenied
    form = CarePlanApprovalForm(request.POST or None, step=step, case=case)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = attempt(
            request,
            case,
            form,
            lambda: decisions.approve_care_plan(
                case=case,
                by=request.user,
                step=step,
                approved_on=data["approved_on"],
                cic_review_on=data.get("cic_review_on"),
                rationale=data["rationale"],
            ),
            "The approval was recorded.",
        )
        if done:
            return done
    titles = {
        CarePlanStep.CONFIRMED: "Confirm the reunification care plan",
        CarePlanStep.AGREED: "Agree the reunification care plan",
        CarePlanStep.RATIFIED: "Ratify the care plan at a Child in Care review",
    }
    return form_page(request, case, form, titles[step])


@require_POST
def start_assessment(request, pk):
    case = _case(request, pk)
    return _move(request, case, decisions.start_assessment, "The assessment stage has begun.")


@require_POST
def move_to_confirmation(request, pk):
    case = _case(request, pk)
    return _move(request, case, decisions.move_to_confirmation, "The case moved to confirmation.")


def _move(request, case, service, success):
    if not policy.may_change_case(request.user, case):
        raise PermissionDenied
    try:
        service(case=case, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect("reviews:journey", case.pk)


def _manager_case(request, pk):
    case = _case(request, pk)
    if not policy.is_team_manager_for(request.user, case):
        raise PermissionDenied
    return case


def consultation(request, pk):
    case = _manager_case(request, pk)
    form = ViabilityConsultationForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = attempt(
            request,
            case,
            form,
            lambda: decisions.record_viability_consultation(
                case=case,
                by=request.user,
                held_on=data["held_on"],
                outcome=data["outcome"],
                rationale=data["rationale"],
                participants=form.participants(),
            ),
            "The viability consultation was recorded.",
        )
        if done:
            return done
    return form_page(request, case, form, "Reunification Viability Consultation")


def not_pursued(request, pk):
    case = _manager_case(request, pk)
    form = NotPursuedForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = attempt(
            request,
            case,
            form,
            lambda: decisions.record_not_pursued(case=case, by=request.user, **data),
            "Recorded: reunification is not pursued.",
        )
        if done:
            return done
    return form_page(request, case, form, "Reunification not pursued")


def meeting(request, pk):
    case = _manager_case(request, pk)
    form = ViabilityMeetingForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = attempt(
            request,
            case,
            form,
            lambda: decisions.record_viability_meeting(
                case=case,
                by=request.user,
                held_on=data["held_on"],
                outcome=data["outcome"],
                rationale=data["rationale"],
                participants=form.participants(),
                return_date=data.get("return_date"),
                further_work=data.get("further_work", ""),
                further_work_by=data.get("further_work_by"),
            ),
            "The viability meeting was recorded.",
        )
        if done:
            return done
    return form_page(request, case, form, "Reunification Viability Meeting")


def dispute(request, pk):
    case = _case(request, pk)
    if not _may_raise_dispute(request.user, case):
        raise PermissionDenied
    form = DisputeForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        done = attempt(
            request,
            case,
            form,
            lambda: decisions.raise_dispute(case=case, by=request.user, **form.cleaned_data),
            "The disagreement was recorded.",
        )
        if done:
            return done
    return form_page(request, case, form, "Record a disagreement or escalation")


def resolve(request, pk, dispute_pk):
    case = _case(request, pk)
    if not _may_raise_dispute(request.user, case):
        raise PermissionDenied
    disagreement = get_object_or_404(case.disputes, pk=dispute_pk, resolved_on__isnull=True)
    form = ResolveDisputeForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        done = attempt(
            request,
            case,
            form,
            lambda: decisions.resolve_dispute(
                dispute=disagreement, by=request.user, **form.cleaned_data
            ),
            "The resolution was recorded.",
        )
        if done:
            return done
    return form_page(request, case, form, "Record how the disagreement was resolved")


def waiting_for_me(request):
    """Decisions and approvals waiting for this person, oldest first."""
    items = decisions_waiting(request.user)
    return render(request, "reviews/waiting.html", {"items": items, "roles": Role})
