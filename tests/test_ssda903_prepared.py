"""The whole council's SSDA903 return is prepared in the background (a Celery
task; in-process when there is no broker) and handed over to the person who
asked for it: the same zip the request itself used to build."""

import io
import zipfile

import pytest
from django.urls import reverse

from cases.models import DataDownload
from reporting.models import ExportStatus, PreparedExport
from reporting.ssda903 import prepared
from reporting.ssda903.tables import Year, write_zip
from tests.test_ssda903 import cohort  # noqa: F401 - the children of the return

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("on_10_march_2026", "cohort", "tasks_in_process"),
]

PAGE = reverse("reporting:ssda903")


def members(content: bytes) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    return {name: archive.read(name) for name in archive.namelist()}


def ask(client, user, capture) -> PreparedExport:
    client.force_login(user)
    with capture(execute=True):
        response = client.get(PAGE, {"year": "2026", "download": ""})
    assert response.status_code == 302
    return PreparedExport.objects.get(requested_by=user)


def test_the_prepared_file_is_the_file_the_request_built(
    client, performance, django_capture_on_commit_callbacks
):
    export = ask(client, performance, django_capture_on_commit_callbacks)
    export.refresh_from_db()
    spool, counts = write_zip(Year(2026))
    direct = spool.read()

    assert export.status == ExportStatus.READY and export.ready_at
    assert members(bytes(export.content)) == members(direct)
    assert export.row_counts == counts and counts["Episodes"] > 0
    assert not DataDownload.objects.exists()  # prepared, not yet handed over

    response = client.get(reverse("reporting:ssda903_prepared", args=[export.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="ssda903-2025-26.zip"'
    assert members(response.content) == members(direct)
    [logged] = DataDownload.objects.all()
    assert (logged.user, logged.file_name, logged.row_count) == (
        performance,
        "ssda903-2025-26.zip",
        counts["Episodes"],
    )


def test_the_page_says_it_is_being_prepared_until_it_is_ready(
    client, performance, django_capture_on_commit_callbacks
):
    client.force_login(performance)
    with django_capture_on_commit_callbacks(execute=False):  # the worker has not run yet
        response = client.get(PAGE, {"year": "2026", "download": ""})
    export = PreparedExport.objects.get()
    page = client.get(response.url)
    assert b"is being prepared" in page.content
    link = reverse("reporting:ssda903_prepared", args=[export.pk])
    assert link.encode() not in page.content
    assert client.get(link).url == response.url  # not ready: back to the page

    # Asking again the same day while it is prepared queues nothing more.
    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.get(PAGE, {"year": "2026", "download": ""})
    assert not queued and PreparedExport.objects.count() == 1

    prepared.prepare(export.pk)
    page = client.get(response.url)
    assert link.encode() in page.content and b"is ready" in page.content


def test_a_failed_preparation_says_so(
    client, performance, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(year, cases=None):
        raise RuntimeError("boom")

    monkeypatch.setattr(prepared, "write_zip", broken)
    export = ask(client, performance, django_capture_on_commit_callbacks)
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED
    page = client.get(PAGE, {"year": "2026", "prepared": export.pk})
    assert b"could not be prepared" in page.content


def test_only_the_person_who_asked_gets_the_file(
    client,
    performance,
    director,
    team_manager,
    social_worker,
    iro,
    outsider,
    django_capture_on_commit_callbacks,
):
    export = ask(client, performance, django_capture_on_commit_callbacks)
    link = reverse("reporting:ssda903_prepared", args=[export.pk])
    for other in (director, team_manager, social_worker, iro, outsider):
        client.force_login(other)
        assert client.get(link).status_code == 403, other
        page = client.get(PAGE, {"year": "2026", "prepared": export.pk})
        assert link.encode() not in page.content
    assert not DataDownload.objects.exists()
    client.force_login(performance)
    assert client.get(link).status_code == 200


def test_a_team_manager_still_downloads_her_cases_return_at_once(
    client, team_manager, django_capture_on_commit_callbacks
):
    client.force_login(team_manager)
    response = client.get(PAGE, {"year": "2026", "download": ""})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ssda903-2025-26.zip"'
    assert not PreparedExport.objects.exists()
