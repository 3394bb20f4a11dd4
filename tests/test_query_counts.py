"""How many queries each main page runs, pinned, and that the number does not grow
with the records of a case or the number of cases (measured at size N and 3N).

Also the case overview in particular: one selector reads everything, the template
runs no queries, and someone whose only part is a closed case sees the child's
shared records as they stood when it closed.
"""

import datetime

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import overview as case_overview_module
from cases import policy
from cases.models import Role, Stage
from reunification.clock import today
from reviews.models import Dispute, DisputeRoute
from tests.factories import (
    CareEpisodeFactory,
    ChildFactory,
    ChronologyEntryFactory,
    FamilyMemberFactory,
    LegalStatusFactory,
    MissingEpisodeFactory,
    ParentalIssueFactory,
    PlacementFactory,
    PoliceCheckFactory,
    PreviousReturnFactory,
    ReunificationCaseFactory,
    SiblingFactory,
    days_ago,
    one_record_of_every_kind,
    open_case,
    signed_off_risk_assessment,
)

# page -> (role fixture that visits it, URL builder(world)). Each page's count is
# pinned in EXPECTED below; the count includes the session, the user and her roles.
PAGES = {
    "my_cases": ("social_worker", lambda w: reverse("cases:my_cases")),
    "team_caseload": ("team_manager", lambda w: reverse("cases:team")),
    "case_overview": ("social_worker", lambda w: reverse("cases:overview", args=[w.case.pk])),
    "case_overview_manager": (
        "team_manager",
        lambda w: reverse("cases:overview", args=[w.case.pk]),
    ),
    "risk_overview": ("social_worker", lambda w: reverse("risk:overview", args=[w.case.pk])),
    "risk_assessment_detail": (
        "team_manager",
        lambda w: reverse("risk:detail", args=[w.case.pk, w.assessment.pk]),
    ),
    "planning_overview": (
        "social_worker",
        lambda w: reverse("planning:overview", args=[w.case.pk]),
    ),
    "journey": ("social_worker", lambda w: reverse("reviews:journey", args=[w.case.pk])),
    "aftercare": ("social_worker", lambda w: reverse("reviews:aftercare", args=[w.case.pk])),
    "my_tasks": ("social_worker", lambda w: reverse("my_tasks")),
    "waiting_for_me": ("team_manager", lambda w: reverse("waiting_for_me")),
    # Working the figures out (and keeping them), then reading the kept figures.
    "reports_refresh": ("team_manager", lambda w: reverse("reporting:caseload") + "?refresh=1"),
    "reports": ("team_manager", lambda w: reverse("reporting:caseload")),
    "audit": ("team_manager", lambda w: reverse("cases:audit", args=[w.case.pk])),
    "allocate": ("team_manager", lambda w: reverse("cases:allocate", args=[w.case.pk])),
    "record_form": (
        "social_worker",
        lambda w: reverse("cases:edit_record", args=[w.case.pk, "placement", w.placement.pk]),
    ),
}

# Queries per page, for the role above. A change here is a change in what the page
# reads: make sure it does not grow with records before updating the number.
EXPECTED = {
    "my_cases": 11,  # + how many teams and social workers the filter would list
    "team_caseload": 12,
    # With the Child in Care reviews missing reunification (the return, the reviews).
    "case_overview": 34,
    "case_overview_manager": 34,
    "risk_overview": 16,  # the child's situation: placements and legal status
    "risk_assessment_detail": 19,  # + the step rules' history, situation, new risks
    "planning_overview": 22,  # with the placement plan, what is not appropriate, issues matched
    "journey": 26,
    "aftercare": 14,  # with regulation 39's requests, the episode and the legal status
    "my_tasks": 7,
    "waiting_for_me": 12,
    "reports_refresh": 20,  # + open cases, the overdue table's team and people names, drift (2)
    "reports": 11,
    "audit": 61,  # + the ceasing-care requests, the placement plan, what is not appropriate,
    # the reasons there is no specialist service, after the return the step-down
    # plan, the concerns and the assessments of the home, and the supervisions, their
    # actions and the loaded reviews
    "allocate": 10,
    "record_form": 9,
}


class World:
    """Kayla's case and the team around it, grown a step at a time."""

    def __init__(self, case, people):
        self.case = case
        self.people = people
        self.assessment = signed_off_risk_assessment(
            case, author=people["social_worker"], manager=people["team_manager"]
        )
        self.placement = case.child.placements.first()

    def grow(self, steps: int) -> None:
        """`steps` more of each record on the case and the child, and `steps` more
        cases in the team held by the same people."""
        case, child = self.case, self.case.child
        worker, manager = self.people["social_worker"], self.people["team_manager"]
        for step in range(steps):
            start = days_ago(400 + 10 * step)
            LegalStatusFactory(child=child, start_date=start, end_date=start)
            PlacementFactory(child=child, start_date=start, end_date=start)
            SiblingFactory(child=child)
            CareEpisodeFactory(child=child)
            PreviousReturnFactory(child=child)
            MissingEpisodeFactory(child=child)
            member = FamilyMemberFactory(case=case, relationship="Uncle")
            PoliceCheckFactory(member=member)
            ParentalIssueFactory(case=case, parent=member)
            ChronologyEntryFactory(case=case, recorded_by=worker)
            signed_off_risk_assessment(case, author=worker, manager=manager)
            Dispute.objects.create(
                case=case,
                raised_by=worker,
                raised_role=Role.SOCIAL_WORKER,
                raised_on=today(),
                route=DisputeRoute.values[0],
                subject="Contact arrangements",
            )
            ReunificationCaseFactory(
                child=child,
                team=case.team,
                stage=Stage.CLOSED,
                opened_on=days_ago(900 + 10 * step),
                closed_on=days_ago(800 + 10 * step),
            )
            other = open_case(team_manager=manager, social_worker=worker, iro=self.people["iro"])
            one_record_of_every_kind(other, by=worker)


# Pages measured on their second visit: the first keeps a report snapshot (an
# insert), later ones update it.
WARM_FIRST = {"reports_refresh"}


def _count(client, user, url, *, warm=False) -> tuple[int, int]:
    client.force_login(user)
    if warm:
        client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, len(queries)


def _measure(client, world) -> dict[str, int]:
    counts = {}
    for page, (role, url) in PAGES.items():
        status, counts[page] = _count(
            client, world.people[role], url(world), warm=page in WARM_FIRST
        )
        assert status == 200, f"{page} answered {status}"
    return counts


@pytest.fixture
def world(case, social_worker, team_manager, iro, head_of_service):
    people = {
        "social_worker": social_worker,
        "team_manager": team_manager,
        "iro": iro,
        "head_of_service": head_of_service,
    }
    return World(case, people)


def test_main_pages_run_a_fixed_number_of_queries(on_10_march_2026, client, world):
    world.grow(1)
    at_n = _measure(client, world)
    world.grow(2)
    at_3n = _measure(client, world)
    grows = {page: (at_n[page], at_3n[page]) for page in PAGES if at_n[page] != at_3n[page]}
    assert not grows, f"queries grow with the records (N, 3N): {grows}"
    assert at_3n == EXPECTED, f"measured: {at_3n}"


# The case overview ---------------------------------------------------------------

# What cases.overview.case_overview reads for Kayla's case, its panels included.
SELECTOR_QUERIES = 26  # with the reviews missing reunification (issue 14)


def test_overview_template_runs_no_queries(
    on_10_march_2026, case, social_worker, django_assert_num_queries
):
    request = RequestFactory().get(reverse("cases:overview", args=[case.pk]))
    request.user = social_worker
    request.session = {}
    request._messages = []
    page = case_overview_module.case_overview(case, social_worker, today())
    with django_assert_num_queries(0):
        html = render_to_string("cases/case_overview.html", page.as_context(), request=request)
    assert "Risk classification" in html and "Decisions and next steps" in html


def test_overview_selector_reads_lists_and_every_panel(on_10_march_2026, case, social_worker):
    page = case_overview_module.case_overview(case, social_worker, today())
    for name in ("placements", "legal_statuses", "siblings", "chronology", "other_cases"):
        assert isinstance(getattr(page, name), list), name
    assert set(page.panels) >= {"risk", "stage_tasks"}
    assert page.may["change_case"] is True


def test_overview_request_is_the_selector_plus_a_fixed_overhead(
    on_10_march_2026, client, case, social_worker
):
    """All the page's reads happen in the selector; the rest of the request is the
    session (read and saved: 4), the user and her roles, the case and logging the view."""
    case = policy.case_for(social_worker, case.pk)  # as the view loads it
    with CaptureQueriesContext(connection) as selector:
        case_overview_module.case_overview(case, social_worker, today())
    client.force_login(social_worker)
    with CaptureQueriesContext(connection) as whole:
        client.get(reverse("cases:overview", args=[case.pk]))
    overhead = len(whole) - len(selector)
    assert (len(selector), overhead) == (SELECTOR_QUERIES, 8), [
        q["sql"] for q in whole.captured_queries
    ]


# Child-level records through a closed case ---------------------------------------


@pytest.fixture
def child_moved_teams(everyone, team_manager, social_worker, south_manager):
    """Kayla's case closed in North; her new case in South records a new placement."""
    kayla = ChildFactory(first_name="Kayla", last_name="Brightwater")
    closed = ReunificationCaseFactory(
        child=kayla,
        team=team_manager.team,
        social_worker=social_worker,
        stage=Stage.CLOSED,
        opened_on=days_ago(400),
        became_looked_after_on=days_ago(500),
        closed_on=days_ago(100),
    )
    PlacementFactory(
        child=kayla, carer="Mr and Mrs Old", start_date=days_ago(500), end_date=days_ago(60)
    )
    new = open_case(team_manager=south_manager, child=kayla)
    PlacementFactory(child=kayla, carer="Mrs New Carer", start_date=days_ago(30))
    return closed, new


def _overview_html(client, user, case) -> str:
    client.force_login(user)
    response = client.get(reverse("cases:overview", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_closed_case_shows_the_child_records_as_they_stood(
    client, child_moved_teams, colleague, outsider, director
):
    closed, new = child_moved_teams
    # Team North sees only the closed case: the records as they stood when it closed.
    north_view = _overview_html(client, colleague, closed)
    assert "Mrs New Carer" not in north_view
    assert "Mr and Mrs Old" in north_view
    page = case_overview_module.case_overview(closed, colleague, today())
    assert page.records_as_of == closed.closed_on
    assert [p.carer for p in page.placements] == ["Mr and Mrs Old"]
    assert page.placements[0].end_date is None  # it had not ended when the case closed
    # Team South, on the child's open case, sees the new placement.
    assert "Mrs New Carer" in _overview_html(client, outsider, new)
    # Someone who may see the open case sees the records as they are, on either case.
    assert "Mrs New Carer" in _overview_html(client, director, closed)


def test_shown_as_of_does_not_change_the_records(client, child_moved_teams, colleague):
    closed, _ = child_moved_teams
    case_overview_module.case_overview(closed, colleague, today())
    old = closed.child.placements.get(carer="Mr and Mrs Old")
    assert old.end_date == today() - datetime.timedelta(days=60)


def test_cases_does_not_import_risk_or_reviews():
    import pathlib
    import re

    root = pathlib.Path(case_overview_module.__file__).parent
    pattern = re.compile(r"^\s*(from|import)\s+(risk|reviews)\b", re.M)
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "migrations" not in path.parts and pattern.search(path.read_text())
    ]
    assert offenders == []


def test_registering_a_panel_shows_it_with_plain_values(
    on_10_march_2026, case, social_worker, monkeypatch
):
    monkeypatch.setattr(case_overview_module, "_PANELS", dict(case_overview_module._PANELS))
    case_overview_module.register_panel(
        "extra", lambda c, day, user: {"day": day}, template="cases/_saved_now.html"
    )
    page = case_overview_module.case_overview(case, social_worker, today())
    assert page.panels["extra"].context == {"day": datetime.date(2026, 3, 10)}
