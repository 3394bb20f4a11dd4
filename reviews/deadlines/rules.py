"""When reviews and visits are due, as plain Python over dates.

Sources: the Care Planning, Placement and Case Review (England) Regulations 2010
(reg 33 reviews, reg 28 visits) and the practice guidance's stage 5. A schedule
runs on for as long as its reason does: a return home on a care order does not
restart the reg 33 reviews, and a care order made while the child lives at home
starts its own reg 28 visits from the day it was made.
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
FIRST_VISIT_WEEKS = 1
CARE_ORDER_AT_HOME_VISIT_WEEKS = 6


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


def review_at_home_on_care_order_due(
    looked_after_on: datetime.date,
    reviews_held: list[datetime.date],
    returned_on: datetime.date,
    iro_asked_by: datetime.date | None = None,
) -> datetime.date:
    """A child placed with parents under an interim or full care order is still
    looked after, so the reg 33 schedule of her looked-after episode runs on
    through the return (`reviews_held` are the episode's Child in Care reviews,
    before the return and since). The guidance's first review within a month of
    the return is a further limit on it, not a new schedule: the earlier date
    wins until a review is held on or after the return."""
    due = cic_review_due(looked_after_on, reviews_held, iro_asked_by)
    if not any(d >= returned_on for d in reviews_held):
        due = min(due, first_review_after_return_due(returned_on))
    return due


def review_after_return_due(
    returned_on: datetime.date,
    reviews_since_return: list[datetime.date],
    *,
    cin_interval_months: int,
    iro_asked_by: datetime.date | None = None,
) -> datetime.date:
    """After a return that ended the looked-after episode (section 20 ended): the
    first review within a month, then Child in Need (or Pathway Plan) reviews at
    the council's interval. Under a care order the due date is
    `review_at_home_on_care_order_due`, which knows the episode."""
    held = sorted(d for d in reviews_since_return if d >= returned_on)
    if not held:
        due = first_review_after_return_due(returned_on)
    else:
        due = add_months(held[-1], cin_interval_months)
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


def visit_after_care_order_made_at_home_due(
    order_made_on: datetime.date,
    visits: list[datetime.date],
    *,
    interim_order: bool,
    first_review_held: bool = False,
    already_due: datetime.date | None = None,
) -> datetime.date:
    """The next visit after a care order made while the child lives with a parent.
    Reg 28(5), a care order: within one week of the order, then at most six weeks
    apart (the placement's first-year and three-monthly rules no longer apply).
    An interim order made so is reg 28(4): at least weekly until the first review,
    then at most four weeks apart. A visit on the day of the order counts. A visit
    the earlier schedule had already made due (`already_due`) is not put off by
    the order: the first visit is due by the earlier of the two."""
    held = sorted(d for d in visits if d >= order_made_on)
    if not held:
        due = order_made_on + datetime.timedelta(weeks=FIRST_VISIT_WEEKS)
        return min(due, already_due) if already_due else due
    if interim_order:
        return held[-1] + datetime.timedelta(weeks=4 if first_review_held else 1)
    return held[-1] + datetime.timedelta(weeks=CARE_ORDER_AT_HOME_VISIT_WEEKS)


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


# A parental issue with no specialist service and no recorded reason why not is
# a gap to close: within ten working days of its being recorded, or of the last
# service of its kind ending.
SERVICE_GAP_WORKING_DAYS = 10


def service_gap_due(
    recorded_on: datetime.date, service_ended_on: datetime.date | None = None
) -> datetime.date:
    """When a parental issue should be matched to a specialist service (or the
    reason there is none recorded): ten working days from the later of the day
    the issue was recorded and the day its last service ended."""
    start = max(recorded_on, service_ended_on) if service_ended_on else recorded_on
    return add_working_days(start, SERVICE_GAP_WORKING_DAYS)


def planning_meeting_due(consulted_on: datetime.date, working_days: int) -> datetime.date:
    """The planning meeting "as early as possible" after a positive viability
    consultation: within the local number of working days (20 unless set)."""
    return add_working_days(consulted_on, working_days)


def goal_review_done(
    due_on: datetime.date, reviews: list[tuple[datetime.date, str]]
) -> datetime.date | None:
    """A written-agreement goal is reviewed by its date when a review is recorded
    on or after that date, or it is met sooner: the day that happened, or None
    while it is still to do. `reviews` are (reviewed on, outcome) pairs."""
    done = [day for day, outcome in reviews if day >= due_on or outcome == "met"]
    return min(done, default=None)
