"""Several records of a kind on one page (the "add another" pattern): rows added
by the server without JavaScript, saved all or nothing through the record
service, so its rules refuse a row as they refuse one record."""

import re

import pytest

from cases.models import FamilyMember, PoliceCheck
from planning.models import FamilyTimeStep
from reunification.clock import today

pytestmark = pytest.mark.django_db


def url(case, kind):
    return f"/cases/{case.pk}/{kind}/add-several/"


def step(n, starts, ends, frequency="Weekly"):
    day, month, year = starts
    values = {
        f"row-{n}-starts_on_0": day,
        f"row-{n}-starts_on_1": month,
        f"row-{n}-starts_on_2": year,
        f"row-{n}-frequency": frequency,
        f"row-{n}-duration": "Two hours",
    }
    if ends:
        values |= {
            f"row-{n}-ends_on_0": ends[0],
            f"row-{n}-ends_on_1": ends[1],
            f"row-{n}-ends_on_2": ends[2],
        }
    return values


def test_add_another_shows_one_more_row_keeping_what_was_typed_and_saves_nothing(
    client, journey_case, social_worker
):
    client.force_login(social_worker)
    data = {"rows": "1", "add_another": "1", **step(0, ("2", "3", "2026"), None, "Twice a week")}
    response = client.post(url(journey_case, "family-time-step"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="row-1-frequency"' in page
    assert 'value="Twice a week"' in page
    assert "There is a problem" not in page
    assert not FamilyTimeStep.objects.filter(case=journey_case).exists()


def test_every_row_is_saved_in_one_go(client, journey_case, social_worker):
    client.force_login(social_worker)
    data = {
        "rows": "3",
        **step(0, ("2", "3", "2026"), ("15", "3", "2026")),
        **step(1, ("16", "3", "2026"), ("29", "2", "2028"), "Weekends"),
        # the third row is left blank: it is left out, not refused
    }
    response = client.post(url(journey_case, "family-time-step"), data)
    assert response.status_code == 302
    saved = FamilyTimeStep.objects.filter(case=journey_case).order_by("starts_on")
    assert [s.frequency for s in saved] == ["Weekly", "Weekends"]


def test_a_row_the_rules_refuse_saves_none_of_the_rows(client, journey_case, social_worker):
    client.force_login(social_worker)
    data = {
        "rows": "2",
        **step(0, ("2", "3", "2026"), ("15", "3", "2026")),
        # ends before it starts: the family-time rule refuses it
        **step(1, ("31", "3", "2026"), ("1", "3", "2026")),
    }
    response = client.post(url(journey_case, "family-time-step"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Family time step 2:" in page
    assert not FamilyTimeStep.objects.filter(case=journey_case).exists()


def test_a_page_with_every_row_blank_asks_for_one(client, journey_case, social_worker):
    client.force_login(social_worker)
    response = client.post(url(journey_case, "direct-work-session"), {"rows": "2"})
    assert "Fill in at least one direct work session" in response.content.decode()


def test_police_checks_start_with_a_row_for_each_person_named(client, case, social_worker):
    client.force_login(social_worker)
    members = [
        FamilyMember.objects.create(
            case=case, name=name, relationship="Parent", age_when_recorded=40, recorded_on=today()
        )
        for name in ("Dawn", "Lee")
    ]
    query = "&".join(f"member={m.pk}" for m in members)
    page = client.get(url(case, "police-check") + "?" + query).content.decode()
    assert 'name="row-1-member"' in page and 'name="row-2-member"' not in page
    data = {"rows": "2"}
    for n, member in enumerate(members):
        data |= {
            f"row-{n}-member": member.pk,
            f"row-{n}-requested_on_0": "2",
            f"row-{n}-requested_on_1": "3",
            f"row-{n}-requested_on_2": "2026",
        }
    assert client.post(url(case, "police-check"), data).status_code == 302
    assert PoliceCheck.objects.filter(member__in=members).count() == 2


def test_only_lists_that_grow_have_the_page(client, case, social_worker):
    client.force_login(social_worker)
    assert client.get(url(case, "contingency-plan")).status_code == 404


def test_someone_from_another_team_cannot_open_it(client, case, outsider):
    client.force_login(outsider)
    assert client.get(url(case, "household-member")).status_code == 404


def test_number_questions_are_govuk_text_inputs_without_contradicting_limits(
    client, case, social_worker
):
    client.force_login(social_worker)
    page = client.get(f"/cases/{case.pk}/details/").content.decode()
    box = re.search(r'<input[^>]*name="risk_step_months"[^>]*>', page).group(0)
    assert 'inputmode="numeric"' in box and "govuk-input--width-3" in box
    assert 'min="0"' not in box and 'type="number"' not in box
