"""The return home's planned/unplanned answer and its SSDA903 reason the care
episode ended (E4A planned, E4B not) cannot contradict each other: the rule on its
own, the service, and the form's error."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reviews.aftercare.rules import episode_end_contradiction
from reviews.models import ReturnHome
from tests import test_return_home as home
from tests.test_return_home import RETURN_DAY, go_home, walked_home

# Kayla's case and its clock, as the return home's tests have them.
clock, unapproved, case = home.clock, home.unapproved, home.case
at_confirmation, return_confirmed = home.at_confirmation, home.return_confirmed


@pytest.mark.parametrize(
    ("planned", "reason", "contradicts"),
    [
        (True, "E4A", False),
        (True, "E4B", True),
        (False, "E4B", False),
        (False, "E4A", True),
        (True, "E13", False),
        (False, "E13", False),
        (True, "", False),  # a care order: the episode continues
        (False, "", False),
    ],
)
def test_e4a_is_a_planned_return_and_e4b_an_unplanned_one(planned, reason, contradicts):
    assert bool(episode_end_contradiction(planned, reason)) is contradicts


def test_a_planned_return_recorded_as_e4b_is_refused(return_confirmed, people):
    with pytest.raises(ValidationError) as refused:
        go_home(return_confirmed, people.social_worker, episode_end_reason="E4B")

    assert refused.value.message_dict == {
        "episode_end_reason": [
            "The return was planned, so the care episode ended with E4A (returned home as "
            "part of the care planning process), not E4B"
        ]
    }
    assert not ReturnHome.objects.exists()


def test_an_unplanned_return_recorded_as_e4a_is_refused(case, people):
    with pytest.raises(ValidationError, match="not planned, so the care episode ended with E4B"):
        walked_home(case, people.social_worker, episode_end_reason="E4A")
    assert not ReturnHome.objects.exists()


def test_the_form_says_which_code_fits(client, case, people):
    client.force_login(people.social_worker)
    response = client.post(
        reverse("reviews:return_home", args=[case.pk]),
        {
            "returned_on_0": str(RETURN_DAY.day),
            "returned_on_1": str(RETURN_DAY.month),
            "returned_on_2": str(RETURN_DAY.year),
            "planned": "no",
            "unplanned_reason": "She went to her mother's.",
            "returned_to": "Her mother",
            "legal_status_after": "child_in_need",
            "episode_end_reason": "E4A",
        },
    )

    assert response.status_code == 200 and not ReturnHome.objects.exists()
    assert "govuk-error-summary" in response.text
    assert response.context["form"].errors["episode_end_reason"] == [
        "The return was not planned, so the care episode ended with E4B (returned home not as "
        "part of the care planning process), not E4A"
    ]
