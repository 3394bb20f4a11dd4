"""The page on which performance staff load a council's existing SSDA903 return
(`loading.load`, the same service as `manage.py import_ssda903`).

Two steps, and nothing kept between them: the files are chosen and checked (a dry
run: what would change and every refused row); to load them, the same files are
chosen again and the page checks that they are the ones it checked (their digest,
signed, for an hour) before loading all of it or nothing. Uploads are read into
memory, never written to disk, and refused past MAX_BYTES; nothing from them is
logged but the counts.
"""

import hashlib
import io
import logging

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Size
from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from cases import policy

from . import loading

log = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024  # per file: a whole council's Episodes file is a few MB
CHECKED_FOR_SECONDS = 3600
SALT = "ssda903-import"
FILES = {"header": "Header", "episodes": "Episodes", "reviews": "Reviews", "missing": "Missing"}


class InMemoryUpload(FileUploadHandler):
    """Each uploaded file kept in memory, never on disk; past MAX_BYTES the rest
    is dropped and the file arrives empty with its full size, for the form to
    refuse."""

    def __init__(self, request=None):
        super().__init__(request)
        self.kept = 0  # bytes held across the request's files

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.buffer, self.too_big = io.BytesIO(), self.field_name not in FILES

    def receive_data_chunk(self, raw_data, start):
        if not self.too_big and (
            start + len(raw_data) > MAX_BYTES or self.kept + len(raw_data) > len(FILES) * MAX_BYTES
        ):
            self.too_big = True
            self.kept -= self.buffer.tell()
            self.buffer = io.BytesIO()
        if not self.too_big:
            self.buffer.write(raw_data)
            self.kept += len(raw_data)
        return None

    def file_complete(self, file_size):
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            self.buffer, self.field_name, self.file_name, self.content_type, file_size,
            self.charset, self.content_type_extra,
        )  # fmt: skip


class ImportForm(forms.Form):
    header = forms.FileField(label="Header file")
    episodes = forms.FileField(label="Episodes file")
    reviews = forms.FileField(label="Reviews file (optional)", required=False)
    missing = forms.FileField(label="Missing file (optional)", required=False)
    checked = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, button="check", **kwargs):
        super().__init__(*args, **kwargs)
        for name, table in FILES.items():
            self.fields[name].error_messages["required"] = f"Select the {table} file"
            self.fields[
                name
            ].help_text = f"The {table} table as a CSV file, columns named in its first line."
        self.helper = FormHelper(self)
        self.helper.label_size = Size.SMALL
        self.helper.attrs = {"data-no-draft": ""}  # the files are chosen again, not kept
        if button == "load":
            self.helper.layout.append(Button.primary("load", "Load the return"))
        else:
            self.helper.layout.append(Button.primary("check", "Check the files"))

    def _text(self, name: str) -> str:
        upload = self.cleaned_data.get(name)
        table = FILES[name]
        if not upload:
            return ""
        if upload.size > MAX_BYTES:
            raise ValidationError(f"The {table} file must be smaller than {MAX_BYTES // 2**20} MB")
        if not upload.name.lower().endswith(".csv"):
            raise ValidationError(f"The {table} file must be a CSV file")
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(f"The {table} file must be a CSV file saved as UTF-8") from None
        if "\x00" in text:
            raise ValidationError(f"The {table} file must be a CSV file")
        loading.read_table(text, table)  # its columns
        return text

    def clean_header(self):
        return self._text("header")

    def clean_episodes(self):
        return self._text("episodes")

    def clean_reviews(self):
        return self._text("reviews")

    def clean_missing(self):
        return self._text("missing")

    def texts(self) -> list[str]:
        return [self.cleaned_data[name] for name in FILES]


def _digest(user, texts: list[str]) -> str:
    digest = hashlib.sha256(str(user.pk).encode())
    for text in texts:
        digest.update(hashlib.sha256(text.encode()).digest())
    return digest.hexdigest()


@csrf_exempt
def import_return(request):
    # Who may load is asked before the body is read; the upload handlers are set
    # before it is read too, so the CSRF check (which reads it) follows them.
    policy.require(policy.may_import_ssda903(request.user))
    request.upload_handlers = [InMemoryUpload(request)]
    return _import_return(request)


@csrf_protect
def _import_return(request):
    context = {"title": "Load an SSDA903 return", "plan": None}
    if request.method != "POST":
        context["form"] = ImportForm()
        return render(request, "reporting/ssda903_import.html", context)
    form = ImportForm(request.POST, request.FILES)
    context["form"] = form
    if not form.is_valid():
        return render(request, "reporting/ssda903_import.html", context)
    texts, digest = form.texts(), _digest(request.user, form.texts())
    loads = "load" in request.POST
    if loads:
        try:
            checked = signing.loads(
                form.cleaned_data["checked"], salt=SALT, max_age=CHECKED_FOR_SECONDS
            )
        except signing.BadSignature:
            checked = None
        if checked != digest:
            form.add_error(
                None,
                "These are not the files you checked in the last hour: check them again "
                "before you load them",
            )
            return render(request, "reporting/ssda903_import.html", context)
    try:
        plan = loading.load(*texts, dry_run=not loads, by=request.user)
    except ValidationError as error:
        form.add_error(None, error)
        return render(request, "reporting/ssda903_import.html", context)
    if plan.loaded:
        log.info("SSDA903 return loaded by user %s: %s", request.user.pk, plan.summary())
        messages.success(request, f"The return was loaded: {plan.summary()}.")
        return redirect("reporting:ssda903_import")
    context["plan"] = plan
    if not plan.refused:
        context["load_form"] = ImportForm(
            initial={"checked": signing.dumps(digest, salt=SALT)}, button="load"
        )
    return render(request, "reporting/ssda903_import.html", context)


__all__ = ["import_return"]
