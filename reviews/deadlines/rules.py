"""When reviews and visits are due, as plain Python over dates.

Sources: the Care Planning, Placement and Case Review (England) Regulations 2010
(reg 33 reviews, reg 28 visits) and the practice guidance's stage 5.
"""

import datetime
from dataclasses import dataclass

from cases.dates import add_months
from reviews.deadlines.working_days import add_working_days

FIRST_CIC_REVIEW_WORKING_DAYS = 20
SECOND_CIC_REVIEW_MONTHS = 3
LATER_CIC_REVIEW_MONTHS = 6
FIRST_REVIEW_AFTER_RETURN_MONTHS = 1
SUPPORT_AFTER_RETURN_MONTHS = 6
CLOSURE_WARNING_MONTHS = 12
SECURE_RETURN_MONTHS = 24


def cic_review_due(
    looked_after_on: datetime.date,
    reviews_held: list[datetime.date],
    iro_asked_by: datetime.date | None = None,
) -> datetime.date:
    """The next Child in Care review: the first within 20 working days of becoming
    looked after, the second within three months of the first, then at most six
    months apart; earlier when the IRO asks for one."""
    held = sorted(d for d in reviews_held if d >= looked_after_on)
    if not held:
        due = add_working_days(looked_after_on, FIRST_CIC_REVIEW_WORKING_DAYS)
    elif len(held) == 1:
        due = add_months(held[0], SECOND_CIC_REVIEW_MONTHS)
    else:
        due = add_months(held[-1], LATER_CIC_REVIEW_MONTHS)
    if iro_asked_by and (not held or iro_asked_by > held[-1]):
        due = min(due, iro_asked_by)
    return due


def first_review_after_return_due(returned_on: datetime.date) -> datetime.date:
    return add_months(returned_on, FIRST_REVIEW_AFTER_RETURN_MONTHS)


def review_after_return_due(
    returned_on: datetime.date,
    reviews_since_return: list[datetime.date],
    *,
    care_order_remains: bool,
    cin_interval_months: int,
    iro_asked_by: datetime.date | None = None,
) -> datetime.date:
    """After a return home: the first review within a month; then Child in Care
    reviews at most six months apart while a care order remains, otherwise Child
    in Need (or Pathway Plan) reviews at the council's interval."""
    held = sorted(d for d in reviews_since_return if d >= returned_on)
    if not held:
        due = first_review_after_return_due(returned_on)
    else:
        months = LATER_CIC_REVIEW_MONTHS if care_order_remains else cin_interval_months
        due = add_months(held[-1], months)
    if iro_asked_by and (not held or iro_asked_by > held[-1]):
        due = min(due, iro_asked_by)
    return due


@dataclass(frozen=True)
class VisitRule:
    """What reg 28 asks of visits for a placement."""

    placed_with_parent_on_interim_order: bool = False
    intended_to_last_to_18: bool = False


def visit_due(
    placement_started_on: datetime.date,
    visits: list[datetime.date],
    rule: VisitRule,
    *,
    first_review_held: bool = False,
) -> datetime.date:
    """The next social worker visit: within a week of the placement starting; then
    weekly until the first review and four-weekly after it for a child placed with
    a parent on an interim care order; otherwise at most six weeks apart in the
    placement's first year, and after that six weeks (three months where the
    placement is meant to last until the child is 18)."""
    held = sorted(d for d in visits if d >= placement_started_on)
    if not held:
        return placement_started_on + datetime.timedelta(weeks=1)
    last = held[-1]
    if rule.placed_with_parent_on_interim_order:
        weeks = 4 if first_review_held else 1
        return last + datetime.timedelta(weeks=weeks)
    first_year_ends = add_months(placement_started_on, 12)
    if last < first_year_ends or not rule.intended_to_last_to_18:
        return last + datetime.timedelta(weeks=6)
    return add_months(last, 3)


@dataclass(frozen=True)
class AfterReturn:
    support_at_least_until: datetime.date
    closure_warning_until: datetime.date
    secure_on: datetime.date


def after_return(returned_on: datetime.date) -> AfterReturn:
    """Support lasts at least six months; closing within twelve is warned against;
    two years at home is when a return is considered secure."""
    return AfterReturn(
        support_at_least_until=add_months(returned_on, SUPPORT_AFTER_RETURN_MONTHS),
        closure_warning_until=add_months(returned_on, CLOSURE_WARNING_MONTHS),
        secure_on=add_months(returned_on, SECURE_RETURN_MONTHS),
    )
