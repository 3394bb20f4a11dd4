from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format

from cases import policy, services
from cases import selectors as case_selectors
from cases.models import Team
from reunification.clock import today

from . import outcome_charts, selectors, snapshots
from . import service_gaps as gap_figures
from .forms import ReportFilterForm
from .ssda903.importing import import_return  # noqa: F401 (the import page, for urls)
from .ssda903.pages import prepared_download, ssda903  # noqa: F401 (SSDA903 pages, for urls)

DOWNLOADS_PER_PAGE = 100


def _allowed(user) -> None:
    policy.require(policy.may_see_reports(user))


def _scope(request):
    form = ReportFilterForm(request.GET or None)
    start, end = form.period()
    return form, selectors.Scope(start=start, end=end, today=today(), teams=form.team_ids())


def _period(start, end) -> str:
    return f"{date_format(start, 'j F Y')} to {date_format(end, 'j F Y')}"


def _teams(scope) -> str:
    if not scope.teams:
        return "all teams"
    names = list(Team.objects.filter(pk__in=scope.teams).values_list("name", flat=True))
    return "teams: " + ", ".join(names) if names else "no team matched the filter"


def _csv(request, title, table, text, scope) -> HttpResponse:
    """The table's CSV file, its download logged first."""
    file_name = f"{table.key}.csv"
    services.log_download(
        user=request.user,
        report=f"{title}: {table.caption}",
        file_name=file_name,
        scope=f"{_period(scope.start, scope.end)}; {_teams(scope)}",
        row_count=table.row_count,
        source=request.get_full_path(),
    )
    response = HttpResponse(text, content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


def _page(request, template, report, title, **extra):
    _allowed(request.user)
    form, scope = _scope(request)
    refresh = "refresh" in request.GET
    wanted = request.GET.get("csv")
    if wanted:
        found = snapshots.download(report, scope, wanted, refresh=refresh)
        if found is None:
            raise Http404
        return _csv(request, title, *found, scope)
    tables, computed_at = snapshots.figures(report, scope, refresh=refresh)
    if extra.get("survival_chart"):
        survival = [table.rows for table in tables if table.key == "survival"]
        extra["survival_chart"] = outcome_charts.survival_chart(survival[0] if survival else [])
    query = request.GET.copy()
    query.pop("csv", None)
    query.pop("refresh", None)
    return render(
        request,
        template,
        {
            "form": form,
            "scope": scope,
            "tables": tables,
            "title": title,
            "query": query.urlencode(),
            "computed_at": computed_at,
            "can_see_downloads": policy.may_see_downloads(request.user),
            **extra,
        },
    )


def caseload(request):
    cases = policy.visible_cases(request.user)
    return _page(
        request,
        "reporting/report.html",
        "caseload",
        "Caseload and drift",
        waits=selectors.longest_waits(cases),
    )


def outcomes(request):
    return _page(request, "reporting/report.html", "outcomes", "Outcomes", survival_chart=True)


def downloads(request):
    """Every download of children's data, newest first: who, when and what."""
    policy.require(policy.may_see_downloads(request.user))
    page = Paginator(case_selectors.data_downloads(), DOWNLOADS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "reporting/downloads.html",
        {"page": page, "downloads": page.object_list, "title": "Downloads of children's data"},
    )


def service_gaps(request):
    """Parental issues met by a specialist service, or not: the figures for the
    filtered teams, the children only of the cases this person may see."""
    _allowed(request.user)
    form, scope = _scope(request)
    day = today()
    return render(
        request,
        "reporting/service_gaps.html",
        {
            "form": form,
            "title": "Service gaps",
            "rows": gap_figures.gaps_by_issue(scope.cases(), day),
            "children": gap_figures.children_with_gaps(policy.visible_cases(request.user), day),
            "can_see_downloads": policy.may_see_downloads(request.user),
        },
    )
