"""Working days in England: Monday to Friday, less English bank holidays.

Bank holidays come from the `holidays` package, which computes them offline
(Easter, substitute days, and the one-off holidays it ships with), so nothing
is fetched at run time.
"""

import datetime
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def bank_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date `days` working days after `start` (which itself is not counted)."""
    if days < 0:
        raise ValueError("Count working days forward only")
    day = start
    counted = 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day
