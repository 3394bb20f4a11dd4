"""Security: sign-in throttling, production cookies and headers, passwords,
sessions, CSRF, the audit trail (and that nobody can edit it), hostile text in
records, and CSV exports that are safe to open in a spreadsheet."""

import csv
import datetime
import io
import json
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.db import models
from django.test import Client, override_settings
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.html import escape
from django.utils.http import urlsafe_base64_encode
from simple_history.models import HistoricalChanges

from cases import selectors
from cases.models import Child, ChronologyEntry, LoadedReview, ReunificationCase, Role, Stage
from cases.records import RECORD_TYPES
from reporting.csv_files import safe_cell
from reunification.clock import today
from tests.factories import UserFactory, journey_to, put_on_care_order
from tests.test_deploy import production_env, run_python

LONDON = ZoneInfo("Europe/London")
MIDDAY = datetime.datetime(2026, 3, 10, 12, tzinfo=LONDON)
PASSWORD = "a long memorable passphrase"
MY_CASES = reverse("cases:my_cases")


@pytest.fixture(autouse=True)
def quick_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clock():
    """10 March 2026 at midday, standing still until a test moves it."""
    with time_machine.travel(MIDDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def sarah(db):
    return UserFactory(username="sarah", password=PASSWORD, roles=[Role.SOCIAL_WORKER])


@pytest.fixture
def colin(db):
    return UserFactory(username="colin", password=PASSWORD, roles=[Role.SOCIAL_WORKER])


def sign_in(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def fail_five_times(client, username="sarah", **extra):
    responses = [sign_in(client, username, "not the password", **extra) for _ in range(5)]
    assert [r.status_code for r in responses[:4]] == [200] * 4
    return responses[-1]


# Sign-in throttling (django-axes) ----------------------------------------------


def test_after_five_wrong_passwords_even_the_right_one_is_refused(client, clock, sarah):
    fifth = fail_five_times(client)
    assert fifth.status_code == 429

    sixth = sign_in(client, "sarah", PASSWORD)

    assert sixth.status_code == 429
    assert "_auth_user_id" not in client.session
    html = sixth.content.decode()
    assert "You cannot sign in at the moment – Reunification</title>" in html
    assert 'class="govuk-header"' in html
    assert "You've tried to sign in too many times" in html
    assert "Wait 15 minutes, then try again." in html


def test_sign_in_works_again_after_fifteen_minutes(client, clock, sarah):
    fail_five_times(client)

    clock.shift(datetime.timedelta(minutes=14, seconds=59))
    assert sign_in(client, "sarah", PASSWORD).status_code == 429

    clock.shift(datetime.timedelta(seconds=2))
    response = sign_in(client, "sarah", PASSWORD)
    assert response.status_code == 302
    assert response.url == MY_CASES
    assert client.session["_auth_user_id"] == str(sarah.pk)


def test_tries_during_the_lockout_do_not_extend_it(client, clock, sarah):
    fail_five_times(client)
    clock.shift(datetime.timedelta(minutes=10))
    assert sign_in(client, "sarah", "still wrong").status_code == 429

    clock.shift(datetime.timedelta(minutes=5, seconds=1))

    assert sign_in(client, "sarah", PASSWORD).status_code == 302


def test_the_lockout_is_for_that_username_from_that_address(client, clock, sarah, colin):
    fail_five_times(client)

    assert sign_in(client, "colin", PASSWORD).status_code == 302
    client.logout()
    other_address = sign_in(client, "sarah", PASSWORD, REMOTE_ADDR="192.0.2.44")
    assert other_address.status_code == 302


def test_signing_in_clears_the_failed_tries(client, clock, sarah):
    for _ in range(4):
        sign_in(client, "sarah", "not the password")
    assert sign_in(client, "sarah", PASSWORD).status_code == 302
    client.logout()

    for _ in range(4):
        assert sign_in(client, "sarah", "not the password").status_code == 200
    assert sign_in(client, "sarah", PASSWORD).status_code == 302


def test_the_limits_are_settings(settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    shown = run_python(
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME.seconds)",
        production_env(AXES_FAILURE_LIMIT="3", AXES_COOLOFF_MINUTES="30"),
    )
    assert shown.stdout.split() == ["3", str(30 * 60)]


# Cookies and headers under the production settings ----------------------------

SECURITY_SETTINGS = [
    "DEBUG",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_SAMESITE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
]


@pytest.fixture(scope="module")
def production():
    """The security settings as production (DEBUG off) reads them."""
    result = run_python(
        "import django, json; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {SECURITY_SETTINGS!r}}}))",
        production_env(),
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


def test_production_settings_are_secure(production):
    assert production["DEBUG"] is False
    assert production["SESSION_COOKIE_SECURE"] and production["CSRF_COOKIE_SECURE"]
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert production["CSRF_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert production["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["X_FRAME_OPTIONS"] == "DENY"


def test_production_cookies_and_headers(client, production, sarah):
    with override_settings(**{k: v for k, v in production.items() if k != "DEBUG"}):
        page = client.get(reverse("login"), secure=True)
        response = sign_in(client, "sarah", PASSWORD, secure=True)
        plain_http = client.get(reverse("login"))

    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] in ("Lax", "Strict")
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"]
    assert csrf["samesite"] in ("Lax", "Strict")
    for headers in (page, response):
        hsts = headers["Strict-Transport-Security"]
        assert hsts.startswith(f"max-age={production['SECURE_HSTS_SECONDS']}")
        assert "includeSubDomains" in hsts
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
    assert plain_http.status_code == 301
    assert plain_http.url.startswith("https://")


# Passwords and sessions -------------------------------------------------------


def test_a_weak_password_is_refused_with_a_govuk_error(client, sarah):
    uid = urlsafe_base64_encode(force_bytes(sarah.pk))
    token = default_token_generator.make_token(sarah)
    form_url = client.get(reverse("password_reset_confirm", args=[uid, token])).url

    response = client.post(form_url, {"new_password1": "password1", "new_password2": "password1"})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="govuk-error-summary"' in html
    assert "There is a problem" in html
    assert "govuk-error-message" in html
    assert "This password is too short" in html
    assert "This password is too common" in html
    sarah.refresh_from_db()
    assert sarah.check_password(PASSWORD)


def test_the_session_ends_after_the_idle_minutes_not_while_in_use(client, clock, sarah, settings):
    assert settings.SESSION_IDLE_MINUTES == 30
    client.force_login(sarah)

    for _ in range(3):  # an hour and a half of work, a page every 29 minutes
        clock.shift(datetime.timedelta(minutes=29))
        assert client.get(MY_CASES).status_code == 200

    clock.shift(datetime.timedelta(minutes=30, seconds=1))
    response = client.get(MY_CASES)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# CSRF -------------------------------------------------------------------------


class Forms(HTMLParser):
    """The POST forms of a page, each with whether it carries a CSRF token."""

    def __init__(self):
        super().__init__()
        self.forms = []  # [action, has_token]
        self.open = None  # the POST form being read

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.open = None
            if (attrs.get("method") or "get").lower() == "post":
                self.open = [attrs.get("action"), False]
                self.forms.append(self.open)
        elif tag == "input" and attrs.get("name") == "csrfmiddlewaretoken" and self.open:
            self.open[1] = bool(attrs.get("value"))

    def handle_endtag(self, tag):
        if tag == "form":
            self.open = None


def post_forms(html: str) -> list:
    parser = Forms()
    parser.feed(html)
    return parser.forms


def case_pages(case) -> list[str]:
    pk = case.pk
    pages = [
        MY_CASES,
        reverse("cases:new"),
        reverse("cases:team"),
        reverse("my_tasks"),
        reverse("team_tasks"),
        reverse("waiting_for_me"),
        reverse("reporting:caseload"),
        reverse("reporting:outcomes"),
        reverse("reporting:ssda903"),
        *[
            reverse(f"cases:{name}", args=[pk])
            for name in ("overview", "audit", "edit_child", "edit_case", "allocate")
        ],
        *[reverse("cases:add_record", args=[pk, slug]) for slug in RECORD_TYPES],
        reverse("risk:overview", args=[pk]),
        reverse("risk:new", args=[pk]),
        reverse("planning:overview", args=[pk]),
        reverse("planning:add_meeting", args=[pk]),
        reverse("planning:add_agreement", args=[pk]),
        reverse("reviews:journey", args=[pk]),
        reverse("reviews:aftercare", args=[pk]),
        reverse("reviews:dispute", args=[pk]),
        reverse("reviews:visit", args=[pk]),
        reverse("reviews:review", args=[pk]),
    ]
    for slug, record_type in RECORD_TYPES.items():
        record = record_type.queryset(case).first()
        if record is not None:
            pages.append(reverse("cases:edit_record", args=[pk, slug, record.pk]))
    return pages


@pytest.mark.usefixtures("on_10_march_2026")
def test_every_post_form_carries_a_csrf_token(case, team_manager):
    client = Client(enforce_csrf_checks=True)
    client.force_login(team_manager)
    checked = 0
    for page in case_pages(case):
        response = client.get(page)
        assert response.status_code == 200, page
        forms = post_forms(response.content.decode())
        assert forms, f"{page} has no POST form (at least the sign-out button)"
        for action, has_token in forms:
            assert has_token, f"a form on {page} posting to {action} has no CSRF token"
            checked += 1
    anonymous = Client(enforce_csrf_checks=True)
    for page in (reverse("login"), reverse("password_reset")):
        forms = post_forms(anonymous.get(page).content.decode())
        assert forms and all(has_token for _, has_token in forms)
    assert checked > 40


@pytest.mark.usefixtures("on_10_march_2026")
def test_a_post_without_the_csrf_token_is_refused(case, social_worker, sarah):
    client = Client(enforce_csrf_checks=True)
    client.force_login(social_worker)
    add_entry = reverse("cases:add_record", args=[case.pk, "chronology"])
    entry = {
        "occurred_on_0": "1",
        "occurred_on_1": "3",
        "occurred_on_2": "2026",
        "kind": "event",
        "description": "Mother attended the parenting course.",
    }
    before = ChronologyEntry.objects.count()
    client.get(add_entry)  # sets the CSRF cookie: only the token is missing below

    refused = client.post(add_entry, entry)
    assert refused.status_code == 403
    # The GOV.UK page of templates/403_csrf.html, not Django's technical one.
    assert "Your form could not be sent" in refused.content.decode()
    assert "CSRF" not in refused.content.decode()
    assert client.post(reverse("keep_session_alive")).status_code == 403
    assert client.post(reverse("logout")).status_code == 403
    assert ChronologyEntry.objects.count() == before
    assert client.get(MY_CASES).status_code == 200  # still signed in

    # With the token, the same post goes through.
    token = client.cookies["csrftoken"].value
    saved = client.post(add_entry, {**entry, "csrfmiddlewaretoken": token})
    assert saved.status_code == 302
    assert ChronologyEntry.objects.count() == before + 1

    anonymous = Client(enforce_csrf_checks=True)
    assert sign_in(anonymous, "sarah", PASSWORD).status_code == 403


# The audit trail --------------------------------------------------------------

# How a record of each kind is found from its case, written out here rather than
# taken from cases.selectors, which the tests check.
NESTED = {
    "PoliceCheck": "member__case",
    "RiskFactorEntry": "assessment__case",
    "MeetingInvitee": "meeting__case",
    "AgreementGoal": "agreement__case",
    "GoalReview": "goal__agreement__case",
    "Recommendation": "review__case",
    "SupervisionAction": "supervision__case",
}


def tracked_models() -> list[type]:
    return [m.instance_type for m in apps.get_models() if issubclass(m, HistoricalChanges)]


def historical_models() -> list[type]:
    return [m for m in apps.get_models() if issubclass(m, HistoricalChanges)]


def records_of(model, case):
    if model is ReunificationCase:
        return model.objects.filter(pk=case.pk)
    if model is Child:
        return model.objects.filter(pk=case.child_id)
    if model.__name__ in NESTED:
        return model.objects.filter(**{NESTED[model.__name__]: case})
    names = {f.name for f in model._meta.concrete_fields}
    if "case" in names:
        return model.objects.filter(case=case)
    if "child" in names:
        return model.objects.filter(child=case.child)
    raise AssertionError(f"The test does not know how {model.__name__} belongs to a case")


@pytest.fixture
def full_case(on_10_march_2026, journey_case, people):
    """Kayla's case at confirmation, on a care order, with records of (nearly)
    every kind: the journey's decisions, risk and planning records, a review with
    a recommendation, a visit, a disagreement, a goal review and an unplanned
    return home."""
    from planning.models import AgreementGoal, GoalReview
    from reviews.aftercare import return_home, statutory
    from reviews.deadlines import refresh as deadlines
    from reviews.journey import decisions as services

    put_on_care_order(journey_case)
    case = journey_to(journey_case, Stage.CONFIRMATION, people=people)
    day = on_10_march_2026
    statutory.record_review(
        case=case,
        by=people.iro,
        held_on=day - datetime.timedelta(days=20),
        review_type="cic",
        chair=people.iro,
        attended="Kayla, her mother, the foster carer",
        outcome="Plan for return home endorsed.",
        recommendations=[
            {
                "text": "Arrange the school transport",
                "owner": people.social_worker,
                "due_on": day - datetime.timedelta(days=10),
            }
        ],
    )
    statutory.record_visit(
        case=case, by=people.social_worker, visited_on=day, seen_alone=True, notes="Happy."
    )
    services.raise_dispute(
        case=case, by=people.iro, raised_on=day, route="drp", subject="Pace of family time"
    )
    return_home.record_return_home(
        case=case,
        by=people.social_worker,
        returned_on=day,
        planned=False,
        returned_to="Dawn Brightwater (mother)",
        legal_status_after="care_order",
        unplanned_reason="Kayla went to her mother's after school.",
    )
    GoalReview.objects.create(
        goal=AgreementGoal.objects.filter(agreement__case=case).first(),
        reviewed_on=day,
        outcome="met",
        evidence="Tests all negative.",
    )
    # After the return: the step-down plan, a concern, the home assessed; and the
    # team manager's supervision with an action.
    from reviews.models import (
        CaseSupervision,
        ConcernAfterReturn,
        HomeAssessment,
        StepDownPlan,
        SupervisionAction,
    )

    recorded = {"recorded_by": people.social_worker, "recorded_at": MIDDAY}
    StepDownPlan.objects.create(
        case=case,
        lead_professional="Pat Lee",
        lead_professional_role="Family support worker",
        lead_professional_agency="Early help",
        support_ends_on=day + datetime.timedelta(days=365),
        **recorded,
    )
    ConcernAfterReturn.objects.create(
        case=case, kind="incident", occurred_on=day, details="A row at home.", **recorded
    )
    HomeAssessment.objects.create(case=case, assessed_on=day, findings="Safe, warm.", **recorded)
    supervision = CaseSupervision.objects.create(
        case=case,
        held_on=day,
        reflection="Going well.",
        decisions="Carry on.",
        reunification_considered=True,
        recorded_by=people.team_manager,
        recorded_at=MIDDAY,
    )
    SupervisionAction.objects.create(
        supervision=supervision,
        text="Book the review",
        owner=people.social_worker,
        due_on=day + datetime.timedelta(days=7),
    )
    # A Child in Care review from the council's earlier return, loaded before the case.
    LoadedReview.objects.create(
        child=case.child, held_on=day - datetime.timedelta(days=200), participation="PN1"
    )
    deadlines.refresh(case)
    case.refresh_from_db()
    return case


def test_the_audit_trail_follows_every_kind_of_record_to_its_case(full_case):
    followed = {model for model, _ in selectors.history_sources(full_case)}

    assert followed == set(tracked_models())
    for model in tracked_models():
        mine = set(records_of(model, full_case).values_list("pk", flat=True))
        found = {
            version.id
            for version in dict(selectors.history_sources(full_case))[model]
            if model.objects.filter(pk=version.id).exists()
        }
        assert found == mine, model.__name__


def test_the_audit_page_shows_who_changed_every_record_and_when(
    client, full_case, social_worker, team_manager, on_10_march_2026
):
    changed = {}
    with time_machine.travel(MIDDAY + datetime.timedelta(hours=2), tick=False):
        for model in tracked_models():
            for record in records_of(model, full_case):
                record._history_user = social_worker
                record.save()
                changed[selectors.history_label(model)] = model
    kinds = {m._meta.app_label for m in changed.values()}
    assert {"cases", "risk", "planning", "reviews"} <= kinds
    # Every kind but the viability meeting, the three ways a case ends, and the
    # regulation 39 approval (asked only when care under section 20 ends) and a part
    # of the plan recorded as not appropriate (this child has them all).
    not_here = {
        "Breakdown",
        "CeasingCareRequest",
        "Closure",
        "NotAppropriate",
        "NotPursued",
        "ViabilityMeeting",
    }
    assert {m.__name__ for m in set(tracked_models()) - set(changed.values())} == not_here

    client.force_login(team_manager)
    response = client.get(reverse("cases:audit", args=[full_case.pk]))

    assert response.status_code == 200
    by_sarah = {
        c.record
        for c in response.context["changes"]
        if c.who == social_worker
        and c.action == "Changed"
        and c.when == MIDDAY + datetime.timedelta(hours=2)
    }
    assert by_sarah == set(changed)
    html = response.content.decode()
    assert "10 Mar 2026 14:00" in html
    for label in ("risk factor entry", "goal review", "recommendation", "meeting invitee"):
        assert f"Changed {label}</td>" in html


def test_deleted_records_stay_in_the_audit_trail(client, full_case, social_worker, team_manager):
    from planning.models import WrittenAgreement

    agreement = WrittenAgreement.objects.get(case=full_case)
    agreement.delete()  # and its goals and their reviews with it

    client.force_login(team_manager)
    response = client.get(reverse("cases:audit", args=[full_case.pk]))

    deleted = {c.record for c in response.context["changes"] if c.action == "Deleted"}
    assert {"Written agreement", "Goal", "Goal review"} <= deleted


@pytest.mark.usefixtures("on_10_march_2026")
def test_the_audit_page_lists_views_of_risk_planning_and_journey_pages(
    client, case, colleague, team_manager
):
    client.force_login(colleague)
    pages = [
        reverse(name, args=[case.pk])
        for name in ("risk:overview", "planning:overview", "reviews:journey", "reviews:aftercare")
    ]
    for page in pages:
        assert client.get(page).status_code == 200

    client.force_login(team_manager)
    response = client.get(reverse("cases:audit", args=[case.pk]))

    seen = [(v.user, v.path) for v in response.context["views"]]
    for page in pages:
        assert (colleague, page) in seen
    assert "Colin Reed" in response.content.decode()


# Hostile text in records ------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'


def free_text_fields(model):
    for field in model._meta.concrete_fields:
        if (
            isinstance(field, models.CharField | models.TextField)
            and not field.choices
            and not isinstance(field, models.EmailField | models.URLField | models.SlugField)
            and (field.max_length is None or field.max_length >= len(ATTRIBUTE) + 10)
        ):
            yield field


def assert_escaped(html: str, where: str, *, shown: bool = True) -> None:
    assert "<script>alert" not in html, where
    assert "<img src=x" not in html, where
    assert "onerror=alert(1)>" not in html, where
    if shown:
        assert escape(SCRIPT) in html or escape(ATTRIBUTE) in html, f"no hostile text on {where}"


@pytest.fixture
def hostile_case(full_case, people):
    """Every free-text field of every record of the case, the people's names and
    the team's name hold markup."""
    from reviews.deadlines import refresh as deadlines

    payloads = [SCRIPT, ATTRIBUTE]
    count = 0
    for model in tracked_models():
        for record in records_of(model, full_case):
            for field in free_text_fields(model):
                setattr(record, field.attname, f"{payloads[count % 2]} {count}")
                count += 1
            record._history_user = people.social_worker
            record.save()
    people.social_worker.first_name = SCRIPT
    people.social_worker.last_name = ATTRIBUTE
    people.social_worker.save()
    full_case.team.name = f"North {ATTRIBUTE}"
    full_case.team.save()
    deadlines.refresh(full_case)
    assert count > 60
    return full_case


def test_hostile_text_is_escaped_on_every_page_that_shows_it(client, hostile_case, people):
    pk = hostile_case.pk
    pages = {
        people.team_manager: [
            reverse("cases:overview", args=[pk]),
            reverse("cases:audit", args=[pk]),
            reverse("risk:overview", args=[pk]),
            reverse("planning:overview", args=[pk]),
            reverse("reviews:journey", args=[pk]),
            reverse("reviews:aftercare", args=[pk]),
            reverse("cases:team"),
            reverse("team_tasks"),
            reverse("reporting:caseload"),
            *[
                reverse("cases:edit_record", args=[pk, slug, record.pk])
                for slug, record_type in RECORD_TYPES.items()
                if (record := record_type.queryset(hostile_case).first()) is not None
            ],
        ],
        people.social_worker: [MY_CASES, reverse("my_tasks")],
    }
    from risk.models import RiskAssessment

    assessment = RiskAssessment.objects.filter(case=hostile_case).first()
    pages[people.team_manager].append(reverse("risk:detail", args=[pk, assessment.pk]))
    for person, urls in pages.items():
        client.force_login(person)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert_escaped(response.content.decode(), url)
    client.force_login(people.team_manager)
    outcomes = client.get(reverse("reporting:outcomes")).content.decode()
    assert_escaped(outcomes, "outcomes", shown=False)


def test_hostile_text_is_escaped_in_the_reminder_email(hostile_case, people):
    from reviews.reminders import digests as reminders

    day = today()
    items = reminders.digest_items(people.social_worker, day)
    assert items
    message = reminders.build_email(people.social_worker, day, items)

    html = message.alternatives[0][0]
    assert_escaped(html, "the email's HTML part")
    assert f"Hello {escape(SCRIPT)}" in html


def test_the_code_marks_no_user_text_safe():
    """Nothing in the project's code or templates turns autoescaping off for
    user text: the only `autoescape off` blocks are plain-text emails, and the one
    `format_html` builds the digest's lines (it escapes every value it is given;
    the hostile-text test of the reminder email checks it)."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    found = []
    for folder in (
        "cases",
        "risk",
        "planning",
        "reviews",
        "reporting",
        "reunification",
        "templates",
    ):
        for path in (root / folder).rglob("*"):
            if path.suffix not in {".py", ".html", ".txt"} or "migrations" in path.parts:
                continue
            text = path.read_text()
            for marker in ("|safe", "mark_safe(", "SafeString", "format_html(", "autoescape off"):
                if marker in text:
                    found.append((str(path.relative_to(root)), marker))
    assert sorted(found) == [
        ("reviews/reminders/digests.py", "format_html("),
        ("templates/registration/password_reset_email.html", "autoescape off"),
        ("templates/reviews/email/digest.txt", "autoescape off"),
    ]


# CSV exports are safe to open in a spreadsheet ----------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://example.com","click")', '\'=HYPERLINK("http://example.com","click")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Sarah Wood", "Sarah Wood"),
        ("a=b", "a=b"),
        ("-5", "-5"),
        ("-2.5", "-2.5"),
        ("-12%", "-12%"),
        (-5, -5),
        (0, 0),
        (None, None),
        ("C2", "C2"),
        ("X1", "X1"),
        ("", ""),
    ],
)
def test_safe_cell(value, written):
    assert safe_cell(value) == written


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def formula_case(on_10_march_2026, case, people):
    """Kayla's case with an overdue recommendation, her local identifier, her
    team's name and her social worker's name each starting like a formula."""
    from reviews.aftercare import statutory
    from reviews.deadlines import refresh as deadlines

    day = on_10_march_2026
    statutory.record_review(
        case=case,
        by=people.iro,
        held_on=day - datetime.timedelta(days=20),
        review_type="cic",
        chair=people.iro,
        attended="Kayla",
        outcome="Endorsed.",
        reunification_considered=True,
        reunification_outcome="The plan for a return home continues.",
        recommendations=[
            {
                "text": "=1+1",
                "owner": people.social_worker,
                "due_on": day - datetime.timedelta(days=10),
            }
        ],
    )
    deadlines.refresh(case)
    case.child.local_identifier = '=HYPERLINK("http://x")'
    case.child.save()
    case.team.name = "@SUM(A1)"
    case.team.save()
    people.social_worker.first_name = "-2+3"
    people.social_worker.save()
    return case


def test_report_csv_cells_cannot_run_as_formulas(client, formula_case, people):
    client.force_login(people.team_manager)

    response = client.get(reverse("reporting:caseload"), {"csv": "overdue"})

    rows = csv_rows(response.content.decode())
    assert rows[0] == ["Team", "Person", "What", "Overdue"]
    hostile = [row for row in rows[1:] if row[0].startswith("'@")]
    assert hostile, rows
    for row in hostile:
        assert row[0] == "'@SUM(A1)"
        assert row[1] == "'-2+3 Wood"
        assert row[3].isdigit()


def test_the_ssda903_extract_cannot_run_as_formulas(client, formula_case, people, tmp_path):
    client.force_login(people.director)
    start, end = datetime.date(2025, 4, 1), datetime.date(2026, 3, 31)
    dates = {
        f"{name}_{index}": str(part)
        for name, day in (("start", start), ("end", end))
        for index, part in enumerate((day.day, day.month, day.year))
    }
    response = client.get(reverse("reporting:ssda903"), dates)
    assert response["Content-Type"].startswith("text/csv")
    downloaded = csv_rows(response.content.decode())

    output = tmp_path / "extract.csv"
    call_command(
        "export_ssda903",
        "--start",
        str(start),
        "--end",
        str(end),
        "--output",
        str(output),
        stdout=io.StringIO(),
    )
    written = csv_rows(output.read_text())

    for rows in (downloaded, written):
        assert rows[0][0] == "CHILD"
        kayla = [row for row in rows[1:] if "HYPERLINK" in row[0]]
        assert kayla
        for row in kayla:
            assert row[0] == '\'=HYPERLINK("http://x")'
            codes = dict(zip(rows[0], row, strict=True))
            assert not any(codes[f].startswith("'") for f in ("SEX", "LS", "PLACE", "RNE"))
            assert codes["DECOM"][2] == "/"
