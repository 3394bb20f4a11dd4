"""Rules for the months after a return home, as plain Python over dates.

Support lasts at least six months after the return and research advises a year
(002 stage 5; 001, 003): a service planned to end sooner is the team manager's
to look at. Once the return has ended the looked-after episode the child is a
child in need, visited at the council's interval. A concern once the child is
home prompts a reassessment of the risk; an unplanned return, an assessment of
the home and police checks on the household.
"""

import datetime
import enum

from reviews.deadlines.rules import after_return
from reviews.deadlines.working_days import add_working_days

# A concern after the return: the risk is reassessed within ten working days.
CONCERN_REASSESSMENT_WORKING_DAYS = 10
# After an unplanned return the home is assessed and the household checked within
# ten working days, as for a child placed in an emergency (a local default).
UNPLANNED_RETURN_WORKING_DAYS = 10


class EndsEarly(enum.Enum):
    BEFORE_SIX_MONTHS = "six"
    BEFORE_TWELVE_MONTHS = "twelve"


def ends_early(returned_on: datetime.date, ends_on: datetime.date | None) -> EndsEarly | None:
    """Whether support planned to end on `ends_on` ends before the child has been
    home six months (an alert for the manager) or twelve (a softer warning). The
    child has been home six months on the same day six calendar months after the
    return (the month's last day when it is shorter: 31 August to 28 February, or
    29 February in a leap year); support ending that day has lasted six months."""
    if ends_on is None:
        return None
    milestones = after_return(returned_on)
    if ends_on < milestones.support_at_least_until:
        return EndsEarly.BEFORE_SIX_MONTHS
    if ends_on < milestones.closure_warning_until:
        return EndsEarly.BEFORE_TWELVE_MONTHS
    return None


def cin_visit_due(
    returned_on: datetime.date, visits_held: list[datetime.date], interval_working_days: int
) -> datetime.date:
    """The next Child in Need visit: within the interval of the return, then of the
    last visit since it (working days: weekends and English bank holidays do not
    count)."""
    held = sorted(d for d in visits_held if d >= returned_on)
    return add_working_days(held[-1] if held else returned_on, interval_working_days)


def concern_reassessment_due(occurred_on: datetime.date) -> datetime.date:
    return add_working_days(occurred_on, CONCERN_REASSESSMENT_WORKING_DAYS)


def reassessed_on(
    occurred_on: datetime.date, assessments: list[datetime.date]
) -> datetime.date | None:
    """A concern is met by the first risk assessment dated on or after it."""
    return min((d for d in assessments if d >= occurred_on), default=None)


def unplanned_duty_due(returned_on: datetime.date) -> datetime.date:
    return add_working_days(returned_on, UNPLANNED_RETURN_WORKING_DAYS)


def home_assessed_on(
    returned_on: datetime.date, assessments: list[datetime.date]
) -> datetime.date | None:
    """The assessment of the home that meets the duty: the first on or after the
    return."""
    return min((d for d in assessments if d >= returned_on), default=None)


def household_checked_on(
    returned_on: datetime.date, checks: list[tuple[datetime.date | None, datetime.date | None]]
) -> datetime.date | None:
    """Police checks on the household after an unplanned return: one for each
    person who needs a check, requested on or after the return and returned.
    `checks` holds, per such person, their latest check's (requested, returned)
    dates, or (None, None). Met the day the last came back; None while any is
    missing, and when no one in the household is recorded as needing one."""
    if not checks:
        return None
    returned = []
    for requested_on, returned_on_day in checks:
        if requested_on is None or requested_on < returned_on or returned_on_day is None:
            return None
        returned.append(returned_on_day)
    return max(returned)
