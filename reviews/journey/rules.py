"""What each stage of the journey needs before the case can move on, as plain
Python over plain facts about a case (gathered by `selectors.case_facts`).

Each requirement says what it is, whether it is done, and who acts next, so the
same list drives the stage guard (which refuses a move and names what is missing)
and the task list a social worker sees on the case.
"""

import datetime
from dataclasses import dataclass, field

from cases.dates import add_months
from cases.models import Role, Stage
from cases.models.codes import CarePlanStep
from planning.models import PwPOutcome
from risk.tool import Level


@dataclass(frozen=True)
class Requirement:
    key: str
    text: str
    done: bool
    who: str  # the role that acts next
    detail: str = ""

    @property
    def who_label(self) -> str:
        """Who acts next, as the task list names them ("social worker", "IRO")."""
        return WHO_LABELS.get(self.who, Role(self.who).label.lower())


@dataclass(frozen=True)
class CaseFacts:
    stage: str
    # Stage 1
    first_considered_recorded: bool = False
    care_plan_steps: frozenset[str] = frozenset()
    # Stage 2
    child_views_recorded: bool = False
    advocate_offer_recorded: bool = False
    parents_without_views: tuple[str, ...] = ()
    parents_known: bool = False
    single_assessment_missing: tuple[str, ...] = ("every section",)
    police_checks_outstanding: tuple[str, ...] = ()
    signed_off_level: Level | None = None
    viability_consultation_suited: bool = False
    # Stage 3
    planning: dict = field(default_factory=dict)
    on_care_order: bool = False
    # Stage 4
    signed_off_since_confirmation: Level | None = None
    return_date_confirmed: bool = False


SW, TM, HOS, IRO, SD = (
    Role.SOCIAL_WORKER,
    Role.TEAM_MANAGER,
    Role.HEAD_OF_SERVICE,
    Role.IRO,
    Role.SERVICE_DIRECTOR,
)
# The task list names the IRO by the short name people use; the rest by role.
WHO_LABELS = {IRO: "IRO"}


def _names(names) -> str:
    return ", ".join(names)


def identification(f: CaseFacts) -> list[Requirement]:
    steps = f.care_plan_steps
    return [
        Requirement(
            "first_considered",
            "Record when reunification was first considered",
            f.first_considered_recorded,
            SW,
        ),
        Requirement(
            CarePlanStep.CONFIRMED,
            "Team manager confirms the reunification care plan",
            CarePlanStep.CONFIRMED in steps,
            TM,
        ),
        Requirement(
            CarePlanStep.AGREED,
            "Head of service agrees the care plan",
            CarePlanStep.AGREED in steps,
            HOS,
        ),
        Requirement(
            CarePlanStep.RATIFIED,
            "IRO ratifies the care plan at a Child in Care review",
            CarePlanStep.RATIFIED in steps,
            IRO,
        ),
    ]


def assessment(f: CaseFacts) -> list[Requirement]:
    level = f.signed_off_level
    low_or_medium = level in (Level.LOW, Level.MEDIUM)
    if level is None:
        risk_detail = "no risk assessment has been signed off"
    elif not low_or_medium:
        risk_detail = f"the signed-off level is {level.label}, so reunification is not pursued"
    else:
        risk_detail = ""
    parents_done = f.parents_known and not f.parents_without_views
    if not f.parents_known:
        parents_detail = "no one with parental responsibility is recorded in the household"
    elif f.parents_without_views:
        parents_detail = f"not yet recorded for {_names(f.parents_without_views)}"
    else:
        parents_detail = ""
    return [
        Requirement(
            "child_views",
            "Record the child's views, wishes and feelings (or why not)",
            f.child_views_recorded,
            SW,
        ),
        Requirement(
            "advocate",
            "Record whether an advocate was offered",
            f.advocate_offer_recorded,
            SW,
        ),
        Requirement(
            "parent_views",
            "Record each parent's views separately",
            parents_done,
            SW,
            parents_detail,
        ),
        Requirement(
            "single_assessment",
            "Complete the single assessment",
            not f.single_assessment_missing,
            SW,
            f"missing: {_names(f.single_assessment_missing)}"
            if f.single_assessment_missing
            else "",
        ),
        Requirement(
            "police_checks",
            "Police checks returned for everyone aged 16 or over in or around the household",
            not f.police_checks_outstanding,
            SW,
            f"outstanding for {_names(f.police_checks_outstanding)}"
            if f.police_checks_outstanding
            else "",
        ),
        Requirement(
            "risk",
            "A signed-off risk assessment at Low or Medium",
            low_or_medium,
            SW if level is None else TM,
            risk_detail,
        ),
        Requirement(
            "viability_consultation",
            "Reunification Viability Consultation agrees the child is potentially suited",
            f.viability_consultation_suited,
            TM,
        ),
    ]


def where_appropriate(done: bool, not_appropriate_reason: str) -> tuple[bool, str]:
    """A part of the programme the guidance asks for "where appropriate" (the
    restorative meeting, overnight stays): met when it happened, or when it was
    recorded as not appropriate for the child with a reason, which the detail
    names. A blank reason is no reason."""
    if done:
        return True, ""
    reason = (not_appropriate_reason or "").strip()
    if reason:
        return True, f"not appropriate for the child: {reason}"
    return False, ""


def placement_with_parents(p: dict) -> list[Requirement]:
    """Regulations 17 and 18, for a child on an interim or full care order: a
    placement plan before the placement, and the service director's approval of
    the plan as it stands. A refusal or a plan sent back leaves it with the social
    worker, to change the plan, which asks the director again."""
    plan = p.get("placement_plan", False)
    outcome = p.get("pwp_outcome", "")
    reason = (p.get("pwp_reason", "") or "").strip()
    approved = p.get("pwp_approved", False)
    who, detail = SD, ""  # with no plan yet, the social worker's requirement before it
    answered = {PwPOutcome.SENT_BACK: "sent back", PwPOutcome.REFUSED: "refused"}
    if plan and not approved and outcome in answered:
        who, detail = SW, f"{answered[outcome]} by the service director: {reason}"
    return [
        Requirement(
            "placement_plan",
            "Record the placement plan before the placement (care order)",
            plan,
            SW,
        ),
        Requirement(
            "placement_with_parents",
            "Service director approves placement with parents (care order)",
            approved,
            who,
            detail,
        ),
    ]


def support_and_planning(f: CaseFacts) -> list[Requirement]:
    p = f.planning
    overnight, overnight_detail = where_appropriate(
        p.get("overnight_family_time", False), p.get("overnight_stays_not_appropriate", "")
    )
    restorative, restorative_detail = where_appropriate(
        p.get("restorative_meeting", False), p.get("restorative_meeting_not_appropriate", "")
    )
    requirements = [
        Requirement(
            "planning_meeting",
            "Hold the Reunification Planning Meeting",
            p.get("planning_meeting_held", False),
            TM,
        ),
        Requirement(
            "written_agreement",
            "Agree the written agreement with the family, with its goals",
            p.get("written_agreement_agreed", False),
            SW,
        ),
        Requirement(
            "family_time",
            "Plan family time in steps, with at least one overnight stay",
            overnight,
            SW,
            overnight_detail,
        ),
        Requirement(
            "contingency",
            "Agree the contingency and safety plan",
            p.get("contingency_plan", False),
            SW,
        ),
        Requirement(
            "support",
            "Record the support: Family Group Conference (or why not) and siblings",
            p.get("support_recorded", False),
            SW,
        ),
        Requirement(
            "services",
            "Record the services and Team Around the Child",
            p.get("services", 0) > 0,
            SW,
        ),
        Requirement(
            "restorative_meeting",
            "Hold the restorative meeting as part of the direct work",
            restorative,
            SW,
            restorative_detail,
        ),
    ]
    if f.on_care_order:
        requirements += placement_with_parents(p)
    return requirements


def confirmation(f: CaseFacts) -> list[Requirement]:
    level = f.signed_off_since_confirmation
    return [
        Requirement(
            "new_risk_assessment",
            "A new risk assessment, signed off since the case reached confirmation",
            level is not None,
            SW,
        ),
        Requirement(
            "viability_meeting",
            "Reunification Viability Meeting confirms a return date",
            f.return_date_confirmed,
            TM,
            "a return date can be confirmed only at Low or Medium risk"
            if level in (Level.HIGH, Level.SEVERE)
            else "",
        ),
    ]


RULES = {
    Stage.IDENTIFICATION: identification,
    Stage.ASSESSMENT: assessment,
    Stage.SUPPORT_PLANNING: support_and_planning,
    Stage.CONFIRMATION: confirmation,
}


def requirements(facts: CaseFacts) -> list[Requirement]:
    """What the current stage needs, done or not."""
    rule = RULES.get(facts.stage)
    return rule(facts) if rule else []


def outstanding(facts: CaseFacts, *, except_keys: tuple[str, ...] = ()) -> list[Requirement]:
    return [r for r in requirements(facts) if not r.done and r.key not in except_keys]


def describe(missing: list[Requirement]) -> str:
    """A plain sentence naming what is missing."""

    def sentence_case(text: str) -> str:
        first = text.split()[0]
        acronym = len(first) > 1 and first.isupper()  # "IRO ratifies ..." stays as it is
        return text if acronym else text[0].lower() + text[1:]

    parts = [sentence_case(r.text) + (f" ({r.detail})" if r.detail else "") for r in missing]
    return "This cannot happen yet. Still needed: " + "; ".join(parts) + "."


# After "not pursued" ---------------------------------------------------------------


def reconsider_reunification_on(
    decided_on: datetime.date,
    *,
    step_down_from: datetime.date | None,
    reassess_by: datetime.date | None,
    step_months: int,
) -> datetime.date:
    """When reunification not pursued is looked at again, unless the manager sets
    a date: the step rules' earliest move (the day the level may first step down),
    else the day the level must be reassessed, else the child's step period from
    the decision; never before the decision."""
    candidate = step_down_from or reassess_by or add_months(decided_on, step_months)
    return max(candidate, decided_on)


def may_reopen_assessment(
    decided_on: datetime.date,
    signed_off_level: Level | None,
    signed_off_assessed_on: datetime.date | None,
) -> bool:
    """A case where reunification was not pursued may go back to assessment when a
    signed-off level assessed on or after the decision is Low or Medium."""
    return (
        signed_off_level in (Level.LOW, Level.MEDIUM)
        and signed_off_assessed_on is not None
        and signed_off_assessed_on >= decided_on
    )
