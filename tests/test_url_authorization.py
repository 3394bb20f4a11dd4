"""Who gets what answer from every address of the application.

RULES below is the one table of who may fetch (GET) and who may post (POST) each
URL of the application; the tests walk the URL configuration and fail when an
address has no rule, or a rule names an address that no longer exists.

Each rule says two things, and a test holds them to each other:

- the spec, written by hand: the people allowed, by what they are to the case
  (or team) or by name for the pages of the whole site;
- the question the rule puts to cases/policy.py (`may`), where the policy has a
  predicate for the action.

`test_the_table_and_the_policy_agree` checks the policy against the spec for
every rule, person, case and variant; the matrix then checks the pages against
the policy: every rule is tried for every person, on a case in the person's own
team (North, Kayla's) and on one in another team (South, Liam's):

- allowed (the policy says yes): the page (200), or a redirect where the page
  redirects by design;
- the case is not theirs to see (policy.may_see_case): 404;
- they may see the case but may not do this: REFUSED, 403, with a page saying
  so (tests/test_access.py); so too a page of the whole site (or of a team) their
  role has no part in;
- signed out: sent to sign in.

Whatever the answer, the page names no child whose case the person may not see.
A refused POST changes nothing: the contents of every table (not only how many
rows) are the same afterwards, history and tables without history alike; only
the log of who opened a case, sessions and sign-in attempts are left out. And
another case's record, addressed under a case the person may change, is not
found (404) and is left as it was.

The people and both cases are built once for the module, in a transaction rolled
back at its end; each test runs in a savepoint of it. Cases at every other stage,
people who move team, the emails, the admin, and CSRF through a signed-in
browser are in tests/test_url_authorization_extended.py, on the same table.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection, transaction
from django.forms.formsets import BaseFormSet
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from cases import policy
from cases import services as case_services
from cases.models import CaseView, FamilyMember, Role, User
from cases.models.codes import CARE_PLAN_APPROVER, CARE_PLAN_ORDER, next_care_plan_step
from cases.records import RECORD_TYPES
from planning.models import (
    AgreementGoal,
    GoalReview,
    PlanningMeeting,
    PlanStep,
    WrittenAgreement,
)
from planning.views import FAMILY_DOCUMENTS
from reunification.clock import today
from reviews.aftercare import statutory
from reviews.journey import decisions as journey
from reviews.supervision import services as supervision_services
from risk.models import RiskAssessment, RiskFactorEntry
from tests.factories import (
    RISK_ANSWERS,
    ChildFactory,
    TeamFactory,
    UserFactory,
    one_record_of_every_kind,
    open_case,
    parents_with_responsibility,
    submitted_risk_assessment,
)

NOON_10_MARCH_2026 = datetime.datetime(2026, 3, 10, 12, tzinfo=ZoneInfo("Europe/London"))

# What a person is to a case (or to a team, for the team pages).
ALLOCATED = "allocated social worker"
COLLEAGUE = "social worker in the team"
MANAGER = "team manager"
HEAD = "head of service"
CASE_IRO = "IRO of the case"
DIRECTOR = "service director"
STRANGER = "no part in it"
SIGNED_OUT = "signed out"

# Each person of the matrix: what they are to the North case and to the South case.
PEOPLE = {
    "social_worker": {"north": ALLOCATED},
    "colleague": {"north": COLLEAGUE},
    "team_manager": {"north": MANAGER},
    "head_of_service": {"north": HEAD},
    "iro": {"north": CASE_IRO},
    "other_iro": {"south": CASE_IRO},
    "director": {"north": DIRECTOR, "south": DIRECTOR},
    "performance": {},
    "south_social_worker": {"south": ALLOCATED},
    "south_manager": {"south": MANAGER},
    "anonymous": {"north": SIGNED_OUT, "south": SIGNED_OUT},
}
SIGNED_IN = frozenset(PEOPLE) - {"anonymous"}
TEAM_MANAGERS = frozenset({"team_manager", "south_manager"})
MANAGERS = TEAM_MANAGERS | {"head_of_service", "director"}
STAFF = frozenset({"performance"})  # Django admin users (is_staff)

SEE = frozenset({ALLOCATED, COLLEAGUE, MANAGER, HEAD, CASE_IRO, DIRECTOR})
CHANGE = frozenset({ALLOCATED, MANAGER})
ONLY_MANAGER = frozenset({MANAGER})
CASE_PEOPLE = frozenset({ALLOCATED, MANAGER, HEAD, CASE_IRO})  # disagreements

HIDDEN = 404
REFUSED = 403


def side(where: str) -> str:
    """Which team a case of the world sits in: Liam's is South's; every other
    case (Kayla's, and the extended module's cases at other stages) is North's,
    with Kayla's people around it."""
    return "south" if where == "south" else "north"


def relation(who: str, where: str) -> str:
    return PEOPLE[who].get(side(where), STRANGER)


# The addresses each rule is tried on: (variant, url) pairs, given the world and
# "north", "south" (or another case of the world; "-" for the pages of the whole
# site). Addresses that name a record of the case take `records`: the case whose
# record ids to put in the address (the case's own unless a test says otherwise).


def case_page(name: str) -> Callable:
    return lambda w, where, records=None: [(None, reverse(name, args=[w.cases[where].case.pk]))]


def with_record(name: str, key: str) -> Callable:
    def addresses(w, where, records=None):
        records = records or w.cases[where]
        return [(None, reverse(name, args=[w.cases[where].case.pk, *records.pks[key]]))]

    addresses.record_key = key
    return addresses


def record_pages(action: str) -> Callable:
    def addresses(w, where, records=None):
        c, records = w.cases[where], records or w.cases[where]
        if action == "add":
            return [(kind, reverse("cases:add_record", args=[c.case.pk, kind])) for kind in KINDS]
        return [
            (kind, reverse("cases:edit_record", args=[c.case.pk, kind, records.pks[kind]]))
            for kind in KINDS
        ]

    addresses.by_kind = True  # its variants are the kinds of record
    if action == "edit":
        addresses.record_key = "kind"
    return addresses


def several_pages(w, where, records=None):
    from cases.several import SEVERAL

    pk = w.cases[where].case.pk
    return [(kind, reverse("cases:add_several", args=[pk, kind])) for kind in SEVERAL]


several_pages.by_kind = True


def not_appropriate_steps(w, where, records=None):
    pk = w.cases[where].case.pk
    return [
        (step, reverse("planning:not_appropriate", args=[pk, step])) for step in PlanStep.values
    ]


def family_documents(w, where, records=None):
    pk = w.cases[where].case.pk
    return [
        (slug, reverse("planning:family_document", args=[pk, slug])) for slug in FAMILY_DOCUMENTS
    ]


def care_plan_steps(w, where, records=None):
    pk = w.cases[where].case.pk
    return [(step, reverse("reviews:approve", args=[pk, step])) for step in CARE_PLAN_APPROVERS]


def team_page(w, where, records=None):
    return [(None, reverse("cases:team_detail", args=[w.teams[where].pk]))]


def site_page(name: str, *args) -> Callable:
    return lambda w, where, records=None: [(None, reverse(name, args=list(args)))]


def literal(address: str) -> Callable:
    return lambda w, where, records=None: [(None, address)]


def admin_pages(w, where, records=None):
    """The admin's index and everything a staff member can read from it: every
    list of every registered model, each searched for a child's name where it
    can be searched, and the page of its first row."""
    pages = [(None, reverse("admin:index"))]
    surname = w.cases["north"].case.child.last_name
    for model, model_admin in sorted(
        admin.site._registry.items(), key=lambda item: item[0]._meta.label
    ):
        info = model._meta.app_label, model._meta.model_name
        label = model._meta.label
        changelist = reverse("admin:{}_{}_changelist".format(*info))
        pages.append((f"{label} list", changelist))
        if model_admin.search_fields:
            pages.append((f"{label} search", f"{changelist}?q={surname}"))
        first = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        if first is not None:
            pages.append(
                (f"{label} row", reverse("admin:{}_{}_change".format(*info), args=[first]))
            )
    return pages


KINDS = sorted(RECORD_TYPES)
# Who approves each step, from the one fact in cases codes (the role held on the case).
_WHO_HOLDS = {Role.TEAM_MANAGER: MANAGER, Role.HEAD_OF_SERVICE: HEAD, Role.IRO: CASE_IRO}
CARE_PLAN_APPROVERS = {step: {_WHO_HOLDS[role]} for step, role in CARE_PLAN_APPROVER.items()}


# The questions the rules put to cases.policy: (user, target, variant) -> bool,
# the target being the built case (scope "case"), the team ("team") or None.


def of_case(predicate: Callable) -> Callable:
    """policy.predicate(user, case)."""
    return lambda user, built, variant: predicate(user, built.case)


def of_record(predicate: Callable, key: str) -> Callable:
    """policy.predicate(user, case, record), the record the address names."""
    return lambda user, built, variant: predicate(user, built.case, built.objects[key])


def of_step(predicate: Callable) -> Callable:
    """policy.predicate(user, case, step), the care plan step the address names."""
    return lambda user, built, step: predicate(user, built.case, step)


def of_team(predicate: Callable) -> Callable:
    return lambda user, team, variant: predicate(user, team)


def prepared_export(w, where, records=None):
    """A whole-council SSDA903 return prepared for the performance officer (the
    export is the variant the rule's `may` is asked about)."""
    from reporting.models import ExportStatus, PreparedExport

    export, _ = PreparedExport.objects.get_or_create(
        requested_by=w.people["performance"],
        year_ending=2026,
        defaults={
            "requested_at": timezone.now(),
            "status": ExportStatus.READY,
            "file_name": "ssda903-2025-26.zip",
        },
    )
    return [(export, reverse("reporting:ssda903_prepared", args=[export.pk]))]


def of_user(predicate: Callable) -> Callable:
    return lambda user, target, variant: predicate(user)


def manages_a_team(user) -> bool:
    return policy.managed_teams(user).exists()


# Form values a permitted person would type, on top of what the page offers.


def day(offset: int = 0) -> datetime.date:
    return today() - datetime.timedelta(days=offset)


def on(offset: int = 0) -> Callable:
    """A date counted back from the day the test runs on (read when posting)."""
    return lambda: day(offset)


def fill(**values) -> Callable:
    return lambda w, where, variant: {
        name: value() if callable(value) else value for name, value in values.items()
    }


def allocate_the_other_iro(w, where, variant):
    other = w.people["iro" if where == "south" else "other_iro"]
    return {"role": Role.IRO, "user": other.pk, "start_date": day()}


def a_review_chaired_by_the_iro(w, where, variant):
    return {
        "held_on": day(1),
        "review_type": "cin",
        "chair": w.cases[where].case.iro_id,
        "attended": "Child, mother, social worker.",
        "outcome": "The plan continues.",
    }


def the_existing_record(w, where, variant):
    """An add page is posted what the edit page of the same kind holds."""
    return dict(w.payload(where, "cases:edit_record", variant))


@dataclass(frozen=True)
class Rule:
    """Who may use one address. `get` and `post` are the spec: relations to the
    case (or team) for scope "case" and "team", names of people for scope
    "site"; either may map variants (a kind of record, a care plan step) to
    their own. `get` None: the address takes only POST (405 to a GET). `post`
    None: nothing is changed through it, so no POST is tried. `may` is the
    question the rule puts to cases.policy (None where the policy has none: a
    page for everyone signed in, the Django admin's own staff check)."""

    scope: str
    addresses: Callable
    get: frozenset | dict | None
    post: frozenset | dict | None = None
    may: Callable | None = None
    get_answer: int = 200
    post_answers: frozenset | dict = frozenset({302})  # what a permitted POST answers
    fill: Callable | None = None  # extra form values for the POST
    public: bool = False  # open to people who are signed out
    refused_to: str | None = None  # where a refusal redirects, instead of 404
    wheres: tuple = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "wheres", ("north", "south") if self.scope != "site" else ("-",))

    def allows(self, allowed, who, where, variant):
        if isinstance(allowed, dict):
            allowed = allowed[variant]
        if self.scope == "site":
            return who in allowed
        return relation(who, where) in allowed

    @property
    def writes(self) -> bool:
        """Whether the address changes anything (its GET, if any, is the form)."""
        return self.post is not None


def case_rule(addresses, get, post=None, **kwargs) -> Rule:
    return Rule("case", addresses, get, post, **kwargs)


def site_rule(addresses, get, post=None, **kwargs) -> Rule:
    return Rule("site", addresses, get, post, **kwargs)


SEES = of_case(policy.may_see_case)
CHANGES = of_case(policy.may_change_case)
DECIDES = of_case(policy.may_record_viability_decision)
CHANGER_FORM = {"get": CHANGE, "post": CHANGE, "may": CHANGES}
# Permitted, but the form comes back (200) saying why not: the stage, a record that
# may not overlap another or be doubled, or what is missing.
SHOWN_AGAIN = frozenset({200})
SAVED_OR_SHOWN_AGAIN = frozenset({200, 302})

RULES: dict[str, Rule] = {
    # Unnamed: "/" sends everyone to My cases.
    "/": site_rule(literal("/"), SIGNED_IN, get_answer=302),
    # Cases
    "cases:my_cases": site_rule(site_page("cases:my_cases"), SIGNED_IN),
    "cases:new": site_rule(
        site_page("cases:new"),
        TEAM_MANAGERS,
        TEAM_MANAGERS,
        may=of_user(policy.may_open_cases),
        post_answers=SHOWN_AGAIN,
    ),
    "cases:team": site_rule(site_page("cases:team"), MANAGERS, may=of_user(manages_a_team)),
    "cases:team_detail": Rule(
        "team", team_page, {MANAGER, HEAD, DIRECTOR}, may=of_team(policy.may_manage_team)
    ),
    "cases:overview": case_rule(case_page("cases:overview"), SEE, may=SEES),
    "cases:audit": case_rule(
        case_page("cases:audit"), {MANAGER, HEAD, DIRECTOR}, may=of_case(policy.may_see_audit)
    ),
    "cases:edit_child": case_rule(case_page("cases:edit_child"), **CHANGER_FORM),
    "cases:edit_case": case_rule(case_page("cases:edit_case"), **CHANGER_FORM),
    "cases:allocate": case_rule(
        case_page("cases:allocate"),
        ONLY_MANAGER,
        ONLY_MANAGER,
        may=of_case(policy.may_allocate),
        fill=allocate_the_other_iro,
    ),
    "cases:add_record": case_rule(
        record_pages("add"),
        **CHANGER_FORM,
        post_answers=SAVED_OR_SHOWN_AGAIN,
        fill=the_existing_record,
    ),
    "cases:edit_record": case_rule(record_pages("edit"), **CHANGER_FORM),
    "cases:add_several": case_rule(
        several_pages, **CHANGER_FORM, post_answers=SAVED_OR_SHOWN_AGAIN
    ),
    # The risk classification tool
    "risk:overview": case_rule(case_page("risk:overview"), SEE, may=SEES),
    "risk:new": case_rule(case_page("risk:new"), **CHANGER_FORM, fill=fill(assessed_on=on())),
    "risk:detail": case_rule(with_record("risk:detail", "draft"), SEE, may=SEES),
    "risk:edit": case_rule(
        with_record("risk:edit", "draft"),
        CHANGE,
        CHANGE,
        may=of_record(policy.may_edit_assessment, "draft"),
    ),
    "risk:submit": case_rule(
        with_record("risk:submit", "draft"),
        None,
        CHANGE,
        may=of_record(policy.may_edit_assessment, "draft"),
        fill=fill(confirmed_level="medium", rationale="The tool and my judgement agree."),
    ),
    # Which assessment she may sign off is the four-eyes rule
    # (policy.may_sign_off_assessment), shown on the page; the page is hers to post.
    "risk:decide": case_rule(
        with_record("risk:decide", "submitted"),
        None,
        ONLY_MANAGER,
        may=of_case(policy.may_decide_assessments),
        fill=fill(decision="sign_off"),
    ),
    # Support and planning
    "planning:overview": case_rule(case_page("planning:overview"), SEE, may=SEES),
    # The family's documents, to print: whoever may see the case.
    "planning:family_document": case_rule(family_documents, SEE, may=SEES),
    "planning:add_meeting": case_rule(
        case_page("planning:add_meeting"),
        **CHANGER_FORM,
        fill=fill(held_on=on(1), considerations="A gradual return."),
    ),
    "planning:edit_meeting": case_rule(
        with_record("planning:edit_meeting", "meeting"), **CHANGER_FORM
    ),
    "planning:add_agreement": case_rule(
        case_page("planning:add_agreement"),
        **CHANGER_FORM,
        fill=fill(
            agreed_on=on(1),
            consequences_explained="Family time goes back to supervised visits.",
            review_dates="Every six weeks",
            **{
                "goals-0-goal": "Mother stays abstinent",
                "goals-0-measure": "Negative tests every fortnight",
                "goals-0-responsible": "Mother",
                "goals-0-due_on": on(-90),
            },
        ),
    ),
    "planning:edit_agreement": case_rule(
        with_record("planning:edit_agreement", "agreement"), **CHANGER_FORM
    ),
    "planning:add_goal_review": case_rule(
        with_record("planning:add_goal_review", "goal"),
        **CHANGER_FORM,
        fill=fill(reviewed_on=on(), outcome="met", evidence="Negative tests."),
    ),
    "planning:edit_goal_review": case_rule(
        with_record("planning:edit_goal_review", "goal_review"), **CHANGER_FORM
    ),
    "planning:pwp_approve": case_rule(
        case_page("planning:pwp_approve"),
        {DIRECTOR},
        {DIRECTOR},
        may=of_case(policy.may_approve_placement_with_parents),
        post_answers=SHOWN_AGAIN,  # under section 20 there is nothing to approve
        fill=fill(outcome="approved", decided_on=on(), reason="Placement plan seen."),
    ),
    "planning:not_appropriate": case_rule(
        not_appropriate_steps,
        **CHANGER_FORM,
        fill=fill(decided_on=on(), reason="She is six months old."),
    ),
    # The journey and its decisions
    "reviews:journey": case_rule(case_page("reviews:journey"), SEE, may=SEES),
    "reviews:approve": case_rule(
        care_plan_steps,
        CARE_PLAN_APPROVERS,
        CARE_PLAN_APPROVERS,
        may=of_step(policy.may_approve_care_plan),
        # Only the first step can be taken now; the others wait for it.
        post_answers={
            step: {302} if step == next_care_plan_step(set()) else SHOWN_AGAIN
            for step in CARE_PLAN_ORDER
        },
        fill=fill(approved_on=on(), cic_review_on=on(), rationale="Agreed in supervision."),
    ),
    "reviews:start_assessment": case_rule(
        case_page("reviews:start_assessment"), None, CHANGE, may=of_case(policy.may_move_stage)
    ),
    "reviews:consultation": case_rule(
        case_page("reviews:consultation"),
        ONLY_MANAGER,
        ONLY_MANAGER,
        may=DECIDES,
        post_answers=SHOWN_AGAIN,
        fill=fill(held_on=on(), outcome="suited", rationale="Medium risk."),
    ),
    "reviews:not_pursued": case_rule(
        case_page("reviews:not_pursued"),
        ONLY_MANAGER,
        ONLY_MANAGER,
        may=DECIDES,
        post_answers=SHOWN_AGAIN,
        fill=fill(
            decided_on=on(),
            explained_to_child_on=on(),
            explained_to_family_on=on(),
            rationale="High risk.",
            care_plan_now="Long-term fostering.",
        ),
    ),
    "reviews:reopen_assessment": case_rule(
        case_page("reviews:reopen_assessment"),
        ONLY_MANAGER,
        ONLY_MANAGER,
        may=DECIDES,
        post_answers=SHOWN_AGAIN,  # reunification was not ruled out, so nothing to reopen
        fill=fill(rationale="Medium risk signed off since."),
    ),
    "reviews:confirmation": case_rule(
        case_page("reviews:confirmation"),
        CHANGE,
        CHANGE,
        may=of_case(policy.may_move_stage),
        post_answers=SAVED_OR_SHOWN_AGAIN,
    ),
    "reviews:meeting": case_rule(
        case_page("reviews:meeting"),
        ONLY_MANAGER,
        ONLY_MANAGER,
        may=DECIDES,
        post_answers=SHOWN_AGAIN,
        fill=fill(held_on=on(), outcome="not_pursued", rationale="No progress."),
    ),
    "reviews:dispute": case_rule(
        case_page("reviews:dispute"),
        CASE_PEOPLE,
        CASE_PEOPLE,
        may=of_case(policy.may_raise_disagreement),
        fill=fill(raised_on=on(), route="drp", subject="Family time."),
    ),
    "reviews:resolve": case_rule(
        with_record("reviews:resolve", "dispute"),
        CASE_PEOPLE,
        CASE_PEOPLE,
        may=of_case(policy.may_resolve_disagreement),
        fill=fill(resolved_on=on(), resolution="Agreed at a meeting."),
    ),
    # Return home, reviews and visits
    "reviews:aftercare": case_rule(case_page("reviews:aftercare"), SEE, may=SEES),
    "reviews:return_home": case_rule(
        case_page("reviews:return_home"),
        CHANGE,
        CHANGE,
        may=of_case(policy.may_record_return_home),
        # Regulation 39: looked after 200 days, ending care waits for the director.
        post_answers=SHOWN_AGAIN,
        fill=fill(
            returned_on=on(),
            planned="no",
            unplanned_reason="She walked home.",
            returned_to="Her mother",
            legal_status_after="child_in_need",
            episode_end_reason="E4B",
        ),
    ),
    # Regulation 39: the social worker or team manager asks the service director.
    "reviews:ceasing_care": case_rule(
        case_page("reviews:ceasing_care"),
        CHANGE,
        CHANGE,
        may=of_case(policy.may_record_return_home),
        post_answers=SAVED_OR_SHOWN_AGAIN,  # asked once; asked again while open is refused
        fill=fill(proposed_on=on(), plan_after="A Child in Need plan."),
    ),
    "reviews:ceasing_care_decision": case_rule(
        case_page("reviews:ceasing_care_decision"),
        {DIRECTOR},
        {DIRECTOR},
        may=of_case(policy.may_approve_ceasing_care),
        post_answers=SAVED_OR_SHOWN_AGAIN,  # decided when asked; otherwise nothing to decide
        fill=fill(approved="yes", decided_on=on(), rationale="The plan after care is sound."),
    ),
    "reviews:breakdown": case_rule(
        case_page("reviews:breakdown"),
        CHANGE,
        CHANGE,
        may=of_case(policy.may_record_return_home),
        post_answers=SHOWN_AGAIN,  # there was no return home to break down
        fill=fill(
            came_back_on=on(),
            reason="Mother relapsed.",
            placement_type="U6",
            carer="Mr and Mrs Hale",
            legal_status="V2",
        ),
    ),
    "reviews:close": case_rule(
        case_page("reviews:close"),
        CHANGE,
        CHANGE,
        may=of_case(policy.may_close_case),
        post_answers=SHOWN_AGAIN,  # a case closes only after a return or a decision
        fill=fill(closed_on=on(), reason="sustained_low"),
    ),
    "reviews:review": case_rule(
        case_page("reviews:review"),
        CHANGE | {CASE_IRO},
        CHANGE | {CASE_IRO},
        may=of_case(policy.may_record_review),
        fill=a_review_chaired_by_the_iro,
    ),
    # Reunification at the Child in Care review: the case's IRO, who records those reviews.
    "reviews:review_reunification": case_rule(
        with_record("reviews:review_reunification", "review"),
        {CASE_IRO},
        {CASE_IRO},
        may=lambda user, built, variant: policy.may_record_review(
            user, built.case, policy.CHILD_IN_CARE_REVIEW
        ),
        fill=fill(considered="yes", outcome="A return home is still the plan."),
    ),
    "reviews:visit": case_rule(
        case_page("reviews:visit"),
        CHANGE,
        CHANGE,
        may=of_case(policy.may_record_visit),
        fill=fill(visited_on=on(), seen_alone="yes"),
    ),
    # After the return: the case is not at return home here, so a valid post is
    # refused in the error summary (the services ask for a return first).
    "reviews:after_return": case_rule(case_page("reviews:after_return"), SEE, may=SEES),
    "reviews:step_down": case_rule(
        case_page("reviews:step_down"),
        CHANGE,
        CHANGE,
        may=of_case(policy.may_record_after_return),
        post_answers=SHOWN_AGAIN,
        fill=fill(
            lead_professional="Jo Park",
            lead_professional_role="Family support worker",
            lead_professional_agency="Early Help",
            support_ends_on=on(),
        ),
    ),
    "reviews:step_down_agree": case_rule(
        case_page("reviews:step_down_agree"),
        ONLY_MANAGER,
        ONLY_MANAGER,
        may=of_case(policy.may_agree_step_down),
        post_answers=SHOWN_AGAIN,
        fill=fill(agreed_on=on(), comments="Agreed."),
    ),
    "reviews:concern": case_rule(
        case_page("reviews:concern"),
        CHANGE,
        CHANGE,
        may=of_case(policy.may_record_after_return),
        post_answers=SHOWN_AGAIN,
        fill=fill(kind="incident", occurred_on=on(), details="Police called."),
    ),
    "reviews:home_assessment": case_rule(
        case_page("reviews:home_assessment"),
        CHANGE,
        CHANGE,
        may=of_case(policy.may_record_after_return),
        post_answers=SHOWN_AGAIN,
        fill=fill(assessed_on=on(), findings="Warm and clean."),
    ),
    # The recommendation is Colin Reed's (in North), so he may mark it done too.
    "reviews:recommendation_done": case_rule(
        with_record("reviews:recommendation_done", "recommendation"),
        CHANGE | {CASE_IRO, COLLEAGUE},
        CHANGE | {CASE_IRO, COLLEAGUE},
        may=of_record(policy.may_complete_recommendation, "recommendation"),
        fill=fill(done_on=on()),
    ),
    # Case supervision: everyone who may see the case reads it; a team manager of
    # the case's team records it; the action (Sarah Wood's) is marked done by its
    # owner or the manager.
    "reviews:supervision": case_rule(case_page("reviews:supervision"), SEE, may=SEES),
    "reviews:record_supervision": case_rule(
        case_page("reviews:record_supervision"),
        ONLY_MANAGER,
        ONLY_MANAGER,
        may=of_case(policy.may_record_supervision),
        fill=fill(
            held_on=on(),
            reflection="Progress is real but fragile.",
            decisions="Keep the plan.",
            reunification_considered="yes",
            reunification_note="Considered at supervision.",
        ),
    ),
    "reviews:supervision_action_done": case_rule(
        with_record("reviews:supervision_action_done", "supervision_action"),
        CHANGE,
        CHANGE,
        may=of_record(policy.may_complete_supervision_action, "supervision_action"),
        fill=fill(done_on=on()),
    ),
    # The rest of the site
    "waiting_for_me": site_rule(site_page("waiting_for_me"), SIGNED_IN),
    "my_tasks": site_rule(site_page("my_tasks"), SIGNED_IN),
    "team_tasks": site_rule(site_page("team_tasks"), MANAGERS, may=of_user(manages_a_team)),
    "reporting:caseload": site_rule(
        site_page("reporting:caseload"), MANAGERS | STAFF, may=of_user(policy.may_see_reports)
    ),
    "reporting:outcomes": site_rule(
        site_page("reporting:outcomes"), MANAGERS | STAFF, may=of_user(policy.may_see_reports)
    ),
    "reporting:service_gaps": site_rule(
        site_page("reporting:service_gaps"), MANAGERS | STAFF, may=of_user(policy.may_see_reports)
    ),
    "reporting:ssda903": site_rule(
        site_page("reporting:ssda903"), MANAGERS | STAFF, may=of_user(policy.may_see_reports)
    ),
    # Loading a council's return: performance staff only. Posted without files,
    # the form comes back saying what is missing.
    "reporting:ssda903_import": site_rule(
        site_page("reporting:ssda903_import"),
        STAFF,
        STAFF,
        may=of_user(policy.may_import_ssda903),
        post_answers=SHOWN_AGAIN,
    ),
    # A prepared whole-council return: only to the person who asked for it.
    "reporting:ssda903_prepared": site_rule(
        prepared_export,
        {"performance"},
        may=lambda user, target, export: policy.may_download_prepared_export(user, export),
    ),
    # Who took children's data out: service directors only, not performance staff.
    "reporting:downloads": site_rule(
        site_page("reporting:downloads"),
        {"director"},
        may=of_user(lambda user: policy.may_see_downloads(user)),
    ),
    "keep_session_alive": site_rule(
        site_page("keep_session_alive"), None, SIGNED_IN, post_answers=frozenset({200})
    ),
    "healthcheck": site_rule(site_page("healthcheck"), PEOPLE.keys(), public=True),
    "login": site_rule(site_page("login"), PEOPLE.keys(), public=True),
    "logout": site_rule(site_page("logout"), None),  # sign-out is posted
    "password_reset": site_rule(site_page("password_reset"), PEOPLE.keys(), public=True),
    "password_reset_done": site_rule(site_page("password_reset_done"), PEOPLE.keys(), public=True),
    "password_reset_confirm": site_rule(
        site_page("password_reset_confirm", "MQ", "not-a-token"), PEOPLE.keys(), public=True
    ),
    "password_reset_complete": site_rule(
        site_page("password_reset_complete"), PEOPLE.keys(), public=True
    ),
    # Every page of the Django admin, as one rule: staff only; anyone else is sent
    # to the admin's own sign-in page. What staff read there names no child: the
    # admin holds users, teams, roles and reference lists, not children's records.
    "admin": site_rule(admin_pages, STAFF, refused_to="admin:login"),
}


# The URL configuration, walked


def addresses_in(patterns, namespace: str = "", prefix: str = "") -> set[str]:
    """The name of every address ("namespace:name"); an unnamed one by its route,
    and the whole Django admin as "admin"."""
    found = set()
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                found.add("admin")
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found |= addresses_in(entry.url_patterns, inner, route)
        elif entry.name:
            found.add(namespace + entry.name)
        else:
            found.add("/" + route)
    return found


def test_every_address_of_the_application_has_a_rule():
    missing = sorted(addresses_in(get_resolver().url_patterns) - set(RULES))

    assert not missing, "add a rule to RULES in tests/test_url_authorization.py for " + ", ".join(
        missing
    )


def test_every_rule_is_for_an_address_that_exists():
    stale = sorted(set(RULES) - addresses_in(get_resolver().url_patterns))

    assert not stale, "remove the rule (the address is gone) for " + ", ".join(stale)


# The spec and the policy


def user_of(w, who: str):
    return AnonymousUser() if who == "anonymous" else w.people[who]


def target(rule: Rule, w, where: str):
    if rule.scope == "case":
        return w.cases[where]
    if rule.scope == "team":
        return w.teams[where]
    return None


def spec_allows(rule: Rule, method: str, w, who: str, where: str, variant) -> bool:
    """What the table says. On a case the world closed (by hand, not by asking
    the product) nobody writes: no POST, and no form that would post one."""
    allowed = rule.get if method == "get" else rule.post
    if allowed is None:
        return False
    if rule.scope == "case" and w.cases[where].closed and rule.writes:
        return False
    return rule.allows(allowed, who, where, variant)


def policy_allows(rule: Rule, w, who: str, where: str, variant) -> bool:
    return bool(rule.may(user_of(w, who), target(rule, w, where), variant))


def permitted(rule: Rule, method: str, w, who: str, where: str, variant) -> bool:
    """Whether the matrix expects the person to be let in: the policy's answer
    where the rule has a question for it, else the table's."""
    if rule.may is None:
        return spec_allows(rule, method, w, who, where, variant)
    return policy_allows(rule, w, who, where, variant)


def disagreements(w, wheres=None) -> list[tuple]:
    """Every rule, person, case (or team) and variant on which the table and the
    policy answer differently."""
    found = []
    for name, rule in RULES.items():
        if rule.may is None:
            continue
        for where in wheres if wheres and rule.scope == "case" else rule.wheres:
            for variant, _ in rule.addresses(w, where):
                for who in PEOPLE:
                    for method in ("get", "post"):
                        if (rule.get if method == "get" else rule.post) is None:
                            continue
                        spec = spec_allows(rule, method, w, who, where, variant)
                        if spec != policy_allows(rule, w, who, where, variant):
                            found.append((name, method, who, where, variant, "table says", spec))
    return found


def test_the_table_and_the_policy_agree(db, world):
    """The policy checked against the hand-written table: for every rule that
    asks it, every person, both cases (or teams) and every variant."""
    assert not disagreements(world)


def test_each_case_is_seen_only_by_the_people_the_table_says(db, world):
    """The table's relations agree with who may see each case (cases/policy.py)."""
    for who, person in world.people.items():
        for where, built in world.cases.items():
            seen = policy.may_see_case(person, built.case)
            assert seen == (relation(who, where) in SEE), (who, where)


# The people, the two cases and their records, built once


def person(username: str, *roles, team=None, **extra):
    first, last = username.split(".")
    user = UserFactory(
        username=username,
        first_name=first.title(),
        last_name=last.title(),
        team=team,
        roles=list(roles),
        **extra,
    )
    return user


@dataclass
class BuiltCase:
    case: object
    pks: dict
    objects: dict = field(default_factory=dict)
    closed: bool = False  # closed by the world's builder (the spec's "takes no writes")

    @property
    def child_name(self) -> str:
        return f"{self.case.child.first_name} {self.case.child.last_name}"


def record_every_kind(case, *, by) -> dict:
    """One record of every kind (cases.records.RECORD_TYPES) and the ids of each,
    recorded before anything else, so that each kind has exactly one."""
    one_record_of_every_kind(case, by=by)
    parents_with_responsibility(case)  # so the parent's views can be changed
    return {kind: RECORD_TYPES[kind].queryset(case).get().pk for kind in KINDS}


def furnish(
    case,
    pks,
    *,
    social_worker,
    team_manager,
    iro,
    recommendation_owner,
    recommendation_due=None,
    closed=False,
) -> BuiltCase:
    """Something for every page of the case to show: a draft risk assessment and
    one waiting for sign-off, a planning meeting, a written agreement with a goal
    and its review, an open disagreement and an IRO recommendation still to do."""
    risk_factors, protective, capacity, wishes, recurrence = RISK_ANSWERS["medium"]
    draft = RiskAssessment.objects.create(
        case=case,
        author=social_worker,
        assessed_on=day(),
        risk_factors=risk_factors,
        risk_factors_evidence="Mother is working with the substance misuse service.",
        protective_factors=protective,
        protective_factors_evidence="Grandmother visits daily.",
        capacity_for_change=capacity,
        capacity_for_change_evidence="Kept every appointment.",
        wishes=wishes,
        wishes_evidence="Both spoke about it.",
        recurrence=recurrence,
        recurrence_evidence="Judged from the chronology.",
    )
    RiskFactorEntry.objects.create(
        assessment=draft, factor="substance_misuse", status="being_addressed"
    )
    submitted = submitted_risk_assessment(case, author=social_worker, assessed_on=day(3))
    meeting = PlanningMeeting.objects.create(
        case=case, held_on=day(2), led_by=team_manager, considerations="Gradual return."
    )
    agreement = WrittenAgreement.objects.create(
        case=case,
        agreed_on=day(2),
        consequences_explained="Family time goes back to supervised visits.",
        parents_agreed=True,
        review_dates="Every six weeks",
    )
    goal = AgreementGoal.objects.create(
        agreement=agreement,
        goal="Mother stays abstinent",
        measure="Negative tests every fortnight",
        responsible="Mother",
        due_on=day(-90),
    )
    goal_review = GoalReview.objects.create(
        goal=goal, reviewed_on=day(1), outcome="met", evidence="Two negative tests."
    )
    dispute = journey.raise_dispute(
        case=case, by=iro, raised_on=day(1), route="drp", subject="Family time."
    )
    review = statutory.record_review(
        case=case,
        by=iro,
        held_on=day(2),
        review_type="cic",
        chair=iro,
        attended="Child, mother, social worker.",
        outcome="The plan continues.",
        recommendations=[
            {
                "text": "Life story work",
                "owner": recommendation_owner,
                "due_on": recommendation_due or day(-30),
            }
        ],
    )
    recommendation = review.recommendations.get()
    supervision = supervision_services.record_supervision(
        case=case,
        by=team_manager,
        held_on=day(2),
        reflection="Progress is real but fragile.",
        decisions="Keep the plan.",
        reunification_considered=True,
        reunification_note="Considered.",
        actions=[{"text": "Refer the mother", "owner": social_worker, "due_on": day(-14)}],
    )
    supervision_action = supervision.actions.get()
    pks = dict(
        pks,
        draft=[draft.pk],
        submitted=[submitted.pk],
        meeting=[meeting.pk],
        agreement=[agreement.pk],
        goal=[goal.pk],
        goal_review=[goal.pk, goal_review.pk],
        dispute=[dispute.pk],
        recommendation=[recommendation.pk],
        review=[review.pk],
        supervision_action=[supervision_action.pk],
    )
    objects = {
        "supervision_action": supervision_action,
        "draft": draft,
        "submitted": submitted,
        "dispute": dispute,
        "recommendation": recommendation,
    }
    return BuiltCase(case=case, pks=pks, objects=objects, closed=closed)


def build_people_and_teams() -> tuple[dict, dict]:
    north, south = TeamFactory(name="North"), TeamFactory(name="South")
    people = {
        "social_worker": person("sarah.wood", Role.SOCIAL_WORKER, team=north),
        "colleague": person("colin.reed", Role.SOCIAL_WORKER, team=north),
        "team_manager": person("tina.marsh", Role.TEAM_MANAGER, team=north),
        "head_of_service": person("helen.orme", Role.HEAD_OF_SERVICE),
        "iro": person("ian.rowe", Role.IRO),
        "other_iro": person("olivia.irwin", Role.IRO),
        "director": person("diane.dale", Role.SERVICE_DIRECTOR),
        "performance": person("pat.lowe", Role.PERFORMANCE, is_staff=True, is_superuser=True),
        "south_social_worker": person("oscar.stone", Role.SOCIAL_WORKER, team=south),
        "south_manager": person("sue.mann", Role.TEAM_MANAGER, team=south),
    }
    north.heads_of_service.add(people["head_of_service"])
    return people, {"north": north, "south": south}


def north_case(people, first_name: str, last_name: str):
    """A case in North, opened by Tina Marsh with Sarah Wood, Ian Rowe and Helen
    Orme allocated, holding one record of every kind."""
    case = open_case(
        team_manager=people["team_manager"],
        social_worker=people["social_worker"],
        iro=people["iro"],
        child=ChildFactory(first_name=first_name, last_name=last_name),
    )
    case_services.allocate(
        case=case,
        role=Role.HEAD_OF_SERVICE,
        user=people["head_of_service"],
        by=people["team_manager"],
    )
    case.refresh_from_db()
    return case, record_every_kind(case, by=people["social_worker"])


def build_world() -> SimpleNamespace:
    people, teams = build_people_and_teams()
    kayla, kayla_records = north_case(people, "Kayla", "Brightwater")
    liam = open_case(
        team_manager=people["south_manager"],
        social_worker=people["south_social_worker"],
        iro=people["other_iro"],
        child=ChildFactory(first_name="Liam", last_name="Southgate"),
    )
    liam_records = record_every_kind(liam, by=people["south_social_worker"])
    for built in (kayla, liam):
        built.refresh_from_db()
    return SimpleNamespace(
        people=people,
        teams=teams,
        cases={
            "north": furnish(
                kayla,
                kayla_records,
                social_worker=people["social_worker"],
                team_manager=people["team_manager"],
                iro=people["iro"],
                recommendation_owner=people["colleague"],
            ),
            "south": furnish(
                liam,
                liam_records,
                social_worker=people["south_social_worker"],
                team_manager=people["south_manager"],
                iro=people["other_iro"],
                recommendation_owner=people["south_social_worker"],
            ),
        },
    )


def kept_for_the_module(build: Callable, django_db_blocker):
    """The world `build` makes, in a transaction kept open for the module and
    rolled back at its end (a generator for a module-scoped fixture)."""
    with (
        time_machine.travel(NOON_10_MARCH_2026),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        built = build()
        for each in built.cases.values():
            each.case.refresh_from_db()
        built.payloads = {}
        built.payload = lambda where, name, variant: payload(built, where, name, variant)
        built.clients = signed_in_clients(built)
        yield built
        transaction.set_rollback(True)


def signed_in_clients(w) -> dict[str, Client]:
    """A browser for each person, signed in once for the module: their sessions
    are made in the module's transaction, so they outlive each test's savepoint."""
    clients = {"anonymous": Client()}
    for who, user in w.people.items():
        clients[who] = Client()
        clients[who].force_login(user)
    return clients


def browser_of(w, who: str) -> Client:
    """The person's signed-in browser, without what a test before left in it
    (a message shown after a save)."""
    client = w.clients[who]
    client.cookies.pop(CookieStorage.cookie_name, None)
    return client


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Everyone and both cases, in a transaction kept open for the module and
    rolled back at its end."""
    yield from kept_for_the_module(build_world, django_db_blocker)


@pytest.fixture
def as_who(db, world):
    return lambda who: browser_of(world, who)


# What a permitted person would post: the form the page offers them, filled in


def form_data(form) -> dict:
    """A form's current values as a browser posts them."""
    data = {}
    for bound in form:
        widget, value, name = bound.field.widget, bound.value(), bound.html_name
        if isinstance(widget, forms.MultiWidget):
            parts = value if isinstance(value, list | tuple) else widget.decompress(value)
            data.update({f"{name}_{i}": "" if p is None else str(p) for i, p in enumerate(parts)})
        elif isinstance(widget, forms.CheckboxInput):
            if value:
                data[name] = "on"
        elif getattr(widget, "allow_multiple_selected", False):
            data[name] = [str(v) for v in value or []]
        else:
            data[name] = "" if value is None else str(value)
    return data


def forms_on(response) -> list:
    found = {}
    for context in response.context or []:
        for layer in context.dicts:
            for value in layer.values():
                if isinstance(value, forms.BaseForm | BaseFormSet):
                    found[id(value)] = value
    return list(found.values())


def typed(values: dict) -> dict:
    data = {}
    for name, value in values.items():
        if isinstance(value, datetime.date):
            data.update({f"{name}_0": value.day, f"{name}_1": value.month, f"{name}_2": value.year})
        else:
            data[name] = value
    return {name: str(value) for name, value in data.items()}


def first_permitted(rule: Rule, w, where: str, variant) -> str | None:
    """Whose form to post; None when no one may post it on this case (no head of
    service is allocated to Liam's; nobody writes to a closed case), and then
    only the typed values are posted."""
    return next(
        (
            who
            for who in PEOPLE
            if who != "anonymous" and permitted(rule, "post", w, who, where, variant)
        ),
        None,
    )


def payload(w, where: str, name: str, variant) -> dict:
    """Cached: the pages show the same forms in every test, as the world is the same."""
    key = (where, name, variant)
    if key not in w.payloads:
        rule = RULES[name]
        data = {}
        address = dict(rule.addresses(w, where))[variant]
        reader_who = first_permitted(rule, w, where, variant)
        if rule.get is not None and reader_who:
            reader = Client()
            reader.force_login(w.people[reader_who])
            response = reader.get(address)
            assert response.status_code == 200, (name, variant, response.status_code)
            for shown in forms_on(response):
                if isinstance(shown, BaseFormSet):
                    data.update(form_data(shown.management_form))
                    for row in shown.forms:
                        data.update(form_data(row))
                else:
                    data.update(form_data(shown))
        if rule.fill:
            data.update(typed(rule.fill(w, where, variant)))
        w.payloads[key] = data
    return w.payloads[key]


# What may change: the contents of every table


def _not_compared() -> dict:
    """Tables a refused request may write to, each for a reason: logs of looking
    and signing in, not changes to anything."""
    from axes.models import AccessAttempt, AccessAttemptExpiration, AccessFailureLog, AccessLog
    from django.contrib.sessions.models import Session

    return {
        CaseView: "who opened a case: opening a page (even a refused form) records it",
        Session: "the signed-in session",
        AccessAttempt: "sign-in attempts (django-axes)",
        AccessAttemptExpiration: "sign-in attempts (django-axes)",
        AccessFailureLog: "sign-in attempts (django-axes)",
        AccessLog: "sign-ins (django-axes)",
    }


# Signing in notes the time (the tests sign people in, force_login too): a note
# of signing in, not a change made by the request being tried.
NOT_COMPARED_COLUMNS = {(User, "last_login")}

_CONTENTS_SQL: dict[str, tuple[list[str], str]] = {}


def _contents_query() -> tuple[list[str], str]:
    """One query reading every compared table whole, each as one JSON text of its
    rows in primary-key order: every model of every app (many-to-many tables
    included, such as which teams a head of service oversees), history and all."""
    vendor = connection.vendor
    if vendor not in _CONTENTS_SQL:
        skipped = {model._meta.db_table for model in _not_compared()}
        tables: dict[str, object] = {}
        for model in apps.get_models(include_auto_created=True):
            meta = model._meta
            if meta.proxy or not meta.managed or meta.db_table in skipped:
                continue
            tables.setdefault(meta.db_table, meta)
        quote_name = connection.ops.quote_name
        parts = []
        for table, meta in sorted(tables.items()):
            columns = ", ".join(
                quote_name(f.column)
                for f in meta.concrete_fields
                if (meta.model, f.name) not in NOT_COMPARED_COLUMNS
            )
            order = quote_name(meta.pk.column)
            if vendor == "postgresql":
                # Digested on the server: only 32 characters a table come back.
                parts.append(
                    f"(SELECT md5(json_agg(json_build_array({columns}) ORDER BY {order})::text) "
                    f"FROM {quote_name(table)})"
                )
            else:
                parts.append(
                    f"(SELECT json_group_array(json_array({columns})) FROM "
                    f"(SELECT {columns} FROM {quote_name(table)} ORDER BY {order}))"
                )
        _CONTENTS_SQL[vendor] = (sorted(tables), "SELECT " + ", ".join(parts))
    return _CONTENTS_SQL[vendor]


def table_contents() -> dict[str, str]:
    """What every compared table holds, by table."""
    names, sql = _contents_query()
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip(names, cursor.fetchone(), strict=True))


def as_built(w) -> dict[str, str]:
    """What every compared table holds in the world as built: what it holds at
    the start of every test (each runs in a savepoint rolled back after it)."""
    if not hasattr(w, "tables_as_built"):
        w.tables_as_built = table_contents()
    return w.tables_as_built


def changed_tables(before: dict, after: dict) -> list[str]:
    return [table for table in before if before[table] != after[table]]


# What a page names


def hidden_children(w, who: str) -> list[str]:
    """The children whose cases this person may not see (policy.may_see_case)."""
    user = user_of(w, who)
    return [b.child_name for b in w.cases.values() if not policy.may_see_case(user, b.case)]


def names_in(body: str, children: list[str]) -> list[str]:
    """The children named in the page: by full name, or by first name as a word
    (every child of the world has a first name no one else has)."""
    return [
        child
        for child in children
        if child in body or re.search(rf"\b{re.escape(child.split()[0])}\b", body)
    ]


# The matrix


def matrix(method: str):
    cases = []
    for name, rule in RULES.items():
        if method == "post" and rule.post is None:
            continue
        for where in rule.wheres:
            for who in PEOPLE:
                cases.append(pytest.param(name, who, where, id=f"{name}-{who}-{where}"))
    return cases


def expected(rule: Rule, method: str, w, who: str, where: str, variant, answer):
    if who == "anonymous" and not rule.public:
        return 302
    if (rule.get if method == "get" else rule.post) is None:
        return 405
    if permitted(rule, method, w, who, where, variant):
        return answer
    if rule.refused_to:
        return 302
    if rule.scope == "case" and not policy.may_see_case(user_of(w, who), w.cases[where].case):
        return HIDDEN
    return REFUSED


def check(response, rule: Rule, who: str, where: str, address: str, status, hidden: list[str]):
    label = (who, where, address)
    if isinstance(status, int):
        assert response.status_code == status, label
    else:
        assert response.status_code in status, label
    if response.status_code == 302 and who == "anonymous" and not rule.public:
        # The admin's index sends people to its own sign-in page, its other pages
        # (like every page of the site) to the site's.
        sign_in = {reverse("login"), reverse(rule.refused_to or "login")}
        assert response["Location"] in {f"{s}?next={quote(address)}" for s in sign_in}, label
    elif response.status_code == 302 and rule.refused_to and status == 302:
        assert response["Location"].startswith(reverse(rule.refused_to)), label
    body = response.content.decode(errors="replace")
    named = names_in(body, hidden)
    assert not named, f"{address} names {named} to {who}, who may not see their cases"
    if response.status_code == REFUSED:
        assert "You cannot do this" in body, label


def try_get(client, w, name: str, who: str, where: str, *, variants=None) -> None:
    """Fetch every variant of the rule (or those in `variants`) as `who`."""
    rule = RULES[name]
    hidden = hidden_children(w, who)
    for variant, address in rule.addresses(w, where):
        if variants is not None and variant not in variants:
            continue
        status = expected(rule, "get", w, who, where, variant, rule.get_answer)
        response = client.get(address)
        check(response, rule, who, where, address, status, hidden)


def try_post(
    client, w, name: str, who: str, where: str, *, any_answer: bool = False, variants=None
) -> None:
    """Post every variant of the rule (or those in `variants`) as `who`, at the
    start of a test. `any_answer`: a permitted post may save (302) or show the
    form again (200), for cases whose stage the rule's answers were not written for.

    Each permitted post runs in a savepoint rolled back after it. The refused
    ones run one after another in one savepoint: if none changes anything the
    tables are as built at the end; if they are not, each is tried alone to
    name the one that changed them."""
    rule = RULES[name]
    hidden = hidden_children(w, who)
    addresses = [
        (variant, address)
        for variant, address in rule.addresses(w, where)
        if variants is None or variant in variants
    ]
    datas = {v: w.payload(where, name, v) if rule.scope != "site" else {} for v, _ in addresses}
    built = as_built(w)

    def allowed(variant) -> bool:
        return who != "anonymous" and permitted(rule, "post", w, who, where, variant)

    refused = [(v, address) for v, address in addresses if not allowed(v)]
    with transaction.atomic():
        answers = [client.post(address, datas[v]) for v, address in refused]
        after = table_contents()
        transaction.set_rollback(True)
    for (variant, address), response in zip(refused, answers, strict=True):
        status = expected(rule, "post", w, who, where, variant, 0)
        check(response, rule, who, where, address, status, hidden)
    if changed_tables(built, after):
        for variant, address in refused:
            with transaction.atomic():
                client.post(address, datas[variant])
                changed = changed_tables(built, table_contents())
                transaction.set_rollback(True)
            assert not changed, f"a refused post to {address} by {who} changed {changed}"
        raise AssertionError(
            f"refused posts by {who} together changed {changed_tables(built, after)}"
        )

    for variant, address in addresses:
        if not allowed(variant):
            continue
        data = datas[variant]
        with transaction.atomic():
            response = client.post(address, data)
            after = table_contents()
            transaction.set_rollback(True)  # keep each variant's post from the next
        answers = SAVED_OR_SHOWN_AGAIN if any_answer else rule.post_answers
        if isinstance(answers, dict):
            answers = answers[variant]
        check(response, rule, who, where, address, answers, hidden)
        if response.status_code == 302 and data:
            assert after != built, f"a permitted post to {address} changed nothing"


@pytest.mark.parametrize(("name", "who", "where"), matrix("get"))
def test_get(as_who, world, name, who, where):
    try_get(as_who(who), world, name, who, where)


@pytest.mark.parametrize(("name", "who", "where"), matrix("post"))
def test_post(as_who, world, name, who, where):
    try_post(as_who(who), world, name, who, where)


# Another case's record, under a case the person may change


def record_rules() -> list[str]:
    return [name for name, rule in RULES.items() if getattr(rule.addresses, "record_key", None)]


def crossed(w, name: str, where: str, other: str) -> list[tuple]:
    """The rule's addresses under `where`'s case with `other`'s record ids; for a
    goal review, also `where`'s own goal with `other`'s review of its goal."""
    rule = RULES[name]
    addresses = list(rule.addresses(w, where, records=w.cases[other]))
    if rule.addresses.record_key == "goal_review":
        own, theirs = w.cases[where], w.cases[other]
        args = [own.case.pk, own.pks["goal"][0], theirs.pks["goal_review"][1]]
        addresses.append((None, reverse(name, args=args)))
    return addresses


@pytest.mark.parametrize("where,other", [("north", "south"), ("south", "north")])
@pytest.mark.parametrize("name", record_rules())
def test_another_cases_record_under_a_case_one_may_act_on_is_not_found(
    db, world, name, where, other
):
    """Everyone the policy lets act on the record of their own case, given the
    same address with the other case's record id (every kind of record, every
    edit address; nothing is deleted through the pages): not found, and nothing
    changes, whether they look (GET) or post."""
    rule = RULES[name]
    own = dict(rule.addresses(world, where))
    tried = 0
    if rule.post is not None:
        for variant in own:
            world.payload(where, name, variant)  # read before any table is compared
    before = as_built(world)
    for who in sorted(SIGNED_IN):
        client = browser_of(world, who)
        for variant, address in crossed(world, name, where, other):
            if not permitted(
                rule, "post" if rule.get is None else "get", world, who, where, variant
            ):
                continue
            assert address != own[variant]
            tried += 1
            if rule.get is not None:
                assert client.get(address).status_code == HIDDEN, (who, address)
            if rule.post is not None:
                data = world.payload(where, name, variant)
                with transaction.atomic():
                    response = client.post(address, data)
                    after = table_contents()
                    transaction.set_rollback(True)
                assert response.status_code == HIDDEN, (who, address)
                assert not changed_tables(before, after), (who, address)
    assert tried, f"nobody may act on {name} on the {where} case"


def household_member_fields() -> list[tuple[str, str]]:
    """(record kind, field) for each add form that names a household member."""
    found = []
    for kind in KINDS:
        form = RECORD_TYPES[kind].form
        for field_name in form._meta.fields:
            model_field = form._meta.model._meta.get_field(field_name)
            if getattr(model_field, "related_model", None) is FamilyMember:
                found.append((kind, field_name))
    return found


@pytest.mark.parametrize(("kind", "field_name"), household_member_fields())
@pytest.mark.parametrize("who", ["social_worker", "team_manager"])
def test_a_record_cannot_be_added_for_another_cases_household_member(
    db, world, kind, field_name, who
):
    """A record added under Kayla's case naming a member of Liam's household by
    id is refused with the form's error, and nothing changes."""
    client = browser_of(world, who)
    theirs = world.cases["south"].case.family_members.order_by("pk").first()
    address = reverse("cases:add_record", args=[world.cases["north"].case.pk, kind])
    data = dict(world.payload("north", "cases:edit_record", kind), **{field_name: str(theirs.pk)})
    before = as_built(world)
    with transaction.atomic():
        response = client.post(address, data)
        after = table_contents()
        transaction.set_rollback(True)

    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not changed_tables(before, after)
