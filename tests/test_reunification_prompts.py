"""Events that should make people look at reunification again: a placement
changing, repeated missing episodes, the child going to the family home, an IRO
recommendation. On a child whose reunification was never considered or was ruled
out, they prompt the social worker and her manager (one prompt for the events
before a reconsideration), until reunification is recorded as considered at
supervision or at a Child in Care review. It is Tuesday 10 March 2026."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from cases.models import MissingEpisode, Placement, Role, Stage
from cases.services import allocate
from reviews.aftercare import statutory
from reviews.deadlines import refresh
from reviews.models import Deadline, DeadlineKind
from reviews.reminders.digests import digest_items
from reviews.supervision import services
from tests.factories import ChildFactory, FamilyMemberFactory, journey_beyond, open_case

D = datetime.date
TODAY = D(2026, 3, 10)
PROMPT = DeadlineKind.REUNIFICATION_PROMPT


@pytest.fixture(autouse=True)
def _today(on_10_march_2026):
    return on_10_march_2026


def prompts(case):
    refresh.refresh(case)
    rows = Deadline.objects.filter(case=case, kind=PROMPT).order_by("key")
    return [(r.key, r.what, r.due_on, r.responsible.username, r.done_on) for r in rows]


def move_placement(case, on, placement_type="U4"):
    child = case.child
    Placement.objects.filter(child=child, end_date__isnull=True).update(end_date=on)
    return Placement.objects.create(
        child=child, placement_type=placement_type, carer="Mrs Hale", start_date=on
    )


def supervision(case, by, considered=True, held_on=TODAY):
    return services.record_supervision(
        case=case,
        by=by,
        held_on=held_on,
        reflection="Reflection",
        decisions="Decisions",
        reunification_considered=considered,
        reunification_note="Looked at again after the placement move.",
    )


def test_a_placement_change_prompts_the_worker_and_manager_of_a_child_never_considered(case):
    assert case.reunification_first_considered_on is None
    move_placement(case, TODAY)

    what = "Consider reunification: placement changed 10 March 2026"
    # Ten working days on.
    assert prompts(case) == [
        ("prompt-2026-03-10-sw", what, D(2026, 3, 24), "sarah.wood", None),
        ("prompt-2026-03-10-tm", what, D(2026, 3, 24), "tina.marsh", None),
    ]


def test_events_from_before_the_case_opened_do_not_prompt(case):
    assert prompts(case) == []  # its first placement and earlier missing episode


def test_a_move_to_a_parent_is_not_a_placement_breakdown(case):
    move_placement(case, TODAY, placement_type="P1")
    assert prompts(case) == []


def test_supervision_that_considered_reunification_meets_the_prompt(case, team_manager):
    move_placement(case, TODAY)
    supervision(case, team_manager, considered=False)
    assert {row[4] for row in prompts(case)} == {None}  # not considered: still open

    supervision(case, team_manager, considered=True)

    assert {row[4] for row in prompts(case)} == {TODAY}


def test_no_prompt_once_reunification_is_being_pursued(case):
    move_placement(case, TODAY)
    type(case).objects.filter(pk=case.pk).update(stage=Stage.ASSESSMENT)
    assert prompts(case) == []


def test_the_prompt_is_a_task_on_my_tasks_and_in_the_digest_linked_to_supervision(
    client, case, social_worker, team_manager
):
    move_placement(case, TODAY)
    prompts(case)
    travel = time_machine.travel(D(2026, 3, 20))  # within a week of it being due
    travel.start()
    for person in (social_worker, team_manager):
        client.force_login(person)
        page = client.get(reverse("my_tasks")).content.decode()
        assert "Consider reunification: placement changed 10 March 2026" in page
        assert reverse("reviews:supervision", args=[case.pk]) in page
        items = digest_items(person, D(2026, 3, 24))
        assert "Consider reunification: placement changed 10 March 2026" in [i.what for i in items]
    supervision_page = client.get(reverse("reviews:supervision", args=[case.pk]))
    travel.stop()
    assert "Consider reunification for Kayla: placement changed 10 March 2026" in (
        supervision_page.content.decode()
    )


@pytest.fixture
def ruled_out(everyone, people):
    """Kayla's case, reunification not pursued on 10 March 2026."""
    kayla = ChildFactory(first_name="Kayla", last_name="Brightwater")
    case = open_case(
        team_manager=people.team_manager,
        social_worker=people.social_worker,
        iro=people.iro,
        child=kayla,
        became_looked_after_on=D(2025, 9, 1),
    )
    Placement.objects.create(
        child=kayla, placement_type="U4", carer="Mrs Hale", start_date=D(2025, 9, 1)
    )
    FamilyMemberFactory(case=case, name="Dawn Brightwater", relationship="Mother")
    allocate(
        case=case, role=Role.HEAD_OF_SERVICE, user=people.head_of_service, by=people.team_manager
    )
    return journey_beyond(case, Stage.NOT_PURSUED, people=people)


def test_after_not_pursued_later_events_make_one_prompt_until_a_review_reconsiders(
    ruled_out, people
):
    child = ruled_out.child
    MissingEpisode.objects.create(child=child, start_date=D(2026, 3, 10))  # the decision's day
    for day in (D(2026, 3, 12), D(2026, 4, 1)):
        MissingEpisode.objects.create(child=child, start_date=day)
    MissingEpisode.objects.create(child=child, start_date=D(2026, 4, 20), to_family_home=True)
    with time_machine.travel(D(2026, 4, 21)):
        # Missing from the day of the decision counts towards the three.
        rows = prompts(ruled_out)
        what = (
            "Consider reunification: repeated missing episodes (3 or more within 90 days); "
            "went to the family home without agreement 20 April 2026"
        )
        # Ten working days from 1 April, past Good Friday and Easter Monday.
        assert [r[:4] for r in rows] == [
            ("prompt-2026-04-01-sw", what, D(2026, 4, 17), "sarah.wood"),
            ("prompt-2026-04-01-tm", what, D(2026, 4, 17), "tina.marsh"),
        ]
        statutory.record_review(
            case=ruled_out,
            by=people.iro,
            held_on=D(2026, 4, 21),
            review_type="cic",
            chair=people.iro,
            attended="Kayla, Mrs Hale",
            outcome="Placement stable",
            recommendations=[
                {"text": "Family time", "owner": people.social_worker, "due_on": D(2026, 5, 1)}
            ],
            reunification_considered=True,
            reunification_outcome="Looked at again: not yet.",
        )
        # The review considered it: the prompt and the recommendation are both met.
        assert {r[4] for r in prompts(ruled_out)} == {D(2026, 4, 21)}
