"""Reports: every figure computed by hand for a small fixture built row by row.

Today is fixed at Tuesday 10 March 2026 (T) and passed in the Scope, so nothing
here depends on the real date. Dates are written as "days before T"; the period
runs from 1 April 2023 to T.

North's children and cases (the figures below are worked out from this list):

  Amy   born 15/01/2012. Case A1 returned T-700 (planned, section 20), broke down
        after 40 days (T-660) and closed. Case A2 (previous_case A1) returned
        T-500 (planned) and is still open: a child with two returns.
  Ben   born 15/03/2007. Returned T-800 UNPLANNED, broke down after 300 days
        (T-500). A failed return home in 2019-20 is on his record by hand.
  Cara  born 01/08/2021. Returned T-400 under a CARE ORDER, broke down after 150
        days (T-250). Parental substance misuse.
  Dan   born 20/01/2017. Returned T-600, closed 400 days later (T-200).
        Parental substance misuse.
  Eve   born 14/05/2020. Returned T-300 = 14/05/2025, her FIFTH birthday (one
        29 February in between, so 1,826 days), closed 100 days later (T-200).
  Finn  born 10/12/2009. Returned T-90 = 10/12/2025, his SIXTEENTH birthday:
        too recent to be observed for 3 months.
  Gus   born 01/06/2016. Returned T-91: exactly 3 months (91 days) ago.
  Hal   returned 15/01/2023, before the period; broke down. Counted nowhere.
  Ivy   return ruled out T-230; closed with a permanence plan 30 days later.
  Jo    return ruled out T-20; still open, no permanence plan yet.
  Kit, Lily, Rex, Vic  at identification; Max at assessment; Nia at support
        and planning; Olly at confirmation.

South: Pip at assessment; Quin returned T-365 (exactly one year ago) and broke
down after 60 days.
"""

import csv
import datetime
import io
import re
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import (
    CategoryOfNeed,
    DataDownload,
    ParentalIssue,
    PreviousReturn,
    ReunificationCase,
    Role,
    Stage,
)
from reporting import selectors
from reporting.forms import ReportFilterForm
from reporting.models import ReportSnapshot
from reporting.selectors import Scope
from reviews.models import (
    Breakdown,
    CarePlanApproval,
    Closure,
    Deadline,
    NotPursued,
    ReturnHome,
)
from risk.models import RiskAssessment
from tests.factories import ChildFactory, ServiceAreaFactory, TeamFactory

D = datetime.date
LONDON = ZoneInfo("Europe/London")
T = D(2026, 3, 10)
RUN_NINE = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=LONDON)
START = D(2023, 4, 1)


def ago(days: int) -> datetime.date:
    return T - datetime.timedelta(days=days)


def noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=LONDON)


class Builder:
    """Rows made directly with the ORM, as the services would leave them."""

    def __init__(self, *, manager, author):
        self.manager = manager  # records returns, breakdowns and closures; signs off
        self.author = author  # writes risk assessments

    def child(self, name: str, born: datetime.date):
        first, last = name.split()
        return ChildFactory(first_name=first, last_name=last, date_of_birth=born)

    def case(self, child, team, *, stage, entered, opened=None, closed=None, **extra):
        opened = opened or entered
        return ReunificationCase.objects.create(
            child=child,
            team=team,
            stage=stage,
            stage_entered_on=entered,
            opened_on=opened,
            closed_on=closed,
            became_looked_after_on=opened - datetime.timedelta(days=120),
            category_of_need=CategoryOfNeed.N1,
            **extra,
        )

    def returned(self, case, on, *, planned=True, care_order=False):
        return ReturnHome.objects.create(
            case=case,
            returned_on=on,
            planned=planned,
            unplanned_reason="" if planned else "Walked out of the placement and went home.",
            returned_to="Mother",
            episode_end_reason="" if care_order else ("E4A" if planned else "E4B"),
            legal_status_after="care_order" if care_order else "child_in_need",
            recorded_by=self.manager,
            recorded_at=noon(on),
        )

    def closed(self, case, on, *, reason="sustained_low", plan=""):
        assert case.stage == Stage.CLOSED and case.closed_on == on
        return Closure.objects.create(
            case=case,
            closed_on=on,
            reason=reason,
            permanence_plan=plan,
            closed_by=self.manager,
            role=Role.TEAM_MANAGER,
            recorded_at=noon(on),
        )

    def broke_down(self, case, after_days: int):
        """As record_breakdown leaves it: the breakdown, a failed PreviousReturn
        on the child's record, and the case closed that day."""
        returned_on = case.return_home.returned_on
        back = returned_on + datetime.timedelta(days=after_days)
        Breakdown.objects.create(
            case=case,
            came_back_on=back,
            reason="Mother relapsed.",
            recorded_by=self.manager,
            recorded_at=noon(back),
        )
        PreviousReturn.objects.create(
            child=case.child,
            returned_home_on=returned_on,
            came_back_into_care_on=back,
            reason_for_breakdown="Mother relapsed.",
        )
        self.closed(case, back, reason="breakdown")

    def misuse(self, case):
        ParentalIssue.objects.create(case=case, kind="substance_misuse", treatment="engaging")

    def ruled_out(self, case, on):
        return NotPursued.objects.create(
            case=case,
            decided_by=self.manager,
            role=Role.TEAM_MANAGER,
            decided_at=noon(on),
            decided_on=on,
            explained_to_child_on=on,
            explained_to_family_on=on,
            care_plan_now="Long-term fostering with the current carers.",
        )

    def approved(self, case, *steps):
        for step in steps:
            CarePlanApproval.objects.create(
                case=case,
                decided_by=self.manager,
                role=Role.TEAM_MANAGER,
                decided_at=noon(case.stage_entered_on),
                step=step,
                approved_on=case.stage_entered_on,
                cic_review_on=case.stage_entered_on if step == "ratified" else None,
            )

    def assessed(
        self, case, level, on, *, status="signed_off", decided=None, author=None, manager=None
    ):
        signed = status == "signed_off"
        return RiskAssessment.objects.create(
            case=case,
            assessed_on=on,
            author=author or self.author,
            status=status,
            confirmed_level=level,
            submitted_at=noon(on) if status != "draft" else None,
            decided_by=(manager or self.manager) if signed else None,
            decided_at=noon(decided or on) if signed else None,
        )

    def due(self, case, kind, on, who, *, key="", done=None):
        return Deadline.objects.create(
            case=case, kind=kind, key=key, what=kind, due_on=on, responsible=who, done_on=done
        )


@pytest.fixture
def world(everyone, north, south, social_worker, colleague, team_manager, outsider, south_manager):
    b = Builder(manager=team_manager, author=social_worker)
    w = SimpleNamespace(north=north, south=south, build=b)
    closed, open_ = Stage.CLOSED, Stage.RETURN_HOME

    # Amy: two returns, two linked cases; the first broke down after 40 days.
    amy = b.child("Amy Ashworth", D(2012, 1, 15))
    w.a1 = b.case(amy, north, stage=closed, entered=ago(700), opened=ago(760), closed=ago(660))
    b.returned(w.a1, ago(700))
    b.broke_down(w.a1, 40)
    w.a2 = b.case(amy, north, stage=open_, entered=ago(500), opened=ago(640), previous_case=w.a1)
    w.a2.social_worker = social_worker
    w.a2.save()
    b.returned(w.a2, ago(500))
    b.assessed(w.a2, "low", ago(400))

    # Ben: unplanned, broke down after 300 days; an earlier failed return by hand.
    ben = b.child("Ben Brook", D(2007, 3, 15))
    PreviousReturn.objects.create(
        child=ben, returned_home_on=D(2019, 6, 1), came_back_into_care_on=D(2020, 1, 10)
    )
    w.b = b.case(ben, north, stage=closed, entered=ago(800), opened=ago(900), closed=ago(500))
    b.returned(w.b, ago(800), planned=False)
    b.broke_down(w.b, 300)

    # Cara: under a care order, substance misuse, broke down after 150 days.
    cara = b.child("Cara Cole", D(2021, 8, 1))
    w.c = b.case(cara, north, stage=closed, entered=ago(400), opened=ago(500), closed=ago(250))
    b.returned(w.c, ago(400), care_order=True)
    b.misuse(w.c)
    b.broke_down(w.c, 150)

    # Dan: substance misuse, closed 400 days after his return. His overdue visit
    # and signed-off assessment belong to a closed case and count nowhere.
    dan = b.child("Dan Dale", D(2017, 1, 20))
    w.d = b.case(dan, north, stage=closed, entered=ago(600), opened=ago(700), closed=ago(200))
    b.returned(w.d, ago(600))
    b.misuse(w.d)
    b.closed(w.d, ago(200))
    b.due(w.d, "visit", ago(250), social_worker)
    b.assessed(w.d, "severe", ago(300))

    # Eve: returned on her fifth birthday, closed 100 days later.
    eve = b.child("Eve Eden", D(2020, 5, 14))
    w.e = b.case(eve, north, stage=closed, entered=ago(300), opened=ago(400), closed=ago(200))
    assert ago(300) == D(2025, 5, 14)
    b.returned(w.e, ago(300))
    b.closed(w.e, ago(200))

    # Finn (T-90, his sixteenth birthday) and Gus (T-91): still at home.
    finn = b.child("Finn Ford", D(2009, 12, 10))
    w.f = b.case(finn, north, stage=open_, entered=ago(90), opened=ago(300))
    assert ago(90) == D(2025, 12, 10)
    b.returned(w.f, ago(90))
    gus = b.child("Gus Grant", D(2016, 6, 1))
    w.g = b.case(gus, north, stage=open_, entered=ago(91), opened=ago(300))
    b.returned(w.g, ago(91))

    # Hal: returned and broke down before the period.
    hal = b.child("Hal Hunt", D(2015, 1, 1))
    w.h = b.case(
        hal, north, stage=closed, entered=D(2023, 1, 15), opened=D(2022, 9, 1), closed=D(2023, 2, 1)
    )
    b.returned(w.h, D(2023, 1, 15))
    b.broke_down(w.h, 17)

    # Ivy: ruled out, then a permanence plan 30 days later. Jo: ruled out, open.
    ivy = b.child("Ivy Irons", D(2014, 2, 2))
    w.i = b.case(ivy, north, stage=closed, entered=ago(230), opened=ago(400), closed=ago(200))
    b.ruled_out(w.i, ago(230))
    b.closed(w.i, ago(200), reason="permanence", plan="Special guardianship with her aunt.")
    jo = b.child("Jo Jones", D(2013, 3, 3))
    w.j = b.case(jo, north, stage=Stage.NOT_PURSUED, entered=ago(20), opened=ago(200))
    b.ruled_out(w.j, ago(20))
    b.assessed(w.j, "high", ago(25))

    # Identification: Kit (no approval), Lily (confirmed), Rex (agreed), Vic (ratified).
    ident = Stage.IDENTIFICATION
    w.k = b.case(b.child("Kit Kerr", D(2015, 5, 5)), north, stage=ident, entered=ago(10))
    b.assessed(w.k, "", ago(8), status="draft")  # a draft counts nowhere
    b.due(w.k, "visit", ago(5), social_worker)
    w.lily = b.case(b.child("Lily Lamb", D(2016, 6, 6)), north, stage=ident, entered=ago(40))
    b.approved(w.lily, "confirmed")
    b.assessed(w.lily, "high", ago(50))
    b.assessed(w.lily, "low", ago(20), status="submitted")  # later, but not signed off
    b.due(w.lily, "cic_review", ago(1), social_worker)
    w.r = b.case(b.child("Rex Reid", D(2017, 7, 7)), north, stage=ident, entered=ago(15))
    b.approved(w.r, "confirmed", "agreed")
    w.v = b.case(b.child("Vic Vane", D(2018, 8, 8)), north, stage=ident, entered=ago(35))
    b.approved(w.v, "confirmed", "agreed", "ratified")
    b.assessed(w.v, "medium", ago(30))

    # Max at assessment: high, then medium; a visit overdue and one due today.
    w.m = b.case(
        b.child("Max Moss", D(2012, 9, 9)), north, stage=Stage.ASSESSMENT, entered=ago(100)
    )
    b.assessed(w.m, "high", ago(200))
    b.assessed(w.m, "medium", ago(100))
    b.due(w.m, "visit", ago(3), social_worker, key="a")
    b.due(w.m, "visit", T, social_worker, key="b")  # due today: not yet overdue
    # Nia at support and planning: low; a visit done late; Colin's recommendation.
    w.n = b.case(
        b.child("Nia Nash", D(2011, 10, 10)), north, stage=Stage.SUPPORT_PLANNING, entered=ago(60)
    )
    b.assessed(w.n, "low", ago(60))
    b.due(w.n, "visit", ago(10), social_worker, done=ago(9))
    b.due(w.n, "recommendation", ago(20), colleague)
    # Olly at confirmation: two sign-offs of one day's assessment; the later decided wins.
    w.o = b.case(
        b.child("Olly Orr", D(2010, 11, 11)), north, stage=Stage.CONFIRMATION, entered=ago(5)
    )
    b.assessed(w.o, "medium", ago(7), decided=ago(6))
    b.assessed(w.o, "severe", ago(7), decided=ago(5))
    b.due(w.o, "sign_off", ago(2), None)

    # South: Pip at assessment; Quin returned exactly a year ago, back after 60 days.
    w.p = b.case(
        b.child("Pip Southgate", D(2013, 4, 4)),
        south,
        stage=Stage.ASSESSMENT,
        entered=ago(300),
        social_worker=outsider,
    )
    b.assessed(w.p, "severe", ago(310), author=outsider, manager=south_manager)
    b.assessed(w.p, "high", ago(10), status="submitted", author=outsider)
    b.due(w.p, "visit", ago(7), outsider)
    quin = b.child("Quin Quarry", D(2014, 2, 1))
    w.q = b.case(quin, south, stage=closed, entered=ago(365), opened=ago(500), closed=ago(305))
    b.returned(w.q, ago(365))
    b.broke_down(w.q, 60)
    return w


def north_scope(w) -> Scope:
    return Scope(start=START, end=T, today=T, teams=(w.north.pk,))


def all_teams(w) -> Scope:
    return Scope(start=START, end=T, today=T)


# Caseload and drift -------------------------------------------------------------


def test_caseload_by_stage(world):
    assert selectors.caseload_by_stage(north_scope(world)) == [
        ("1. Identification", 4),  # Kit, Lily, Rex, Vic
        ("2. Assessment of risk and viability", 1),  # Max
        ("3. Support and planning", 1),  # Nia
        ("4. Confirmation", 1),  # Olly
        ("5. Return home", 3),  # Amy (second case), Finn, Gus
        ("Reunification not pursued", 1),  # Jo; Ivy's case is closed
    ]


def test_caseload_by_risk_uses_the_latest_signed_off_level(world):
    assert selectors.caseload_by_risk(north_scope(world)) == [
        ("Low", 2),  # Amy (A2), Nia
        ("Medium", 2),  # Max (medium after high), Vic
        ("High", 2),  # Jo; Lily, whose later Low is only submitted
        ("Severe", 1),  # Olly: the later of two sign-offs of one assessment date
        ("No signed-off assessment", 4),  # Finn, Gus, Rex; Kit has only a draft
    ]


def test_time_in_the_current_stage(world):
    assert selectors.time_in_stage(north_scope(world)) == [
        ("1. Identification", 4, 25),  # Kit 10, Lily 40, Rex 15, Vic 35: 100 / 4
        ("2. Assessment of risk and viability", 1, 100),
        ("3. Support and planning", 1, 60),
        ("4. Confirmation", 1, 5),
        ("5. Return home", 3, 227),  # Amy 500, Finn 90, Gus 91: 681 / 3
        ("Reunification not pursued", 1, 20),
    ]


def test_overdue_by_team_and_worker(world):
    rows = selectors.overdue_by_team_and_worker(north_scope(world))
    # Not counted: Max's visit due today, Nia's visit done, Dan's (closed case),
    # Pip's (South). Where the unallocated row sorts differs between databases
    # (NULLs first on SQLite, last on PostgreSQL), so it is checked apart.
    assert [row for row in rows if row[1] != "Not allocated"] == [
        ("North", "Colin Reed", "IRO recommendation", 1),
        ("North", "Sarah Wood", "Child in Care review", 1),  # Lily's
        ("North", "Sarah Wood", "Social worker visit", 2),  # Kit's and Max's
    ]
    assert [row for row in rows if row[1] == "Not allocated"] == [
        ("North", "Not allocated", "Sign off a risk assessment", 1)  # Olly's
    ]


def test_approvals_waiting(world):
    assert selectors.approvals_waiting(north_scope(world)) == [
        ("Care plans waiting for the team manager's confirmation", 1),  # Kit
        ("Care plans waiting for the head of service's agreement", 1),  # Lily
        ("Care plans waiting for the IRO's ratification", 1),  # Rex; Vic is ratified
        ("Risk assessments waiting for sign-off", 1),  # Lily's Low; Pip's is South
    ]


# Outcomes: tests/test_outcomes.py, on this same fixture.


def test_teams_filter_leaves_out_other_teams(world):
    everyone = all_teams(world)
    south = Scope(start=START, end=T, today=T, teams=(world.south.pk,))
    assert dict(selectors.caseload_by_stage(everyone))["2. Assessment of risk and viability"] == 2
    assert selectors.caseload_by_stage(south) == [
        ("1. Identification", 0),
        ("2. Assessment of risk and viability", 1),  # Pip
        ("3. Support and planning", 0),
        ("4. Confirmation", 0),
        ("5. Return home", 0),
        ("Reunification not pursued", 0),
    ]
    assert dict(selectors.caseload_by_risk(south)) == {
        "Low": 0,
        "Medium": 0,
        "High": 0,
        "Severe": 1,  # Pip's later High is only submitted
        "No signed-off assessment": 0,
    }
    assert selectors.overdue_by_team_and_worker(south) == [
        ("South", "Oscar Stone", "Social worker visit", 1)
    ]
    assert selectors.approvals_waiting(south)[-1] == ("Risk assessments waiting for sign-off", 1)
    assert selectors.approvals_waiting(everyone)[-1] == (
        "Risk assessments waiting for sign-off",
        2,
    )


def test_filter_form_turns_a_team_or_service_area_into_teams(world):
    other_area = ServiceAreaFactory(name="Disabled Children")
    east = TeamFactory(name="East", service_area=other_area)
    form = ReportFilterForm({"team": world.south.pk})
    assert form.team_ids() == (world.south.pk,)
    form = ReportFilterForm({"service_area": world.north.service_area_id})
    assert sorted(form.team_ids()) == sorted([world.north.pk, world.south.pk])
    assert ReportFilterForm({"service_area": other_area.pk}).team_ids() == (east.pk,)
    assert ReportFilterForm({}).team_ids() == ()


# Pages ---------------------------------------------------------------------------

PAGES = ["reporting:caseload", "reporting:outcomes", "reporting:ssda903"]


@pytest.mark.usefixtures("on_10_march_2026", "world")
@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("who", ["social_worker", "iro"])
def test_reports_are_refused_to_practitioners(client, request, who, page):
    client.force_login(request.getfixturevalue(who))

    response = client.get(reverse(page))

    assert response.status_code == 403
    assert "You cannot do this" in response.content.decode()


@pytest.mark.usefixtures("on_10_march_2026", "world")
@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("who", ["performance", "team_manager", "head_of_service", "director"])
def test_reports_are_open_to_managers_and_performance(client, request, who, page):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse(page)).status_code == 200


CSV_HEADERS = {
    "reporting:caseload": {
        "by-stage": ["Stage", "Open cases"],
        "by-risk": ["Risk level", "Open cases"],
        "time-in-stage": ["Stage", "Open cases", "Average days so far"],
        "drift": ["Stage", "Expected days", "Open cases", "Children drifting"],
        "overdue": ["Team", "Person", "What", "Overdue"],
        "approvals": ["What", "Cases"],
    },
}


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.mark.usefixtures("on_10_march_2026", "world")
@pytest.mark.parametrize(
    "page, key", [(page, key) for page, tables in CSV_HEADERS.items() for key in tables]
)
def test_every_table_downloads_as_csv(client, performance, page, key):
    client.force_login(performance)
    response = client.get(reverse(page), {"csv": key})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == f'attachment; filename="{key}.csv"'
    assert csv_rows(response)[0] == CSV_HEADERS[page][key]


@pytest.mark.usefixtures("on_10_march_2026", "world")
def test_every_table_on_the_pages_has_a_download(client, performance):
    client.force_login(performance)
    for page, tables in CSV_HEADERS.items():
        html = client.get(reverse(page)).content.decode()
        assert set(re.findall(r"csv=([\w-]+)", html)) == set(tables)
    assert client.get(reverse("reporting:outcomes"), {"csv": "nonsense"}).status_code == 404


@pytest.mark.usefixtures("on_10_march_2026", "world")
def test_csv_carries_the_figures(client, performance):
    """The default period on 10 March 2026 is 1 March 2023 to that day, all teams."""
    client.force_login(performance)
    by_stage = csv_rows(client.get(reverse("reporting:caseload"), {"csv": "by-stage"}))
    assert by_stage[1:] == [
        ["1. Identification", "4"],
        ["2. Assessment of risk and viability", "2"],  # Max and Pip
        ["3. Support and planning", "1"],
        ["4. Confirmation", "1"],
        ["5. Return home", "3"],
        ["Reunification not pursued", "1"],
    ]


def dates(name: str, day: datetime.date) -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


@pytest.mark.usefixtures("on_10_march_2026", "world")
@pytest.mark.parametrize("page", PAGES)
def test_a_period_ending_before_it_starts_shows_an_error_summary(client, team_manager, page):
    client.force_login(team_manager)
    response = client.get(
        reverse(page), {**dates("start", D(2026, 3, 1)), **dates("end", D(2026, 2, 1))}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', html, re.S)
    assert summary, "no GOV.UK error summary"
    assert "The end of the period must be after its start" in summary.group(0)


# The drill-down ------------------------------------------------------------------

NORTH_OPEN_LONGEST_FIRST = [
    "Amy Ashworth",  # T-500
    "Max Moss",  # T-100
    "Gus Grant",  # T-91
    "Finn Ford",  # T-90
    "Nia Nash",  # T-60
    "Lily Lamb",  # T-40
    "Vic Vane",  # T-35
    "Jo Jones",  # T-20
    "Rex Reid",  # T-15
    "Kit Kerr",  # T-10
    "Olly Orr",  # T-5
]


def waits(client, user) -> tuple[list[str], str]:
    client.force_login(user)
    response = client.get(reverse("reporting:caseload"))
    html = response.content.decode()
    section = html[html.index('id="longest-waits"') :]
    return [case.child.full_name for case in response.context["waits"]], section


@pytest.mark.usefixtures("on_10_march_2026", "world")
def test_performance_sees_figures_but_no_cases(client, performance):
    names, section = waits(client, performance)
    assert names == []
    assert "No cases you can see." in section
    assert "Amy Ashworth" not in section and "Pip Southgate" not in section


@pytest.mark.usefixtures("on_10_march_2026", "world")
def test_team_manager_sees_only_her_teams_cases(client, team_manager, south_manager, director):
    names, section = waits(client, team_manager)
    assert names == NORTH_OPEN_LONGEST_FIRST
    assert "Pip Southgate" not in section
    assert all(name in section for name in names)
    names, section = waits(client, south_manager)
    assert names == ["Pip Southgate"]
    assert "Amy Ashworth" not in section
    names, _ = waits(client, director)
    assert names[:3] == ["Amy Ashworth", "Pip Southgate", "Max Moss"]  # T-500, T-300, T-100


# Query counts ----------------------------------------------------------------------


def add_twenty_cases(w, social_worker):
    """Twenty more children in North, each with a return that broke down and a
    new open case with an assessment, approvals and an overdue visit."""
    b = w.build
    for i in range(20):
        child = b.child(f"Extra Child{i}", D(2010 + i % 12, 1 + i % 12, 1 + i))
        first = b.case(
            child,
            w.north,
            stage=Stage.CLOSED,
            entered=ago(300 + i),
            opened=ago(400 + i),
            closed=ago(200 + i),
        )
        b.returned(first, ago(300 + i), planned=i % 3 != 0, care_order=i % 4 == 0)
        if i % 2:
            b.misuse(first)
        b.broke_down(first, 100)
        again = b.case(
            child,
            w.north,
            stage=Stage.IDENTIFICATION,
            entered=ago(100 + i),
            previous_case=first,
            social_worker=social_worker,
        )
        b.approved(again, "confirmed")
        b.assessed(again, ["low", "medium", "high", "severe"][i % 4], ago(90))
        b.due(again, "visit", ago(1 + i), social_worker)


CEILING = {"reporting:caseload": 22, "reporting:outcomes": 31}


def queries_for(client, url) -> int:
    client.get(url)  # warm up: sessions, content types
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.usefixtures("on_10_march_2026")
@pytest.mark.parametrize("page", ["reporting:caseload", "reporting:outcomes"])
def test_report_pages_take_a_fixed_number_of_queries(
    client, world, team_manager, social_worker, page, django_assert_max_num_queries
):
    """Working the figures out (`refresh`) costs the same queries however many
    cases there are; reading them back from the snapshot costs fewer."""
    client.force_login(team_manager)
    url = reverse(page) + "?refresh=1"
    before = queries_for(client, url)
    add_twenty_cases(world, social_worker)
    with django_assert_max_num_queries(before):
        response = client.get(url)
    assert response.status_code == 200
    assert queries_for(client, url) == before
    assert queries_for(client, reverse(page)) < before
    # Session, user, roles, the number of teams and the filter's choices, one
    # query per figure (the outcomes page has 20: returns, re-entry, survival,
    # cohorts, time at home, two for repeats, ten breakdown groupings, two for
    # support, one for ruled out and one for concerns after the return), then
    # keeping the snapshot.
    assert before <= CEILING[page]


# Snapshots: figures worked out once and kept for a few minutes ---------------------


def by_stage_rows(client):
    return csv_rows(client.get(reverse("reporting:caseload"), {"csv": "by-stage"}))[1:]


@pytest.fixture
def clock_at_nine():
    with time_machine.travel(RUN_NINE, tick=False) as t:
        yield t


def test_a_second_look_within_the_fresh_time_reads_the_kept_figures(
    client, world, performance, social_worker, clock_at_nine, settings
):
    settings.REPORT_FRESH_SECONDS = 600
    client.force_login(performance)
    first = by_stage_rows(client)
    assert first[0] == ["1. Identification", "4"]
    world.build.case(
        ChildFactory(),
        world.north,
        stage=Stage.IDENTIFICATION,
        entered=ago(3),
        social_worker=social_worker,
    )

    clock_at_nine.move_to(datetime.datetime(2026, 3, 10, 9, 9, 59, tzinfo=LONDON))
    assert by_stage_rows(client) == first  # kept: worked out at 09:00
    html = client.get(reverse("reporting:caseload")).content.decode()
    assert "These figures were worked out at 09:00" in html

    clock_at_nine.move_to(datetime.datetime(2026, 3, 10, 9, 10, 1, tzinfo=LONDON))
    assert by_stage_rows(client)[0] == ["1. Identification", "5"]  # worked out again
    html = client.get(reverse("reporting:caseload")).content.decode()
    assert "These figures were worked out at 09:10" in html


def test_work_them_out_again_now_gives_the_current_figures(
    client, world, performance, social_worker, clock_at_nine
):
    client.force_login(performance)
    html = client.get(reverse("reporting:caseload")).content.decode()
    assert 'href="?refresh=1">Work them out again now</a>' in html
    world.build.case(
        ChildFactory(),
        world.north,
        stage=Stage.IDENTIFICATION,
        entered=ago(3),
        social_worker=social_worker,
    )
    assert by_stage_rows(client)[0] == ["1. Identification", "4"]

    response = client.get(reverse("reporting:caseload"), {"refresh": "1", "csv": "by-stage"})

    assert csv_rows(response)[1] == ["1. Identification", "5"]
    assert by_stage_rows(client)[0] == ["1. Identification", "5"]


def test_each_filter_has_its_own_figures(client, world, performance, clock_at_nine):
    client.force_login(performance)
    everyone = by_stage_rows(client)
    north_only = csv_rows(
        client.get(reverse("reporting:caseload"), {"csv": "by-stage", "team": world.north.pk})
    )[1:]
    assert everyone[1] == ["2. Assessment of risk and viability", "2"]  # Max and Pip
    assert north_only[1] == ["2. Assessment of risk and viability", "1"]  # Max
    assert ReportSnapshot.objects.count() == 2


def test_the_scheduled_refresh_works_out_the_council_figures_and_drops_old_ones(
    world, clock_at_nine, settings
):
    from reporting.tasks import refresh_reports

    old = ReportSnapshot.objects.create(
        key="old",
        report="caseload",
        computed_at=RUN_NINE - datetime.timedelta(days=2),
        tables=[],
        long_csv_files=b"",
    )

    assert refresh_reports() == 2

    assert not ReportSnapshot.objects.filter(pk=old.pk).exists()
    kept = {snap.report: snap for snap in ReportSnapshot.objects.all()}
    assert set(kept) == {"caseload", "outcomes"}
    assert kept["caseload"].computed_at == RUN_NINE
    stage_table = next(t for t in kept["caseload"].tables if t["key"] == "by-stage")
    assert stage_table["rows"][0] == ["1. Identification", 4]
    entry = settings.CELERY_BEAT_SCHEDULE["refresh-reports"]
    assert entry["task"] == "reporting.tasks.refresh_reports"


def test_a_table_that_grows_with_the_council_shows_its_largest_rows_and_keeps_all():
    from reporting.tables import Table

    rows = [["North", f"Person {i}", "Visit", i % 40] for i in range(60)]
    table = Table(
        "overdue", "Overdue", ["Team", "Person", "What", "Overdue"], rows, limit=25, top_column=3
    )

    assert table.cut
    assert len(table.shown_rows) == 25
    assert [row[3] for row in table.shown_rows] == sorted([row[3] for row in rows], reverse=True)[
        :25
    ]
    assert table.rows == rows  # the CSV keeps every row, in its order
    small = Table(
        "overdue",
        "Overdue",
        ["Team", "Person", "What", "Overdue"],
        rows[:25],
        limit=25,
        top_column=3,
    )
    assert not small.cut and small.shown_rows == rows[:25]


def test_the_page_keeps_only_the_rows_it_shows_and_the_csv_every_row():
    from reporting.snapshots import _for_page
    from reporting.tables import Table

    rows = [["North", f"Person {i}", "Visit", i] for i in range(60)]
    whole = Table(
        "overdue", "Overdue", ["Team", "Person", "What", "Overdue"], rows, limit=25, top_column=3
    )

    page = Table(**_for_page(whole))

    assert len(page.rows) == 25 and page.row_count == 60 and page.cut
    assert page.shown_rows[0] == ["North", "Person 59", "Visit", 59]


def test_with_many_teams_the_team_is_typed_and_matched_by_name(world, monkeypatch):
    monkeypatch.setattr(ReportFilterForm, "team_list_limit", 1)  # North and South: "many"
    north_east = TeamFactory(name="North East", service_area=world.north.service_area)

    form = ReportFilterForm({"team": " north"})

    assert form.team_typed
    assert 'name="team" type="text"' in str(form["team"]) or 'type="text" name="team"' in str(
        form["team"]
    )
    assert sorted(form.team_ids()) == sorted([world.north.pk, north_east.pk])
    assert ReportFilterForm({"team": "Nowhere"}).team_ids() == (0,)
    assert ReportFilterForm({"team": ""}).team_ids() == ()
    monkeypatch.setattr(ReportFilterForm, "team_list_limit", 60)
    assert not ReportFilterForm({}).team_typed


def test_a_long_table_is_kept_as_its_file_and_the_short_ones_as_figures(
    client, world, performance, monkeypatch
):
    """The snapshot keeps what the page shows; the overdue table, cut short on
    the page, downloads every row from the file kept beside the figures."""
    from reporting.tables import Table

    monkeypatch.setattr(Table, "__post_init__", _cut_after_one(Table.__post_init__))
    client.force_login(performance)
    client.get(reverse("reporting:caseload"))
    snapshot = ReportSnapshot.objects.get(report="caseload")
    overdue = next(t for t in snapshot.tables if t["key"] == "overdue")
    assert len(overdue["rows"]) == 1 and overdue["total_rows"] > 1

    rows = csv_rows(client.get(reverse("reporting:caseload"), {"csv": "overdue"}))

    assert len(rows) == 1 + overdue["total_rows"]
    assert rows[0] == ["Team", "Person", "What", "Overdue"]
    by_stage = csv_rows(client.get(reverse("reporting:caseload"), {"csv": "by-stage"}))
    assert by_stage[1] == ["1. Identification", "4"]
    logged = DataDownload.objects.filter(file_name="overdue.csv").get()
    assert logged.row_count == overdue["total_rows"]


def _cut_after_one(post_init):
    def cut(self):
        if self.limit is not None:
            self.limit = 1
        post_init(self)

    return cut


@pytest.mark.usefixtures("on_10_march_2026")
@pytest.mark.parametrize("key", ["overdue", "by-risk"])
def test_a_kept_csv_download_takes_the_same_queries_however_many_rows(
    client, world, performance, social_worker, key
):
    """Worked out once, a CSV (the long overdue table's file, or a short table's
    figures) is read back with the same few queries whatever its size: the
    session, the user, her roles, the snapshot, the download's log."""
    client.force_login(performance)
    url = reverse("reporting:caseload") + f"?csv={key}"
    client.get(url + "&refresh=1")
    small = queries_for(client, url)
    add_twenty_cases(world, social_worker)
    client.get(url + "&refresh=1")

    assert queries_for(client, url) == small
