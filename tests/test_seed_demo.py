"""seed_demo: a demo user for every role, about 30 demo cases across the stages,
and cases in bulk for scale tests, all within the database's rules."""

import datetime
import io
import itertools
import random
from collections import defaultdict

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from cases import rules
from cases.models import (
    Child,
    LegalStatus,
    Placement,
    ReunificationCase,
    Role,
    Stage,
    Team,
    User,
)
from cases.models.child import nhs_number_checksum
from demo import scale, stories
from demo.driver import Family, nhs_number_for
from reunification.clock import today
from reviews.deadlines.refresh import out_of_line_cases, sweep
from reviews.models import Breakdown, ReturnHome

pytestmark = pytest.mark.django_db

DEMO_USERNAMES = {
    "sw.north": (Role.SOCIAL_WORKER, stories.NORTH_TEAM),
    "sw.north2": (Role.SOCIAL_WORKER, stories.NORTH_TEAM),
    "sw.south": (Role.SOCIAL_WORKER, stories.SOUTH_TEAM),
    "tm.north": (Role.TEAM_MANAGER, stories.NORTH_TEAM),
    "tm.south": (Role.TEAM_MANAGER, stories.SOUTH_TEAM),
    "hos": (Role.HEAD_OF_SERVICE, None),
    "iro": (Role.IRO, None),
    "director": (Role.SERVICE_DIRECTOR, None),
    "performance": (Role.PERFORMANCE, None),
}


@pytest.fixture
def debug(settings):
    settings.DEBUG = True
    # The demo password is hashed once per run; a fast hasher keeps the checks quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed_demo(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def overlapping(periods) -> bool:
    return any(
        rules.periods_overlap(a.start_date, a.end_date, b.start_date, b.end_date)
        for a, b in itertools.combinations(periods, 2)
    )


def test_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        seed_demo()
    assert not User.objects.exists()


def test_creates_one_user_per_role_who_can_sign_in_with_the_demo_password(debug):
    seed_demo()

    for username, (role, team) in DEMO_USERNAMES.items():
        user = User.objects.get(username=username)
        assert user.has_role(role)
        assert user.check_password(stories.DEMO_PASSWORD)
        assert user.email == f"{username}@example.org"
        assert user.first_name and user.last_name
        assert (user.team.name if user.team else None) == team
    assert {role for role in Role.values} == set(
        User.objects.filter(username__in=DEMO_USERNAMES).values_list("role_grants__role", flat=True)
    )
    # Performance staff see figures only; the system administrator holds no case role.
    performance = User.objects.get(username="performance")
    assert not (performance.is_staff or performance.is_superuser)
    sysadmin = User.objects.get(username="sysadmin")
    assert sysadmin.is_staff and sysadmin.is_superuser and not sysadmin.role_grants.exists()
    head = User.objects.get(username="hos")
    assert set(head.overseen_teams.values_list("name", flat=True)) == {
        stories.NORTH_TEAM,
        stories.SOUTH_TEAM,
    }


def test_creates_about_thirty_cases_in_every_stage(debug):
    output = seed_demo()

    cases = ReunificationCase.objects.all()
    assert 25 <= cases.count() <= 35
    assert set(cases.values_list("stage", flat=True)) == set(Stage.values)
    assert "Created 30 demo cases" in output
    on = today()
    for case in cases.select_related("child"):
        assert case.became_looked_after_on <= case.opened_on <= case.stage_entered_on <= on
        assert (case.closed_on is not None) == (case.stage == Stage.CLOSED)
        if case.child.nhs_number:
            nhs_number_checksum(case.child.nhs_number)
    open_cases = cases.exclude(stage=Stage.CLOSED)
    outside_guidance = [
        case
        for case in open_cases
        if not rules.out_of_home_long_enough(case.became_looked_after_on, on)
    ]
    assert 1 <= len(outside_guidance) <= 5
    # Most cases sit with team North; the demo IRO reviews most of them.
    north = open_cases.filter(team__name=stories.NORTH_TEAM).count()
    assert north > open_cases.count() / 2
    assert open_cases.filter(iro__username="iro").count() > open_cases.count() * 0.8
    assert cases.filter(previous_case__isnull=False).exists()
    # Each case was opened through the service, so its allocations and opening are
    # in the chronology.
    for case in cases:
        assert case.chronology.filter(kind="case_opened").count() == 1
        assert case.allocations.filter(role=Role.SOCIAL_WORKER).exists()
    # Every record is valid as the forms would check it.
    for child in Child.objects.prefetch_related("placements", "legal_statuses"):
        child.full_clean()
        assert not overlapping(child.placements.all())
        assert not overlapping(child.legal_statuses.all())
    for case in cases.prefetch_related("family_members__police_checks"):
        for member in case.family_members.all():
            member.full_clean()
            for check in member.police_checks.all():
                check.full_clean()
    # Untidy lives: children at home, a return that broke down, a closed case; and
    # for each, the stored stage, closed_on and role holders agree with the records
    # they come from (the nightly sweep checks the same and finds nothing).
    assert ReturnHome.objects.exclude(case__breakdown__isnull=False).exists()
    assert Breakdown.objects.exists()
    assert cases.filter(stage=Stage.CLOSED).exists()
    assert out_of_line_cases() == {}
    report = sweep()
    assert report.failed == 0 and report.out_of_line == {}


def test_running_twice_creates_nothing_twice(debug):
    seed_demo()
    counts = (User.objects.count(), Team.objects.count(), ReunificationCase.objects.count())

    output = seed_demo()

    assert (User.objects.count(), Team.objects.count(), ReunificationCase.objects.count()) == (
        counts
    )
    assert "exist already" in output
    assert "already there" in output


def test_cases_option_adds_cases_in_bulk_within_the_databases_rules(debug):
    seed_demo()
    before = ReunificationCase.objects.count()

    seed_demo("--cases", "50")
    seed_demo("--cases", "10")  # a second run continues the local identifiers

    assert ReunificationCase.objects.count() == before + 60
    most_open = (
        ReunificationCase.objects.exclude(stage=Stage.CLOSED)
        .values("child")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    assert most_open["n"] == 1
    for model in (Placement, LegalStatus):
        by_child = defaultdict(list)
        for period in model.objects.all():
            by_child[period.child_id].append(period)
        assert not any(overlapping(periods) for periods in by_child.values())
    for case in ReunificationCase.objects.exclude(stage=Stage.CLOSED).select_related(
        "social_worker", "team_manager"
    ):
        assert case.social_worker.team_id == case.team_id == case.team_manager.team_id
        assert case.allocations.filter(role=Role.SOCIAL_WORKER, end_date__isnull=True).get()
    caseloads = (
        ReunificationCase.objects.exclude(stage=Stage.CLOSED)
        .values("social_worker")
        .annotate(n=Count("id"))
    )
    assert max(row["n"] for row in caseloads) <= scale.SOCIAL_WORKER_CASELOAD[1]
    assert out_of_line_cases() == {}


def test_the_same_seed_draws_the_same_children():
    day = datetime.date(2026, 3, 10)

    def draw():
        rng = random.Random(7)
        return [Family(rng, n, day, 8).child_values for n in range(5)]

    assert draw() == draw()


def test_demo_nhs_numbers_are_in_the_test_range_and_pass_the_check_digit():
    numbers = [nhs_number_for(n) for n in range(200001, 200501)]

    assert len(set(numbers) - {""}) > 400
    for nhs_number in filter(None, numbers):
        assert nhs_number.startswith("999")
        nhs_number_checksum(nhs_number)


def test_bulk_cases_carry_a_history_that_agrees_with_their_stage(debug):
    """The journey's records as far as each case's stage: approvals, a risk
    assessment at the level the tool suggests, the return, any breakdown, the
    decision not to pursue, and reviews and visits while open."""
    from reviews.models import CarePlanApproval, NotPursued, Review, Visit
    from risk.models import AssessmentStatus, RiskAssessment
    from risk.tool import suggest_level

    seed_demo()
    before = set(ReunificationCase.objects.values_list("pk", flat=True))
    seed_demo("--cases", "300")
    cases = ReunificationCase.objects.exclude(pk__in=before)
    past_assessment = [Stage.SUPPORT_PLANNING, Stage.CONFIRMATION, Stage.RETURN_HOME]
    for case in cases.filter(stage__in=past_assessment):
        assert case.risk_assessments.filter(status=AssessmentStatus.SIGNED_OFF).exists()
        steps = set(CarePlanApproval.objects.filter(case=case).values_list("step", flat=True))
        assert steps == {"confirmed", "agreed", "ratified"}
    for case in cases.filter(stage=Stage.RETURN_HOME):
        assert ReturnHome.objects.filter(case=case).exists()
    for case in cases.filter(stage=Stage.NOT_PURSUED):
        assert NotPursued.objects.filter(case=case).exists()
    broke = Breakdown.objects.filter(case__in=cases).select_related("case__closure")
    assert broke.exists()
    for breakdown in broke:
        assert breakdown.case.closure.reason == "breakdown"
        assert breakdown.came_back_on > breakdown.case.return_home.returned_on
    for assessment in RiskAssessment.objects.filter(case__in=cases):
        suggested = suggest_level(
            risk_factors=assessment.risk_factors,
            protective_factors=assessment.protective_factors,
            capacity_for_change=assessment.capacity_for_change,
            wishes=assessment.wishes,
            recurrence=assessment.recurrence,
        )
        assert assessment.suggested_level == suggested.level.code
    assert Review.objects.filter(case__in=cases).count() >= cases.count()
    assert Visit.objects.filter(case__in=cases).count() >= 2 * cases.count()
    for model in (Placement, LegalStatus):
        by_child = defaultdict(list)
        for period in model.objects.filter(child__cases__in=cases):
            by_child[period.child_id].append(period)
        assert not any(overlapping(periods) for periods in by_child.values())
    assert out_of_line_cases() == {}
