"""The nightly reminder digests: one email per person per day with what is overdue
and what is due in the next seven days; items long overdue also go to the team
manager. Each send is claimed first, so a rerun, a retry or a second worker never
sends twice and never skips one. The day is an input: nothing here depends on the
day the tests run.

The run is for Monday 23 November 2026, at 06:30 London time. Kayla
Brightwater's case sits in North with Sarah Wood (social worker), Tina Marsh (team
manager) and Ian Rowe (IRO).
"""

import datetime
import logging
import smtplib
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from reviews.models import Deadline, DeadlineKind, DigestStatus, ReminderDigest
from reviews.reminders.digests import (
    CLAIM_LEASE,
    claim_batch,
    digest_items,
    people_with_items,
    send_digests,
)
from reviews.tasks import catch_up_reminders
from tests.factories import open_case

D = datetime.date
LONDON = ZoneInfo("Europe/London")
DAY = D(2026, 11, 23)
RUN_AT = datetime.datetime(2026, 11, 23, 6, 30, tzinfo=LONDON)
SITE = "https://reunification.example.gov.uk"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(RUN_AT, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def reminder_settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ESCALATE_OVERDUE_AFTER_DAYS = 7
    settings.SITE_URL = SITE


_keys = iter(range(1, 1_000_000))


def due(case, who, on, what="Social worker visit", *, kind=DeadlineKind.VISIT, done_on=None):
    """A deadline row, as deadlines.refresh would write it."""
    return Deadline.objects.create(
        case=case,
        kind=kind,
        key=f"test-{next(_keys)}",
        what=what,
        due_on=on,
        responsible=who,
        done_on=done_on,
    )


def sent_to(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


def html_of(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


# What a digest holds -------------------------------------------------------------


def test_the_digest_for_a_day_lists_overdue_items_and_those_due_within_seven_days(
    case, social_worker, colleague
):
    due(case, social_worker, D(2026, 11, 20), "Child in Care review", kind="cic_review")
    due(case, social_worker, DAY, "Social worker visit")
    due(case, social_worker, D(2026, 11, 30), "Sign off the risk assessment", kind="sign_off")
    due(case, social_worker, D(2026, 12, 1), "Not yet: eight days away")
    due(case, social_worker, D(2026, 11, 10), "Already done", done_on=D(2026, 11, 9))
    due(case, colleague, D(2026, 11, 22), "Someone else's")

    items = digest_items(social_worker, DAY)

    assert [(i.what, i.due_on, i.days_overdue, i.escalated) for i in items] == [
        ("Child in Care review", D(2026, 11, 20), 3, False),
        ("Social worker visit", DAY, 0, False),
        ("Sign off the risk assessment", D(2026, 11, 30), 0, False),
    ]
    assert {(i.case_reference, i.initials) for i in items} == {(f"Case {case.pk}", "K.B.")}
    assert {i.url for i in items} == {f"{SITE}/cases/{case.pk}/"}


def test_the_digest_leaves_out_closed_cases(case, social_worker):
    due(case, social_worker, D(2026, 11, 20))
    type(case).objects.filter(pk=case.pk).update(stage="closed", closed_on=DAY)

    assert digest_items(social_worker, DAY) == []
    assert list(people_with_items(DAY)) == []


def test_an_item_overdue_by_more_than_the_set_days_also_goes_to_the_team_manager(
    case, social_worker, team_manager, south_manager, outsider
):
    due(case, social_worker, D(2026, 11, 15), "Eight days overdue")
    due(case, social_worker, D(2026, 11, 16), "Seven days overdue")
    other = open_case(team_manager=south_manager, social_worker=outsider)
    due(other, outsider, D(2026, 11, 1), "South's, long overdue")

    escalated = digest_items(team_manager, DAY)

    assert [(i.what, i.days_overdue, i.escalated) for i in escalated] == [
        ("Eight days overdue", 8, True)
    ]
    assert team_manager in people_with_items(DAY)


def test_the_team_manager_is_not_told_about_her_team_before_the_set_days(
    case, social_worker, team_manager
):
    due(case, social_worker, D(2026, 11, 16), "Seven days overdue")

    assert digest_items(team_manager, DAY) == []
    assert team_manager not in people_with_items(DAY)


def test_the_set_number_of_days_comes_from_settings(case, social_worker, team_manager, settings):
    settings.ESCALATE_OVERDUE_AFTER_DAYS = 2
    due(case, social_worker, D(2026, 11, 20), "Three days overdue")

    assert [i.what for i in digest_items(team_manager, DAY)] == ["Three days overdue"]


# The email ------------------------------------------------------------------------


def test_the_email_has_text_and_html_parts_linking_to_the_case(case, social_worker):
    due(case, social_worker, D(2026, 11, 20), "Child in Care review", kind="cic_review")
    due(case, social_worker, D(2026, 11, 25), "Social worker visit")

    send_digests(DAY)

    [message] = mail.outbox
    assert message.to == ["sarah.wood@council.example.gov.uk"]
    assert message.subject == "Reunification: 1 overdue, 1 due this week"
    link = f"{SITE}/cases/{case.pk}/"
    assert f"Case {case.pk} (K.B.): Child in Care review, due 20 Nov 2026 (3 days overdue)" in (
        message.body
    )
    assert f"Case {case.pk} (K.B.): Social worker visit, due 25 Nov 2026" in message.body
    assert link in message.body
    assert f"{SITE}/tasks/" in message.body
    html = html_of(message)
    assert f'<a href="{link}">Case {case.pk}</a> (K.B.)' in html
    assert "Overdue" in html and "Due in the next 7 days" in html


def test_the_email_carries_only_the_case_reference_and_initials(case, social_worker, team_manager):
    due(case, social_worker, D(2026, 11, 10), "Child in Care review", kind="cic_review")
    due(case, social_worker, D(2026, 11, 24), "Social worker visit")

    send_digests(DAY)

    assert len(mail.outbox) == 2  # Sarah's own, and Tina's for her team
    for message in mail.outbox:
        for part in (message.subject, message.body, html_of(message)):
            assert "Kayla" not in part
            assert "Brightwater" not in part
            assert "N123456" not in part  # the council's identifier for the child
        assert "K.B." in message.body


def test_an_iro_recommendation_naming_the_child_is_not_quoted_in_the_email(case, social_worker):
    """IRO recommendations are free text and usually name the child; the digest
    must still hold no more than the case reference and initials."""
    due(
        case,
        social_worker,
        D(2026, 11, 20),
        "IRO recommendation: Kayla Brightwater to be offered an independent visitor",
        kind=DeadlineKind.RECOMMENDATION,
    )

    send_digests(DAY)

    [message] = mail.outbox
    for part in (message.subject, message.body, html_of(message)):
        assert "Kayla" not in part
        assert "Brightwater" not in part
    assert "IRO recommendation" in message.body


def test_the_team_managers_email_shows_her_teams_long_overdue_items(
    case, social_worker, team_manager
):
    due(case, social_worker, D(2026, 11, 13), "Social worker visit")

    send_digests(DAY)

    [message] = sent_to("tina.marsh@council.example.gov.uk")
    assert "OVERDUE IN YOUR TEAM" in message.body
    assert f"Case {case.pk} (K.B.): Social worker visit, due 13 Nov 2026 (10 days overdue)" in (
        message.body
    )
    assert "Overdue in your team" in html_of(message)
    assert message.subject == "Reunification: 0 overdue, 0 due this week, 1 in your team overdue"


def test_no_one_with_nothing_due_is_emailed(case, social_worker, iro):
    due(case, social_worker, D(2026, 12, 15))

    report = send_digests(DAY)

    assert mail.outbox == []
    assert (report.sent, report.skipped, report.failed) == (0, 0, 0)
    assert not ReminderDigest.objects.exists()


# Once and only once -----------------------------------------------------------------


def test_running_twice_for_the_same_day_sends_one_email(case, social_worker):
    due(case, social_worker, D(2026, 11, 20))

    first = send_digests(DAY)
    second = send_digests(DAY)

    assert len(mail.outbox) == 1
    assert (first.sent, first.skipped) == (1, 0)
    assert (second.sent, second.skipped) == (0, 1)
    digest = ReminderDigest.objects.get(user=social_worker, for_date=DAY)
    assert digest.status == DigestStatus.SENT
    assert (digest.attempts, digest.items) == (1, 1)
    assert digest.sent_at == RUN_AT


def test_the_next_day_sends_again(case, social_worker, clock):
    due(case, social_worker, D(2026, 11, 20))
    send_digests(DAY)

    clock.move_to(RUN_AT + datetime.timedelta(days=1))
    report = send_digests(DAY + datetime.timedelta(days=1))

    assert report.sent == 1
    assert len(sent_to("sarah.wood@council.example.gov.uk")) == 2
    assert "Your reminders for 24 November 2026." in mail.outbox[1].body


def test_a_digest_another_worker_is_sending_is_left_to_it(case, social_worker):
    due(case, social_worker, D(2026, 11, 20))
    ReminderDigest.objects.create(
        user=social_worker,
        for_date=DAY,
        status=DigestStatus.SENDING,
        claimed_at=RUN_AT - datetime.timedelta(minutes=2),
        attempts=1,
    )

    report = send_digests(DAY)

    assert mail.outbox == []
    assert (report.sent, report.skipped) == (0, 1)
    assert ReminderDigest.objects.get(user=social_worker).status == DigestStatus.SENDING


def test_a_claim_older_than_the_lease_is_taken_over_so_no_digest_is_lost(case, social_worker):
    """The worker that claimed it died mid-send: after the lease, another sends it."""
    due(case, social_worker, D(2026, 11, 20))
    ReminderDigest.objects.create(
        user=social_worker,
        for_date=DAY,
        status=DigestStatus.SENDING,
        claimed_at=RUN_AT - CLAIM_LEASE - datetime.timedelta(seconds=1),
        attempts=1,
    )

    report = send_digests(DAY)

    assert len(mail.outbox) == 1
    assert report.sent == 1
    digest = ReminderDigest.objects.get(user=social_worker)
    assert (digest.status, digest.attempts, digest.claimed_at) == (DigestStatus.SENT, 2, RUN_AT)


@pytest.fixture
def refused_for(monkeypatch):
    """The SMTP server refuses one recipient (outside our code, so mocked)."""
    original = locmem.EmailBackend.send_messages
    refused = set()

    def send_messages(self, messages):
        for message in messages:
            for address in message.recipients():
                if address in refused:
                    raise smtplib.SMTPRecipientsRefused({address: (550, b"Mailbox unavailable")})
        return original(self, messages)

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", send_messages)
    return refused


def test_a_failed_send_is_logged_and_marked_and_does_not_stop_the_others(
    case, social_worker, colleague, iro, refused_for, caplog
):
    due(case, social_worker, D(2026, 11, 20))
    due(case, colleague, D(2026, 11, 21))
    due(case, iro, D(2026, 11, 22), "Child in Care review", kind="cic_review")
    refused_for.add("colin.reed@council.example.gov.uk")

    with caplog.at_level(logging.ERROR, logger="reviews.reminders"):
        report = send_digests(DAY)

    assert (report.sent, report.skipped, report.failed) == (2, 0, 1)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ian.rowe@council.example.gov.uk",
        "sarah.wood@council.example.gov.uk",
    ]
    failed = ReminderDigest.objects.get(user=colleague, for_date=DAY)
    assert failed.status == DigestStatus.FAILED
    assert "Mailbox unavailable" in failed.last_error
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.getMessage() == f"Reminder digest for user {colleague.pk} on 2026-11-23 failed"
    assert record.exc_info is not None


def test_a_later_run_sends_the_failed_digest_and_only_that_one(
    case, social_worker, colleague, refused_for, clock
):
    due(case, social_worker, D(2026, 11, 20))
    due(case, colleague, D(2026, 11, 21))
    refused_for.add("colin.reed@council.example.gov.uk")
    send_digests(DAY)
    assert len(mail.outbox) == 1

    refused_for.clear()
    clock.move_to(RUN_AT + datetime.timedelta(minutes=5))
    report = send_digests(DAY)

    assert (report.sent, report.skipped, report.failed) == (1, 1, 0)
    assert len(sent_to("colin.reed@council.example.gov.uk")) == 1
    assert len(sent_to("sarah.wood@council.example.gov.uk")) == 1
    digest = ReminderDigest.objects.get(user=colleague, for_date=DAY)
    assert (digest.status, digest.attempts) == (DigestStatus.SENT, 2)


# By hand: manage.py send_reminders ------------------------------------------------


def test_the_command_sends_the_digests_for_the_day_given(case, social_worker, capsys):
    due(case, social_worker, D(2026, 11, 20))

    call_command("send_reminders", "--date", "2026-11-23")
    call_command("send_reminders", "--date", "2026-11-23")

    assert len(mail.outbox) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "Reminders for 2026-11-23: 1 sent, 0 already sent or being sent, 0 failed, "
        "0 with nothing left to send.",
        "Reminders for 2026-11-23: 0 sent, 1 already sent or being sent, 0 failed, "
        "0 with nothing left to send.",
    ]


def test_the_command_defaults_to_today_in_london(case, social_worker, capsys, clock):
    # 00:30 on 2 June is British Summer Time: still 1 June in UTC.
    clock.move_to(datetime.datetime(2026, 6, 2, 0, 30, tzinfo=LONDON))
    due(case, social_worker, D(2026, 6, 2))

    call_command("send_reminders")

    assert "Reminders for 2026-06-02: 1 sent" in capsys.readouterr().out
    assert ReminderDigest.objects.get().for_date == D(2026, 6, 2)


@pytest.mark.parametrize("bad", ["23/11/2026", "2026-11-31", "tomorrow"])
def test_the_command_rejects_a_bad_date_with_a_clear_error(db, bad):
    with pytest.raises(CommandError) as refused:
        call_command("send_reminders", "--date", bad)

    assert str(refused.value) == "Give the date as YYYY-MM-DD, for example 2026-11-23"
    assert mail.outbox == []


def test_the_command_fails_loudly_when_a_digest_failed(case, social_worker, refused_for):
    due(case, social_worker, D(2026, 11, 20))
    refused_for.add("sarah.wood@council.example.gov.uk")

    with pytest.raises(CommandError, match=r"1 digest\(s\) failed; run again to retry them."):
        call_command("send_reminders", "--date", "2026-11-23")


# Two workers at once ----------------------------------------------------------------


def test_two_runs_at_once_send_each_digest_exactly_once(
    transactional_db, case, social_worker, colleague, team_manager, iro
):
    if connection.vendor == "sqlite":
        pytest.skip(
            "SQLite lets one writer in at a time, so the claims cannot race; "
            "run with DATABASE_URL set to PostgreSQL to test two workers at once"
        )
    due(case, social_worker, D(2026, 11, 20))
    due(case, colleague, D(2026, 11, 21))
    due(case, iro, D(2026, 11, 22), "Child in Care review", kind="cic_review")
    due(case, social_worker, D(2026, 11, 2), "Long overdue")
    expected = {user.email for user in people_with_items(DAY)}
    start = threading.Barrier(2)
    reports, errors = [], []

    def worker():
        try:
            start.wait(timeout=10)
            reports.append(send_digests(DAY))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(m.to[0] for m in mail.outbox) == sorted(expected)
    assert sum(r.sent for r in reports) == len(expected)
    assert sum(r.skipped for r in reports) == len(expected)
    assert set(ReminderDigest.objects.values_list("status", flat=True)) == {DigestStatus.SENT}


# Batches: the run's queries grow with batches, not with cases ------------------------


def many_people(north, manager, how_many: int, deadlines_each: int = 1):
    """`how_many` social workers in North, each with their own cases and items."""
    from tests.factories import UserFactory

    people = []
    for i in range(how_many):
        person = UserFactory(
            username=f"worker{i}",
            email=f"worker{i}@council.example.gov.uk",
            team=north,
            roles=["social_worker"],
        )
        for _ in range(deadlines_each):
            due(open_case(team_manager=manager, social_worker=person), person, D(2026, 11, 20))
        people.append(person)
    return people


def queries_of_a_run(day, **options) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        report = send_digests(day, **options)
    return len(captured), report


def test_more_cases_per_person_cost_no_more_queries(north, team_manager):
    people = many_people(north, team_manager, 6)
    few, report = queries_of_a_run(DAY, batch_size=4)
    assert report.sent == 6

    for person in people:  # four more cases each, all with items due
        for _ in range(4):
            due(open_case(team_manager=team_manager, social_worker=person), person, D(2026, 11, 21))
    next_day = DAY + datetime.timedelta(days=1)
    more, report = queries_of_a_run(next_day, batch_size=4)

    assert report.sent == 6
    assert more == few
    assert all(digest.items == 5 for digest in ReminderDigest.objects.filter(for_date=next_day))


def test_each_batch_costs_a_fixed_number_of_queries_and_each_email_one(north, team_manager):
    many_people(north, team_manager, 6)
    one_batch, _ = queries_of_a_run(DAY, batch_size=6)
    three_batches, _ = queries_of_a_run(DAY + datetime.timedelta(days=1), batch_size=2)
    six_batches, _ = queries_of_a_run(DAY + datetime.timedelta(days=2), batch_size=1)

    per_batch = (three_batches - one_batch) / 2
    assert per_batch >= 1
    assert six_batches - one_batch == 5 * per_batch
    assert len(mail.outbox) == 18


def test_two_claims_take_different_digests(north, team_manager):
    many_people(north, team_manager, 5)
    ReminderDigest.objects.bulk_create(
        [ReminderDigest(user=user, for_date=DAY) for user in people_with_items(DAY)]
    )

    first = claim_batch(DAY, RUN_AT, size=3)
    second = claim_batch(DAY, RUN_AT, size=3)
    third = claim_batch(DAY, RUN_AT, size=3)

    assert (len(first), len(second), third) == (3, 2, [])
    assert not {d.pk for d in first} & {d.pk for d in second}
    assert {d.status for d in first + second} == {DigestStatus.SENDING}
    assert len({d.claim_token for d in first}) == 1
    assert first[0].claim_token != second[0].claim_token


# Catching up: the run that never happened, and the run left half done ----------------


def test_the_catch_up_does_the_days_run_when_it_never_happened(case, social_worker, clock):
    due(case, social_worker, D(2026, 11, 20))
    clock.move_to(RUN_AT + datetime.timedelta(hours=3))  # Redis was down at 06:30

    report = catch_up_reminders()

    assert report == {"sent": 1, "skipped": 0, "failed": 0, "nothing_to_send": 0}
    assert [m.to for m in mail.outbox] == [["sarah.wood@council.example.gov.uk"]]


def test_the_catch_up_finishes_what_the_run_left_and_adds_no_one(
    case, social_worker, colleague, iro, clock
):
    due(case, social_worker, D(2026, 11, 20))
    due(case, colleague, D(2026, 11, 21))
    # The run created both digests, sent Sarah's, and its worker died before
    # reaching Colin's.
    ReminderDigest.objects.create(user=social_worker, for_date=DAY, status=DigestStatus.SENT)
    ReminderDigest.objects.create(user=colleague, for_date=DAY)
    due(case, iro, D(2026, 11, 22), "Child in Care review", kind="cic_review")  # added later
    clock.move_to(RUN_AT + datetime.timedelta(minutes=15))

    report = catch_up_reminders()

    assert report["sent"] == 1
    assert [m.to for m in mail.outbox] == [["colin.reed@council.example.gov.uk"]]
    assert not ReminderDigest.objects.filter(user=iro).exists()  # tomorrow's run has it
    assert catch_up_reminders()["sent"] == 0
    assert len(mail.outbox) == 1


def test_the_catch_up_waits_for_the_days_run_time(case, social_worker, clock):
    due(case, social_worker, D(2026, 11, 20))
    clock.move_to(RUN_AT - datetime.timedelta(minutes=1))

    assert catch_up_reminders() == {"sent": 0, "skipped": 0, "failed": 0, "nothing_to_send": 0}
    assert mail.outbox == []
    assert not ReminderDigest.objects.exists()


def test_the_catch_up_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["reminders-catch-up"]
    assert entry["task"] == "reviews.tasks.catch_up_reminders"
