from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from reunification.clock import today

from . import policy, rules, selectors, services
from .filters import CaseFilter
from .forms import AllocationForm, CaseDetailsForm, ChildForm, NewCaseForm, NewChildForm
from .models import ALLOCATED_ROLES, Role, Stage, StaleRecord, Team
from .records import RECORD_TYPES

CASES_PER_PAGE = 25
AUDIT_PER_PAGE = 100


def my_cases(request):
    cases = CaseFilter(request.GET, queryset=selectors.caseload(request.user), user=request.user)
    page = Paginator(cases.qs, CASES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/my_cases.html",
        {
            "filter": cases,
            "page": page,
            "query": query.urlencode(),
            "can_open_cases": request.user.has_role(Role.TEAM_MANAGER),
        },
    )


def team_caseload(request, team_pk=None):
    teams = policy.managed_teams(request.user)
    if not teams.exists():
        raise PermissionDenied
    if team_pk:
        team = get_object_or_404(Team, pk=team_pk)
        if not teams.filter(pk=team.pk).exists():
            raise PermissionDenied
    else:
        team = teams.first()
    page = Paginator(selectors.team_caseload(team), CASES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "cases/team_caseload.html",
        {
            "team": team,
            "teams": teams,
            "page": page,
            "workload": selectors.workload(team),
            "can_allocate": request.user.has_role(Role.TEAM_MANAGER)
            and request.user.team_id == team.pk,
        },
    )


def _viewed(request, case):
    services.log_case_view(case=case, user=request.user, path=request.path)


def case_overview(request, pk):
    case = policy.case_for(request.user, pk)
    _viewed(request, case)
    day = today()
    child = case.child
    allocations = {a.role: a for a in selectors.current_allocations(case)}
    household = selectors.household(case, day)
    context = {
        "case": case,
        "child": child,
        "day": day,
        "age": rules.age_of(rules.Person(child.date_of_birth, None, day, False, False, False), day),
        "can_change": policy.may_change_case(request.user, case),
        "is_manager": policy.is_team_manager_for(request.user, case),
        "can_see_audit": _can_see_audit(request.user, case),
        "allocations": [(Role(r).label, allocations.get(r)) for r in ALLOCATED_ROLES],
        "legal_statuses": child.legal_statuses.all(),
        "current_legal_status": selectors.current_legal_status(child, day),
        "placements": child.placements.all(),
        "current_placement": selectors.current_placement(case, day),
        "care_episodes": child.care_episodes.all(),
        "previous_returns": child.previous_returns.all(),
        "missing_episodes": child.missing_episodes.all(),
        "siblings": child.siblings.all(),
        "parental_issues": case.parental_issues.select_related("parent"),
        "household": household,
        "outstanding_checks": [row for row in household if row.check_outstanding],
        "chronology": case.chronology.select_related("recorded_by"),
        "out_of_home_long_enough": rules.out_of_home_long_enough(case.became_looked_after_on, day),
        "four_months_on": rules.four_months_out_of_home_on(case.became_looked_after_on),
        "other_cases": child.cases.exclude(pk=case.pk).order_by("-opened_on"),
        "can_open_repeat_case": not case.is_open
        and request.user.has_role(Role.TEAM_MANAGER)
        and request.user.team_id
        and not child.cases.exclude(stage=Stage.CLOSED).exists(),
    }
    return render(request, "cases/case_overview.html", context)


def _can_see_audit(user, case) -> bool:
    return policy.may_see_case(user, case) and (
        policy.is_team_manager_for(user, case)
        or user.has_role(Role.HEAD_OF_SERVICE)
        or user.has_role(Role.SERVICE_DIRECTOR)
    )


def case_audit(request, pk):
    case = policy.case_for(request.user, pk)
    if not _can_see_audit(request.user, case):
        raise PermissionDenied
    _viewed(request, case)
    changes = Paginator(selectors.case_versions(case), AUDIT_PER_PAGE).get_page(
        request.GET.get("page")
    )
    views = Paginator(selectors.case_views(case), AUDIT_PER_PAGE).get_page(
        request.GET.get("views_page")
    )
    return render(
        request,
        "cases/case_audit.html",
        {
            "case": case,
            "changes": selectors.describe_changes(changes.object_list),
            "changes_page": changes,
            "views": views.object_list,
            "views_page": views,
            # Each table's pages keep the other table's place.
            "changes_query": urlencode({"views_page": views.number}),
            "views_query": urlencode({"page": changes.number}),
        },
    )


def _save(request, case, forms):
    """Save every form in one transaction, or none of them."""
    try:
        with transaction.atomic():
            saved = [services.save_record(case=case, by=request.user, form=f) for f in forms]
    except StaleRecord as conflict:
        forms[0].show_conflict(conflict)
        return None
    except IntegrityError:
        forms[0].add_error(None, "This could not be saved because it conflicts with another record")
        return None
    return saved


def record_form(request, pk, kind, record_pk=None):
    record_type = RECORD_TYPES.get(kind)
    if record_type is None:
        raise Http404
    case = policy.case_for(request.user, pk, change=True)
    if record_pk is None:
        instance = record_type.new_instance(case, request.user)
    else:
        instance = get_object_or_404(record_type.queryset(case), pk=record_pk)
    form = record_type.form(
        request.POST or None,
        instance=instance,
        initial=request.GET.dict() if request.method == "GET" else None,
        **record_type.form_kwargs(case),
    )
    if request.method == "POST" and form.is_valid() and _save(request, case, [form]):
        verb = "added" if record_pk is None else "updated"
        messages.success(request, f"The {record_type.name} was {verb}.")
        return redirect(record_type.return_url(case))
    _viewed(request, case)
    return render(
        request,
        "cases/record_form.html",
        {
            "case": case,
            "form": form,
            "record_type": record_type,
            "adding": record_pk is None,
            "return_url": record_type.return_url(case),
        },
    )


def edit_child(request, pk):
    case = policy.case_for(request.user, pk, change=True)
    form = ChildForm(request.POST or None, instance=case.child)
    if request.method == "POST" and form.is_valid() and _save(request, case, [form]):
        messages.success(request, "The child's details were updated.")
        return redirect("cases:overview", case.pk)
    _viewed(request, case)
    title = "Edit the child's details"
    return render(request, "cases/simple_form.html", {"case": case, "form": form, "title": title})


def edit_case(request, pk):
    case = policy.case_for(request.user, pk, change=True)
    form = CaseDetailsForm(request.POST or None, instance=case)
    if request.method == "POST" and form.is_valid() and _save(request, case, [form]):
        messages.success(request, "The case details were updated.")
        return redirect("cases:overview", case.pk)
    _viewed(request, case)
    title = "Edit the case details"
    return render(request, "cases/simple_form.html", {"case": case, "form": form, "title": title})


def new_case(request):
    """Open a case for a new child, or (with ?after=<case>) a repeat return for the
    child of an earlier, closed case, linked to it."""
    if not (request.user.has_role(Role.TEAM_MANAGER) and request.user.team_id):
        raise PermissionDenied
    team = request.user.team
    previous = None
    if request.GET.get("after"):
        try:
            previous = policy.case_for(request.user, int(request.GET["after"]))
        except ValueError:
            raise Http404 from None
    child_form = None if previous else NewChildForm(request.POST or None, prefix="child")
    case_form = NewCaseForm(request.POST or None, team=team)
    if request.method == "POST":
        child_ok = child_form.is_valid() if child_form else True
        if case_form.is_valid() and child_ok:
            data = dict(case_form.cleaned_data)
            allocations = {
                Role.SOCIAL_WORKER: data.pop("social_worker"),
                Role.TEAM_MANAGER: request.user,
                Role.IRO: data.pop("iro"),
            }
            heads = team.heads_of_service.all()[:1]
            if heads:
                allocations[Role.HEAD_OF_SERVICE] = heads[0]
            try:
                with transaction.atomic():
                    child = child_form.save() if child_form else previous.child
                    case = services.open_case(
                        child=child,
                        team=team,
                        by=request.user,
                        allocations=allocations,
                        previous_case=previous,
                        **data,
                    )
            except ValidationError as error:
                case_form.add_error(None, error)
            else:
                messages.success(request, f"A case was opened for {child}.")
                return redirect("cases:overview", case.pk)
    return render(
        request,
        "cases/new_case.html",
        {"child_form": child_form, "case_form": case_form, "previous": previous},
    )


def allocate(request, pk):
    case = policy.case_for(request.user, pk)
    if not policy.is_team_manager_for(request.user, case):
        raise PermissionDenied
    form = AllocationForm(request.POST or None, case=case, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        try:
            services.allocate(
                case=case,
                role=form.cleaned_data["role"],
                user=form.cleaned_data["user"],
                by=request.user,
                on=form.cleaned_data["start_date"],
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, error.messages[0] if hasattr(error, "messages") else str(error))
        else:
            messages.success(request, "The allocation was recorded.")
            return redirect(reverse("cases:overview", args=[case.pk]) + "#allocations")
    _viewed(request, case)
    history = case.allocations.select_related("user", "allocated_by")
    return render(request, "cases/allocate.html", {"case": case, "form": form, "history": history})


@require_POST
def keep_session_alive(request):
    # Any request refreshes the session (SESSION_SAVE_EVERY_REQUEST); this one
    # exists for the "Stay signed in" button.
    return JsonResponse({"idle_seconds": request.session.get_expiry_age()})


@login_not_required
@require_GET
def healthcheck(request):
    return HttpResponse("ok", content_type="text/plain")
