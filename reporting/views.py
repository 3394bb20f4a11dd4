from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button
from django.http import Http404, HttpResponse
from django.shortcuts import render

from cases import policy
from reunification.clock import today

from . import csv_files, selectors, snapshots
from .forms import ExtractForm, ReportFilterForm
from .ssda903 import extract, write_csv


def _allowed(user) -> None:
    policy.require(policy.may_see_reports(user))


def _scope(request):
    form = ReportFilterForm(request.GET or None)
    start, end = form.period()
    return form, selectors.Scope(start=start, end=end, today=today(), teams=form.team_ids())


def _csv(table) -> HttpResponse:
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{table.key}.csv"'
    rows = csv_files.writer(response)
    rows.writerow(table.headers)
    rows.writerows(table.rows)
    return response


def _page(request, template, report, title, **extra):
    _allowed(request.user)
    form, scope = _scope(request)
    wanted = request.GET.get("csv")
    tables, computed_at = snapshots.figures(
        report, scope, refresh="refresh" in request.GET, every_row=bool(wanted)
    )
    if wanted:
        for table in tables:
            if table.key == wanted:
                return _csv(table)
        raise Http404
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
    return _page(request, "reporting/report.html", "outcomes", "Outcomes")


def ssda903(request):
    _allowed(request.user)
    form = ExtractForm(request.GET or None)
    form.helper = FormHelper(form)
    form.helper.form_method = "get"
    form.helper.layout.append(Button.primary("download", "Download the extract (CSV)"))
    if request.GET and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        response = HttpResponse(content_type="text/csv")
        response["Content-Disposition"] = (
            f'attachment; filename="ssda903-reunification-{start:%Y%m%d}-{end:%Y%m%d}.csv"'
        )
        # Child-level rows: the whole council for performance staff and service
        # directors, otherwise only the cases the user may see.
        whole_council = policy.sees_whole_council(request.user)
        cases = None if whole_council else policy.visible_cases(request.user)
        write_csv(extract(start, end, cases), response)
        return response
    return render(request, "reporting/ssda903.html", {"form": form, "title": "SSDA903 extract"})
