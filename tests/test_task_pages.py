"""My tasks and Waiting for me say which child (the identifier beside the name:
two children may share one) and link what to do to where it is done; a closure
the rules now allow is offered, not shown as overdue."""

import datetime

import pytest

from reunification.clock import today
from reviews.models import Deadline, DeadlineKind

pytestmark = pytest.mark.django_db


def deadline(case, kind, what, days_ago, user):
    return Deadline.objects.create(
        case=case,
        kind=kind,
        key="t",
        what=what,
        due_on=today() - datetime.timedelta(days=days_ago),
        responsible=user,
    )


def section(page: str, heading: str) -> str:
    start = page.index(heading)
    rest = page[start + len(heading) :]
    end = rest.find("<h2")
    return rest if end < 0 else rest[:end]


def test_a_late_visit_is_overdue_and_links_to_the_visit_form(client, case, social_worker):
    deadline(case, DeadlineKind.VISIT, "Visit Kayla", 3, social_worker)
    client.force_login(social_worker)
    page = client.get("/tasks/").content.decode()
    overdue = section(page, "Overdue (1)")
    assert "N123456" in overdue
    assert f'href="/cases/{case.pk}/journey/visits/new/">Visit Kayla</a>' in overdue


def test_low_risk_held_is_offered_as_a_closure_not_shown_overdue(client, case, social_worker):
    deadline(
        case,
        DeadlineKind.RISK_CLOSURE,
        "Low risk held: consider closing the case",
        3,
        social_worker,
    )
    client.force_login(social_worker)
    page = client.get("/tasks/").content.decode()
    assert "Overdue (0)" in page
    now = section(page, "Can be done now (1)")
    assert f'href="/cases/{case.pk}/journey/close/">Low risk held' in now


def test_waiting_for_me_shows_the_childs_identifier(client, journey_case, team_manager):
    client.force_login(team_manager)
    page = client.get("/decisions/").content.decode()
    assert "Kayla Brightwater</a> <span" in page
    assert "N123456" in page
