"""A seeded demo site and a headless Chromium shared by every test in a module.

The browser tests that walk many pages (tests/test_accessibility.py,
tests/test_security_headers_csp.py) seed the demo once per module rather than once
per test. pytest-django's `live_server` fixture would force `transactional_db` on
each test, and so a flush after each one, so these fixtures run their own live
server instead: the demo is written once with database access unblocked for the
module, and the database is flushed when the module ends, leaving it empty as
`transactional_db` would for the tests that follow.

A test module takes the fixtures by naming them:
    demo_site = browser_demo.demo_site
    browser = browser_demo.browser
"""

import io
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections
from django.test.utils import override_settings

from demo.stories import DEMO_PASSWORD

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason=f"no Chromium at {CHROMIUM}: install Debian's chromium package to run browser tests",
)
# Every test that uses `demo_site` carries the django_db mark: it is what tells
# pytest-django to create the test database at all. Each test then runs in a
# transaction, rolled back at its end; the demo, written before, stays for the
# module. (What the live server writes is rolled back with it on SQLite, where
# the two share one connection, and kept on PostgreSQL: tests must not rely on
# either.)
BROWSER_MARKS = [pytest.mark.browser, needs_chromium, pytest.mark.django_db]


def launch_chromium(playwright):
    """Debian's Chromium, headless, quiet: no sandbox (tests run as root in CI), no
    GPU and no calls home."""
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    )


@pytest.fixture
def browser_page(monkeypatch):
    """One page in its own headless Chromium, 1280 pixels wide, for one test (with
    pytest-django's `live_server`)."""
    # Playwright's sync API runs an event loop in this thread; Django's ORM, used
    # by the live server and fixtures, refuses to run beside one unless told.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        page = chromium.new_page(viewport={"width": 1280, "height": 1000})
        page.set_default_timeout(10_000)
        yield page
        chromium.close()


@dataclass
class DemoSite:
    url: str


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for the module; each test opens its own contexts."""
    # Playwright's sync API runs an event loop in the test thread; Django's ORM
    # refuses to run beside one unless told.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            chromium = launch_chromium(playwright)
            yield chromium
            chromium.close()


@pytest.fixture(scope="module")
def demo_site(request, django_db_setup, django_db_blocker, browser):
    """The demo data (manage.py seed_demo) behind a live server, for one module.

    It starts after the browser on purpose. Once Playwright's event loop runs in
    this thread, Django hands this thread a different database connection; the
    live server must share that one (SQLite's in-memory test database is shared
    by connection), the same one each test's transaction is opened on.
    """
    from pytest_django.live_server_helper import LiveServer

    # Without the mark on any test, pytest-django would set up no test database and
    # the demo would be written to the real one.
    for item in request.session.items:
        if "demo_site" in item.fixturenames and not item.get_closest_marker("django_db"):
            pytest.fail(f"{item.nodeid} uses demo_site: mark it with django_db")
    with django_db_blocker.unblock():
        try:
            with override_settings(DEBUG=True):
                call_command("seed_demo", stdout=io.StringIO())
            server = LiveServer("localhost")
            server._live_server_modified_settings.enable()
            try:
                yield DemoSite(url=server.url)
            finally:
                server._live_server_modified_settings.disable()
                # Stopped without LiveServer.stop(), which would end the sharing of
                # SQLite's connection while the browser's last requests may still be
                # closing theirs in the server's threads.
                server.thread.terminate()
        finally:
            call_command("flush", interactive=False, verbosity=0)
            # The connection this fixture opened belongs to Playwright's loop, and
            # nothing else would close it (PostgreSQL could not drop the test
            # database with it open).
            connections.close_all()


def new_page(browser, **context_options):
    """A page in a fresh browser context (its own cookies), 1280 pixels wide."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, **context_options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def sign_in(page, site: DemoSite, username: str):
    """Signs in through the sign-in page, as a person would."""
    page.goto(f"{site.url}/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_selector("h1:has-text('My cases')")
    return page


def screenshot(page, name):
    """Saves a full-page screenshot when SCREENSHOT_DIR is set."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)
