"""The figures managers and researchers ask for, each computed by the database
with aggregate queries, so a page costs the same few queries at 100 cases or
100,000. Every function takes a Scope: the period, and the teams to count."""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Avg,
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
    Window,
)
from django.db.models.functions import ExtractYear, RowNumber

from cases.models import (
    ParentalIssue,
    ParentalIssueKind,
    PreviousReturn,
    ReunificationCase,
    Stage,
    Team,
    User,
)
from reviews.models import (
    CarePlanApproval,
    Closure,
    ClosureReason,
    Deadline,
    LegalStatusAfterReturn,
    NotPursued,
    ReturnHome,
)
from risk.models import AssessmentStatus, RiskAssessment
from risk.selectors import LATEST_FIRST

# Follow-up windows for re-entry to care, in days: 3 months, 6 months, 1 year and
# 2 years. A return counts towards a window only once it has had that long.
WINDOWS = [("3 months", 91), ("6 months", 182), ("1 year", 365), ("2 years", 730)]

# National comparison points (NSPCC 2024 and earlier studies; see DOMAIN.md).
NATIONAL = {
    "3 months": "about 12%",
    "6 months": "35–37% in older studies",
    "1 year": "about 20%",
    "2 years": "",
}


@dataclass(frozen=True)
class Scope:
    start: datetime.date
    end: datetime.date
    today: datetime.date
    teams: tuple[int, ...] = ()  # empty: every team

    def cases(self):
        cases = ReunificationCase.objects.all()
        return cases.filter(team_id__in=self.teams) if self.teams else cases

    def by_case(self, queryset, prefix="case__"):
        return queryset.filter(**{f"{prefix}team_id__in": self.teams}) if self.teams else queryset


def _rows(queryset, key, labels=None) -> list[tuple[str, int]]:
    labels = labels or {}
    return [(labels.get(row[key], row[key] or "Not recorded"), row["n"]) for row in queryset]


# Caseload and drift -----------------------------------------------------------


def caseload_by_stage(scope: Scope) -> list[tuple[str, int]]:
    counts = dict(
        scope.cases()
        .exclude(stage=Stage.CLOSED)
        .values("stage")
        .annotate(n=Count("pk"))
        .values_list("stage", "n")
    )
    return [(label, counts.get(value, 0)) for value, label in Stage.choices if value != "closed"]


def caseload_by_risk(scope: Scope) -> list[tuple[str, int]]:
    """Open cases by the confirmed level of their latest signed-off assessment.

    One pass over the signed-off assessments, numbering each case's from the
    latest (the order `latest_signed_off` uses), rather than a subquery per case;
    the cases with none are the open cases less those counted."""
    latest = Window(
        RowNumber(),
        partition_by=[F("case_id")],
        order_by=[F(name[1:]).desc() for name in LATEST_FIRST],
    )
    latest_ones = (
        scope.by_case(RiskAssessment.objects.filter(status=AssessmentStatus.SIGNED_OFF))
        .exclude(case__stage=Stage.CLOSED)
        .annotate(number=latest)
        .filter(number=1)
        .values("pk")
    )
    counts = dict(
        RiskAssessment.objects.filter(pk__in=latest_ones)
        .values("confirmed_level")
        .annotate(n=Count("pk"))
        .values_list("confirmed_level", "n")
    )
    open_cases = scope.cases().exclude(stage=Stage.CLOSED).count()
    order = [("low", "Low"), ("medium", "Medium"), ("high", "High"), ("severe", "Severe")]
    return [(label, counts.get(code, 0)) for code, label in order] + [
        ("No signed-off assessment", open_cases - sum(counts.values()))
    ]


def time_in_stage(scope: Scope) -> list[tuple[str, int, int]]:
    """(stage, open cases, average days in the stage so far)."""
    waited = ExpressionWrapper(
        Value(scope.today) - F("stage_entered_on"), output_field=DurationField()
    )
    by_stage = {
        row["stage"]: row
        for row in scope.cases()
        .exclude(stage=Stage.CLOSED)
        .annotate(waited=waited)
        .values("stage")
        .annotate(n=Count("pk"), average=Avg("waited"))
    }
    return [
        (label, by_stage[value]["n"], _days(by_stage[value]["average"]))
        for value, label in Stage.choices
        if value in by_stage
    ]


def _days(duration) -> int:
    if duration is None:
        return 0
    if isinstance(duration, datetime.timedelta):
        return round(duration.total_seconds() / 86400)
    return round(float(duration) / 86400_000_000)  # SQLite returns microseconds


def longest_waits(cases, limit: int = 25):
    """The cases longest in their current stage; `cases` is already limited to
    what the viewer may see."""
    return (
        cases.exclude(stage=Stage.CLOSED)
        .select_related("child", "social_worker", "team")
        .order_by("stage_entered_on", "pk")[:limit]
    )


def overdue_by_team_and_worker(scope: Scope) -> list[tuple[str, str, str, int]]:
    """Counted by team, person and kind in the database (by their ids, so nothing
    wide is grouped or sorted there), then named and put in order here."""
    counts = list(
        scope.by_case(Deadline.objects.filter(done_on__isnull=True, due_on__lt=scope.today))
        .exclude(case__stage=Stage.CLOSED)
        .values_list("case__team_id", "responsible_id", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    teams = dict(Team.objects.filter(pk__in={row[0] for row in counts}).values_list("pk", "name"))
    people = {
        pk: (first, last)
        for pk, first, last in User.objects.filter(
            pk__in={row[1] for row in counts if row[1]}
        ).values_list("pk", "first_name", "last_name")
    }
    labels = dict(Deadline._meta.get_field("kind").choices)

    def order(row):
        first, last = people.get(row[1], ("", None))
        return (teams[row[0]], last is None, last or "", first, row[2])

    rows = []
    for row in sorted(counts, key=order):
        first, last = people.get(row[1], ("", ""))
        rows.append(
            (
                teams[row[0]],
                f"{first} {last or ''}".strip() or "Not allocated",
                labels.get(row[2], row[2]),
                row[3],
            )
        )
    return rows


def approvals_waiting(scope: Scope) -> list[tuple[str, int]]:
    cases = scope.cases()
    approvals = CarePlanApproval.objects.filter(case=OuterRef("pk"))
    ident = cases.filter(stage=Stage.IDENTIFICATION)
    figures = ident.aggregate(
        confirm=Count("pk", filter=~Q(Exists(approvals.filter(step="confirmed")))),
        agree=Count(
            "pk",
            filter=Q(Exists(approvals.filter(step="confirmed")))
            & ~Q(Exists(approvals.filter(step="agreed"))),
        ),
        ratify=Count(
            "pk",
            filter=Q(Exists(approvals.filter(step="agreed")))
            & ~Q(Exists(approvals.filter(step="ratified"))),
        ),
    )
    sign_off = scope.by_case(
        RiskAssessment.objects.filter(status=AssessmentStatus.SUBMITTED)
    ).count()
    return [
        ("Care plans waiting for the team manager's confirmation", figures["confirm"]),
        ("Care plans waiting for the head of service's agreement", figures["agree"]),
        ("Care plans waiting for the IRO's ratification", figures["ratify"]),
        ("Risk assessments waiting for sign-off", sign_off),
    ]


# Outcomes --------------------------------------------------------------------


def _returns(scope: Scope):
    return scope.by_case(ReturnHome.objects.filter(returned_on__range=(scope.start, scope.end)))


def returns_home(scope: Scope) -> dict:
    figures = _returns(scope).aggregate(
        total=Count("pk"),
        planned_returns=Count("pk", filter=Q(planned=True)),
        unplanned_returns=Count("pk", filter=Q(planned=False)),
    )
    return {
        "total": figures["total"],
        "planned": figures["planned_returns"],
        "unplanned": figures["unplanned_returns"],
    }


def _at_home():
    """Days from return to coming back into care, for returns that broke down."""
    return ExpressionWrapper(
        F("case__breakdown__came_back_on") - F("returned_on"), output_field=DurationField()
    )


@dataclass(frozen=True)
class ReEntry:
    window: str
    days: int
    observed: int
    came_back: int
    national: str

    @property
    def percent(self) -> float | None:
        return round(100 * self.came_back / self.observed, 1) if self.observed else None


def re_entry(scope: Scope) -> list[ReEntry]:
    """Re-entry to care within each window, counted only over returns in the
    period that have had the whole window to be observed."""
    returns = _returns(scope).annotate(at_home=_at_home())
    aggregates = {}
    for _, days in WINDOWS:
        cutoff = scope.today - datetime.timedelta(days=days)
        observed = Q(returned_on__lte=cutoff)
        aggregates[f"observed_{days}"] = Count("pk", filter=observed)
        aggregates[f"back_{days}"] = Count(
            "pk",
            filter=observed & Q(at_home__lte=datetime.timedelta(days=days)),
        )
    figures = returns.aggregate(**aggregates)
    return [
        ReEntry(label, days, figures[f"observed_{days}"], figures[f"back_{days}"], NATIONAL[label])
        for label, days in WINDOWS
    ]


def time_at_home_before_breakdown(scope: Scope) -> dict:
    returns = _returns(scope).filter(case__breakdown__isnull=False).annotate(at_home=_at_home())
    bands = [
        ("Under 3 months", 0, 91),
        ("3 to 6 months", 91, 182),
        ("6 to 12 months", 182, 365),
        ("1 to 2 years", 365, 730),
        ("2 years or more", 730, None),
    ]
    aggregates = {"average": Avg("at_home"), "total": Count("pk")}
    for index, (_, low, high) in enumerate(bands):
        rule = Q(at_home__gte=datetime.timedelta(days=low))
        if high is not None:
            rule &= Q(at_home__lt=datetime.timedelta(days=high))
        aggregates[f"band_{index}"] = Count("pk", filter=rule)
    figures = returns.aggregate(**aggregates)
    return {
        "total": figures["total"],
        "average_days": _days(figures["average"]),
        "bands": [(label, figures[f"band_{i}"]) for i, (label, _, _) in enumerate(bands)],
    }


def repeat_returns(scope: Scope) -> dict:
    returns = _returns(scope)
    return returns.aggregate(
        total=Count("pk"),
        repeats=Count("pk", filter=Q(case__previous_case__isnull=False)),
        children=Count("case__child", distinct=True),
    )


def _breakdown_rate(returns, group_expression, labels) -> list[tuple[str, int, int, float | None]]:
    rows = (
        returns.annotate(group=group_expression)
        .values("group")
        .annotate(n=Count("pk"), broke=Count("pk", filter=Q(case__breakdown__isnull=False)))
        .order_by("group")
    )
    by_group = {row["group"]: row for row in rows}
    result = []
    for key, label in labels:
        row = by_group.get(key, {"n": 0, "broke": 0})
        rate = round(100 * row["broke"] / row["n"], 1) if row["n"] else None
        result.append((label, row["n"], row["broke"], rate))
    return result


def breakdown_rates(scope: Scope) -> dict:
    returns = _returns(scope)
    # Age in whole years on the day of the return, counted as birthdays are.
    born = "case__child__date_of_birth"
    birthday_to_come = Q(returned_on__month__lt=F(f"{born}__month")) | Q(
        returned_on__month=F(f"{born}__month"), returned_on__day__lt=F(f"{born}__day")
    )
    age = (
        ExtractYear("returned_on")
        - ExtractYear(born)
        - Case(When(birthday_to_come, then=Value(1)), default=Value(0), output_field=IntegerField())
    )
    age_band = Case(
        When(Q(age_at_return__lt=5), then=Value(0)),
        When(Q(age_at_return__lt=10), then=Value(1)),
        When(Q(age_at_return__lt=16), then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    failed_before = PreviousReturn.objects.filter(
        child=OuterRef("case__child"),
        came_back_into_care_on__isnull=False,
        returned_home_on__lt=OuterRef("returned_on"),
        came_back_into_care_on__lte=OuterRef("returned_on"),
    )
    misuse = ParentalIssue.objects.filter(
        case=OuterRef("case"), kind=ParentalIssueKind.SUBSTANCE_MISUSE
    )
    with_age = returns.annotate(age_at_return=age)
    care_order = LegalStatusAfterReturn.CARE_ORDER_PLACED_WITH_PARENTS
    return {
        "age": _breakdown_rate(
            with_age,
            age_band,
            [(0, "Under 5"), (1, "5 to 9"), (2, "10 to 15"), (3, "16 or over")],
        ),
        "legal_status": _breakdown_rate(
            returns,
            Case(
                When(legal_status_after=care_order, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            [(1, "Care order"), (0, "Section 20 (accommodated)")],
        ),
        "previous_failed": _breakdown_rate(
            returns,
            Case(
                When(Exists(failed_before), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            [(1, "After an earlier failed return"), (0, "No earlier failed return")],
        ),
        "substance_misuse": _breakdown_rate(
            returns,
            Case(
                When(Exists(misuse), then=Value(1)), default=Value(0), output_field=IntegerField()
            ),
            [(1, "Parental substance misuse"), (0, "No parental substance misuse recorded")],
        ),
    }


def support_after_return(scope: Scope) -> dict:
    """How long cases stayed open after the return, for returns in the period
    whose case has closed."""
    # A breakdown closes its case too, but that is not support ending.
    closed = (
        _returns(scope)
        .filter(case__closure__isnull=False, case__breakdown__isnull=True)
        .annotate(
            support=ExpressionWrapper(
                F("case__closure__closed_on") - F("returned_on"), output_field=DurationField()
            )
        )
    )
    figures = closed.aggregate(
        closed=Count("pk"),
        average=Avg("support"),
        within_6=Count("pk", filter=Q(support__lt=datetime.timedelta(days=182))),
        within_12=Count("pk", filter=Q(support__lt=datetime.timedelta(days=365))),
    )
    figures["average_days"] = _days(figures.pop("average"))
    return figures


def ruled_out(scope: Scope) -> dict:
    """Children for whom return was ruled out in the period, and whether a
    permanence plan followed (a closure with one), and how soon."""
    decisions = scope.by_case(NotPursued.objects.filter(decided_on__range=(scope.start, scope.end)))
    permanence = Closure.objects.filter(
        case=OuterRef("case"), reason=ClosureReason.NOT_PURSUED_PERMANENCE
    )
    with_plan = decisions.filter(Exists(permanence)).annotate(
        delay=ExpressionWrapper(
            F("case__closure__closed_on") - F("decided_on"), output_field=DurationField()
        )
    )
    figures = decisions.aggregate(total=Count("case", distinct=True))
    plan = with_plan.aggregate(n=Count("case", distinct=True), average=Avg("delay"))
    return {
        "total": figures["total"],
        "with_permanence_plan": plan["n"],
        "average_days_to_plan": _days(plan["average"]),
    }
