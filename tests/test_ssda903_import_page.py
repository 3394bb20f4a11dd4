"""The import page: performance staff check a council's SSDA903 files (a dry run
that shows what would change and every refused row), then choose the same files
again to load them, all or nothing, through the same service as the command."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases import policy
from cases.models import Child, LegalStatus, LoadedReview, MissingEpisode
from reporting.ssda903 import importing

URL = reverse("reporting:ssda903_import")
HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nC1,F,03/02/2015,WBRI,UN1,0,\n"
EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
    "PL_POST,URN\n"
    "C1,01/05/2025,S,V2,N1,U6,PR1,01/09/2025,X1,CARPL,TW1 1AA,TW1 1AW,SC482619\n"
    "C1,01/09/2025,P,V2,N1,K2,PR4,28/02/2026,E4A,,TW1 1AA,TW1 1AX,SC391774\n"
)
REVIEWS = "CHILD,DOB,REVIEW,REVIEW_CODE\nC1,03/02/2015,21/05/2025,PN1\n"
MISSING = "CHILD,DOB,MISSING,MIS_START,MIS_END\nC1,03/02/2015,A,01/06/2025,02/06/2025\n"


def files(header=HEADER, episodes=EPISODES, reviews=REVIEWS, missing=MISSING, names=None):
    names = names or {}
    texts = {"header": header, "episodes": episodes, "reviews": reviews, "missing": missing}
    return {
        name: SimpleUploadedFile(names.get(name, f"{name}.csv"), text.encode(), "text/csv")
        for name, text in texts.items()
        if text is not None
    }


def check(client, **kwargs):
    return client.post(URL, {**files(**kwargs), "check": ""})


def load(client, checked, **kwargs):
    return client.post(URL, {**files(**kwargs), "checked": checked, "load": ""})


def nothing_loaded():
    return not Child.objects.exists() and not LegalStatus.objects.exists()


@pytest.mark.django_db
def test_performance_staff_check_then_load_the_files_and_a_rerun_changes_nothing(
    client, performance
):
    client.force_login(performance)
    assert client.get(URL).status_code == 200

    checked = check(client)

    assert checked.status_code == 200 and nothing_loaded()
    plan = checked.context["plan"]
    assert (len(plan.created), plan.episodes, plan.statuses, plan.placements) == (1, 2, 1, 2)
    assert (plan.reviews, plan.missing, plan.refused) == (1, 1, [])
    assert "Children created" in checked.text and "Load the return" in checked.text
    token = checked.context["load_form"].initial["checked"]

    loaded = load(client, token)

    assert loaded.status_code == 302
    child = Child.objects.get(local_identifier="C1")
    assert child.legal_statuses.get().end_date == datetime.date(2026, 2, 28)
    assert child.placements.count() == 2
    assert LoadedReview.objects.get().participation == "PN1"
    assert MissingEpisode.objects.get().kind == "A"
    assert "The return was loaded: 1 children new" in client.get(URL).text

    again = check(client).context["plan"]
    assert (again.created, again.histories, again.reviews, again.missing) == ([], [], 0, 0)
    assert load(client, token).status_code == 302
    assert (Child.objects.count(), LegalStatus.objects.count()) == (1, 1)
    assert (LoadedReview.objects.count(), MissingEpisode.objects.count()) == (1, 1)


@pytest.mark.django_db
def test_the_dry_run_lists_every_refused_row_and_offers_no_load(client, performance):
    client.force_login(performance)
    header = HEADER + "C2,1,03/02/2015,WBRI,UN1,,\n"
    reviews = REVIEWS + "C1,03/02/2015,22/05/2025,PN9\n"

    response = check(client, header=header, reviews=reviews)

    refused = [(r.table, r.row, r.child, r.reason) for r in response.context["plan"].refused]
    assert refused == [
        ("Header", 3, "C2", "SEX '1' is not M, F or U"),
        ("Reviews", 3, "C1", "REVIEW_CODE 'PN9' is not an SSDA903 participation code"),
    ]
    assert "would be refused, so nothing can be loaded" in response.text
    assert "SEX &#x27;1&#x27; is not M, F or U" in response.text
    assert "load_form" not in response.context and nothing_loaded()


@pytest.mark.django_db
def test_files_other_than_the_ones_checked_are_not_loaded(client, performance):
    client.force_login(performance)
    token = check(client).context["load_form"].initial["checked"]
    other = HEADER.replace("WBRI", "WIRI")

    response = load(client, token, header=other)

    assert response.status_code == 200 and nothing_loaded()
    assert "These are not the files you checked" in response.text
    assert load(client, "forged", header=HEADER).status_code == 200 and nothing_loaded()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"header": None}, "Select the Header file"),
        ({"episodes": None}, "Select the Episodes file"),
        ({"names": {"header": "header.xlsx"}}, "The Header file must be a CSV file"),
        ({"episodes": "\x00\x01PK"}, "The Episodes file must be a CSV file"),
        ({"reviews": "CHILD,DOB,REVIEW\nC1,03/02/2015,21/05/2025\n"}, "has no REVIEW_CODE column"),
        ({"missing": "a;b\n1;2\n"}, "The Missing file has no CHILD, DOB, MISSING"),
    ],
)
def test_a_bad_upload_gets_an_error_summary_and_loads_nothing(client, performance, kwargs, message):
    client.force_login(performance)
    response = check(client, **kwargs)

    assert response.status_code == 200 and nothing_loaded()
    assert "govuk-error-summary" in response.text and message in response.text
    assert response.context["plan"] is None


@pytest.mark.django_db
def test_a_file_too_big_is_refused_without_being_kept(client, performance, monkeypatch):
    monkeypatch.setattr(importing, "MAX_BYTES", 100)
    client.force_login(performance)

    response = check(client)

    assert "The Episodes file must be smaller than" in response.text and nothing_loaded()


@pytest.mark.django_db
def test_only_performance_staff_may_load_a_return(
    client, social_worker, team_manager, iro, outsider, director
):
    for user in (social_worker, team_manager, iro, outsider, director):
        assert not policy.may_import_ssda903(user)
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert check(client).status_code == 403
    assert nothing_loaded()


@pytest.mark.django_db
def test_the_ssda903_page_links_to_the_import_page_for_performance_staff_only(
    client, performance, team_manager
):
    client.force_login(performance)
    assert URL in client.get(reverse("reporting:ssda903")).text
    client.force_login(team_manager)
    assert URL not in client.get(reverse("reporting:ssda903")).text


@pytest.mark.django_db
def test_the_page_still_checks_the_csrf_token(performance):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(performance)

    assert check(client).status_code == 403 and nothing_loaded()
