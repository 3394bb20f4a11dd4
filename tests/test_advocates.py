"""An advocate or independent person is offered to each parent as well as to the
child, and recorded with the parent's views: offered on which date, accepted or
declined, and who. The risk page shows it for each of them, and the assessment
asks for it of every parent whose views are recorded. It is 10 March 2026."""

import datetime
import html
import re

import pytest
from django.urls import reverse

from reviews.journey.selectors import case_facts
from risk.models import ChildViews, ParentViews
from tests.factories import FamilyMemberFactory

D = datetime.date


@pytest.fixture(autouse=True)
def _today(on_10_march_2026):
    return on_10_march_2026


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def post(client, case, slug, **values):
    data = {}
    for name, value in values.items():
        if isinstance(value, D):
            data.update({f"{name}_0": value.day, f"{name}_1": value.month, f"{name}_2": value.year})
        else:
            data[name] = value
    return client.post(reverse("cases:add_record", args=[case.pk, slug]), data)


@pytest.fixture
def father(case):
    return FamilyMemberFactory(
        case=case, name="Lee Brightwater", relationship="Father", has_parental_responsibility=True
    )


def test_a_parent_s_advocate_is_recorded_with_their_views_and_shown(
    client, case, social_worker, father
):
    client.force_login(social_worker)

    response = post(
        client,
        case,
        "parent-views",
        parent=father.pk,
        recorded_on=D(2026, 3, 9),
        views="I want her home.",
        advocate="accepted",
        advocate_offered_on=D(2026, 3, 2),
        advocate_name="Jo Hart, parents' advocacy service",
    )

    assert response.status_code == 302
    views = ParentViews.objects.get(case=case, parent=father)
    assert (views.advocate, views.advocate_offered_on, views.advocate_name) == (
        "accepted",
        D(2026, 3, 2),
        "Jo Hart, parents' advocacy service",
    )
    page = text(client.get(reverse("risk:overview", args=[case.pk])))
    assert (
        "Advocate or independent person: offered and accepted on 2 March 2026 "
        "(Jo Hart, parents' advocacy service)." in page
    )


@pytest.mark.parametrize(
    "values, errors",
    [
        ({}, {"advocate": ["Select whether an advocate or independent person was offered"]}),
        (
            {"advocate": "accepted"},
            {
                "advocate_offered_on": ["Enter the date the advocate was offered"],
                "advocate_name": ["Enter who the advocate is"],
            },
        ),
        (
            {"advocate": "declined"},
            {"advocate_offered_on": ["Enter the date the advocate was offered"]},
        ),
        (
            {"advocate": "not_offered", "advocate_name": "Jo Hart"},
            {
                "advocate": [
                    "An advocate not offered has no date or name: select how it was offered"
                ]
            },
        ),
        (
            {"advocate": "declined", "advocate_offered_on": D(2026, 3, 11)},
            {"advocate_offered_on": ["Date it was offered must be today or in the past"]},
        ),
    ],
)
def test_a_parent_s_advocate_offer_is_refused_on_its_field_and_nothing_saved(
    client, case, social_worker, father, values, errors
):
    client.force_login(social_worker)

    response = post(
        client,
        case,
        "parent-views",
        parent=father.pk,
        recorded_on=D(2026, 3, 9),
        views="I want her home.",
        **values,
    )

    assert response.status_code == 200
    assert "There is a problem" in text(response)
    assert {k: v for k, v in response.context["form"].errors.items() if k in errors} == errors
    assert not ParentViews.objects.filter(parent=father).exists()


def test_the_child_s_advocate_says_when_and_who_too(client, case, social_worker):
    ChildViews.objects.filter(case=case).delete()
    client.force_login(social_worker)

    refused = post(
        client, case, "child-views", recorded_on=D(2026, 3, 9), views="Home", advocate="accepted"
    )
    assert refused.context["form"].errors["advocate_name"] == ["Enter who the advocate is"]

    saved = post(
        client,
        case,
        "child-views",
        recorded_on=D(2026, 3, 9),
        views="Home",
        advocate="accepted",
        advocate_offered_on=D(2026, 3, 9),
        advocate_name="Sam Okoro",
    )
    assert saved.status_code == 302
    assert ChildViews.objects.get(case=case).advocate_name == "Sam Okoro"


def test_the_assessment_asks_for_the_offer_to_every_parent_whose_views_are_recorded(case):
    assert case_facts(case, D(2026, 3, 10)).advocate_offer_recorded  # mother: declined
    ParentViews.objects.filter(case=case).update(advocate="")  # recorded before it was asked
    assert not case_facts(case, D(2026, 3, 10)).advocate_offer_recorded


@pytest.mark.parametrize("who, status", [("iro", 403), ("outsider", 404), ("team_manager", 200)])
def test_who_may_record_a_parent_s_views_and_advocate(client, case, request, who, status):
    client.force_login(request.getfixturevalue(who))
    url = reverse("cases:add_record", args=[case.pk, "parent-views"])
    assert client.get(url).status_code == status
