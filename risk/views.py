"""Pages for risk assessments: each authorises through cases.policy, turns its
forms into plain values, calls a selector or a service and renders."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cases import policy
from cases.models import StaleRecord
from cases.services import case_for_page
from reunification.clock import today

from . import selectors, services
from .chart import level_chart
from .forms import (
    ConfirmLevelForm,
    Decision,
    DecisionForm,
    RiskAssessmentForm,
    factor_values,
    factors_formset,
)
from .models import ChildViews, NamedRiskFactor, RiskAssessment, SingleAssessment
from .tool import what_follows

_case = case_for_page


def risk_overview(request, pk):
    case = _case(request, pk)
    day = today()
    summary = selectors.risk_summary(case, day)
    chart = level_chart([(a.assessed_on, a.level) for a in summary.history], day)
    views = ChildViews.objects.filter(case=case).first()
    single = SingleAssessment.objects.filter(case=case).first()
    parent_views = {v.parent_id: v for v in case.parent_views.all()}
    parents = [
        (parent, parent_views.get(parent.pk))
        for parent in case.family_members.filter(has_parental_responsibility=True)
    ]
    return render(
        request,
        "risk/overview.html",
        {
            "case": case,
            "summary": summary,
            "chart": chart,
            "day": day,
            "assessments": case.risk_assessments.select_related("author", "decided_by"),
            "can_change": policy.may_change_case(request.user, case),
            "child_views": views,
            "parents": parents,
            "parents_unheard": sum(1 for _, heard in parents if heard is None),
            "single": single,
            "single_missing": single.incomplete_sections() if single else [],
        },
    )


def assessment_form(request, pk, assessment_pk=None):
    case = _case(request, pk, change=True)
    if assessment_pk:
        assessment = get_object_or_404(case.risk_assessments, pk=assessment_pk)
        if not policy.may_edit_assessment(request.user, case, assessment):
            raise Http404
    else:
        assessment = RiskAssessment(case=case, author=request.user, assessed_on=today())
    carried = None if assessment.pk else selectors.factor_statuses_carried(case)
    form = RiskAssessmentForm(request.POST or None, instance=assessment)
    factors = factors_formset(request.POST or None, instance=assessment, carried=carried)
    if request.method == "POST":
        form_ok, factors_ok = form.is_valid(), factors.is_valid()
        if form_ok and factors_ok:
            try:
                saved = services.save_draft(
                    case=case,
                    by=request.user,
                    answers=form.values(),
                    factors=factor_values(factors),
                    assessment=assessment if assessment.pk else None,
                    version=form.shown_version,
                )
            except StaleRecord as conflict:
                form.show_conflict(conflict)
            except ValidationError as error:
                form.show_refusal(error)
            else:
                messages.success(request, "The assessment was saved. Check the suggested level.")
                return redirect("risk:detail", case.pk, saved.pk)
    return render(
        request,
        "risk/assessment_form.html",
        {
            "case": case,
            "form": form,
            "factors": factors,
            "assessment": assessment,
            "other_factor": NamedRiskFactor.OTHER.value,
            "breakdown": selectors.breakdown_factors(case, assessment, today()),
            "departures": _sorted(selectors.departures_by_level(assessment)),
        },
    )


def _sorted(departures: dict) -> list:
    """The departures a level would be on the assessment's date, highest level first."""
    return sorted(departures.values(), key=lambda d: d.to_level, reverse=True)


def _detail(request, case, assessment, *, confirm_form=None, decision_form=None, status=200):
    user = request.user
    editable = policy.may_edit_assessment(user, case, assessment)
    may_decide = policy.may_sign_off_assessment(user, case, assessment)
    suggestion = services.suggestion_for(assessment)
    departures = selectors.departures_by_level(assessment)
    where = selectors.situation(case, today())
    if editable and confirm_form is None:
        initial = {
            "confirmed_level": assessment.confirmed_level
            or (suggestion.level.code if suggestion.level else ""),
            "rationale": assessment.rationale,
            "departure_rationale": assessment.departure_rationale,
        }
        confirm_form = ConfirmLevelForm(initial=initial, departs=bool(departures))
    if may_decide and decision_form is None:
        decision_form = DecisionForm()
    return render(
        request,
        "risk/assessment_detail.html",
        {
            "case": case,
            "assessment": assessment,
            "suggestion": suggestion,
            "what_follows": what_follows(
                suggestion.level, at_home=where.at_home, on_care_order=where.on_care_order
            ),
            # Levels below what the step rules allow on the assessment's date, and the
            # departure of the level confirmed, if it is one.
            "departures": _sorted(departures) if editable else [],
            "departure": departures.get(assessment.level) if assessment.level else None,
            "factors": assessment.factors.all(),
            "breakdown": selectors.breakdown_factors(case, assessment, today()),
            "editable": editable,
            "confirm_form": confirm_form if editable else None,
            "decision_form": decision_form if may_decide else None,
            "missing": services.missing_for_sign_off(assessment) if editable else [],
            # Why a team manager waiting to decide it may not (the four-eyes rule).
            "why_not_decider": services.why_not_decider(assessment, user)
            if assessment.is_awaiting_sign_off and not may_decide
            else "",
        },
        status=status,
    )


def assessment_detail(request, pk, assessment_pk):
    case = _case(request, pk)
    assessment = get_object_or_404(
        case.risk_assessments.select_related("author", "decided_by"), pk=assessment_pk
    )
    return _detail(request, case, assessment)


@require_POST
def submit(request, pk, assessment_pk):
    case = _case(request, pk, change=True)
    assessment = get_object_or_404(case.risk_assessments, pk=assessment_pk)
    form = ConfirmLevelForm(request.POST, departs=bool(selectors.departures_by_level(assessment)))
    if form.is_valid():
        try:
            services.submit_for_sign_off(
                assessment=assessment,
                by=request.user,
                confirmed_level=form.cleaned_data["confirmed_level"],
                rationale=form.cleaned_data["rationale"],
                departure_rationale=form.cleaned_data.get("departure_rationale", ""),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "The assessment was sent to the team manager for sign-off.")
            return redirect("risk:detail", case.pk, assessment.pk)
    return _detail(request, case, assessment, confirm_form=form)


@require_POST
def decide(request, pk, assessment_pk):
    case = _case(request, pk)
    policy.require(policy.may_decide_assessments(request.user, case))
    assessment = get_object_or_404(case.risk_assessments, pk=assessment_pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["decision"] == Decision.SIGN_OFF:
                services.sign_off(assessment=assessment, by=request.user)
                messages.success(request, "The assessment was signed off.")
                # Back to the case, whose summary offers what is next for her now
                # the level is signed off (the viability consultation, or meeting).
                return redirect("cases:overview", case.pk)
            else:
                services.return_for_changes(
                    assessment=assessment, by=request.user, comment=form.cleaned_data["comment"]
                )
                messages.success(request, "The assessment was returned to its author.")
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("risk:detail", case.pk, assessment.pk)
    return _detail(request, case, assessment, decision_form=form)
