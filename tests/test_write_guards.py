"""Issue 13, "Other findings": every write is made once, to an open case, from
what the person typed, with values a person can have.

- A one-shot change of state (a disagreement resolved, a recommendation marked
  done, an assessment signed off, a care plan step approved, a stage moved, a
  return home, a closure) locks its case, reads the state again under the lock
  and refuses the second, with a message and no second chronology entry: one
  after the other on any database, and at the same moment on PostgreSQL.
- A closed case takes nothing new: every service that writes to a case refuses
  it, in the same words, and no table changes, even when the page that asked
  loaded the case before it closed.
- A link cannot fill an edit form: every edit page shows the saved record
  whatever its address says, and an add page takes from it only the few harmless
  fields its record type names.
- Implausible input is refused in the service (so by every way in) and shown on
  the page: a date of birth in the future or of someone over 120; an edit sent
  with a blank version, or none, is refused as stale.
"""

import datetime
import inspect
import re
import threading
import time
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse

from cases import policy
from cases import services as case_services
from cases.forms import STALE_RECORD_MESSAGE
from cases.models import (
    CaseView,
    Child,
    ChronologyKind,
    ReunificationCase,
    Role,
    Sex,
    Stage,
    StaleRecord,
)
from cases.records import RECORD_TYPES
from planning import services as planning_services
from planning.models import GoalReview, PlanningMeeting
from reunification.clock import today
from reviews.aftercare import return_home, statutory
from reviews.journey import decisions as journey
from reviews.models import (
    CarePlanApproval,
    ClosureReason,
    ConsultationOutcome,
    Dispute,
    DisputeRoute,
    MeetingOutcome,
    Recommendation,
    ReviewType,
    ViabilityConsultation,
)
from risk import services as risk_services
from risk.models import RiskAssessment
from tests.conftest import person
from tests.factories import (
    approve_ceasing_care,
    assessment_records,
    journey_to,
    parents_with_responsibility,
    participants,
    planning_records,
    signed_off_risk_assessment,
    submitted_risk_assessment,
)
from tests.html_forms import page_form
from tests.test_concurrent_edits import (
    EDIT_PAGES,
    change_for,
    edit_page,
    error_summary,
    history_count,
    saved_value,
)

pytestmark = pytest.mark.usefixtures("on_10_march_2026")

D = datetime.date
DRP = DisputeRoute.DRP
LATER = datetime.timedelta(days=30)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def tables() -> dict[str, list[tuple]]:
    """The contents of every table of the case record, history included (not
    only how many rows: a changed value shows). Not the log of who viewed a case:
    opening a page adds to it, as it should."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values_list())
        for label in ("cases", "risk", "planning", "reviews")
        for model in apps.get_app_config(label).get_models()
        if model is not CaseView
    }


@pytest.fixture
def second_manager(north):
    """Another team manager of North, who may make the same decisions as Tina."""
    return person("Tom", "Nash", Role.TEAM_MANAGER, team=north)


# A closed case takes nothing new --------------------------------------------------


def load(pk: int) -> SimpleNamespace:
    """The case and a record of each kind a write may name, as a page loads them."""
    case = ReunificationCase.objects.select_related("child", "team").get(pk=pk)
    return SimpleNamespace(
        case=case,
        child=case.child,
        member=case.family_members.order_by("pk").first(),
        dispute=Dispute.objects.select_related("case").get(case=case),
        recommendation=Recommendation.objects.select_related("review__case").get(review__case=case),
        draft=RiskAssessment.objects.select_related("case").get(case=case, status="draft"),
        submitted=RiskAssessment.objects.select_related("case").get(case=case, status="submitted"),
        meeting=case.planning_meetings.get(),
        agreement=case.written_agreements.get(),
        goal=case.written_agreements.get().goals.select_related("agreement__case").get(),
        goal_review=GoalReview.objects.get(goal__agreement__case=case),
    )


def not_pursued(case, p):
    """The case stopped at assessment: High risk signed off, not pursued."""
    journey_to(case, Stage.ASSESSMENT, people=p)
    signed_off_risk_assessment(case, author=p.social_worker, manager=p.team_manager, level="high")
    journey.record_not_pursued(
        case=case,
        by=p.team_manager,
        decided_on=today(),
        explained_to_child_on=today(),
        explained_to_family_on=today(),
        care_plan_now="Long-term foster care with her current carers.",
        rationale="High risk: her mother is not addressing her drinking.",
    )
    return case


@pytest.fixture
def closed(journey_case, people, colleague):
    """Kayla's case closed after reunification was not pursued, leaving behind an
    open disagreement, a recommendation not yet done, a draft and a submitted risk
    assessment and the planning records; `before` is all of it as loaded before
    the case closed (a page opened then)."""
    sw, tm, iro = people.social_worker, people.team_manager, people.iro
    case = not_pursued(journey_case, people)
    journey.raise_dispute(case=case, by=iro, raised_on=today(), route=DRP, subject="The plan")
    statutory.record_review(
        case=case,
        by=iro,
        held_on=today(),
        review_type=ReviewType.CHILD_IN_CARE,
        chair=iro,
        attended="Kayla, her mother, Sarah Wood",
        outcome="The plan continues.",
        recommendations=[
            {"text": "Refer to a family group conference", "owner": sw, "due_on": today() + LATER}
        ],
    )
    submitted_risk_assessment(case, author=sw, level="high")
    risk_services.save_draft(case=case, by=sw, answers={"assessed_on": today()}, factors=[])
    planning_records(case, team_manager=tm)
    planning_services.save_goal_review(
        goal=case.written_agreements.get().goals.get(),
        by=sw,
        values={"reviewed_on": today(), "outcome": "partly", "evidence": "Two negative tests"},
    )
    before = load(case.pk)
    return_home.close_case(
        case=case,
        by=tm,
        closed_on=today(),
        reason=ClosureReason.NOT_PURSUED_PERMANENCE,
        permanence_plan="Long-term fostering with her carers.",
    )
    assert not ReunificationCase.objects.get(pk=case.pk).is_open
    return SimpleNamespace(
        pk=case.pk, before=before, people=SimpleNamespace(**vars(people), colleague=colleague)
    )


def _agreement(o, p):
    return {
        "values": {
            "agreed_on": today(),
            "consequences_explained": "Supervised family time again.",
            "review_dates": "Monthly",
            "parents_agreed": True,
        },
        "goals": [
            {
                "goal": "School every day",
                "measure": "Attendance",
                "responsible": "Mother",
                "due_on": today() + LATER,
            }
        ],
    }


def _goal_review(o, p):
    return {"reviewed_on": today(), "outcome": "met", "evidence": "Every test negative"}


# Every service that writes to a case, with what a person who could make the
# write on an open case would give it. Each is called with the objects `o` (see
# `load`) and the people `p`.
WRITES = [
    (
        case_services.allocate,
        "",
        lambda o, p: dict(
            case=o.case, role=Role.SOCIAL_WORKER, user=p.colleague, by=p.team_manager
        ),
    ),
    (
        case_services.save_record,
        "adding",
        lambda o, p: dict(
            case=o.case,
            by=p.social_worker,
            kind="chronology",
            values={
                "occurred_on": today(),
                "kind": ChronologyKind.SIGNIFICANT_EVENT,
                "description": "Written after the case closed",
                "source": "",
            },
        ),
    ),
    (
        case_services.save_record,
        "changing",
        lambda o, p: dict(
            case=o.case,
            by=p.social_worker,
            kind="household-member",
            values={"name": "Changed after closing"},
            record_pk=o.member.pk,
            version=o.member.version,
        ),
    ),
    (
        case_services.update_child,
        "",
        lambda o, p: dict(
            case=o.case, by=p.social_worker, values={"first_name": "Kay"}, version=o.child.version
        ),
    ),
    (
        case_services.update_case_details,
        "",
        lambda o, p: dict(
            case=o.case,
            by=p.social_worker,
            values={"family_isolated": True},
            version=o.case.version,
        ),
    ),
    (
        journey.approve_care_plan,
        "",
        lambda o, p: dict(
            case=o.case, by=p.team_manager, step="confirmed", approved_on=today(), rationale="Again"
        ),
    ),
    (journey.start_assessment, "", lambda o, p: dict(case=o.case, by=p.social_worker)),
    (
        journey.record_viability_consultation,
        "",
        lambda o, p: dict(
            case=o.case,
            by=p.team_manager,
            held_on=today(),
            outcome=ConsultationOutcome.POTENTIALLY_SUITED,
            rationale="Changed our minds",
            participants=participants(p),
        ),
    ),
    (
        journey.record_not_pursued,
        "",
        lambda o, p: dict(
            case=o.case,
            by=p.team_manager,
            decided_on=today(),
            explained_to_child_on=today(),
            explained_to_family_on=today(),
            care_plan_now="Foster care",
            rationale="Again",
        ),
    ),
    (journey.move_to_confirmation, "", lambda o, p: dict(case=o.case, by=p.social_worker)),
    (
        journey.record_viability_meeting,
        "",
        lambda o, p: dict(
            case=o.case,
            by=p.team_manager,
            held_on=today(),
            outcome=MeetingOutcome.FURTHER_WORK,
            rationale="More to do",
            participants=participants(p),
            further_work="Parenting course",
            further_work_by=today() + LATER,
        ),
    ),
    (
        journey.raise_dispute,
        "",
        lambda o, p: dict(
            case=o.case, by=p.iro, raised_on=today(), route=DRP, subject="Raised after closing"
        ),
    ),
    (
        journey.resolve_dispute,
        "",
        lambda o, p: dict(
            dispute=o.dispute, by=p.iro, resolved_on=today(), resolution="Agreed after closing"
        ),
    ),
    (
        return_home.record_return_home,
        "",
        lambda o, p: dict(
            case=o.case,
            by=p.social_worker,
            returned_on=today(),
            planned=False,
            returned_to="Her mother",
            legal_status_after="child_in_need",
            episode_end_reason="E4B",
            unplanned_reason="Went home by herself",
        ),
    ),
    (
        return_home.record_breakdown,
        "",
        lambda o, p: dict(
            case=o.case,
            by=p.social_worker,
            came_back_on=today(),
            reason="Back in care",
            placement_type="U6",
            carer="Mr and Mrs Hale",
            legal_status="V2",
        ),
    ),
    (
        return_home.ask_to_cease_care,
        "",
        lambda o, p: dict(
            case=o.case, by=p.social_worker, proposed_on=today(), plan_after="Child in Need"
        ),
    ),
    (
        return_home.decide_ceasing_care,
        "",
        lambda o, p: dict(
            case=o.case, by=p.director, approved=True, decided_on=today(), rationale="Sound"
        ),
    ),
    (
        journey.reopen_assessment,
        "",
        lambda o, p: dict(case=o.case, by=p.team_manager, rationale="Medium now"),
    ),
    (
        statutory.record_review_reunification,
        "",
        lambda o, p: dict(
            review=o.recommendation.review, by=p.iro, considered=True, outcome="Considered"
        ),
    ),
    (
        return_home.close_case,
        "",
        lambda o, p: dict(
            case=o.case,
            by=p.team_manager,
            closed_on=today(),
            reason=ClosureReason.OTHER,
            notes="Closed again",
        ),
    ),
    (
        statutory.record_review,
        "",
        lambda o, p: dict(
            case=o.case,
            by=p.iro,
            held_on=today(),
            review_type=ReviewType.CHILD_IN_CARE,
            chair=p.iro,
            attended="Kayla",
            outcome="Held after closing",
        ),
    ),
    (
        statutory.complete_recommendation,
        "",
        lambda o, p: dict(recommendation=o.recommendation, by=p.social_worker, done_on=today()),
    ),
    (
        statutory.record_visit,
        "",
        lambda o, p: dict(
            case=o.case, by=p.social_worker, visited_on=today(), seen_alone=True, notes="Visited"
        ),
    ),
    (
        planning_services.save_planning_meeting,
        "adding",
        lambda o, p: dict(
            case=o.case,
            by=p.team_manager,
            invitees=[],
            values={"held_on": today(), "led_by": p.team_manager, "considerations": "Another"},
        ),
    ),
    (
        planning_services.save_planning_meeting,
        "changing",
        lambda o, p: dict(
            case=o.case,
            by=p.team_manager,
            invitees=[],
            values={"considerations": "Changed"},
            meeting=o.meeting,
            version=o.meeting.version,
        ),
    ),
    (
        planning_services.save_written_agreement,
        "adding",
        lambda o, p: dict(case=o.case, by=p.social_worker, **_agreement(o, p)),
    ),
    (
        planning_services.save_written_agreement,
        "changing",
        lambda o, p: dict(
            case=o.case,
            by=p.social_worker,
            agreement=o.agreement,
            version=o.agreement.version,
            **_agreement(o, p),
        ),
    ),
    (
        planning_services.save_goal_review,
        "adding",
        lambda o, p: dict(goal=o.goal, by=p.social_worker, values=_goal_review(o, p)),
    ),
    (
        planning_services.save_goal_review,
        "changing",
        lambda o, p: dict(
            goal=o.goal,
            by=p.social_worker,
            review=o.goal_review,
            version=o.goal_review.version,
            values=_goal_review(o, p),
        ),
    ),
    (
        planning_services.approve_placement_with_parents,
        "",
        lambda o, p: dict(
            case=o.case, by=p.director, approved_on=today(), notes="Approved after closing"
        ),
    ),
    (
        planning_services.decide_placement_with_parents,
        "",
        lambda o, p: dict(
            case=o.case,
            by=p.director,
            outcome="sent_back",
            decided_on=today(),
            reason="Sent back after closing",
        ),
    ),
    (
        planning_services.record_not_appropriate,
        "",
        lambda o, p: dict(
            case=o.case,
            by=p.social_worker,
            step="overnight_stays",
            decided_on=today(),
            reason="Not appropriate after closing",
        ),
    ),
    (
        risk_services.save_draft,
        "adding",
        lambda o, p: dict(
            case=o.case, by=p.social_worker, answers={"assessed_on": today()}, factors=[]
        ),
    ),
    (
        risk_services.save_draft,
        "changing",
        lambda o, p: dict(
            case=o.case,
            by=p.social_worker,
            answers={"risk_factors_evidence": "Changed"},
            factors=[],
            assessment=o.draft,
            version=o.draft.version,
        ),
    ),
    (
        risk_services.submit_for_sign_off,
        "",
        lambda o, p: dict(
            assessment=o.draft, by=p.social_worker, confirmed_level="high", rationale="High"
        ),
    ),
    (risk_services.sign_off, "", lambda o, p: dict(assessment=o.submitted, by=p.team_manager)),
    (
        risk_services.return_for_changes,
        "",
        lambda o, p: dict(
            assessment=o.submitted, by=p.team_manager, comment="Add the police checks"
        ),
    ),
]

SERVICE_MODULES = (
    case_services,
    journey,
    return_home,
    statutory,
    planning_services,
    risk_services,
)
# Public functions of those modules taking the person acting (`by`) that are not
# writes to an existing case: steps inside the writes above, after their lock
# (a chronology entry), and opening a case for a child (a repeat return links an
# earlier closed case without writing to it).
NOT_WRITES_TO_A_CASE = {
    case_services.add_chronology_entry,
    case_services.register_child,
    case_services.open_case,
}


def write_id(write) -> str:
    service, variant, _ = write
    return f"{service.__module__}.{service.__name__}" + (f", {variant}" if variant else "")


def test_every_service_that_writes_to_a_case_is_tried_on_a_closed_one():
    services = {
        function
        for module in SERVICE_MODULES
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__
        and not name.startswith("_")
        and "by" in inspect.signature(function).parameters
    }
    assert services - NOT_WRITES_TO_A_CASE == {service for service, _, _ in WRITES}


@pytest.mark.parametrize("loaded", ["after it closed", "before it closed"])
@pytest.mark.parametrize("write", WRITES, ids=write_id)
def test_a_closed_case_takes_nothing_new(closed, write, loaded):
    service, _, arguments = write
    objects = load(closed.pk) if loaded == "after it closed" else closed.before
    before = tables()

    with pytest.raises(PermissionDenied) as refused:
        service(**arguments(objects, closed.people))

    assert str(refused.value) == policy.CLOSED_CASE
    assert tables() == before


# What allowed_actions names that is not a write to this case.
NOT_WRITES_ON_A_CASE = {"see_case", "see_audit", "is_team_manager", "open_repeat_case"}


def test_a_closed_case_offers_no_action_to_anyone(closed, everyone):
    case = load(closed.pk).case
    for user in vars(closed.people).values():
        actions = policy.allowed_actions(user, case)
        assert not any(
            allowed for name, allowed in actions.items() if name not in NOT_WRITES_ON_A_CASE
        ), user


# One-shot changes of state ---------------------------------------------------------
#
# Each: how to bring the case to the moment before the change (returning what the
# change acts on, loaded as a page would), the change made by the first and by
# the second person, the refusal the second gets, and how many times the change
# is recorded.


def _raised(case, p):
    return journey.raise_dispute(
        case=case, by=p.iro, raised_on=today(), route=DRP, subject="Family time"
    )


def _recommended(case, p):
    review = statutory.record_review(
        case=case,
        by=p.iro,
        held_on=today(),
        review_type=ReviewType.CHILD_IN_CARE,
        chair=p.iro,
        attended="Kayla",
        outcome="The plan continues.",
        recommendations=[
            {"text": "Book the FGC", "owner": p.social_worker, "due_on": today() + LATER}
        ],
    )
    return review.recommendations.get()


def _submitted(case, p):
    return submitted_risk_assessment(case, author=p.social_worker)


def _at_identification(case, p):
    return case


def _assessed(case, p):
    journey_to(case, Stage.ASSESSMENT, people=p)
    assessment_records(case)
    signed_off_risk_assessment(
        case, author=p.social_worker, manager=p.team_manager, assessed_on=today()
    )
    return case


def _at_assessment(case, p):
    journey_to(case, Stage.ASSESSMENT, people=p)
    return case


def _at_assessment_ending_care_approved(case, p):
    """At assessment, with the director's approval (regulation 39) of ending care today."""
    journey_to(case, Stage.ASSESSMENT, people=p)
    approve_ceasing_care(case, people=p)
    return case


def _approvals_given(case, p):
    ReunificationCase.objects.filter(pk=case.pk).update(reunification_first_considered_on=today())
    for step, who in [
        ("confirmed", p.team_manager),
        ("agreed", p.head_of_service),
        ("ratified", p.iro),
    ]:
        journey.approve_care_plan(
            case=case,
            by=who,
            step=step,
            approved_on=today(),
            cic_review_on=today() if step == "ratified" else None,
        )
    return case


def _at_confirmation(case, p):
    journey_to(case, Stage.CONFIRMATION, people=p)
    signed_off_risk_assessment(
        case, author=p.social_worker, manager=p.team_manager, assessed_on=today()
    )
    return case


def stale_case(case):
    return ReunificationCase.objects.select_related("child").get(pk=case.pk)


def resolved_entries(case):
    return case.chronology.filter(description__contains="resolved:").count()


ONE_SHOT = {
    "a disagreement resolved": (
        _raised,
        lambda d, p, who: journey.resolve_dispute(
            dispute=d, by=who, resolved_on=today(), resolution=f"Agreed with {who}"
        ),
        ("iro", "team_manager"),
        "This disagreement has already been resolved",
        lambda case: (
            resolved_entries(case),
            Dispute.history.filter(case_id=case.pk, resolved_on__isnull=False).count(),
        ),
        (1, 1),
    ),
    "a recommendation marked done": (
        _recommended,
        lambda r, p, who: statutory.complete_recommendation(
            recommendation=r, by=who, done_on=today()
        ),
        ("social_worker", "iro"),
        "This recommendation has already been marked as done",
        lambda case: Recommendation.history.filter(
            review__case=case, done_on__isnull=False
        ).count(),
        1,
    ),
    "a risk assessment signed off": (
        _submitted,
        lambda a, p, who: risk_services.sign_off(assessment=a, by=who),
        ("team_manager", "second_manager"),
        "This assessment is not waiting for sign-off",
        lambda case: case.chronology.filter(
            description__startswith="Risk assessment signed off"
        ).count(),
        1,
    ),
    "a risk assessment returned after it was signed off": (
        _submitted,
        lambda a, p, who: (
            risk_services.sign_off(assessment=a, by=who)
            if who == p.team_manager
            else risk_services.return_for_changes(assessment=a, by=who, comment="Redo it")
        ),
        ("team_manager", "second_manager"),
        "This assessment is not waiting for sign-off",
        lambda case: list(case.risk_assessments.values_list("status", "return_comment")),
        [("signed_off", "")],
    ),
    "a care plan step approved": (
        _at_identification,
        lambda c, p, who: journey.approve_care_plan(
            case=c, by=who, step="confirmed", approved_on=today(), rationale="Confirmed"
        ),
        ("team_manager", "team_manager"),  # only the allocated manager approves it
        "This approval has already been recorded",
        lambda case: (
            CarePlanApproval.objects.filter(case=case).count(),
            case.chronology.filter(description__startswith="Reunification care plan").count(),
        ),
        (1, 1),
    ),
    "the assessment started": (
        _approvals_given,
        lambda c, p, who: journey.start_assessment(case=c, by=who),
        ("social_worker", "team_manager"),
        "this can only be done at 1. Identification",
        lambda case: case.stage_moves.count(),
        1,
    ),
    "the viability consultation completed": (
        _assessed,
        lambda c, p, who: journey.record_viability_consultation(
            case=c,
            by=who,
            held_on=today(),
            outcome=ConsultationOutcome.POTENTIALLY_SUITED,
            rationale=f"Suited, says {who}",
            participants=participants(p),
        ),
        ("team_manager", "second_manager"),
        "this can only be done at 2. Assessment",
        lambda case: (
            ViabilityConsultation.objects.filter(case=case).count(),
            case.stage_moves.filter(to_stage=Stage.SUPPORT_PLANNING).count(),
        ),
        (1, 1),
    ),
    "the viability meeting completed": (
        _at_confirmation,
        lambda c, p, who: journey.record_viability_meeting(
            case=c,
            by=who,
            held_on=today(),
            outcome=MeetingOutcome.FURTHER_WORK,
            rationale=f"More work, says {who}",
            participants=participants(p),
            further_work="A parenting course",
            further_work_by=today() + LATER,
        ),
        ("team_manager", "second_manager"),
        "this can only be done at 4. Confirmation",
        lambda case: (
            case.viability_meetings.count(),
            case.chronology.filter(
                description__startswith="Reunification Viability Meeting"
            ).count(),
        ),
        (1, 1),
    ),
    "the return home recorded": (
        _at_assessment_ending_care_approved,
        lambda c, p, who: return_home.record_return_home(
            case=c,
            by=who,
            returned_on=today(),
            planned=False,
            returned_to="Her mother",
            legal_status_after="child_in_need",
            episode_end_reason="E4B",
            unplanned_reason="Kayla went home by herself",
        ),
        ("social_worker", "team_manager"),
        "A return home is already recorded for this case",
        lambda case: case.stage_moves.filter(to_stage=Stage.RETURN_HOME).count(),
        1,
    ),
    "the case closed": (
        not_pursued,
        lambda c, p, who: return_home.close_case(
            case=c,
            by=who,
            closed_on=today(),
            reason=ClosureReason.NOT_PURSUED_PERMANENCE,
            permanence_plan=f"Long-term fostering, says {who}",
        ),
        ("team_manager", "second_manager"),
        policy.CLOSED_CASE,
        lambda case: (
            case.stage_moves.filter(to_stage=Stage.CLOSED).count(),
            case.chronology.filter(description__contains="Case closed").count(),
        ),
        (1, 1),
    ),
}


def said(error: Exception) -> str:
    """What a refusal says: a ValidationError's messages, or a PermissionDenied's."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


def stale(thing):
    """The same row loaded again, as the second person's page loaded it."""
    if isinstance(thing, ReunificationCase):
        return stale_case(thing)
    model = type(thing)
    return model._default_manager.get(pk=thing.pk)


def roles(people, second_manager):
    return SimpleNamespace(**vars(people), second_manager=second_manager)


@pytest.mark.parametrize("change", ONE_SHOT)
def test_the_second_of_a_one_shot_change_is_refused_and_not_recorded(
    change, journey_case, people, second_manager
):
    prepare, act, who, refusal, recorded, once = ONE_SHOT[change]
    p = roles(people, second_manager)
    first_person, second_person = (getattr(p, name) for name in who)
    target = prepare(journey_case, p)
    seconds_page = stale(target)  # loaded before the first person saved

    act(target, p, first_person)
    before = tables()
    with pytest.raises((ValidationError, PermissionDenied)) as refused:
        act(seconds_page, p, second_person)

    assert refusal in said(refused.value)
    assert recorded(journey_case) == once
    assert tables() == before


def _in_thread(work, outcome: dict, key: str):
    def run():
        try:
            outcome[key] = work()
        except Exception as error:  # noqa: BLE001 - reported to the test
            outcome[key] = error
        finally:
            connection.close()

    return threading.Thread(target=run)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("change", ONE_SHOT)
def test_two_people_making_a_one_shot_change_at_once_make_it_once(
    change, journey_case, people, second_manager
):
    """On PostgreSQL the first holds the case's lock until she commits; the
    second waits for it, reads the state again and is refused."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks to wait on: set DATABASE_URL to a PostgreSQL one")
    prepare, act, who, refusal, recorded, once = ONE_SHOT[change]
    p = roles(people, second_manager)
    first_person, second_person = (getattr(p, name) for name in who)
    target = prepare(journey_case, p)
    firsts_page, seconds_page = stale(target), stale(target)
    saved = threading.Event()
    outcome = {}

    def first():
        with transaction.atomic():
            done = act(firsts_page, p, first_person)
            saved.set()
            time.sleep(0.5)  # still holding the lock
            return done

    def second():
        saved.wait(10)
        started = time.monotonic()
        try:
            return act(seconds_page, p, second_person)
        finally:
            outcome["waited"] = time.monotonic() - started

    threads = [_in_thread(first, outcome, "first"), _in_thread(second, outcome, "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)

    assert not isinstance(outcome["first"], Exception), outcome["first"]
    assert isinstance(outcome["second"], ValidationError | PermissionDenied), outcome["second"]
    assert refusal in said(outcome["second"])
    assert outcome["waited"] > 0.3
    assert recorded(journey_case) == once


# A link cannot fill an edit form ----------------------------------------------------


@pytest.fixture
def every_record(case, social_worker, team_manager):
    """Kayla's case with one record behind every edit page."""
    parents_with_responsibility(case)
    planning_records(case, team_manager=team_manager)
    goal = case.written_agreements.get().goals.get()
    GoalReview.objects.create(goal=goal, reviewed_on=today(), outcome="partly", evidence="Two")
    RiskAssessment.objects.create(case=case, author=social_worker, assessed_on=today())
    return case


CRAFTED = "Put here by a link"


def fields_of(response) -> dict:
    """What the page's form would send, but its CSRF token (new on every page)."""
    data = page_form(response).data()
    data.pop("csrfmiddlewaretoken", None)
    return data


def crafted_link(address: str, names) -> str:
    """The address with every field of its form set in the query string."""
    values = {name: CRAFTED for name in names}
    values.update({name: "99" for name in names if name.endswith("version")})
    return f"{address}?{urlencode(values)}"


def holds_crafted(record) -> bool:
    record.refresh_from_db()
    return any(CRAFTED in str(value) for value in model_to_dict(record).values())


@pytest.mark.parametrize("page", EDIT_PAGES)
def test_a_crafted_link_does_not_fill_an_edit_form(page, every_record, social_worker):
    address, record = edit_page(page, every_record)
    sarah = signed_in(social_worker)
    as_saved = fields_of(sarah.get(address))

    link = crafted_link(address, as_saved)
    opened = sarah.get(link)
    assert fields_of(opened) == as_saved

    # One Save of the page the link opened (posted to the link) writes nothing of it.
    response = sarah.post(link, page_form(opened).data())
    assert response.status_code == 302
    assert not holds_crafted(record)


@pytest.mark.parametrize("kind", RECORD_TYPES)
def test_a_crafted_link_fills_an_add_form_only_where_its_record_type_allows(
    kind, every_record, social_worker
):
    address = reverse("cases:add_record", args=[every_record.pk, kind])
    sarah = signed_in(social_worker)
    blank = fields_of(sarah.get(address))

    offered = fields_of(sarah.get(crafted_link(address, blank)))

    taken = {name for name in blank if offered.get(name) != blank[name]}
    assert taken <= set(RECORD_TYPES[kind].prefill)
    assert not any(CRAFTED in str(value) for value in offered.values())


def test_a_link_may_say_whose_police_check_to_record_but_only_of_this_household(
    every_record, social_worker, south_manager
):
    from tests.factories import FamilyMemberFactory, open_case

    mother = every_record.family_members.get(relationship="Mother")
    elsewhere = FamilyMemberFactory(case=open_case(team_manager=south_manager), name="Al Stone")
    address = reverse("cases:add_record", args=[every_record.pk, "police-check"])
    sarah = signed_in(social_worker)

    ours = page_form(sarah.get(f"{address}?member={mother.pk}"))
    theirs = page_form(sarah.get(f"{address}?member={elsewhere.pk}"))

    assert ours.data()["member"] == str(mother.pk)
    assert str(elsewhere.pk) not in theirs.choices("member")
    assert theirs.data()["member"] != str(elsewhere.pk)


# Implausible input -----------------------------------------------------------------

OLDEST = D(1905, 3, 11)  # 120 on 10 March 2026


def member(case, by, **values):
    return case_services.save_record(
        case=case,
        by=by,
        kind="household-member",
        values={"name": "Gary Holt", "relationship": "Uncle", **values},
    )


@pytest.mark.parametrize(
    "born, message",
    [
        (D(2026, 3, 11), "Date of birth must be today or in the past"),
        (D(1826, 3, 10), "Date of birth must be the same as or after 11 March 1905"),
        (
            OLDEST - datetime.timedelta(days=1),
            "Date of birth must be the same as or after 11 March 1905",
        ),
    ],
    ids=["tomorrow", "aged 200", "aged 121 today"],
)
def test_a_household_member_born_on_a_day_no_one_is_is_refused(case, social_worker, born, message):
    before = tables()

    with pytest.raises(ValidationError) as refused:
        member(case, social_worker, date_of_birth=born)

    assert refused.value.message_dict == {"date_of_birth": [message]}
    assert tables() == before


@pytest.mark.parametrize("born", [OLDEST, D(2026, 3, 10)], ids=["aged 120", "born today"])
def test_the_oldest_and_youngest_dates_of_birth_are_accepted(case, social_worker, born):
    assert member(case, social_worker, date_of_birth=born).date_of_birth == born


def test_a_household_member_aged_200_is_refused_when_changed_too(case, social_worker):
    mother = case.family_members.get(relationship="Mother")

    with pytest.raises(ValidationError) as refused:
        case_services.save_record(
            case=case,
            by=social_worker,
            kind="household-member",
            values={"date_of_birth": D(1826, 1, 1)},
            record_pk=mother.pk,
            version=mother.version,
        )

    assert "date_of_birth" in refused.value.message_dict
    mother.refresh_from_db()
    assert mother.date_of_birth != D(1826, 1, 1)


def test_a_child_born_on_a_day_no_one_is_is_refused(case, social_worker, team_manager):
    with pytest.raises(ValidationError) as refused:
        case_services.update_child(
            case=case,
            by=social_worker,
            values={"date_of_birth": D(1826, 1, 1)},
            version=case.child.version,
        )
    assert refused.value.message_dict == {
        "date_of_birth": ["Date of birth must be the same as or after 11 March 1905"]
    }
    with pytest.raises(ValidationError) as refused:
        case_services.register_child(
            by=team_manager,
            values={
                "first_name": "Ava",
                "last_name": "Hill",
                "date_of_birth": D(2027, 1, 1),
                "sex": Sex.FEMALE,
                "ethnicity": "WBRI",
                "local_identifier": "N999",
            },
        )
    assert refused.value.message_dict["date_of_birth"] == [
        "Date of birth must be today or in the past"
    ]
    assert not Child.objects.filter(first_name="Ava").exists()


def date_input(name: str, day: datetime.date) -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def shown_errors(response) -> str:
    return re.sub(r"\s+", " ", error_summary(response))


def test_the_household_page_shows_an_implausible_date_of_birth_and_saves_nothing(
    case, social_worker
):
    sarah = signed_in(social_worker)
    address = reverse("cases:add_record", args=[case.pk, "household-member"])
    before = tables()

    # 1 January 1900: a real date the date input takes, of someone aged 126.
    response = sarah.post(
        address,
        {
            "name": "Gary Holt",
            "relationship": "Uncle",
            **date_input("date_of_birth", D(1900, 1, 1)),
        },
    )

    assert response.status_code == 200
    assert "Date of birth must be the same as or after 11 March 1905" in shown_errors(response)
    assert response.context["form"].errors["date_of_birth"] == [
        "Date of birth must be the same as or after 11 March 1905"
    ]
    assert tables() == before


def test_the_childs_page_shows_an_implausible_date_of_birth_and_saves_nothing(case, social_worker):
    sarah = signed_in(social_worker)
    address = reverse("cases:edit_child", args=[case.pk])
    form = page_form(sarah.get(address)).data()
    for part in ("date_of_birth_0", "date_of_birth_1", "date_of_birth_2"):
        form.pop(part, None)
    before = tables()

    response = sarah.post(address, {**form, **date_input("date_of_birth", D(1901, 6, 1))})

    assert response.status_code == 200
    assert "Date of birth must be the same as or after 11 March 1905" in shown_errors(response)
    assert tables() == before


def version_name(data: dict) -> str:
    names = [name for name in data if name == "version" or name.endswith("-version")]
    assert len(names) == 1, names
    return names[0]


@pytest.mark.parametrize("sent", ["blank", "left out"])
@pytest.mark.parametrize("page", EDIT_PAGES)
def test_an_edit_page_sent_without_its_version_is_refused_as_stale(
    page, sent, every_record, social_worker
):
    address, record = edit_page(page, every_record)
    sarah = signed_in(social_worker)
    form = page_form(sarah.get(address))
    name, typed, _ = change_for(form, record)
    data = {**form.data(), name: typed}
    if sent == "blank":
        data[version_name(data)] = ""
    else:
        del data[version_name(data)]
    saved, versions = saved_value(record, name), history_count(record)

    response = sarah.post(address, data)

    assert response.status_code == 200
    assert STALE_RECORD_MESSAGE in error_summary(response)
    assert saved_value(record, name) == saved
    assert history_count(record) == versions


EDITS_WITHOUT_A_VERSION = {
    "a record of the case": lambda c, p: case_services.save_record(
        case=c,
        by=p.social_worker,
        kind="household-member",
        values={"name": "Dee"},
        record_pk=c.family_members.first().pk,
        version=None,
    ),
    "the child": lambda c, p: case_services.update_child(
        case=c, by=p.social_worker, values={"first_name": "Kay"}, version=None
    ),
    "the case details": lambda c, p: case_services.update_case_details(
        case=c, by=p.social_worker, values={"family_isolated": True}, version=None
    ),
    "the planning meeting": lambda c, p: planning_services.save_planning_meeting(
        case=c,
        by=p.team_manager,
        values={"considerations": "Changed"},
        invitees=[],
        meeting=PlanningMeeting.objects.get(case=c),
        version=None,
    ),
    "a risk assessment": lambda c, p: risk_services.save_draft(
        case=c,
        by=p.social_worker,
        answers={"risk_factors_evidence": "Changed"},
        factors=[],
        assessment=c.risk_assessments.get(status="draft"),
        version=None,
    ),
}


@pytest.mark.parametrize("edit", EDITS_WITHOUT_A_VERSION)
def test_an_edit_naming_no_version_is_refused_as_stale_by_the_service(edit, every_record, people):
    before = tables()

    with pytest.raises(StaleRecord):
        EDITS_WITHOUT_A_VERSION[edit](every_record, people)

    assert tables() == before
