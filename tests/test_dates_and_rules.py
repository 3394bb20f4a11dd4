"""The calendar arithmetic and the rules of the case record, as tables."""

from datetime import date

import pytest

from cases.dates import add_months, age_on
from cases.rules import (
    Person,
    age_of,
    four_months_out_of_home_on,
    needs_police_check,
    out_of_home_long_enough,
    periods_overlap,
)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 15), 1, date(2026, 2, 15)),
        (date(2025, 11, 10), 4, date(2026, 3, 10)),  # across the new year
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # shorter month: its last day
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
        (date(2025, 10, 31), 4, date(2026, 2, 28)),
        (date(2023, 10, 31), 4, date(2024, 2, 29)),
        (date(2026, 5, 31), 1, date(2026, 6, 30)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2026, 3, 10), 0, date(2026, 3, 10)),
        (date(2026, 3, 10), -4, date(2025, 11, 10)),  # backwards
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2026, 1, 31), -2, date(2025, 11, 30)),
        (date(2026, 3, 10), 24, date(2028, 3, 10)),
    ],
)
def test_add_months_keeps_the_day_or_falls_back_to_the_months_last_day(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(2010, 3, 10), date(2026, 3, 9), 15),
        (date(2010, 3, 10), date(2026, 3, 10), 16),  # on the birthday
        (date(2010, 3, 10), date(2026, 3, 11), 16),
        (date(2010, 12, 31), date(2026, 1, 1), 15),
        (date(2026, 3, 10), date(2026, 3, 10), 0),
        # Born on 29 February: a year older on 1 March in a common year...
        (date(2008, 2, 29), date(2025, 2, 28), 16),
        (date(2008, 2, 29), date(2025, 3, 1), 17),
        # ...and on 29 February in a leap year.
        (date(2008, 2, 29), date(2024, 2, 28), 15),
        (date(2008, 2, 29), date(2024, 2, 29), 16),
    ],
)
def test_age_on_counts_whole_years(born, on, age):
    assert age_on(born, on) == age


@pytest.mark.parametrize(
    ("became_looked_after", "today", "long_enough"),
    [
        (date(2025, 11, 10), date(2026, 3, 10), True),  # exactly four months
        (date(2025, 11, 10), date(2026, 3, 9), False),  # the day before
        (date(2025, 11, 10), date(2026, 7, 1), True),
        (date(2026, 3, 10), date(2026, 3, 10), False),  # came into care today
        (date(2025, 10, 31), date(2026, 2, 28), True),  # 31 Oct + 4 months = 28 Feb
        (date(2025, 10, 31), date(2026, 2, 27), False),
        (date(2023, 10, 31), date(2024, 2, 29), True),  # 29 Feb in a leap year
        (date(2023, 10, 31), date(2024, 2, 28), False),
        (date(2024, 2, 29), date(2024, 6, 29), True),
        (date(2024, 2, 29), date(2024, 6, 28), False),
    ],
)
def test_the_guidance_applies_after_four_months_out_of_home(
    became_looked_after, today, long_enough
):
    assert out_of_home_long_enough(became_looked_after, today) is long_enough


def test_the_day_four_months_out_of_home_is_a_month_end_when_the_month_is_short():
    assert four_months_out_of_home_on(date(2025, 10, 31)) == date(2026, 2, 28)
    assert four_months_out_of_home_on(date(2023, 10, 31)) == date(2024, 2, 29)


def household_member(
    *,
    born=None,
    age=None,
    recorded_on=date(2026, 3, 10),
    lives_in_household=True,
    regular_visitor=False,
    extended_family=False,
):
    return Person(
        date_of_birth=born,
        age_when_recorded=age,
        recorded_on=recorded_on,
        lives_in_household=lives_in_household,
        regular_visitor=regular_visitor,
        extended_family=extended_family,
    )


TODAY = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("person", "today", "needs_check"),
    [
        # 16 on the birthday, 15 the day before
        (household_member(born=date(2010, 3, 10)), TODAY, True),
        (household_member(born=date(2010, 3, 10)), date(2026, 3, 9), False),
        (household_member(born=date(1985, 6, 1)), TODAY, True),
        (household_member(born=date(2015, 6, 1)), TODAY, False),
        # 29 February birthday: 16 on 1 March in a common year
        (household_member(born=date(2008, 2, 29)), date(2024, 2, 28), False),
        (household_member(born=date(2008, 2, 29)), date(2024, 2, 29), True),
        (household_member(born=date(2012, 2, 29)), date(2028, 2, 28), False),
        # no date of birth: the age given, taken at the oldest it can be now, as
        # the birthday may have fallen on any day after it was recorded
        (household_member(age=16), TODAY, True),
        (household_member(age=15), TODAY, False),
        (household_member(age=15, recorded_on=date(2026, 3, 9)), TODAY, True),
        (household_member(age=14, recorded_on=date(2024, 3, 10)), TODAY, True),
        (household_member(age=14, recorded_on=date(2024, 3, 11)), TODAY, True),
        (household_member(age=14, recorded_on=date(2025, 3, 10)), TODAY, False),
        (household_member(age=14, recorded_on=date(2025, 3, 9)), TODAY, True),
        (household_member(age=15, recorded_on=date(2025, 3, 10)), TODAY, True),
        # unknown age: check, to be safe
        (household_member(), TODAY, True),
        # who needs checking: household, regular visitors, extended family
        (household_member(born=date(1980, 1, 1), lives_in_household=False), TODAY, False),
        (
            household_member(born=date(1980, 1, 1), lives_in_household=False, regular_visitor=True),
            TODAY,
            True,
        ),
        (
            household_member(born=date(1980, 1, 1), lives_in_household=False, extended_family=True),
            TODAY,
            True,
        ),
        (household_member(lives_in_household=False), TODAY, False),
    ],
)
def test_police_checks_for_everyone_aged_16_or_over_around_the_household(
    person, today, needs_check
):
    assert needs_police_check(person, today) is needs_check


def test_an_age_given_without_a_birth_date_grows_with_the_years():
    person = household_member(age=12, recorded_on=date(2020, 9, 1))
    assert age_of(person, date(2020, 9, 1)) == 12
    assert age_of(person, date(2021, 8, 31)) == 12
    assert age_of(person, date(2021, 9, 1)) == 13
    assert age_of(person, date(2026, 3, 10)) == 17


def test_age_of_someone_with_neither_birth_date_nor_age_is_unknown():
    assert age_of(household_member(), TODAY) is None


def test_a_birth_date_wins_over_an_age_recorded():
    person = household_member(born=date(2011, 1, 1), age=40)
    assert age_of(person, TODAY) == 15


D = date


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        # half-open: ending the day the next starts is not an overlap
        ((D(2025, 1, 1), D(2025, 6, 1)), (D(2025, 6, 1), D(2025, 9, 1)), False),
        ((D(2025, 1, 1), D(2025, 6, 2)), (D(2025, 6, 1), D(2025, 9, 1)), True),
        ((D(2025, 1, 1), D(2025, 3, 1)), (D(2025, 6, 1), D(2025, 9, 1)), False),
        ((D(2025, 1, 1), D(2025, 12, 1)), (D(2025, 6, 1), D(2025, 9, 1)), True),  # contains
        ((D(2025, 6, 1), D(2025, 9, 1)), (D(2025, 6, 1), D(2025, 9, 1)), True),  # same
        # open ends run on indefinitely
        ((D(2025, 1, 1), None), (D(2030, 1, 1), None), True),
        ((D(2025, 1, 1), None), (D(2024, 1, 1), D(2025, 1, 1)), False),
        ((D(2025, 1, 1), None), (D(2024, 1, 1), D(2025, 1, 2)), True),
        ((D(2025, 1, 1), None), (D(2030, 1, 1), D(2030, 2, 1)), True),
        ((D(2025, 1, 1), D(2025, 2, 1)), (D(2025, 2, 1), None), False),
        ((D(2025, 1, 1), D(2025, 2, 2)), (D(2025, 2, 1), None), True),
    ],
)
def test_periods_overlap_as_half_open_periods(a, b, overlap):
    assert periods_overlap(*a, *b) is overlap
    assert periods_overlap(*b, *a) is overlap  # whichever way round
