"""Issue 12 in reviews: digests and lists name only cases the person may see now,
deadlines fall to the team manager when a role is unallocated, the nightly sweep
is idempotent and logs failures, a disagreement is resolved once, and a case's
stage and closed_on agree with the records they come from."""

import datetime
import logging

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError

from cases import policy
from cases.models import ReunificationCase, Stage
from reunification.clock import today
from reviews.deadlines import refresh as deadlines
from reviews.journey import decisions
from reviews.journey.selectors import closure_mismatches, stage_mismatches
from reviews.models import Deadline, DeadlineKind, DigestStatus, DisputeRoute, ReminderDigest
from reviews.reminders.digests import send_digests
from tests.factories import open_case

D = datetime.date
DRP = DisputeRoute.DRP


def due(case, who, *, kind=DeadlineKind.RECOMMENDATION):
    return Deadline.objects.create(
        case=case,
        kind=kind,
        key=f"t-{who.pk}-{kind}",
        what="IRO recommendation: x",
        due_on=today(),
        responsible=who,
    )


@pytest.fixture(autouse=True)
def locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def mailed(user) -> bool:
    return any(message.to == [user.email] for message in mail.outbox)


def test_an_iro_moved_off_a_case_no_longer_gets_its_recommendation(case, iro, other_iro):
    due(case, iro)
    ReunificationCase.objects.filter(pk=case.pk).update(iro=other_iro)
    send_digests(today())
    assert not mailed(iro)


def test_the_digest_still_reaches_the_iro_of_the_case(case, iro):
    due(case, iro)
    send_digests(today())
    assert mailed(iro)
    assert f"Case {case.pk}" in mail.outbox[0].body


def test_a_social_worker_moved_team_no_longer_gets_her_old_teams_items(case, social_worker, south):
    Deadline.objects.filter(case=case).delete()
    due(case, social_worker, kind=DeadlineKind.VISIT)
    social_worker.team = south
    social_worker.save()
    report = send_digests(today())
    assert not mailed(social_worker)
    # Her digest is kept as "nothing to send", not recorded as an email sent.
    digest = ReminderDigest.objects.get(user=social_worker, for_date=today())
    assert (digest.status, digest.sent_at, digest.items) == (DigestStatus.NOTHING_TO_SEND, None, 0)
    assert report.nothing_to_send >= 1
    # A rerun neither sends it nor counts it again.
    assert send_digests(today()).nothing_to_send == 0
    assert not mailed(social_worker)


def test_a_head_of_service_who_lost_oversight_no_longer_gets_the_teams_items(
    case, head_of_service, north
):
    due(case, head_of_service)
    north.heads_of_service.remove(head_of_service)
    send_digests(today())
    assert not mailed(head_of_service)


def test_a_deadline_with_no_one_in_the_role_falls_to_the_team_manager(team_manager, social_worker):
    unreviewed = open_case(team_manager=team_manager, social_worker=social_worker)
    deadlines.refresh(unreviewed)
    review = unreviewed.deadlines.get(kind=DeadlineKind.CIC_REVIEW, key="cic-1")
    assert review.responsible == team_manager


def test_the_sweep_is_idempotent(case):
    first = deadlines.sweep(batch_size=1)
    assert first.cases >= 1 and first.failed == 0
    again = deadlines.sweep(batch_size=1)
    assert again.changed == 0 and again.cases == first.cases


def test_the_sweep_logs_a_failed_case_with_its_id_and_goes_on(case, monkeypatch, caplog):
    derive = deadlines.derive

    def broken(one, day):
        if one.pk == case.pk:
            raise RuntimeError("boom")
        return derive(one, day)

    other = open_case(team_manager=case.team_manager)
    monkeypatch.setattr(deadlines, "derive", broken)
    with caplog.at_level(logging.ERROR):
        report = deadlines.sweep()
    assert report.failed == 1 and report.cases >= 2
    assert f"case {case.pk}" in caplog.text
    assert other.deadlines.exists() and not case.deadlines.exists()


def test_a_batch_that_fails_is_swept_a_case_at_a_time(case, monkeypatch, caplog):
    def broken(ids, day=None):
        raise DatabaseError("boom")

    monkeypatch.setattr(deadlines, "refresh_batch", broken)
    with caplog.at_level(logging.ERROR):
        report = deadlines.sweep()
    assert report.failed == 0 and report.changed >= 1
    assert case.deadlines.exists()


def test_the_beat_schedule_sweeps_before_the_reminders(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    sweep = schedule["nightly-deadline-sweep"]
    assert sweep["task"] == "reviews.tasks.sweep_deadlines"
    reminders = schedule["nightly-reminders"]["schedule"]
    assert min(sweep["schedule"].hour) < min(reminders.hour)


def test_a_disagreement_resolved_by_two_people_at_once_is_resolved_once(
    journey_case, iro, team_manager
):
    raised = decisions.raise_dispute(
        case=journey_case, by=iro, raised_on=today(), route=DRP, subject="The plan"
    )
    stale = type(raised).objects.get(pk=raised.pk)
    decisions.resolve_dispute(dispute=raised, by=iro, resolved_on=today(), resolution="Agreed")
    with pytest.raises(ValidationError, match="already been resolved"):
        decisions.resolve_dispute(
            dispute=stale, by=team_manager, resolved_on=today(), resolution="Also agreed"
        )
    assert journey_case.chronology.filter(description__contains="resolved:").count() == 1


def test_a_closed_case_takes_no_new_disagreement(journey_case, iro):
    ReunificationCase.objects.filter(pk=journey_case.pk).update(
        stage=Stage.CLOSED, closed_on=today()
    )
    journey_case.refresh_from_db()
    assert not policy.may_raise_disagreement(iro, journey_case)
    with pytest.raises(PermissionDenied):
        decisions.raise_dispute(
            case=journey_case, by=iro, raised_on=today(), route=DRP, subject="Late"
        )


def test_stage_and_closed_on_agree_with_their_records_after_the_journey(journey_case, people):
    from tests.factories import journey_to

    journey_to(journey_case, Stage.CONFIRMATION, people=people)
    assert not stage_mismatches().exists()
    assert not closure_mismatches().exists()


def test_the_invariant_checks_find_a_case_out_of_line(journey_case):
    # Closed by a bare UPDATE: no StageMove, no Closure record.
    ReunificationCase.objects.filter(pk=journey_case.pk).update(
        stage=Stage.CLOSED, closed_on=today()
    )
    assert list(stage_mismatches()) == [journey_case]
    assert list(closure_mismatches()) == [journey_case]


def test_the_invariant_checks_find_a_role_holder_out_of_line(journey_case, people):
    from cases.selectors import allocation_mismatches
    from reviews.deadlines.refresh import sweep

    assert not allocation_mismatches().exists()
    # Named on the case by a bare UPDATE, with no allocation behind it.
    ReunificationCase.objects.filter(pk=journey_case.pk).update(iro=people.director)
    assert list(allocation_mismatches()) == [journey_case]
    assert sweep().out_of_line == {"allocation": [journey_case.pk]}
