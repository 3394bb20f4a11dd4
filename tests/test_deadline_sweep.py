"""The nightly sweep refreshes the deadlines of a batch of cases at once
(`refresh_batch`): the records derive() reads are loaded for the whole batch in
a fixed number of queries and the rows written in bulk. It gives the rows a
refresh of each case alone gives, and its queries do not grow with the batch.

Today is Tuesday 10 March 2026; the children became looked after on Monday
5 January 2026.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import ReunificationCase, Role, Stage
from cases.services import allocate
from reviews.aftercare import statutory
from reviews.deadlines import refresh as deadlines
from reviews.models import Deadline, ReviewType
from tests.factories import (
    FamilyMemberFactory,
    LegalStatusFactory,
    PlacementFactory,
    journey_beyond,
    one_record_of_every_kind,
    open_case,
    signed_off_risk_assessment,
    submitted_risk_assessment,
)

D = datetime.date
TODAY = D(2026, 3, 10)
LOOKED_AFTER = D(2026, 1, 5)
# The queries of one batch, whatever its size: the savepoint and its release;
# the cases locked and read with child, return home and previous case; one query
# per record type derive() reads (24; a previous case's reviews make 25); the
# team managers; the issues' history (and the support services' history, when
# the batch has services). Then one query per kind of write.
BATCH_READS = 29


@pytest.fixture(autouse=True)
def clock():
    noon = datetime.datetime.combine(TODAY, datetime.time(12), tzinfo=ZoneInfo("Europe/London"))
    with time_machine.travel(noon):
        yield


def looked_after_case(team_manager, social_worker, iro):
    """A child in care with a record of every kind, a review with a
    recommendation, a visit, a High assessment signed off and a Medium one
    waiting for sign-off."""
    case = open_case(
        team_manager=team_manager,
        social_worker=social_worker,
        iro=iro,
        became_looked_after_on=LOOKED_AFTER,
    )
    one_record_of_every_kind(case, by=social_worker)
    statutory.record_review(
        case=case,
        by=iro,
        held_on=D(2026, 1, 29),
        review_type=ReviewType.CHILD_IN_CARE,
        chair=iro,
        attended="The child, her mother, Sarah Wood.",
        outcome="The plan continues.",
        recommendations=[
            {"text": "Life story work", "owner": social_worker, "due_on": D(2026, 3, 20)}
        ],
    )
    statutory.record_visit(
        case=case, by=social_worker, visited_on=D(2026, 1, 9), seen_alone=True, notes="Settled."
    )
    signed_off_risk_assessment(
        case, author=social_worker, manager=team_manager, level="high", assessed_on=D(2026, 3, 2)
    )
    submitted_risk_assessment(
        case,
        author=social_worker,
        level="medium",
        assessed_on=TODAY,
        departure_rationale="New evidence from the substance misuse service.",
    )
    return case


def on_a_journey(people):
    case = open_case(
        team_manager=people.team_manager,
        social_worker=people.social_worker,
        iro=people.iro,
        became_looked_after_on=LOOKED_AFTER,
    )
    LegalStatusFactory(child=case.child, code="V2", start_date=LOOKED_AFTER)
    PlacementFactory(child=case.child, placement_type="U6", start_date=LOOKED_AFTER)
    FamilyMemberFactory(case=case, name="Dawn Brightwater", relationship="Mother")
    allocate(
        case=case, role=Role.HEAD_OF_SERVICE, user=people.head_of_service, by=people.team_manager
    )
    case.refresh_from_db()
    return case


@pytest.fixture
def cases(everyone, people, team_manager, social_worker, iro):
    """Cases of every kind the sweep meets: two looked after with every record,
    one gone home, one where reunification is not pursued."""
    home = journey_beyond(on_a_journey(people), Stage.RETURN_HOME, people=people)
    not_pursued = journey_beyond(on_a_journey(people), Stage.NOT_PURSUED, people=people)
    return [
        looked_after_case(team_manager, social_worker, iro),
        looked_after_case(team_manager, social_worker, iro),
        home,
        not_pursued,
    ]


def rows() -> set:
    return set(
        Deadline.objects.values_list(
            "case_id", "kind", "key", "what", "due_on", "responsible_id", "done_on"
        )
    )


def test_a_batch_derives_what_each_case_alone_derives(cases):
    alone = {
        case.pk: deadlines.derive(ReunificationCase.objects.get(pk=case.pk), TODAY)
        for case in cases
    }
    batch = {case.pk: deadlines.derive(case, TODAY) for case in deadlines.load_cases(alone)}
    assert batch == alone
    assert all(alone.values())


def test_the_sweep_writes_the_rows_a_refresh_of_each_case_writes(cases):
    Deadline.objects.all().delete()
    for case in cases:
        deadlines.refresh(case)
    refreshed = rows()
    Deadline.objects.all().delete()

    report = deadlines.sweep()

    assert rows() == refreshed and len(refreshed) > 20
    assert report.changed == len(refreshed) and report.failed == 0
    assert deadlines.sweep().changed == 0


def test_the_sweep_changes_moves_and_removes_rows_in_bulk_keeping_done_ones(cases):
    deadlines.sweep()
    first = cases[0]
    moved = first.deadlines.filter(done_on__isnull=True).first()
    moved_due = moved.due_on
    Deadline.objects.filter(pk=moved.pk).update(due_on=moved_due + datetime.timedelta(days=3))
    stray = Deadline.objects.create(
        case=first, kind=moved.kind, key="stray", what="x", due_on=TODAY
    )
    done = Deadline.objects.create(
        case=first, kind=moved.kind, key="done", what="x", due_on=TODAY, done_on=TODAY
    )

    report = deadlines.sweep()

    assert report.changed == 2
    moved.refresh_from_db()
    assert moved.due_on == moved_due
    assert not Deadline.objects.filter(pk=stray.pk).exists()
    assert Deadline.objects.filter(pk=done.pk).exists()


def batch_queries(ids) -> int:
    with CaptureQueriesContext(connection) as captured:
        deadlines.refresh_batch(ids, TODAY)
    return len(captured)


def test_a_batch_takes_the_same_queries_whatever_its_size(cases, team_manager, social_worker, iro):
    deadlines.sweep()
    more = [looked_after_case(team_manager, social_worker, iro) for _ in range(3)]
    deadlines.sweep()
    small = [case.pk for case in cases]
    large = small + [case.pk for case in more]

    # Nothing to change: the reads alone.
    assert batch_queries(small) == BATCH_READS
    assert batch_queries(large) == BATCH_READS

    # Rows to create, change and remove: one query each, in bulk.
    for case in deadlines.load_cases(large):
        stale = case.deadlines.all()[0]
        Deadline.objects.filter(pk=stale.pk).update(what="stale")
        Deadline.objects.create(case=case, kind=stale.kind, key="stray", what="x", due_on=TODAY)
    Deadline.objects.filter(case_id__in=large, key="cic-1").delete()
    assert batch_queries(large) == BATCH_READS + 3
