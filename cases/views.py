from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from reunification.clock import today

from . import overview, policy, selectors, services
from .filters import CaseFilter
from .forms import (
    AllocationForm,
    CaseDetailsForm,
    ChildForm,
    NewCaseForm,
    NewChildForm,
    apply_errors,
)
from .models import ALLOCATED_ROLES, Role, StaleRecord, Team
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
            "can_open_cases": policy.may_open_cases(request.user),
        },
    )


def team_caseload(request, team_pk=None):
    teams = policy.managed_teams(request.user)
    policy.require(teams.exists())
    team = get_object_or_404(Team, pk=team_pk) if team_pk else teams.first()
    policy.require(policy.may_manage_team(request.user, team))
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
            "can_allocate": policy.may_allocate_in(request.user, team),
        },
    )


def _viewed(request, case):
    services.log_case_view(case=case, user=request.user, path=request.path)


def case_overview(request, pk):
    case = policy.case_for(request.user, pk)
    _viewed(request, case)
    # Everything is read here; the template only lays it out (no queries).
    page = overview.case_overview(case, request.user, today())
    return render(request, "cases/case_overview.html", page.as_context())


def case_audit(request, pk):
    case = policy.case_for(request.user, pk)
    policy.require(policy.may_see_audit(request.user, case))
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


def _saved(form, save):
    """Run a service saving what the form holds; on refusal put why on the form
    and return None."""
    try:
        return save()
    except StaleRecord as conflict:
        form.show_conflict(conflict)
    except ValidationError as error:
        apply_errors(form, error)
    except IntegrityError:
        form.add_error(None, "This could not be saved because it conflicts with another record")
    return None


def record_form(request, pk, kind, record_pk=None):
    record_type = RECORD_TYPES.get(kind)
    if record_type is None:
        raise Http404
    case = policy.case_for(request.user, pk, change=True)
    if record_pk is None:
        instance = record_type.new_instance(case, request.user)
    else:
        instance = get_object_or_404(record_type.queryset(case), pk=record_pk)
    # Only the few fields the record type names come from the address, and only
    # on an add page: a link could otherwise put words in a record that the
    # person saving it never typed, or change what an edit page shows.
    prefill = {}
    if record_pk is None and request.method == "GET":
        prefill = {name: request.GET[name] for name in record_type.prefill if name in request.GET}
    form = record_type.form(
        request.POST or None, instance=instance, initial=prefill, **record_type.form_kwargs(case)
    )
    if request.method == "POST" and form.is_valid():
        saved = _saved(
            form,
            lambda: services.save_record(
                case=case,
                by=request.user,
                kind=kind,
                values=form.values(),
                record_pk=record_pk,
                version=form.shown_version,
            ),
        )
        if saved is not None:
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
    if request.method == "POST" and form.is_valid():
        saved = _saved(
            form,
            lambda: services.update_child(
                case=case, by=request.user, values=form.values(), version=form.shown_version
            ),
        )
        if saved is not None:
            messages.success(request, "The child's details were updated.")
            return redirect("cases:overview", case.pk)
    _viewed(request, case)
    title = "Edit the child's details"
    return render(request, "cases/simple_form.html", {"case": case, "form": form, "title": title})


def edit_case(request, pk):
    case = policy.case_for(request.user, pk, change=True)
    form = CaseDetailsForm(request.POST or None, instance=case)
    if request.method == "POST" and form.is_valid():
        saved = _saved(
            form,
            lambda: services.update_case_details(
                case=case, by=request.user, values=form.values(), version=form.shown_version
            ),
        )
        if saved is not None:
            messages.success(request, "The case details were updated.")
            return redirect("cases:overview", case.pk)
    _viewed(request, case)
    title = "Edit the case details"
    return render(request, "cases/simple_form.html", {"case": case, "form": form, "title": title})


def new_case(request):
    """Open a case for a new child, or (with ?after=<case>) a repeat return for the
    child of an earlier, closed case, linked to it."""
    policy.require(policy.may_open_cases(request.user))
    team = request.user.team
    previous = None
    if request.GET.get("after"):
        try:
            previous = policy.case_for(request.user, int(request.GET["after"]))
        except ValueError:
            raise Http404 from None
        # While the earlier case is open, open_case says why no other may open.
        policy.require(previous.is_open or policy.may_open_repeat_case(request.user, previous))
    child_form = None if previous else NewChildForm(request.POST or None, prefix="child")
    case_form = NewCaseForm(request.POST or None, team=team)
    if request.method == "POST":
        child_ok = child_form.is_valid() if child_form else True
        if case_form.is_valid() and child_ok:
            allocations = {
                Role.SOCIAL_WORKER: case_form.cleaned_data["social_worker"],
                Role.TEAM_MANAGER: request.user,
                Role.IRO: case_form.cleaned_data["iro"],
            }
            heads = team.heads_of_service.all()[:1]
            if heads:
                allocations[Role.HEAD_OF_SERVICE] = heads[0]
            try:
                case = services.open_case(
                    team=team,
                    by=request.user,
                    allocations=allocations,
                    previous_case=previous,
                    **(
                        {"child_values": child_form.values()}
                        if child_form
                        else {"child": previous.child}
                    ),
                    **case_form.values(),
                    **case_form.in_care_now(),
                )
            except ValidationError as error:
                apply_errors(case_form, error, also=[child_form] if child_form else [])
            except IntegrityError:
                case_form.add_error(
                    None, "This could not be saved because it conflicts with another record"
                )
            else:
                messages.success(request, f"A case was opened for {case.child}.")
                return redirect("cases:overview", case.pk)
    return render(
        request,
        "cases/new_case.html",
        {"child_form": child_form, "case_form": case_form, "previous": previous},
    )


def allocate(request, pk):
    case = policy.case_for(request.user, pk)
    policy.require(policy.may_allocate(request.user, case))
    form = AllocationForm(request.POST or None, case=case, initial=_allocation_prefill(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.allocate(
                case=case,
                role=form.cleaned_data["role"],
                user=form.cleaned_data["user"],
                by=request.user,
                on=form.cleaned_data["start_date"],
                change_reason=form.cleaned_data.get("change_reason", ""),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "The allocation was recorded.")
            return redirect(reverse("cases:overview", args=[case.pk]) + "#allocations")
    _viewed(request, case)
    history = case.allocations.select_related("user", "allocated_by")
    return render(request, "cases/allocate.html", {"case": case, "form": form, "history": history})


def _allocation_prefill(request) -> dict:
    """The role a link from the overview asks to allocate (only that: the person
    and date are chosen on the page)."""
    role = request.GET.get("role") if request.method == "GET" else None
    return {"role": role} if role in {r.value for r in ALLOCATED_ROLES} else {}


@require_POST
def keep_session_alive(request):
    # Any request refreshes the session (SESSION_SAVE_EVERY_REQUEST); this one
    # exists for the "Stay signed in" button.
    return JsonResponse({"idle_seconds": request.session.get_expiry_age()})


@login_not_required
@require_GET
def healthcheck(request):
    return HttpResponse("ok", content_type="text/plain")
