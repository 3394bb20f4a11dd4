"""Pages for stage 5, reviews, visits and what is due."""

import datetime

from django.shortcuts import get_object_or_404, render

from cases import policy
from cases.models import Role, Stage
from cases.selectors import is_on_care_order
from cases.services import case_for_page as _case
from planning.selectors import with_goal_progress
from reunification.clock import today
from reviews.aftercare import return_home, statutory
from reviews.aftercare.forms import (
    BreakdownForm,
    CeasingCareDecisionForm,
    CeasingCareRequestForm,
    ClosureForm,
    RecommendationDoneForm,
    ReturnHomeForm,
    ReviewForm,
    ReviewReunificationForm,
    VisitForm,
)
from reviews.aftercare.rules import nominated_officer_needed_from
from reviews.aftercare.selectors import missing_reunification
from reviews.deadlines import rules
from reviews.evidence import decision_evidence
from reviews.journey.drift import drifting_cases
from reviews.models import Recommendation, ReturnHome, ReviewType
from reviews.pages import decision_page
from reviews.reminders.digests import open_deadlines
from risk.selectors import latest_signed_off


def aftercare(request, pk):
    """Reviews, visits and, after a return, how long the child has been home."""
    case = _case(request, pk)
    day = today()
    try:
        returned = case.return_home
    except ReturnHome.DoesNotExist:
        returned = None
    milestones = rules.after_return(returned.returned_on) if returned else None
    user = request.user
    reviews = list(case.reviews.select_related("chair").prefetch_related("recommendations__owner"))
    returned_on = returned.returned_on if returned else None
    incomplete = {r.pk for r in reviews if missing_reunification(r, returned_on)}
    may_return = (
        policy.may_record_return_home(user, case) and case.stage in return_home.BEFORE_RETURN
    )
    since = return_home.looked_after_since(case)
    requests = list(case.ceasing_care_requests.select_related("requested_by", "decided_by"))
    # The recommendations this person may mark as done, as the service decides.
    completable = {
        rec.pk
        for review in reviews
        for rec in review.recommendations.all()
        if not rec.done_on and policy.may_complete_recommendation(user, case, rec)
    }
    return render(
        request,
        "reviews/aftercare.html",
        {
            "case": case,
            "day": day,
            "returned": returned,
            "milestones": milestones,
            "discharge_prompt": bool(
                returned
                and returned.care_order_remains
                and milestones
                and day >= milestones.support_at_least_until
            ),
            "reviews": reviews,
            "visits": case.visits.select_related("visited_by"),
            "deadlines": with_goal_progress(
                case.deadlines.filter(done_on__isnull=True).select_related("responsible")
            ),
            "completable": completable,
            "can_visit": policy.may_record_visit(user, case),
            "can_review": policy.may_record_review(user, case),
            "may_return": may_return,
            "incomplete_reviews": incomplete,
            "may_add_reunification": policy.may_record_review(user, case, ReviewType.CHILD_IN_CARE),
            "looked_after_since": since,
            "approval_needed_from": nominated_officer_needed_from(since),
            "ceasing_care_requests": requests,
            "may_ask_to_cease_care": may_return
            and not any(r.decided_at is None for r in requests)
            and not is_on_care_order(case.child, day),
            "may_record_breakdown": policy.may_record_return_home(user, case)
            and case.stage == Stage.RETURN_HOME,
            "may_close": policy.may_close_case(user, case) and case.stage in return_home.CLOSABLE,
        },
    )


def _allowed_case(request, pk, predicate):
    """The case, if `predicate` (a cases.policy question) lets this person act on it."""
    case = _case(request, pk)
    policy.require(predicate(request.user, case))
    return case


def _aftercare_page(request, case, form, title, action, success):
    return decision_page(request, case, form, title, action, success, page="reviews:aftercare")


def record_return(request, pk):
    case = _allowed_case(request, pk, policy.may_record_return_home)
    initial = return_home.return_home_offer(case, today())
    evidence = decision_evidence(case, today())
    form = ReturnHomeForm(request.POST or None, case=case, initial=initial, evidence=evidence)
    return decision_page(
        request,
        case,
        form,
        "Record the return home",
        lambda d: return_home.record_return_home(case=case, by=request.user, **d),
        "The return home was recorded.",
        page="reviews:aftercare",
        context={"evidence": evidence},
    )


def ask_to_cease_care(request, pk):
    case = _allowed_case(request, pk, policy.may_record_return_home)
    initial = {"proposed_on": return_home.confirmed_return_date(case)}
    form = CeasingCareRequestForm(request.POST or None, case=case, initial=initial)
    return _aftercare_page(
        request,
        case,
        form,
        "Ask the service director to approve ceasing to look after the child",
        lambda d: return_home.ask_to_cease_care(case=case, by=request.user, **d),
        "The service director has been asked to approve ceasing to look after the child.",
    )


def decide_ceasing_care(request, pk):
    case = _allowed_case(request, pk, policy.may_approve_ceasing_care)
    asked = return_home.open_ceasing_care_request(case)
    form = CeasingCareDecisionForm(request.POST or None, case=case)
    response = decision_page(
        request,
        case,
        form,
        "Approve ceasing to look after the child",
        lambda d: return_home.decide_ceasing_care(case=case, by=request.user, **d),
        "Your decision was recorded.",
        page="reviews:aftercare",
    )
    if response.status_code == 200:
        since = return_home.looked_after_since(case)
        response = render(
            request,
            "reviews/ceasing_care_decision.html",
            {
                "case": case,
                "form": form,
                "title": "Approve ceasing to look after the child",
                "asked": asked,
                "looked_after_since": since,
                "approval_needed_from": nominated_officer_needed_from(since),
                "latest": latest_signed_off(case),
                "return_date": return_home.confirmed_return_date(case),
            },
        )
    return response


def record_breakdown(request, pk):
    case = _allowed_case(request, pk, policy.may_record_return_home)
    form = BreakdownForm(request.POST or None, case=case)
    return _aftercare_page(
        request,
        case,
        form,
        "Record that the return broke down",
        lambda d: return_home.record_breakdown(case=case, by=request.user, **d),
        "The breakdown was recorded and the case closed.",
    )


def close(request, pk):
    case = _allowed_case(request, pk, policy.may_close_case)
    closed_on = today()
    checks = return_home.closure_checks(case, closed_on)
    form = ClosureForm(
        request.POST or None, case=case, initial=return_home.closure_offer(case, closed_on, checks)
    )
    warning = return_home.closure_warning(case, closed_on)
    response = _aftercare_page(
        request,
        case,
        form,
        "Close the case",
        lambda d: return_home.close_case(case=case, by=request.user, **d),
        "The case was closed.",
    )
    if response.status_code == 200:
        response = render(
            request,
            "reviews/close.html",
            {
                "case": case,
                "form": form,
                "title": "Close the case",
                "checks": checks,
                "warning": warning,
                "is_manager": policy.may_override_closure_checks(request.user, case),
            },
        )
    return response


def record_review(request, pk):
    case = _allowed_case(request, pk, policy.may_record_review)
    form = ReviewForm(request.POST or None, case=case)
    return _aftercare_page(
        request,
        case,
        form,
        "Record a review",
        lambda d: statutory.record_review(
            case=case,
            by=request.user,
            held_on=d["held_on"],
            review_type=d["review_type"],
            chair=d["chair"],
            attended=d["attended"],
            outcome=d["outcome"],
            next_review_requested_by=d.get("next_review_requested_by"),
            recommendations=form.recommendations(),
            reunification_considered=d.get("reunification_considered"),
            reunification_outcome=d.get("reunification_outcome", ""),
            participation=d.get("participation", ""),
        ),
        "The review was recorded.",
    )


def review_reunification(request, pk, review_pk):
    case = _case(request, pk)
    review = get_object_or_404(case.reviews, pk=review_pk, review_type=ReviewType.CHILD_IN_CARE)
    policy.require(policy.may_record_review(request.user, case, ReviewType.CHILD_IN_CARE))
    form = ReviewReunificationForm(request.POST or None, case=case)
    return _aftercare_page(
        request,
        case,
        form,
        f"Reunification at the Child in Care review of {review.held_on:%-d %B %Y}",
        lambda d: statutory.record_review_reunification(review=review, by=request.user, **d),
        "Recorded: reunification at the review.",
    )


def record_visit(request, pk):
    case = _allowed_case(request, pk, policy.may_record_visit)
    form = VisitForm(request.POST or None, case=case)
    return _aftercare_page(
        request,
        case,
        form,
        "Record a visit",
        lambda d: statutory.record_visit(case=case, by=request.user, **d),
        "The visit was recorded.",
    )


def recommendation_done(request, pk, recommendation_pk):
    case = _case(request, pk)
    recommendation = get_object_or_404(
        Recommendation, pk=recommendation_pk, review__case=case, done_on__isnull=True
    )
    policy.require(policy.may_complete_recommendation(request.user, case, recommendation))
    form = RecommendationDoneForm(request.POST or None, case=case)
    return _aftercare_page(
        request,
        case,
        form,
        "Mark the recommendation as done",
        lambda d: statutory.complete_recommendation(
            recommendation=recommendation, by=request.user, **d
        ),
        "The recommendation was marked as done.",
    )


def _task_groups(deadlines, day: datetime.date) -> dict:
    horizon = day + datetime.timedelta(days=7)
    rows = with_goal_progress(
        deadlines.filter(due_on__lte=horizon).select_related("case__child", "responsible")
    )
    return {
        "overdue": [d for d in rows if d.due_on < day and d.can_be_overdue],
        "may_now": [d for d in rows if d.due_on < day and not d.can_be_overdue],
        "upcoming": [d for d in rows if d.due_on >= day],
    }


def my_tasks(request):
    day = today()
    return render(
        request,
        "reviews/tasks.html",
        {
            "day": day,
            "title": "My tasks",
            **_task_groups(
                open_deadlines().filter(
                    responsible=request.user, case__in=policy.visible_cases(request.user)
                ),
                day,
            ),
            "show_person": False,
        },
    )


def team_tasks(request):
    teams = policy.managed_teams(request.user)
    policy.require(teams.exists())
    day = today()
    return render(
        request,
        "reviews/tasks.html",
        {
            "day": day,
            "title": "Team tasks",
            **_task_groups(open_deadlines().filter(case__team__in=teams), day),
            # Cases longer in their stage than expected (reviews.journey.drift).
            "drifting": drifting_cases(
                policy.visible_cases(request.user).filter(team__in=teams), day
            ),
            "show_person": True,
            "is_team": request.user.has_role(Role.TEAM_MANAGER),
        },
    )
