"""The pages people work from: caseloads, the case overview, the audit trail,
signing in and out."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import selectors
from cases.models import CaseView, Child, LegalStatusCode, Role, Stage
from tests.factories import (
    ChildFactory,
    FamilyMemberFactory,
    LegalStatusFactory,
    UserFactory,
    open_case,
)

pytestmark = pytest.mark.usefixtures("on_10_march_2026")

D = datetime.date
MY_CASES = reverse("cases:my_cases")


def names_listed(response) -> set[str]:
    return {c.child.first_name for c in response.context["page"].object_list}


@pytest.fixture
def caseload(case, team_manager, social_worker, colleague, iro):
    """Kayla's case (Sarah's), plus Noah's (also Sarah's, at assessment, on an
    interim care order) and Ruby's (Colin's) in the same team."""
    noah = open_case(
        team_manager=team_manager,
        social_worker=social_worker,
        child=ChildFactory(first_name="Noah", last_name="Fairweather", local_identifier="N200001"),
    )
    noah.stage = Stage.ASSESSMENT
    noah.save()
    LegalStatusFactory(child=noah.child, code=LegalStatusCode.C1)
    ruby = open_case(
        team_manager=team_manager,
        social_worker=colleague,
        child=ChildFactory(first_name="Ruby", last_name="Brightman", local_identifier="N200002"),
    )
    return {"kayla": case, "noah": noah, "ruby": ruby}


@pytest.fixture
def as_social_worker(client, social_worker):
    client.force_login(social_worker)
    return client


# My cases


def test_my_cases_lists_the_cases_allocated_to_me(as_social_worker, caseload):
    response = as_social_worker.get(MY_CASES)

    assert response.status_code == 200
    assert names_listed(response) == {"Kayla", "Noah"}
    assert "Kayla Brightwater" in response.content.decode()


def test_my_cases_can_show_every_case_i_may_see(as_social_worker, caseload):
    response = as_social_worker.get(MY_CASES, {"scope": "all"})

    assert names_listed(response) == {"Kayla", "Noah", "Ruby"}


def test_my_cases_for_an_iro_are_the_ones_she_reviews(client, iro, caseload):
    client.force_login(iro)

    assert names_listed(client.get(MY_CASES)) == {"Kayla"}


def test_my_cases_filters_by_stage(as_social_worker, caseload):
    response = as_social_worker.get(MY_CASES, {"stage": Stage.ASSESSMENT})

    assert names_listed(response) == {"Noah"}


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("kayla", {"Kayla"}),
        ("Kayla Brightwater", {"Kayla"}),
        ("brightwater kayla", {"Kayla"}),  # every word, in any order
        ("bright", {"Kayla", "Ruby"}),
        ("Kayla Fairweather", set()),
        ("N200001", {"Noah"}),  # the exact identifier
        ("n200001", {"Noah"}),
        ("N2000", set()),  # not part of one
        ("  ruby  ", {"Ruby"}),
    ],
)
def test_my_cases_searches_names_and_identifiers(as_social_worker, caseload, search, found):
    response = as_social_worker.get(MY_CASES, {"scope": "all", "q": search})

    assert names_listed(response) == found


def test_my_cases_filters_by_current_legal_status(as_social_worker, caseload):
    interim = as_social_worker.get(MY_CASES, {"legal_status": LegalStatusCode.C1})
    section_20 = as_social_worker.get(MY_CASES, {"legal_status": LegalStatusCode.V2})

    assert names_listed(interim) == {"Noah"}
    assert names_listed(section_20) == {"Kayla"}


def many_cases(count: int, *, team_manager, social_worker):
    for _ in range(count):
        case = open_case(team_manager=team_manager, social_worker=social_worker)
        LegalStatusFactory(child=case.child)


def test_my_cases_are_shown_25_to_a_page(as_social_worker, team_manager, social_worker):
    many_cases(30, team_manager=team_manager, social_worker=social_worker)

    first = as_social_worker.get(MY_CASES)
    second = as_social_worker.get(MY_CASES, {"page": 2})

    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 5
    assert "30 cases" in first.content.decode()
    assert first.context["page"].has_next() and not second.context["page"].has_next()


def test_the_next_page_keeps_the_filters(as_social_worker, team_manager, social_worker):
    many_cases(30, team_manager=team_manager, social_worker=social_worker)

    response = as_social_worker.get(MY_CASES, {"stage": Stage.IDENTIFICATION, "page": 2})

    assert response.context["query"] == "stage=identification"
    assert len(response.context["page"].object_list) == 5


def test_my_cases_takes_the_same_number_of_queries_however_many_cases(
    as_social_worker, team_manager, social_worker
):
    many_cases(5, team_manager=team_manager, social_worker=social_worker)
    with CaptureQueriesContext(connection) as few:
        as_social_worker.get(MY_CASES)

    many_cases(30, team_manager=team_manager, social_worker=social_worker)
    with CaptureQueriesContext(connection) as many:
        response = as_social_worker.get(MY_CASES)

    assert len(response.context["page"].object_list) == 25
    assert len(many) == len(few), "\n".join(q["sql"] for q in many.captured_queries)


# Team caseload


def test_the_team_manager_sees_her_teams_workload(client, team_manager, caseload):
    closed = caseload["ruby"]
    closed.stage, closed.closed_on = Stage.CLOSED, D(2026, 3, 10)
    closed.save()
    client.force_login(team_manager)

    response = client.get(reverse("cases:team"))

    assert response.status_code == 200
    workload = {str(worker): worker.open_cases for worker in response.context["workload"]}
    assert workload == {"Sarah Wood": 2, "Colin Reed": 0}
    assert names_listed(response) == {"Kayla", "Noah"}
    html = response.content.decode()
    assert "Sarah Wood" in html and "Open cases (2)" in html


def test_the_head_of_service_sees_the_teams_she_oversees(client, head_of_service, caseload):
    client.force_login(head_of_service)

    response = client.get(reverse("cases:team"))

    assert response.context["team"].name == "North"


@pytest.mark.parametrize("who", ["social_worker", "iro", "performance"])
def test_practitioners_have_no_team_caseload(client, caseload, who, request):
    client.force_login(request.getfixturevalue(who))

    assert client.get(reverse("cases:team")).status_code == 403


def test_a_team_manager_cannot_open_another_teams_caseload(client, south_manager, north):
    client.force_login(south_manager)

    response = client.get(reverse("cases:team_detail", args=[north.pk]))

    assert response.status_code == 403
    assert "You cannot do this" in response.content.decode()


def test_a_team_that_does_not_exist_is_not_found(client, south_manager, north):
    client.force_login(south_manager)

    assert client.get(reverse("cases:team_detail", args=[north.pk + 1000])).status_code == 404


# The case overview


def test_the_overview_lists_outstanding_police_checks(as_social_worker, case):
    FamilyMemberFactory(case=case, name="Tyler Brightwater", date_of_birth=D(2009, 6, 1))
    FamilyMemberFactory(case=case, name="Baby Brightwater", date_of_birth=D(2024, 6, 1))
    FamilyMemberFactory(
        case=case, name="Uncle Ray", age_when_recorded=50, date_of_birth=None, regular_visitor=True
    )

    response = as_social_worker.get(reverse("cases:overview", args=[case.pk]))

    outstanding = {row.member.name for row in response.context["outstanding_checks"]}
    assert outstanding == {"Dawn Brightwater", "Tyler Brightwater", "Uncle Ray"}
    assert "3 police checks outstanding" in response.content.decode()


def test_a_returned_police_check_is_no_longer_outstanding(as_social_worker, case):
    check = case.family_members.get(name="Dawn Brightwater").police_checks.get()
    check.returned_on, check.outcome = D(2026, 3, 1), "no_trace"
    check.save()

    response = as_social_worker.get(reverse("cases:overview", args=[case.pk]))

    assert response.context["outstanding_checks"] == []
    assert "police check" not in response.content.decode().split("On this page")[0]


def test_the_overview_flags_a_child_out_of_home_fewer_than_four_months(
    client, team_manager, social_worker
):
    recent = open_case(
        team_manager=team_manager,
        social_worker=social_worker,
        became_looked_after_on=D(2025, 11, 11),
    )
    client.force_login(social_worker)

    response = client.get(reverse("cases:overview", args=[recent.pk]))

    assert response.context["out_of_home_long_enough"] is False
    assert "out of home for less than four months (four months on 11 March 2026)" in (
        response.content.decode()
    )


def test_no_flag_once_the_child_has_been_out_of_home_four_months(
    client, team_manager, social_worker
):
    settled = open_case(
        team_manager=team_manager,
        social_worker=social_worker,
        became_looked_after_on=D(2025, 11, 10),
    )
    client.force_login(social_worker)

    response = client.get(reverse("cases:overview", args=[settled.pk]))

    assert response.context["out_of_home_long_enough"] is True
    assert "less than four months" not in response.content.decode()


def test_recording_a_check_from_the_household_table_starts_with_that_person(as_social_worker, case):
    """The household table links to "Record check" with ?member=<id>."""
    mother = case.family_members.get(name="Dawn Brightwater")
    address = reverse("cases:add_record", args=[case.pk, "police-check"])

    response = as_social_worker.get(address, {"member": mother.pk})

    assert str(response.context["form"]["member"].value()) == str(mother.pk)


@pytest.mark.parametrize(
    ("who", "page"),
    [
        ("colleague", "overview"),
        ("social_worker", "edit_child"),
        ("social_worker", "edit_case"),
        ("team_manager", "allocate"),
        ("team_manager", "audit"),
    ],
)
def test_every_view_of_a_case_page_is_logged(client, case, who, page, request):
    person = request.getfixturevalue(who)
    client.force_login(person)
    address = reverse(f"cases:{page}", args=[case.pk])

    client.get(address)

    view = CaseView.objects.get()
    assert (view.case, view.user, view.path) == (case, person, address)
    assert view.viewed_at.date() == D(2026, 3, 10)


def test_viewing_a_record_form_is_logged(as_social_worker, case, social_worker):
    address = reverse("cases:add_record", args=[case.pk, "sibling"])

    as_social_worker.get(address)

    assert CaseView.objects.filter(case=case, user=social_worker, path=address).exists()


def test_a_refused_view_is_not_logged_as_a_view(client, case, outsider):
    client.force_login(outsider)

    client.get(reverse("cases:overview", args=[case.pk]))

    assert not CaseView.objects.exists()


# The audit trail


def test_the_audit_page_shows_who_changed_the_child(client, case, social_worker, team_manager):
    client.force_login(social_worker)
    child = case.child
    client.post(
        reverse("cases:edit_child", args=[case.pk]),
        {
            "first_name": "Kayla",
            "last_name": "Brightwell",
            "date_of_birth_0": str(child.date_of_birth.day),
            "date_of_birth_1": str(child.date_of_birth.month),
            "date_of_birth_2": str(child.date_of_birth.year),
            "sex": child.sex,
            "ethnicity": child.ethnicity,
            "local_identifier": child.local_identifier,
            "nhs_number": "",
            "version": str(child.version),
        },
    )
    assert Child.objects.get(pk=child.pk).history.first().history_user == social_worker

    client.force_login(team_manager)
    response = client.get(reverse("cases:audit", args=[case.pk]))

    change = next(c for c in response.context["changes"] if c.record == "Child")
    assert (change.who, change.action) == (social_worker, "Changed")
    assert change.changes == [("Last name", "Brightwater", "Brightwell")]
    html = response.content.decode()
    assert "Changed child" in html
    assert "Brightwater</span> → Brightwell" in html


def test_the_audit_page_lists_who_viewed_the_case(client, case, colleague, team_manager):
    client.force_login(colleague)
    client.get(reverse("cases:overview", args=[case.pk]))

    client.force_login(team_manager)
    response = client.get(reverse("cases:audit", args=[case.pk]))

    assert [v.user for v in response.context["views"]] == [team_manager, colleague]
    assert "Colin Reed" in response.content.decode()


def test_every_change_and_view_can_be_reached_page_by_page(
    client, case, colleague, team_manager, monkeypatch
):
    """Nothing drops off the end of the trail: older entries are on later pages."""
    from cases import views

    monkeypatch.setattr(views, "AUDIT_PER_PAGE", 3)
    start = datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC)
    for n in range(7):
        CaseView.objects.create(
            case=case,
            user=colleague,
            path=f"/look/{n}/",
            viewed_at=start + datetime.timedelta(minutes=n),
        )
    changes = len(selectors.case_versions(case))
    assert changes > 3
    client.force_login(team_manager)
    audit = reverse("cases:audit", args=[case.pk])

    seen_paths, seen_changes, page = [], 0, 1
    while True:
        response = client.get(audit, {"views_page": page, "page": page})
        seen_paths += [v.path for v in response.context["views"]]
        seen_changes += len(response.context["changes"])
        if not response.context["views_page"].has_next() and not (
            response.context["changes_page"].has_next()
        ):
            break
        page += 1

    assert {f"/look/{n}/" for n in range(7)} <= set(seen_paths)
    assert seen_changes == changes
    first = client.get(audit, {"views_page": 2}).content.decode()
    assert "views_page=3" in first and "views_page=1" in first  # Next and Previous
    assert "page=1&amp;views_page=3" in first  # the changes keep their place


# Signing in, staying signed in, resetting a password


def test_home_sends_people_to_their_cases(client, social_worker):
    client.force_login(social_worker)

    assert client.get("/").url == MY_CASES


def test_the_keep_alive_endpoint_refreshes_the_session(client, social_worker):
    client.force_login(social_worker)

    response = client.post(reverse("keep_session_alive"))

    assert response.status_code == 200
    assert response.json() == {"idle_seconds": 30 * 60}


def test_the_keep_alive_endpoint_only_accepts_post(client, social_worker):
    client.force_login(social_worker)

    assert client.get(reverse("keep_session_alive")).status_code == 405


def test_the_health_check_needs_no_sign_in(client, db):
    response = client.get(reverse("healthcheck"))

    assert response.status_code == 200
    assert response.content == b"ok"


PASSWORD = "a long memorable passphrase"


@pytest.fixture
def sarah(db):
    return UserFactory(
        username="sarah",
        first_name="Sarah",
        last_name="Wood",
        email="sarah.wood@council.example.gov.uk",
        password=PASSWORD,
        roles=[Role.SOCIAL_WORKER],
    )


def test_the_sign_in_page_renders(client, db):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert "Sign in" in response.content.decode()


def test_signing_in_with_the_wrong_password_shows_an_error(client, sarah):
    response = client.post(reverse("login"), {"username": "sarah", "password": "wrong"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Enter a correct username and password" in html
    assert "_auth_user_id" not in client.session


def test_signing_in_takes_you_to_your_cases(client, sarah):
    response = client.post(reverse("login"), {"username": "sarah", "password": PASSWORD})

    assert response.url == MY_CASES
    assert client.session["_auth_user_id"] == str(sarah.pk)


def test_signing_out_ends_the_session(client, sarah):
    client.force_login(sarah)

    response = client.post(reverse("logout"))

    assert response.url == reverse("login")
    assert client.get(MY_CASES).status_code == 302


def test_a_password_reset_sends_an_email_with_a_link(client, sarah):
    response = client.post(
        reverse("password_reset"), {"email": "sarah.wood@council.example.gov.uk"}
    )

    assert response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sarah.wood@council.example.gov.uk"]
    assert "/password-reset/" in mail.outbox[0].body


def test_a_password_reset_for_an_unknown_address_sends_nothing(client, sarah):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.gov.uk"})

    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []
