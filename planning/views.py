"""Pages for the support and planning stage. Each authorises through cases.policy
(404 to those who may not see the case, 403 to those who may see it but not do
this), turns its forms into plain values, calls a selector or a service, and
renders."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from cases import policy
from cases.forms import apply_errors
from cases.models import StaleRecord
from cases.services import case_for_page
from reunification.clock import today

from . import documents, selectors, services
from .family_time import progression, steps_of
from .forms import (
    GoalReviewForm,
    NotAppropriateForm,
    PlacementWithParentsDecisionForm,
    PlanningMeetingForm,
    WrittenAgreementForm,
    goal_values,
    goals_formset,
    invitee_values,
    invitees_formset,
)
from .matching import issue_matches
from .models import (
    AgreementGoal,
    DirectWorkKind,
    GoalReview,
    PlanningMeeting,
    PlanStep,
    WrittenAgreement,
)

CONFLICT = "This could not be saved because it conflicts with another record"


_case = case_for_page


def _back_to(case, anchor: str):
    return redirect(reverse("planning:overview", args=[case.pk]) + f"#{anchor}")


def overview(request, pk):
    case = _case(request, pk)
    records = selectors.planning_records(case)
    family_time = progression(steps_of(records.family_time_steps), today())
    return render(
        request,
        "planning/overview.html",
        {
            "case": case,
            "records": records,
            "issue_matches": issue_matches(case, today()),
            "can_change": policy.may_change_case(request.user, case),
            "family_time": family_time,
            "family_time_rows": list(
                zip(records.family_time_steps, family_time.changes, strict=True)
            ),
            "has_overnight": any(step.overnight for step in records.family_time_steps),
            "has_restorative_meeting": any(
                session.kind == DirectWorkKind.RESTORATIVE_MEETING
                for session in records.direct_work_sessions
            ),
            "pwp_needed": selectors.pwp_needed(records.current_legal_status),
            # Offered only where it is asked for: a child on an interim or full care order.
            "may_approve_pwp": policy.may_approve_placement_with_parents(request.user, case)
            and selectors.pwp_needed(records.current_legal_status),
        },
    )


def meeting_form(request, pk, meeting_pk=None):
    case = _case(request, pk, change=True)
    if meeting_pk is None:
        meeting = PlanningMeeting(case=case, led_by_id=case.team_manager_id)
    else:
        meeting = get_object_or_404(case.planning_meetings, pk=meeting_pk)
    form = PlanningMeetingForm(request.POST or None, instance=meeting, case=case)
    known = selectors.known_invitees(case, today()) if meeting_pk is None else None
    invitees = invitees_formset(request.POST or None, meeting=meeting, known=known)
    if request.method == "POST":
        form_ok, invitees_ok = form.is_valid(), invitees.is_valid()
        if form_ok and invitees_ok:
            try:
                services.save_planning_meeting(
                    case=case,
                    by=request.user,
                    values=form.values(),
                    invitees=invitee_values(invitees),
                    meeting=meeting if meeting.pk else None,
                    version=form.shown_version,
                )
            except StaleRecord as conflict:
                form.show_conflict(conflict)
            except ValidationError as error:
                form.show_refusal(error)
            except IntegrityError:
                form.add_error(None, CONFLICT)
            else:
                verb = "recorded" if meeting_pk is None else "updated"
                messages.success(request, f"The planning meeting was {verb}.")
                return _back_to(case, "meetings")
    return render(
        request,
        "planning/meeting_form.html",
        {"case": case, "form": form, "invitees": invitees, "adding": meeting_pk is None},
    )


def agreement_form(request, pk, agreement_pk=None):
    case = _case(request, pk, change=True)
    if agreement_pk is None:
        agreement = WrittenAgreement(case=case)
    else:
        agreement = get_object_or_404(case.written_agreements, pk=agreement_pk)
    form = WrittenAgreementForm(request.POST or None, instance=agreement)
    goals = goals_formset(request.POST or None, agreement=agreement)
    if request.method == "POST":
        form_ok, goals_ok = form.is_valid(), goals.is_valid()
        if form_ok and goals_ok:
            try:
                services.save_written_agreement(
                    case=case,
                    by=request.user,
                    values=form.values(),
                    goals=goal_values(goals),
                    agreement=agreement if agreement.pk else None,
                    version=form.shown_version,
                )
            except StaleRecord as conflict:
                form.show_conflict(conflict)
            except ValidationError as error:
                form.show_refusal(error)
            except IntegrityError:
                form.add_error(None, CONFLICT)
            else:
                verb = "recorded" if agreement_pk is None else "updated"
                messages.success(request, f"The written agreement was {verb}.")
                return _back_to(case, "agreements")
    return render(
        request,
        "planning/agreement_form.html",
        {"case": case, "form": form, "goals": goals, "adding": agreement_pk is None},
    )


def goal_review_form(request, pk, goal_pk, review_pk=None):
    case = _case(request, pk, change=True)
    goal = get_object_or_404(AgreementGoal, pk=goal_pk, agreement__case=case)
    review = (
        GoalReview(goal=goal)
        if review_pk is None
        else get_object_or_404(goal.reviews, pk=review_pk)
    )
    form = GoalReviewForm(request.POST or None, instance=review)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_goal_review(
                goal=goal,
                by=request.user,
                values=form.values(),
                review=review if review.pk else None,
                version=form.shown_version,
            )
        except StaleRecord as conflict:
            form.show_conflict(conflict)
        except ValidationError as error:
            form.show_refusal(error)
        else:
            messages.success(request, "The goal review was saved.")
            return _back_to(case, f"goal-{goal.pk}")
    title = "Review a goal" if review_pk is None else "Change a goal review"
    return render(
        request,
        "planning/simple_form.html",
        {"case": case, "form": form, "title": title, "goal": goal, "anchor": f"goal-{goal.pk}"},
    )


def pwp_approve(request, pk):
    """The service director's decision on placing the child with parents, beside
    the evidence she decides on (regulations 17 and 18)."""
    case = _case(request, pk)
    policy.require(policy.may_approve_placement_with_parents(request.user, case))
    form = PlacementWithParentsDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decision = services.decide_placement_with_parents(
                case=case,
                by=request.user,
                outcome=data["outcome"],
                decided_on=data["decided_on"],
                reason=data["reason"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            words, _ = decision.outcome_tag
            messages.success(request, f"Placement with parents: {words.lower()}.")
            return _back_to(case, "pwp")
    return render(
        request,
        "planning/pwp_approve.html",
        {"case": case, "form": form, "evidence": selectors.pwp_evidence(case, today())},
    )


def not_appropriate(request, pk, step):
    """Record (or change) that a part of the programme asked for where appropriate
    is not appropriate for this child, and why."""
    case = _case(request, pk, change=True)
    if step not in PlanStep.values:
        raise Http404
    record = case.not_appropriate.filter(step=step).first()
    form = NotAppropriateForm(
        request.POST or None, step=step, child_name=case.child.first_name, record=record
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_not_appropriate(
                case=case,
                by=request.user,
                step=step,
                decided_on=data["decided_on"],
                reason=data["reason"],
                version=data.get("version"),
            )
        except StaleRecord:
            form.add_error(None, "Someone else changed this since you opened it: check it again")
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Recorded: {PlanStep(step).label.lower()} not appropriate.")
            return _back_to(case, NOT_APPROPRIATE_ANCHOR[step])
    label = PlanStep(step).label
    return render(
        request,
        "planning/not_appropriate.html",
        {
            "case": case,
            "form": form,
            "title": f"{label} is not appropriate for {case.child.first_name}",
            "step": step,
            "anchor": NOT_APPROPRIATE_ANCHOR[step],
        },
    )


NOT_APPROPRIATE_ANCHOR = {
    PlanStep.RESTORATIVE_MEETING: "direct-work",
    PlanStep.OVERNIGHT_STAYS: "family-time",
}


# Documents for the family (planning.documents): whoever may see the case may print them.

FAMILY_DOCUMENTS = {
    "written-agreement": ("Our written agreement", documents.written_agreement, False),
    "written-agreement-for-the-child": (
        "My plan for going home",
        documents.written_agreement,
        True,
    ),
    "reunification-plan": ("Our plan for coming home", documents.reunification_plan, False),
    "support-after-return": ("Support after coming home", documents.support_after_return, False),
}


@require_GET
def family_document(request, pk, document):
    if document not in FAMILY_DOCUMENTS:
        raise Http404
    case = _case(request, pk)
    title, build, for_child = FAMILY_DOCUMENTS[document]
    return render(
        request,
        "planning/family_document.html",
        {
            "case": case,
            "title": title,
            "document": document,
            "doc": build(case, today()),
            "for_child": for_child,
        },
    )
