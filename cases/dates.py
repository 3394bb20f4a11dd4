"""Calendar arithmetic the practice depends on. Pure functions of their inputs."""

import calendar
import datetime


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` calendar months later (or earlier, if negative).

    When that month is shorter, the answer is its last day: one month after
    31 January is 28 February, or 29 February in a leap year.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(day.day, last))


def age_on(date_of_birth: datetime.date, day: datetime.date) -> int:
    """Age in whole years on `day`. Someone born on 29 February turns a year
    older on 1 March in a common year, as English law counts it."""
    years = day.year - date_of_birth.year
    if (day.month, day.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years
