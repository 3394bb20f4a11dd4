"""Drafts kept in the browser belong to the person who typed them.

What someone types is kept in the tab (static/js/form-draft.js) so that a
time-out loses nothing. It must come back to them and to nobody else: when
someone else signs in on that tab, every earlier draft is wiped unread, and a
page shown to nobody (but the sign-in page a time-out leads to) wipes them too.
"""

import json
import re

import pytest
from django.urls import reverse

from reunification.context_processors import draft_owner_key
from tests import browser_demo
from tests.browser_demo import BROWSER_MARKS, new_page, screenshot, sign_in
from tests.factories import UserFactory

# One seeded demo site and one Chromium for the module (tests/browser_demo.py).
demo_site = browser_demo.demo_site
browser = browser_demo.browser


def in_chromium(test):
    """Marks a test that drives the shared demo site in Chromium."""
    for mark in BROWSER_MARKS:
        test = mark(test)
    return test


HALF_TYPED_FIRST_NAME = "Marigold"
HALF_TYPED_LAST_NAME = "Quennell-Draft"


# The key the page is given -------------------------------------------------------


def test_each_person_has_their_own_draft_key_and_it_names_nobody(db):
    # Long ids, so that finding one "in clear" in a hex string means something.
    tina = UserFactory(id=48213977, username="tina.marsh", first_name="Tina", last_name="Marsh")
    sue = UserFactory(id=48213978, username="sue.mann", first_name="Sue", last_name="Mann")
    keys = {user: draft_owner_key(user) for user in (tina, sue)}

    assert keys[tina] != keys[sue]
    assert draft_owner_key(tina) == keys[tina]  # the same after a time-out
    for user, key in keys.items():
        assert re.fullmatch(r"[0-9a-f]{32}", key)
        for clear_text in (user.username, user.email, user.first_name, user.last_name):
            assert clear_text.lower() not in key
        assert str(user.pk) not in key
        assert f"{user.pk:x}" not in key


def test_the_draft_key_depends_on_the_secret_key(social_worker, settings):
    before = draft_owner_key(social_worker)
    settings.SECRET_KEY = "another-deployment-" + "x" * 40

    assert draft_owner_key(social_worker) != before


def test_a_signed_in_page_carries_the_owner_key_and_not_the_username(client, social_worker):
    client.force_login(social_worker)

    html = client.get(reverse("cases:my_cases")).content.decode()

    body = html[html.index("<body") : html.index(">", html.index("<body"))]
    assert f'data-draft-owner="{draft_owner_key(social_worker)}"' in body
    assert social_worker.username not in body
    assert "data-drafts-held" not in body


def test_only_the_sign_in_page_a_time_out_leads_to_holds_drafts(client, db):
    def body(url):
        html = client.get(url).content.decode()
        return html[html.index("<body") : html.index(">", html.index("<body"))]

    after_time_out = body(reverse("login") + "?next=" + reverse("cases:new"))
    after_signing_out = body(reverse("login"))

    assert "data-drafts-held" in after_time_out
    assert "data-drafts-held" not in after_signing_out
    assert "data-draft-owner" not in after_time_out + after_signing_out


def test_two_people_get_different_keys_on_their_pages(client, social_worker, outsider):
    keys = set()
    for user in (social_worker, outsider):
        client.force_login(user)
        html = client.get(reverse("cases:my_cases")).content.decode()
        keys.add(html.split('data-draft-owner="', 1)[1].split('"', 1)[0])
        client.logout()

    assert keys == {draft_owner_key(social_worker), draft_owner_key(outsider)}


# In Chromium: two managers, one tab --------------------------------------------


def stored_text(page) -> str:
    """Everything this tab keeps in sessionStorage and localStorage, as text."""
    return page.evaluate(
        """() => JSON.stringify([sessionStorage, localStorage].map(function (s) {
            var all = {};
            for (var i = 0; i < s.length; i++) { all[s.key(i)] = s.getItem(s.key(i)); }
            return all;
        }))"""
    )


def start_a_new_child(page, site):
    page.goto(f"{site.url}/cases/new/")
    page.wait_for_selector("h1:has-text('Open a reunification case')")
    page.fill("#id_child-first_name", HALF_TYPED_FIRST_NAME)
    page.fill("#id_child-last_name", HALF_TYPED_LAST_NAME)
    assert HALF_TYPED_LAST_NAME in stored_text(page)  # the draft is kept for now


def sign_in_from_here(page, username):
    from demo.stories import DEMO_PASSWORD

    page.wait_for_selector("h1:has-text('Sign in')")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button:has-text('Sign in')")


def sign_out(page):
    page.click("button:has-text('Sign out')")
    page.wait_for_selector("h1:has-text('Sign in')")


def assert_new_child_form_is_empty(page):
    page.wait_for_selector("h1:has-text('Open a reunification case')")
    assert page.input_value("#id_child-first_name") == ""
    assert page.input_value("#id_child-last_name") == ""
    assert not page.locator(".app-draft-restored").is_visible()


@in_chromium
@pytest.mark.parametrize("leaves_by", ["signing out", "a time-out"])
def test_another_manager_on_the_same_tab_never_gets_the_draft(demo_site, browser, leaves_by):
    page = sign_in(new_page(browser), demo_site, "tm.north")
    start_a_new_child(page, demo_site)

    if leaves_by == "signing out":
        sign_out(page)
        assert HALF_TYPED_LAST_NAME not in stored_text(page)
        page.goto(f"{demo_site.url}/sign-in/?next=/cases/new/")
    else:
        # The session ends before she saves: Save takes her to the sign-in page,
        # which keeps the draft for whoever signs in next.
        page.context.clear_cookies(name="sessionid")
        page.click("main button.govuk-button")
        page.wait_for_selector("h1:has-text('Sign in')")
        assert HALF_TYPED_LAST_NAME in stored_text(page)

    sign_in_from_here(page, "tm.south")

    assert_new_child_form_is_empty(page)
    assert HALF_TYPED_FIRST_NAME not in stored_text(page)
    assert HALF_TYPED_LAST_NAME not in stored_text(page)
    screenshot(page, f"draft-not-given-to-another-after-{leaves_by.replace(' ', '-')}")

    # She comes back to the tab: the draft went when he signed in.
    sign_out(page)
    page.goto(f"{demo_site.url}/sign-in/?next=/cases/new/")
    sign_in_from_here(page, "tm.north")
    assert_new_child_form_is_empty(page)
    assert HALF_TYPED_LAST_NAME not in stored_text(page)
    page.context.close()


@in_chromium
def test_the_same_manager_gets_her_draft_back_after_a_time_out(demo_site, browser):
    page = sign_in(new_page(browser), demo_site, "tm.north")
    start_a_new_child(page, demo_site)
    page.context.clear_cookies(name="sessionid")
    page.goto(f"{demo_site.url}/cases/new/")

    sign_in_from_here(page, "tm.north")

    page.wait_for_selector("h1:has-text('Open a reunification case')")
    # Offered, not filled in unasked.
    assert page.locator(".app-draft-restored").is_visible()
    assert "Restore what you typed?" in page.locator(".app-draft-restored").inner_text()
    assert page.input_value("#id_child-first_name") == ""
    screenshot(page, "draft-offered-after-a-time-out")
    page.click("button:has-text('Restore what I typed')")
    assert page.input_value("#id_child-first_name") == HALF_TYPED_FIRST_NAME
    assert page.input_value("#id_child-last_name") == HALF_TYPED_LAST_NAME
    page.context.close()


@in_chromium
def test_leaving_a_form_unsaved_and_coming_back_starts_it_empty(demo_site, browser):
    page = sign_in(new_page(browser), demo_site, "tm.north")
    start_a_new_child(page, demo_site)
    page.goto(f"{demo_site.url}/cases/")
    page.goto(f"{demo_site.url}/cases/new/")
    assert_new_child_form_is_empty(page)
    page.context.close()


@in_chromium
def test_a_refused_save_is_not_put_back_on_the_next_visit(demo_site, browser):
    page = sign_in(new_page(browser), demo_site, "tm.north")
    start_a_new_child(page, demo_site)
    page.click("main form[method=post] button.govuk-button")
    page.wait_for_selector(".govuk-error-summary")
    assert page.input_value("#id_child-last_name") == HALF_TYPED_LAST_NAME  # the server's
    page.goto(f"{demo_site.url}/cases/")
    page.goto(f"{demo_site.url}/cases/new/")
    assert_new_child_form_is_empty(page)
    page.context.close()


@in_chromium
def test_a_page_shown_to_nobody_wipes_drafts_that_no_sign_in_is_waiting_for(demo_site, browser):
    page = sign_in(new_page(browser), demo_site, "tm.north")
    start_a_new_child(page, demo_site)
    page.context.clear_cookies(name="sessionid")
    page.goto(f"{demo_site.url}/cases/new/")
    page.wait_for_selector("h1:has-text('Sign in')")
    assert HALF_TYPED_LAST_NAME in stored_text(page)

    # Nobody signs in: the next page is another one shown to nobody.
    page.goto(f"{demo_site.url}/password-reset/")

    assert HALF_TYPED_LAST_NAME not in stored_text(page)
    assert json.loads(stored_text(page)) == [{}, {}]
    page.context.close()
