"""In a real browser: the demo social worker signs in, finds her caseload and
opens a case. Needs Debian's Chromium (the path is in $CHROMIUM)."""

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command

from tests import browser_demo

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason=f"no Chromium at {CHROMIUM}: install Debian's chromium package to run browser tests",
    ),
]


browser_page = browser_demo.browser_page


def screenshot(page, name):
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


@pytest.fixture
def demo(transactional_db, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    settings.DEBUG = False


def test_social_worker_signs_in_finds_her_caseload_and_opens_a_case(
    demo, live_server, browser_page
):
    from cases.models import ReunificationCase, User
    from demo.stories import DEMO_PASSWORD

    page = browser_page
    worker = User.objects.get(username="sw.north")
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Sign in"
    screenshot(page, "sign-in")

    page.fill("#id_username", "sw.north")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button:has-text('Sign in')")

    page.wait_for_selector("h1:has-text('My cases')")
    screenshot(page, "my-cases")
    rows = page.locator("table.govuk-table tbody tr")
    her_cases = ReunificationCase.objects.filter(social_worker=worker).select_related("child")
    first = her_cases.order_by("child__last_name", "child__first_name", "pk").first()
    assert rows.count() == min(her_cases.count(), 25)
    assert first.child.full_name in rows.first.inner_text()

    page.click(f"a:has-text('{first.child.full_name}')")
    page.wait_for_selector(f"h1:has-text('{first.child.full_name}')")
    screenshot(page, "case-overview")
    assert page.locator("#child").is_visible()
    assert first.child.local_identifier in page.content()
    assert first.views.filter(user=worker).exists()


def test_typing_survives_a_session_time_out(demo, live_server, browser_page, settings):
    """What the worker typed is offered back after she signs in again."""
    from cases.models import ReunificationCase
    from demo.stories import DEMO_PASSWORD

    page = browser_page
    case = ReunificationCase.objects.filter(social_worker__username="sw.north").first()
    page.goto(live_server.url + "/sign-in/")
    page.fill("#id_username", "sw.north")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_selector("h1:has-text('My cases')")

    page.goto(f"{live_server.url}/cases/{case.pk}/chronology/add/")
    page.fill("#id_description", "Mother attended the first parenting session.")
    # The session ends (as after 30 idle minutes) before she saves.
    page.context.clear_cookies(name="sessionid")
    page.click("button:has-text('Save')")
    page.wait_for_selector("h1:has-text('Sign in')")
    page.fill("#id_username", "sw.north")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button:has-text('Sign in')")

    page.wait_for_selector("h1:has-text('Add a chronology entry')")
    assert page.locator(".app-draft-restored").is_visible()  # offered, not filled in
    assert page.input_value("#id_description") == ""
    page.click("button:has-text('Restore what I typed')")
    assert page.input_value("#id_description") == "Mother attended the first parenting session."
    screenshot(page, "draft-restored")


def test_warning_before_the_session_ends_and_staying_signed_in(
    demo, live_server, browser_page, settings
):
    from demo.stories import DEMO_PASSWORD

    # A six-second session: the warning comes at three seconds.
    settings.SESSION_COOKIE_AGE = 6
    page = browser_page
    page.goto(live_server.url + "/sign-in/")
    page.fill("#id_username", "sw.north")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_selector("h1:has-text('My cases')")

    dialog = page.locator(".app-timeout-dialog")
    assert not dialog.is_visible()
    page.wait_for_selector(".app-timeout-dialog[open]", timeout=5000)
    assert "You are about to be signed out" in dialog.inner_text()
    screenshot(page, "timeout-warning")
    page.click("button:has-text('Stay signed in')")
    page.wait_for_selector(".app-timeout-dialog[open]", state="hidden", timeout=2000)
    # The session was refreshed on the server: the next page still opens.
    page.goto(live_server.url + "/cases/")
    assert page.locator("h1").inner_text() == "My cases"
