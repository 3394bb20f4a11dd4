"""The figures managers and researchers ask for, each computed by the database
with aggregate queries, so a page costs the same few queries at 100 cases or
100,000. Every function takes a Scope: the period, and the teams to count."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Value,
    Window,
)
from django.db.models.functions import RowNumber

from cases.models import (
    ReunificationCase,
    Stage,
    Team,
    User,
)
from reviews.models import (
    CarePlanApproval,
    Deadline,
)
from risk.models import AssessmentStatus, RiskAssessment
from risk.selectors import LATEST_FIRST


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


def drifting_children(scope: Scope) -> list[tuple[str, int, int, int]]:
    """(stage, expected days, open cases, children drifting): children whose case
    has been in its stage longer than expected (reviews.journey.drift), counted
    once each however many open cases they have. Counted by the database from
    the day each case entered its stage, which the stage move writes."""
    expected = settings.STAGE_EXPECTED_DAYS
    late = Q()
    for stage, days in expected.items():
        # Drifting from the day after the expected time runs out (drift.drifting_from).
        last_on_time = scope.today - datetime.timedelta(days=days)
        late |= Q(stage=stage, stage_entered_on__lt=last_on_time)
    by_stage = {
        row["stage"]: row
        for row in scope.cases()
        .exclude(stage=Stage.CLOSED)
        .values("stage")
        .annotate(n=Count("pk"), drifting=Count("child", filter=late, distinct=True))
    }
    rows = [
        (label, expected[value], by_stage[value]["n"], by_stage[value]["drifting"])
        for value, label in Stage.choices
        if value in by_stage and value in expected
    ]
    total = (
        scope.cases().exclude(stage=Stage.CLOSED).filter(late).values("child").distinct().count()
    )
    return rows + [("All stages (children)", "", sum(r[2] for r in rows), total)]


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


# Outcomes: reporting.outcomes, which follows each return through the child's record.
