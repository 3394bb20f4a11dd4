"""The decisions and stage moves of the journey, through reviews.services: each
is made only by the person whose decision it is, only when the stage has what it
needs (otherwise the refusal names exactly what is missing and nothing changes),
and each records who decided, in which role, when and why, with a chronology
entry.

Kayla Brightwater's case opens on 10 March 2026 in North: Sarah Wood is her
social worker, Tina Marsh the team manager, Helen Orme the head of service and
Ian Rowe the IRO. Her mother Dawn's police check has been requested, not yet
returned. She is accommodated under section 20 (V2) unless a test says otherwise.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from cases.models import ChronologyEntry, ChronologyKind, ReunificationCase, Role, Stage
from planning import models as planning
from planning.services import approve_placement_with_parents
from reviews.journey import decisions as services
from reviews.journey import rules as journey
from reviews.journey.selectors import case_facts
from reviews.models import (
    CarePlanApproval,
    Dispute,
    NotPursued,
    StageMove,
    ViabilityConsultation,
    ViabilityMeeting,
)
from risk.models import ChildViews, ParentViews, SingleAssessment
from tests.conftest import person
from tests.factories import (
    FamilyMemberFactory,
    PoliceCheckFactory,
    assessment_records,
    journey_to,
    participants,
    planning_records,
    put_on_care_order,
    signed_off_risk_assessment,
    submitted_risk_assessment,
)

D = datetime.date
LONDON = ZoneInfo("Europe/London")
OPENED = D(2026, 3, 10)


def noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=LONDON)


@pytest.fixture
def clock():
    """Midday on 10 March 2026; tests move on with `clock.move_to`."""
    with time_machine.travel(noon(OPENED)) as traveller:
        yield traveller


pytestmark = pytest.mark.usefixtures("clock")


def reload(case) -> ReunificationCase:
    return ReunificationCase.objects.get(pk=case.pk)


def state(case) -> dict:
    """Everything a refused decision must leave as it was."""
    case = reload(case)
    return {
        "stage": case.stage,
        "stage_entered_on": case.stage_entered_on,
        "moves": StageMove.objects.filter(case=case).count(),
        "chronology": ChronologyEntry.objects.filter(case=case).count(),
        "approvals": CarePlanApproval.objects.filter(case=case).count(),
        "consultations": ViabilityConsultation.objects.filter(case=case).count(),
        "not_pursued": NotPursued.objects.filter(case=case).count(),
        "meetings": ViabilityMeeting.objects.filter(case=case).count(),
        "disputes": Dispute.objects.filter(case=case).count(),
    }


def latest_entry(case) -> ChronologyEntry:
    return ChronologyEntry.objects.filter(case=case).order_by("-recorded_at", "-pk").first()


def still_needed(*items: str) -> str:
    return "This cannot happen yet. Still needed: " + "; ".join(items) + "."


@pytest.fixture
def deputy(north):
    """A second team manager in North, not allocated to Kayla's case."""
    return person("Tom", "Hart", Role.TEAM_MANAGER, team=north)


@pytest.fixture
def other_head(north):
    """Another head of service who oversees North, not allocated to the case."""
    head = person("Hugh", "Oakes", Role.HEAD_OF_SERVICE)
    north.heads_of_service.add(head)
    return head


def approve(case, by, step, **kwargs):
    kwargs.setdefault("approved_on", D(2026, 3, 9))
    if step == "ratified":
        kwargs.setdefault("cic_review_on", D(2026, 3, 9))
    return services.approve_care_plan(case=case, by=by, step=step, **kwargs)


def all_approved(case, people):
    approve(case, people.team_manager, "confirmed")
    approve(case, people.head_of_service, "agreed")
    approve(case, people.iro, "ratified")


# Stage 1: the care plan, confirmed, agreed and ratified --------------------------


def test_the_case_team_manager_confirms_the_care_plan_and_who_role_when_and_why_are_kept(
    journey_case, team_manager
):
    approval = approve(
        journey_case, team_manager, "confirmed", rationale="Discussed in supervision."
    )

    assert approval.step == "confirmed"
    assert approval.decided_by == team_manager
    assert approval.role == Role.TEAM_MANAGER
    assert approval.decided_at.astimezone(LONDON).date() == OPENED
    assert approval.approved_on == D(2026, 3, 9)
    assert approval.rationale == "Discussed in supervision."
    entry = latest_entry(journey_case)
    assert entry.kind == ChronologyKind.DECISION
    assert entry.automatic
    assert entry.occurred_on == D(2026, 3, 9)
    assert entry.recorded_by == team_manager
    assert entry.description == (
        "Reunification care plan confirmed by the team manager (Tina Marsh)."
    )


@pytest.mark.parametrize(
    "who", ["social_worker", "deputy", "south_manager", "head_of_service", "iro", "director"]
)
def test_only_the_case_team_manager_confirms_the_care_plan(journey_case, who, request):
    before = state(journey_case)

    with pytest.raises(PermissionDenied):
        approve(journey_case, request.getfixturevalue(who), "confirmed")

    assert state(journey_case) == before


@pytest.mark.parametrize("who", ["social_worker", "team_manager", "other_head", "iro", "director"])
def test_only_the_case_head_of_service_agrees_the_care_plan(
    journey_case, team_manager, who, request
):
    approve(journey_case, team_manager, "confirmed")
    before = state(journey_case)

    with pytest.raises(PermissionDenied):
        approve(journey_case, request.getfixturevalue(who), "agreed")

    assert state(journey_case) == before


@pytest.mark.parametrize(
    "who", ["social_worker", "team_manager", "head_of_service", "other_iro", "director"]
)
def test_only_the_case_iro_ratifies_the_care_plan(journey_case, people, who, request):
    approve(journey_case, people.team_manager, "confirmed")
    approve(journey_case, people.head_of_service, "agreed")
    before = state(journey_case)

    with pytest.raises(PermissionDenied):
        approve(journey_case, request.getfixturevalue(who), "ratified")

    assert state(journey_case) == before


def test_the_head_of_service_cannot_agree_before_the_team_manager_confirms(
    journey_case, head_of_service
):
    before = state(journey_case)

    with pytest.raises(ValidationError) as refused:
        approve(journey_case, head_of_service, "agreed")

    assert refused.value.messages == ["The care plan must first be confirmed by the team manager"]
    assert state(journey_case) == before


def test_the_iro_cannot_ratify_before_the_head_of_service_agrees(journey_case, people):
    approve(journey_case, people.team_manager, "confirmed")
    before = state(journey_case)

    with pytest.raises(ValidationError) as refused:
        approve(journey_case, people.iro, "ratified")

    assert refused.value.messages == ["The care plan must first be agreed by the head of service"]
    assert state(journey_case) == before


def test_ratification_needs_the_date_of_the_child_in_care_review(journey_case, people):
    approve(journey_case, people.team_manager, "confirmed")
    approve(journey_case, people.head_of_service, "agreed")
    before = state(journey_case)

    with pytest.raises(ValidationError) as refused:
        approve(journey_case, people.iro, "ratified", cic_review_on=None)

    assert refused.value.messages == ["Enter the date of the Child in Care review that ratified it"]
    assert state(journey_case) == before


def test_the_three_approvals_in_order_each_record_their_role(journey_case, people):
    all_approved(journey_case, people)

    approvals = CarePlanApproval.objects.filter(case=journey_case).order_by("pk")
    assert [(a.step, a.decided_by, a.role) for a in approvals] == [
        ("confirmed", people.team_manager, Role.TEAM_MANAGER),
        ("agreed", people.head_of_service, Role.HEAD_OF_SERVICE),
        ("ratified", people.iro, Role.IRO),
    ]
    assert approvals.get(step="ratified").cic_review_on == D(2026, 3, 9)


def test_an_approval_is_recorded_once(journey_case, team_manager):
    approve(journey_case, team_manager, "confirmed")

    with pytest.raises(ValidationError, match="already been recorded"):
        approve(journey_case, team_manager, "confirmed")


# Identification → Assessment -----------------------------------------------------


@pytest.mark.parametrize("who", ["outsider", "head_of_service", "iro", "director", "performance"])
def test_only_the_social_worker_or_a_team_manager_starts_the_assessment(
    journey_case, people, who, request
):
    journey_case.reunification_first_considered_on = D(2026, 2, 1)
    journey_case.save()
    all_approved(journey_case, people)
    before = state(journey_case)

    with pytest.raises(PermissionDenied):
        services.start_assessment(case=journey_case, by=request.getfixturevalue(who))

    assert state(journey_case) == before


def test_the_assessment_cannot_start_until_everything_is_recorded_and_the_refusal_names_it(
    journey_case, social_worker
):
    before = state(journey_case)

    with pytest.raises(ValidationError) as refused:
        services.start_assessment(case=journey_case, by=social_worker)

    assert refused.value.messages == [
        still_needed(
            "record when reunification was first considered",
            "team manager confirms the reunification care plan",
            "head of service agrees the care plan",
            "IRO ratifies the care plan at a Child in Care review",
        )
    ]
    assert state(journey_case) == before


def test_the_refusal_names_only_what_is_still_missing(journey_case, people):
    journey_case.reunification_first_considered_on = D(2026, 2, 1)
    journey_case.save()
    approve(journey_case, people.team_manager, "confirmed")
    approve(journey_case, people.head_of_service, "agreed")

    with pytest.raises(ValidationError) as refused:
        services.start_assessment(case=journey_case, by=people.social_worker)

    assert "ratifies the care plan at a Child in Care review" in refused.value.messages[0]
    assert "first considered" not in refused.value.messages[0]
    assert "confirms" not in refused.value.messages[0]
    assert "agrees" not in refused.value.messages[0]


@pytest.mark.parametrize(
    "who, role", [("social_worker", Role.SOCIAL_WORKER), ("team_manager", Role.TEAM_MANAGER)]
)
def test_once_approved_the_assessment_starts_with_a_stage_move_and_a_chronology_entry(
    journey_case, people, who, role, request, clock
):
    journey_case.reunification_first_considered_on = D(2026, 2, 1)
    journey_case.save()
    all_approved(journey_case, people)
    clock.move_to(noon(D(2026, 3, 12)))
    by = request.getfixturevalue(who)

    services.start_assessment(case=journey_case, by=by)

    case = reload(journey_case)
    assert case.stage == Stage.ASSESSMENT
    assert case.stage_entered_on == D(2026, 3, 12)
    move = StageMove.objects.get(case=case)
    assert (move.from_stage, move.to_stage, move.moved_by, move.role) == (
        Stage.IDENTIFICATION,
        Stage.ASSESSMENT,
        by,
        role,
    )
    assert move.moved_at.astimezone(LONDON).date() == D(2026, 3, 12)
    assert move.reason == "The reunification care plan was confirmed, agreed and ratified."
    entry = latest_entry(case)
    assert entry.occurred_on == D(2026, 3, 12)
    assert entry.recorded_by == by
    assert entry.description == (
        f"Moved from 1. Identification to 2. Assessment of risk and viability by {by}. "
        "The reunification care plan was confirmed, agreed and ratified."
    )


def test_the_assessment_starts_once(journey_case, people):
    case = journey_to(journey_case, Stage.ASSESSMENT, people=people)

    with pytest.raises(ValidationError, match="this can only be done at 1. Identification"):
        services.start_assessment(case=case, by=people.social_worker)


# Assessment → Support and planning: the viability consultation -------------------


@pytest.fixture
def at_assessment(journey_case, people):
    return journey_to(journey_case, Stage.ASSESSMENT, people=people)


def consult(case, people, outcome="suited", **kwargs):
    kwargs.setdefault("held_on", D(2026, 3, 10))
    kwargs.setdefault("rationale", "Medium risk; Kayla and her mother both want it.")
    kwargs.setdefault("participants", participants(people))
    kwargs.setdefault("by", people.team_manager)
    return services.record_viability_consultation(case=case, outcome=outcome, **kwargs)


@pytest.fixture
def assessed(at_assessment, people):
    """Everything the assessment needs except the consultation: the child's views
    with the advocate offer, Dawn's views, the single assessment, Dawn's police
    check returned, and a Medium risk assessment signed off."""
    assessment_records(at_assessment)
    signed_off_risk_assessment(
        at_assessment,
        author=people.social_worker,
        manager=people.team_manager,
        level="medium",
        assessed_on=D(2026, 3, 9),
    )
    return at_assessment


@pytest.mark.parametrize(
    "who", ["social_worker", "head_of_service", "iro", "south_manager", "director"]
)
def test_only_a_team_manager_of_the_case_team_records_the_consultation(
    assessed, people, who, request
):
    before = state(assessed)

    with pytest.raises(PermissionDenied):
        consult(assessed, people, by=request.getfixturevalue(who))

    assert state(assessed) == before


def test_the_consultation_is_held_at_assessment_only(journey_case, people):
    with pytest.raises(ValidationError, match="can only be done at 2. Assessment"):
        consult(journey_case, people)


def test_potentially_suited_is_refused_with_every_missing_item_named_and_nothing_changes(
    at_assessment, people
):
    before = state(at_assessment)

    with pytest.raises(ValidationError) as refused:
        consult(at_assessment, people)

    assert refused.value.messages == [
        still_needed(
            "record the child's views, wishes and feelings (or why not)",
            "record whether an advocate was offered",
            "record each parent's views separately "
            "(no one with parental responsibility is recorded in the household)",
            "complete the single assessment (missing: every section)",
            "police checks returned for everyone aged 16 or over in or around the household "
            "(outstanding for Dawn Brightwater)",
            "a signed-off risk assessment at Low or Medium "
            "(no risk assessment has been signed off)",
        )
    ]
    assert state(at_assessment) == before
    assert not ViabilityConsultation.objects.filter(case=at_assessment).exists()


def _no_child_views(case, people):
    ChildViews.objects.filter(case=case).delete()


def _advocate_not_recorded(case, people):
    ChildViews.objects.filter(case=case).update(advocate="")


def _father_without_views(case, people):
    # Lee lives elsewhere, so needs no police check here; his views are still needed.
    FamilyMemberFactory(
        case=case,
        name="Lee Brightwater",
        relationship="Father",
        lives_in_household=False,
        has_parental_responsibility=True,
    )


def _section_blank(case, people):
    SingleAssessment.objects.filter(case=case).update(barriers_to_change=" ")


def _chronology_not_reviewed(case, people):
    SingleAssessment.objects.filter(case=case).update(chronology_and_genogram_reviewed=False)


def _brother_of_17_unchecked(case, people):
    FamilyMemberFactory(
        case=case,
        name="Jordan Brightwater",
        relationship="Brother",
        date_of_birth=D(2008, 9, 1),
        lives_in_household=True,
    )


def _regular_visitor_check_not_back(case, people):
    gary = FamilyMemberFactory(
        case=case,
        name="Gary Pike",
        relationship="Mother's partner",
        lives_in_household=False,
        regular_visitor=True,
    )
    PoliceCheckFactory(member=gary, requested_on=D(2026, 3, 1))


def _uncle_unchecked(case, people):
    FamilyMemberFactory(
        case=case,
        name="Ray Brightwater",
        relationship="Uncle",
        lives_in_household=False,
        extended_family=True,
    )


def _risk_only_submitted(case, people):
    case.risk_assessments.all().delete()
    submitted_risk_assessment(case, author=people.social_worker, level="medium")


def _risk_high(case, people):
    signed_off_risk_assessment(
        case, author=people.social_worker, manager=people.team_manager, level="high"
    )


@pytest.mark.parametrize(
    "make_missing, named",
    [
        (
            # The advocate offer is recorded with the child's views, so both are missing.
            _no_child_views,
            "record the child's views, wishes and feelings (or why not); "
            "record whether an advocate was offered",
        ),
        (_advocate_not_recorded, "record whether an advocate was offered"),
        (
            _father_without_views,
            "record each parent's views separately (not yet recorded for Lee Brightwater)",
        ),
        (_section_blank, "complete the single assessment (missing: barriers to change)"),
        (
            _chronology_not_reviewed,
            "complete the single assessment (missing: the review of the chronology and genogram)",
        ),
        (
            _brother_of_17_unchecked,
            "police checks returned for everyone aged 16 or over in or around the household "
            "(outstanding for Jordan Brightwater)",
        ),
        (
            _regular_visitor_check_not_back,
            "police checks returned for everyone aged 16 or over in or around the household "
            "(outstanding for Gary Pike)",
        ),
        (
            _uncle_unchecked,
            "police checks returned for everyone aged 16 or over in or around the household "
            "(outstanding for Ray Brightwater)",
        ),
        (
            _risk_only_submitted,
            "a signed-off risk assessment at Low or Medium "
            "(no risk assessment has been signed off)",
        ),
        (
            _risk_high,
            "a signed-off risk assessment at Low or Medium "
            "(the signed-off level is High, so reunification is not pursued)",
        ),
    ],
    ids=[
        "child's views",
        "advocate",
        "father's views",
        "single assessment section",
        "chronology and genogram",
        "brother aged 17",
        "regular visitor",
        "extended family",
        "risk not signed off",
        "risk High",
    ],
)
def test_potentially_suited_is_refused_while_any_one_requirement_is_missing(
    assessed, people, make_missing, named
):
    make_missing(assessed, people)
    before = state(assessed)

    with pytest.raises(ValidationError) as refused:
        consult(assessed, people)

    assert refused.value.messages == [still_needed(named)]
    assert state(assessed) == before


def test_a_child_of_15_in_the_household_needs_no_police_check(assessed, people):
    FamilyMemberFactory(
        case=assessed,
        name="Jordan Brightwater",
        relationship="Brother",
        date_of_birth=D(2010, 9, 1),
        lives_in_household=True,
    )

    consult(assessed, people)

    assert reload(assessed).stage == Stage.SUPPORT_PLANNING


def test_every_parent_views_recorded_separately_meet_the_requirement(assessed, people):
    lee = FamilyMemberFactory(
        case=assessed,
        name="Lee Brightwater",
        relationship="Father",
        lives_in_household=False,
        has_parental_responsibility=True,
    )
    ParentViews.objects.create(
        case=assessed,
        parent=lee,
        recorded_on=D(2026, 3, 9),
        views="Not yet, but soon.",
        advocate="declined",
        advocate_offered_on=D(2026, 3, 9),
    )

    consult(assessed, people)

    assert reload(assessed).stage == Stage.SUPPORT_PLANNING


@pytest.mark.parametrize("level", ["low", "medium"])
def test_potentially_suited_with_everything_in_place_moves_to_support_and_planning(
    at_assessment, people, level, clock
):
    assessment_records(at_assessment)
    signed_off_risk_assessment(
        at_assessment,
        author=people.social_worker,
        manager=people.team_manager,
        level=level,
        assessed_on=D(2026, 3, 9),
    )
    clock.move_to(noon(D(2026, 3, 13)))

    consultation = consult(at_assessment, people, held_on=D(2026, 3, 12))

    assert consultation.outcome == "suited"
    assert consultation.decided_by == people.team_manager
    assert consultation.role == Role.TEAM_MANAGER
    assert consultation.decided_at.astimezone(LONDON).date() == D(2026, 3, 13)
    assert consultation.rationale == "Medium risk; Kayla and her mother both want it."
    assert consultation.held_on == D(2026, 3, 12)
    assert (
        consultation.social_worker,
        consultation.team_manager,
        consultation.head_of_service,
        consultation.iro,
    ) == (people.social_worker, people.team_manager, people.head_of_service, people.iro)
    case = reload(at_assessment)
    assert case.stage == Stage.SUPPORT_PLANNING
    assert case.stage_entered_on == D(2026, 3, 13)
    move = StageMove.objects.filter(case=case).last()
    assert (move.from_stage, move.to_stage, move.moved_by, move.role) == (
        Stage.ASSESSMENT,
        Stage.SUPPORT_PLANNING,
        people.team_manager,
        Role.TEAM_MANAGER,
    )
    descriptions = list(
        ChronologyEntry.objects.filter(case=case, kind=ChronologyKind.DECISION).values_list(
            "description", flat=True
        )
    )
    assert (
        "Reunification Viability Consultation: potentially suited to reunification. "
        "Management oversight by Tina Marsh: Medium risk; Kayla and her mother both want it."
    ) in descriptions
    assert (
        "Moved from 2. Assessment of risk and viability to 3. Support and planning by "
        "Tina Marsh. The viability consultation agreed the child is potentially suited."
    ) in descriptions


def test_not_suited_is_recorded_and_the_case_stays_at_assessment(at_assessment, people):
    consultation = consult(
        at_assessment, people, outcome="not_suited", rationale="Mother has not engaged."
    )

    assert consultation.outcome == "not_suited"
    assert consultation.decided_by == people.team_manager
    assert reload(at_assessment).stage == Stage.ASSESSMENT


def test_the_consultation_needs_a_rationale(assessed, people):
    before = state(assessed)

    with pytest.raises(ValidationError, match="Enter the rationale for the decision"):
        consult(assessed, people, rationale="  ")

    assert state(assessed) == before


def test_each_participant_must_hold_the_role_they_took_part_in(assessed, people):
    wrong = {**participants(people), "head_of_service": people.iro}

    with pytest.raises(ValidationError, match="Select who took part as head of service"):
        consult(assessed, people, participants=wrong)

    assert state(assessed)["consultations"] == 0


# Assessment → Reunification not pursued ------------------------------------------


def stop(case, by, **kwargs):
    kwargs.setdefault("decided_on", D(2026, 3, 10))
    kwargs.setdefault("explained_to_child_on", D(2026, 3, 10))
    kwargs.setdefault("explained_to_family_on", D(2026, 3, 10))
    kwargs.setdefault("care_plan_now", "Long-term foster care with her current carers.")
    kwargs.setdefault("rationale", "High risk: mother is not addressing her drinking.")
    return services.record_not_pursued(case=case, by=by, **kwargs)


@pytest.mark.parametrize("level", ["high", "severe"])
def test_at_high_or_severe_the_team_manager_records_that_reunification_is_not_pursued(
    at_assessment, people, level
):
    signed_off_risk_assessment(
        at_assessment, author=people.social_worker, manager=people.team_manager, level=level
    )

    decision = stop(
        at_assessment,
        people.team_manager,
        decided_on=D(2026, 3, 6),
        explained_to_child_on=D(2026, 3, 9),
        explained_to_family_on=D(2026, 3, 10),
    )

    assert decision.decided_by == people.team_manager
    assert decision.role == Role.TEAM_MANAGER
    assert decision.decided_at.astimezone(LONDON).date() == OPENED
    assert decision.rationale == "High risk: mother is not addressing her drinking."
    assert (
        decision.decided_on,
        decision.explained_to_child_on,
        decision.explained_to_family_on,
    ) == (D(2026, 3, 6), D(2026, 3, 9), D(2026, 3, 10))
    assert decision.care_plan_now == "Long-term foster care with her current carers."
    case = reload(at_assessment)
    assert case.stage == Stage.NOT_PURSUED
    move = StageMove.objects.filter(case=case).last()
    assert (move.from_stage, move.to_stage, move.moved_by, move.role) == (
        Stage.ASSESSMENT,
        Stage.NOT_PURSUED,
        people.team_manager,
        Role.TEAM_MANAGER,
    )
    assert "Explained to the child on 9 March 2026 and to the family on 10 March 2026" in (
        move.reason
    )
    assert "Care plan now: Long-term foster care with her current carers." in move.reason
    assert latest_entry(case).description.startswith(
        "Moved from 2. Assessment of risk and viability to Reunification not pursued by "
        "Tina Marsh. Reunification not pursued: High risk"
    )


@pytest.mark.parametrize("level", ["low", "medium"])
def test_at_low_or_medium_reunification_cannot_simply_be_stopped(at_assessment, people, level):
    signed_off_risk_assessment(
        at_assessment, author=people.social_worker, manager=people.team_manager, level=level
    )
    before = state(at_assessment)

    with pytest.raises(ValidationError, match="only when the signed-off risk level is High"):
        stop(at_assessment, people.team_manager)

    assert state(at_assessment) == before


def test_without_a_signed_off_assessment_it_cannot_be_stopped(at_assessment, people):
    submitted_risk_assessment(at_assessment, author=people.social_worker, level="severe")

    with pytest.raises(ValidationError):
        stop(at_assessment, people.team_manager)

    assert reload(at_assessment).stage == Stage.ASSESSMENT


def test_at_medium_it_is_stopped_once_a_consultation_found_the_child_not_suited(
    at_assessment, people
):
    signed_off_risk_assessment(
        at_assessment, author=people.social_worker, manager=people.team_manager, level="medium"
    )
    consult(at_assessment, people, outcome="not_suited", rationale="Kayla does not want to go.")

    stop(at_assessment, people.team_manager, rationale="The consultation found her not suited.")

    assert reload(at_assessment).stage == Stage.NOT_PURSUED


@pytest.mark.parametrize("who", ["social_worker", "head_of_service", "iro", "south_manager"])
def test_only_a_team_manager_of_the_case_team_records_not_pursued(
    at_assessment, people, who, request
):
    signed_off_risk_assessment(
        at_assessment, author=people.social_worker, manager=people.team_manager, level="high"
    )
    before = state(at_assessment)

    with pytest.raises(PermissionDenied):
        stop(at_assessment, request.getfixturevalue(who))

    assert state(at_assessment) == before


def test_not_pursued_needs_the_care_plan_now(at_assessment, people):
    signed_off_risk_assessment(
        at_assessment, author=people.social_worker, manager=people.team_manager, level="high"
    )
    before = state(at_assessment)

    with pytest.raises(ValidationError, match="Enter what the care plan now is"):
        stop(at_assessment, people.team_manager, care_plan_now=" ")

    assert state(at_assessment) == before


def test_not_pursued_is_not_recorded_at_identification(journey_case, people):
    signed_off_risk_assessment(
        journey_case, author=people.social_worker, manager=people.team_manager, level="high"
    )

    with pytest.raises(ValidationError, match="can only be done at"):
        stop(journey_case, people.team_manager)


# Support and planning → Confirmation ----------------------------------------------


@pytest.fixture
def at_planning(journey_case, people):
    return journey_to(journey_case, Stage.SUPPORT_PLANNING, people=people)


@pytest.fixture
def planned(at_planning, people):
    planning_records(at_planning, team_manager=people.team_manager)
    return at_planning


PLANNING_ITEMS = [
    "hold the Reunification Planning Meeting",
    "agree the written agreement with the family, with its goals",
    "plan family time in steps, with at least one overnight stay",
    "agree the contingency and safety plan",
    "record the support: Family Group Conference (or why not) and siblings",
    "record the services and Team Around the Child",
    "hold the restorative meeting as part of the direct work",
]
PWP_ITEM = "service director approves placement with parents (care order)"


def test_confirmation_is_refused_until_the_planning_records_are_in_place(at_planning, people):
    before = state(at_planning)

    with pytest.raises(ValidationError) as refused:
        services.move_to_confirmation(case=at_planning, by=people.social_worker)

    # Kayla is accommodated under section 20: no Placement with Parents approval.
    assert refused.value.messages == [still_needed(*PLANNING_ITEMS)]
    assert state(at_planning) == before


@pytest.mark.parametrize(
    "make_missing, named",
    [
        (lambda c: planning.PlanningMeeting.objects.filter(case=c).delete(), PLANNING_ITEMS[0]),
        (
            lambda c: planning.WrittenAgreement.objects.filter(case=c).update(parents_agreed=False),
            PLANNING_ITEMS[1],
        ),
        (
            lambda c: planning.AgreementGoal.objects.filter(agreement__case=c).delete(),
            PLANNING_ITEMS[1],
        ),
        (
            lambda c: planning.FamilyTimeStep.objects.filter(case=c).update(overnight=False),
            PLANNING_ITEMS[2],
        ),
        (lambda c: planning.ContingencyPlan.objects.filter(case=c).delete(), PLANNING_ITEMS[3]),
        (
            lambda c: planning.SupportPlan.objects.filter(case=c).update(
                fgc_held=False, fgc_held_on=None, fgc_not_held_reason=""
            ),
            PLANNING_ITEMS[4],
        ),
        (
            lambda c: planning.SupportPlan.objects.filter(case=c).update(siblings_considered=""),
            PLANNING_ITEMS[4],
        ),
        (lambda c: planning.SupportService.objects.filter(case=c).delete(), PLANNING_ITEMS[5]),
        (
            lambda c: planning.DirectWorkSession.objects.filter(case=c).update(kind="direct_work"),
            PLANNING_ITEMS[6],
        ),
    ],
    ids=[
        "planning meeting",
        "parents' agreement",
        "a goal",
        "overnight family time",
        "contingency plan",
        "family group conference",
        "siblings",
        "a service",
        "restorative meeting",
    ],
)
def test_confirmation_is_refused_while_any_one_planning_record_is_missing(
    planned, people, make_missing, named
):
    make_missing(planned)
    before = state(planned)

    with pytest.raises(ValidationError) as refused:
        services.move_to_confirmation(case=planned, by=people.social_worker)

    assert refused.value.messages == [still_needed(named)]
    assert state(planned) == before


def test_a_family_group_conference_not_held_for_a_reason_is_enough(planned, people):
    planning.SupportPlan.objects.filter(case=planned).update(
        fgc_held=False, fgc_held_on=None, fgc_not_held_reason="Family declined."
    )

    services.move_to_confirmation(case=planned, by=people.social_worker)

    assert reload(planned).stage == Stage.CONFIRMATION


@pytest.mark.parametrize(
    "who, role", [("social_worker", Role.SOCIAL_WORKER), ("team_manager", Role.TEAM_MANAGER)]
)
def test_with_the_planning_in_place_the_case_moves_to_confirmation_under_section_20(
    planned, people, who, role, request, clock
):
    clock.move_to(noon(D(2026, 4, 1)))
    by = request.getfixturevalue(who)

    services.move_to_confirmation(case=planned, by=by)

    case = reload(planned)
    assert case.stage == Stage.CONFIRMATION
    assert case.stage_entered_on == D(2026, 4, 1)
    move = StageMove.objects.filter(case=case).last()
    assert (move.from_stage, move.to_stage, move.moved_by, move.role) == (
        Stage.SUPPORT_PLANNING,
        Stage.CONFIRMATION,
        by,
        role,
    )
    assert latest_entry(case).description == (
        f"Moved from 3. Support and planning to 4. Confirmation by {by}. "
        "The initial programme of support and planning is in place."
    )


@pytest.mark.parametrize("who", ["outsider", "head_of_service", "iro", "director"])
def test_only_the_social_worker_or_a_team_manager_moves_to_confirmation(planned, who, request):
    before = state(planned)

    with pytest.raises(PermissionDenied):
        services.move_to_confirmation(case=planned, by=request.getfixturevalue(who))

    assert state(planned) == before


@pytest.mark.parametrize("code", ["C1", "C2"])
def test_on_a_care_order_confirmation_waits_for_the_service_directors_approval(
    planned, people, code
):
    put_on_care_order(planned, code=code, on=D(2026, 3, 1))
    before = state(planned)

    with pytest.raises(ValidationError) as refused:
        services.move_to_confirmation(case=planned, by=people.social_worker)

    assert refused.value.messages == [still_needed(PWP_ITEM)]
    assert state(planned) == before

    approval = approve_placement_with_parents(
        case=planned, by=people.director, approved_on=D(2026, 3, 10), notes="Plan seen."
    )
    services.move_to_confirmation(case=planned, by=people.social_worker)

    assert reload(planned).stage == Stage.CONFIRMATION
    assert approval.decided_by == people.director
    assert latest_entry(planned).description.startswith("Moved from 3. Support and planning")
    assert ChronologyEntry.objects.filter(
        case=planned,
        description__startswith="Diane Dale (service director) approved placing Kayla with parents",
    ).exists()


@pytest.mark.parametrize("who", ["team_manager", "head_of_service", "iro", "social_worker"])
def test_only_a_service_director_approves_placement_with_parents(planned, people, who, request):
    put_on_care_order(planned, code="C2", on=D(2026, 3, 1))

    with pytest.raises(PermissionDenied):
        approve_placement_with_parents(
            case=planned, by=request.getfixturevalue(who), approved_on=OPENED, notes="Seen."
        )

    assert not planning.PlacementWithParentsApproval.objects.filter(case=planned).exists()


def test_placement_with_parents_approval_is_not_asked_for_under_section_20(planned, people):
    with pytest.raises(ValidationError, match="not asked for under section 20"):
        approve_placement_with_parents(
            case=planned, by=people.director, approved_on=OPENED, notes="Seen."
        )

    assert not planning.PlacementWithParentsApproval.objects.filter(case=planned).exists()


# Confirmation: the viability meeting -----------------------------------------------

MEETING_DAY = D(2026, 4, 15)
NEW_ASSESSMENT_DAY = D(2026, 4, 14)


@pytest.fixture
def at_confirmation(journey_case, people, clock):
    """Kayla's case reaches confirmation on 10 March (her assessment-stage risk
    assessment is dated 3 March); the programme runs to mid-April."""
    case = journey_to(journey_case, Stage.CONFIRMATION, people=people)
    clock.move_to(noon(MEETING_DAY))
    return case


def new_assessment(case, people, level="medium", assessed_on=NEW_ASSESSMENT_DAY):
    # Low weeks after the Medium that started the journey steps down sooner than
    # the step rules allow: it needs a rationale for departing from them.
    return signed_off_risk_assessment(
        case,
        author=people.social_worker,
        manager=people.team_manager,
        level=level,
        assessed_on=assessed_on,
        departure_rationale="Every goal met early; the IRO agrees." if level == "low" else "",
    )


def meet(case, people, outcome="confirmed", **kwargs):
    kwargs.setdefault("held_on", MEETING_DAY)
    kwargs.setdefault("rationale", "Goals met; overnight stays went well.")
    kwargs.setdefault("participants", participants(people))
    kwargs.setdefault("by", people.team_manager)
    if outcome == "confirmed":
        kwargs.setdefault("return_date", D(2026, 5, 1))
    return services.record_viability_meeting(case=case, outcome=outcome, **kwargs)


@pytest.mark.parametrize("who", ["social_worker", "head_of_service", "iro", "south_manager"])
def test_only_a_team_manager_of_the_case_team_records_the_viability_meeting(
    at_confirmation, people, who, request
):
    new_assessment(at_confirmation, people)
    before = state(at_confirmation)

    with pytest.raises(PermissionDenied):
        meet(at_confirmation, people, by=request.getfixturevalue(who))

    assert state(at_confirmation) == before


def test_the_meeting_needs_a_risk_assessment_signed_off_since_entering_confirmation(
    at_confirmation, people
):
    # The assessment-stage assessment (3 March) is signed off, but it is not new.
    assert at_confirmation.risk_assessments.filter(status="signed_off").count() == 1
    before = state(at_confirmation)

    with pytest.raises(ValidationError) as refused:
        meet(at_confirmation, people)

    assert refused.value.messages == [
        still_needed("a new risk assessment, signed off since the case reached confirmation")
    ]
    assert state(at_confirmation) == before


def test_a_new_assessment_not_yet_signed_off_is_not_enough(at_confirmation, people):
    submitted_risk_assessment(at_confirmation, author=people.social_worker, level="medium")

    with pytest.raises(ValidationError, match="a new risk assessment, signed off since"):
        meet(at_confirmation, people)

    assert state(at_confirmation)["meetings"] == 0


@pytest.mark.parametrize("level", ["low", "medium"])
def test_at_low_or_medium_the_meeting_confirms_a_return_date(at_confirmation, people, level):
    assessment = new_assessment(at_confirmation, people, level=level)

    meeting = meet(at_confirmation, people)

    assert meeting.outcome == "confirmed"
    assert meeting.return_date == D(2026, 5, 1)
    assert meeting.risk_assessment == assessment
    assert meeting.decided_by == people.team_manager
    assert meeting.role == Role.TEAM_MANAGER
    assert meeting.decided_at.astimezone(LONDON).date() == MEETING_DAY
    assert meeting.rationale == "Goals met; overnight stays went well."
    assert (meeting.social_worker, meeting.head_of_service, meeting.iro) == (
        people.social_worker,
        people.head_of_service,
        people.iro,
    )
    case = reload(at_confirmation)
    assert case.stage == Stage.CONFIRMATION
    assert latest_entry(case).description == (
        "Reunification Viability Meeting. Return date confirmed: 1 May 2026. "
        "Goals met; overnight stays went well."
    )
    assert journey.outstanding(case_facts(case, MEETING_DAY)) == []


@pytest.mark.parametrize("level", ["high", "severe"])
def test_at_high_or_severe_no_return_date_is_confirmed(at_confirmation, people, level):
    new_assessment(at_confirmation, people, level=level)
    before = state(at_confirmation)

    with pytest.raises(ValidationError) as refused:
        meet(at_confirmation, people)

    assert refused.value.messages == [
        "A return date can be confirmed only at Low or Medium risk; the latest signed-off "
        f"level is {level.capitalize()}"
    ]
    assert state(at_confirmation) == before


def test_a_confirmed_return_needs_its_date(at_confirmation, people):
    new_assessment(at_confirmation, people)

    with pytest.raises(ValidationError, match="Enter the confirmed return date"):
        meet(at_confirmation, people, return_date=None)

    assert state(at_confirmation)["meetings"] == 0


def test_the_return_date_cannot_be_before_the_meeting(at_confirmation, people):
    new_assessment(at_confirmation, people)

    with pytest.raises(ValidationError, match="cannot be before the meeting"):
        meet(at_confirmation, people, return_date=D(2026, 4, 1))

    assert state(at_confirmation)["meetings"] == 0


def test_further_work_sends_the_case_back_to_planning_with_what_and_by_when(
    at_confirmation, people
):
    new_assessment(at_confirmation, people, level="high")

    meeting = meet(
        at_confirmation,
        people,
        outcome="further_work",
        further_work="Six more weeks of overnight stays, reviewed weekly.",
        further_work_by=D(2026, 6, 30),
        rationale="Mother relapsed once in March.",
    )

    assert (meeting.further_work, meeting.further_work_by, meeting.return_date) == (
        "Six more weeks of overnight stays, reviewed weekly.",
        D(2026, 6, 30),
        None,
    )
    case = reload(at_confirmation)
    assert case.stage == Stage.SUPPORT_PLANNING
    assert case.stage_entered_on == MEETING_DAY
    move = StageMove.objects.filter(case=case).last()
    assert (move.from_stage, move.to_stage, move.moved_by, move.role) == (
        Stage.CONFIRMATION,
        Stage.SUPPORT_PLANNING,
        people.team_manager,
        Role.TEAM_MANAGER,
    )
    assert move.reason == (
        "Further work needed by 30 June 2026: Six more weeks of overnight stays, reviewed weekly."
    )


@pytest.mark.parametrize(
    "what, by_when", [("", D(2026, 6, 30)), ("More overnight stays.", None)], ids=["what", "when"]
)
def test_further_work_must_say_what_and_by_when(at_confirmation, people, what, by_when):
    new_assessment(at_confirmation, people)
    before = state(at_confirmation)

    with pytest.raises(ValidationError, match="Say what further work is needed and by when"):
        meet(
            at_confirmation,
            people,
            outcome="further_work",
            further_work=what,
            further_work_by=by_when,
        )

    assert state(at_confirmation) == before


def test_after_further_work_a_new_assessment_is_needed_again(at_confirmation, people, clock):
    new_assessment(at_confirmation, people)
    meet(
        at_confirmation,
        people,
        outcome="further_work",
        further_work="More overnight stays.",
        further_work_by=D(2026, 6, 30),
    )
    clock.move_to(noon(D(2026, 7, 1)))
    services.move_to_confirmation(case=at_confirmation, by=people.social_worker)

    with pytest.raises(ValidationError, match="a new risk assessment, signed off since"):
        meet(at_confirmation, people, held_on=D(2026, 7, 1), return_date=D(2026, 7, 20))

    new_assessment(at_confirmation, people, level="low", assessed_on=D(2026, 7, 1))
    meeting = meet(at_confirmation, people, held_on=D(2026, 7, 1), return_date=D(2026, 7, 20))
    assert meeting.return_date == D(2026, 7, 20)


def test_when_the_meeting_changes_the_plan_the_team_manager_records_not_pursued(
    at_confirmation, people
):
    new_assessment(at_confirmation, people, level="medium")
    meet(at_confirmation, people, outcome="not_pursued", rationale="Mother moved away.")
    assert reload(at_confirmation).stage == Stage.CONFIRMATION

    stop(
        at_confirmation,
        people.team_manager,
        decided_on=MEETING_DAY,
        explained_to_child_on=MEETING_DAY,
        explained_to_family_on=MEETING_DAY,
    )

    case = reload(at_confirmation)
    assert case.stage == Stage.NOT_PURSUED
    assert StageMove.objects.filter(case=case).last().from_stage == Stage.CONFIRMATION


def test_at_confirmation_medium_cannot_be_stopped_without_the_meeting_deciding_it(
    at_confirmation, people
):
    new_assessment(at_confirmation, people, level="medium")

    with pytest.raises(ValidationError):
        stop(at_confirmation, people.team_manager)

    assert reload(at_confirmation).stage == Stage.CONFIRMATION


def test_the_meeting_cannot_be_dated_before_the_risk_assessment_it_reviews(at_confirmation, people):
    """A meeting reviews the new assessment, so it cannot have been held before it.
    (A meeting dated before the case reached confirmation is also never counted by
    the task list, which would leave a confirmed return showing as outstanding.)"""
    new_assessment(at_confirmation, people, assessed_on=D(2026, 4, 14))
    before = state(at_confirmation)

    with pytest.raises(ValidationError):
        meet(at_confirmation, people, held_on=D(2026, 3, 2), return_date=D(2026, 5, 1))

    assert state(at_confirmation) == before


# Disagreements between professionals -----------------------------------------------


def raise_(case, by, **kwargs):
    kwargs.setdefault("raised_on", D(2026, 3, 10))
    kwargs.setdefault("route", "iro_escalation")
    kwargs.setdefault("subject", "Family time has not increased as the plan said.")
    return services.raise_dispute(case=case, by=by, **kwargs)


def test_the_iro_raises_an_escalation_on_a_case_they_review(journey_case, iro):
    dispute = raise_(journey_case, iro)

    assert dispute.raised_by == iro
    assert dispute.raised_role == Role.IRO
    assert dispute.raised_on == D(2026, 3, 10)
    assert dispute.route == "iro_escalation"
    assert dispute.resolved_on is None
    entry = latest_entry(journey_case)
    assert entry.recorded_by == iro
    assert entry.description == (
        "IRO escalation raised by Ian Rowe (Independent Reviewing Officer): "
        "Family time has not increased as the plan said."
    )


@pytest.mark.parametrize(
    "who, role",
    [
        ("social_worker", Role.SOCIAL_WORKER),
        ("team_manager", Role.TEAM_MANAGER),
        ("head_of_service", Role.HEAD_OF_SERVICE),
    ],
)
def test_the_professionals_on_the_case_record_disagreements_in_their_role(
    journey_case, who, role, request
):
    dispute = raise_(journey_case, request.getfixturevalue(who), route="drp")

    assert dispute.raised_role == role


@pytest.mark.parametrize("who", ["other_iro", "outsider", "south_manager", "director"])
def test_no_one_else_raises_a_disagreement_on_the_case(journey_case, who, request):
    before = state(journey_case)

    with pytest.raises(PermissionDenied):
        raise_(journey_case, request.getfixturevalue(who))

    assert state(journey_case) == before


def test_a_disagreement_says_what_it_is_about(journey_case, iro):
    with pytest.raises(ValidationError, match="Say what the disagreement is about"):
        raise_(journey_case, iro, subject="  ")

    assert not Dispute.objects.filter(case=journey_case).exists()


def test_a_disagreement_is_resolved_later_with_who_when_and_how(
    journey_case, iro, team_manager, clock
):
    dispute = raise_(journey_case, iro)
    clock.move_to(noon(D(2026, 3, 24)))

    services.resolve_dispute(
        dispute=dispute,
        by=team_manager,
        resolved_on=D(2026, 3, 23),
        resolution="A third weekly visit starts on 1 April.",
    )

    dispute.refresh_from_db()
    assert (dispute.resolved_on, dispute.resolved_by, dispute.resolution) == (
        D(2026, 3, 23),
        team_manager,
        "A third weekly visit starts on 1 April.",
    )
    entry = latest_entry(journey_case)
    assert entry.occurred_on == D(2026, 3, 23)
    assert entry.description == "IRO escalation resolved: A third weekly visit starts on 1 April."


def test_a_disagreement_is_resolved_once_and_not_before_it_was_raised(
    journey_case, iro, team_manager
):
    dispute = raise_(journey_case, iro)

    with pytest.raises(ValidationError, match="before it was raised"):
        services.resolve_dispute(
            dispute=dispute, by=iro, resolved_on=D(2026, 3, 9), resolution="Agreed."
        )
    with pytest.raises(ValidationError, match="Say how it was resolved"):
        services.resolve_dispute(dispute=dispute, by=iro, resolved_on=OPENED, resolution=" ")

    services.resolve_dispute(dispute=dispute, by=iro, resolved_on=OPENED, resolution="Agreed.")
    with pytest.raises(ValidationError, match="already been resolved"):
        services.resolve_dispute(
            dispute=dispute, by=team_manager, resolved_on=OPENED, resolution="Again."
        )


@pytest.mark.parametrize("who", ["other_iro", "outsider"])
def test_no_one_else_resolves_a_disagreement(journey_case, iro, who, request):
    dispute = raise_(journey_case, iro)

    with pytest.raises(PermissionDenied):
        services.resolve_dispute(
            dispute=dispute, by=request.getfixturevalue(who), resolved_on=OPENED, resolution="No."
        )

    dispute.refresh_from_db()
    assert dispute.resolved_on is None
