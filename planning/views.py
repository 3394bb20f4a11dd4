"""Pages for the support and planning stage. Each authorises through cases.policy
(404 to those who may not see the case, 403 to those who may see it but not do
this), turns its forms into plain values, calls a selector or a service, and
renders."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from cases import policy
from cases.forms import apply_errors
from cases.models import StaleRecord
from cases.selectors import current_legal_status
from cases.services import case_for_page
from reunification.clock import today

from . import selectors, services
from .forms import (
    GoalReviewForm,
    PlacementWithParentsApprovalForm,
    PlanningMeetingForm,
    WrittenAgreementForm,
    goal_values,
    goals_formset,
    invitee_values,
    invitees_formset,
)
from .models import AgreementGoal, GoalReview, PlanningMeeting, WrittenAgreement

CONFLICT = "This could not be saved because it conflicts with another record"


_case = case_for_page


def _back_to(case, anchor: str):
    return redirect(reverse("planning:overview", args=[case.pk]) + f"#{anchor}")


def overview(request, pk):
    case = _case(request, pk)
    records = selectors.planning_records(case)
    return render(
        request,
        "planning/overview.html",
        {
            "case": case,
            "records": records,
            "can_change": policy.may_change_case(request.user, case),
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
    invitees = invitees_formset(request.POST or None, meeting=meeting)
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
    case = _case(request, pk)
    policy.require(policy.may_approve_placement_with_parents(request.user, case))
    status = current_legal_status(case.child)
    form = PlacementWithParentsApprovalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.approve_placement_with_parents(
                case=case,
                by=request.user,
                approved_on=form.cleaned_data["approved_on"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "The placement with parents was approved.")
            return _back_to(case, "pwp")
    return render(
        request,
        "planning/pwp_approve.html",
        {
            "case": case,
            "form": form,
            "status": status,
            "pwp_needed": selectors.pwp_needed(status),
            "approvals": case.pwp_approvals.select_related("approved_by"),
            "day": today(),
        },
    )
