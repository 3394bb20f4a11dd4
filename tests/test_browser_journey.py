"""In a real browser: Kayla's case walked from identification to a confirmed
return date, each person signing in to make their own decisions; and a High risk
case stopped and recorded as not pursued by the team manager.

Plain data entry (the views, the single assessment, the planning records, the
answers of a risk assessment) is put straight into the database to keep the
walk short; every decision and every stage move is made in the browser by the
person whose decision it is. Needs Debian's Chromium (the path is in $CHROMIUM).
"""

import datetime
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases.models import LegalStatusCode, ReunificationCase, Role, Stage
from reviews.models import CarePlanApproval, NotPursued, StageMove, ViabilityMeeting
from tests import browser_demo
from tests.factories import (
    assessment_records,
    journey_to,
    planning_records,
    put_on_care_order,
    submitted_risk_assessment,
)

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


def noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=LONDON)


@pytest.fixture
def clock():
    """The journey starts at midday on Tuesday 10 March 2026; the clock ticks, and
    the test moves it on when weeks pass."""
    with time_machine.travel(noon(D(2026, 3, 10))) as traveller:
        yield traveller


browser_page = browser_demo.browser_page


def screenshot(page, name):
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


@pytest.fixture
def passwords(settings, people):
    """Everyone on the case can sign in (with a fast hasher, as this is a test)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for user in vars(people).values():
        user.set_password(PASSWORD)
        user.save()
    return people


@pytest.fixture
def walk(transactional_db, clock, live_server, browser_page, passwords, journey_case):
    return Walk(browser_page, live_server.url, journey_case)


class Walk:
    """A browser session on Kayla's case, signing in as one person after another."""

    def __init__(self, page, server: str, case: ReunificationCase):
        self.page = page
        self.server = server
        self.case = case

    def sign_in_as(self, user):
        page = self.page
        page.context.clear_cookies()
        page.goto(f"{self.server}/sign-in/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button:has-text('Sign in')")
        page.wait_for_selector("h1:has-text('My cases')")

    def open_journey(self):
        self.page.goto(f"{self.server}/cases/{self.case.pk}/journey/")

    def open_waiting(self, what: str):
        """Open the item on 'Waiting for me' for this child that says `what`."""
        page = self.page
        page.click("a.govuk-service-navigation__link:has-text('Waiting for me')")
        page.wait_for_selector("h1:has-text('Waiting for your decision')")
        row = page.locator("tr", has_text="Kayla Brightwater").filter(has_text=what)
        row.get_by_role("link", name=what).click()

    def fill_date(self, name: str, day: datetime.date):
        self.page.fill(f"input[name={name}_0]", str(day.day))
        self.page.fill(f"input[name={name}_1]", str(day.month))
        self.page.fill(f"input[name={name}_2]", str(day.year))

    def submit(self, label: str):
        self.page.click(f"button:has-text('{label}')")

    def heading(self) -> str:
        return self.page.locator("h1").inner_text()

    def banner(self) -> str:
        return self.page.locator(".govuk-notification-banner__heading").first.inner_text()

    def sign_off_the_risk_assessment(self):
        self.open_waiting("Sign off the risk assessment")
        self.submit("Sign off")
        assert self.banner() == "The assessment was signed off."


def test_a_case_is_walked_from_identification_to_a_confirmed_return_date(walk, people, clock):
    page, case = walk.page, walk.case
    # Kayla is on an interim care order, so the service director must approve
    # placing her with her mother.
    put_on_care_order(case, code=LegalStatusCode.C1, on=D(2026, 3, 1))
    case.reunification_first_considered_on = D(2026, 2, 17)
    case.save()

    # Stage 1: the team manager confirms, the head of service agrees, the IRO ratifies.
    walk.sign_in_as(people.team_manager)
    walk.open_waiting("Confirm the reunification care plan")
    assert walk.heading() == "Confirm the reunification care plan"
    walk.fill_date("approved_on", D(2026, 3, 10))
    page.fill("textarea[name=rationale]", "Discussed in supervision.")
    walk.submit("Record approval")
    assert walk.banner() == "The approval was recorded."
    screenshot(page, "journey-confirmed")

    walk.sign_in_as(people.head_of_service)
    walk.open_waiting("Agree the reunification care plan")
    walk.fill_date("approved_on", D(2026, 3, 10))
    walk.submit("Record approval")
    assert walk.banner() == "The approval was recorded."

    walk.sign_in_as(people.iro)
    walk.open_waiting("Ratify the care plan at a Child in Care review")
    walk.fill_date("approved_on", D(2026, 3, 10))
    walk.fill_date("cic_review_on", D(2026, 3, 10))
    page.fill("textarea[name=cic_review_attended]", "Kayla, her mother, the social worker")
    walk.submit("Record approval")
    assert walk.banner() == "The approval was recorded."

    # The social worker starts the assessment.
    walk.sign_in_as(people.social_worker)
    walk.open_journey()
    assert page.locator(".govuk-task-list .govuk-tag").count() == 0  # all completed
    walk.submit("Start the assessment")
    assert walk.banner() == "The assessment stage has begun."
    assert walk.heading() == "2. Assessment of risk and viability"
    assert "outstanding for Dawn Brightwater" in page.locator(".govuk-task-list").inner_text()
    screenshot(page, "journey-assessment")

    # Her direct work, the single assessment, the police checks and a Medium risk
    # assessment are recorded; the team manager signs it off and records the
    # viability consultation as management oversight.
    assessment_records(case)
    submitted_risk_assessment(case, author=people.social_worker, level="medium")
    walk.sign_in_as(people.team_manager)
    walk.sign_off_the_risk_assessment()
    walk.open_waiting("Hold the Reunification Viability Consultation")
    walk.fill_date("held_on", D(2026, 3, 10))
    page.check("input[name=outcome][value=suited]")
    page.fill("textarea[name=rationale]", "Medium risk; Kayla and her mother both want it.")
    walk.submit("Record decision")
    assert walk.banner() == "The viability consultation was recorded."
    assert walk.heading() == "3. Support and planning"
    assert "Next: service director" in page.locator(".govuk-task-list").inner_text()

    # The planning is recorded, with the placement plan; the service director
    # approves placement with parents.
    planning_records(case, team_manager=people.team_manager)
    walk.sign_in_as(people.director)
    walk.open_waiting("Approve placement with parents (care order)")
    page.check("input[name=outcome][value=approved]")
    walk.fill_date("decided_on", D(2026, 3, 10))
    page.fill("textarea[name=reason]", "Placement plan and household checks seen.")
    walk.submit("Record the decision")
    page.wait_for_selector("text=Placement with parents: approved.")

    walk.sign_in_as(people.social_worker)
    walk.open_journey()
    page.click("a:has-text('Move to confirmation')")  # the form, with the evidence
    page.wait_for_selector("text=What research links to returns breaking down")
    walk.submit("Move to confirmation")
    assert walk.banner() == "The case moved to confirmation."
    assert walk.heading() == "4. Confirmation"

    # Five weeks on, a new risk assessment is signed off (Medium still: Low would
    # step down sooner than the rules allow) and the viability meeting confirms
    # the return date.
    clock.move_to(noon(D(2026, 4, 15)))
    submitted_risk_assessment(case, author=people.social_worker, level="medium")
    walk.sign_in_as(people.team_manager)
    walk.sign_off_the_risk_assessment()
    walk.open_waiting("Hold the Reunification Viability Meeting")
    walk.fill_date("held_on", D(2026, 4, 15))
    page.check("input[name=outcome][value=confirmed]")
    walk.fill_date("return_date", D(2026, 5, 1))
    page.fill("textarea[name=rationale]", "Goals met; overnight stays went well.")
    walk.submit("Record decision")
    assert walk.banner() == "The viability meeting was recorded."
    assert "return on 1 May 2026" in page.locator("table.govuk-table").first.inner_text()
    assert page.locator(".govuk-task-list .govuk-tag").count() == 0
    screenshot(page, "journey-return-date-confirmed")

    case.refresh_from_db()
    assert case.stage == Stage.CONFIRMATION
    approvals = CarePlanApproval.objects.filter(case=case).order_by("pk")
    assert [(a.decided_by, a.role) for a in approvals] == [
        (people.team_manager, Role.TEAM_MANAGER),
        (people.head_of_service, Role.HEAD_OF_SERVICE),
        (people.iro, Role.IRO),
    ]
    moves = StageMove.objects.filter(case=case).order_by("pk")
    assert [(m.to_stage, m.moved_by, m.role) for m in moves] == [
        (Stage.ASSESSMENT, people.social_worker, Role.SOCIAL_WORKER),
        (Stage.SUPPORT_PLANNING, people.team_manager, Role.TEAM_MANAGER),
        (Stage.CONFIRMATION, people.social_worker, Role.SOCIAL_WORKER),
    ]
    meeting = ViabilityMeeting.objects.get(case=case)
    assert (meeting.outcome, meeting.return_date, meeting.decided_by) == (
        "confirmed",
        D(2026, 5, 1),
        people.team_manager,
    )
    assert meeting.risk_assessment.confirmed_level == "medium"
    assert case.pwp_approvals.get().decided_by == people.director


def test_a_high_risk_case_is_stopped_and_recorded_as_not_pursued(walk, people):
    page, case = walk.page, walk.case
    journey_to(case, Stage.ASSESSMENT, people=people)
    assessment_records(case)
    submitted_risk_assessment(case, author=people.social_worker, level="high")

    walk.sign_in_as(people.team_manager)
    walk.sign_off_the_risk_assessment()
    walk.open_journey()
    tasks = page.locator(".govuk-task-list").inner_text()
    assert "the signed-off level is High, so reunification is not pursued" in tasks

    # The consultation cannot find her potentially suited at High risk.
    page.click("a:has-text('Record the viability consultation')")
    walk.fill_date("held_on", D(2026, 3, 10))
    page.check("input[name=outcome][value=suited]")
    page.fill("textarea[name=rationale]", "Trying anyway.")
    walk.submit("Record decision")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "There is a problem" in summary
    assert "the signed-off level is High" in summary
    screenshot(page, "journey-high-risk-refused")

    walk.open_waiting("Record that reunification is not pursued (High or Severe risk)")
    walk.fill_date("decided_on", D(2026, 3, 10))
    walk.fill_date("explained_to_child_on", D(2026, 3, 10))
    walk.fill_date("explained_to_family_on", D(2026, 3, 10))
    page.fill(
        "textarea[name=rationale]",
        "High risk: mother is not addressing her drinking and Kayla is unsure.",
    )
    page.fill("textarea[name=care_plan_now]", "Kayla stays with her foster carers.")
    walk.submit("Record that reunification is not pursued")
    assert walk.banner() == "Recorded: reunification is not pursued."
    assert walk.heading() == "Reunification not pursued"
    assert "Care planning and Child in Care reviews continue," in page.content()
    screenshot(page, "journey-not-pursued")

    case.refresh_from_db()
    assert case.stage == Stage.NOT_PURSUED
    decision = NotPursued.objects.get(case=case)
    assert (decision.decided_by, decision.role) == (people.team_manager, Role.TEAM_MANAGER)
    assert decision.care_plan_now == "Kayla stays with her foster carers."
    assert StageMove.objects.filter(case=case).last().moved_by == people.team_manager
