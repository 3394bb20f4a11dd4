"""Outcomes after a return home, counted by the child: every figure worked out by
hand, on the reports fixture of tests/test_reporting.py (built row by row; today
is Tuesday 10 March 2026, T) and on scenarios played through the services.

The reports fixture's returns, in calendar months (whole months from the return
to coming back into care, and to T):

  A1   returned  9 Apr 2024, back 19 May 2024: 1 month at home; followed 23
  A2   returned 26 Oct 2024 (Amy's second case), still home; followed 16
  Ben  returned 31 Dec 2023 (unplanned), back 26 Oct 2024: 9 months; followed 26
  Cara returned  3 Feb 2025 (care order), back 3 Jul 2025: 5 months; followed 13
  Dan  returned 18 Jul 2024, closed 22 Aug 2025 (13 months); followed 19
  Eve  returned 14 May 2025, closed 22 Aug 2025 (3 months); followed 9
  Finn returned 10 Dec 2025: followed exactly 3 months on T
  Gus  returned  9 Dec 2025: followed 3 months
  Quin (South) returned 10 Mar 2025, back 9 May 2025: 1 month; followed exactly 12
"""

# The reports fixture `world` is imported, and named by the tests that use it.
# ruff: noqa: F811

import datetime
import io
import re

import pytest
import time_machine
from django.db.models import F
from django.urls import reverse

from cases.dates import add_months
from cases.models import Placement, ReunificationCase, Stage
from cases.services import save_record
from reporting import outcomes
from reporting.outcome_charts import survival_chart
from reporting.selectors import Scope
from reviews.aftercare import return_home
from reviews.models import Breakdown, NotPursued, ReturnHome
from tests.factories import ChildFactory, FamilyMemberFactory, LegalStatusFactory, open_case
from tests.test_reporting import (  # noqa: F401
    START,
    Builder,
    T,
    ago,
    all_teams,
    csv_rows,
    noon,
    north_scope,
    world,
)

D = datetime.date


def south_scope(w, today=T) -> Scope:
    return Scope(start=START, end=T, today=today, teams=(w.south.pk,))


def windows(scope) -> list[tuple]:
    return [(r.window, r.observed, r.came_back, r.percent) for r in outcomes.re_entry(scope)]


# Calendar months in the database ---------------------------------------------------


@pytest.mark.parametrize(
    "returned, back",
    [
        (D(2025, 1, 31), D(2025, 2, 28)),  # the last day of a short month is a month on
        (D(2025, 1, 31), D(2025, 2, 27)),
        (D(2024, 1, 31), D(2024, 2, 29)),  # leap year
        (D(2024, 1, 31), D(2024, 2, 28)),
        (D(2024, 2, 29), D(2025, 2, 28)),  # a year after 29 February
        (D(2024, 2, 29), D(2025, 2, 27)),
        (D(2025, 8, 31), D(2025, 11, 30)),
        (D(2025, 8, 31), D(2025, 11, 29)),
        (D(2025, 3, 15), D(2025, 4, 14)),
        (D(2025, 3, 15), D(2025, 4, 15)),
        (D(2024, 11, 30), D(2025, 2, 28)),  # across a new year
        (D(2025, 12, 25), D(2025, 12, 26)),  # the bank holidays change nothing
    ],
)
def test_months_at_home_are_calendar_months(everyone, north, team_manager, returned, back):
    b = Builder(manager=team_manager, author=team_manager)
    child = b.child("Mo Months", D(2015, 1, 1))
    case = b.case(child, north, stage=Stage.CLOSED, entered=returned, closed=back)
    b.returned(case, returned)
    Breakdown.objects.create(
        case=case, came_back_on=back, reason="-", recorded_by=team_manager, recorded_at=noon(back)
    )
    scope = Scope(start=returned, end=returned, today=back)
    returns = outcomes.followed_returns(scope)
    row = returns.annotate(home=F("months_home"), followed=F("months_followed"))
    expected = max(n for n in range(0, 30) if add_months(returned, n) <= back)
    assert row.values("home", "followed").get() == {"home": expected, "followed": expected}
    # The same months, compared the other way: back before n months after the return.
    for n in (expected, expected + 1):
        later = outcomes.AddMonths(F("returned_on"), n)
        assert returns.filter(back_on__lt=later).exists() == (n > expected)


# Re-entry by window ---------------------------------------------------------------


def test_returns_home_planned_and_unplanned(world):
    assert outcomes.returns_home(north_scope(world)) == {"total": 8, "planned": 7, "unplanned": 1}


def test_re_entry_counts_only_returns_followed_for_the_whole_window(world):
    assert windows(north_scope(world)) == [
        # All eight: Finn, back home 10 December, is three months on 10 March.
        # Back before three months: A1 (1 month).
        ("3 months", 8, 1, 12.5),
        # A1, A2, Ben, Cara, Dan, Eve. Back: A1 (1), Cara (5).
        ("6 months", 6, 2, 33.3),
        # A1, A2, Ben, Cara, Dan (Eve has had 9 months). Back: A1, Cara, Ben (9).
        ("1 year", 5, 3, 60.0),
        # Ben (26 months) only; A1 has had 23. Back: Ben.
        ("2 years", 1, 1, 100.0),
    ]


def test_re_entry_window_closes_on_the_calendar_anniversary(world):
    """Quin (South) went home on 10 March 2025: followed a year on 10 March 2026."""
    assert windows(south_scope(world)) == [
        ("3 months", 1, 1, 100.0),
        ("6 months", 1, 1, 100.0),
        ("1 year", 1, 1, 100.0),
        ("2 years", 0, 0, None),  # not followed two years: no rate
    ]
    assert [r.observed for r in outcomes.re_entry(south_scope(world, ago(1)))] == [1, 1, 0, 0]
    assert [(r.observed, r.came_back) for r in outcomes.re_entry(all_teams(world))] == [
        (9, 2),
        (7, 3),
        (6, 4),
        (1, 1),
    ]


def test_time_at_home_before_re_entry(world):
    assert outcomes.time_at_home_before_re_entry(north_scope(world)) == {
        "total": 3,  # A1, Cara, Ben; Hal's return was before the period
        "average_days": 163,  # (40 + 150 + 300) / 3
        "bands": [
            ("Under 3 months", 1),  # A1
            ("3 to 6 months", 1),  # Cara, 5 months
            ("6 to 12 months", 1),  # Ben, 9 months
            ("1 to 2 years", 0),
            ("2 years or more", 0),
        ],
    }


def test_repeat_returns_come_from_the_childs_record(world):
    assert outcomes.repeat_returns(north_scope(world)) == {
        "total": 8,
        # A2 (Amy went home on A1 first) and Ben (home in 2019, on his record).
        "repeats": 2,
        "repeats_back": 1,  # Ben
        "children": 7,
        "children_more_than_once": 1,  # Amy
    }


# Breakdown by group -----------------------------------------------------------------


def test_breakdown_rates_by_group(world):
    rates = outcomes.breakdown_rates(north_scope(world))
    assert rates["age"] == [
        ("Under 5", 1, 1, 100.0),  # Cara, 3
        ("5 to 10", 3, 0, 0.0),  # Dan 7, Gus 9, Eve on her fifth birthday
        ("11 to 15", 2, 1, 50.0),  # Amy (12) twice; A1 broke down
        ("16 or over", 2, 1, 50.0),  # Ben (back), Finn on his sixteenth birthday
    ]
    assert rates["over_10"] == [
        ("Over 10 (11 or older)", 4, 2, 50.0),
        ("10 or younger", 4, 1, 25.0),
    ]
    assert rates["legal_status"] == [
        ("Care order", 1, 1, 100.0),
        ("Section 20 (accommodated)", 7, 2, 28.6),
    ]
    assert rates["previous_failed"] == [
        ("After an earlier failed return", 2, 1, 50.0),  # A2, Ben
        ("No earlier failed return", 6, 2, 33.3),
    ]
    assert rates["substance_misuse"] == [
        ("Parental substance misuse", 2, 1, 50.0),  # Cara (back), Dan
        ("No parental substance misuse recorded", 6, 2, 33.3),
    ]
    assert rates["planned"] == [("Planned return", 7, 2, 28.6), ("Unplanned return", 1, 1, 100.0)]
    assert rates["category_of_need"][0] == ("N1 – Abuse or neglect", 8, 3, 37.5)
    assert rates["behaviour"][1] == (
        "No behavioural or emotional difficulties recorded",
        8,
        3,
        37.5,
    )


@pytest.mark.parametrize(
    "born, returned, band, over_10",
    [
        (D(2020, 5, 14), D(2025, 5, 14), "5 to 10", False),  # 5th birthday
        (D(2020, 5, 15), D(2025, 5, 14), "Under 5", False),
        (D(2013, 3, 1), D(2023, 3, 1), "5 to 10", False),  # 10th birthday: not over 10
        (D(2012, 3, 1), D(2023, 3, 1), "11 to 15", True),  # 11th birthday
        (D(2012, 3, 2), D(2023, 3, 1), "5 to 10", False),  # the day before it
        (D(2008, 2, 29), D(2019, 3, 1), "11 to 15", True),  # a leap-day birthday
        (D(2009, 12, 10), D(2025, 12, 10), "16 or over", True),
        (D(2009, 12, 11), D(2025, 12, 10), "11 to 15", True),
    ],
)
def test_age_bands_do_not_put_ten_year_olds_over_ten(
    everyone, north, team_manager, born, returned, band, over_10
):
    b = Builder(manager=team_manager, author=team_manager)
    child = b.child("Bo Birthday", born)
    b.returned(b.case(child, north, stage=Stage.RETURN_HOME, entered=returned), returned)
    rates = outcomes.breakdown_rates(Scope(start=returned, end=returned, today=T))
    assert [label for label, n, _, _ in rates["age"] if n] == [band]
    assert rates["over_10"][0 if over_10 else 1][1] == 1


@pytest.mark.parametrize(
    "counts, shown",
    [
        ([8, 0], [8, 0]),
        ([7, 1], ["not shown", "fewer than 5"]),  # 7 would give the 1 away
        ([3, 4, 10], ["fewer than 5", "fewer than 5", 10]),
        ([1, 6, 9], ["fewer than 5", "not shown", 9]),
        ([4], ["fewer than 5"]),
        ([5, 0, 12], [5, 0, 12]),
    ],
)
def test_small_numbers_are_hidden(counts, shown):
    assert outcomes.suppressed(counts) == shown


def test_a_rate_is_shown_only_with_both_its_numbers():
    rows = [("Care order", 6, 2, 33.3), ("Section 20", 12, 6, 50.0)]
    assert outcomes.suppressed_rows(rows) == [
        ["Care order", 6, "fewer than 5", "–"],
        ["Section 20", 12, "not shown", "–"],
    ]


# Support, permanence ---------------------------------------------------------------


def test_support_after_return(world):
    support = outcomes.support_after_return(north_scope(world))
    assert {k: v for k, v in support.items() if k != "re_entry_by_support"} == {
        "closed": 2,  # Dan, Eve; A1, Ben and Cara closed because the return broke down
        "before_6": 1,  # Eve, 3 months
        "before_12": 1,
        "average_days": 250,  # (400 + 100) / 2
        "back_after_closing": 0,
    }
    assert support["re_entry_by_support"] == [
        ("Case closed before 6 months", 1, 0, 0.0),
        ("Case closed at 6 to 12 months", 0, 0, None),
        ("Case closed at 12 months or more", 1, 0, 0.0),
        (outcomes.SUPPORT_GROUPS[3][1], 6, 3, 50.0),  # A1, A2, Ben, Cara, Finn, Gus
    ]


def not_pursued(b, case, on, plan):
    return NotPursued.objects.create(
        case=case,
        decided_by=b.manager,
        role="team_manager",
        decided_at=noon(on),
        decided_on=on,
        explained_to_child_on=on,
        explained_to_family_on=on,
        care_plan_now=plan,
    )


def test_permanence_from_the_decision_and_what_was_recorded_after_it(everyone, north, team_manager):
    b = Builder(manager=team_manager, author=team_manager)
    stays = Stage.NOT_PURSUED
    # Ivy: the decision itself records long-term fostering.
    ivy = b.case(b.child("Ivy Irons", D(2014, 2, 2)), north, stage=stays, entered=ago(100))
    not_pursued(b, ivy, ago(100), "Long-term fostering with the current carers.")
    # Jo: no plan in the decision; a long-term foster placement 40 days later.
    jo = b.case(b.child("Jo Jones", D(2013, 3, 3)), north, stage=stays, entered=ago(90))
    not_pursued(b, jo, ago(90), "Stays with her foster carers while the plan is reviewed.")
    Placement.objects.create(
        child=jo.child, placement_type="U6", carer="A", start_date=ago(300), end_date=ago(50)
    )
    Placement.objects.create(child=jo.child, placement_type="U4", carer="B", start_date=ago(50))
    # Kit: a placement order 80 days after the decision.
    kit = b.case(b.child("Kit Kerr", D(2019, 5, 5)), north, stage=stays, entered=ago(200))
    not_pursued(b, kit, ago(200), "Care planning continues.")
    LegalStatusFactory(child=kit.child, code="E1", start_date=ago(120))
    # Lily: nothing yet; her long-term placement began before the decision.
    lily = b.case(b.child("Lily Lamb", D(2016, 6, 6)), north, stage=stays, entered=ago(30))
    not_pursued(b, lily, ago(30), "Care planning continues.")
    Placement.objects.create(child=lily.child, placement_type="U4", carer="C", start_date=ago(60))

    assert outcomes.ruled_out(Scope(start=START, end=T, today=T)) == {
        "total": 4,
        "with_permanence_plan": 3,
        "in_the_decision": 1,
        "average_days_to_plan": 40,  # (0 + 40 + 80) / 3
        "without_plan": 1,
    }


def test_ruled_out_on_the_reports_fixture(world):
    # Ivy and Jo: both decisions record long-term fostering.
    assert outcomes.ruled_out(north_scope(world)) == {
        "total": 2,
        "with_permanence_plan": 2,
        "in_the_decision": 2,
        "average_days_to_plan": 0,
        "without_plan": 0,
    }


# Survival and cohorts -----------------------------------------------------------------


def test_survival_counts_returns_not_yet_followed_as_censored(world):
    rows = outcomes.survival(south_scope(world))
    # Quin alone: back in his second month.
    assert [(m.month, m.at_home, m.followed, m.came_back, m.censored) for m in rows] == [
        (0, 100.0, 1, 0, 0),
        (1, 100.0, 1, 1, 0),
        (2, 0.0, 0, 0, 0),
    ]
    north = {m.month: m for m in outcomes.survival(north_scope(world))}
    # Month 0: all 8 at risk (Finn and Gus are followed 3 months). Month 1: A1 back.
    assert (north[1].followed, north[1].came_back) == (8, 1)
    assert north[2].at_home == 87.5
    # Month 3: Finn and Gus stop being followed (censored at 3), 5 at risk.
    assert (north[3].censored, north[3].followed) == (2, 5)
    # Month 5: Cara back of the 5 still followed (A2, Ben, Cara, Dan, Eve).
    assert (north[5].followed, north[5].came_back) == (5, 1)
    assert north[6].at_home == 70.0  # 87.5 x 4/5
    # Month 9: Eve censored (9 months), Ben back of A2, Ben, Dan.
    assert (north[9].censored, north[9].followed, north[9].came_back) == (1, 3, 1)
    assert north[10].at_home == 46.7  # 70 x 2/3


def test_cohorts_by_quarter_of_return(world):
    rows = [(c.label, c.returns, c.windows) for c in outcomes.cohorts(north_scope(world))]
    assert rows == [
        ("October to December 2023", 1, [(1, 0), (1, 0), (1, 1), (1, 1)]),  # Ben
        ("April to June 2024", 1, [(1, 1), (1, 1), (1, 1), (0, 0)]),  # A1
        ("July to September 2024", 1, [(1, 0), (1, 0), (1, 0), (0, 0)]),  # Dan
        ("October to December 2024", 1, [(1, 0), (1, 0), (1, 0), (0, 0)]),  # A2
        ("January to March 2025", 1, [(1, 0), (1, 1), (1, 1), (0, 0)]),  # Cara
        ("April to June 2025", 1, [(1, 0), (1, 0), (0, 0), (0, 0)]),  # Eve
        ("October to December 2025", 2, [(2, 0), (0, 0), (0, 0), (0, 0)]),  # Finn, Gus
    ]


def test_the_survival_chart_is_drawn_from_the_table_rows():
    rows = [
        [0, "100.0%", 4, 0, 0, ""],
        [1, "100.0%", 4, 1, 0, ""],
        [2, "75.0%", 2, 0, 1, ""],
        [3, "75.0%", 0, 0, 2, "88%"],
    ]
    chart = survival_chart(rows)
    assert chart.path.startswith("M56.0,16.0")  # the top left: 100% at the return
    assert chart.path.count("V") == 3
    assert [label for _, label in chart.x_ticks][:3] == ["0", "3", "6"]  # 24 months shown
    assert len(chart.censored) == 2  # months 2 and 3
    assert [label for _, _, label in chart.national] == [
        "England: 12% back in care by 3 months",
        "England: 20% back in care by 12 months",
    ]
    assert survival_chart([]) is None


# A case that closes, then the child comes back into care -------------------------------

MOTHER = "Dawn Brightwater (mother)"


def travel(day):
    return time_machine.travel(noon(day), tick=False)


def walked_home(case, by, director, on):
    return_home.ask_to_cease_care(case=case, by=by, proposed_on=on, plan_after="CiN plan")
    return_home.decide_ceasing_care(
        case=case, by=director, approved=True, decided_on=on, rationale="Support is in place."
    )
    return return_home.record_return_home(
        case=case,
        by=by,
        returned_on=on,
        planned=False,
        unplanned_reason="Left the foster home and went to her mother's.",
        returned_to=MOTHER,
        legal_status_after="child_in_need",
        episode_end_reason="E4B",
    )


def in_care(case, by, since):
    values = {"code": "V2", "start_date": since, "end_date": None}
    save_record(case=case, by=by, kind="legal-status", values=values)
    values = {"placement_type": "U6", "carer": "Mr and Mrs Hale", "start_date": since}
    save_record(case=case, by=by, kind="placement", values=values)


def looked_after_case(name, looked_after, opened, people, **extra):
    with travel(opened):
        first, last = name.split()
        child = extra.pop("child", None) or ChildFactory(
            first_name=first, last_name=last, date_of_birth=D(2012, 6, 1)
        )
        case = open_case(
            team_manager=people.team_manager,
            social_worker=people.social_worker,
            iro=people.iro,
            child=child,
            became_looked_after_on=looked_after,
            opened_on=opened,
            **extra,
        )
        FamilyMemberFactory(case=case, name="Dawn Brightwater", relationship="Mother")
        in_care(case, people.social_worker, looked_after)
    return ReunificationCase.objects.get(pk=case.pk)


@pytest.fixture
def after_closing(everyone, people):
    """Kayla went home on Friday 31 January 2025; her case closed on 30 September
    2025; she was back in care on 14 November 2025, on a new case. Leo went home
    on 28 February 2025 and is still there. Mia went home on 30 June 2025 and
    was back in care on 15 July (a breakdown recorded on her open case)."""
    sw = people.social_worker
    kayla = looked_after_case("Kayla Brightwater", D(2024, 9, 2), D(2025, 1, 6), people)
    with travel(D(2025, 1, 31)):
        walked_home(kayla, sw, people.director, D(2025, 1, 31))
    with travel(D(2025, 9, 30)):
        return_home.close_case(
            case=kayla,
            by=people.team_manager,
            closed_on=D(2025, 9, 30),
            reason="other",
            notes="Settled at home.",
            override_reason="Settled; the family asked for the case to close.",
            warning_acknowledged=True,
        )
    looked_after_case(
        "Kayla Brightwater",
        D(2025, 11, 14),
        D(2025, 11, 17),
        people,
        child=kayla.child,
        previous_case=kayla,
    )
    leo = looked_after_case("Leo Lark", D(2024, 9, 2), D(2025, 2, 3), people)
    with travel(D(2025, 2, 28)):
        walked_home(leo, sw, people.director, D(2025, 2, 28))
    mia = looked_after_case("Mia Moor", D(2024, 10, 1), D(2025, 6, 2), people)
    with travel(D(2025, 6, 30)):
        walked_home(mia, sw, people.director, D(2025, 6, 30))
    with travel(D(2025, 7, 15)):
        return_home.record_breakdown(
            case=mia,
            by=sw,
            came_back_on=D(2025, 7, 15),
            reason="Mother asked for her to be accommodated again.",
            placement_type="U6",
            carer="Mr and Mrs Hale",
            legal_status="V2",
        )
    return Scope(start=D(2025, 1, 1), end=T, today=T)


def test_a_child_whose_case_closed_and_who_came_back_into_care_has_re_entered(after_closing):
    assert windows(after_closing) == [
        ("3 months", 3, 1, 33.3),  # Mia
        ("6 months", 3, 1, 33.3),
        # Kayla (13 months) and Leo (12 on 28 February) followed a year; Mia 8.
        # Kayla back after 9 months, though her case had closed.
        ("1 year", 2, 1, 50.0),
        ("2 years", 0, 0, None),
    ]
    assert outcomes.time_at_home_before_re_entry(after_closing)["bands"][:3] == [
        ("Under 3 months", 1),  # Mia
        ("3 to 6 months", 0),
        ("6 to 12 months", 1),  # Kayla
    ]


def test_support_that_ended_early_and_the_re_entry_after_it(after_closing):
    support = outcomes.support_after_return(after_closing)
    assert support["closed"] == 1  # Kayla; Mia's case closed because she came back
    assert (support["before_6"], support["before_12"]) == (0, 1)  # 8 months
    assert support["average_days"] == 242
    assert support["back_after_closing"] == 1
    assert support["re_entry_by_support"][1] == ("Case closed at 6 to 12 months", 1, 1, 100.0)
    assert support["re_entry_by_support"][3][1:3] == (2, 1)  # Leo; Mia


def test_survival_after_a_closed_case(after_closing):
    rows = {m.month: m for m in outcomes.survival(after_closing)}
    assert (rows[0].followed, rows[0].came_back) == (3, 1)  # Mia, in her first month
    assert rows[1].at_home == 66.7
    assert (rows[9].followed, rows[9].came_back) == (2, 1)  # Kayla, of Kayla and Leo
    assert rows[10].at_home == 33.3
    assert (max(rows), rows[12].censored) == (12, 1)  # Leo, followed 12 months


def test_a_care_order_child_back_in_foster_care_has_re_entered(everyone, north, team_manager):
    """Placed with parents under a full care order: no new legal status or case
    when the child goes back to foster carers, only the placement. The interim
    order becoming a full one while at home is not a new period of care."""
    b = Builder(manager=team_manager, author=team_manager)
    child = b.child("Ola Order", D(2016, 4, 4))
    case = b.case(child, north, stage=Stage.RETURN_HOME, entered=D(2025, 3, 3))
    b.returned(case, D(2025, 3, 3), care_order=True)
    LegalStatusFactory(child=child, code="C1", start_date=D(2024, 9, 1), end_date=D(2025, 4, 1))
    LegalStatusFactory(child=child, code="C2", start_date=D(2025, 4, 1))
    Placement.objects.create(child=child, placement_type="U6", carer="A", start_date=D(2024, 9, 1))
    Placement.objects.filter(child=child).update(end_date=D(2025, 3, 3))
    Placement.objects.create(child=child, placement_type="P1", carer="M", start_date=D(2025, 3, 3))
    scope = Scope(start=D(2025, 1, 1), end=T, today=T)
    assert outcomes.followed_returns(scope).get().back_on is None
    Placement.objects.filter(placement_type="P1").update(end_date=D(2025, 10, 20))
    Placement.objects.create(
        child=child, placement_type="U6", carer="B", start_date=D(2025, 10, 20)
    )
    assert outcomes.followed_returns(scope).get().back_on == D(2025, 10, 20)


# The page and its downloads ------------------------------------------------------------

OUTCOME_TABLES = [
    "returns",
    "re-entry",
    "survival",
    "cohorts",
    "time-at-home",
    "repeat-returns",
    "rate-age",
    "rate-over-10",
    "rate-legal",
    "rate-planned",
    "rate-previous",
    "rate-misuse",
    "rate-ethnicity",
    "rate-need",
    "rate-abuse",
    "rate-behaviour",
    "support",
    "support-re-entry",
    "concerns",
    "ruled-out",
]


@pytest.mark.usefixtures("on_10_march_2026", "world")
def test_every_outcome_figure_downloads_as_csv(client, performance):
    client.force_login(performance)
    html = client.get(reverse("reporting:outcomes")).content.decode()
    assert re.findall(r"csv=([\w-]+)", html) == OUTCOME_TABLES
    for key in OUTCOME_TABLES:
        response = client.get(reverse("reporting:outcomes"), {"csv": key})
        assert response["Content-Disposition"] == f'attachment; filename="{key}.csv"'
        assert len(csv_rows(response)) > 1, key


@pytest.mark.usefixtures("on_10_march_2026", "world")
def test_csv_carries_the_figures(client, performance):
    """The default period on 10 March 2026 is 1 March 2023 to that day, all teams."""
    client.force_login(performance)
    page = reverse("reporting:outcomes")
    re_entry = csv_rows(client.get(page, {"csv": "re-entry"}))
    assert re_entry[1] == ["3 months", "9", "2", "22.2%", "about 12%"]
    assert re_entry[4] == ["2 years", "1", "1", "100.0%", ""]
    rate = csv_rows(client.get(page, {"csv": "rate-planned"}))
    assert rate[1:] == [
        # 8 planned (3 back: A1, Cara, Quin) would give away the 1 unplanned (Ben).
        ["Planned return", "not shown", "fewer than 5", "–"],
        ["Unplanned return", "fewer than 5", "fewer than 5", "–"],
    ]


@pytest.mark.usefixtures("on_10_march_2026", "world")
def test_outcomes_page_shows_the_curve_beside_the_national_points(client, performance):
    client.force_login(performance)
    html = client.get(reverse("reporting:outcomes")).content.decode()
    assert 'class="app-survival-chart"' in html
    assert "England: 12% back in care by 3 months" in html
    assert "about 12%" in html and "about 20%" in html and "35% within six years" in html
    assert "in calendar months" in html and "censored" in html


# The demo -------------------------------------------------------------------------


def came_back_by_hand(returned) -> datetime.date | None:
    """The day the child came back into care after `returned`, read record by
    record in Python: the breakdown, or the child's later placements away from
    home, new periods of care and later cases."""
    child = returned.case.child
    days = [b.came_back_on for b in Breakdown.objects.filter(case=returned.case)]
    after = returned.returned_on
    days += [
        p.start_date
        for p in child.placements.all()
        if p.start_date > after and p.placement_type != "P1"
    ]
    statuses = list(child.legal_statuses.all())
    for status in statuses:
        running_before = any(
            other.start_date < status.start_date
            and (other.end_date is None or other.end_date >= status.start_date)
            for other in statuses
        )
        if status.start_date > after and not running_before:
            days.append(status.start_date)
    days += [
        c.became_looked_after_on for c in child.cases.all() if c.became_looked_after_on > after
    ]
    return min(days, default=None)


@pytest.mark.usefixtures("on_10_march_2026")
def test_the_demo_figures_agree_with_its_records(db, settings):
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())
    scope = Scope(start=D(2023, 3, 1), end=T, today=T)
    returns = list(ReturnHome.objects.select_related("case__child"))
    assert len(returns) == 8
    expected = []
    for _, months in outcomes.WINDOWS:
        followed = [r for r in returns if add_months(r.returned_on, months) <= T]
        back = [
            r
            for r in followed
            if (day := came_back_by_hand(r)) and day < add_months(r.returned_on, months)
        ]
        expected.append((len(followed), len(back)))
    assert [(r.observed, r.came_back) for r in outcomes.re_entry(scope)] == expected
    # The two earlier cases broke down: both children back in care, on new cases.
    assert outcomes.time_at_home_before_re_entry(scope)["total"] == 2
    assert outcomes.breakdown_rates(scope)["substance_misuse"][0][2] >= 1
    # The child for whom return was ruled out has long-term fostering as her plan.
    assert outcomes.ruled_out(scope)["with_permanence_plan"] == 1
