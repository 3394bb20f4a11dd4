"""Nobody reads children's records where nothing logs it.

The Django admin holds people, teams, service areas and roles, and nothing about a
child, even for a superuser; the performance officer of the demo is not a
superuser; every download of children's data is logged and shown to service
directors; and nothing a signed-in person is shown is kept in a browser's cache.
"""

import csv
import datetime
import io

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from simple_history.models import HistoricalChanges

from cases import policy
from cases.models import (
    AppendOnly,
    CaseView,
    Child,
    DataDownload,
    ReunificationCase,
    Role,
    ServiceArea,
    Team,
    User,
)
from tests.factories import UserFactory

KAYLA = ("Kayla", "Brightwater")
NOON = datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC)


@pytest.fixture
def superuser(db):
    """A system administrator: staff and superuser, holding no role."""
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def reaches_a_child(model, seen=None) -> bool:
    """Whether the model is a child or a case, or reaches one through its foreign
    keys (a record of a case, of a record of a case, and so on)."""
    if model in (Child, ReunificationCase):
        return True
    seen = seen or set()
    seen.add(model)
    for field in model._meta.get_fields():
        if not (field.concrete and field.is_relation and (field.many_to_one or field.one_to_one)):
            continue
        target = field.related_model
        if target not in seen and reaches_a_child(target, seen):
            return True
    return False


def holds_childrens_data(model) -> bool:
    return (
        issubclass(model, HistoricalChanges)
        or reaches_a_child(model)
        or model in (CaseView, DataDownload)
    )


CHILDRENS_DATA = [model for model in apps.get_models() if holds_childrens_data(model)]


def test_the_walk_finds_the_childrens_records_of_every_app():
    labels = {model._meta.label for model in CHILDRENS_DATA}
    for label in [
        "cases.Child",
        "cases.ReunificationCase",
        "cases.Placement",
        "cases.PoliceCheck",  # through the family member to the case
        "cases.HistoricalChronologyEntry",
        "cases.CaseView",
        "cases.DataDownload",
        "risk.RiskFactorEntry",  # through the assessment
        "planning.GoalReview",  # through the goal and the agreement
        "reviews.Recommendation",
        "reviews.Deadline",
    ]:
        assert label in labels, label
    assert "cases.User" not in labels and "cases.Team" not in labels
    assert len(CHILDRENS_DATA) > 80


def test_no_model_holding_childrens_data_is_in_the_admin():
    registered = [model for model in CHILDRENS_DATA if admin.site.is_registered(model)]
    assert registered == []


def test_the_admin_holds_only_people_teams_service_areas_and_sign_in_attempts():
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    assert set(admin.site._registry) == {
        User,  # with the roles each person holds, inline
        Team,
        ServiceArea,
        Group,
        AccessAttempt,  # sign-in lockouts, cleared here (usernames and addresses)
        AccessLog,
        AccessFailureLog,
    }


def admin_addresses(model) -> list[str]:
    """Every admin address a model would have, for one of its rows (or id 1)."""
    row = model.objects.order_by("pk").first()
    pk = row.pk if row else 1
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    addresses = [base, f"{base}add/", f"{base}{pk}/change/", f"{base}{pk}/history/"]
    addresses.append(f"{base}{pk}/delete/")
    if issubclass(model, ReunificationCase) and row is not None:
        # django-simple-history's page of one old version of the case.
        addresses.append(f"{base}{pk}/history/{row.history.earliest().history_id}/")
    return addresses


@pytest.mark.usefixtures("on_10_march_2026")
def test_a_superuser_finds_no_childs_record_in_the_admin(client, case, superuser):
    CaseView.objects.create(case=case, user=superuser, viewed_at=NOON, path="/cases/1/")
    client.force_login(superuser)
    for model in CHILDRENS_DATA:
        for address in admin_addresses(model):
            response = client.get(address)
            assert response.status_code in (403, 404), address
            assert "Brightwater" not in response.content.decode(), address
            # Nor may a post change anything (the old "revert to this version").
            assert client.post(address, {}).status_code in (403, 404), address
    case.refresh_from_db()
    assert case.child.last_name == "Brightwater"


@pytest.mark.usefixtures("on_10_march_2026")
def test_the_admin_index_names_none_of_them(client, case, superuser):
    client.force_login(superuser)
    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    listed = {entry["model"] for app in response.context["app_list"] for entry in app["models"]}
    assert {User, Team, ServiceArea} <= listed
    assert not listed & set(CHILDRENS_DATA)
    page = response.content.decode().lower()
    for model in CHILDRENS_DATA:
        assert f"/{model._meta.app_label}/{model._meta.model_name}/" not in page, model
    for words in ["reunification case", "children", "historical", "placement", "chronology"]:
        assert words not in page, words
    # Apps holding only children's records have no admin page at all.
    for app in ["risk", "planning", "reviews", "reporting"]:
        assert client.get(f"/admin/{app}/").status_code == 404, app


@pytest.mark.usefixtures("on_10_march_2026")
def test_deleting_a_team_or_a_person_counts_their_cases_without_naming_the_child(
    client, case, superuser, social_worker
):
    client.force_login(superuser)
    pages = [
        reverse("admin:cases_team_delete", args=[case.team_id]),
        reverse("admin:cases_user_delete", args=[social_worker.pk]),
    ]
    for address in pages:
        response = client.get(address)
        assert response.status_code == 200, address
        text = response.content.decode()
        assert "<li>1 reunification case</li>" in text, address  # what stops it
        for name in KAYLA:
            assert name not in text, address
    # The changelist's "delete selected" asks the same question the same way.
    response = client.post(
        reverse("admin:cases_team_changelist"),
        {"action": "delete_selected", "_selected_action": [case.team_id]},
    )
    assert response.status_code == 200
    assert "Brightwater" not in response.content.decode()
    assert Team.objects.filter(pk=case.team_id).exists()


@pytest.mark.usefixtures("on_10_march_2026")
def test_the_admin_still_manages_people_and_their_roles(client, superuser, social_worker):
    client.force_login(superuser)
    for address in [
        reverse("admin:cases_user_changelist"),
        reverse("admin:cases_user_change", args=[social_worker.pk]),
        reverse("admin:cases_team_changelist"),
        reverse("admin:cases_servicearea_changelist"),
    ]:
        assert client.get(address).status_code == 200, address


# The demo's people -------------------------------------------------------------


@pytest.fixture
def demo_settings(settings):
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed_demo(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_demo_performance_officer_is_not_a_superuser_and_the_sysadmin_sees_no_case(
    demo_settings, client
):
    seed_demo("--cases", "3")

    performance = User.objects.get(username="performance")
    assert performance.has_role(Role.PERFORMANCE)
    assert not performance.is_staff and not performance.is_superuser
    sysadmin = User.objects.get(username="sysadmin")
    assert sysadmin.is_staff and sysadmin.is_superuser and sysadmin.is_active
    assert sysadmin.roles == frozenset() and sysadmin.team is None
    assert list(User.objects.filter(is_superuser=True)) == [sysadmin]
    assert not policy.visible_cases(sysadmin).exists()

    client.force_login(sysadmin)
    case = ReunificationCase.objects.order_by("pk").first()
    assert client.get(reverse("cases:overview", args=[case.pk])).status_code == 404
    assert client.get(reverse("admin:index")).status_code == 200
    client.force_login(performance)
    assert client.get(reverse("admin:index")).status_code == 302  # to the admin's sign-in


@pytest.mark.django_db
def test_seeding_again_takes_the_admin_away_from_an_older_demos_performance_officer(
    demo_settings,
):
    seed_demo("--cases", "1")
    User.objects.filter(username="performance").update(is_staff=True, is_superuser=True)

    seed_demo("--cases", "1")

    performance = User.objects.get(username="performance")
    assert not performance.is_staff and not performance.is_superuser
    assert User.objects.get(username="sysadmin").is_superuser


# Every download is logged -------------------------------------------------------


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def dates(name, day):
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


@pytest.mark.usefixtures("on_10_march_2026", "case")
@pytest.mark.parametrize(
    "page, key, title",
    [
        ("reporting:caseload", "overdue", "Caseload and drift"),
        ("reporting:caseload", "by-stage", "Caseload and drift"),
        ("reporting:outcomes", "returns", "Outcomes"),
    ],
)
def test_each_report_download_is_logged_with_who_when_and_what(
    client, team_manager, page, key, title
):
    client.force_login(team_manager)
    query = {"csv": key, "team": team_manager.team_id}

    response = client.get(reverse(page), query)

    assert response.status_code == 200
    [logged] = DataDownload.objects.all()
    assert logged.user == team_manager
    assert logged.downloaded_at.date() == datetime.date(2026, 3, 10)
    assert logged.report.startswith(f"{title}: ")
    assert logged.file_name == f"{key}.csv"
    assert logged.scope == "1 March 2023 to 10 March 2026; teams: North"
    assert logged.row_count == len(csv_rows(response)) - 1  # less the header
    assert logged.source.startswith(reverse(page) + "?") and f"csv={key}" in logged.source


@pytest.mark.usefixtures("on_10_march_2026", "case")
def test_looking_at_a_report_or_asking_for_no_such_table_logs_nothing(client, team_manager):
    client.force_login(team_manager)
    assert client.get(reverse("reporting:caseload")).status_code == 200
    assert client.get(reverse("reporting:outcomes"), {"csv": "nonsense"}).status_code == 404
    assert client.get(reverse("reporting:ssda903")).status_code == 200
    assert not DataDownload.objects.exists()


@pytest.mark.usefixtures("on_10_march_2026", "case")
@pytest.mark.parametrize(
    "who, covering", [("performance", "the whole council"), ("team_manager", "the cases")]
)
def test_the_ssda903_extract_is_logged_with_its_rows(client, request, who, covering):
    person = request.getfixturevalue(who)
    client.force_login(person)
    period = {
        **dates("start", datetime.date(2025, 4, 1)),
        **dates("end", datetime.date(2026, 3, 31)),
    }

    response = client.get(reverse("reporting:ssda903"), period)

    assert response.status_code == 200
    rows = csv_rows(response)[1:]
    assert rows, "the case's episodes are in the extract"
    [logged] = DataDownload.objects.all()
    assert (logged.user, logged.report) == (person, "SSDA903 extract")
    assert logged.file_name == "ssda903-reunification-20250401-20260331.csv"
    assert logged.scope.startswith("1 April 2025 to 31 March 2026; " + covering)
    assert logged.row_count == len(rows)


@pytest.mark.usefixtures("on_10_march_2026", "case")
def test_the_command_line_extract_is_logged_too(tmp_path):
    output = tmp_path / "903.csv"
    call_command(
        "export_ssda903",
        "--start",
        "2025-04-01",
        "--end",
        "2026-03-31",
        "--output",
        str(output),
        stdout=io.StringIO(),
    )

    [logged] = DataDownload.objects.all()
    assert logged.user is None
    assert (logged.report, logged.file_name) == ("SSDA903 extract", "903.csv")
    assert logged.scope == "1 April 2025 to 31 March 2026; the whole council"
    assert logged.row_count == len(output.read_text().splitlines()) - 1
    assert logged.source.startswith("manage.py export_ssda903 --start 2025-04-01")


@pytest.mark.usefixtures("on_10_march_2026")
def test_a_logged_download_cannot_be_changed_or_deleted(team_manager):
    logged = DataDownload.objects.create(
        user=team_manager,
        downloaded_at=NOON,
        report="SSDA903 extract",
        file_name="903.csv",
        scope="all",
        row_count=3,
        source="/reports/ssda903/",
    )
    logged.row_count = 0
    with pytest.raises(AppendOnly):
        logged.save()
    with pytest.raises(AppendOnly):
        logged.delete()
    with pytest.raises(AppendOnly):
        DataDownload.objects.update(row_count=0)
    with pytest.raises(AppendOnly):
        DataDownload.objects.all().delete()
    assert DataDownload.objects.get().row_count == 3


# Who may see the downloads ---------------------------------------------------------


def download(client, person, key="overdue"):
    client.force_login(person)
    assert client.get(reverse("reporting:caseload"), {"csv": key}).status_code == 200


@pytest.mark.usefixtures("on_10_march_2026", "case")
def test_service_directors_see_every_download_newest_first(
    client, team_manager, performance, director
):
    download(client, team_manager, "overdue")
    download(client, performance, "by-stage")
    client.force_login(director)

    response = client.get(reverse("reporting:downloads"))

    assert response.status_code == 200
    text = response.content.decode()
    assert "Tina Marsh (tina.marsh)" in text and "Pat Lowe (pat.lowe)" in text
    assert text.index("by-stage.csv") < text.index("overdue.csv")
    assert "1 March 2023 to 10 March 2026; all teams" in text
    # The reports link to it for them.
    assert (
        reverse("reporting:downloads") in client.get(reverse("reporting:caseload")).content.decode()
    )


@pytest.mark.usefixtures("on_10_march_2026", "case")
def test_the_downloads_page_reads_the_same_few_queries_however_many_there_are(
    client, team_manager, head_of_service, director
):
    download(client, team_manager)
    client.force_login(director)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("reporting:downloads"))
    for person in [head_of_service, director, team_manager]:
        download(client, person)
    client.force_login(director)
    with CaptureQueriesContext(connection) as four:
        client.get(reverse("reporting:downloads"))
    assert len(four) == len(one)


@pytest.mark.usefixtures("on_10_march_2026", "case")
@pytest.mark.parametrize(
    "who", ["social_worker", "team_manager", "head_of_service", "iro", "performance", "superuser"]
)
def test_nobody_else_sees_the_downloads(client, request, who, team_manager):
    download(client, team_manager)
    client.force_login(request.getfixturevalue(who))

    response = client.get(reverse("reporting:downloads"))

    assert response.status_code == 403
    assert "tina.marsh" not in response.content.decode()
    if policy.may_see_reports(request.getfixturevalue(who)):
        page = client.get(reverse("reporting:caseload")).content.decode()
        assert reverse("reporting:downloads") not in page


@pytest.mark.django_db
def test_signed_out_people_are_sent_to_sign_in_from_the_downloads(client):
    response = client.get(reverse("reporting:downloads"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# Nothing personal is kept in a cache ------------------------------------------------


def never_stored(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.usefixtures("on_10_march_2026")
def test_a_case_page_is_never_stored(client, case, social_worker):
    client.force_login(social_worker)
    response = client.get(reverse("cases:overview", args=[case.pk]))

    assert response.status_code == 200
    assert never_stored(response)
    assert "private" in response["Cache-Control"]
    assert response["Pragma"] == "no-cache"


@pytest.mark.usefixtures("on_10_march_2026", "case")
def test_downloads_are_never_stored(client, performance):
    client.force_login(performance)
    table = client.get(reverse("reporting:caseload"), {"csv": "by-stage"})
    period = {
        **dates("start", datetime.date(2025, 4, 1)),
        **dates("end", datetime.date(2026, 3, 31)),
    }
    extract = client.get(reverse("reporting:ssda903"), period)

    for response in (table, extract):
        assert response["Content-Disposition"].startswith("attachment")
        assert never_stored(response)


@pytest.mark.django_db
def test_the_admin_pages_are_never_stored_either(client, superuser):
    client.force_login(superuser)
    assert never_stored(client.get(reverse("admin:cases_user_changelist")))


@pytest.mark.django_db
def test_static_files_keep_their_caching(settings, client, social_worker):
    # WhiteNoise serves from the source folders here, as with collectstatic in production.
    settings.WHITENOISE_USE_FINDERS = True
    client.force_login(social_worker)

    response = client.get("/static/css/reunification.css")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert not never_stored(response)
    assert "Pragma" not in response
