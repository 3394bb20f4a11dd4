"""The SSDA903 page: choose a collection year, see what the Department's checks
find in it (each failing rule, its message, and the children it names that you
may see, linked to their record), and download the return's tables as one zip.
The older one-file extract of the reunification cohort for a period stays here."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Size
from django import forms
from django.core.cache import cache
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format

from cases import policy, services
from reunification.clock import today

from ..forms import ExtractForm
from ..models import ExportStatus, PreparedExport
from . import prepared, validation
from .episodes import extract, write_csv
from .tables import Year, write_zip

CHECK_FRESH_SECONDS = 600


class YearForm(forms.Form):
    year = forms.TypedChoiceField(
        label="Collection year",
        coerce=int,
        error_messages={"required": "Select the collection year"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = Year.of(today()).ending
        self.fields["year"].choices = [
            (ending, f"{Year(ending).label} (1 April {ending - 1} to 31 March {ending})")
            for ending in range(current, current - 4, -1)
        ]
        self.fields["year"].initial = current
        self.helper = FormHelper(self)
        self.helper.form_method = "get"
        self.helper.label_size = Size.SMALL
        self.helper.layout.append(Button.secondary("check", "Check the return"))
        self.helper.layout.append(Button.primary("download", "Download the return (zip)"))

    def chosen(self) -> Year:
        if self.is_bound and self.is_valid():
            return Year(self.cleaned_data["year"])
        return Year(self.fields["year"].initial)


def _scope(user):
    """None for the whole council, else the cases the user may see."""
    return None if policy.sees_whole_council(user) else policy.visible_cases(user)


def _named(user, failures) -> list[dict]:
    """Each failure with the children it names that the user may see, linked to
    the newest case of theirs the user may see; the others only counted."""
    identifiers = {child for failure in failures for child in failure.children}
    links = {}
    visible = policy.visible_cases(user).filter(child__local_identifier__in=identifiers)
    for case in visible.order_by("opened_on").values(
        "pk", "child__local_identifier", "child__first_name", "child__last_name"
    ):
        links[case["child__local_identifier"]] = {
            "identifier": case["child__local_identifier"],
            "name": f"{case['child__first_name']} {case['child__last_name']}",
            "url": reverse("cases:overview", args=[case["pk"]]),
        }
    shown = []
    for failure in failures:
        children = [links[c] for c in failure.children if c in links]
        shown.append(
            {
                "rule": failure.rule,
                "message": failure.message,
                "tables": ", ".join(failure.tables),
                "children": children,
                "count": len(failure.children),
                "hidden": len(failure.children) - len(children),
            }
        )
    return shown


def _check(request, year: Year):
    """The checks' results for the year and the user's scope, kept a few minutes."""
    whole = policy.sees_whole_council(request.user)
    key = f"ssda903-check:{year.ending}:" + ("all" if whole else f"user{request.user.pk}")
    result = cache.get(key)
    if result is None or "check" in request.GET:
        result = validation.check(validation.tables_as_csv(year, _scope(request.user)), year)
        cache.set(key, result, CHECK_FRESH_SECONDS)
    return result


def ssda903(request):
    policy.require(policy.may_see_reports(request.user))
    if "start" in request.GET or "end" in request.GET or "start_0" in request.GET:
        return _period_extract(request)
    form = YearForm(request.GET or None)
    year = form.chosen()
    if "download" in request.GET and form.is_valid():
        return _download(request, year)
    result = None
    export = _prepared_export(request)
    if validation.available() and "check" in request.GET and form.is_valid():
        result = _check(request, year)
    period = ExtractForm()
    period.helper = FormHelper(period)
    period.helper.form_method = "get"
    period.helper.layout.append(Button.secondary("extract", "Download the cohort extract (CSV)"))
    return render(
        request,
        "reporting/ssda903.html",
        {
            "form": form,
            "period_form": period,
            "year": year,
            "result": result,
            "failures": _named(request.user, result.failures) if result else [],
            "prepared": export,
            "prepared_year": Year(export.year_ending).label if export else "",
            "validator": validation.available(),
            "excluded": validation.EXCLUDED_RULES,
            "may_import": policy.may_import_ssda903(request.user),
            "title": "SSDA903 return",
        },
    )


def _download(request, year: Year):
    whole = policy.sees_whole_council(request.user)
    if whole:
        # Too large for one request: prepared in the background, then handed over.
        export = prepared.request_year_export(user=request.user, year=year)
        return redirect(f"{reverse('reporting:ssda903')}?year={year.ending}&prepared={export.pk}")
    spool, counts = write_zip(year, _scope(request.user))
    file_name = prepared.file_name(year)
    services.log_download(
        user=request.user,
        report="SSDA903 return",
        file_name=file_name,
        scope=f"{year.label}; " + ("the whole council" if whole else "the cases they may see"),
        row_count=counts["Episodes"],
        source=request.get_full_path(),
    )
    return FileResponse(spool, as_attachment=True, filename=file_name)


def _prepared_export(request) -> PreparedExport | None:
    """The prepared export the page was sent back with, if it is the user's."""
    try:
        pk = int(request.GET.get("prepared", ""))
    except ValueError:
        return None
    export = PreparedExport.objects.defer("content").filter(pk=pk).first()
    if export is None or not policy.may_download_prepared_export(request.user, export):
        return None
    return export


def prepared_download(request, pk):
    """Hand over a prepared whole-council return (logged as it is handed over)."""
    policy.require(policy.may_see_reports(request.user))
    export = get_object_or_404(PreparedExport.objects.defer("content"), pk=pk)
    policy.require(policy.may_download_prepared_export(request.user, export))
    if export.status != ExportStatus.READY:
        return redirect(f"{reverse('reporting:ssda903')}?year={export.year_ending}&prepared={pk}")
    services.log_download(
        user=request.user,
        report="SSDA903 return",
        file_name=export.file_name,
        scope=f"{Year(export.year_ending).label}; the whole council",
        row_count=export.row_counts.get("Episodes", 0),
        source=request.get_full_path(),
    )
    content = PreparedExport.objects.values_list("content", flat=True).get(pk=pk)
    response = HttpResponse(bytes(content), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    return response


def _period_extract(request):
    form = ExtractForm(request.GET)
    if not form.is_valid():
        year_form = YearForm()
        form.helper = FormHelper(form)
        form.helper.form_method = "get"
        form.helper.layout.append(Button.secondary("extract", "Download the cohort extract (CSV)"))
        return render(
            request,
            "reporting/ssda903.html",
            {
                "form": year_form,
                "period_form": form,
                "year": year_form.chosen(),
                "validator": validation.available(),
                "excluded": validation.EXCLUDED_RULES,
                "title": "SSDA903 return",
            },
        )
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    file_name = f"ssda903-reunification-{start:%Y%m%d}-{end:%Y%m%d}.csv"
    # Child-level rows: the whole council for performance staff and service
    # directors, otherwise only the cases the user may see.
    whole_council = policy.sees_whole_council(request.user)
    rows = extract(start, end, _scope(request.user))
    services.log_download(
        user=request.user,
        report="SSDA903 extract",
        file_name=file_name,
        scope=f"{date_format(start, 'j F Y')} to {date_format(end, 'j F Y')}; "
        + ("the whole council" if whole_council else "the cases they may see"),
        row_count=len(rows),
        source=request.get_full_path(),
    )
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    write_csv(rows, response)
    return response


__all__ = ["ssda903", "prepared_download"]
