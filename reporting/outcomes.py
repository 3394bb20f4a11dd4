"""Outcomes after a return home, counted by the child rather than the case.

A return home is followed through the child's whole later record: the day she
came back into care is the breakdown recorded on the case or, whatever became of
the case, the next care the child's record shows
(`cases.selectors.came_back_into_care_subquery`). Follow-up is in calendar
months, worked out in the database (the same SQL on PostgreSQL and SQLite).
Every function takes a `Scope`: returns (or decisions) dated in its period, in
its teams, followed up to `scope.today`.
"""

from dataclasses import dataclass

from django.db.models import (
    Avg,
    Case,
    Count,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import (
    Coalesce,
    ExtractQuarter,
    ExtractYear,
    Least,
    NullIf,
)

from cases.models import (
    AbuseCategory,
    CategoryOfNeed,
    ParentalIssue,
    ParentalIssueKind,
    PreviousReturn,
)
from cases.selectors import came_back_into_care_subquery
from reviews.models import (
    ClosureReason,
    LegalStatusAfterReturn,
    ReturnHome,
)

from .outcome_months import NEVER, AddMonths, whole_months
from .outcome_permanence import ruled_out  # noqa: F401 (one of the outcome figures)
from .selectors import Scope, _days

# Follow-up windows in calendar months. A return counts towards a window once the
# day that many months after it has come; the child re-entered within the window
# when she came back into care before that day.
WINDOWS = [("3 months", 3), ("6 months", 6), ("1 year", 12), ("2 years", 24)]

# National comparison points (NSPCC analysis of national data, 003; DOMAIN.md):
# the share of children back in care this many months after a return home.
NATIONAL = {3: 12, 12: 20, 72: 35}
NATIONAL_TEXT = {
    "3 months": "about 12%",
    "6 months": "35–37% in older studies",
    "1 year": "about 20%",
    "2 years": "",
}

# Fewer than this many children in a cell could identify a child: not shown.
SUPPRESS_BELOW = 5
SUPPRESSED = "fewer than 5"
WITHHELD = "not shown"  # 5 or more, hidden so that a smaller number cannot be worked out


# The returns, followed ---------------------------------------------------------


def followed_returns(scope: Scope):
    """Returns home in the period, each with the day the child came back into care
    (`back_on`, None while still at home), whole months at home before it
    (`months_home`) and whole months followed up to today (`months_followed`)."""
    returns = scope.by_case(ReturnHome.objects.filter(returned_on__range=(scope.start, scope.end)))
    never = Value(NEVER, output_field=DateField())
    back = NullIf(
        Least(
            Coalesce(F("case__breakdown__came_back_on"), never),
            Coalesce(came_back_into_care_subquery("case__child", "returned_on"), never),
        ),
        never,
    )
    return (
        returns.annotate(back_on=back)
        .alias(
            months_home=Case(
                When(back_on__isnull=False, then=whole_months(F("returned_on"), F("back_on"))),
                default=None,
                output_field=IntegerField(),
            ),
            months_followed=whole_months(F("returned_on"), scope.today),
        )
        .order_by()
    )


def returns_home(scope: Scope) -> dict:
    figures = followed_returns(scope).aggregate(
        total=Count("pk"),
        planned_returns=Count("pk", filter=Q(planned=True)),
        unplanned_returns=Count("pk", filter=Q(planned=False)),
    )
    return {
        "total": figures["total"],
        "planned": figures["planned_returns"],
        "unplanned": figures["unplanned_returns"],
    }


@dataclass(frozen=True)
class ReEntry:
    window: str
    months: int
    observed: int
    came_back: int
    national: str

    @property
    def percent(self) -> float | None:
        return _rate(self.came_back, self.observed)


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _window_counts(months: int) -> dict:
    followed = Q(months_followed__gte=months)
    return {
        f"followed_{months}": Count("pk", filter=followed),
        f"back_{months}": Count(
            "pk", filter=followed & Q(back_on__lt=AddMonths(F("returned_on"), months))
        ),
    }


def re_entry(scope: Scope) -> list[ReEntry]:
    """Re-entry to care within each window, over the returns in the period that
    have been followed that long by today, whether or not the case is open."""
    aggregates = {}
    for _, months in WINDOWS:
        aggregates.update(_window_counts(months))
    figures = followed_returns(scope).aggregate(**aggregates)
    return [
        ReEntry(
            label,
            months,
            figures[f"followed_{months}"],
            figures[f"back_{months}"],
            NATIONAL_TEXT[label],
        )
        for label, months in WINDOWS
    ]


AT_HOME_BANDS = [
    ("Under 3 months", 0, 3),
    ("3 to 6 months", 3, 6),
    ("6 to 12 months", 6, 12),
    ("1 to 2 years", 12, 24),
    ("2 years or more", 24, None),
]


def time_at_home_before_re_entry(scope: Scope) -> dict:
    """For returns in the period after which the child came back into care: how
    long she was at home, in calendar-month bands, and the average in days."""
    back = followed_returns(scope).filter(back_on__isnull=False)
    aggregates = {
        "total": Count("pk"),
        "average": Avg(
            ExpressionWrapper(F("back_on") - F("returned_on"), output_field=DurationField())
        ),
    }
    for index, (_, low, high) in enumerate(AT_HOME_BANDS):
        rule = Q(back_on__gte=AddMonths(F("returned_on"), low))
        if high is not None:
            rule &= Q(back_on__lt=AddMonths(F("returned_on"), high))
        aggregates[f"band_{index}"] = Count("pk", filter=rule)
    figures = back.aggregate(**aggregates)
    return {
        "total": figures["total"],
        "average_days": _days(figures["average"]),
        "bands": [(label, figures[f"band_{i}"]) for i, (label, _, _) in enumerate(AT_HOME_BANDS)],
    }


def _earlier_return(failed: bool):
    """The child had gone home before this return (and, with `failed`, came back
    into care before it): a return on an earlier case, or one on her record."""
    recorded = PreviousReturn.objects.filter(
        child=OuterRef("case__child"), returned_home_on__lt=OuterRef("returned_on")
    )
    if failed:
        recorded = recorded.filter(came_back_into_care_on__lte=OuterRef("returned_on"))
    # A later return home means the child was back in care in between: it failed.
    earlier_case = ReturnHome.objects.filter(
        case__child=OuterRef("case__child"), returned_on__lt=OuterRef("returned_on")
    )
    return Q(Exists(recorded)) | Q(Exists(earlier_case))


def repeat_returns(scope: Scope) -> dict:
    returns = followed_returns(scope)
    # Annotated first: an Exists in an aggregate's filter loses the case's join.
    repeat = Q(repeat=1)
    figures = returns.annotate(repeat=_flag(_earlier_return(failed=False))).aggregate(
        total=Count("pk"),
        repeats=Count("pk", filter=repeat),
        repeats_back=Count("pk", filter=repeat & Q(back_on__isnull=False)),
        children=Count("case__child", distinct=True),
    )
    twice = returns.values("case__child").annotate(n=Count("pk")).filter(n__gt=1).order_by().count()
    figures["children_more_than_once"] = twice
    return figures


# Breakdown by group ---------------------------------------------------------------


def _grouped(returns, group, labels) -> list[tuple[str, int, int, float | None]]:
    rows = (
        returns.annotate(group=group)
        .values("group")
        .annotate(n=Count("pk"), back=Count("pk", filter=Q(back_on__isnull=False)))
        .order_by("group")
    )
    by_group = {row["group"]: row for row in rows}
    result = []
    for key, label in labels:
        row = by_group.get(key, {"n": 0, "back": 0})
        result.append((label, row["n"], row["back"], _rate(row["back"], row["n"])))
    return result


def _flag(condition) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _age_at_return():
    """Age in whole years on the day of the return, counted as birthdays are."""
    born = "case__child__date_of_birth"
    birthday_to_come = Q(returned_on__month__lt=F(f"{born}__month")) | Q(
        returned_on__month=F(f"{born}__month"), returned_on__day__lt=F(f"{born}__day")
    )
    return ExtractYear("returned_on") - ExtractYear(born) - _flag(birthday_to_come)


ETHNIC_GROUPS = [
    ("White", ["WBRI", "WIRI", "WIRT", "WROM", "WOTH"]),
    ("Mixed", ["MWBC", "MWBA", "MWAS", "MOTH"]),
    ("Asian or Asian British", ["AIND", "APKN", "ABAN", "AOTH"]),
    ("Black or Black British", ["BCRB", "BAFR", "BOTH"]),
    ("Other ethnic group", ["CHNE", "OOTH"]),
    ("Refused or not yet obtained", ["REFU", "NOBT"]),
]


def breakdown_rates(scope: Scope) -> dict:
    """Returns in the period and how many came back into care since (up to today),
    by each factor research links to breakdown."""
    returns = followed_returns(scope).annotate(age_at_return=_age_at_return())
    age_band = Case(
        When(age_at_return__lt=5, then=Value(0)),
        When(age_at_return__lte=10, then=Value(1)),
        When(age_at_return__lt=16, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    misuse = ParentalIssue.objects.filter(
        case=OuterRef("case"), kind=ParentalIssueKind.SUBSTANCE_MISUSE
    )
    care_order = LegalStatusAfterReturn.CARE_ORDER_PLACED_WITH_PARENTS
    ethnicity = Case(
        *[
            When(case__child__ethnicity__in=codes, then=Value(index))
            for index, (_, codes) in enumerate(ETHNIC_GROUPS)
        ],
        default=Value(len(ETHNIC_GROUPS) - 1),
        output_field=IntegerField(),
    )
    return {
        "age": _grouped(
            returns,
            age_band,
            [(0, "Under 5"), (1, "5 to 10"), (2, "11 to 15"), (3, "16 or over")],
        ),
        "over_10": _grouped(
            returns,
            _flag(Q(age_at_return__gt=10)),
            [(1, "Over 10 (11 or older)"), (0, "10 or younger")],
        ),
        "legal_status": _grouped(
            returns,
            _flag(Q(legal_status_after=care_order)),
            [(1, "Care order"), (0, "Section 20 (accommodated)")],
        ),
        "previous_failed": _grouped(
            returns,
            _flag(_earlier_return(failed=True)),
            [(1, "After an earlier failed return"), (0, "No earlier failed return")],
        ),
        "substance_misuse": _grouped(
            returns,
            _flag(Q(Exists(misuse))),
            [(1, "Parental substance misuse"), (0, "No parental substance misuse recorded")],
        ),
        "planned": _grouped(
            returns, _flag(Q(planned=True)), [(1, "Planned return"), (0, "Unplanned return")]
        ),
        "ethnicity": _grouped(
            returns, ethnicity, [(i, label) for i, (label, _) in enumerate(ETHNIC_GROUPS)]
        ),
        "category_of_need": _grouped(
            returns.annotate(need=F("case__category_of_need")),
            F("need"),
            list(CategoryOfNeed.choices),
        ),
        "abuse": _grouped(
            returns.annotate(abuse=F("case__abuse_category")),
            F("abuse"),
            [(value, label) for value, label in AbuseCategory.choices if value]
            + [("", "None recorded")],
        ),
        "behaviour": _grouped(
            returns,
            _flag(Q(case__child__behavioural_or_emotional_difficulties=True)),
            [
                (1, "Behavioural or emotional difficulties"),
                (0, "No behavioural or emotional difficulties recorded"),
            ],
        ),
    }


def suppressed(counts: list[int]) -> list[int | str]:
    """Counts as they may be shown: 1 to 4 as "fewer than 5", and, when only one
    count in the column would be hidden, the next smallest as "not shown" too, so
    the hidden one cannot be worked out from the total."""
    hidden = {i for i, n in enumerate(counts) if 0 < n < SUPPRESS_BELOW}
    if len(hidden) == 1:
        others = [(n, i) for i, n in enumerate(counts) if i not in hidden and n > 0]
        if others:
            hidden.add(min(others)[1])
    return [
        (SUPPRESSED if 0 < n < SUPPRESS_BELOW else WITHHELD) if i in hidden else n
        for i, n in enumerate(counts)
    ]


def suppressed_rows(rows) -> list[list]:
    """(label, returns, back, rate) rows with small numbers hidden; a rate is
    shown only where both its counts are."""
    returns = suppressed([n for _, n, _, _ in rows])
    back = suppressed([b for _, _, b, _ in rows])
    shown = []
    for (label, _, _, rate), n, b in zip(rows, returns, back, strict=True):
        hide_rate = bool({SUPPRESSED, WITHHELD} & {n, b})
        shown.append([label, n, b, "–" if hide_rate or rate is None else f"{rate}%"])
    return shown


# Time at home: the survival curve and the cohorts ------------------------------


@dataclass(frozen=True)
class SurvivalMonth:
    month: int
    at_home: float  # estimated share still at home at `month` months, in %
    followed: int  # at home at `month` months and followed through the next month
    came_back: int  # of those, back in care before `month + 1` months
    censored: int  # still at home, followed exactly `month` whole months so far


def survival(scope: Scope) -> list[SurvivalMonth]:
    """The share of children still at home by whole months since the return
    (Kaplan–Meier): each month's re-entries over the returns followed through that
    month, so a return not yet followed that long counts while it is followed and
    no further (censored)."""
    back, home = {}, {}
    rows = (
        followed_returns(scope)
        .annotate(home=F("months_home"), followed=F("months_followed"))
        .values("home", "followed")
        .annotate(n=Count("pk"))
        .values_list("home", "followed", "n")
    )
    for months_home, months_followed, n in rows:
        if months_home is None:
            home[months_followed] = home.get(months_followed, 0) + n
        else:
            back[months_home] = back.get(months_home, 0) + n
    if not back and not home:
        return []
    last = max([m + 1 for m in back] + list(home))
    rows, at_home = [], 1.0
    for month in range(last + 1):
        followed = sum(n for m, n in back.items() if m >= month) + sum(
            n for m, n in home.items() if m > month
        )
        came_back = back.get(month, 0)
        rows.append(
            SurvivalMonth(month, round(100 * at_home, 1), followed, came_back, home.get(month, 0))
        )
        if followed:
            at_home *= 1 - came_back / followed
    return rows


QUARTER_MONTHS = {1: "January to March", 2: "April to June", 3: "July to September"}
QUARTER_MONTHS[4] = "October to December"


@dataclass(frozen=True)
class Cohort:
    year: int
    quarter: int
    returns: int
    windows: list[tuple[int, int]]  # (followed, came back) for each of WINDOWS

    @property
    def label(self) -> str:
        return f"{QUARTER_MONTHS[self.quarter]} {self.year}"


def cohorts(scope: Scope) -> list[Cohort]:
    """Returns by calendar quarter of return, each with its re-entry at each
    window over the returns followed that long."""
    aggregates = {"n": Count("pk")}
    for _, months in WINDOWS:
        aggregates.update(_window_counts(months))
    rows = (
        followed_returns(scope)
        .annotate(year=ExtractYear("returned_on"), quarter=ExtractQuarter("returned_on"))
        .values("year", "quarter")
        .annotate(**aggregates)
        .order_by("year", "quarter")
    )
    return [
        Cohort(
            row["year"],
            row["quarter"],
            row["n"],
            [(row[f"followed_{m}"], row[f"back_{m}"]) for _, m in WINDOWS],
        )
        for row in rows
    ]


# Support after the return -------------------------------------------------------

SUPPORT_GROUPS = [
    (0, "Case closed before 6 months"),
    (1, "Case closed at 6 to 12 months"),
    (2, "Case closed at 12 months or more"),
    (3, "Support not ended (case open, or closed when the child came back into care)"),
]


def support_after_return(scope: Scope) -> dict:
    """How long support lasted after the return: from the return to the case's
    closure, for cases closed other than because the return broke down; and how
    often children came back into care by how soon their case closed."""
    returns = followed_returns(scope)
    ended = Q(case__closure__isnull=False) & ~Q(case__closure__reason=ClosureReason.BREAKDOWN)
    months = whole_months(F("returned_on"), F("case__closure__closed_on"))
    returns = returns.annotate(
        support_months=Case(When(ended, then=months), default=None, output_field=IntegerField())
    )
    figures = returns.filter(ended).aggregate(
        closed=Count("pk"),
        average=Avg(
            ExpressionWrapper(
                F("case__closure__closed_on") - F("returned_on"), output_field=DurationField()
            )
        ),
        before_6=Count("pk", filter=Q(support_months__lt=6)),
        before_12=Count("pk", filter=Q(support_months__lt=12)),
        back_after_closing=Count("pk", filter=Q(back_on__isnull=False)),
    )
    figures["average_days"] = _days(figures.pop("average"))
    group = Case(
        When(support_months__lt=6, then=Value(0)),
        When(support_months__lt=12, then=Value(1)),
        When(support_months__isnull=False, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    figures["re_entry_by_support"] = _grouped(returns, group, SUPPORT_GROUPS)
    return figures
