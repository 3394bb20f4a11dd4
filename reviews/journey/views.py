from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cases import policy
from cases.models import Role, Stage
from cases.models.codes import next_care_plan_step
from cases.services import case_for_page
from planning.selectors import not_appropriate
from reunification.clock import today
from reviews.evidence import PLAN_FIELD, decision_evidence
from reviews.journey import decision_record, decisions, next_step, rules
from reviews.journey.forms import (
    CarePlanApprovalForm,
    DisputeForm,
    MoveToConfirmationForm,
    NotPursuedForm,
    ReopenAssessmentForm,
    ResolveDisputeForm,
    ViabilityConsultationForm,
    ViabilityMeetingForm,
)
from reviews.journey.selectors import (
    case_facts,
    decisions_waiting,
    journey_record,
    latest_not_pursued,
    may_reopen,
)
from reviews.models import CarePlanStep
from reviews.pages import decision_page

_case = case_for_page


def journey_page(request, pk):
    case = _case(request, pk)
    facts = case_facts(case, today())
    tasks = rules.requirements(facts)
    user = request.user
    not_pursued = case.stage == Stage.NOT_PURSUED
    return render(
        request,
        "reviews/journey.html",
        {
            "case": case,
            "not_pursued": latest_not_pursued(case) if not_pursued else None,
            "may_reopen": not_pursued and may_reopen(case),
            "tasks": next_step.tasks_with_links(case, tasks),
            "next_step": next_step.next_step(user, case, tasks),
            "all_done": tasks and all(t.done for t in tasks),
            "record": (record := journey_record(case)),
            "decisions": decision_record.in_date_order(record),
            "actions": available_actions(user, case, facts),
            "is_not_pursued": case.stage == Stage.NOT_PURSUED,
            "can_raise_dispute": policy.may_raise_disagreement(user, case),
            "can_resolve_dispute": policy.may_resolve_disagreement(user, case),
        },
    )


APPROVE_LABELS = {
    CarePlanStep.CONFIRMED: "Confirm the care plan",
    CarePlanStep.AGREED: "Agree the care plan",
    CarePlanStep.RATIFIED: "Ratify the care plan",
}


def available_actions(user, case, facts) -> list[tuple[str, str, str | None]]:
    """(label, url name, argument) for what this user can do next at this stage:
    exactly what the services would allow, because both ask cases.policy."""
    actions = []
    decides = policy.may_record_viability_decision(user, case)
    moves = policy.may_move_stage(user, case)
    if case.stage == Stage.IDENTIFICATION:
        step = next_care_plan_step(facts.care_plan_steps)
        if step and policy.may_approve_care_plan(user, case, step):
            actions.append((APPROVE_LABELS[step], "reviews:approve", step))
        if moves:
            actions.append(("Start the assessment", "reviews:start_assessment", None))
    elif case.stage == Stage.ASSESSMENT and decides:
        actions.append(("Record the viability consultation", "reviews:consultation", None))
        actions.append(("Record that reunification is not pursued", "reviews:not_pursued", None))
    elif case.stage == Stage.SUPPORT_PLANNING and moves:
        actions.append(("Move to confirmation", "reviews:confirmation", None))
    elif case.stage == Stage.CONFIRMATION and decides:
        actions.append(("Record the viability meeting", "reviews:meeting", None))
        actions.append(("Record that reunification is not pursued", "reviews:not_pursued", None))
    elif case.stage == Stage.NOT_PURSUED and decides and may_reopen(case):
        actions.append(("Reopen the assessment", "reviews:reopen_assessment", None))
    return actions


def approve(request, pk, step):
    case = _case(request, pk)
    if step not in CarePlanStep.values:
        raise Http404
    policy.require(policy.may_approve_care_plan(request.user, case, step))
    form = CarePlanApprovalForm(request.POST or None, step=step, case=case)
    titles = {
        CarePlanStep.CONFIRMED: "Confirm the reunification care plan",
        CarePlanStep.AGREED: "Agree the reunification care plan",
        CarePlanStep.RATIFIED: "Ratify the care plan at a Child in Care review",
    }
    return decision_page(
        request,
        case,
        form,
        titles[step],
        lambda data: decisions.approve_care_plan(
            case=case,
            by=request.user,
            step=step,
            approved_on=data["approved_on"],
            cic_review_on=data.get("cic_review_on"),
            cic_review_attended=data.get("cic_review_attended", ""),
            rationale=data["rationale"],
        ),
        "The approval was recorded.",
    )


@require_POST
def start_assessment(request, pk):
    case = _case(request, pk)
    return _move(request, case, decisions.start_assessment, "The assessment stage has begun.")


def move_to_confirmation(request, pk):
    case = _case(request, pk)
    policy.require(policy.may_move_stage(request.user, case))
    evidence = decision_evidence(case, today())
    # Bound on any POST: the form may have no field at all, so an empty POST
    # is still the person asking to move.
    posted = request.POST if request.method == "POST" else None
    form = MoveToConfirmationForm(posted, case=case, evidence=evidence)
    return decision_page(
        request,
        case,
        form,
        "Move to confirmation",
        lambda data: decisions.move_to_confirmation(
            case=case, by=request.user, unresolved_issues_plan=data.get(PLAN_FIELD, "")
        ),
        "The case moved to confirmation.",
        context={"evidence": evidence},
    )


def _move(request, case, service, success):
    policy.require(policy.may_move_stage(request.user, case))
    try:
        service(case=case, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect("reviews:journey", case.pk)


def _manager_case(request, pk):
    case = _case(request, pk)
    policy.require(policy.may_record_viability_decision(request.user, case))
    return case


def consultation(request, pk):
    case = _manager_case(request, pk)
    evidence = decision_evidence(case, today())
    form = ViabilityConsultationForm(request.POST or None, case=case, evidence=evidence)
    return decision_page(
        request,
        case,
        form,
        "Reunification Viability Consultation",
        lambda data: decisions.record_viability_consultation(
            case=case,
            by=request.user,
            held_on=data["held_on"],
            outcome=data["outcome"],
            rationale=data["rationale"],
            participants=form.participants(),
            unresolved_issues_plan=data.get(PLAN_FIELD, ""),
        ),
        "The viability consultation was recorded.",
        context={"evidence": evidence},
    )


def not_pursued(request, pk):
    case = _manager_case(request, pk)
    form = NotPursuedForm(request.POST or None, case=case)
    return decision_page(
        request,
        case,
        form,
        "Reunification not pursued",
        lambda data: decisions.record_not_pursued(case=case, by=request.user, **data),
        "Recorded: reunification is not pursued.",
    )


def reopen_assessment(request, pk):
    case = _manager_case(request, pk)
    form = ReopenAssessmentForm(request.POST or None, case=case)
    return decision_page(
        request,
        case,
        form,
        "Reconsider reunification: reopen the assessment",
        lambda data: decisions.reopen_assessment(case=case, by=request.user, **data),
        "The assessment stage was reopened.",
    )


def meeting(request, pk):
    case = _manager_case(request, pk)
    evidence = decision_evidence(case, today())
    form = ViabilityMeetingForm(request.POST or None, case=case, evidence=evidence)
    return decision_page(
        request,
        case,
        form,
        "Reunification Viability Meeting",
        lambda data: decisions.record_viability_meeting(
            case=case,
            by=request.user,
            held_on=data["held_on"],
            outcome=data["outcome"],
            rationale=data["rationale"],
            participants=form.participants(),
            return_date=data.get("return_date"),
            further_work=data.get("further_work", ""),
            further_work_by=data.get("further_work_by"),
            unresolved_issues_plan=data.get(PLAN_FIELD, ""),
        ),
        "The viability meeting was recorded.",
        context={
            "evidence": evidence,
            # Parts of the programme judged not appropriate for the child, and why.
            "before_form": "planning/_viability_not_appropriate.html",
            "not_appropriate": not_appropriate(case),
        },
    )


def dispute(request, pk):
    case = _case(request, pk)
    policy.require(policy.may_raise_disagreement(request.user, case))
    form = DisputeForm(request.POST or None, case=case)
    return decision_page(
        request,
        case,
        form,
        "Record a disagreement or escalation",
        lambda data: decisions.raise_dispute(case=case, by=request.user, **data),
        "The disagreement was recorded.",
    )


def resolve(request, pk, dispute_pk):
    case = _case(request, pk)
    policy.require(policy.may_resolve_disagreement(request.user, case))
    disagreement = get_object_or_404(case.disputes, pk=dispute_pk, resolved_on__isnull=True)
    form = ResolveDisputeForm(request.POST or None, case=case)
    return decision_page(
        request,
        case,
        form,
        "Record how the disagreement was resolved",
        lambda data: decisions.resolve_dispute(dispute=disagreement, by=request.user, **data),
        "The resolution was recorded.",
    )


def waiting_for_me(request):
    """Decisions and approvals waiting for this person, oldest first."""
    items = decisions_waiting(request.user)
    return render(request, "reviews/waiting.html", {"items": items, "roles": Role})
