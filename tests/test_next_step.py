"""The journey page offers the one next thing to do at the stage, to the person
whose turn it is, linked to its form; the task list links each outstanding item
to where it is recorded."""

import pytest

from cases.models import Stage
from reunification.clock import today
from reviews.journey import decisions
from tests.factories import journey_beyond, journey_to, participants, signed_off_risk_assessment

pytestmark = pytest.mark.django_db


def journey(client, case, user) -> str:
    client.force_login(user)
    return client.get(f"/cases/{case.pk}/journey/").content.decode()


def test_the_next_step_is_offered_to_the_one_whose_turn_it_is(client, journey_case, people):
    journey_case.reunification_first_considered_on = None
    journey_case.save()
    page = journey(client, journey_case, people.social_worker)
    assert (
        f'<a href="/cases/{journey_case.pk}/details/" role="button" draggable="false" '
        'class="govuk-button govuk-!-margin-bottom-0" data-module="govuk-button">'
        "Record when reunification was first considered</a>"
    ) in page
    # The head of service agrees the plan only once it is confirmed.
    assert "Next step for you" not in journey(client, journey_case, people.head_of_service)


def test_at_assessment_each_outstanding_item_links_to_where_it_is_recorded(
    client, journey_case, people
):
    journey_to(journey_case, Stage.ASSESSMENT, people=people)
    page = journey(client, journey_case, people.social_worker)
    pk = journey_case.pk
    assert f'class="govuk-link govuk-task-list__link" href="/cases/{pk}/risk/#views"' in page
    assert f'href="/cases/{pk}/cases/' not in page
    # The first thing still needed is hers: the child's views.
    assert (
        f'<a href="/cases/{pk}/risk/#views" role="button" draggable="false" class="govuk-button'
        in page
    )


def test_after_a_return_date_is_confirmed_the_next_step_is_recording_the_return_home(
    client, journey_case, people
):
    journey_beyond(journey_case, Stage.CONFIRMATION, people=people)
    signed_off_risk_assessment(
        journey_case, author=people.social_worker, manager=people.team_manager
    )
    decisions.record_viability_meeting(
        case=journey_case,
        by=people.team_manager,
        held_on=today(),
        outcome="confirmed",
        rationale="Progress sustained.",
        participants=participants(people),
        return_date=today(),
    )
    page = journey(client, journey_case, people.social_worker)
    assert "Record the return home (due " in page
    assert f'href="/cases/{journey_case.pk}/journey/return-home/"' in page


def test_the_decisions_table_is_in_date_order_and_keeps_acronyms(client, journey_case, people):
    journey_to(journey_case, Stage.ASSESSMENT, people=people)
    page = journey(client, journey_case, people.social_worker)
    table = page[page.index('<h2 class="govuk-heading-m">Decisions</h2>') :]
    ratified = table.index("Care plan ratified at a child in care review chaired by the IRO")
    moved = table.index("Moved from 1. Identification to 2. Assessment")
    assert table.index("Care plan confirmed by the team manager") < ratified < moved
    assert "the iro" not in table
