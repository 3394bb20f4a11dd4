"""Every form page, posted random and hostile values (property-based, Hypothesis).

For each page that takes a form (the add and edit pages, every record type of the
generic record pages, the decisions, approvals and journey steps, signing in),
the person who may use it opens it, and Hypothesis posts what was on the page
with any field kept, left out, or replaced by something hostile: NUL and other
control characters, very long text, HTML and script, SQL, any unicode; dates
that do not exist, far past and far future, in words; huge, negative and
non-numeric numbers; answers that are not among the choices; unknown fields.

Whatever is posted, the page either shows the form again with a GOV.UK error
summary and nothing written, or saves and redirects with every record it wrote
or changed passing its model's full_clean(). Never a server error. Each example
runs in a savepoint that is rolled back, so every one starts from the same case.
"""

import datetime
import re
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.db import connection, transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, event, given, note
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from simple_history.models import HistoricalChanges

from cases.models import CaseView, Stage
from cases.records import RECORD_TYPES
from planning.models import GoalReview
from reunification.clock import today
from reviews.aftercare import return_home, statutory
from reviews.journey import decisions as services
from reviews.supervision import services as supervision_services
from risk.models import RiskAssessment, RiskFactorEntry
from tests.factories import (
    RISK_ANSWERS,
    approve_ceasing_care,
    assessment_records,
    journey_beyond,
    journey_to,
    parents_with_responsibility,
    planning_records,
    put_on_care_order,
    signed_off_risk_assessment,
    submitted_risk_assessment,
)
from tests.html_forms import Form, page_form

pytestmark = pytest.mark.usefixtures("on_10_march_2026")

EXAMPLES = 20
PROJECT_APPS = ("cases", "risk", "planning", "reviews", "reporting")
# Written on every visit to a case page, whatever the outcome: not a record.
ACCESS_LOG = {CaseView}

# Pages of the URL conf without a form to post.
NOT_FORMS = {
    "cases:my_cases",
    "cases:team",
    "cases:team_detail",
    "cases:overview",
    "cases:audit",
    "risk:overview",
    "risk:detail",
    "planning:overview",
    "planning:family_document",
    "reviews:journey",
    "reviews:aftercare",
    "reviews:after_return",
    "reviews:supervision",
    "reporting:caseload",
    "reporting:outcomes",
    "reporting:ssda903",
    "reporting:ssda903_prepared",
    "reporting:downloads",
    "reporting:service_gaps",
    "waiting_for_me",
    "my_tasks",
    "team_tasks",
    "keep_session_alive",
    "healthcheck",
    "logout",
    "password_reset_done",
    "password_reset_complete",
}


# The pages -------------------------------------------------------------------


@dataclass
class Page:
    who: str | None  # the fixture naming who posts; None when signed out
    post: str
    show: str | None = None  # the page the form is on, when it posts elsewhere
    fields: bool = True  # False for a button alone (a journey step)
    answers: dict = field(default_factory=dict)  # what makes the form valid, where needed
    answers_from: str | None = None  # or a page whose form holds valid answers


PAGES = {}


def page(name):
    def register(setup):
        PAGES[name] = setup
        return setup

    return register


def url(name, *args) -> str:
    return reverse(name, args=args)


def day_parts(name: str, day: datetime.date) -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def with_records(fx):
    """Kayla's case with a record behind every add and edit page."""
    case, people = fx("case"), fx("people")
    parents_with_responsibility(case)
    planning_records(case, team_manager=people.team_manager)
    goal = case.written_agreements.get().goals.get()
    GoalReview.objects.create(goal=goal, reviewed_on=today(), outcome="partly", evidence="Two")
    RiskAssessment.objects.create(case=case, author=people.social_worker, assessed_on=today())
    return case


def _add_record(slug):
    def setup(fx):
        case = with_records(fx)
        record = RECORD_TYPES[slug].queryset(case).order_by("pk").first()
        same_kind = url("cases:edit_record", case.pk, slug, record.pk)
        return Page("social_worker", url("cases:add_record", case.pk, slug), answers_from=same_kind)

    return setup


def _edit_record(slug):
    def setup(fx):
        case = with_records(fx)
        record = RECORD_TYPES[slug].queryset(case).order_by("pk").first()
        return Page("social_worker", url("cases:edit_record", case.pk, slug, record.pk))

    return setup


for _slug in RECORD_TYPES:
    page(f"cases:add_record[{_slug}]")(_add_record(_slug))
    page(f"cases:edit_record[{_slug}]")(_edit_record(_slug))


@page("cases:add_several[family-time-step]")
def _(fx):
    case = with_records(fx)
    return Page("social_worker", url("cases:add_several", case.pk, "family-time-step"))


@page("cases:new")
def _(fx):
    fx("case")
    return Page("team_manager", url("cases:new"), answers={"child-nhs_number": ""})


@page("cases:allocate")
def _(fx):
    case = fx("case")
    answers = {"role": "social_worker", "user": str(fx("colleague").pk)}
    return Page("team_manager", url("cases:allocate", case.pk), answers=answers)


@page("cases:edit_child")
def _(fx):
    return Page("social_worker", url("cases:edit_child", fx("case").pk), answers={"nhs_number": ""})


@page("cases:edit_case")
def _(fx):
    return Page("social_worker", url("cases:edit_case", fx("case").pk))


@page("risk:new")
def _(fx):
    return Page("social_worker", url("risk:new", fx("case").pk))


@page("risk:edit")
def _(fx):
    case = with_records(fx)
    assessment = case.risk_assessments.get(status="draft")
    return Page("social_worker", url("risk:edit", case.pk, assessment.pk))


@page("risk:submit")
def _(fx):
    case, people = fx("case"), fx("people")
    answers = dict(
        zip(
            ["risk_factors", "protective_factors", "capacity_for_change", "wishes", "recurrence"],
            RISK_ANSWERS["medium"],
            strict=True,
        )
    )
    evidence = {f"{name}_evidence": "Seen at the visits" for name in answers}
    draft = RiskAssessment.objects.create(
        case=case, author=people.social_worker, assessed_on=today(), **answers, **evidence
    )
    RiskFactorEntry.objects.create(assessment=draft, factor="neglect", status="addressed")
    return Page(
        "social_worker",
        url("risk:submit", case.pk, draft.pk),
        show=url("risk:detail", case.pk, draft.pk),
        answers={"confirmed_level": "medium"},
    )


@page("risk:decide")
def _(fx):
    case, people = fx("case"), fx("people")
    submitted = submitted_risk_assessment(case, author=people.social_worker)
    return Page(
        "team_manager",
        url("risk:decide", case.pk, submitted.pk),
        show=url("risk:detail", case.pk, submitted.pk),
    )


@page("planning:add_meeting")
def _(fx):
    return Page("social_worker", url("planning:add_meeting", with_records(fx).pk))


@page("planning:edit_meeting")
def _(fx):
    case = with_records(fx)
    return Page(
        "social_worker", url("planning:edit_meeting", case.pk, case.planning_meetings.get().pk)
    )


@page("planning:add_agreement")
def _(fx):
    case = with_records(fx)
    goal = {
        "goals-0-goal": "Mother keeps every appointment",
        "goals-0-measure": "The service's letters",
        "goals-0-responsible": "Mother",
        **day_parts("goals-0-due_on", today() + datetime.timedelta(days=60)),
    }
    return Page("social_worker", url("planning:add_agreement", case.pk), answers=goal)


@page("planning:edit_agreement")
def _(fx):
    case = with_records(fx)
    agreement = case.written_agreements.get()
    return Page("social_worker", url("planning:edit_agreement", case.pk, agreement.pk))


@page("planning:add_goal_review")
def _(fx):
    case = with_records(fx)
    goal = case.written_agreements.get().goals.get()
    return Page("social_worker", url("planning:add_goal_review", case.pk, goal.pk))


@page("planning:edit_goal_review")
def _(fx):
    case = with_records(fx)
    review = GoalReview.objects.get(goal__agreement__case=case)
    return Page(
        "social_worker", url("planning:edit_goal_review", case.pk, review.goal_id, review.pk)
    )


@page("planning:pwp_approve")
def _(fx):
    case = fx("case")
    put_on_care_order(case)
    return Page("director", url("planning:pwp_approve", case.pk))


@page("planning:not_appropriate[restorative_meeting]")
def _(fx):
    case = fx("case")  # its direct work holds no restorative meeting
    return Page(
        "social_worker",
        url("planning:not_appropriate", case.pk, "restorative_meeting"),
        answers={"reason": "She is six months old."},
    )


@page("reviews:approve[confirmed]")
def _(fx):
    return Page("team_manager", url("reviews:approve", fx("journey_case").pk, "confirmed"))


def _approved(case, people, *steps):
    approvers = {"confirmed": people.team_manager, "agreed": people.head_of_service}
    for step in steps:
        services.approve_care_plan(
            case=case, by=approvers[step], step=step, approved_on=today(), rationale="Agreed."
        )


@page("reviews:approve[agreed]")
def _(fx):
    case = fx("journey_case")
    _approved(case, fx("people"), "confirmed")
    return Page("head_of_service", url("reviews:approve", case.pk, "agreed"))


@page("reviews:approve[ratified]")
def _(fx):
    case = fx("journey_case")
    _approved(case, fx("people"), "confirmed", "agreed")
    return Page("iro", url("reviews:approve", case.pk, "ratified"))


@page("reviews:start_assessment")
def _(fx):
    case = fx("journey_case")
    _approved(case, fx("people"), "confirmed", "agreed")
    return Page("social_worker", url("reviews:start_assessment", case.pk), fields=False)


def _at(fx, stage, level="medium"):
    """The journey case at `stage`, with a risk assessment at `level` signed off there."""
    people = fx("people")
    case = journey_to(fx("journey_case"), stage, people=people)
    if stage == Stage.ASSESSMENT:
        assessment_records(case)
    signed_off_risk_assessment(
        case, author=people.social_worker, manager=people.team_manager, level=level
    )
    return case


@page("reviews:consultation")
def _(fx):
    return Page("team_manager", url("reviews:consultation", _at(fx, Stage.ASSESSMENT).pk))


@page("reviews:not_pursued")
def _(fx):
    case = _at(fx, Stage.ASSESSMENT, level="high")
    return Page("team_manager", url("reviews:not_pursued", case.pk))


@page("reviews:confirmation")
def _(fx):
    case = _at(fx, Stage.SUPPORT_PLANNING)
    planning_records(case, team_manager=fx("people").team_manager)
    return Page("social_worker", url("reviews:confirmation", case.pk), fields=False)


@page("reviews:meeting")
def _(fx):
    return Page("team_manager", url("reviews:meeting", _at(fx, Stage.CONFIRMATION).pk))


@page("reviews:dispute")
def _(fx):
    return Page("social_worker", url("reviews:dispute", fx("case").pk))


@page("reviews:resolve")
def _(fx):
    case = fx("case")
    dispute = services.raise_dispute(
        case=case, by=fx("social_worker"), raised_on=today(), route="drp", subject="Plan"
    )
    return Page("social_worker", url("reviews:resolve", case.pk, dispute.pk))


UNPLANNED = {
    "planned": "no",
    "unplanned_reason": "She walked home",
    "legal_status_after": "child_in_need",
    "episode_end_reason": "E13",
}


def _home(case, by, people):
    approve_ceasing_care(case, people=people)
    return_home.record_return_home(
        case=case,
        by=by,
        returned_on=today(),
        planned=False,
        unplanned_reason="She walked home",
        returned_to="Her mother",
        legal_status_after="child_in_need",
        episode_end_reason="E13",
    )


@page("reviews:return_home")
def _(fx):
    return Page("social_worker", url("reviews:return_home", fx("case").pk), answers=UNPLANNED)


@page("reviews:breakdown")
def _(fx):
    case = fx("case")
    _home(case, fx("social_worker"), fx("people"))
    return Page("social_worker", url("reviews:breakdown", case.pk))


@page("reviews:step_down")
def _(fx):
    case = fx("case")
    _home(case, fx("social_worker"), fx("people"))
    return Page("social_worker", url("reviews:step_down", case.pk))


@page("reviews:step_down_agree")
def _(fx):
    from reviews.aftercare import after_return

    case = fx("case")
    _home(case, fx("social_worker"), fx("people"))
    after_return.record_step_down_plan(
        case=case,
        by=fx("social_worker"),
        lead_professional="Jo Park",
        lead_professional_role="Family support worker",
        lead_professional_agency="Early Help",
        support_ends_on=today(),
    )
    return Page("team_manager", url("reviews:step_down_agree", case.pk))


@page("reviews:concern")
def _(fx):
    case = fx("case")
    _home(case, fx("social_worker"), fx("people"))
    return Page("social_worker", url("reviews:concern", case.pk))


@page("reviews:home_assessment")
def _(fx):
    case = fx("case")
    _home(case, fx("social_worker"), fx("people"))
    return Page("social_worker", url("reviews:home_assessment", case.pk))


@page("reviews:ceasing_care")
def _(fx):
    return Page("social_worker", url("reviews:ceasing_care", fx("case").pk))


@page("reviews:ceasing_care_decision")
def _(fx):
    case = fx("case")
    return_home.ask_to_cease_care(
        case=case, by=fx("social_worker"), proposed_on=today(), plan_after="Child in Need plan"
    )
    return Page("director", url("reviews:ceasing_care_decision", case.pk))


@page("reviews:reopen_assessment")
def _(fx):
    case = journey_beyond(fx("journey_case"), Stage.NOT_PURSUED, people=fx("people"))
    return Page("team_manager", url("reviews:reopen_assessment", case.pk))


@page("reviews:close")
def _(fx):
    case = fx("case")
    _home(case, fx("social_worker"), fx("people"))
    return Page(
        "team_manager", url("reviews:close", case.pk), answers={"warning_acknowledged": "on"}
    )


@page("reviews:review")
def _(fx):
    no_sooner = day_parts("next_review_requested_by", today()) | {"next_review_requested_by_2": ""}
    no_sooner = {name: "" for name in no_sooner}
    return Page("iro", url("reviews:review", fx("case").pk), answers=no_sooner)


@page("reviews:review_reunification")
def _(fx):
    case, iro = fx("case"), fx("iro")
    review = statutory.record_review(
        case=case,
        by=iro,
        held_on=today(),
        review_type="cic",
        chair=iro,
        attended="Kayla",
        outcome="The plan continues.",
    )
    return Page("iro", url("reviews:review_reunification", case.pk, review.pk))


@page("reviews:visit")
def _(fx):
    return Page("social_worker", url("reviews:visit", fx("case").pk))


@page("reviews:recommendation_done")
def _(fx):
    case, iro = fx("case"), fx("iro")
    review = statutory.record_review(
        case=case,
        by=iro,
        held_on=today(),
        review_type="cic",
        chair=iro,
        attended="Kayla, her mother",
        outcome="Plan continues",
        recommendations=[{"text": "Book the FGC", "owner": fx("social_worker"), "due_on": today()}],
    )
    recommendation = review.recommendations.get()
    return Page("iro", url("reviews:recommendation_done", case.pk, recommendation.pk))


@page("reviews:record_supervision")
def _(fx):
    return Page("team_manager", url("reviews:record_supervision", fx("case").pk))


@page("reviews:supervision_action_done")
def _(fx):
    case, manager = fx("case"), fx("team_manager")
    supervision = supervision_services.record_supervision(
        case=case,
        by=manager,
        held_on=today(),
        reflection="Progress is real but fragile.",
        decisions="Keep the plan.",
        reunification_considered=True,
        reunification_note="Considered.",
        actions=[{"text": "Refer the mother", "owner": fx("social_worker"), "due_on": today()}],
    )
    action = supervision.actions.get()
    return Page("social_worker", url("reviews:supervision_action_done", case.pk, action.pk))


@page("login")
def _(fx):
    sarah = fx("social_worker")
    sarah.set_password("a long enough password")
    sarah.save()
    answers = {"username": sarah.username, "password": "a long enough password"}
    return Page(None, url("login"), answers=answers)


@page("password_reset")
def _(fx):
    return Page(None, url("password_reset"), answers={"email": fx("social_worker").email})


@page("password_reset_confirm")
def _(fx):
    sarah = fx("social_worker")
    uid = urlsafe_base64_encode(force_bytes(sarah.pk))
    token = default_token_generator.make_token(sarah)
    # The link in the email; it moves the token into the session and redirects.
    link = url("password_reset_confirm", uid, token)
    password = "a long enough new password"
    return Page(None, link, answers={"new_password1": password, "new_password2": password})


@page("reporting:ssda903_import")
def _(fx):
    # Its fields are files: what is posted here as text never reaches the loading
    # (tests/test_ssda903_import_page.py posts the files themselves).
    return Page("performance", url("reporting:ssda903_import"))


# What is posted ---------------------------------------------------------------

CSRF = "csrfmiddlewaretoken"
LEAVE_OUT = object()

NASTY = [
    "\x00",
    "Kayla\x00Brightwater",
    "\x1b[31m\x07\x08",
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE cases_child; --",
    "' OR '1'='1",
    "{{ 7|add:7 }}{% now 'Y' %}",
    "\u202eevil\u200b\ufeff",
    "Zoë Ødegård 王秀英 محمد 👩‍👧",
    " ",
    "\r\n\t",
    "%00",
    "../../etc/passwd",
]
NUMBERS = [
    "-1",
    "0",
    "32768",
    "2147483648",
    "-9223372036854775809",
    "9223372036854775808",
    "1e3",
    "NaN",
    "Infinity",
    "0x10",
    "٣",
    "1_000",
    "7.5",
    " 7 ",
    "9" * 5000,
]
DATES = [
    ("29", "2", "2025"),
    ("29", "2", "2100"),
    ("31", "4", "2026"),
    ("1", "1", "1"),
    ("1", "1", "0001"),
    ("31", "12", "9999"),
    ("1", "1", "10000"),
    ("0", "0", "0"),
    ("32", "13", "2026"),
    ("10", "3", ""),
    ("", "", "2026"),
    ("ten", "March", "2026"),
    ("0", "0", " "),
    (" ", " ", " "),
]

text = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=30),
    st.text(st.characters(max_codepoint=0x1F), min_size=1, max_size=5),
    st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=3), st.integers(100, 4_000)),
    st.lists(st.sampled_from(NASTY) | st.text(max_size=4), min_size=2, max_size=4).map("".join),
)
number = st.sampled_from(NUMBERS) | st.integers(-(10**25), 10**25).map(str)
date = st.one_of(
    st.sampled_from(DATES),
    st.dates(datetime.date(1, 1, 1), datetime.date(9999, 12, 31)).map(
        lambda d: (str(d.day), str(d.month), str(d.year))
    ),
    st.tuples(number | text, number | text, number | text),
)


def hostile_for(control_type: str, choices: list[str]):
    if control_type in ("radio", "select"):
        offered = st.sampled_from(choices) if choices else st.nothing()
        return offered | number | text
    if control_type == "checkbox":
        return st.sampled_from(["on", "", "off", "true"]) | text
    if control_type == "number":
        return number | text
    return text | number


def date_groups(form: Form) -> dict[str, list[str]]:
    """The GOV.UK date inputs of the form: day, month and year boxes by date."""
    names = set(form.names())
    groups = {}
    for name in form.names():
        found = re.fullmatch(r"(.+)_0", name)
        if found and {f"{found[1]}_1", f"{found[1]}_2"} <= names:
            groups[found[1]] = [f"{found[1]}_{i}" for i in range(3)]
    return groups


def valid_answers(form: Form, answers: dict) -> dict:
    """What is on the page, with empty boxes outside the rows of a table filled in
    as someone would (words, today's date, the first choice), then `answers`."""
    data = form.data()  # with the CSRF token a browser always sends
    in_row = re.compile(r".+-\d+-")
    in_date = {part for parts in date_groups(form).values() for part in parts}
    for base, parts in date_groups(form).items():
        if not in_row.match(base) and not any(data.get(p) for p in parts):
            data.update(day_parts(base, today()))
    for name in form.names():
        if in_row.match(name) or name in in_date or data.get(name):
            continue
        control = form.named(name)[0]
        if control.is_text:
            data[name] = "Some words"
        elif control.type in ("radio", "select"):
            choices = [c for c in form.choices(name) if c]
            if choices:
                data[name] = choices[0]
    data.update(answers)
    return data


def posted(draw, form: Form, valid: dict) -> dict:
    """Draw what is posted: the valid answers with a few fields (a date's three
    boxes count as one), or every field, left out or made hostile; perhaps with
    fields the form does not have."""
    data = dict(valid)
    dates = date_groups(form)
    in_dates = {part for parts in dates.values() for part in parts}
    fields = list(dates) + [n for n in form.names() if n not in in_dates and n != CSRF]
    if not fields:
        changed = []
    elif draw(st.booleans(), label="change every field"):
        changed = fields
    else:
        changed = draw(st.lists(st.sampled_from(fields), max_size=3, unique=True), label="fields")
    for name in changed:
        parts = dates.get(name, [name])
        if name in dates:
            value = draw(st.just(LEAVE_OUT) | date, label=name)
        else:
            hostile = hostile_for(form.named(name)[0].type, [c for c in form.choices(name) if c])
            value = draw(st.just(LEAVE_OUT) | hostile.map(lambda v: (v,)), label=name)
        if value is LEAVE_OUT:
            for part in parts:
                data.pop(part, None)
        else:
            data.update(zip(parts, value, strict=True))
    extra = draw(st.dictionaries(st.sampled_from(["pk", "id", "case", "version", "x"]), text))
    return {**extra, **data}


# What must hold ---------------------------------------------------------------


def project_models() -> list[type]:
    return [
        model
        for name in PROJECT_APPS
        for model in apps.get_app_config(name).get_models()
        if model not in ACCESS_LOG
    ]


def snapshot() -> dict[type, tuple[int, int | None]]:
    """For each model of the project: how many rows and the highest id (in one
    query, as every example takes two)."""
    models = project_models()
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT {i}, COUNT(*), MAX({quote(m._meta.pk.column)}) FROM {quote(m._meta.db_table)}"
        for i, m in enumerate(models)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {models[i]: (count, top) for i, count, top in cursor.fetchall()}


def written_since(before) -> list:
    """Every record created, or saved (so with a new version in its history),
    since `before`."""
    records = []
    for model, (_, top) in before.items():
        newer = (
            model._default_manager.all()
            if top is None
            else model._default_manager.filter(pk__gt=top)
        )
        if issubclass(model, HistoricalChanges):
            ids = set(newer.values_list("id", flat=True))
            records += model.instance_type._default_manager.filter(pk__in=ids)
        else:
            records += newer
    return list({(type(r), r.pk): r for r in records}.values())


def error_summary_items(html: str) -> list[str]:
    summary = re.search(r'class="govuk-error-summary".*?</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", summary.group(0), re.S) if summary else []


def check(response, before) -> None:
    assert response.status_code in (200, 302), f"status {response.status_code}"
    if response.status_code == 302:
        for record in written_since(before):
            record.full_clean()
        return
    html = response.content.decode()
    assert error_summary_items(html), "the form came back without an error summary"
    assert snapshot() == before, "a refused form wrote to the database"


# The test ---------------------------------------------------------------------


def url_names(patterns=None, namespace: str = "") -> set[str]:
    names = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= url_names(pattern.url_patterns, inner)
        elif pattern.name:
            names.add(namespace + pattern.name)
    return names


def test_every_page_of_the_url_conf_is_a_form_tested_here_or_has_no_form():
    tested = {name.split("[")[0] for name in PAGES}
    assert url_names() == tested | NOT_FORMS
    assert not tested & NOT_FORMS


def test_every_record_type_is_tested_here():
    for slug in RECORD_TYPES:
        assert f"cases:add_record[{slug}]" in PAGES
        assert f"cases:edit_record[{slug}]" in PAGES


@pytest.fixture
def opened(request, settings, db):
    """opened(name): the page set up and opened by the person who uses it, as
    (client, address to post to, its form, answers that make it valid)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    def opened(name: str):
        target = PAGES[name](request.getfixturevalue)
        client = Client()
        if target.who:
            client.force_login(request.getfixturevalue(target.who))
        form, address = Form("", "post"), target.post
        if target.fields:
            shown = client.get(target.show or target.post, follow=True)
            assert shown.status_code == 200
            if shown.redirect_chain:  # the password reset link moves to its form
                address = shown.redirect_chain[-1][0]
            form = page_form(shown)
        answers = dict(target.answers)
        if target.answers_from:
            same_kind = page_form(client.get(target.answers_from)).data()
            answers = {k: v for k, v in same_kind.items() if k not in ("version", CSRF)}
        return client, address, form, valid_answers(form, answers)

    return opened


settings_for_forms = hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_hostile_answers_are_refused_or_saved_whole(name, opened):
    client, address, form, valid = opened(name)

    @settings_for_forms
    @given(st.data())
    def post_anything(data):
        payload = posted(data.draw, form, valid)
        with transaction.atomic():
            before = snapshot()
            response = client.post(address, payload)
            note(f"{name}: {response.status_code}")
            event("saved" if response.status_code == 302 else "refused")
            check(response, before)
            transaction.set_rollback(True)

    post_anything()


# What Hypothesis found once, kept as plain examples --------------------------


@pytest.mark.parametrize(
    "name, changes, message",
    [
        # The NHS number's check digit was computed from letters and short numbers.
        ("cases:edit_child", {"nhs_number": "94347659ab"}, "Enter the NHS number as 10 digits"),
        ("cases:edit_child", {"nhs_number": "943"}, "Enter the NHS number as 10 digits"),
        ("cases:edit_child", {"nhs_number": "٩٤٣٤٧٦٥٩١٩"}, "Enter the NHS number as 10 digits"),
        # A year too big for a date, and a required date of spaces, reached the services.
        (
            "reviews:resolve",
            day_parts("resolved_on", today()) | {"resolved_on_2": "2147483648"},
            "Date resolved must be a real date",
        ),
        (
            "reviews:resolve",
            {"resolved_on_0": "0", "resolved_on_1": "0", "resolved_on_2": " "},
            "Enter the date resolved as a day, month and year",
        ),
        (
            "reviews:resolve",
            {"resolved_on_0": " ", "resolved_on_1": " ", "resolved_on_2": " "},
            "Enter the date resolved",
        ),
        # A username longer than the sign-in log holds failed there on PostgreSQL.
        ("login", {"username": "s" * 300}, "Enter a correct username and password"),
        # Rows of risk factors sent without their count were refused without saying why.
        ("risk:new", {"factors-TOTAL_FORMS": None}, "ManagementForm data is missing"),
    ],
)
def test_answers_that_once_caused_server_errors_are_refused(name, changes, message, opened):
    client, address, form, valid = opened(name)
    payload = {k: v for k, v in {**valid, **changes}.items() if v is not None}
    before = snapshot()

    response = client.post(address, payload)

    assert response.status_code == 200
    assert any(message in item for item in error_summary_items(response.content.decode()))
    assert snapshot() == before


def test_a_single_assessment_may_be_saved_with_sections_still_to_write(opened):
    client, address, form, valid = opened("cases:edit_record[single-assessment]")
    before = snapshot()

    response = client.post(address, {**valid, "barriers_to_change": ""})

    assert response.status_code == 302
    for record in written_since(before):
        record.full_clean()
