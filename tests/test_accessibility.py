"""Accessibility, checked in headless Chromium.

Every main page, as each of the demo users sees it, is run through axe-core (the
rules engine behind most accessibility checkers) for WCAG 2.0, 2.1 and 2.2 levels
A and AA; any serious or critical problem fails the test, naming the rule, the
element and the page. Forms are also checked showing their errors. A keyboard-only
walk signs in, opens a case and saves a record without the mouse.

axe-core comes from scripts/install_axe_core.py (run by `make install`) into
tests/vendor/axe-core; it is loaded into each page by Playwright, never served.
"""

import datetime
import os
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from tests import browser_demo
from tests.browser_demo import BROWSER_MARKS, new_page, screenshot, sign_in

# One seeded demo site and one Chromium for the whole module (tests/browser_demo.py).
demo_site = browser_demo.demo_site
browser = browser_demo.browser

pytestmark = BROWSER_MARKS

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
FAILING_IMPACTS = {"serious", "critical"}

# The demo users, one of each role that signs in.
USERS = ["sw.north", "tm.north", "iro", "hos", "director", "performance"]


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.exists():
        message = f"axe-core is not installed at {AXE}: run `python scripts/install_axe_core.py`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE.read_text()


def check_page(page, axe_source: str, where: str) -> list[str]:
    """Runs axe on the page as it stands; returns its serious and critical problems."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source)
    results = page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {
                runOnly: {type: "tag", values: tags},
                resultTypes: ["violations"],
            });
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map((n) => n.target.join(" ")),
            }));
        }""",
        WCAG_TAGS,
    )
    return [
        f"{where}: {v['id']} ({v['impact']}: {v['help']}) at {', '.join(v['targets'][:5])}"
        for v in results
        if v["impact"] in FAILING_IMPACTS
    ]


# Which pages to check: each user's pages are found by following links from their
# home pages, one page of each kind, as the Django test client (quick, no browser).

START = ["/cases/", "/cases/?scope=all", "/tasks/", "/tasks/team/", "/decisions/", "/reports/"]
# Pages each user is shown differently (their own caseload, tasks and decisions, and
# the buttons a case offers them), checked for everyone; the rest once, for the first
# user in USERS who reaches them.
EVERYONE = {"cases:my_cases", "my_tasks", "waiting_for_me", "reviews:journey"}
SKIP = re.compile(r"csv=|[?&]page=|^/(admin|static|sign-out)")


def page_kind(path: str) -> tuple | None:
    """What sort of page a link opens: the view, the kind of record or decision,
    and for case pages the stage the case is at (each stage looks different)."""
    from cases.models import ReunificationCase

    try:
        match = resolve(path.split("?")[0])
    except Resolver404:
        return None
    kind = (match.view_name, match.kwargs.get("kind", ""), match.kwargs.get("step", ""))
    if match.view_name in ("cases:overview", "reviews:journey"):
        kind += (ReunificationCase.objects.get(pk=match.kwargs["pk"]).stage,)
    return kind


def reachable_pages(username: str) -> dict[tuple, str]:
    from cases.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    found: dict[tuple, str] = {}  # each kind of page, and the first address that opened it
    queue = list(START)
    queued = set(queue)
    while queue:
        url = queue.pop(0)
        kind = page_kind(url)
        if kind in found and url not in START:
            continue
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        if kind:
            found.setdefault(kind, url)
        for href in re.findall(r'href="(/[^"#]*)"', response.content.decode()):
            href = href.replace("&amp;", "&")
            if href in queued or SKIP.search(href) or page_kind(href) in found:
                continue
            queued.add(href)
            queue.append(href)
    return found


@pytest.fixture(scope="module")
def pages_to_check(demo_site) -> dict[str, list[str]]:
    """For each user, the pages their check visits."""
    checked = set()
    plan = {}
    for username in USERS:
        plan[username] = []
        for kind, url in sorted(reachable_pages(username).items()):
            if kind[0] in EVERYONE or kind not in checked:
                plan[username].append(url)
                checked.add(kind)
    return plan


def test_the_check_covers_every_main_kind_of_page(pages_to_check):
    everything = [url for urls in pages_to_check.values() for url in urls]
    views = {page_kind(url)[0] for url in everything}
    for view in [
        "cases:my_cases",
        "cases:team",
        "cases:overview",
        "cases:audit",
        "cases:add_record",
        "cases:edit_record",
        "cases:edit_child",
        "risk:overview",
        "risk:detail",
        "planning:overview",
        "planning:add_meeting",
        "reviews:journey",
        "reviews:approve",
        "reviews:aftercare",
        "my_tasks",
        "waiting_for_me",
        "reporting:caseload",
        "reporting:outcomes",
    ]:
        assert view in views, view
    assert len(everything) > 50


@pytest.mark.parametrize("username", USERS)
def test_each_users_pages_have_no_serious_accessibility_problems(
    demo_site,
    browser,
    axe_source,
    pages_to_check,
    username,
):
    page = new_page(browser)
    problems = []
    sign_in(page, demo_site, username)
    for url in pages_to_check[username]:
        response = page.goto(demo_site.url + url)
        assert response.ok, f"{url} as {username}: {response.status}"
        problems += check_page(page, axe_source, f"{url} as {username}")
    page.context.close()
    assert problems == [], "\n".join(problems)


def test_signed_out_pages_have_no_serious_accessibility_problems(
    demo_site,
    browser,
    axe_source,
):
    page = new_page(browser)
    problems = []
    for path in ["/sign-in/", "/password-reset/", "/no-such-page/"]:
        page.goto(demo_site.url + path)
        problems += check_page(page, axe_source, path)

    # Signing in wrongly shows the error summary.
    page.goto(demo_site.url + "/sign-in/")
    page.fill("#id_username", "sw.north")
    page.fill("#id_password", "not the password")
    page.click("button:has-text('Sign in')")
    page.wait_for_selector(".govuk-error-summary")
    problems += check_page(page, axe_source, "/sign-in/ with an error")

    # The check does find problems: a box with no label, and text too faint to read.
    page.evaluate(
        """() => {
            const main = document.querySelector("main");
            main.insertAdjacentHTML("beforeend", '<input type="text" name="x"><p>Faint</p>');
            main.lastElementChild.style.color = "#cccccc";
        }"""
    )
    found = check_page(page, axe_source, "broken on purpose")
    page.context.close()
    assert problems == [], "\n".join(problems)
    assert any(" label (critical" in problem for problem in found), found
    assert any(" color-contrast (serious" in problem for problem in found), found


# Forms sent empty, as the person who fills them in: each shows its errors.
SUBMIT = "main form[method=post] button:not([type=button])"
FORMS_WITH_ERRORS = {
    "sw.north": [
        "/cases/{case}/chronology/add/",
        "/cases/{case}/household-member/add/",
        "/cases/{case}/legal-status/add/",
        "/cases/{case}/child/",
        "/cases/{case}/planning/meetings/add/",
        "/cases/{case}/planning/agreements/add/",
        "/cases/{case}/journey/disagreements/new/",
        "/cases/{case}/journey/visits/new/",
        "/cases/{case}/risk/new/",
    ],
    "tm.north": [
        "/cases/new/",
        "/cases/{case}/journey/not-pursued/",
        "/cases/{case}/journey/supervision/new/",
    ],
}


@pytest.mark.parametrize("username", sorted(FORMS_WITH_ERRORS))
def test_forms_showing_errors_have_no_serious_accessibility_problems(
    demo_site,
    browser,
    axe_source,
    username,
):
    from cases.models import ReunificationCase, Stage

    case = (
        ReunificationCase.objects.filter(social_worker__username="sw.north")
        .filter(stage__in=[Stage.ASSESSMENT, Stage.IDENTIFICATION])
        .order_by("pk")
        .first()
    )
    page = new_page(browser)
    sign_in(page, demo_site, username)
    problems = []
    for form in FORMS_WITH_ERRORS[username]:
        path = form.format(case=case.pk)
        assert page.goto(demo_site.url + path).ok, path
        # Empty every box the page filled in for us, then send the form.
        page.evaluate(
            """() => document.querySelectorAll("main form[method=post] input[type=text],"
               + " main form[method=post] textarea").forEach((box) => { box.value = ""; })"""
        )
        page.locator(SUBMIT).last.click()
        page.wait_for_load_state("load")
        assert page.locator(".govuk-error-summary").count() == 1, f"{path}: no errors shown"
        problems += check_page(page, axe_source, f"{path} with errors")
        # Each link in the summary leads to a box or option that can take focus.
        problems += [
            f"{path}: the error link to {target} leads to no form control"
            for target in page.evaluate(
                """() => [...document.querySelectorAll(".govuk-error-summary__list a")]
                    .map((a) => a.getAttribute("href"))
                    .filter((href) => !document.querySelector(
                        `${href}:is(input, select, textarea)`))"""
            )
        ]
    page.context.close()
    assert problems == [], "\n".join(problems)


# Keyboard only.

FOCUS_STYLE = r"""() => {
    const el = document.activeElement;
    if (!el || el === document.body) { return null; }
    const s = getComputedStyle(el);
    const yellow = "rgb(255, 221, 0)";
    const transparent = (colour) => colour === "transparent" || /^rgba\(.*,\s*0\)$/.test(colour);
    const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0
        && !transparent(s.outlineColor);
    return {
        tag: el.tagName, id: el.id, text: (el.innerText || el.value || "").slice(0, 40),
        visible: outline || s.backgroundColor === yellow || s.boxShadow.includes(yellow)
            || s.borderColor === yellow,
    };
}"""


class Keyboard:
    """Moves through a page with Tab and Shift+Tab, checking that wherever focus
    lands can be seen."""

    def __init__(self, page):
        self.page = page

    def focused(self) -> dict:
        return self.page.evaluate(FOCUS_STYLE)

    def assert_focus_visible(self):
        focused = self.focused()
        assert focused is not None, f"{self.page.url}: nothing has focus"
        assert focused["visible"], f"{self.page.url}: no visible focus on {focused}"

    def tab_to(self, selector: str, limit: int = 400, backwards: bool = False):
        """Presses Tab until the element matching the selector has focus."""
        if self.page.evaluate("(selector) => document.activeElement.matches(selector)", selector):
            return  # already there (the sign-in page puts focus in its first box)
        for _ in range(limit):
            self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
            if self.page.evaluate(
                "(selector) => document.activeElement.matches(selector)", selector
            ):
                self.assert_focus_visible()
                return
            self.assert_focus_visible()
        raise AssertionError(f"{self.page.url}: Tab never reached {selector}")


def test_signing_in_opening_a_case_and_saving_a_record_by_keyboard_alone(
    demo_site,
    browser,
):
    from cases.models import ChronologyEntry, ReunificationCase
    from demo.stories import DEMO_PASSWORD
    from reunification.clock import today

    yesterday = today() - datetime.timedelta(days=1)
    page = new_page(browser)
    keys = Keyboard(page)
    page.goto(demo_site.url + "/sign-in/")
    keys.tab_to("#id_username")
    page.keyboard.type("sw.north")
    keys.tab_to("#id_password")
    page.keyboard.type(DEMO_PASSWORD)
    # Back to the username and forward again, to show Shift+Tab works.
    keys.tab_to("#id_username", backwards=True)
    keys.tab_to("#id_password")
    keys.tab_to(SUBMIT)
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('My cases')")

    # On a new page the first Tab reaches the skip link, which shows itself and
    # moves focus to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('govuk-skip-link')")
    assert page.locator(".govuk-skip-link").is_visible()
    keys.assert_focus_visible()
    screenshot(page, "keyboard-skip-link")
    # Through the header and the navigation to Sign out, and back: each shows focus.
    keys.tab_to("form[data-sign-out] button")
    screenshot(page, "keyboard-sign-out")
    keys.tab_to(".govuk-skip-link", backwards=True)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"

    case = (
        ReunificationCase.objects.filter(social_worker__username="sw.north")
        .order_by("child__last_name", "child__first_name", "pk")
        .first()
    )
    keys.tab_to(f"main a[href='/cases/{case.pk}/']")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"h1:has-text('{case.child.full_name}')")

    adding = f"/cases/{case.pk}/chronology/add/"
    keys.tab_to(f"main a[href='{adding}']")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Add a chronology entry')")

    # Sent with nothing filled in: focus goes to the error summary, and its first
    # link takes focus to the box with the problem.
    keys.tab_to(SUBMIT)
    page.keyboard.press("Space")
    page.wait_for_selector(".govuk-error-summary")
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    keys.tab_to(".govuk-error-summary__list a")
    target = page.evaluate("document.activeElement.getAttribute('href')").lstrip("#")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == target
    keys.assert_focus_visible()
    screenshot(page, "keyboard-error-link")

    # Filled in and saved by keyboard (focus is in the day box now).
    assert target == "id_occurred_on_0"
    page.keyboard.type(str(yesterday.day))
    keys.tab_to("#id_occurred_on_1")
    page.keyboard.type(str(yesterday.month))
    keys.tab_to("#id_occurred_on_2")
    page.keyboard.type(str(yesterday.year))
    keys.tab_to("input[name=kind]")
    page.keyboard.press("Space")
    assert page.evaluate("document.activeElement.checked")
    keys.tab_to("#id_description")
    page.keyboard.type("Visited mother at home; the flat was clean and warm.")
    keys.tab_to(SUBMIT)
    page.keyboard.press("Enter")
    page.wait_for_selector(f"h1:has-text('{case.child.full_name}')")
    assert ChronologyEntry.objects.filter(
        case=case, description="Visited mother at home; the flat was clean and warm."
    ).exists()
    page.context.close()
