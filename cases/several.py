"""Several records of one kind entered on one page: the GOV.UK "add another"
pattern for the lists that grow (family-time steps, direct-work sessions,
household members, police checks, services, the parents' views: a row for each
parent).

Each row is the record type's own form, and each is saved through the one
service that saves a record of its kind (`cases.services.save_record`), so the
rules are the record type's, not a second copy. All the rows are saved in one
transaction: if the service refuses any row, nothing is saved and the page shows
every row again with the refusal on its row. "Add another" is a button the
server answers with one more blank row, so it works without JavaScript; blank
rows are left out.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.forms.utils import ErrorDict
from django.http import Http404
from django.shortcuts import redirect, render

from . import policy, services
from .forms import apply_errors
from .records import RECORD_TYPES

# The record kinds whose add page takes several at once, with the plural the
# page uses for them.
SEVERAL = {
    "family-time-step": "family time steps",
    "direct-work-session": "direct work sessions",
    "household-member": "household or family members",
    "police-check": "police checks",
    "parent-views": "records of the parents' views",
    "support-service": "support services",
}
MOST_ROWS = 20
NOTHING_TYPED = "Fill in at least one {name}"
CONFLICT = "This could not be saved because it conflicts with another record"


class _Refused(Exception):
    """A row was refused: undo the rows saved before it."""


def _rows_sent(request) -> int:
    try:
        rows = int(request.POST.get("rows", 1))
    except ValueError:
        rows = 1
    return max(1, min(rows, MOST_ROWS))


def _row_count(request) -> int:
    rows = _rows_sent(request)
    if "add_another" in request.POST:
        rows += 1
    return min(rows, MOST_ROWS)


def _row_form(record_type, case, request, n: int, initial: dict, *, new_row: bool = False):
    # The row "Add another" asked for is shown as it starts (its tick boxes as
    # the form offers them), not as a row sent blank.
    form = record_type.form(
        request.POST if request.method == "POST" and not new_row else None,
        instance=record_type.new_instance(case, request.user),
        initial=initial,
        prefix=f"row-{n}",
        # A row left blank is not an error: it is not saved.
        empty_permitted=True,
        use_required_attribute=False,
        **record_type.form_kwargs(case),
    )
    if "add_another" in request.POST and not new_row:
        # Asking for another row is not sending the rows: show no errors yet.
        form._errors, form.cleaned_data = ErrorDict(), {}
    form.helper.form_tag = False
    if form.submit_label:  # the one button of the page replaces each row's own
        form.helper.layout.fields.pop()
    return form


def _save_all(case, user, kind: str, rows: list) -> bool:
    """Saves every row through the record service, all or nothing."""
    try:
        with transaction.atomic():
            for form in rows:
                try:
                    services.save_record(case=case, by=user, kind=kind, values=form.values())
                except ValidationError as error:
                    apply_errors(form, error)
                    raise _Refused from error
                except IntegrityError as error:
                    form.add_error(None, CONFLICT)
                    raise _Refused from error
    except _Refused:
        return False
    return True


def add_several(request, pk, kind):
    if kind not in SEVERAL:
        raise Http404
    record_type = RECORD_TYPES[kind]
    case = policy.case_for(request.user, pk, change=True)
    # A row for each value the address gives (a police check for each person
    # still waiting for one), of the few fields the record type lets it give.
    prefills = []
    if request.method == "GET":
        for name in record_type.prefill:
            for n, value in enumerate(request.GET.getlist(name)[:MOST_ROWS]):
                if n == len(prefills):
                    prefills.append({})
                prefills[n][name] = value
    if not prefills and record_type.rows_for:
        # Offered on the page and again when it is sent, so a row left as it was
        # offered is left out.
        prefills = record_type.rows_for(case)[:MOST_ROWS]
    count = _row_count(request) if request.method == "POST" else max(1, len(prefills))
    adding = request.method == "POST" and "add_another" in request.POST
    sent = _rows_sent(request) if adding else count  # the rows the page had
    forms = [
        _row_form(
            record_type,
            case,
            request,
            n,
            prefills[n] if n < len(prefills) else {},
            new_row=adding and n >= sent,
        )
        for n in range(count)
    ]
    nothing_typed = ""
    if request.method == "POST" and "add_another" not in request.POST:
        typed = [form for form in forms if form.has_changed()]
        if not typed:
            nothing_typed = NOTHING_TYPED.format(name=record_type.name)
        elif all(form.is_valid() for form in typed) and _save_all(case, request.user, kind, typed):
            saved = len(typed)
            what = record_type.name if saved == 1 else SEVERAL[kind]
            messages.success(request, f"{saved} {what} added.")
            return redirect(record_type.return_url(case))
    return render(
        request,
        "cases/add_several.html",
        {
            "case": case,
            "forms": forms,
            "rows": count,
            "record_type": record_type,
            "plural": SEVERAL[kind],
            "nothing_typed": nothing_typed,
            "has_errors": bool(nothing_typed) or any(form.errors for form in forms),
            "can_add_another": count < MOST_ROWS,
            "return_url": record_type.return_url(case),
        },
    )
