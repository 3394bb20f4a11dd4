"""Facts about a case that the journey's rules need, gathered in a handful of
queries, and the lists of decisions waiting for people."""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from cases import policy
from cases import selectors as case_selectors
from cases.models import ReunificationCase, Role, Stage, User
from cases.models.codes import CARE_PLAN_APPROVER, CARE_PLAN_ORDER, care_plan_step_before
from cases.policy import CASE_FIELD_FOR_ROLE
from planning.selectors import planning_facts, pwp_waiting_for_director
from reviews.journey import rules
from reviews.journey.rules import CaseFacts
from reviews.models import (
    CarePlanApproval,
    CarePlanStep,
    CeasingCareRequest,
    Closure,
    ConsultationOutcome,
    MeetingOutcome,
    NotPursued,
    StageMove,
    ViabilityConsultation,
    ViabilityMeeting,
)
from risk.models import (
    ANSWERS_CHANGED,
    AssessmentStatus,
    ChildViews,
    RiskAssessment,
    SingleAssessment,
)
from risk.selectors import latest_signed_off, latest_signed_off_level_subquery
from risk.tool import Level, RiskLevel

# The signed-off levels at which a return may be confirmed, and those that stop it.
RETURN_LEVELS = (Level.LOW, Level.MEDIUM)
HIGH_LEVELS = (Level.HIGH, Level.SEVERE)


def _stored(levels) -> list[str]:
    """The levels as the assessment stores them, for filtering in SQL."""
    return [RiskLevel[level.name] for level in levels]


def case_facts(case: ReunificationCase, today: datetime.date) -> CaseFacts:
    try:
        views = case.child_views
    except ChildViews.DoesNotExist:
        views = None
    try:
        single = case.single_assessment
    except SingleAssessment.DoesNotExist:
        single = None
    parents = case.family_members.filter(has_parental_responsibility=True)
    parent_offers = dict(case.parent_views.values_list("parent_id", "advocate"))
    with_views = set(parent_offers)
    outstanding = [
        row.member.name for row in case_selectors.household(case, today) if row.check_outstanding
    ]
    latest = latest_signed_off(case)
    in_confirmation = case.stage == Stage.CONFIRMATION
    since_confirmation = (
        latest_signed_off(case, since=case.stage_entered_on) if in_confirmation else None
    )
    meeting = (
        case.viability_meetings.filter(held_on__gte=case.stage_entered_on).last()
        if in_confirmation
        else None
    )
    return CaseFacts(
        stage=case.stage,
        first_considered_recorded=case.reunification_first_considered_on is not None,
        care_plan_steps=frozenset(case.care_plan_approvals.values_list("step", flat=True)),
        child_views_recorded=views is not None,
        # To the child and to each parent whose views are recorded (a parent
        # without views is the parent_views requirement's to show).
        advocate_offer_recorded=bool(views and views.advocate) and all(parent_offers.values()),
        parents_known=parents.exists(),
        parents_without_views=tuple(p.name for p in parents if p.pk not in with_views),
        single_assessment_missing=tuple(single.incomplete_sections())
        if single
        else ("every section",),
        police_checks_outstanding=tuple(outstanding),
        signed_off_level=latest.level if latest else None,
        viability_consultation_suited=case.viability_consultations.filter(
            outcome=ConsultationOutcome.POTENTIALLY_SUITED
        ).exists(),
        planning=planning_facts(case),
        on_care_order=case_selectors.is_on_care_order(case.child, today),
        signed_off_since_confirmation=since_confirmation.level if since_confirmation else None,
        return_date_confirmed=bool(
            meeting and meeting.outcome == MeetingOutcome.RETURN_DATE_CONFIRMED
        ),
    )


def journey_record(case: ReunificationCase) -> dict:
    """Every decision and move on the case, for the journey page."""
    return {
        "approvals": case.care_plan_approvals.select_related("decided_by"),
        "consultations": case.viability_consultations.select_related(
            "decided_by", "social_worker", "team_manager", "head_of_service", "iro"
        ),
        "not_pursued": case.not_pursued_decisions.select_related("decided_by"),
        "meetings": case.viability_meetings.select_related("decided_by", "risk_assessment"),
        "disputes": case.disputes.select_related("raised_by", "resolved_by"),
        "moves": case.stage_moves.select_related("moved_by"),
    }


def latest_not_pursued(case: ReunificationCase) -> NotPursued | None:
    return case.not_pursued_decisions.order_by("-decided_on", "-pk").first()


def may_reopen(case: ReunificationCase) -> bool:
    """Whether a risk assessment signed off since reunification was not pursued
    allows the case back to assessment (reviews.journey.rules.may_reopen_assessment)."""
    decision = latest_not_pursued(case)
    if case.stage != Stage.NOT_PURSUED or decision is None:
        return False
    latest = latest_signed_off(case)
    return rules.may_reopen_assessment(
        decision.decided_on,
        latest.level if latest else None,
        latest.assessed_on if latest else None,
    )


@dataclass(frozen=True)
class Waiting:
    case: ReunificationCase
    what: str
    since: datetime.date
    url: str


def decisions_waiting(user: User) -> list[Waiting]:
    """What waits for this person's decision or approval, oldest first. Each
    candidate is one the person may open (policy.visible_cases) and whose decision
    policy says is theirs, so the list names no case they could not act on."""
    items: list[Waiting] = []
    cases = policy.visible_cases(user).select_related("child", "team")

    def add(queryset, what, url_name, *args, since=None, allowed=None):
        for case in queryset:
            if allowed is None or allowed(case):
                on = getattr(case, "previous_step_on", None) if since else None
                url = reverse(url_name, args=[case.pk, *args])
                items.append(Waiting(case, what, on or case.stage_entered_on, url))

    approved = CarePlanApproval.objects.filter(case=OuterRef("pk"))
    ident = cases.filter(stage=Stage.IDENTIFICATION)
    for step in CARE_PLAN_ORDER:
        role = CARE_PLAN_APPROVER[step]
        if not user.has_role(role):
            continue
        before = care_plan_step_before(step)
        waiting = ident.filter(**{CASE_FIELD_FOR_ROLE[role]: user.pk}).exclude(
            Exists(approved.filter(step=step))
        )
        if before:
            waiting = waiting.filter(Exists(approved.filter(step=before))).annotate(
                previous_step_on=Subquery(approved.filter(step=before).values("approved_on")[:1])
            )
        add(
            waiting,
            WAITING_APPROVAL[step],
            "reviews:approve",
            step,
            since=bool(before),
            allowed=lambda case, step=step: policy.may_approve_care_plan(user, case, step),
        )
    if user.has_role(Role.TEAM_MANAGER) and user.team_id:
        _team_decisions(user, cases.filter(team_id=user.team_id), items, add)
    if user.has_role(Role.SERVICE_DIRECTOR):
        add(
            cases.filter(stage=Stage.SUPPORT_PLANNING)
            .filter(case_selectors.on_care_order_rule())
            .filter(pwp_waiting_for_director()),
            "Approve placement with parents (care order)",
            "planning:pwp_approve",
            allowed=lambda case: policy.may_approve_placement_with_parents(user, case),
        )
        asked = CeasingCareRequest.objects.filter(
            case__in=cases.values("pk"), decided_at__isnull=True
        ).select_related("case__child", "case__team")
        for request in asked:
            if policy.may_approve_ceasing_care(user, request.case):
                items.append(
                    Waiting(
                        request.case,
                        "Approve ceasing to look after (regulation 39)",
                        timezone.localdate(request.requested_at),
                        reverse("reviews:ceasing_care_decision", args=[request.case_id]),
                    )
                )
    items.sort(key=lambda item: (item.since, item.case.stage_entered_on, item.case.pk))
    return items


WAITING_APPROVAL = {
    CarePlanStep.CONFIRMED: "Confirm the reunification care plan",
    CarePlanStep.AGREED: "Agree the reunification care plan",
    CarePlanStep.RATIFIED: "Ratify the care plan at a Child in Care review",
}


def _team_decisions(user: User, team, items: list[Waiting], add) -> None:
    """A team manager's sign-offs and viability decisions on her team's cases."""
    # policy.may_sign_off_assessment's four-eyes rule in SQL (it reads each
    # assessment's history, a query apiece): not written, submitted or edited by her.
    edited = RiskAssessment.history.filter(
        id=OuterRef("pk"), history_user=user, history_change_reason=ANSWERS_CHANGED
    )
    awaiting = (
        RiskAssessment.objects.filter(case__in=team.values("pk"), status=AssessmentStatus.SUBMITTED)
        .exclude(author=user)
        .exclude(submitted_by=user)
        .exclude(Exists(edited))
        .select_related("case__child", "case__team")
    )
    for assessment in awaiting:
        if policy.may_record_viability_decision(user, assessment.case):
            items.append(
                Waiting(
                    assessment.case,
                    "Sign off the risk assessment",
                    timezone.localdate(assessment.submitted_at),
                    reverse("risk:detail", args=[assessment.case_id, assessment.pk]),
                )
            )

    def decides(case):
        return policy.may_record_viability_decision(user, case)

    at_assessment = team.filter(stage=Stage.ASSESSMENT).annotate(
        level=latest_signed_off_level_subquery()
    )
    suited = ViabilityConsultation.objects.filter(
        case=OuterRef("pk"), outcome=ConsultationOutcome.POTENTIALLY_SUITED
    )
    add(
        at_assessment.filter(level__in=_stored(RETURN_LEVELS)).exclude(Exists(suited)),
        "Hold the Reunification Viability Consultation",
        "reviews:consultation",
        allowed=decides,
    )
    add(
        at_assessment.filter(level__in=_stored(HIGH_LEVELS)),
        "Record that reunification is not pursued (High or Severe risk)",
        "reviews:not_pursued",
        allowed=decides,
    )
    decided = ViabilityMeeting.objects.filter(
        case=OuterRef("pk"),
        held_on__gte=OuterRef("stage_entered_on"),
        outcome__in=[MeetingOutcome.RETURN_DATE_CONFIRMED, MeetingOutcome.NOT_PURSUED],
    )
    add(
        team.filter(stage=Stage.CONFIRMATION).exclude(Exists(decided)),
        "Hold the Reunification Viability Meeting",
        "reviews:meeting",
        allowed=decides,
    )
    add(
        team.filter(stage=Stage.NOT_PURSUED),
        "Reconsider reunification: a later risk level allows it",
        "reviews:reopen_assessment",
        allowed=lambda case: decides(case) and may_reopen(case),
    )


# Derived state and the records it comes from -------------------------------------


def stage_mismatches() -> QuerySet[ReunificationCase]:
    """Cases whose stage is not the latest StageMove's to_stage (a case with no
    move is at identification): should always be empty."""
    latest = StageMove.objects.filter(case=OuterRef("pk")).order_by("-moved_at", "-pk")
    moved_to = Coalesce(Subquery(latest.values("to_stage")[:1]), Value(Stage.IDENTIFICATION))
    return ReunificationCase.objects.annotate(moved_to=moved_to).exclude(stage=F("moved_to"))


def closure_mismatches() -> QuerySet[ReunificationCase]:
    """Cases whose closed_on is not their Closure record's date (or that have one
    without the other): should always be empty."""
    closure = Closure.objects.filter(case=OuterRef("pk"))
    return ReunificationCase.objects.annotate(
        closure_on=Subquery(closure.values("closed_on")[:1]), has_closure=Exists(closure)
    ).filter(
        Q(closed_on__isnull=False, has_closure=False)
        | Q(closed_on__isnull=True, has_closure=True)
        | (Q(closed_on__isnull=False, has_closure=True) & ~Q(closed_on=F("closure_on")))
    )
