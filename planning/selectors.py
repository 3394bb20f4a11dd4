"""Reads for the support and planning records: what the planning page shows, and
the plain facts the stage guard weighs."""

from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from cases.models import LegalStatus, ReunificationCase
from cases.selectors import current_legal_status

from .models import (
    AgreementGoal,
    ContingencyPlan,
    DirectWorkKind,
    DirectWorkSession,
    FamilyTimeStep,
    InviteeKind,
    PlacementWithParentsApproval,
    PlanningMeeting,
    SupportPlan,
    SupportService,
    WrittenAgreement,
)


def pwp_needed(status: LegalStatus | None) -> bool:
    """Placement with Parents approval is for a child on an interim or full care
    order, not under section 20: cases.selectors.is_on_care_order, asked of the
    current legal status a page has already read (current_legal_status)."""
    return status is not None and status.is_care_order


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
        "pwp_approved": _exists(PlacementWithParentsApproval.objects.all()),
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
    }
    # Prefixed, because some names are also the case's related names.
    row = (
        ReunificationCase.objects.filter(pk=case.pk)
        .values(**{f"fact_{name}": expression for name, expression in facts.items()})
        .get()
    )
    return {name: row[f"fact_{name}"] for name in facts}


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
    return PlanningRecords(
        meetings=meetings,
        agreements=list(agreements),
        family_time_steps=list(case.family_time_steps.all()),
        pwp_approvals=list(case.pwp_approvals.select_related("approved_by")),
        contingency_plans=list(case.contingency_plans.all()),
        support_services=list(case.support_services.all()),
        support_plan=SupportPlan.objects.filter(case=case).first(),
        direct_work_sessions=list(case.direct_work_sessions.all()),
        current_legal_status=current_legal_status(case.child),
    )
