"""The evidence in front of the people deciding: at the viability consultation,
the move to confirmation, the viability meeting and the return home, the factors
research links to returns breaking down that apply to this child, the factors
that go with success, and the parental issues still unresolved, each with where
it is recorded. One selector for all four forms; the risk pages' own breakdown
factors (risk.selectors.breakdown_factors) are its first part."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.models import ChronologyKind, ReunificationCase, TreatmentUptake
from cases.selectors import current_legal_status
from planning.family_time import Progression, steps_of
from planning.family_time import progression as family_time_progression
from planning.matching import IssueMatch, issue_matches
from risk.selectors import BreakdownFactor, breakdown_factors, latest_signed_off
from risk.tool import CapacityForChange

# The field each decision form and record keeps the acknowledgement in.
PLAN_FIELD = "unresolved_issues_plan"


@dataclass
class DecisionEvidence:
    breakdown: list[BreakdownFactor]
    success: list[BreakdownFactor]
    issues: list[IssueMatch]
    # Each written-agreement goal with its latest review (None before the first).
    goals: list = field(default_factory=list)
    # Family time as a progression (planning.family_time): the steps, each with
    # how it compares with the one before, and whether it increased as planned.
    family_time: list = field(default_factory=list)
    family_time_progression: Progression | None = None

    @property
    def unresolved(self) -> list[IssueMatch]:
        return [match for match in self.issues if match.unresolved]

    @property
    def breakdown_present(self) -> list[BreakdownFactor]:
        return [factor for factor in self.breakdown if factor.present]

    @property
    def success_present(self) -> list[BreakdownFactor]:
        return [factor for factor in self.success if factor.present]

    def unresolved_summary(self) -> str:
        """The unresolved issues in words, as the decision record keeps them."""
        return "; ".join(match.summary() for match in self.unresolved)


def decision_evidence(case: ReunificationCase, day: datetime.date) -> DecisionEvidence:
    """What the record shows on `day`, for a decision about the return home."""
    assessment = latest_signed_off(case)
    matches = issue_matches(case, day)
    planning = reverse("planning:overview", args=[case.pk])
    overview = reverse("cases:overview", args=[case.pk])
    agreements = list(case.written_agreements.prefetch_related("goals__reviews"))
    contingency = list(case.contingency_plans.all())
    services = list(case.support_services.all())

    breakdown = breakdown_factors(case, assessment, day)
    breakdown.append(_section_20_planning(case, day, agreements, contingency, planning))
    breakdown.append(_services_missing_or_ended(matches, services, day, planning))

    taken_up = [
        m
        for m in matches
        if m.services and m.issue.treatment in (TreatmentUptake.ENGAGING, TreatmentUptake.COMPLETED)
    ]
    household = list(case.family_members.all())
    # Who joined the household record after the case opened, and who with parental
    # responsibility lives elsewhere: what the record says; the meeting judges it.
    joined = [m for m in household if m.lives_in_household and m.recorded_on > case.opened_on]
    left = [m for m in household if m.has_parental_responsibility and not m.lives_in_household]
    changed = joined + left
    informal = [
        m
        for m in household
        if not m.lives_in_household and (m.extended_family or m.regular_visitor)
    ]
    carers = [plan for plan in contingency if plan.carers_roles.strip()]
    conditions = [a for a in agreements if a.parents_agreed and a.consequences_explained.strip()]
    met = [
        review
        for agreement in agreements
        for goal in agreement.goals.all()
        for review in goal.reviews.all()[:1]
        if review.outcome == "met"
    ]
    sustained = case.chronology.filter(kind=ChronologyKind.SUSTAINED_CHANGE).count()
    able = assessment is not None and assessment.capacity_for_change == CapacityForChange.ABLE
    change_detail = []
    if able:
        change_detail.append(
            f"The risk assessment of {assessment.assessed_on:%-d %B %Y} finds the parents able "
            "to demonstrate capacity for change."
        )
    if met:
        change_detail.append(f"{len(met)} written-agreement goal(s) met at their latest review.")
    if sustained:
        change_detail.append(f"{sustained} period(s) of sustained change in the chronology.")

    success = [
        BreakdownFactor(
            "Changed household",
            bool(changed),
            "; ".join(
                [f"{m.name} joined the household since the case opened" for m in joined]
                + [f"{m.name} ({m.relationship}) lives outside the household" for m in left]
            )
            or "No change recorded.",
            f"{overview}#household",
        ),
        BreakdownFactor(
            "Specialist services taken up",
            bool(taken_up),
            "; ".join(
                f"{m.issue.get_kind_display()}: {', '.join(s.provider for s in m.services)}"
                for m in taken_up
            )
            or "None recorded as taken up.",
            f"{planning}#services",
        ),
        BreakdownFactor(
            "Carers supporting the return",
            bool(carers),
            carers[0].carers_roles if carers else "No carers' roles recorded.",
            f"{planning}#contingency",
        ),
        BreakdownFactor(
            "Informal support from family and friends",
            bool(informal),
            ", ".join(f"{m.name} ({m.relationship})" for m in informal) or "None recorded.",
            f"{overview}#household",
        ),
        BreakdownFactor(
            "Conditions set before the return",
            bool(conditions),
            f"Written agreement of {conditions[0].agreed_on:%-d %B %Y}, agreed by the parents, "
            "with the consequences explained."
            if conditions
            else "No written agreement agreed by the parents.",
            f"{planning}#agreements",
        ),
        BreakdownFactor(
            "Evidence of parental change",
            bool(change_detail),
            " ".join(change_detail) or "None recorded.",
            f"{overview}#chronology",
        ),
    ]
    goals = [
        (goal, next(iter(goal.reviews.all()), None))
        for agreement in agreements
        for goal in agreement.goals.all()
    ]
    steps = list(case.family_time_steps.all())
    progression = family_time_progression(steps_of(steps), day)
    return DecisionEvidence(
        breakdown=breakdown,
        success=success,
        issues=matches,
        goals=goals,
        family_time=list(zip(steps, progression.changes, strict=True)),
        family_time_progression=progression if steps else None,
    )


def _section_20_planning(case, day, agreements, contingency, planning) -> BreakdownFactor:
    """Section 20 with weak planning: accommodated by agreement, and the planning
    records that hold a return together not all in place."""
    status = current_legal_status(case.child, day)
    section_20 = status is not None and status.is_section_20
    missing = []
    if not case.planning_meetings.exists():
        missing.append("no planning meeting")
    if not agreements:
        missing.append("no written agreement")
    if not contingency:
        missing.append("no contingency plan")
    if not section_20:
        detail = "Not accommodated under section 20."
    elif missing:
        detail = f"Accommodated under section 20, with {', '.join(missing)}."
    else:
        detail = "Accommodated under section 20; the planning records are in place."
    return BreakdownFactor(
        "Section 20 with weak planning",
        section_20 and bool(missing),
        detail,
        planning,
        absent="Not recorded" if section_20 else "Does not apply",
    )


def _services_missing_or_ended(matches, services, day, planning) -> BreakdownFactor:
    gaps = [m for m in matches if m.gap]
    running = {s.kind for s in services if s.ends_on is None or s.ends_on >= day}
    ended = [s for s in services if s.ends_on and s.ends_on < day and s.kind not in running]
    detail = [f"No {m.service_kind_label} for {m.issue.get_kind_display().lower()}" for m in gaps]
    detail += [f"{s} ended {s.ends_on:%-d %B %Y}" for s in ended]
    return BreakdownFactor(
        "Services missing or ended",
        bool(detail),
        "; ".join(detail) + "." if detail else "None missing or ended.",
        f"{planning}#services",
        # Worked out from the issues and services recorded: none missing settles it.
        absent="Does not apply",
    )


def require_acknowledged(evidence: DecisionEvidence, plan: str) -> None:
    """An unresolved parental issue is acknowledged, with what will be done about
    it, before a decision about the return is recorded."""
    if evidence.unresolved and not (plan or "").strip():
        raise ValidationError(
            {
                PLAN_FIELD: "Say what will be done about the unresolved parental issues: "
                + evidence.unresolved_summary()
            }
        )


def acknowledgement(evidence: DecisionEvidence, plan: str) -> dict:
    """The values the decision record keeps (empty when nothing is unresolved)."""
    if not evidence.unresolved:
        return {"unresolved_issues": "", PLAN_FIELD: ""}
    return {"unresolved_issues": evidence.unresolved_summary(), PLAN_FIELD: plan.strip()}


def acknowledgement_words(values: dict) -> str:
    """The acknowledgement as the chronology entry says it."""
    if not values.get("unresolved_issues"):
        return ""
    return (
        f" Unresolved parental issues acknowledged: {values['unresolved_issues']}. "
        f"What will be done: {values[PLAN_FIELD]}"
    )
