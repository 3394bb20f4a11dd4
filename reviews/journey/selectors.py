"""Facts about a case that the journey's rules need, gathered in a handful of
queries, and the lists of decisions waiting for people."""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from cases import selectors as case_selectors
from cases.models import LegalStatusCode, ReunificationCase, Role, Stage, User
from planning.models import PlacementWithParentsApproval
from planning.selectors import planning_facts
from reviews.journey.rules import CaseFacts
from reviews.models import (
    CarePlanApproval,
    CarePlanStep,
    ConsultationOutcome,
    MeetingOutcome,
    ViabilityConsultation,
    ViabilityMeeting,
)
from risk.models import AssessmentStatus, ChildViews, RiskAssessment, SingleAssessment
from risk.selectors import latest_signed_off, latest_signed_off_level_subquery


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
    with_views = set(case.parent_views.values_list("parent_id", flat=True))
    outstanding = [
        row.member.name for row in case_selectors.household(case, today) if row.check_outstanding
    ]
    latest = latest_signed_off(case)
    status = case_selectors.current_legal_status(case.child, today)
    in_confirmation = case.stage == "confirmation"
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
        advocate_offer_recorded=bool(views and views.advocate),
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
        on_care_order=bool(
            status and status.end_date is None and status.code in LegalStatusCode.care_orders()
        ),
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


@dataclass(frozen=True)
class Waiting:
    case: ReunificationCase
    what: str
    since: datetime.date
    url: str


def decisions_waiting(user: User) -> list[Waiting]:
    """What waits for this person's decision or approval, oldest first."""
    items: list[Waiting] = []
    cases = ReunificationCase.objects.select_related("child")
    ident = cases.filter(stage=Stage.IDENTIFICATION)

    def add(queryset, what, url_name, since=lambda c: c.stage_entered_on, *args):
        for case in queryset:
            items.append(Waiting(case, what, since(case), reverse(url_name, args=[case.pk, *args])))

    approved = CarePlanApproval.objects.filter(case=OuterRef("pk"))
    if user.has_role(Role.TEAM_MANAGER):
        add(
            ident.filter(team_manager=user).exclude(
                Exists(approved.filter(step=CarePlanStep.CONFIRMED))
            ),
            "Confirm the reunification care plan",
            "reviews:approve",
            lambda c: c.stage_entered_on,
            "confirmed",
        )

    def approved_on(step):
        return Subquery(approved.filter(step=step).values("approved_on")[:1])

    if user.has_role(Role.HEAD_OF_SERVICE):
        add(
            ident.filter(head_of_service=user)
            .filter(Exists(approved.filter(step=CarePlanStep.CONFIRMED)))
            .exclude(Exists(approved.filter(step=CarePlanStep.AGREED)))
            .annotate(previous_step_on=approved_on(CarePlanStep.CONFIRMED)),
            "Agree the reunification care plan",
            "reviews:approve",
            lambda c: c.previous_step_on,
            "agreed",
        )
    if user.has_role(Role.IRO):
        add(
            ident.filter(iro=user)
            .filter(Exists(approved.filter(step=CarePlanStep.AGREED)))
            .exclude(Exists(approved.filter(step=CarePlanStep.RATIFIED)))
            .annotate(previous_step_on=approved_on(CarePlanStep.AGREED)),
            "Ratify the care plan at a Child in Care review",
            "reviews:approve",
            lambda c: c.previous_step_on,
            "ratified",
        )
    if user.has_role(Role.TEAM_MANAGER) and user.team_id:
        team = cases.filter(team_id=user.team_id)
        for assessment in (
            RiskAssessment.objects.filter(
                case__team_id=user.team_id, status=AssessmentStatus.SUBMITTED
            )
            .exclude(author=user)
            .exclude(submitted_by=user)
            .select_related("case__child")
        ):
            items.append(
                Waiting(
                    assessment.case,
                    "Sign off the risk assessment",
                    timezone.localdate(assessment.submitted_at),
                    reverse("risk:detail", args=[assessment.case_id, assessment.pk]),
                )
            )
        at_assessment = team.filter(stage=Stage.ASSESSMENT).annotate(
            level=latest_signed_off_level_subquery()
        )
        suited = ViabilityConsultation.objects.filter(
            case=OuterRef("pk"), outcome=ConsultationOutcome.POTENTIALLY_SUITED
        )
        add(
            at_assessment.filter(level__in=["low", "medium"]).exclude(Exists(suited)),
            "Hold the Reunification Viability Consultation",
            "reviews:consultation",
        )
        add(
            at_assessment.filter(level__in=["high", "severe"]),
            "Record that reunification is not pursued (High or Severe risk)",
            "reviews:not_pursued",
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
        )
    if user.has_role(Role.SERVICE_DIRECTOR):
        on_care_order = case_selectors.on_care_order_rule()
        add(
            cases.filter(stage=Stage.SUPPORT_PLANNING)
            .filter(on_care_order)
            .exclude(Exists(PlacementWithParentsApproval.objects.filter(case=OuterRef("pk")))),
            "Approve placement with parents (care order)",
            "planning:pwp_approve",
        )
    items.sort(key=lambda item: (item.since, item.case.stage_entered_on, item.case.pk))
    return items
