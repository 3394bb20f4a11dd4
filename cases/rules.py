"""Rules of the case record, as plain Python over plain values."""

import datetime
from dataclasses import dataclass

from .dates import add_months, age_on

# The practice guidance applies to children out of the family home four months or
# more; the system flags those outside it rather than refusing them.
GUIDANCE_MINIMUM_MONTHS_OUT_OF_HOME = 4

POLICE_CHECK_AGE = 16


def out_of_home_long_enough(became_looked_after: datetime.date, today: datetime.date) -> bool:
    return today >= add_months(became_looked_after, GUIDANCE_MINIMUM_MONTHS_OUT_OF_HOME)


def four_months_out_of_home_on(became_looked_after: datetime.date) -> datetime.date:
    return add_months(became_looked_after, GUIDANCE_MINIMUM_MONTHS_OUT_OF_HOME)


@dataclass(frozen=True)
class Person:
    date_of_birth: datetime.date | None
    age_when_recorded: int | None
    recorded_on: datetime.date
    lives_in_household: bool
    regular_visitor: bool
    extended_family: bool


def age_of(person: Person, today: datetime.date) -> int | None:
    if person.date_of_birth:
        return age_on(person.date_of_birth, today)
    if person.age_when_recorded is not None:
        # An age given without a birth date grows with the years since it was taken.
        return person.age_when_recorded + age_on(person.recorded_on, today)
    return None


def oldest_possible_age(person: Person, today: datetime.date) -> int | None:
    """The oldest the person can be today. With only an age given, their birthday
    may have fallen on any day after it was recorded."""
    if person.date_of_birth or person.age_when_recorded is None:
        return age_of(person, today)
    years = age_on(person.recorded_on, today)
    since_last_anniversary = add_months(person.recorded_on, 12 * years) < today
    return person.age_when_recorded + years + (1 if since_last_anniversary else 0)


def needs_police_check(person: Person, today: datetime.date) -> bool:
    """Everyone aged 16 or over in the household, the extended family or visiting
    regularly needs a police check. An unknown age is treated as needing one, and an
    age recorded without a date of birth is taken at the oldest it can now be."""
    if not (person.lives_in_household or person.regular_visitor or person.extended_family):
        return False
    age = oldest_possible_age(person, today)
    return age is None or age >= POLICE_CHECK_AGE


def periods_overlap(
    start_a: datetime.date,
    end_a: datetime.date | None,
    start_b: datetime.date,
    end_b: datetime.date | None,
) -> bool:
    """Half-open periods [start, end); an open end runs on indefinitely. A period
    ending on the day the next begins does not overlap it."""
    a_before_b_ends = end_b is None or start_a < end_b
    b_before_a_ends = end_a is None or start_b < end_a
    return a_before_b_ends and b_before_a_ends


SIBLING_WORDS = ("brother", "sister", "sibling")


def is_sibling(relationship: str) -> bool:
    """A household member's relationship to the child that makes them a sibling
    ("Brother", "half-sister", "Step-brother", "Sibling")."""
    words = relationship.lower().replace("-", " ").split()
    return any(word in SIBLING_WORDS for word in words)
