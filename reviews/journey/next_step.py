"""Where each requirement of the journey is recorded, and the one thing to do
next at the case's stage for the person looking.

The journey page's "Next step", the links of its task list and the overview's
task list all come from here, so a requirement is linked to one page wherever it
is shown. Whether the person may do it is cases.policy's to say, as the page
itself would.
"""

from dataclasses import dataclass

from django.urls import reverse

from cases import policy
from cases.models import ReunificationCase, Stage, User
from cases.models.codes import CarePlanStep
from reviews.aftercare.return_home import confirmed_return_date

from .rules import Requirement


def _case_url(name: str, anchor: str = "", *args):
    def url(case: ReunificationCase) -> str:
        return reverse(name, args=[case.pk, *args]) + (f"#{anchor}" if anchor else "")

    return url


# The page each requirement is recorded on, by its key (rules.Requirement.key).
RECORDED_ON = {
    "first_considered": _case_url("cases:edit_case"),
    CarePlanStep.CONFIRMED: _case_url("reviews:approve", "", CarePlanStep.CONFIRMED),
    CarePlanStep.AGREED: _case_url("reviews:approve", "", CarePlanStep.AGREED),
    CarePlanStep.RATIFIED: _case_url("reviews:approve", "", CarePlanStep.RATIFIED),
    "child_views": _case_url("risk:overview", "views"),
    "advocate": _case_url("risk:overview", "views"),
    "parent_views": _case_url("cases:add_several", "", "parent-views"),
    "single_assessment": _case_url("risk:overview", "single-assessment"),
    "police_checks": _case_url("cases:overview", "household"),
    "risk": _case_url("risk:overview"),
    "viability_consultation": _case_url("reviews:consultation"),
    "planning_meeting": _case_url("planning:add_meeting"),
    "written_agreement": _case_url("planning:add_agreement"),
    "family_time": _case_url("cases:add_several", "", "family-time-step"),
    "contingency": _case_url("planning:overview", "contingency"),
    "support": _case_url("planning:overview", "support"),
    "services": _case_url("cases:add_several", "", "support-service"),
    "restorative_meeting": _case_url("cases:add_several", "", "direct-work-session"),
    "placement_plan": _case_url("planning:overview", "pwp"),
    "placement_with_parents": _case_url("planning:pwp_approve"),
    "new_risk_assessment": _case_url("risk:new"),
    "viability_meeting": _case_url("reviews:meeting"),
}


# The page each kind of deadline (reviews.models.DeadlineKind) is met on.
DEADLINE_PAGES = {
    "cic_review": "reviews:review",
    "review_after_return": "reviews:review",
    "visit": "reviews:visit",
    "visit_care_order": "reviews:visit",
    "recommendation": "reviews:aftercare",
    "risk_reassess": "risk:new",
    "risk_closure": "reviews:close",
    "reconsider": "reviews:journey",
    "review_reunif": "reviews:aftercare",
    "service_gap": "planning:overview",
    "planning_meeting": "planning:add_meeting",
    "goal_review": "planning:overview",
    "further_work": "reviews:journey",
    "service_ends_early": "reviews:step_down_agree",
    "service_ends_year": "reviews:after_return",
    "cin_visit": "reviews:visit",
    "concern_reassess": "risk:new",
    "home_assessment": "reviews:home_assessment",
    "police_after_return": "cases:overview",
    "supervision_action": "reviews:supervision",
    "reunif_prompt": "reviews:supervision",
}


def deadline_url(deadline) -> str:
    """The page a deadline is met on; the risk pages for the risk levels' own."""
    return reverse(DEADLINE_PAGES.get(deadline.kind, "risk:overview"), args=[deadline.case_id])


@dataclass(frozen=True)
class Task:
    """A requirement as a task list shows it: with the page it is recorded on."""

    requirement: Requirement
    url: str

    def __getattr__(self, name):
        return getattr(self.requirement, name)


@dataclass(frozen=True)
class NextStep:
    label: str
    url: str


def may_act_on(user: User, case: ReunificationCase, requirement: Requirement) -> bool:
    """Whether `user` is the one to do what the requirement asks next."""
    key = requirement.key
    if key in CarePlanStep.values:
        return policy.may_approve_care_plan(user, case, key)
    if key == "placement_with_parents":
        return policy.may_approve_placement_with_parents(user, case)
    if key in ("viability_consultation", "viability_meeting"):
        return policy.may_record_viability_decision(user, case)
    if key == "risk" and requirement.who != "social_worker":
        return policy.may_decide_assessments(user, case)  # the sign-off
    return policy.may_change_case(user, case)


def tasks_with_links(case: ReunificationCase, requirements: list[Requirement]) -> list[Task]:
    return [Task(r, RECORDED_ON[r.key](case) if r.key in RECORDED_ON else "") for r in requirements]


def next_step(
    user: User, case: ReunificationCase, requirements: list[Requirement]
) -> NextStep | None:
    """The first thing this stage still needs that `user` is the one to do; once
    a return date is confirmed, recording the return home; after the return,
    the reviews and visits. None when it is someone else's turn, or when what
    is left is a move of stage (the page's own button)."""
    plan_step_pending = False  # the care plan is confirmed, agreed, ratified in turn
    for requirement in requirements:
        if requirement.done:
            continue
        in_turn = not (plan_step_pending and requirement.key in CarePlanStep.values)
        plan_step_pending = plan_step_pending or requirement.key in CarePlanStep.values
        if in_turn and may_act_on(user, case, requirement):
            url = RECORDED_ON.get(requirement.key)
            if url:
                return NextStep(requirement.text, url(case))
    if (
        case.stage == Stage.CONFIRMATION
        and all(r.done for r in requirements)
        and policy.may_record_return_home(user, case)
        and (return_date := confirmed_return_date(case))
    ):
        return NextStep(
            f"Record the return home (due {return_date:%-d %B %Y})",
            reverse("reviews:return_home", args=[case.pk]),
        )
    if case.stage == Stage.RETURN_HOME and policy.may_record_visit(user, case):
        return NextStep(
            "Record the reviews and visits after the return home",
            reverse("reviews:aftercare", args=[case.pk]),
        )
    return None
