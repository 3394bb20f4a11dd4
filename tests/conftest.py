"""Named people around one child's case, as the guidance describes them.

Team North holds the case: Sarah Wood is the allocated social worker, Colin Reed
a colleague in the same team, Tina Marsh their team manager, Helen Orme the head
of service who oversees North, Ian Rowe the case's IRO. Around them: another IRO,
the service director, a social worker and a team manager in team South, and
someone from performance. The child is Kayla Brightwater.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases.models import Role
from tests.factories import (
    ChildFactory,
    TeamFactory,
    UserFactory,
    one_record_of_every_kind,
    open_case,
)


def pytest_configure(config):
    # WhiteNoise warns on every request when collectstatic has not been run.
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning")


LONDON = ZoneInfo("Europe/London")
TODAY = datetime.date(2026, 3, 10)


@pytest.fixture
def on_10_march_2026():
    """Travel to midday on Tuesday 10 March 2026 (the clock keeps ticking)."""
    with time_machine.travel(datetime.datetime(2026, 3, 10, 12, tzinfo=LONDON)):
        yield TODAY


@pytest.fixture
def north(db):
    return TeamFactory(name="North")


@pytest.fixture
def south(db):
    return TeamFactory(name="South")


def person(first_name, last_name, *roles, team=None):
    return UserFactory(
        username=f"{first_name}.{last_name}".lower(),
        first_name=first_name,
        last_name=last_name,
        team=team,
        roles=list(roles),
    )


@pytest.fixture
def social_worker(north):
    return person("Sarah", "Wood", Role.SOCIAL_WORKER, team=north)


@pytest.fixture
def colleague(north):
    return person("Colin", "Reed", Role.SOCIAL_WORKER, team=north)


@pytest.fixture
def team_manager(north):
    return person("Tina", "Marsh", Role.TEAM_MANAGER, team=north)


@pytest.fixture
def head_of_service(north):
    head = person("Helen", "Orme", Role.HEAD_OF_SERVICE)
    north.heads_of_service.add(head)
    return head


@pytest.fixture
def iro(db):
    return person("Ian", "Rowe", Role.IRO)


@pytest.fixture
def other_iro(db):
    return person("Olivia", "Irwin", Role.IRO)


@pytest.fixture
def director(db):
    return person("Diane", "Dale", Role.SERVICE_DIRECTOR)


@pytest.fixture
def outsider(south):
    return person("Oscar", "Stone", Role.SOCIAL_WORKER, team=south)


@pytest.fixture
def south_manager(south):
    return person("Sue", "Mann", Role.TEAM_MANAGER, team=south)


@pytest.fixture
def performance(db):
    return person("Pat", "Lowe", Role.PERFORMANCE)


@pytest.fixture
def everyone(
    social_worker,
    colleague,
    team_manager,
    head_of_service,
    iro,
    other_iro,
    director,
    outsider,
    south_manager,
    performance,
):
    """Create every named person, so a test of one role sees the others exist."""


@pytest.fixture
def case(everyone, team_manager, social_worker, iro):
    """Kayla Brightwater's case in North, opened by Tina Marsh with Sarah Wood and
    Ian Rowe allocated, holding one record of every kind."""
    kayla = ChildFactory(first_name="Kayla", last_name="Brightwater", local_identifier="N123456")
    opened = open_case(team_manager=team_manager, social_worker=social_worker, iro=iro, child=kayla)
    one_record_of_every_kind(opened, by=social_worker)
    return opened


@pytest.fixture
def people(social_worker, team_manager, head_of_service, iro, director):
    """The people who carry Kayla's journey, by role."""
    from types import SimpleNamespace

    return SimpleNamespace(
        social_worker=social_worker,
        team_manager=team_manager,
        head_of_service=head_of_service,
        iro=iro,
        director=director,
    )


@pytest.fixture
def journey_case(case, team_manager, head_of_service):
    """Kayla's case at identification with Helen Orme allocated as its head of
    service too, so each of the four who decide on the journey holds a role on it.
    Nothing of the later stages is recorded yet (`case` may hold such records so
    that every edit page exists; a journey starts without them)."""
    from cases.services import allocate
    from planning import models as planning
    from risk.models import ChildViews, ParentViews, RiskAssessment, SingleAssessment

    allocate(case=case, role=Role.HEAD_OF_SERVICE, user=head_of_service, by=team_manager)
    for model in (
        ChildViews,
        ParentViews,
        SingleAssessment,
        RiskAssessment,
        planning.PlanningMeeting,
        planning.WrittenAgreement,
        planning.FamilyTimeStep,
        planning.PlacementWithParentsApproval,
        planning.PlacementPlan,
        planning.NotAppropriate,
        planning.ContingencyPlan,
        planning.SupportService,
        planning.SupportPlan,
        planning.DirectWorkSession,
    ):
        model.objects.filter(case=case).delete()
    case.refresh_from_db()
    return case


@pytest.fixture(autouse=True)
def _nobody_left_acting():
    """simple_history keeps "who is acting" on a thread-local; a test (or the demo
    driver) that names someone must not leave them named for the next test, whose
    database no longer holds that user."""
    from simple_history.models import HistoricalRecords

    yield
    if hasattr(HistoricalRecords.context, "request"):
        del HistoricalRecords.context.request


@pytest.fixture
def tasks_in_process():
    """Celery tasks run in-process when queued, as without a broker, even when
    REDIS_URL is set for the test run; the configuration is put back afterwards."""
    from reunification.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = before
