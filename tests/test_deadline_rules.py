"""When reviews and visits fall due, as the regulations and the guidance set them
(Care Planning, Placement and Case Review (England) Regulations 2010, reg 33
reviews and reg 28 visits; the practice guidance's stage 5). Pure functions of
dates: no database, no clock.

Every expected date here was counted by hand on a calendar, not by the code.
"""

import datetime

import pytest

from reviews.deadlines.rules import (
    VisitRule,
    after_return,
    cic_review_due,
    review_after_return_due,
    visit_due,
)
from reviews.deadlines.working_days import add_working_days, is_working_day

D = datetime.date


# Working days: Monday to Friday, less English bank holidays ------------------------


@pytest.mark.parametrize(
    "start, days, expected",
    [
        pytest.param(D(2026, 3, 9), 0, D(2026, 3, 9), id="none-counted-is-the-start"),
        pytest.param(D(2026, 3, 9), 1, D(2026, 3, 10), id="monday-to-tuesday"),
        pytest.param(D(2026, 3, 6), 1, D(2026, 3, 9), id="friday-skips-the-weekend"),
        pytest.param(D(2026, 3, 7), 1, D(2026, 3, 9), id="from-a-saturday"),
        pytest.param(D(2026, 3, 8), 1, D(2026, 3, 9), id="from-a-sunday"),
        pytest.param(D(2026, 3, 9), 5, D(2026, 3, 16), id="a-working-week"),
        # Christmas 2026: Friday 25th; Boxing Day on the Saturday, so Monday 28th is
        # the substitute day.
        pytest.param(D(2026, 12, 24), 1, D(2026, 12, 29), id="christmas-2026-substitute"),
        pytest.param(D(2026, 12, 23), 2, D(2026, 12, 29), id="christmas-eve-counts"),
        pytest.param(D(2026, 12, 24), 5, D(2027, 1, 5), id="into-new-year-2027"),
        # Christmas 2027: both days fall at the weekend, so 27th and 28th are off.
        pytest.param(D(2027, 12, 24), 1, D(2027, 12, 29), id="christmas-2027-two-substitutes"),
        # Easter 2027: Good Friday 26 March, Easter Monday 29 March.
        pytest.param(D(2027, 3, 25), 1, D(2027, 3, 30), id="easter-2027"),
        # One-off bank holidays.
        pytest.param(D(2022, 9, 16), 1, D(2022, 9, 20), id="queens-funeral-2022"),
        pytest.param(D(2023, 5, 5), 1, D(2023, 5, 9), id="coronation-2023"),
        pytest.param(D(2023, 4, 28), 1, D(2023, 5, 2), id="early-may-2023"),
        # Twenty working days, the first Child in Care review's limit.
        pytest.param(D(2026, 1, 5), 20, D(2026, 2, 2), id="20-in-january-2026"),
        pytest.param(D(2026, 3, 23), 20, D(2026, 4, 22), id="20-over-easter-2026"),
        pytest.param(D(2026, 12, 11), 20, D(2027, 1, 13), id="20-over-christmas-2026"),
        pytest.param(D(2026, 8, 29), 20, D(2026, 9, 28), id="20-from-saturday-over-august-bh"),
        pytest.param(D(2022, 9, 5), 20, D(2022, 10, 4), id="20-over-queens-funeral"),
        pytest.param(D(2023, 4, 24), 20, D(2023, 5, 24), id="20-over-two-may-2023-holidays"),
    ],
)
def test_working_days_skip_weekends_and_english_bank_holidays(start, days, expected):
    assert add_working_days(start, days) == expected


@pytest.mark.parametrize(
    "day, working",
    [
        (D(2026, 3, 10), True),
        (D(2026, 3, 14), False),  # Saturday
        (D(2026, 12, 25), False),
        (D(2026, 12, 28), False),  # substitute Boxing Day
        (D(2027, 3, 26), False),  # Good Friday
        (D(2027, 3, 29), False),  # Easter Monday
        (D(2022, 9, 19), False),
        (D(2023, 5, 8), False),
        (D(2026, 12, 24), True),
    ],
)
def test_which_days_are_working_days(day, working):
    assert is_working_day(day) is working


def test_working_days_are_counted_forward_only():
    with pytest.raises(ValueError):
        add_working_days(D(2026, 3, 10), -1)


# Child in Care reviews (reg 33) ----------------------------------------------------


@pytest.mark.parametrize(
    "looked_after_on, held, asked, expected",
    [
        pytest.param(D(2026, 1, 5), [], None, D(2026, 2, 2), id="first-20-working-days"),
        pytest.param(D(2026, 12, 11), [], None, D(2027, 1, 13), id="first-over-christmas"),
        pytest.param(D(2026, 3, 23), [], None, D(2026, 4, 22), id="first-over-easter"),
        pytest.param(
            D(2026, 1, 5), [D(2025, 6, 1)], None, D(2026, 2, 2), id="earlier-episode-ignored"
        ),
        pytest.param(D(2026, 1, 5), [D(2026, 1, 29)], None, D(2026, 4, 29), id="second-3-months"),
        pytest.param(
            D(2026, 11, 2), [D(2026, 11, 30)], None, D(2027, 2, 28), id="second-30-nov-to-28-feb"
        ),
        pytest.param(
            D(2027, 11, 1), [D(2027, 11, 30)], None, D(2028, 2, 29), id="second-30-nov-to-29-feb"
        ),
        pytest.param(
            D(2026, 1, 5),
            [D(2026, 1, 29), D(2026, 4, 20)],
            None,
            D(2026, 10, 20),
            id="third-6-months",
        ),
        pytest.param(
            D(2026, 1, 5),
            [D(2026, 4, 20), D(2026, 1, 29), D(2026, 8, 31)],
            None,
            D(2027, 2, 28),
            id="later-31-aug-to-28-feb-in-any-order",
        ),
        pytest.param(
            D(2027, 1, 4),
            [D(2027, 1, 28), D(2027, 4, 20), D(2027, 8, 31)],
            None,
            D(2028, 2, 29),
            id="later-31-aug-to-29-feb",
        ),
        pytest.param(
            D(2026, 1, 5),
            [D(2026, 1, 29), D(2026, 4, 20)],
            D(2026, 7, 1),
            D(2026, 7, 1),
            id="iro-asks-earlier",
        ),
        pytest.param(
            D(2026, 1, 5),
            [D(2026, 1, 29), D(2026, 4, 20)],
            D(2026, 12, 1),
            D(2026, 10, 20),
            id="iro-cannot-make-it-later",
        ),
        pytest.param(
            D(2026, 1, 5),
            [D(2026, 1, 29), D(2026, 4, 20)],
            D(2026, 3, 1),
            D(2026, 10, 20),
            id="a-request-met-by-a-later-review-lapses",
        ),
        pytest.param(D(2026, 1, 5), [], D(2026, 1, 20), D(2026, 1, 20), id="iro-asks-first-sooner"),
    ],
)
def test_child_in_care_review_due(looked_after_on, held, asked, expected):
    assert cic_review_due(looked_after_on, held, asked) == expected


# The first review after a return that ended the episode, and the reviews after it --
# (Under a care order the reg 33 schedule runs on: tests/test_statutory_schedules.py.)


@pytest.mark.parametrize(
    "returned_on, held, interval, expected",
    [
        pytest.param(D(2026, 5, 1), [], 3, D(2026, 6, 1), id="first-within-a-month"),
        pytest.param(D(2027, 1, 31), [], 3, D(2027, 2, 28), id="31-jan-to-28-feb"),
        pytest.param(D(2028, 1, 31), [], 3, D(2028, 2, 29), id="31-jan-to-29-feb"),
        pytest.param(D(2026, 3, 31), [], 3, D(2026, 4, 30), id="31-mar-to-30-apr"),
        pytest.param(
            D(2026, 5, 1), [D(2026, 4, 20)], 3, D(2026, 6, 1), id="earlier-review-ignored"
        ),
        pytest.param(
            D(2026, 5, 1), [D(2026, 5, 20)], 3, D(2026, 8, 20), id="child-in-need-interval"
        ),
        pytest.param(
            D(2026, 5, 1), [D(2026, 5, 20)], 4, D(2026, 9, 20), id="council-sets-interval"
        ),
        pytest.param(
            D(2026, 5, 1),
            [D(2026, 5, 20), D(2026, 8, 15)],
            3,
            D(2026, 11, 15),
            id="from-the-latest",
        ),
        pytest.param(D(2027, 7, 1), [D(2027, 11, 30)], 3, D(2028, 2, 29), id="30-nov-to-29-feb"),
    ],
)
def test_review_after_return_due(returned_on, held, interval, expected):
    assert review_after_return_due(returned_on, held, cin_interval_months=interval) == expected


def test_the_iro_may_ask_for_the_review_after_return_sooner_but_not_later():
    sooner = review_after_return_due(
        D(2026, 5, 1), [D(2026, 5, 20)], cin_interval_months=3, iro_asked_by=D(2026, 8, 1)
    )
    later = review_after_return_due(
        D(2026, 5, 1), [D(2026, 5, 20)], cin_interval_months=3, iro_asked_by=D(2027, 1, 1)
    )

    assert (sooner, later) == (D(2026, 8, 1), D(2026, 8, 20))


# Social worker visits (reg 28) -----------------------------------------------------

FOSTER = VisitRule()
LONG_TERM = VisitRule(intended_to_last_to_18=True)
WITH_PARENT_ON_INTERIM_ORDER = VisitRule(placed_with_parent_on_interim_order=True)


@pytest.mark.parametrize(
    "started, visits, rule, reviewed, expected",
    [
        pytest.param(D(2026, 1, 5), [], FOSTER, False, D(2026, 1, 12), id="within-a-week"),
        pytest.param(
            D(2026, 1, 5), [D(2025, 12, 1)], FOSTER, False, D(2026, 1, 12), id="older-visit-ignored"
        ),
        pytest.param(
            D(2026, 1, 5), [D(2026, 1, 9)], FOSTER, False, D(2026, 2, 20), id="6-weeks-first-year"
        ),
        pytest.param(
            D(2026, 1, 5),
            [D(2026, 1, 9), D(2026, 12, 20)],
            LONG_TERM,
            False,
            D(2027, 1, 31),
            id="last-first-year-visit-6-weeks",
        ),
        pytest.param(
            D(2026, 1, 5),
            [D(2027, 1, 20)],
            LONG_TERM,
            False,
            D(2027, 4, 20),
            id="to-18-3-months-after-year-1",
        ),
        pytest.param(
            D(2026, 1, 5),
            [D(2027, 11, 30)],
            LONG_TERM,
            False,
            D(2028, 2, 29),
            id="to-18-30-nov-to-29-feb",
        ),
        pytest.param(
            D(2026, 1, 5),
            [D(2027, 1, 20)],
            FOSTER,
            False,
            D(2027, 3, 3),
            id="not-to-18-still-6-weeks",
        ),
        pytest.param(
            D(2026, 3, 2), [], WITH_PARENT_ON_INTERIM_ORDER, False, D(2026, 3, 9), id="icor-week"
        ),
        pytest.param(
            D(2026, 3, 2),
            [D(2026, 3, 9)],
            WITH_PARENT_ON_INTERIM_ORDER,
            False,
            D(2026, 3, 16),
            id="icor-weekly-before-first-review",
        ),
        pytest.param(
            D(2026, 3, 2),
            [D(2026, 3, 9), D(2026, 3, 16)],
            WITH_PARENT_ON_INTERIM_ORDER,
            True,
            D(2026, 4, 13),
            id="icor-4-weekly-after-first-review",
        ),
        pytest.param(
            D(2027, 2, 1),
            [D(2027, 2, 8)],
            WITH_PARENT_ON_INTERIM_ORDER,
            False,
            D(2027, 2, 15),
            id="icor-weekly-in-february",
        ),
    ],
)
def test_visit_due(started, visits, rule, reviewed, expected):
    assert visit_due(started, visits, rule, first_review_held=reviewed) == expected


# After the return: support, the twelve-month warning, a secure return --------------


@pytest.mark.parametrize(
    "returned_on, six_months, twelve_months, two_years",
    [
        (D(2026, 5, 1), D(2026, 11, 1), D(2027, 5, 1), D(2028, 5, 1)),
        (D(2026, 8, 31), D(2027, 2, 28), D(2027, 8, 31), D(2028, 8, 31)),
        (D(2027, 8, 31), D(2028, 2, 29), D(2028, 8, 31), D(2029, 8, 31)),
        # Home on a leap day: the anniversaries in common years fall on 28 February.
        (D(2028, 2, 29), D(2028, 8, 29), D(2029, 2, 28), D(2030, 2, 28)),
        (D(2027, 2, 28), D(2027, 8, 28), D(2028, 2, 28), D(2029, 2, 28)),
        (D(2026, 12, 31), D(2027, 6, 30), D(2027, 12, 31), D(2028, 12, 31)),
    ],
)
def test_milestones_after_the_return(returned_on, six_months, twelve_months, two_years):
    milestones = after_return(returned_on)

    assert milestones.support_at_least_until == six_months
    assert milestones.closure_warning_until == twelve_months
    assert milestones.secure_on == two_years
