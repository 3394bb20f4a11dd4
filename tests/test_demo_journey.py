"""seed_demo's journey records (demo/driver.py, played through the services):
each demo case holds what the stages it has passed through needed, its reviews and
visits are on time or only a little late, every meeting's invitees and
participants are ones the forms and services accept, and people have decisions
waiting for them."""

import dataclasses
import datetime
import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from cases.models import ReunificationCase, Stage, User
from planning.forms import InviteeForm, PlanningMeetingForm
from planning.models import FamilyTimeStep, PlanningMeeting, WrittenAgreement
from reunification.clock import today
from reviews.journey import rules as journey
from reviews.journey.forms import ViabilityConsultationForm, ViabilityMeetingForm
from reviews.journey.selectors import case_facts, decisions_waiting
from reviews.models import (
    CarePlanApproval,
    CarePlanStep,
    Closure,
    Deadline,
    DeadlineKind,
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

JOURNEY = (
    Stage.IDENTIFICATION,
    Stage.ASSESSMENT,
    Stage.SUPPORT_PLANNING,
    Stage.CONFIRMATION,
    Stage.RETURN_HOME,
)
OVERDUE_AT_MOST_DAYS = 60


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    """The journey records as plain values, without primary keys or times of day."""
    case = ("case__child__local_identifier", "case__opened_on")
    rows = {
        CarePlanApproval: (*case, "step", "approved_on", "cic_review_on", "decided_by__username"),
        StageMove: (*case, "from_stage", "to_stage", "moved_at__date", "moved_by__username"),
        RiskAssessment: (*case, "assessed_on", "status", "confirmed_level", "author__username"),
        Review: (*case, "held_on", "review_type", "outcome", "attended"),
        Recommendation: ("review__" + case[0], "review__held_on", "text", "due_on", "done_on"),
        Visit: (*case, "visited_on", "seen_alone", "notes"),
        ViabilityMeeting: (*case, "held_on", "outcome", "return_date"),
        ReturnHome: (*case, "returned_on", "planned", "episode_end_reason"),
        FamilyTimeStep: (*case, "starts_on", "ends_on", "overnight"),
        Deadline: (*case, "kind", "due_on", "done_on", "responsible__username"),
    }
    return {
        model.__name__: sorted(model.objects.values_list(*fields), key=repr)
        for model, fields in rows.items()
    }


@dataclasses.dataclass
class Demo:
    output: str
    first: dict
    second: dict


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo seeded twice from an empty database (the first run rolled back),
    and left in place for the module's tests."""
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(DEBUG=True, PASSWORD_HASHERS=hashers),
        transaction.atomic(),
    ):
        with transaction.atomic():
            seed()
            first = snapshot()
            transaction.set_rollback(True)
        output = seed()
        yield Demo(output, first, snapshot())
        transaction.set_rollback(True)


def starts(case: ReunificationCase) -> dict[str, datetime.date]:
    """When the case entered each stage, from its stage moves."""
    entered = {Stage.IDENTIFICATION: case.opened_on}
    for move in case.stage_moves.all():
        entered.setdefault(move.to_stage, move.moved_at.date())
    return entered


def earlier_stages(case: ReunificationCase) -> list[str]:
    """The stages the case has been through and finished."""
    if case.stage in JOURNEY:
        return list(JOURNEY[: JOURNEY.index(case.stage)])
    if case.stage == Stage.NOT_PURSUED:
        # Reunification stopped at the last stage it moved from.
        return [move.from_stage for move in case.stage_moves.all()][:-1]
    return []


def missing_at(case: ReunificationCase, stage: str, on: datetime.date) -> list[str]:
    """What the stage's rules find missing, judging the case as if it were there."""
    real = case.stage, case.stage_entered_on
    case.stage, case.stage_entered_on = stage, starts(case)[stage]
    try:
        facts = case_facts(case, on)
    finally:
        case.stage, case.stage_entered_on = real
    return [f"{r.key} ({r.detail})" for r in journey.requirements(facts) if not r.done]


@pytest.mark.django_db
def test_the_seed_reports_the_journey_records(demo):
    assert "Journey records:" in demo.output
    assert "Reviews and visits:" in demo.output


@pytest.mark.django_db
def test_every_case_has_what_its_earlier_stages_needed(demo):
    on = today()
    checked = 0
    for case in ReunificationCase.objects.select_related("child"):
        for stage in earlier_stages(case):
            missing = missing_at(case, stage, on)
            if case.stage == Stage.NOT_PURSUED:
                # The rules read the latest signed-off level: the High one that
                # stopped reunification, later than the one assessment agreed.
                missing = [m for m in missing if not m.startswith("risk ")]
            assert missing == [], (case, stage)
            checked += 1
    assert checked > 30


@pytest.mark.django_db
def test_stage_moves_agree_with_the_stage_each_case_is_at(demo):
    for case in ReunificationCase.objects.exclude(stage=Stage.IDENTIFICATION):
        moves = list(case.stage_moves.all())
        assert moves, case
        assert moves[-1].to_stage == case.stage
        assert moves[-1].moved_at.date() == case.stage_entered_on
        days = [move.moved_at.date() for move in moves]
        assert days == sorted(days)
        if case.stage in JOURNEY:
            path = [(m.from_stage, m.to_stage) for m in moves]
            here = JOURNEY.index(case.stage)
            assert path == list(zip(JOURNEY[:here], JOURNEY[1 : here + 1], strict=True))


@pytest.mark.django_db
def test_each_stage_holds_its_own_records(demo):
    cases = ReunificationCase.objects.all()
    identification = cases.filter(stage=Stage.IDENTIFICATION)
    approvals = {c.pk: set(c.care_plan_approvals.values_list("step", flat=True)) for c in cases}
    assert {len(approvals[c.pk]) for c in identification} == {0, 1, 2}
    for case in cases.filter(stage=Stage.SUPPORT_PLANNING):
        assert PlanningMeeting.objects.filter(case=case).exists()
        consultation = ViabilityConsultation.objects.get(case=case)
        assert consultation.decided_by == case.team_manager
        assert consultation.held_on == case.stage_entered_on
    for case in cases.filter(stage__in=[Stage.CONFIRMATION, Stage.RETURN_HOME]):
        assert WrittenAgreement.objects.filter(case=case, goals__isnull=False).exists()
        assert FamilyTimeStep.objects.filter(case=case, overnight=True).exists()
    for case in cases.filter(stage=Stage.RETURN_HOME):
        returned = ReturnHome.objects.get(case=case)
        assert returned.returned_on == case.stage_entered_on
        meeting = ViabilityMeeting.objects.filter(case=case).latest("held_on")
        assert meeting.held_on <= returned.returned_on <= meeting.return_date
        first_after = case.reviews.filter(held_on__gte=returned.returned_on).order_by("held_on")
        if first_after:
            assert (first_after[0].held_on - returned.returned_on).days <= 31
    returns = ReturnHome.objects.filter(case__stage=Stage.RETURN_HOME)
    assert returns.filter(planned=False, episode_end_reason="E4B").count() == 1
    for case in cases.filter(stage=Stage.NOT_PURSUED):
        decision = NotPursued.objects.get(case=case)
        assert decision.decided_by == case.team_manager
        signed = case.risk_assessments.filter(
            status=AssessmentStatus.SIGNED_OFF, assessed_on__lte=decision.decided_on
        ).latest("assessed_on")
        assert signed.confirmed_level in ("high", "severe")
    for case in cases.filter(stage=Stage.CLOSED):
        closure = Closure.objects.get(case=case)
        assert closure.closed_on == case.closed_on
        broke_down = hasattr(case, "breakdown")
        assert (closure.reason == "breakdown") == broke_down


@pytest.mark.django_db
def test_signed_off_assessments_are_signed_off_by_the_team_manager_not_the_author(demo):
    signed = RiskAssessment.objects.filter(status=AssessmentStatus.SIGNED_OFF)
    assert signed.exists()
    for assessment in signed.select_related("case"):
        assert assessment.decided_by_id == assessment.case.team_manager_id
        assert assessment.author_id != assessment.decided_by_id
        assert assessment.confirmed_level == assessment.suggested_level
        assert assessment.submitted_at <= assessment.decided_at
        assert assessment.factors.exists()


@pytest.mark.django_db
def test_records_are_dated_in_the_past_except_what_lies_ahead(demo):
    on = today()
    assert not Review.objects.filter(held_on__gt=on).exists()
    assert not Visit.objects.filter(visited_on__gt=on).exists()
    assert not RiskAssessment.objects.filter(assessed_on__gt=on).exists()
    assert not CarePlanApproval.objects.filter(approved_on__gt=on).exists()
    assert not ViabilityMeeting.objects.filter(held_on__gt=on).exists()
    assert not Recommendation.objects.filter(done_on__gt=on).exists()
    # A confirmed return date for a child not yet home lies a few weeks ahead.
    ahead = ViabilityMeeting.objects.filter(case__stage=Stage.CONFIRMATION, return_date__gt=on)
    assert ahead.exists()
    ratified = CarePlanApproval.objects.filter(step=CarePlanStep.RATIFIED)
    for approval in ratified:
        assert approval.case.reviews.filter(held_on=approval.cic_review_on).exists()


@pytest.mark.django_db
def test_nothing_is_long_overdue_but_some_visits_are_a_little_late(demo):
    on = today()
    open_rows = Deadline.objects.filter(done_on__isnull=True).exclude(case__stage=Stage.CLOSED)
    limit = on - datetime.timedelta(days=OVERDUE_AT_MOST_DAYS)
    assert list(open_rows.filter(due_on__lt=limit)) == []
    assert open_rows.filter(kind=DeadlineKind.VISIT, due_on__lt=on).exists()
    # Child in Care reviews were all held on time.
    reviews = Deadline.objects.filter(kind=DeadlineKind.CIC_REVIEW, done_on__isnull=False)
    assert reviews.exists()
    assert all(row.done_on <= row.due_on for row in reviews)


@pytest.mark.django_db
def test_decisions_wait_for_the_people_who_make_them(demo):
    north = decisions_waiting(User.objects.get(username="tm.north"))
    assert north
    assert any(item.what == "Sign off the risk assessment" for item in north)
    for username in ("tm.south", "hos", "iro", "director"):
        assert decisions_waiting(User.objects.get(username=username)), username


@pytest.mark.django_db
def test_the_seed_is_reproducible(demo):
    assert demo.first == demo.second
    assert demo.first["Review"] and demo.first["Visit"]


@pytest.mark.django_db
def test_the_history_says_who_made_each_record(demo):
    for review in Review.objects.all()[:20]:
        assert review.history.earliest().history_user == review.chair
    for visit in Visit.objects.all()[:20]:
        assert visit.history.earliest().history_user == visit.visited_by
    for approval in CarePlanApproval.objects.all():
        assert approval.history.earliest().history_user == approval.decided_by
    for assessment in RiskAssessment.objects.all():
        assert assessment.history.earliest().history_user == assessment.author
        if assessment.status == AssessmentStatus.SIGNED_OFF:
            assert assessment.history.latest().history_user == assessment.decided_by


def form_data(record, names) -> dict:
    return {name: getattr(record, f"{name}_id", None) or getattr(record, name) for name in names}


@pytest.mark.django_db
def test_every_meetings_invitees_and_participants_pass_the_forms_checks(demo):
    """What each meeting records would be accepted again by its page: the planning
    meeting's leader and every invitee row (each invited or present), and the four
    who took part in viability consultations and meetings."""
    meetings = PlanningMeeting.objects.select_related("case__team").prefetch_related("invitees")
    assert meetings.exists()
    for meeting in meetings:
        form = PlanningMeetingForm(
            {**form_data(meeting, ["led_by", "considerations"]), "held_on": "1/1/2020"},
            case=meeting.case,
        )
        form.is_valid()
        assert "led_by" not in form.errors and "considerations" not in form.errors, meeting
        assert meeting.invitees.exists()
        for invitee in meeting.invitees.all():
            assert invitee.invited or invitee.attended, invitee
            row = InviteeForm(form_data(invitee, ["kind", "name", "invited", "attended"]))
            assert row.is_valid(), (invitee, row.errors)
    people = ["social_worker", "team_manager", "head_of_service", "iro"]
    decisions = [*ViabilityConsultation.objects.all(), *ViabilityMeeting.objects.all()]
    assert decisions
    for decision in decisions:
        form_class = (
            ViabilityConsultationForm
            if isinstance(decision, ViabilityConsultation)
            else ViabilityMeetingForm
        )
        form = form_class(form_data(decision, people), case=decision.case)
        form.is_valid()
        assert not any(name in form.errors for name in people), (decision, form.errors)
        case = decision.case
        assert decision.social_worker.team_id == decision.team_manager.team_id == case.team_id
        assert decision.head_of_service.overseen_teams.filter(pk=case.team_id).exists()
        assert decision.iro_id == case.iro_id
