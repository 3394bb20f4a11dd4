"""Statutory schedules that do not restart (Care Planning, Placement and Case
Review (England) Regulations 2010; the practice guidance's stage 5).

- A child placed with parents on an interim or full care order is still looked
  after: the reg 33 review schedule of her looked-after episode runs on through
  the return home, and "the first review within one month of the return" is a
  further limit on it, not a new schedule (the earlier date wins).
- Reg 28(5): a care order made while the child lives with a parent needs a visit
  within one week of the order, then at most six weeks apart (reg 28(4): an
  interim order made so, weekly until the first review, then four-weekly).

First the pure rules, table by table; then the same rules through the services
(return home, reviews, visits, legal status records), refresh, and the Deadline
rows that reach My tasks and the nightly digest.

Every expected date was counted by hand on a calendar, not by the code.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from cases.models import LegalStatusCode, PlacementType, Role, Stage, User
from cases.services import save_record
from reviews.aftercare import return_home, statutory
from reviews.deadlines import refresh as deadlines
from reviews.deadlines.rules import (
    cic_review_due,
    first_review_after_return_due,
    review_at_home_on_care_order_due,
    visit_after_care_order_made_at_home_due,
)
from reviews.models import Deadline, DeadlineKind, ReviewType
from reviews.reminders.digests import digest_items
from tests.factories import (
    ChildFactory,
    FamilyMemberFactory,
    LegalStatusFactory,
    PlacementFactory,
    open_case,
)

D = datetime.date
LONDON = ZoneInfo("Europe/London")


def noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=LONDON)


# Reviews at home on a care order: reg 33 runs on -------------------------------------


@pytest.mark.parametrize(
    "looked_after_on, held, returned_on, asked, expected",
    [
        # 20 working days from Monday 5 January 2026 is Monday 2 February; a month
        # after a return on 20 January would be 20 February.
        pytest.param(D(2026, 1, 5), [], D(2026, 1, 20), None, D(2026, 2, 2), id="20-wd-first"),
        # Over Christmas 2026 (25th, substitute Boxing Day 28th, 1 January) 20
        # working days from Friday 11 December is 13 January: a month after a
        # return on Saturday 12 December comes first.
        pytest.param(
            D(2026, 12, 11), [], D(2026, 12, 12), None, D(2027, 1, 12), id="month-first-xmas"
        ),
        # Over Easter 2026 (Good Friday 3 April, Easter Monday 6 April): 22 April;
        # a month after 25 March is 25 April.
        pytest.param(D(2026, 3, 23), [], D(2026, 3, 25), None, D(2026, 4, 22), id="easter-2026"),
        # The product used to count only reviews since the return: the review on
        # 20 May is her first, so the second is due within three months, not six.
        pytest.param(
            D(2026, 4, 1), [D(2026, 5, 20)], D(2026, 5, 1), None, D(2026, 8, 20), id="second-3m"
        ),
        # First review before the return: three months after it (29 April) or a
        # month after the return, whichever is sooner.
        pytest.param(
            D(2026, 1, 5),
            [D(2026, 1, 29)],
            D(2026, 3, 2),
            None,
            D(2026, 4, 2),
            id="month-after-return-sooner",
        ),
        pytest.param(
            D(2026, 1, 5),
            [D(2026, 1, 29)],
            D(2026, 4, 20),
            None,
            D(2026, 4, 29),
            id="three-months-sooner",
        ),
        pytest.param(
            D(2026, 1, 5),
            [D(2026, 1, 29), D(2026, 4, 20)],
            D(2026, 7, 1),
            None,
            D(2026, 8, 1),
            id="two-held-month-after-return-sooner",
        ),
        pytest.param(
            D(2026, 1, 5),
            [D(2026, 1, 29), D(2026, 4, 20), D(2026, 7, 28)],
            D(2026, 7, 1),
            None,
            D(2027, 1, 28),
            id="after-the-first-at-home-six-monthly",
        ),
        # Exactly on the day: a review on the day of the return is the review
        # after it; one the day before is not.
        pytest.param(
            D(2026, 1, 5),
            [D(2026, 1, 29), D(2026, 3, 10)],
            D(2026, 3, 10),
            None,
            D(2026, 9, 10),
            id="review-on-the-day-of-the-return",
        ),
        pytest.param(
            D(2026, 1, 5),
            [D(2026, 1, 29), D(2026, 3, 9)],
            D(2026, 3, 10),
            None,
            D(2026, 4, 10),
            id="review-the-day-before-the-return",
        ),
        # A month after 31 January 2028 is 29 February (a leap year); six months
        # after 20 September 2027 would be 20 March.
        pytest.param(
            D(2027, 6, 1),
            [D(2027, 6, 28), D(2027, 9, 20)],
            D(2028, 1, 31),
            None,
            D(2028, 2, 29),
            id="31-jan-2028-to-29-feb",
        ),
        # Both limits on the same day: 30 August + 6 months and 31 January + 1
        # month are both 29 February 2028.
        pytest.param(
            D(2027, 6, 1),
            [D(2027, 6, 28), D(2027, 8, 30)],
            D(2028, 1, 31),
            None,
            D(2028, 2, 29),
            id="both-limits-on-29-feb",
        ),
        # Home on 20 November, first review 30 November: the second by 29 February.
        pytest.param(
            D(2027, 11, 1),
            [D(2027, 11, 30)],
            D(2027, 11, 20),
            None,
            D(2028, 2, 29),
            id="30-nov-to-29-feb",
        ),
        pytest.param(
            D(2026, 1, 5),
            [D(2026, 1, 29), D(2026, 4, 20)],
            D(2026, 5, 15),
            D(2026, 6, 1),
            D(2026, 6, 1),
            id="iro-asked-sooner-before-the-return",
        ),
        pytest.param(
            D(2026, 1, 5),
            [D(2025, 6, 1)],
            D(2026, 1, 20),
            None,
            D(2026, 2, 2),
            id="an-earlier-episode-does-not-count",
        ),
    ],
)
def test_review_at_home_on_a_care_order(looked_after_on, held, returned_on, asked, expected):
    assert review_at_home_on_care_order_due(looked_after_on, held, returned_on, asked) == expected


def test_the_review_at_home_is_never_later_than_either_limit():
    """Over a year of return dates and review histories, the date is the reg 33
    date or the month after the return, never later than either."""
    looked_after = D(2027, 6, 1)
    histories = [[], [D(2027, 6, 25)], [D(2027, 6, 25), D(2027, 9, 20)]]
    for offset in range(0, 400, 3):
        returned = looked_after + datetime.timedelta(days=offset)
        for held in histories:
            due = review_at_home_on_care_order_due(looked_after, held, returned)
            assert due <= cic_review_due(looked_after, held)
            if not any(d >= returned for d in held):
                assert due <= first_review_after_return_due(returned)


# Visits after a care order made at home: reg 28(5), and 28(4) for an interim order ----


@pytest.mark.parametrize(
    "made_on, visits, interim, reviewed, already_due, expected",
    [
        pytest.param(D(2026, 3, 2), [], False, False, None, D(2026, 3, 9), id="within-a-week"),
        pytest.param(
            D(2026, 3, 2), [D(2026, 3, 2)], False, False, None, D(2026, 4, 13), id="visit-on-day"
        ),
        pytest.param(
            D(2026, 3, 2), [D(2026, 3, 1)], False, False, None, D(2026, 3, 9), id="day-before"
        ),
        pytest.param(
            D(2026, 3, 2), [D(2026, 3, 6)], False, False, None, D(2026, 4, 17), id="six-weeks"
        ),
        # Not three-monthly after a year, as reg 28(2) allows some placements.
        pytest.param(
            D(2026, 3, 2),
            [D(2026, 3, 5), D(2027, 4, 1)],
            False,
            False,
            None,
            D(2027, 5, 13),
            id="six-weekly-after-a-year",
        ),
        pytest.param(D(2028, 2, 22), [], False, False, None, D(2028, 2, 29), id="to-29-feb-2028"),
        pytest.param(
            D(2028, 1, 10), [D(2028, 1, 18)], False, False, None, D(2028, 2, 29), id="6w-to-29-feb"
        ),
        pytest.param(D(2027, 2, 28), [], False, False, None, D(2027, 3, 7), id="from-28-feb"),
        # Calendar weeks: a visit due on Christmas Day is due on Christmas Day.
        pytest.param(D(2026, 12, 18), [], False, False, None, D(2026, 12, 25), id="christmas"),
        # A visit already due under the placement's schedule stays due.
        pytest.param(
            D(2026, 3, 2), [], False, False, D(2026, 2, 27), D(2026, 2, 27), id="already-due"
        ),
        pytest.param(
            D(2026, 3, 2), [], False, False, D(2026, 3, 20), D(2026, 3, 9), id="week-is-sooner"
        ),
        pytest.param(
            D(2026, 3, 2),
            [D(2026, 3, 3)],
            False,
            False,
            D(2026, 2, 27),
            D(2026, 4, 14),
            id="already-due-met-by-a-visit",
        ),
        pytest.param(D(2026, 3, 2), [], True, False, None, D(2026, 3, 9), id="interim-week"),
        pytest.param(
            D(2026, 3, 2), [D(2026, 3, 5)], True, False, None, D(2026, 3, 12), id="interim-weekly"
        ),
        pytest.param(
            D(2026, 3, 2), [D(2026, 3, 5)], True, True, None, D(2026, 4, 2), id="interim-4-weekly"
        ),
    ],
)
def test_visit_after_a_care_order_made_at_home(
    made_on, visits, interim, reviewed, already_due, expected
):
    due = visit_after_care_order_made_at_home_due(
        made_on,
        visits,
        interim_order=interim,
        first_review_held=reviewed,
        already_due=already_due,
    )
    assert due == expected


# Through the services ----------------------------------------------------------------

LOOKED_AFTER = D(2026, 1, 5)


@pytest.fixture
def clock():
    with time_machine.travel(noon(D(2026, 1, 5))) as traveller:
        yield traveller


@pytest.fixture
def kayla(everyone, team_manager, social_worker, iro, clock):
    """Looked after on an interim care order from Monday 5 January 2026, in foster
    care (U6)."""
    child = ChildFactory(first_name="Kayla", last_name="Brightwater")
    case = open_case(
        team_manager=team_manager,
        social_worker=social_worker,
        iro=iro,
        child=child,
        became_looked_after_on=LOOKED_AFTER,
    )
    LegalStatusFactory(child=child, code=LegalStatusCode.C1, start_date=LOOKED_AFTER)
    PlacementFactory(child=child, placement_type=PlacementType.U6, start_date=LOOKED_AFTER)
    FamilyMemberFactory(case=case, name="Dawn Brightwater", relationship="Mother")
    return case


def go_home(case, by, on, *, care_order=True):
    return return_home.record_return_home(
        case=case,
        by=by,
        returned_on=on,
        planned=False,
        unplanned_reason="Kayla went to her mother's and the court agreed she could stay.",
        returned_to="Dawn Brightwater (mother)",
        legal_status_after="care_order" if care_order else "child_in_need",
        episode_end_reason="" if care_order else "E4B",
    )


def approve_ending_care(case, by, on):
    """Regulation 39: asked for by `by` and approved by the service director."""
    return_home.ask_to_cease_care(case=case, by=by, proposed_on=on, plan_after="Child in Need")
    return_home.decide_ceasing_care(
        case=case,
        by=User.objects.get(role_grants__role=Role.SERVICE_DIRECTOR),
        approved=True,
        decided_on=on,
        rationale="Support after care is in place.",
    )


def review(case, held_on):
    return statutory.record_review(
        case=case,
        by=case.iro,
        held_on=held_on,
        review_type=ReviewType.CHILD_IN_CARE,
        chair=case.iro,
        attended="Kayla, her mother, Sarah Wood.",
        outcome="The plan continues.",
    )


def visit(case, by, on):
    return statutory.record_visit(case=case, by=by, visited_on=on, seen_alone=True, notes="")


def open_rows(case, kind) -> dict:
    deadlines.refresh(case)
    return {
        d.key: (d.due_on, d.what)
        for d in Deadline.objects.filter(case=case, kind=kind, done_on__isnull=True)
    }


def test_home_on_a_care_order_before_her_first_review_the_second_is_due_in_three_months(
    kayla, social_worker, clock
):
    clock.move_to(noon(D(2026, 2, 10)))
    go_home(kayla, social_worker, D(2026, 1, 26))

    # 2 February (20 working days) comes before 26 February (a month home).
    assert open_rows(kayla, DeadlineKind.REVIEW_AFTER_RETURN) == {
        "after-1": (
            D(2026, 2, 2),
            "First review after the return (Child in Care, chaired by the IRO)",
        )
    }

    review(kayla, D(2026, 2, 2))

    # Her first Child in Care review: the second within three months (the
    # product used to say six, 2 August).
    assert open_rows(kayla, DeadlineKind.REVIEW_AFTER_RETURN) == {
        "after-2": (D(2026, 5, 2), "Child in Care review")
    }


def test_three_months_from_her_first_review_can_come_before_a_month_at_home(
    kayla, social_worker, clock
):
    review(kayla, D(2026, 1, 29))
    clock.move_to(noon(D(2026, 4, 21)))
    go_home(kayla, social_worker, D(2026, 4, 20))

    assert open_rows(kayla, DeadlineKind.REVIEW_AFTER_RETURN) == {
        "after-1": (
            D(2026, 4, 29),
            "First review after the return (Child in Care, chaired by the IRO)",
        )
    }


def end_placement_with_parents(case, by, on):
    at_home = case.child.placements.get(placement_type=PlacementType.P1, end_date__isnull=True)
    save_record(
        case=case,
        by=by,
        kind="placement",
        values={"end_date": on},
        record_pk=at_home.pk,
        version=at_home.version,
    )


@pytest.mark.parametrize(
    "looked_after_entered",
    [
        pytest.param(LOOKED_AFTER, id="episode-start-entered"),
        pytest.param(D(2026, 4, 15), id="date-she-came-back-entered"),
    ],
)
def test_home_on_a_care_order_back_and_home_again_the_reviews_follow_the_episode(
    kayla, social_worker, team_manager, iro, clock, looked_after_entered
):
    """Untidy lives: home on the care order, back in foster care, home again. She
    was looked after throughout, so one reg 33 schedule runs across both cases."""
    review(kayla, D(2026, 1, 29))
    clock.move_to(noon(D(2026, 4, 16)))
    go_home(kayla, social_worker, D(2026, 3, 2))
    review(kayla, D(2026, 3, 30))
    end_placement_with_parents(kayla, social_worker, D(2026, 4, 15))
    return_home.record_breakdown(
        case=kayla,
        by=social_worker,
        came_back_on=D(2026, 4, 15),
        reason="Mother relapsed.",
        placement_type=PlacementType.U6,
        carer="Mr and Mrs Hale",
        legal_status=LegalStatusCode.C1,
    )
    kayla.refresh_from_db()
    assert kayla.stage == Stage.CLOSED
    child = kayla.child

    again = open_case(
        team_manager=team_manager,
        social_worker=social_worker,
        iro=iro,
        child=child,
        became_looked_after_on=looked_after_entered,
    )

    # Her third review of the episode, six months after the second: not a "first"
    # review 20 working days from either date.
    assert open_rows(again, DeadlineKind.CIC_REVIEW) == {
        "cic-3": (D(2026, 9, 30), "Child in Care review")
    }

    clock.move_to(noon(D(2026, 6, 2)))
    go_home(again, social_worker, D(2026, 6, 1))

    assert open_rows(again, DeadlineKind.REVIEW_AFTER_RETURN) == {
        "after-1": (
            D(2026, 7, 1),
            "First review after the return (Child in Care, chaired by the IRO)",
        )
    }


def test_when_section_20_ended_at_the_return_coming_back_starts_a_new_episode(
    everyone, team_manager, social_worker, iro, clock
):
    child = ChildFactory(first_name="Leo", last_name="Marsh")
    first = open_case(
        team_manager=team_manager,
        social_worker=social_worker,
        iro=iro,
        child=child,
        became_looked_after_on=LOOKED_AFTER,
    )
    LegalStatusFactory(child=child, code=LegalStatusCode.V2, start_date=LOOKED_AFTER)
    PlacementFactory(child=child, placement_type=PlacementType.U6, start_date=LOOKED_AFTER)
    review(first, D(2026, 1, 29))
    clock.move_to(noon(D(2026, 4, 16)))
    approve_ending_care(first, social_worker, D(2026, 3, 2))
    go_home(first, social_worker, D(2026, 3, 2), care_order=False)
    return_home.record_breakdown(
        case=first,
        by=social_worker,
        came_back_on=D(2026, 4, 15),
        reason="Father left.",
        placement_type=PlacementType.U6,
        carer="Mr and Mrs Hale",
        legal_status=LegalStatusCode.V2,
    )

    again = open_case(
        team_manager=team_manager,
        social_worker=social_worker,
        iro=iro,
        child=child,
        became_looked_after_on=D(2026, 4, 15),
    )

    # 20 working days from Wednesday 15 April 2026, skipping the early May bank
    # holiday (4 May): Thursday 14 May.
    assert open_rows(again, DeadlineKind.CIC_REVIEW) == {
        "cic-1": (D(2026, 5, 14), "First Child in Care review")
    }


def make_full_care_order(case, by, on):
    """The court makes a full care order: the interim order ends that day."""
    interim = case.child.legal_statuses.get(code=LegalStatusCode.C1, end_date__isnull=True)
    save_record(
        case=case,
        by=by,
        kind="legal-status",
        values={"end_date": on},
        record_pk=interim.pk,
        version=interim.version,
    )
    return save_record(
        case=case,
        by=by,
        kind="legal-status",
        values={"code": LegalStatusCode.C2, "start_date": on},
    )


def test_a_full_care_order_made_at_home_needs_a_visit_within_a_week_then_six_weekly(
    kayla, social_worker, iro, clock, client
):
    clock.move_to(noon(D(2026, 3, 2)))
    go_home(kayla, social_worker, D(2026, 3, 2))
    at_home = kayla.child.placements.get(placement_type=PlacementType.P1)
    clock.move_to(noon(D(2026, 4, 30)))
    for day in (D(2026, 3, 5), D(2026, 3, 12)):
        visit(kayla, social_worker, day)
    review(kayla, D(2026, 3, 18))
    for day in (D(2026, 3, 19), D(2026, 4, 16)):
        visit(kayla, social_worker, day)
    # Placed at home on the interim order, after her first review: four-weekly.
    assert open_rows(kayla, DeadlineKind.VISIT) == {
        f"visit-{at_home.pk}-5": (D(2026, 5, 14), "Social worker visit")
    }

    clock.move_to(noon(D(2026, 5, 4)))
    order = make_full_care_order(kayla, social_worker, D(2026, 5, 1))

    # Reg 28(5) from the day the order was made: by Friday 8 May, before the 14th.
    assert open_rows(kayla, DeadlineKind.VISIT_AFTER_CARE_ORDER_AT_HOME) == {
        f"order-{order.pk}-1": (
            D(2026, 5, 8),
            "First visit after the care order made at home on 1 May 2026",
        )
    }
    # The order's schedule takes over: no second visit row for the placement.
    assert open_rows(kayla, DeadlineKind.VISIT) == {}

    # It reaches My tasks and the nightly digest like any other visit.
    client.force_login(social_worker)
    page = client.get(reverse("my_tasks")).content.decode()
    assert "First visit after the care order made at home on 1 May 2026" in page
    # (Her unplanned return's assessment of the home and police checks are due too.)
    visits = [i.what for i in digest_items(social_worker, D(2026, 5, 4)) if "visit" in i.what]
    assert visits == ["First visit after the care order made at home on 1 May 2026"]

    clock.move_to(noon(D(2026, 5, 7)))
    visit(kayla, social_worker, D(2026, 5, 6))

    deadlines.refresh(kayla)
    first = Deadline.objects.get(
        kind=DeadlineKind.VISIT_AFTER_CARE_ORDER_AT_HOME, key__endswith="-1"
    )
    assert (first.due_on, first.done_on, first.responsible) == (
        D(2026, 5, 8),
        D(2026, 5, 6),
        social_worker,
    )
    assert open_rows(kayla, DeadlineKind.VISIT_AFTER_CARE_ORDER_AT_HOME) == {
        f"order-{order.pk}-2": (D(2026, 6, 17), "Social worker visit (care order made at home)")
    }


def test_a_care_order_made_after_section_20_ended_at_home_makes_visits_due(
    everyone, team_manager, social_worker, iro, clock
):
    child = ChildFactory(first_name="Leo", last_name="Marsh")
    case = open_case(
        team_manager=team_manager,
        social_worker=social_worker,
        iro=iro,
        child=child,
        became_looked_after_on=LOOKED_AFTER,
    )
    LegalStatusFactory(child=child, code=LegalStatusCode.V2, start_date=LOOKED_AFTER)
    PlacementFactory(child=child, placement_type=PlacementType.U6, start_date=LOOKED_AFTER)
    clock.move_to(noon(D(2026, 5, 4)))
    approve_ending_care(case, social_worker, D(2026, 3, 2))
    go_home(case, social_worker, D(2026, 3, 2), care_order=False)
    assert open_rows(case, DeadlineKind.VISIT_AFTER_CARE_ORDER_AT_HOME) == {}

    order = save_record(
        case=case,
        by=social_worker,
        kind="legal-status",
        values={"code": LegalStatusCode.C2, "start_date": D(2026, 5, 1)},
    )

    assert open_rows(case, DeadlineKind.VISIT_AFTER_CARE_ORDER_AT_HOME) == {
        f"order-{order.pk}-1": (
            D(2026, 5, 8),
            "First visit after the care order made at home on 1 May 2026",
        )
    }


def test_a_care_order_made_the_day_she_goes_home_is_the_placements_schedule(
    everyone, team_manager, social_worker, iro, clock
):
    """Home on the day of the order is a placement with parents under it (reg 28(2)
    or (4) from the placement), not an order made while she lived at home."""
    child = ChildFactory(first_name="Leo", last_name="Marsh")
    case = open_case(
        team_manager=team_manager,
        social_worker=social_worker,
        iro=iro,
        child=child,
        became_looked_after_on=LOOKED_AFTER,
    )
    LegalStatusFactory(
        child=child, code=LegalStatusCode.V2, start_date=LOOKED_AFTER, end_date=D(2026, 3, 2)
    )
    LegalStatusFactory(child=child, code=LegalStatusCode.C2, start_date=D(2026, 3, 2))
    PlacementFactory(child=child, placement_type=PlacementType.U6, start_date=LOOKED_AFTER)
    clock.move_to(noon(D(2026, 3, 3)))
    go_home(case, social_worker, D(2026, 3, 2))
    at_home = child.placements.get(placement_type=PlacementType.P1)

    assert open_rows(case, DeadlineKind.VISIT_AFTER_CARE_ORDER_AT_HOME) == {}
    assert open_rows(case, DeadlineKind.VISIT) == {
        f"visit-{at_home.pk}-1": (D(2026, 3, 9), "Social worker visit")
    }


def test_a_care_order_made_in_foster_care_makes_no_visit_after_an_order_at_home(
    kayla, social_worker, clock
):
    clock.move_to(noon(D(2026, 2, 10)))
    make_full_care_order(kayla, social_worker, D(2026, 2, 9))

    assert open_rows(kayla, DeadlineKind.VISIT_AFTER_CARE_ORDER_AT_HOME) == {}
