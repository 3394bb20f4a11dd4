"""Sign-in and password-reset limits, through the real client with real CSRF.

One address trying a few passwords on many usernames (password spraying) is
stopped by the per-address limit though no username met its own; the password
reset page sends no more emails once an address, or an email address, has had its
share. Each form is fetched first and posted back with the token it carried.
"""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from cases.models import Role
from tests.factories import UserFactory
from tests.html_forms import page_form

MIDDAY = datetime.datetime(2026, 3, 10, 12, tzinfo=ZoneInfo("Europe/London"))
PASSWORD = "a long memorable passphrase"
MY_CASES = reverse("cases:my_cases")
SIGN_IN = reverse("login")
RESET = reverse("password_reset")
HERE, ELSEWHERE = "203.0.113.7", "198.51.100.20"
PROXY = "10.0.0.2"

ADDRESS_LOCKED = "too many failed attempts to sign in from your network"
USERNAME_LOCKED = "tried to sign in too many times with the wrong username or password"
RESET_REFUSED = "You cannot ask for another reset link at the moment"


@pytest.fixture(autouse=True)
def quick_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clock():
    """10 March 2026 at midday, standing still until a test moves it."""
    with time_machine.travel(MIDDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def staff(db):
    """Ten social workers who know their passwords."""
    return [
        UserFactory(username=f"worker{n}", password=PASSWORD, roles=[Role.SOCIAL_WORKER])
        for n in range(10)
    ]


class Browser:
    """One browser at one address: opens a form page, fills it in and sends it with
    the CSRF token the page gave, as a person would."""

    def __init__(self, address: str, **headers):
        self.client = Client(enforce_csrf_checks=True, REMOTE_ADDR=address, **headers)

    def submit(self, page: str, **answers):
        shown = self.client.get(page)
        assert shown.status_code == 200
        data = page_form(shown).data()
        assert data["csrfmiddlewaretoken"] != [""]
        data.update(answers)
        return self.client.post(page, data)

    def sign_in(self, username: str, password: str):
        return self.submit(SIGN_IN, username=username, password=password)

    def signed_in(self) -> bool:
        return "_auth_user_id" in self.client.session

    def ask_for_reset(self, email: str):
        return self.submit(RESET, email=email)


def without_csrf_token(response) -> str:
    """The page without its CSRF token, which is masked afresh on every page."""
    return re.sub(r'name="csrf-token" content="[^"]*"', "", response.content.decode())


def spray(browser: Browser, usernames: list[str], tries_each: int):
    """Wrong passwords for each username in turn; the responses in order."""
    return [
        browser.sign_in(username, f"guess {n}") for n in range(tries_each) for username in usernames
    ]


# Sign-in: per address, across usernames -----------------------------------------


def test_spraying_usernames_from_one_address_is_stopped_at_the_address_limit(
    clock, staff, settings
):
    assert settings.AXES_ADDRESS_FAILURE_LIMIT == 20
    attacker = Browser(HERE)

    # Two guesses at each of ten usernames: no username near its own limit of five.
    responses = spray(attacker, [user.username for user in staff], tries_each=2)

    assert [r.status_code for r in responses[:19]] == [200] * 19
    assert responses[19].status_code == 429
    assert ADDRESS_LOCKED in responses[19].content.decode()
    # Even the right password for a username never tried is refused from there.
    newcomer = UserFactory(username="newcomer", password=PASSWORD, roles=[Role.SOCIAL_WORKER])
    refused = attacker.sign_in(newcomer.username, PASSWORD)
    assert refused.status_code == 429
    assert not attacker.signed_in()
    html = refused.content.decode()
    assert "You cannot sign in at the moment – Reunification</title>" in html
    assert 'class="govuk-header"' in html
    assert "Wait 15 minutes, then try again." in html
    assert USERNAME_LOCKED not in html
    assert refused["Retry-After"] == str(15 * 60)


def test_another_address_is_not_locked_out_by_a_spray(clock, staff):
    spray(Browser(HERE), [user.username for user in staff], tries_each=2)

    colleague = Browser(ELSEWHERE)
    response = colleague.sign_in(staff[0].username, PASSWORD)

    assert response.status_code == 302
    assert response.url == MY_CASES
    assert colleague.signed_in()


def test_the_address_lock_ends_after_the_cool_off(clock, staff):
    attacker = Browser(HERE)
    spray(attacker, [user.username for user in staff], tries_each=2)

    clock.shift(datetime.timedelta(minutes=14, seconds=59))
    assert attacker.sign_in(staff[0].username, PASSWORD).status_code == 429

    clock.shift(datetime.timedelta(seconds=2))
    response = attacker.sign_in(staff[0].username, PASSWORD)
    assert response.status_code == 302
    assert attacker.signed_in()


def test_signing_in_to_an_own_account_does_not_clear_the_address_count(clock, staff):
    attacker = Browser(HERE)
    own_account, targets = staff[0], [user.username for user in staff[1:]]
    responses = spray(attacker, targets, tries_each=2)  # 18 failures
    responses.append(attacker.sign_in(targets[0], "guess 3"))  # 19
    assert {r.status_code for r in responses} == {200}

    assert attacker.sign_in(own_account.username, PASSWORD).status_code == 302

    twentieth = attacker.sign_in(targets[1], "guess 4")
    assert twentieth.status_code == 429
    assert ADDRESS_LOCKED in twentieth.content.decode()


def test_one_username_locked_says_so_and_leaves_others_free(clock, staff):
    browser = Browser(HERE)
    responses = spray(browser, [staff[0].username], tries_each=5)

    assert [r.status_code for r in responses] == [200] * 4 + [429]
    html = responses[-1].content.decode()
    assert USERNAME_LOCKED in html
    assert "reset your password" in html
    assert ADDRESS_LOCKED not in html
    assert browser.sign_in(staff[1].username, PASSWORD).status_code == 302


# Which address is counted ---------------------------------------------------------


def test_without_a_trusted_proxy_a_forwarded_for_header_is_ignored(clock, staff, settings):
    assert settings.TRUSTED_PROXY_COUNT == 0
    # A new made-up X-Forwarded-For on every try does not make a new address.
    responses = [
        Browser(HERE, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").sign_in(staff[n % 10].username, "guess")
        for n in range(20)
    ]

    assert responses[-1].status_code == 429
    assert ADDRESS_LOCKED in responses[-1].content.decode()


def test_behind_a_trusted_proxy_each_client_is_counted_by_the_address_it_saw(
    clock, staff, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    # Whatever the attacker puts in the header, the proxy appends the real address.
    responses = [
        Browser(PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {HERE}").sign_in(
            staff[n % 10].username, "guess"
        )
        for n in range(20)
    ]
    assert responses[-1].status_code == 429
    assert ADDRESS_LOCKED in responses[-1].content.decode()

    # Someone else coming through the same proxy signs in.
    colleague = Browser(PROXY, HTTP_X_FORWARDED_FOR=ELSEWHERE)
    assert colleague.sign_in(staff[0].username, PASSWORD).status_code == 302


# Password reset ---------------------------------------------------------------------


def test_reset_requests_beyond_the_limit_for_one_email_send_nothing(clock, staff, settings):
    assert settings.PASSWORD_RESET_LIMIT_PER_EMAIL == 3
    email = staff[0].email
    browser = Browser(HERE)

    allowed = [browser.ask_for_reset(email) for _ in range(3)]
    assert [r.status_code for r in allowed] == [302] * 3
    assert len(mail.outbox) == 3

    refused = browser.ask_for_reset(email)
    assert refused.status_code == 429
    assert len(mail.outbox) == 3
    html = refused.content.decode()
    assert f"{RESET_REFUSED} – Reunification</title>" in html
    assert "We have not sent an email." in html
    assert "wait 60 minutes" in html
    assert refused["Retry-After"] == str(60 * 60)
    # From another address it is still refused: the limit is the email's.
    assert Browser(ELSEWHERE).ask_for_reset(email).status_code == 429
    assert len(mail.outbox) == 3


def test_the_refusal_does_not_say_whether_an_account_exists(clock, staff):
    browser = Browser(HERE)
    for _ in range(3):
        browser.ask_for_reset(staff[0].email)
        browser.ask_for_reset("nobody@council.example.gov.uk")

    for_an_account = browser.ask_for_reset(staff[0].email)
    for_nobody = browser.ask_for_reset("nobody@council.example.gov.uk")

    assert for_an_account.status_code == for_nobody.status_code == 429
    assert without_csrf_token(for_an_account) == without_csrf_token(for_nobody)


def test_reset_requests_beyond_the_limit_for_one_address_send_nothing(clock, staff, settings):
    assert settings.PASSWORD_RESET_LIMIT_PER_ADDRESS == 10
    browser = Browser(HERE)

    allowed = [browser.ask_for_reset(user.email) for user in staff]
    assert [r.status_code for r in allowed] == [302] * 10
    assert len(mail.outbox) == 10

    extra = UserFactory(username="extra", password=PASSWORD, roles=[Role.SOCIAL_WORKER])
    refused = browser.ask_for_reset(extra.email)
    assert refused.status_code == 429
    assert RESET_REFUSED in refused.content.decode()
    assert len(mail.outbox) == 10

    assert Browser(ELSEWHERE).ask_for_reset(extra.email).status_code == 302
    assert mail.outbox[-1].to == [extra.email]


def test_the_reset_limit_is_for_any_hour_and_frees_up_as_requests_age(clock, staff):
    email = staff[0].email
    browser = Browser(HERE)
    browser.ask_for_reset(email)  # 12:00
    clock.shift(datetime.timedelta(minutes=20))
    browser.ask_for_reset(email)  # 12:20
    browser.ask_for_reset(email)  # 12:20
    clock.shift(datetime.timedelta(minutes=30))  # 12:50

    refused = browser.ask_for_reset(email)
    assert refused.status_code == 429
    assert "wait 10 minutes" in refused.content.decode()

    clock.shift(datetime.timedelta(minutes=9, seconds=59))  # 12:59:59
    assert browser.ask_for_reset(email).status_code == 429
    clock.shift(datetime.timedelta(seconds=1))  # 13:00, the first has aged out
    assert browser.ask_for_reset(email).status_code == 302
    assert browser.ask_for_reset(email).status_code == 429  # the two at 12:20 still count
    assert len(mail.outbox) == 4


def test_a_reset_form_with_errors_is_not_counted(clock, staff):
    browser = Browser(HERE)
    for _ in range(5):
        response = browser.ask_for_reset("not an email address")
        assert response.status_code == 200
        assert "Enter an email address in the correct format" in response.content.decode()

    assert browser.ask_for_reset(staff[0].email).status_code == 302
    assert len(mail.outbox) == 1
