"""Calendar months in SQL, the same answer on PostgreSQL and SQLite as
`cases.dates.add_months` gives in Python: one month after 31 January is the last
day of February, and a year after 29 February is 28 February."""

import datetime

from django.db.models import Case, DateField, ExpressionWrapper, Func, IntegerField, Q, Value, When
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.db.models.lookups import Exact, LessThan

# A date after every real one, for the earliest of dates some of which are missing.
NEVER = datetime.date(9999, 12, 31)


def _last_day_of_month(day: datetime.date) -> bool:
    return (day + datetime.timedelta(days=1)).month != day.month


def _part(day, part: str):
    if isinstance(day, datetime.date):
        return Value(getattr(day, part))
    return {"year": ExtractYear, "month": ExtractMonth, "day": ExtractDay}[part](day)


def whole_months(start, end):
    """Whole calendar months from `start` to `end` (expressions, or a date for
    `end`): one month after 31 January is the last day of February, as
    `cases.dates.add_months` counts, so `whole_months(a, b) >= n` exactly when
    `b` is on or after the day n months after `a`."""
    months = (_part(end, "year") - _part(start, "year")) * 12 + (
        _part(end, "month") - _part(start, "month")
    )
    end_day, start_day = _part(end, "day"), _part(start, "day")
    if isinstance(end, datetime.date):
        # The last day of a month is a whole month after any later day of the month before.
        short_month = Q(pk__in=[]) if _last_day_of_month(end) else Q(LessThan(end_day, start_day))
    else:
        next_day = ExpressionWrapper(end + datetime.timedelta(days=1), output_field=DateField())
        month_ends = Q(Exact(ExtractDay(next_day), 1))
        short_month = Q(LessThan(end_day, start_day)) & ~month_ends
    short = Case(When(short_month, then=Value(1)), default=Value(0), output_field=IntegerField())
    return ExpressionWrapper(months - short, output_field=IntegerField())


class AddMonths(Func):
    """The date `months` calendar months after a date column, clipped to the end
    of a shorter month as `cases.dates.add_months` is (31 January + 1 month is
    the last day of February). Comparing a date with it reads that date once,
    which keeps the SQL small when the date is itself worked out."""

    output_field = DateField()

    def __init__(self, expression, months: int):
        super().__init__(expression, output_field=DateField())
        self.months = int(months)

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql}) + make_interval(months => {self.months}))::date", params

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        # SQLite rolls 31 January + 1 month over into March: then take the last
        # day of the month wanted instead.
        plain = f"date({sql}, '+{self.months} months')"
        last_day = f"date({sql}, 'start of month', '+{self.months + 1} months', '-1 day')"
        same_day = f"strftime('%%d', {plain}) = strftime('%%d', {sql})"
        return (
            f"(CASE WHEN {same_day} THEN {plain} ELSE {last_day} END)",
            (*params, *params, *params, *params),
        )
