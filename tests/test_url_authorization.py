"""Who gets what answer from every address of the application.

RULES below is the one table of who may fetch (GET) and who may post (POST) each
URL of the application; the tests walk the URL configuration and fail when an
address has no rule, or a rule names an address that no longer exists. Every
rule is then tried for every person, on a case in the person's own team (North,
Kayla's) and on one in another team (South, Liam's):

- allowed: the page (200), or a redirect where the page redirects by design;
- the case is not theirs to see: 404, with not even the child's name shown;
- they may see the case but their role may not do this: REFUSED, 403, with a
  page saying so (cases/policy.py, tests/test_access.py); so too a page of the
  whole site (or of a team) their role has no part in, where no case is named;
- signed out: sent to sign in.

A refused POST must change nothing: the number of rows of every table of the
case record (history included, so an edit shows) is the same afterwards.

The people and both cases are built once for the module, in a transaction rolled
back at its end; each test runs in a savepoint of it.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django import forms
from django.apps import apps
from django.db import connection, transaction
from django.forms.formsets import BaseFormSet
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from cases import services as case_services
from cases.models import CaseView, Role
from cases.models.codes import CARE_PLAN_APPROVER, CARE_PLAN_ORDER, next_care_plan_step
from cases.records import RECORD_TYPES
from planning.models import AgreementGoal, GoalReview, PlanningMeeting, WrittenAgreement
from reunification.clock import today
from reviews.aftercare import statutory
from reviews.journey import decisions as journey
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

CHILDREN = {"north": "Kayla Brightwater", "south": "Liam Southgate"}


def relation(who: str, where: str) -> str:
    return PEOPLE[who].get(where, STRANGER)


# The addresses each rule is tried on: (variant, url) pairs, given the world and
# "north" or "south" ("-" for the pages of the whole site).


def case_page(name: str) -> Callable:
    return lambda w, where: [(None, reverse(name, args=[w.cases[where].case.pk]))]


def with_record(name: str, key: str) -> Callable:
    def addresses(w, where):
        c = w.cases[where]
        return [(None, reverse(name, args=[c.case.pk, *c.pks[key]]))]

    return addresses


def record_pages(action: str) -> Callable:
    def addresses(w, where):
        c = w.cases[where]
        if action == "add":
            return [(kind, reverse("cases:add_record", args=[c.case.pk, kind])) for kind in KINDS]
        return [
            (kind, reverse("cases:edit_record", args=[c.case.pk, kind, c.pks[kind]]))
            for kind in KINDS
        ]

    return addresses


def care_plan_steps(w, where):
    pk = w.cases[where].case.pk
    return [(step, reverse("reviews:approve", args=[pk, step])) for step in CARE_PLAN_APPROVERS]


def team_page(w, where):
    return [(None, reverse("cases:team_detail", args=[w.teams[where].pk]))]


def site_page(name: str, *args) -> Callable:
    return lambda w, where: [(None, reverse(name, args=list(args)))]


def literal(address: str) -> Callable:
    return lambda w, where: [(None, address)]


KINDS = sorted(RECORD_TYPES)
# Who approves each step, from the one fact in cases codes (the role held on the case).
_WHO_HOLDS = {Role.TEAM_MANAGER: MANAGER, Role.HEAD_OF_SERVICE: HEAD, Role.IRO: CASE_IRO}
CARE_PLAN_APPROVERS = {step: {_WHO_HOLDS[role]} for step, role in CARE_PLAN_APPROVER.items()}


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
    """Who may use one address. `get` and `post` hold relations to the case (or
    team) for scope "case" and "team", and names of people for scope "site";
    either may map variants (a kind of record, a care plan step) to their own.
    `get` None: the address takes only POST (405 to a GET). `post` None: nothing
    is changed through it, so no POST is tried."""

    scope: str
    addresses: Callable
    get: frozenset | dict | None
    post: frozenset | dict | None = None
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

    def refusal(self, who, where) -> int:
        if self.scope == "case" and relation(who, where) not in SEE:
            return HIDDEN
        return REFUSED


def case_rule(addresses, get, post=None, **kwargs) -> Rule:
    return Rule("case", addresses, get, post, **kwargs)


def site_rule(addresses, get, post=None, **kwargs) -> Rule:
    return Rule("site", addresses, get, post, **kwargs)


CHANGER_FORM = {"get": CHANGE, "post": CHANGE}
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
        site_page("cases:new"), TEAM_MANAGERS, TEAM_MANAGERS, post_answers=SHOWN_AGAIN
    ),
    "cases:team": site_rule(site_page("cases:team"), MANAGERS),
    "cases:team_detail": Rule("team", team_page, {MANAGER, HEAD, DIRECTOR}),
    "cases:overview": case_rule(case_page("cases:overview"), SEE),
    "cases:audit": case_rule(case_page("cases:audit"), {MANAGER, HEAD, DIRECTOR}),
    "cases:edit_child": case_rule(case_page("cases:edit_child"), **CHANGER_FORM),
    "cases:edit_case": case_rule(case_page("cases:edit_case"), **CHANGER_FORM),
    "cases:allocate": case_rule(
        case_page("cases:allocate"), ONLY_MANAGER, ONLY_MANAGER, fill=allocate_the_other_iro
    ),
    "cases:add_record": case_rule(
        record_pages("add"),
        **CHANGER_FORM,
        post_answers=SAVED_OR_SHOWN_AGAIN,
        fill=the_existing_record,
    ),
    "cases:edit_record": case_rule(record_pages("edit"), **CHANGER_FORM),
    # The risk classification tool
    "risk:overview": case_rule(case_page("risk:overview"), SEE),
    "risk:new": case_rule(case_page("risk:new"), **CHANGER_FORM, fill=fill(assessed_on=on())),
    "risk:detail": case_rule(with_record("risk:detail", "draft"), SEE),
    "risk:edit": case_rule(with_record("risk:edit", "draft"), **CHANGER_FORM),
    "risk:submit": case_rule(
        with_record("risk:submit", "draft"),
        None,
        CHANGE,
        fill=fill(confirmed_level="medium", rationale="The tool and my judgement agree."),
    ),
    "risk:decide": case_rule(
        with_record("risk:decide", "submitted"), None, ONLY_MANAGER, fill=fill(decision="sign_off")
    ),
    # Support and planning
    "planning:overview": case_rule(case_page("planning:overview"), SEE),
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
        post_answers=SHOWN_AGAIN,  # under section 20 there is nothing to approve
        fill=fill(approved_on=on(), notes="Placement plan seen."),
    ),
    # The journey and its decisions
    "reviews:journey": case_rule(case_page("reviews:journey"), SEE),
    "reviews:approve": case_rule(
        care_plan_steps,
        CARE_PLAN_APPROVERS,
        CARE_PLAN_APPROVERS,
        # Only the first step can be taken now; the others wait for it.
        post_answers={
            step: {302} if step == next_care_plan_step(set()) else SHOWN_AGAIN
            for step in CARE_PLAN_ORDER
        },
        fill=fill(approved_on=on(), cic_review_on=on(), rationale="Agreed in supervision."),
    ),
    "reviews:start_assessment": case_rule(case_page("reviews:start_assessment"), None, CHANGE),
    "reviews:consultation": case_rule(
        case_page("reviews:consultation"),
        ONLY_MANAGER,
        ONLY_MANAGER,
        post_answers=SHOWN_AGAIN,
        fill=fill(held_on=on(), outcome="suited", rationale="Medium risk."),
    ),
    "reviews:not_pursued": case_rule(
        case_page("reviews:not_pursued"),
        ONLY_MANAGER,
        ONLY_MANAGER,
        post_answers=SHOWN_AGAIN,
        fill=fill(
            decided_on=on(),
            explained_to_child_on=on(),
            explained_to_family_on=on(),
            rationale="High risk.",
            care_plan_now="Long-term fostering.",
        ),
    ),
    "reviews:confirmation": case_rule(case_page("reviews:confirmation"), None, CHANGE),
    "reviews:meeting": case_rule(
        case_page("reviews:meeting"),
        ONLY_MANAGER,
        ONLY_MANAGER,
        post_answers=SHOWN_AGAIN,
        fill=fill(held_on=on(), outcome="not_pursued", rationale="No progress."),
    ),
    "reviews:dispute": case_rule(
        case_page("reviews:dispute"),
        CASE_PEOPLE,
        CASE_PEOPLE,
        fill=fill(raised_on=on(), route="drp", subject="Family time."),
    ),
    "reviews:resolve": case_rule(
        with_record("reviews:resolve", "dispute"),
        CASE_PEOPLE,
        CASE_PEOPLE,
        fill=fill(resolved_on=on(), resolution="Agreed at a meeting."),
    ),
    # Return home, reviews and visits
    "reviews:aftercare": case_rule(case_page("reviews:aftercare"), SEE),
    "reviews:return_home": case_rule(
        case_page("reviews:return_home"),
        **CHANGER_FORM,
        fill=fill(
            returned_on=on(),
            planned="no",
            unplanned_reason="She walked home.",
            returned_to="Her mother",
            legal_status_after="child_in_need",
            episode_end_reason="E4B",
        ),
    ),
    "reviews:breakdown": case_rule(
        case_page("reviews:breakdown"),
        **CHANGER_FORM,
        post_answers=SHOWN_AGAIN,  # there was no return home to break down
        fill=fill(came_back_on=on(), reason="Mother relapsed."),
    ),
    "reviews:close": case_rule(
        case_page("reviews:close"),
        **CHANGER_FORM,
        post_answers=SHOWN_AGAIN,  # a case closes only after a return or a decision
        fill=fill(closed_on=on(), reason="sustained_low"),
    ),
    "reviews:review": case_rule(
        case_page("reviews:review"),
        CHANGE | {CASE_IRO},
        CHANGE | {CASE_IRO},
        fill=a_review_chaired_by_the_iro,
    ),
    "reviews:visit": case_rule(
        case_page("reviews:visit"), **CHANGER_FORM, fill=fill(visited_on=on(), seen_alone="yes")
    ),
    # The recommendation is Colin Reed's (in North), so he may mark it done too.
    "reviews:recommendation_done": case_rule(
        with_record("reviews:recommendation_done", "recommendation"),
        CHANGE | {CASE_IRO, COLLEAGUE},
        CHANGE | {CASE_IRO, COLLEAGUE},
        fill=fill(done_on=on()),
    ),
    # The rest of the site
    "waiting_for_me": site_rule(site_page("waiting_for_me"), SIGNED_IN),
    "my_tasks": site_rule(site_page("my_tasks"), SIGNED_IN),
    "team_tasks": site_rule(site_page("team_tasks"), MANAGERS),
    "reporting:caseload": site_rule(site_page("reporting:caseload"), MANAGERS | STAFF),
    "reporting:outcomes": site_rule(site_page("reporting:outcomes"), MANAGERS | STAFF),
    "reporting:ssda903": site_rule(site_page("reporting:ssda903"), MANAGERS | STAFF),
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
    # to the admin's own sign-in page.
    "admin": site_rule(site_page("admin:index"), STAFF, refused_to="admin:login"),
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


def test_each_case_is_seen_only_by_the_people_the_table_says(db, world):
    """The table's relations agree with who may see each case (cases/policy.py)."""
    from cases import policy

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


def furnish(case, *, social_worker, team_manager, iro, recommendation_owner) -> BuiltCase:
    """One record of every kind, and something for every page of the case to show:
    a draft risk assessment and one waiting for sign-off, a planning meeting, a
    written agreement with a goal and its review, an open disagreement and an IRO
    recommendation still to do."""
    one_record_of_every_kind(case, by=social_worker)
    parents_with_responsibility(case)  # so the parent's views can be changed
    pks = {kind: RECORD_TYPES[kind].queryset(case).get().pk for kind in KINDS}
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
            {"text": "Life story work", "owner": recommendation_owner, "due_on": day(-30)}
        ],
    )
    pks.update(
        draft=[draft.pk],
        submitted=[submitted.pk],
        meeting=[meeting.pk],
        agreement=[agreement.pk],
        goal=[goal.pk],
        goal_review=[goal.pk, goal_review.pk],
        dispute=[dispute.pk],
        recommendation=[review.recommendations.get().pk],
    )
    return BuiltCase(case=case, pks=pks)


def build_world() -> SimpleNamespace:
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
    kayla = open_case(
        team_manager=people["team_manager"],
        social_worker=people["social_worker"],
        iro=people["iro"],
        child=ChildFactory(first_name="Kayla", last_name="Brightwater"),
    )
    case_services.allocate(
        case=kayla,
        role=Role.HEAD_OF_SERVICE,
        user=people["head_of_service"],
        by=people["team_manager"],
    )
    liam = open_case(
        team_manager=people["south_manager"],
        social_worker=people["south_social_worker"],
        iro=people["other_iro"],
        child=ChildFactory(first_name="Liam", last_name="Southgate"),
    )
    for built in (kayla, liam):
        built.refresh_from_db()
    return SimpleNamespace(
        people=people,
        teams={"north": north, "south": south},
        cases={
            "north": furnish(
                kayla,
                social_worker=people["social_worker"],
                team_manager=people["team_manager"],
                iro=people["iro"],
                recommendation_owner=people["colleague"],
            ),
            "south": furnish(
                liam,
                social_worker=people["south_social_worker"],
                team_manager=people["south_manager"],
                iro=people["other_iro"],
                recommendation_owner=people["south_social_worker"],
            ),
        },
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Everyone and both cases, in a transaction kept open for the module and
    rolled back at its end."""
    with (
        time_machine.travel(NOON_10_MARCH_2026),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        built = build_world()
        built.payloads = {}
        built.payload = lambda where, name, variant: payload(built, where, name, variant)
        yield built
        transaction.set_rollback(True)


@pytest.fixture
def as_who(db, world, client):
    def sign_in(who: str) -> Client:
        if who != "anonymous":
            client.force_login(world.people[who])
        return client

    return sign_in


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


def first_permitted(rule: Rule, where: str, variant) -> str | None:
    """Whose form to post; None when no one may post it on this case (no head of
    service is allocated to Liam's), and then only the typed values are posted."""
    permitted = (who for who in PEOPLE if rule.allows(rule.post, who, where, variant))
    return next(permitted, None)


def payload(w, where: str, name: str, variant) -> dict:
    """Cached: the pages show the same forms in every test, as the world is the same."""
    key = (where, name, variant)
    if key not in w.payloads:
        rule = RULES[name]
        data = {}
        address = dict(rule.addresses(w, where))[variant]
        reader_who = first_permitted(rule, where, variant)
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


# What may change: every table of the case record, its history included


RECORD_APPS = ("cases", "risk", "planning", "reviews")


def row_counts() -> tuple[int, ...]:
    """The number of rows in each table, in one query."""
    tables = [
        connection.ops.quote_name(model._meta.db_table)
        for app in RECORD_APPS
        for model in apps.get_app_config(app).get_models()
        if model is not CaseView  # looking is recorded, and is not a change
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {table})" for table in tables))
        return tuple(cursor.fetchone())


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


def expected(rule: Rule, allowed, who: str, where: str, variant, answer: int) -> int:
    if who == "anonymous" and not rule.public:
        return 302
    if allowed is None:
        return 405
    if rule.allows(allowed, who, where, variant):
        return answer
    return 302 if rule.refused_to else rule.refusal(who, where)


def check(response, rule: Rule, who: str, where: str, address: str, status: int):
    label = (who, where, address)
    assert response.status_code == status, label
    if status == 302 and who == "anonymous" and not rule.public:
        sign_in = reverse(rule.refused_to or "login")
        assert response["Location"] == f"{sign_in}?next={quote(address)}", label
    elif status == 302 and rule.refused_to and not rule.allows(rule.get, who, where, None):
        assert response["Location"].startswith(reverse(rule.refused_to)), label
    if status in (HIDDEN, REFUSED):
        body = response.content.decode()
        for child in CHILDREN.values():
            assert child not in body, label
    if status == REFUSED:
        assert "You cannot do this" in response.content.decode(), label


@pytest.mark.parametrize(("name", "who", "where"), matrix("get"))
def test_get(as_who, world, name, who, where):
    rule = RULES[name]
    client = as_who(who)

    for variant, address in rule.addresses(world, where):
        status = expected(rule, rule.get, who, where, variant, rule.get_answer)
        response = client.get(address)
        check(response, rule, who, where, address, status)


@pytest.mark.parametrize(("name", "who", "where"), matrix("post"))
def test_post(as_who, world, name, who, where):
    rule = RULES[name]
    client = as_who(who)

    for variant, address in rule.addresses(world, where):
        data = world.payload(where, name, variant) if rule.scope != "site" else {}
        permitted = who != "anonymous" and rule.allows(rule.post, who, where, variant)
        before = row_counts()
        with transaction.atomic():
            response = client.post(address, data)
            after = row_counts()
            transaction.set_rollback(True)  # keep each variant's post from the next
        if permitted:
            answers = rule.post_answers
            if isinstance(answers, dict):
                answers = answers[variant]
            assert response.status_code in answers, (who, where, address)
            if response.status_code == 302 and data:
                assert after != before, f"a permitted post to {address} changed nothing"
        else:
            status = expected(rule, rule.post, who, where, variant, 0)
            check(response, rule, who, where, address, status)
            assert after == before, f"a refused post to {address} changed something"
