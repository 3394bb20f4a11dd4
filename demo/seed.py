"""`manage.py seed_demo`: the demo users, then either the demo cases (played
through the services by demo.driver) or, with --cases N, scale data in bulk
(demo.scale). What was made comes back as a SeedReport for the command to print."""

import time
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count
from simple_history.models import HistoricalRecords

from cases.models import Child, ReunificationCase, Role, RoleGrant, ServiceArea, Stage, Team, User
from planning.models import PlanningMeeting
from reunification.clock import today
from reviews.deadlines import refresh
from reviews.models import (
    CarePlanApproval,
    Closure,
    Deadline,
    NotPursued,
    Recommendation,
    ReturnHome,
    Review,
    StageMove,
    ViabilityConsultation,
    ViabilityMeeting,
    Visit,
)
from risk.models import AssessmentStatus, RiskAssessment

from . import driver, scale
from .stories import (
    DEMO_FIRST_NUMBER,
    DEMO_PASSWORD,
    DEMO_USERS,
    NORTH_TEAM,
    SERVICE_AREA,
    SOUTH_TEAM,
)


class PasswordHash:
    """DEMO_PASSWORD hashed once, when first needed, and shared by every demo user:
    hashing it per user would cost a second or more per thousand staff."""

    def __init__(self):
        self._hash = None

    def __str__(self) -> str:
        if self._hash is None:
            self._hash = make_password(DEMO_PASSWORD)
        return self._hash


def new_user(username, first_name, last_name, password, team=None, admin=False) -> User:
    return User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=f"{username}@example.org",
        team=team,
        is_staff=admin,
        is_superuser=admin,
        password=str(password),
    )


@transaction.atomic
def ensure_demo_users(password: PasswordHash) -> tuple[dict, list, list]:
    """The demo service area, its two teams, one user per role and the system
    administrator: (users by username, created, existing). Users there already are
    reused as they are, except that only the system administrator is admin staff."""
    area, _ = ServiceArea.objects.get_or_create(name=SERVICE_AREA)
    teams = {
        name: Team.objects.get_or_create(name=name, defaults={"service_area": area})[0]
        for name in (NORTH_TEAM, SOUTH_TEAM)
    }
    users, created, existing = {}, [], []
    for spec in DEMO_USERS:
        user = User.objects.filter(username=spec.username).select_related("team").first()
        if user is None:
            team = teams.get(spec.team)
            user = new_user(
                spec.username, spec.first_name, spec.last_name, password, team, spec.admin
            )
            if spec.role == Role.SOCIAL_WORKER:
                # A registration number in Social Work England's form (SSDA903 SW_ID).
                user.social_work_england_number = f"SW{90000 + len(created) + 1}"
            user.save()
            created.append(spec.username)
        else:
            existing.append(spec.username)
            if (user.is_staff, user.is_superuser) != (spec.admin, spec.admin):
                # An older demo made the performance officer a superuser: only the
                # system administrator is one now, whatever the database held.
                user.is_staff = user.is_superuser = spec.admin
                user.save(update_fields=["is_staff", "is_superuser"])
        if spec.role is not None:
            RoleGrant.objects.get_or_create(user=user, role=spec.role)
        user.__dict__.pop("roles", None)  # forget any roles read before the grant
        users[spec.username] = user
    for team in teams.values():
        team.heads_of_service.add(users["hos"])
    return users, created, existing


@dataclass
class SeedReport:
    users_created: list[str]
    users_existing: list[str]
    demo_cases: int = 0
    demo_cases_found: int = 0
    scale_cases: int = 0
    scale_children: int = 0
    new_teams: int = 0
    new_staff: int = 0
    stages: Counter = field(default_factory=Counter)
    caseloads: dict[str, int] = field(default_factory=dict)
    journey_lines: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        lines = []
        if self.users_created:
            created = ", ".join(self.users_created)
            lines.append(f"Created demo users {created} (password {DEMO_PASSWORD}).")
        if self.users_existing:
            existing = ", ".join(self.users_existing)
            lines.append(f"Demo users already there, left as they were: {existing}.")
        if self.demo_cases_found:
            found = self.demo_cases_found
            lines.append(f"Demo cases exist already ({found} found); not created again.")
        if self.demo_cases:
            lines.append(f"Created {self.demo_cases} demo cases.")
        if self.scale_cases:
            lines.append(
                f"Created {self.scale_cases} cases for {self.scale_children} children "
                f"in bulk (no history rows), with {self.new_teams} new teams and "
                f"{self.new_staff} new staff."
            )
        if self.stages:
            by_stage = ", ".join(
                f"{Stage(stage).label.split('. ')[-1].lower()} {self.stages[stage]}"
                for stage in Stage.values
                if self.stages[stage]
            )
            lines.append(f"By stage: {by_stage}.")
        if self.caseloads:
            loads = ", ".join(f"{name} {n}" for name, n in self.caseloads.items())
            lines.append(f"Open cases held: {loads}.")
        lines += self.journey_lines
        lines.append(f"Took {self.seconds:.1f}s.")
        return lines


def journey_lines(cases: list, on) -> list[str]:
    """What the demo cases hold, counted from the database."""

    def count(model, **rule) -> int:
        return model.objects.filter(case__in=cases, **rule).count()

    assessments = count(RiskAssessment)
    signed = count(RiskAssessment, status=AssessmentStatus.SIGNED_OFF)
    waiting = count(RiskAssessment, status=AssessmentStatus.SUBMITTED)
    recommendations = Recommendation.objects.filter(review__case__in=cases)
    open_deadlines = Deadline.objects.filter(case__in=cases, done_on__isnull=True).exclude(
        case__stage=Stage.CLOSED
    )
    overdue = list(open_deadlines.filter(due_on__lt=on).values_list("due_on", flat=True))
    oldest = f", the oldest by {(on - min(overdue)).days} days" if overdue else ""
    return [
        f"Journey records: {count(CarePlanApproval)} care plan approvals, {count(StageMove)} "
        f"stage moves, {assessments} risk assessments ({signed} signed off, {waiting} waiting "
        f"for sign-off), {count(ViabilityConsultation)} viability consultations, "
        f"{count(PlanningMeeting)} planning meetings, {count(ViabilityMeeting)} viability "
        f"meetings, {count(ReturnHome)} returns home, {count(NotPursued)} not pursued, "
        f"{count(Closure)} closures.",
        f"Reviews and visits: {count(Review)} reviews with {recommendations.count()} IRO "
        f"recommendations ({recommendations.filter(done_on__isnull=True).count()} open), "
        f"{count(Visit)} social worker visits; {open_deadlines.count()} open deadlines, "
        f"{len(overdue)} overdue{oldest}.",
    ]


def demo_cases():
    first, last = f"LA-{DEMO_FIRST_NUMBER:06d}", f"LA-{scale.SCALE_FIRST_NUMBER:06d}"
    return ReunificationCase.objects.filter(
        child__local_identifier__gte=first, child__local_identifier__lt=last
    )


def seed(*, cases: int | None = None, seed: int = scale.DEFAULT_SEED) -> SeedReport:
    try:
        return _seed(cases=cases, seed=seed)
    finally:
        # The driver names who acts for simple_history; nobody acts after the seed.
        if hasattr(HistoricalRecords.context, "request"):
            del HistoricalRecords.context.request


def _seed(*, cases: int | None, seed: int) -> SeedReport:
    """Create the demo users, then either the demo cases (if not there already)
    or `cases` more cases for scale."""
    started = time.monotonic()
    on = today()
    password = PasswordHash()
    users, created, existing = ensure_demo_users(password)
    report = SeedReport(users_created=created, users_existing=existing)
    if cases is not None:
        stages, children, staff = scale.create_scale_cases(cases, on, seed, password)
        report.scale_cases, report.scale_children = stages.total(), children
        report.stages, report.new_teams, report.new_staff = stages, staff.new_teams, staff.new_users
    elif Child.objects.filter(local_identifier=f"LA-{DEMO_FIRST_NUMBER:06d}").exists():
        report.demo_cases_found = demo_cases().count()
    else:
        with transaction.atomic():
            made = driver.play(users, on, seed)
            for case in made:
                refresh.refresh(case, on)  # as of today, not the day of the last act
        report.demo_cases = len(made)
        report.stages = Counter(
            ReunificationCase.objects.filter(pk__in=[c.pk for c in made]).values_list(
                "stage", flat=True
            )
        )
        report.journey_lines = journey_lines(made, on)
    workers = [spec.username for spec in DEMO_USERS if spec.role == Role.SOCIAL_WORKER]
    held = dict(
        ReunificationCase.objects.exclude(stage=Stage.CLOSED)
        .filter(social_worker__username__in=workers)
        .values("social_worker__username")
        .annotate(n=Count("id"))
        .values_list("social_worker__username", "n")
    )
    report.caseloads = {name: held.get(name, 0) for name in workers}
    report.seconds = time.monotonic() - started
    return report
