"""The figures managers and researchers ask for, each computed by the database
with aggregate queries, so a page costs the same few queries at 100 cases or
100,000. Every function takes a Scope: the period, and the teams to count."""

import datetime
from dataclasses import dataclass

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
)

from cases.models import (
    ReunificationCase,
    Stage,
)
from reviews.models import (
    CarePlanApproval,
    Deadline,
)
from risk.models import AssessmentStatus, RiskAssessment
from risk.selectors import latest_signed_off_level_subquery


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
    counts = dict(
        scope.cases()
        .exclude(stage=Stage.CLOSED)
        .annotate(level=latest_signed_off_level_subquery())
        .values("level")
        .annotate(n=Count("pk"))
        .values_list("level", "n")
    )
    order = [("low", "Low"), ("medium", "Medium"), ("high", "High"), ("severe", "Severe")]
    return [(label, counts.get(code, 0)) for code, label in order] + [
        ("No signed-off assessment", counts.get(None, 0))
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
    rows = (
        scope.by_case(Deadline.objects.filter(done_on__isnull=True, due_on__lt=scope.today))
        .exclude(case__stage=Stage.CLOSED)
        .values("case__team__name", "responsible__first_name", "responsible__last_name", "kind")
        .annotate(n=Count("pk"))
        .order_by(
            "case__team__name",
            F("responsible__last_name").asc(nulls_last=True),
            "responsible__first_name",
            "kind",
        )
    )
    labels = dict(Deadline._meta.get_field("kind").choices)
    return [
        (
            row["case__team__name"],
            f"{row['responsible__first_name'] or ''} {row['responsible__last_name'] or ''}".strip()
            or "Not allocated",
            labels.get(row["kind"], row["kind"]),
            row["n"],
        )
        for row in rows
    ]


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
