"""In a real browser, one child's whole journey, stages 1 to 5 and closure, with
only the positive steps, everything the guidance asks for recorded through the
pages by the person who records it: and the effort it takes, counted.

Mia Hart is on an interim care order. The team manager opens her case; the social
worker records her household, the checks, the assessment and the planning; the
team manager, the head of service, the IRO and the service director make their
decisions where "Waiting for me" sends them. She goes home, is reviewed and
visited, her care order is discharged and, once Low risk has held and she has
been home six months, the case is closed.

The walk counts what a person does:
- pages: every page the browser asks for in the tab (a link followed, a form
  sent, a page shown again with its errors; a redirect is the same page);
- clicks: every link, button, radio or tick box clicked (a date is typed, not
  clicked);
- fields: every question answered (a date is one field, as the page asks it as
  one question); one the page already answers as asked (filled in from what
  the case knows, or a box left empty) is neither a field nor a click.
Signing in is left out of the counts: it is the same however the pages are made.
The figures are in the README (Recording effort). Needs Debian's Chromium.
"""

import datetime
import os
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases.models import PoliceCheck, ReunificationCase, Stage
from tests import browser_demo
from tests.factories import RISK_ANSWERS

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PASSWORD = "correct horse battery staple"
LONDON = ZoneInfo("Europe/London")
D = datetime.date

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason=f"no Chromium at {CHROMIUM}: install Debian's chromium package to run browser tests",
    ),
]

# What the whole journey takes, counted by this walk (see the README).
EXPECTED = {"pages": 99, "clicks": 167, "fields": 202}


def noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=LONDON)


browser_page = browser_demo.browser_page


@pytest.fixture
def passwords(settings, everyone, people):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for user in vars(people).values():
        user.set_password(PASSWORD)
        user.save()
    return people


def screenshot(page, name):
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


class Walk:
    """A browser session that counts the pages, clicks and fields of recording."""

    def __init__(self, page, server: str):
        self.page, self.server = page, server
        self.counts = {"pages": 0, "clicks": 0, "fields": 0}
        # Where each click was counted (the page and what was clicked), to say
        # where a count that changed comes from.
        self.trail: list[str] = []
        self.counting = True
        self.case: ReunificationCase | None = None
        page.on("request", self._requested)

    def _requested(self, request):
        """A page is a document the browser asks for in the tab: a link followed or
        a form sent (its redirect is the same page). Counting the requests, not the
        load events, makes the count exact: a load event could come after the walk
        had moved on (signing in waits for the page's heading, not its load), and
        so be counted, or not, by the machine's speed."""
        if (
            self.counting
            and request.is_navigation_request()
            and request.frame == self.page.main_frame
            and request.redirected_from is None
        ):
            self.counts["pages"] += 1

    def clicked(self):
        caller = sys._getframe(1)
        detail = {
            k: v
            for k, v in caller.f_locals.items()
            if k in ("name", "text", "what", "selector", "label", "path")
        }
        self.trail.append(f"{self.page.url} {caller.f_code.co_name} {detail}")
        self.counts["clicks"] += 1

    # -- signing in, not counted ---------------------------------------------------

    def travel(self, day: datetime.date):
        """Moves the clock on to midday on `day`; the session has timed out, so
        whoever was signed in signs in again."""
        self.clock.move_to(noon(day))
        self.sign_in_as(self.user)

    def sign_in_as(self, user):
        self.user = user
        self.counting = False
        page = self.page
        page.context.clear_cookies()
        page.goto(f"{self.server}/sign-in/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button:has-text('Sign in')")
        page.wait_for_selector("h1:has-text('My cases')")
        page.wait_for_load_state("load")
        self.counting = True

    # -- what a person does --------------------------------------------------------

    def click(self, selector: str):
        self.clicked()
        with self.page.expect_navigation():
            self.page.click(selector)

    def link(self, text: str):
        """Follows the first link (or link styled as a button) saying `text`."""
        self.clicked()
        with self.page.expect_navigation():
            self.page.locator("main a", has_text=text).first.click()

    def open(self, path: str):
        """Goes to a page by a link in the service's navigation or the case's own
        (one click, as a person would follow it)."""
        self.clicked()
        self.page.goto(f"{self.server}{path}")

    def case_path(self, rest: str = "") -> str:
        return f"/cases/{self.case.pk}/{rest}"

    def look_at(self, path: str, name: str):
        """A screenshot of a page, outside the counts."""
        self.counting = False
        self.page.goto(f"{self.server}{path}")
        screenshot(self.page, name)
        self.counting = True

    def open_waiting(self, what: str):
        """Follows the link to a decision waiting for this person: from the page
        shown if it offers it (My cases lists what is waiting; a case's journey
        page its next step), else from "Waiting for me"."""
        row = self.page.locator("main tr", has_text="Mia Hart").filter(has_text=what)
        if row.count():
            screenshot(self.page, "whole-journey-my-cases-waiting")
        else:
            step = self.page.locator("main a", has_text=what)
            if step.count():
                self.clicked()
                with self.page.expect_navigation():
                    step.first.click()
                return
            self.open("/decisions/")
            screenshot(self.page, "whole-journey-waiting")
            row = self.page.locator("tr", has_text="Mia Hart").filter(has_text=what)
        self.clicked()
        with self.page.expect_navigation():
            row.get_by_role("link", name=what).first.click()

    def answer(self, **answers):
        """Answers each named question: a date (three boxes), a radio, a tick box,
        a select or a text box, as the page asks it. A question the page already
        answers as asked (filled in from what the case knows, or a box left
        empty) is not counted: nobody touches it."""
        page = self.page
        for name, value in answers.items():
            if page.locator(f"[name='{name}_0']").count():
                day = value
                parts = dict(
                    zip(
                        (f"{name}_{n}" for n in range(3)),
                        (day.day, day.month, day.year),
                        strict=True,
                    )
                )
                parts = {key: str(part) for key, part in parts.items()}
                if all(page.input_value(f"[name='{k}']") == v for k, v in parts.items()):
                    continue
                self.counts["fields"] += 1
                for key, part in parts.items():
                    page.fill(f"[name='{key}']", part)
                continue
            field = page.locator(f"[name='{name}']").first
            if not page.locator(f"[name='{name}']").count():
                screenshot(page, "whole-journey-failed")
                raise AssertionError(f"No {name} on {page.url}: {page.locator('h1').inner_text()}")
            kind = field.evaluate("e => e.type || e.tagName")
            if kind == "radio":
                radio = page.locator(f"[name='{name}'][value='{value}']")
                if radio.is_checked():
                    continue
                self.clicked()
                radio.check()
            elif kind == "checkbox":
                if field.is_checked() == bool(value):
                    continue
                self.clicked()
                field.set_checked(bool(value))
            elif kind.startswith("select"):
                option = page.locator(f"[name='{name}'] option[value='{value}']")
                if not option.count():
                    option = page.locator(f"[name='{name}'] option", has_text=str(value))
                chosen = option.first.get_attribute("value")
                if field.input_value() == chosen:
                    continue
                self.clicked()
                field.select_option(value=chosen)
            else:
                if field.input_value() == str(value):
                    continue
                field.fill(str(value))
            self.counts["fields"] += 1

    def send(self, label: str = ""):
        """Sends the form (the button saying `label`, or the form's own); the page
        that follows must not be the same form shown with its errors."""
        self.clicked()
        if label:
            button = self.page.locator("main button", has_text=label).first
        else:
            button = self.page.locator(
                "main form[method=post] :is(button, input[type=submit]):not([formaction])"
            ).first
        with self.page.expect_navigation():
            button.click()
        errors = self.page.locator(".govuk-error-summary")
        assert not errors.count(), errors.inner_text()

    def record(self, rest: str, label: str = "", /, **answers):
        """Opens the case's page at `rest`, answers its questions and sends it."""
        self.open(self.case_path(rest))
        self.answer(**answers)
        self.send(label)

    def add_several(self, kind: str, rows: list[dict], /, query: str = ""):
        """Adds several records of `kind` on its "add another" page: a row is
        answered, "Add another" asked for the next, then all are saved at once."""
        self.open(self.case_path(f"{kind}/add-several/{query}"))
        for n, answers in enumerate(rows):
            if n and not self.page.locator(f"[name^='row-{n}-']").count():
                self.click("main button[name=add_another]")
            self.answer(**{f"row-{n}-{name}": value for name, value in answers.items()})
        screenshot(self.page, f"whole-journey-add-several-{kind}")
        self.send("Save")

    def add(self, kind: str, /, **answers):
        """Adds a record of `kind` through its add page (the overview's "Add" link)."""
        self.record(f"{kind}/add/", **answers)


@pytest.fixture
def walk(transactional_db, live_server, browser_page, passwords):
    with time_machine.travel(noon(D(2026, 3, 2))) as traveller:
        walk = Walk(browser_page, live_server.url)
        walk.clock = traveller
        walk.people = passwords
        yield walk


def test_a_whole_journey_is_recorded_in_the_browser_and_its_effort_counted(walk, people):
    page = walk.page
    sw, tm, hos, iro, director = (
        people.social_worker,
        people.team_manager,
        people.head_of_service,
        people.iro,
        people.director,
    )

    # Opening the case: the team manager.
    walk.sign_in_as(tm)
    walk.link("Open a new case")
    walk.answer(
        **{
            "child-first_name": "Mia",
            "child-last_name": "Hart",
            "child-date_of_birth": D(2018, 6, 14),
            "child-sex": "F",
            "child-ethnicity": "WBRI",
            "child-local_identifier": "N765432",
        },
        became_looked_after_on=D(2025, 9, 1),
        reunification_first_considered_on=D(2026, 2, 20),
        category_of_need="N1",
        reason_for_care_notes="Came into care after neglect at home.",
        social_worker=sw.get_full_name(),
        iro=iro.get_full_name(),
        # Already in care: her legal status and placement now, on the same page.
        legal_status_code="C1",
        placement_type="U4",
        carer="Mr and Mrs Lane",
    )
    screenshot(page, "whole-journey-new-case")
    walk.send()
    walk.case = ReunificationCase.objects.get(child__first_name="Mia")
    screenshot(page, "whole-journey-opened")

    # Her household: the social worker.
    walk.sign_in_as(sw)
    walk.add_several(
        "household-member",
        [
            {
                "name": name,
                "relationship": relationship,
                "date_of_birth": born,
                "has_parental_responsibility": True,
                "lives_in_household": True,
            }
            for name, relationship, born in (
                ("Dawn Hart", "Mother", D(1992, 4, 3)),
                ("Lee Hart", "Father", D(1990, 1, 9)),
            )
        ],
    )
    # The household's link asks for a check of each adult not yet checked.
    members = walk.case.family_members.order_by("pk").values_list("pk", flat=True)
    walk.add_several(
        "police-check",
        [{"requested_on": D(2026, 3, 2)}, {"requested_on": D(2026, 3, 2)}],
        query="?" + "&".join(f"member={pk}" for pk in members),
    )
    walk.add(
        "parental-issue",
        kind="substance_misuse",
        parent="Dawn Hart",
        description="Alcohol",
        treatment="engaging",
    )
    # The planning page's link for the unmet issue gives the service's kind.
    walk.open(walk.case_path("support-service/add/?kind=specialist_substance_misuse"))
    walk.answer(
        kind="specialist_substance_misuse",
        provider="Community alcohol service",
        starts_on=D(2026, 3, 2),
        timing="both",
    )
    walk.send()
    screenshot(page, "whole-journey-household")

    # Stage 1: the care plan confirmed, agreed and ratified.
    walk.sign_in_as(tm)
    walk.open_waiting("Confirm the reunification care plan")
    walk.answer(approved_on=D(2026, 3, 2), rationale="Discussed in supervision.")
    walk.send()
    walk.sign_in_as(hos)
    walk.open_waiting("Agree the reunification care plan")
    walk.answer(approved_on=D(2026, 3, 2))
    walk.send()
    walk.sign_in_as(iro)
    walk.open_waiting("Ratify the care plan at a Child in Care review")
    walk.answer(
        approved_on=D(2026, 3, 2),
        cic_review_on=D(2026, 3, 2),
        cic_review_attended="Mia, Dawn, Lee, the social worker",
    )
    walk.send()

    # Stage 2: the assessment.
    walk.sign_in_as(sw)
    walk.open(walk.case_path("journey/"))
    walk.send("Start the assessment")
    assert walk.page.locator("h1").inner_text() == "2. Assessment of risk and viability"
    walk.travel(D(2026, 3, 6))
    walk.look_at(walk.case_path("journey/"), "whole-journey-next-step-assessment")
    walk.add(
        "child-views",
        recorded_on=D(2026, 3, 3),
        views="I want to go home to Mum and Dad.",
        advocate="accepted",
        advocate_offered_on=D(2026, 3, 3),
        advocate_name="Sam Okoro, children's rights service",
    )
    # A row for each parent, on one page.
    walk.add_several(
        "parent-views",
        [
            {
                "parent": parent,
                "recorded_on": D(2026, 3, 4),
                "views": "We want her home.",
                "advocate": "declined",
                "advocate_offered_on": D(2026, 3, 4),
            }
            for parent in ("Dawn Hart", "Lee Hart")
        ],
    )
    walk.add(
        "single-assessment",
        housing_financial_education="Two-bedroom flat; benefits in place; school kept.",
        parenting_capacity="Good routines; capacity to change shown since the autumn.",
        chronology_and_genogram_reviewed=True,
        significant_events="Police called twice in 2024.",
        barriers_to_change="Isolation from family.",
        sustained_change_and_relapse="Six months without a relapse.",
    )
    police_checks = list(
        PoliceCheck.objects.filter(member__case=walk.case)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in police_checks:
        walk.record(f"police-check/{pk}/", returned_on=D(2026, 3, 5), outcome="no_trace")
    risk_assessment(walk, "medium", D(2026, 3, 6))
    walk.sign_in_as(tm)
    sign_off(walk)
    # Signing off returns her to the case, whose summary offers what is next.
    walk.link("Reunification Viability Consultation agrees")
    walk.answer(
        held_on=D(2026, 3, 6),
        outcome="suited",
        rationale="Medium risk; Mia and her parents want it.",
    )
    walk.send()
    assert walk.page.locator("h1").inner_text() == "3. Support and planning"

    # Stage 3: support and planning.
    walk.travel(D(2026, 3, 27))
    walk.record(
        "planning/meetings/add/",
        held_on=D(2026, 3, 9),
        considerations="Gradual return over eight weeks.",
        **{f"invitees-{n}-{what}": True for n in range(4) for what in ("invited", "attended")},
    )
    walk.sign_in_as(sw)
    walk.record(
        "planning/agreements/add/",
        agreed_on=D(2026, 3, 10),
        consequences_explained="Explained at the meeting.",
        review_dates="Every four weeks.",
        parents_agreed=True,
        **{
            "goals-0-goal": "Stay sober",
            "goals-0-measure": "Clear tests",
            "goals-0-responsible": "Dawn",
            "goals-0-due_on": D(2026, 4, 10),
            "goals-1-goal": "School every day",
            "goals-1-measure": "Attendance",
            "goals-1-responsible": "Lee",
            "goals-1-due_on": D(2026, 4, 10),
        },
    )
    walk.add_several(
        "family-time-step",
        [
            {
                "starts_on": starts,
                "ends_on": ends,
                "frequency": frequency,
                "duration": "Three hours" if not overnight else "Friday to Sunday",
                "supervised": not overnight,
                "overnight": overnight,
            }
            for starts, ends, frequency, overnight in (
                (D(2026, 3, 10), D(2026, 3, 23), "Twice a week", False),
                (D(2026, 3, 24), D(2026, 4, 6), "Three times a week", False),
                (D(2026, 4, 7), D(2026, 4, 30), "Weekends", True),
            )
        ],
    )
    walk.add(
        "contingency-plan",
        scenarios="Relapse",
        actions="Mia goes to her grandmother",
        carers_roles="Grandmother on call",
        agreed_on=D(2026, 3, 11),
    )
    walk.add(
        "support-plan",
        fgc_held=True,
        fgc_held_on=D(2026, 3, 11),
        siblings_considered="No siblings.",
    )
    walk.add_several(
        "support-service",
        [
            {"kind": kind, "provider": provider, "starts_on": D(2026, 3, 12), "timing": "both"}
            for kind, provider in (("service", "Family support"), ("team_around_child", "School"))
        ],
    )
    walk.add_several(
        "direct-work-session",
        [
            {"held_on": held_on, "kind": kind, "notes": "Went well."}
            for held_on, kind in (
                (D(2026, 3, 12), "direct_work"),
                (D(2026, 3, 19), "restorative_meeting"),
                (D(2026, 3, 26), "life_story"),
            )
        ],
    )
    walk.add(
        "placement-plan",
        lives_with="Dawn and Lee Hart",
        arrangements="Home from 1 May",
        support="Family support twice a week",
        contact="With her grandmother",
        agreed_on=D(2026, 3, 27),
    )
    walk.look_at(walk.case_path("planning/"), "whole-journey-planning")
    walk.look_at(walk.case_path(), "whole-journey-overview-planning")
    walk.sign_in_as(director)
    walk.open_waiting("Approve placement with parents (care order)")
    walk.answer(outcome="approved", decided_on=D(2026, 3, 27), reason="Plan and checks seen.")
    walk.send()
    walk.sign_in_as(sw)
    walk.record("journey/confirmation/")
    assert walk.page.locator("h1").inner_text() == "4. Confirmation"

    # Stage 4: confirmation.
    walk.travel(D(2026, 4, 20))
    risk_assessment(walk, "medium", D(2026, 4, 20))
    walk.sign_in_as(tm)
    sign_off(walk)
    walk.link("Reunification Viability Meeting confirms")
    walk.answer(
        held_on=D(2026, 4, 20),
        outcome="confirmed",
        return_date=D(2026, 5, 1),
        rationale="Goals met; overnight stays went well.",
    )
    walk.send()
    screenshot(page, "whole-journey-return-date")
    walk.sign_in_as(sw)
    walk.look_at(walk.case_path("journey/"), "whole-journey-next-step-return-home")

    # Stage 5: the return home and after.
    walk.travel(D(2026, 5, 1))
    walk.sign_in_as(sw)
    walk.record(
        "journey/return-home/",
        returned_on=D(2026, 5, 1),
        planned="yes",
        returned_to="Dawn and Lee Hart",
        legal_status_after="care_order",
    )
    assert ReunificationCase.objects.get(pk=walk.case.pk).stage == Stage.RETURN_HOME
    for visited_on in (D(2026, 5, 7), D(2026, 6, 11), D(2026, 7, 23), D(2026, 9, 3)):
        walk.travel(visited_on)
        walk.record("journey/visits/new/", visited_on=visited_on, seen_alone="yes")
    walk.travel(D(2026, 9, 10))
    risk_assessment(walk, "low", D(2026, 9, 10))
    walk.sign_in_as(tm)
    sign_off(walk)
    walk.sign_in_as(iro)
    for held_on in (D(2026, 5, 28), D(2026, 9, 10)):
        walk.record(
            "journey/reviews/new/",
            held_on=held_on,
            review_type="cic",
            chair=iro.get_full_name(),
            attended="Mia, Dawn, Lee, the social worker",
            outcome="Going well.",
            reunification_considered="yes",
            reunification_outcome="Home is working.",
        )
    walk.sign_in_as(sw)
    for visited_on in (D(2026, 10, 15), D(2026, 11, 26), D(2027, 1, 7), D(2027, 2, 18)):
        walk.travel(visited_on)
        walk.record("journey/visits/new/", visited_on=visited_on, seen_alone="yes")
    walk.travel(D(2027, 3, 4))
    walk.sign_in_as(iro)
    walk.record(
        "journey/reviews/new/",
        held_on=D(2027, 3, 4),
        review_type="cic",
        chair=iro.get_full_name(),
        attended="Mia, Dawn, Lee, the social worker",
        outcome="Low risk held; ready to close.",
        reunification_considered="yes",
        reunification_outcome="Home is working.",
    )
    walk.travel(D(2027, 3, 10))
    walk.look_at("/tasks/", "whole-journey-my-tasks")
    walk.sign_in_as(tm)
    walk.record(
        "journey/close/",
        closed_on=D(2027, 3, 10),
        reason="sustained_low",
        warning_acknowledged=True,
        notes="Low risk held six months; home ten months.",
    )
    assert ReunificationCase.objects.get(pk=walk.case.pk).stage == Stage.CLOSED
    screenshot(page, "whole-journey-closed")

    print("whole journey:", walk.counts)
    # All three are exact: pages are counted as the documents the tab asks for
    # (see Walk._requested), which no machine's speed changes.
    assert walk.counts == EXPECTED, "\n".join(walk.trail)


def risk_assessment(walk, level: str, on: datetime.date):
    """The social worker writes a risk assessment pointing to `level` and sends it
    for sign-off."""
    risk_factors, protective, capacity, wishes, recurrence = RISK_ANSWERS[level]
    walk.sign_in_as(walk.people.social_worker)
    walk.record(
        "risk/new/",
        assessed_on=on,
        risk_factors=risk_factors,
        risk_factors_evidence="Mother is working with the substance misuse service.",
        protective_factors=protective,
        protective_factors_evidence="Grandmother visits daily.",
        capacity_for_change=capacity,
        capacity_for_change_evidence="Kept every appointment since the autumn.",
        wishes=wishes,
        wishes_evidence="Mia and her parents both spoke about it.",
        recurrence=recurrence,
        recurrence_evidence="Judged from the chronology and the police checks.",
        **{"factors-1-status": "being_addressed"},
    )
    walk.answer(confirmed_level=level, rationale="The practitioner's judgement, with the tool.")
    walk.send()


def sign_off(walk):
    walk.open_waiting("Sign off the risk assessment")
    screenshot(walk.page, "whole-journey-sign-off")
    walk.send("Sign off")
