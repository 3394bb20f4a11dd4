"""At the size of a council, My cases' team and social worker filters are typed,
not chosen from a list of every team and every person a director may see."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.filters import CaseFilter
from cases.models import Role
from tests.factories import ChildFactory, TeamFactory, UserFactory, open_case

pytestmark = pytest.mark.usefixtures("on_10_march_2026")

MY_CASES = reverse("cases:my_cases")


def names_listed(response) -> set[str]:
    return {c.child.first_name for c in response.context["page"].object_list}


@pytest.fixture
def council(case, south, team_manager, social_worker, outsider, south_manager):
    """Kayla's case in North (Sarah's) and Otto's in South."""
    open_case(
        team_manager=south_manager,
        social_worker=outsider,
        child=ChildFactory(first_name="Otto", last_name="Lane"),
    )


def test_a_short_list_is_offered_as_options(client, council, director):
    client.force_login(director)
    html = client.get(MY_CASES, {"scope": "all"}).content.decode()

    assert '<select name="team"' in html and '<select name="social_worker"' in html
    assert ">Sarah Wood</option>" in html


def test_past_the_limit_team_and_worker_are_typed(client, council, director, monkeypatch):
    monkeypatch.setattr(CaseFilter, "list_limit", 1)  # North and South: "many"
    client.force_login(director)

    html = client.get(MY_CASES, {"scope": "all"}).content.decode()

    assert "<option" not in html.split('name="team"')[1].split("</div>")[0]
    assert 'type="text" name="team"' in html or 'name="team" type="text"' in html
    assert "Sarah Wood</option>" not in html
    by_team = client.get(MY_CASES, {"scope": "all", "team": " sout"})
    assert names_listed(by_team) == {"Otto"}
    by_worker = client.get(MY_CASES, {"scope": "all", "social_worker": "wood sarah"})
    assert names_listed(by_worker) == {"Kayla"}
    assert names_listed(client.get(MY_CASES, {"scope": "all", "team": "Nowhere"})) == set()
    assert names_listed(client.get(MY_CASES, {"scope": "all", "team": ""})) == {"Kayla", "Otto"}


def test_the_typed_team_still_shows_only_cases_the_person_may_see(
    client, council, head_of_service, monkeypatch
):
    """Helen oversees North only: typing South finds nothing, not South's cases."""
    monkeypatch.setattr(CaseFilter, "list_limit", 0)
    TeamFactory(name="North East")
    client.force_login(head_of_service)

    assert names_listed(client.get(MY_CASES, {"scope": "all", "team": "south"})) == set()
    assert names_listed(client.get(MY_CASES, {"scope": "all", "team": "north"})) == {"Kayla"}


def _queries(client, url, params) -> int:
    client.get(url, params)  # warm up: sessions, content types
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["director", "head_of_service"])
def test_all_cases_i_can_see_takes_the_same_queries_with_more_teams(
    client, council, request, who, monkeypatch
):
    """The director's typed filters and the head of service's overseen teams
    (their ids read first, then written into the query) cost the same whatever
    the number of teams, social workers and cases."""
    monkeypatch.setattr(CaseFilter, "list_limit", 0)  # typed from the start
    person = request.getfixturevalue(who)
    client.force_login(person)
    before = _queries(client, MY_CASES, {"scope": "all"})
    for number in range(4):
        team = TeamFactory(name=f"East {number}")
        if who == "head_of_service":
            team.heads_of_service.add(person)
        manager = UserFactory(team=team, roles=[Role.TEAM_MANAGER])
        worker = UserFactory(team=team, roles=[Role.SOCIAL_WORKER])
        open_case(team_manager=manager, social_worker=worker)

    assert _queries(client, MY_CASES, {"scope": "all"}) == before
