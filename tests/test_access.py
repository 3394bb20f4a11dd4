"""Who may see and who may change Kayla's case (see cases/policy.py).

Everyone outside the case is told the page does not exist (404), so not even her
name leaks; people who may see the case may read it; only her social worker and the
team manager may change it; only the team manager allocates; only managers see
the audit trail. People who may see the case but try what their role may not do are
told so (403, "You cannot do this").
"""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from cases import policy, services
from cases.models import Child, Role, Stage
from cases.records import RECORD_TYPES
from cases.several import SEVERAL
from cases.urls import urlpatterns
from tests.factories import ChildFactory, PlacementFactory, ReunificationCaseFactory, open_case

pytestmark = pytest.mark.usefixtures("on_10_march_2026")

RECORD_PAGES = [f"add:{slug}" for slug in RECORD_TYPES] + [f"edit:{slug}" for slug in RECORD_TYPES]
SEVERAL_PAGES = [f"several:{slug}" for slug in SEVERAL]
CHANGE_PAGES = ["edit_child", "edit_case", *RECORD_PAGES, *SEVERAL_PAGES]
EVERY_PAGE = ["overview", "audit", "allocate", *CHANGE_PAGES]

OUTSIDERS = ["outsider", "south_manager", "other_iro", "performance"]
VIEWERS = ["colleague", "head_of_service", "iro", "director"]
CHANGERS = ["social_worker", "team_manager"]


def url(page: str, case) -> str:
    """The address of one page of the case."""
    action, _, slug = page.partition(":")
    if action == "add":
        return reverse("cases:add_record", args=[case.pk, slug])
    if action == "several":
        return reverse("cases:add_several", args=[case.pk, slug])
    if action == "edit":
        record = RECORD_TYPES[slug].queryset(case).get()
        return reverse("cases:edit_record", args=[case.pk, slug, record.pk])
    return reverse(f"cases:{page}", args=[case.pk])


@pytest.fixture
def visit(client, case, request):
    """visit("outsider", "overview"): that person's response to that page."""

    def visit(who: str, page: str):
        client.force_login(request.getfixturevalue(who))
        return client.get(url(page, case))

    return visit


def test_every_case_url_is_covered():
    case_pages = {p.name for p in urlpatterns if "<int:pk>" in str(p.pattern)}
    assert case_pages == {
        "overview",
        "audit",
        "edit_child",
        "edit_case",
        "allocate",
        "add_record",
        "add_several",
        "edit_record",
    }


@pytest.mark.parametrize("page", EVERY_PAGE)
@pytest.mark.parametrize("who", OUTSIDERS)
def test_people_outside_the_case_are_told_no_such_page_exists(visit, who, page):
    response = visit(who, page)

    assert response.status_code == 404
    assert "Brightwater" not in response.content.decode()


@pytest.mark.parametrize("who", VIEWERS + CHANGERS)
def test_people_on_or_over_the_case_can_see_it(visit, who):
    response = visit(who, "overview")

    assert response.status_code == 200
    assert "Kayla Brightwater" in response.content.decode()


@pytest.mark.parametrize("page", ["allocate", *CHANGE_PAGES])
@pytest.mark.parametrize("who", VIEWERS)
def test_people_who_may_only_see_the_case_cannot_change_it(visit, who, page):
    response = visit(who, page)

    assert response.status_code == 403
    assert "You cannot do this" in response.content.decode()


@pytest.mark.parametrize("page", CHANGE_PAGES)
@pytest.mark.parametrize("who", CHANGERS)
def test_the_social_worker_and_team_manager_can_change_the_case(visit, who, page):
    assert visit(who, page).status_code == 200


def test_the_team_manager_allocates(visit):
    assert visit("team_manager", "allocate").status_code == 200


def test_the_social_worker_does_not_allocate(visit):
    assert visit("social_worker", "allocate").status_code == 403


@pytest.mark.parametrize("who", ["team_manager", "head_of_service", "director"])
def test_managers_see_the_audit_trail(visit, who):
    assert visit(who, "audit").status_code == 200


@pytest.mark.parametrize("who", ["social_worker", "colleague", "iro"])
def test_practitioners_do_not_see_the_audit_trail(visit, who):
    assert visit(who, "audit").status_code == 403


def test_a_viewer_posting_a_change_is_refused_and_nothing_changes(client, case, colleague):
    client.force_login(colleague)

    response = client.post(url("edit_child", case), {"first_name": "Changed"})

    assert response.status_code == 403
    assert Child.objects.get(pk=case.child_id).first_name == "Kayla"


def test_a_record_of_another_case_cannot_be_opened_through_this_one(
    client, case, social_worker, south_manager
):
    liams = PlacementFactory(child=open_case(team_manager=south_manager).child)
    client.force_login(social_worker)

    response = client.get(reverse("cases:edit_record", args=[case.pk, "placement", liams.pk]))

    assert response.status_code == 404


def test_a_team_that_held_an_earlier_case_cannot_change_the_childs_record_now(
    client, case, south, south_manager
):
    """Kayla's placements belong to her, not to a case: her present record is
    changed through her open case in North, not through a closed one in South."""
    ReunificationCaseFactory(
        child=case.child,
        team=south,
        opened_on=datetime.date(2024, 1, 10),
        stage=Stage.CLOSED,
        closed_on=datetime.date(2024, 9, 1),
    )
    earlier = case.child.cases.get(team=south)
    placement = case.child.placements.get()
    client.force_login(south_manager)

    response = client.get(
        reverse("cases:edit_record", args=[earlier.pk, "placement", placement.pk])
    )

    # South may still see its closed case, but nothing is changed through it.
    assert response.status_code == 403


def test_an_unknown_kind_of_record_is_not_found(client, case, social_worker):
    client.force_login(social_worker)

    assert client.get(reverse("cases:add_record", args=[case.pk, "horoscope"])).status_code == 404


def test_a_case_that_does_not_exist_is_not_found(client, case, director):
    client.force_login(director)

    assert client.get(reverse("cases:overview", args=[case.pk + 1000])).status_code == 404


def test_someone_who_has_left_cannot_see_the_case(client, case, social_worker):
    social_worker.is_active = False
    social_worker.save()

    assert not policy.may_see_case(social_worker, case)
    assert not policy.may_change_case(social_worker, case)
    assert not policy.visible_cases(social_worker).exists()


@pytest.mark.parametrize("page", EVERY_PAGE)
def test_anonymous_visitors_are_sent_to_sign_in(client, case, page):
    address = url(page, case)

    response = client.get(address)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={address}"


@pytest.mark.parametrize(
    "page", ["cases:my_cases", "cases:new", "cases:team", "keep_session_alive"]
)
def test_anonymous_visitors_are_sent_to_sign_in_from_other_pages(client, db, page):
    response = client.get(reverse(page))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# Which cases each person's lists draw on


@pytest.fixture
def south_case(south_manager, outsider):
    return open_case(
        team_manager=south_manager,
        social_worker=outsider,
        child=ChildFactory(first_name="Liam", last_name="Southgate"),
    )


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("social_worker", {"Kayla"}),
        ("colleague", {"Kayla"}),
        ("team_manager", {"Kayla"}),
        ("head_of_service", {"Kayla"}),
        ("iro", {"Kayla"}),
        ("director", {"Kayla", "Liam"}),
        ("outsider", {"Liam"}),
        ("south_manager", {"Liam"}),
        ("other_iro", set()),
        ("performance", set()),
    ],
)
def test_visible_cases_are_the_ones_each_person_may_see(case, south_case, who, sees, request):
    person = request.getfixturevalue(who)

    visible = policy.visible_cases(person)

    assert {c.child.first_name for c in visible} == sees
    assert all(policy.may_see_case(person, c) for c in visible)


def test_an_iro_sees_cases_in_any_team_they_review(case, south_case, iro, south_manager):
    services.allocate(case=south_case, role=Role.IRO, user=iro, by=south_manager)

    assert {c.child.first_name for c in policy.visible_cases(iro)} == {"Kayla", "Liam"}


def test_anonymous_users_see_no_cases(case):
    assert not policy.visible_cases(AnonymousUser()).exists()
