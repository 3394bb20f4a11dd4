"""Reads for the support and planning records: what the planning page shows, and
the plain facts the stage guard weighs."""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Coalesce

from cases.models import LegalStatus, PlacementType, ReunificationCase
from cases.selectors import current_legal_status, current_placement, household
from risk.selectors import latest_signed_off

from .models import (
    AgreementGoal,
    ContingencyPlan,
    DirectWorkKind,
    DirectWorkSession,
    FamilyTimeStep,
    InviteeKind,
    NotAppropriate,
    PlacementPlan,
    PlacementWithParentsApproval,
    PlanningMeeting,
    PlanStep,
    PwPOutcome,
    SupportPlan,
    SupportService,
    WrittenAgreement,
)


def pwp_needed(status: LegalStatus | None) -> bool:
    """Placement with Parents approval is for a child on an interim or full care
    order, not under section 20: cases.selectors.is_on_care_order, asked of the
    current legal status a page has already read (current_legal_status)."""
    return status is not None and status.is_care_order


# The Placement with Parents decision that counts is the director's latest on the
# placement plan as it stands now: a decision on an earlier version of the plan
# (or on no plan) is history, and a plan changed since asks her again.


def current_pwp_decision(case: ReunificationCase) -> PlacementWithParentsApproval | None:
    """The latest decision on the case's placement plan at its current version."""
    plan = PlacementPlan.objects.filter(case=case).first()
    if plan is None:
        return None
    return (
        case.pwp_approvals.filter(placement_plan=plan, plan_version=plan.version)
        .select_related("decided_by")
        .first()
    )


def _decision_on(plan: PlacementPlan | None, decisions: list):
    """current_pwp_decision from the case's decisions already read, latest first."""
    if plan is None:
        return None
    on_plan = (d for d in decisions if d.placement_plan_id == plan.pk)
    return next((d for d in on_plan if d.plan_version == plan.version), None)


def pwp_approved(case: ReunificationCase) -> bool:
    """The service director has approved the placement plan as it stands now."""
    decision = current_pwp_decision(case)
    return decision is not None and decision.outcome == PwPOutcome.APPROVED


def _current_decisions(case_ref: str = "pk") -> QuerySet:
    """`current_pwp_decision` in SQL, latest first, for the case at `case_ref`."""
    return PlacementWithParentsApproval.objects.filter(
        case=OuterRef(case_ref),
        placement_plan__isnull=False,
        plan_version=OuterRef("placement_plan__version"),
    ).order_by("-decided_on", "-pk")


def pwp_waiting_for_director() -> Q:
    """Cases (as a filter on cases) with a placement plan the director has not
    decided on as it stands: never decided, or changed since she refused it or
    sent it back (or approved it)."""
    return Q(Exists(PlacementPlan.objects.filter(case=OuterRef("pk")))) & ~Q(
        Exists(_current_decisions())
    )


def not_appropriate(case: ReunificationCase) -> list[NotAppropriate]:
    """The parts of the plan recorded as not appropriate for the child, with why."""
    return list(case.not_appropriate.select_related("recorded_by"))


def _exists(queryset: QuerySet) -> Exists:
    return Exists(queryset.filter(case=OuterRef("pk")))


def _count(model) -> Coalesce:
    counted = (
        model.objects.filter(case=OuterRef("pk"))
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def planning_facts(case: ReunificationCase) -> dict:
    """What is recorded for the support and planning stage, as plain values, in
    one query."""
    facts = {
        "planning_meeting_held": _exists(PlanningMeeting.objects.all()),
        "written_agreement_agreed": _exists(
            WrittenAgreement.objects.filter(
                parents_agreed=True, pk__in=AgreementGoal.objects.values("agreement")
            )
        ),
        "overnight_family_time": _exists(FamilyTimeStep.objects.filter(overnight=True)),
        "family_time_steps": _count(FamilyTimeStep),
        "placement_plan": _exists(PlacementPlan.objects.all()),
        "pwp_outcome": _text(_current_decisions().values("outcome")[:1]),
        "pwp_reason": _text(_current_decisions().values("reason")[:1]),
        "contingency_plan": _exists(ContingencyPlan.objects.all()),
        "support_recorded": _exists(
            SupportPlan.objects.filter(Q(fgc_held=True) | ~Q(fgc_not_held_reason="")).exclude(
                siblings_considered=""
            )
        ),
        "services": _count(SupportService),
        "restorative_meeting": _exists(
            DirectWorkSession.objects.filter(kind=DirectWorkKind.RESTORATIVE_MEETING)
        ),
        "restorative_meeting_not_appropriate": _reason_not_appropriate(
            PlanStep.RESTORATIVE_MEETING
        ),
        "overnight_stays_not_appropriate": _reason_not_appropriate(PlanStep.OVERNIGHT_STAYS),
    }
    # Prefixed, because some names are also the case's related names.
    row = (
        ReunificationCase.objects.filter(pk=case.pk)
        .values(**{f"fact_{name}": expression for name, expression in facts.items()})
        .get()
    )
    values = {name: row[f"fact_{name}"] for name in facts}
    values["pwp_approved"] = values["pwp_outcome"] == PwPOutcome.APPROVED
    return values


def _reason_not_appropriate(step: str) -> Coalesce:
    reasons = NotAppropriate.objects.filter(case=OuterRef("pk"), step=step).values("reason")
    return _text(reasons[:1])


def _text(queryset: QuerySet) -> Coalesce:
    """The one text value `queryset` selects, or "" when it selects none."""
    return Coalesce(Subquery(queryset), Value(""), output_field=TextField())


@dataclass(frozen=True)
class InviteeRow:
    label: str
    name: str
    invited: bool
    attended: bool


def invitee_rows(meeting: PlanningMeeting) -> list[InviteeRow]:
    """Every kind of invitee the guidance lists, in its order, with what was recorded
    (uses the prefetched invitees)."""
    recorded = {invitee.kind: invitee for invitee in meeting.invitees.all()}
    rows = []
    for kind in InviteeKind:
        invitee = recorded.get(kind.value)
        rows.append(
            InviteeRow(
                label=kind.label,
                name=invitee.name if invitee else "",
                invited=bool(invitee and invitee.invited),
                attended=bool(invitee and invitee.attended),
            )
        )
    return rows


@dataclass
class PlanningRecords:
    meetings: list
    agreements: list
    family_time_steps: list
    pwp_approvals: list
    placement_plan: PlacementPlan | None
    current_pwp_decision: PlacementWithParentsApproval | None
    not_appropriate: dict
    contingency_plans: list
    support_services: list
    support_plan: SupportPlan | None
    direct_work_sessions: list
    current_legal_status: LegalStatus | None


def planning_records(case: ReunificationCase) -> PlanningRecords:
    """Everything the planning page shows, in a fixed number of queries however
    many records there are."""
    meetings = list(case.planning_meetings.select_related("led_by").prefetch_related("invitees"))
    for meeting in meetings:
        meeting.invitee_rows = invitee_rows(meeting)
    goals = AgreementGoal.objects.prefetch_related("reviews")
    agreements = case.written_agreements.prefetch_related(Prefetch("goals", queryset=goals))
    plan = PlacementPlan.objects.filter(case=case).first()
    decisions = list(case.pwp_approvals.select_related("decided_by"))
    return PlanningRecords(
        meetings=meetings,
        agreements=list(agreements),
        family_time_steps=list(case.family_time_steps.all()),
        pwp_approvals=decisions,
        placement_plan=plan,
        current_pwp_decision=_decision_on(plan, decisions),
        not_appropriate={record.step: record for record in not_appropriate(case)},
        contingency_plans=list(case.contingency_plans.all()),
        support_services=list(case.support_services.all()),
        support_plan=SupportPlan.objects.filter(case=case).first(),
        direct_work_sessions=list(case.direct_work_sessions.all()),
        current_legal_status=current_legal_status(case.child),
    )


@dataclass
class PwPEvidence:
    """What the service director decides a placement with parents on."""

    current_legal_status: LegalStatus | None
    needed: bool
    adults: list  # cases.selectors.HouseholdRow: each adult checked, with the latest check
    checks_outstanding: list[str]
    latest_signed_off: object | None  # risk.models.RiskAssessment
    placement_plan: PlacementPlan | None
    current_decision: PlacementWithParentsApproval | None
    decisions: list


def pwp_evidence(case: ReunificationCase, today: datetime.date) -> PwPEvidence:
    """The household's adults and everyone else checked (those the police check
    rule asks for: aged 16 or over in or around the household) with their latest
    police check, the latest signed-off risk level, the placement plan, and the
    decisions made so far."""
    status = current_legal_status(case.child)
    rows = [row for row in household(case, today) if row.needs_check]
    plan = PlacementPlan.objects.filter(case=case).first()
    return PwPEvidence(
        current_legal_status=status,
        needed=pwp_needed(status),
        adults=rows,
        checks_outstanding=[row.member.name for row in rows if row.check_outstanding],
        latest_signed_off=latest_signed_off(case),
        placement_plan=plan,
        current_decision=current_pwp_decision(case),
        decisions=list(case.pwp_approvals.select_related("decided_by")),
    )


def with_goal_progress(deadlines) -> list:
    """The deadlines, each written-agreement goal's review given `progress`: the
    goal's latest review (None before the first), in one query for them all."""
    from reviews.models import DeadlineKind

    rows = list(deadlines)
    wanted = {}
    for row in rows:
        row.progress = None
        if row.kind == DeadlineKind.GOAL_REVIEW and row.key.startswith("goal-"):
            wanted.setdefault(int(row.key.removeprefix("goal-")), []).append(row)
    if wanted:
        from .models import GoalReview

        seen = set()
        for review in GoalReview.objects.filter(goal_id__in=wanted).order_by(
            "goal_id", "-reviewed_on", "-pk"
        ):
            if review.goal_id not in seen:
                seen.add(review.goal_id)
                for row in wanted[review.goal_id]:
                    row.progress = review
    return rows


def known_invitees(case: ReunificationCase, day: datetime.date) -> dict[str, str]:
    """The names the case already knows for the planning meeting's invitees, by
    kind (planning.models.InviteeKind): the child, the parents (those with
    parental responsibility), the carer of the current placement (`current_placement`), the
    IRO and the social worker."""
    names = {"child": case.child.full_name}
    parents = case.family_members.filter(has_parental_responsibility=True).order_by("pk")
    if parents:
        names["parent"] = " and ".join(parent.name for parent in parents)
    placement = current_placement(case, day)
    if placement and placement.carer:
        kind = (
            "family_friends_carer"
            if placement.placement_type in PlacementType.with_family_or_friends()
            else "foster_carer_or_key_worker"
        )
        names[kind] = placement.carer
    if case.iro_id:
        names["iro"] = case.iro.get_full_name()
    if case.social_worker_id:
        names["social_worker"] = case.social_worker.get_full_name()
    return names
