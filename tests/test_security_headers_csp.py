"""Content-Security-Policy: every page tells the browser to run only this site's own
script files and stylesheets, so an injected <script>, onclick= or style= does
nothing. For that to hold, no template may rely on inline script or style: the
templates and scripts are checked here, and a real browser walks the main pages
to see that nothing is refused and that GOV.UK Frontend still starts."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests import browser_demo
from tests.browser_demo import needs_chromium, new_page, sign_in

# One seeded demo site and one Chromium for the module (tests/browser_demo.py).
demo_site = browser_demo.demo_site
browser = browser_demo.browser

ROOT = Path(settings.BASE_DIR)
PROJECT_APPS = ["cases", "risk", "planning", "reviews", "reporting"]

EXPECTED_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def directives(header: str) -> dict[str, list[str]]:
    policy = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            policy[words[0]] = words[1:]
    return policy


# What a browser would refuse under the policy, found in HTML.
TAG = re.compile(r"<[a-zA-Z][^>]*>", re.DOTALL)
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
HANDLER_ATTRIBUTE = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"javascript:", re.IGNORECASE)


def inline_code(html: str) -> list[str]:
    """Every inline script, event handler, style or javascript: URL in the HTML."""
    found = [m.group(0) for m in INLINE_SCRIPT.finditer(html)]
    found += [m.group(0) for m in STYLE_ELEMENT.finditer(html)]
    for tag in TAG.finditer(html):
        text = tag.group(0)
        if (
            HANDLER_ATTRIBUTE.search(text)
            or STYLE_ATTRIBUTE.search(text)
            or JAVASCRIPT_URL.search(text)
        ):
            found.append(text[:120])
    return found


def test_the_checker_finds_each_kind_of_inline_code():
    assert inline_code('<p class="x">Hi</p><script src="/static/a.js"></script>') == []
    assert len(inline_code("<script>alert(1)</script>")) == 1
    assert len(inline_code('<script type="module">go()</script>')) == 1
    assert len(inline_code("<style>p { color: red }</style>")) == 1
    assert len(inline_code('<a href="#" onclick="go()">Go</a>')) == 1
    assert len(inline_code('<button\n  type="button" onClick="go()">Go</button>')) == 1
    assert len(inline_code('<div style="display:none">x</div>')) == 1
    assert len(inline_code('<a href="javascript:void(0)">x</a>')) == 1
    # Words outside a tag are not code.
    assert inline_code("<p>Set style= or onclick= and javascript: in text.</p>") == []


# Emails are not web pages: mail programs need inline styles and the policy does
# not apply to them.
EMAIL_TEMPLATES = ROOT / "templates" / "reviews" / "email"


def project_templates() -> list[Path]:
    folders = [ROOT / "templates"] + [ROOT / app / "templates" for app in PROJECT_APPS]
    files = [path for folder in folders if folder.exists() for path in folder.rglob("*.html")]
    return [path for path in files if EMAIL_TEMPLATES not in path.parents]


def test_no_template_has_inline_script_handlers_or_style():
    templates = project_templates()
    assert len(templates) > 20
    found = {
        str(path.relative_to(ROOT)): inline_code(path.read_text())
        for path in templates
        if inline_code(path.read_text())
    }
    assert found == {}


def test_the_page_scripts_build_no_code_from_strings():
    scripts = sorted((ROOT / "static" / "js").glob("*.js"))
    assert scripts
    forbidden = re.compile(
        r"\beval\s*\(|new\s+Function\s*\(|set(Timeout|Interval)\s*\(\s*['\"]"
        r"|setAttribute\s*\(\s*['\"](on|style)|\.on[a-z]+\s*=\s*['\"]|javascript:"
    )
    found = {
        path.name: forbidden.findall(path.read_text())
        for path in scripts
        if forbidden.search(path.read_text())
    }
    assert found == {}


def test_the_policy_is_as_agreed_and_allows_nothing_inline(client, db):
    response = client.get(reverse("login"))

    policy = directives(response["Content-Security-Policy"])
    assert policy == EXPECTED_POLICY
    words = [word for sources in policy.values() for word in sources]
    assert "'unsafe-inline'" not in words
    assert "'unsafe-eval'" not in words


def test_every_kind_of_page_carries_the_policy(client, case, team_manager):
    client.force_login(team_manager)
    urls = [
        reverse("cases:my_cases"),
        reverse("cases:team"),
        reverse("cases:overview", args=[case.pk]),
        reverse("cases:audit", args=[case.pk]),
        reverse("cases:add_record", args=[case.pk, "chronology"]),
        reverse("risk:overview", args=[case.pk]),
        reverse("planning:overview", args=[case.pk]),
        reverse("reviews:journey", args=[case.pk]),
        reverse("my_tasks"),
        reverse("waiting_for_me"),
        reverse("reporting:caseload"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert directives(response["Content-Security-Policy"]) == EXPECTED_POLICY, url
        # What the page draws (including the form templates of installed packages)
        # needs nothing inline either.
        assert inline_code(response.content.decode()) == [], url

    # A form shown again with its errors, and the sign-in page after a wrong password.
    response = client.post(
        reverse("cases:add_record", args=[case.pk, "chronology"]), {"description": ""}
    )
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert "Content-Security-Policy" in response
    assert inline_code(response.content.decode()) == []
    client.logout()
    response = client.post(reverse("login"), {"username": "nobody", "password": "wrong"})
    assert "Content-Security-Policy" in response
    assert inline_code(response.content.decode()) == []


# In Chromium: nothing refused, and GOV.UK Frontend still starts.

WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


class Watch:
    """Collects policy violations, console errors and script errors on a page."""

    def __init__(self, page):
        self.page = page
        self.console = []
        self.errors = []
        page.context.add_init_script(WATCH_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))

    def _console(self, message):
        # Django's admin names no icon, so the browser asks for /favicon.ico in vain.
        if message.location.get("url", "").endswith("/favicon.ico"):
            return
        if message.type == "error" or "Content Security Policy" in message.text:
            self.console.append(f"{self.page.url}: {message.text} ({message.location})")

    def visit(self, url, govuk=True):
        self.page.goto(url)
        self.page.wait_for_load_state("load")
        self.check(govuk)

    def check(self, govuk=True):
        violations = self.page.evaluate("window.__cspViolations")
        assert violations == [], f"{self.page.url}: {violations}"
        assert self.console == []
        assert self.errors == []
        if not govuk:
            return
        classes = self.page.evaluate("document.body.className").split()
        assert "js-enabled" in classes, self.page.url
        assert "govuk-frontend-supported" in classes, self.page.url
        # init.js has run: GOV.UK Frontend marks each component it starts.
        assert self.page.locator(".govuk-skip-link[data-govuk-skip-link-init]").count() == 1


@pytest.mark.browser
@pytest.mark.django_db
@needs_chromium
def test_the_main_pages_run_in_chromium_with_nothing_refused(demo_site, browser):
    from cases.models import ReunificationCase, User

    worker = User.objects.get(username="sw.north")
    case = (
        ReunificationCase.objects.filter(social_worker=worker, closed_on__isnull=True)
        .order_by("pk")
        .first()
    )
    site = demo_site.url

    page = new_page(browser)
    watch = Watch(page)
    watch.visit(f"{site}/sign-in/")
    sign_in(page, demo_site, "sw.north")
    watch.check()
    for path in [
        "/cases/",
        f"/cases/{case.pk}/",
        f"/cases/{case.pk}/journey/",
        f"/cases/{case.pk}/risk/",
        f"/cases/{case.pk}/planning/",
        f"/cases/{case.pk}/chronology/add/",
        "/tasks/",
        "/decisions/",
    ]:
        watch.visit(site + path)

    # A form sent empty: GOV.UK Frontend moves focus to the error summary, and its
    # links take focus to the field.
    watch.visit(f"{site}/cases/{case.pk}/chronology/add/")
    page.click("button:has-text('Save')")
    page.wait_for_selector(".govuk-error-summary")
    watch.check()
    summary = page.locator(".govuk-error-summary")
    assert summary.get_attribute("data-govuk-error-summary-init") is not None
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    link = summary.locator(".govuk-error-summary__list a").first
    target = link.get_attribute("href").lstrip("#")
    link.click()
    assert page.evaluate("document.activeElement.id") == target

    # A narrow screen: the service navigation folds behind a Menu button that works.
    page.set_viewport_size({"width": 375, "height": 800})
    watch.visit(f"{site}/cases/")
    menu = page.locator(".govuk-service-navigation__toggle")
    assert menu.is_visible()
    assert menu.get_attribute("aria-expanded") == "false"
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    assert page.locator("#navigation").is_visible()

    # The policy is enforced: a script put into the page is refused, and seen to be.
    page.evaluate(
        """() => { const s = document.createElement("script");
        s.textContent = "window.__injected = true"; document.body.append(s); }"""
    )
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.__injected") is None
    assert page.evaluate("window.__cspViolations")[0].startswith("script-src")
    page.context.close()

    # The team manager's pages, the reports (drawn as SVG) and the audit trail.
    page = new_page(browser)
    watch = Watch(page)
    sign_in(page, demo_site, "tm.north")
    watch.check()
    for path in [
        "/cases/team/",
        f"/cases/{case.pk}/audit/",
        "/tasks/team/",
        "/reports/ssda903/",
        "/reports/outcomes/",
        "/reports/",
    ]:
        watch.visit(site + path)
    assert page.locator("svg.app-bar-chart").count() > 0
    page.context.close()

    # Django's admin, where the system administrator manages users and teams.
    from cases.models import User

    page = new_page(browser)
    watch = Watch(page)
    sign_in(page, demo_site, "sysadmin")
    assert User.objects.get(username="sysadmin").is_staff
    for path in ["/admin/", "/admin/cases/user/", f"/admin/cases/user/{worker.pk}/change/"]:
        watch.visit(site + path, govuk=False)
        assert page.locator("#content").count() == 1, path
    page.context.close()


def test_the_admin_pages_carry_the_policy_too(client, performance):
    performance.is_staff = True
    performance.is_superuser = True
    performance.save()
    client.force_login(performance)
    for url in [reverse("admin:index"), reverse("admin:cases_user_changelist")]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert directives(response["Content-Security-Policy"]) == EXPECTED_POLICY
        assert inline_code(response.content.decode()) == [], url
