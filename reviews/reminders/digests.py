"""The nightly reminder digests: one email per person per day, listing what is
overdue and what is due in the next seven days.

The run works in batches. Each batch of digests is claimed with one conditional
UPDATE that stamps them with a fresh token (on PostgreSQL the candidates are
locked with SKIP LOCKED, so several workers take different batches at once);
a rerun, a retry or a second worker finds a digest claimed or sent and leaves
it. A claim that was never finished (the worker died mid-send) lapses after
CLAIM_LEASE and is taken again, so no digest is skipped either. Each email's
result is written the moment it is sent: that one UPDATE per email is what
keeps a killed worker from sending anything twice.
"""

import datetime
import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html

from cases import policy
from cases.models import Role, RoleGrant, Stage, User
from reunification.clock import now
from reviews.models import Deadline, DeadlineKind, DigestStatus, ReminderDigest
from reviews.models.deadlines import NEVER_LATE

log = logging.getLogger(__name__)

LOOK_AHEAD_DAYS = 7
CLAIM_LEASE = datetime.timedelta(seconds=settings.REMINDER_CLAIM_LEASE_SECONDS)
MAX_ATTEMPTS = 5
BATCH_SIZE = 200
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Item:
    case_reference: str
    initials: str
    what: str
    due_on: datetime.date
    days_overdue: int
    url: str
    escalated: bool = False

    @property
    def due_text(self) -> str:
        """The due date as "13 Nov 2026": formatted here, once, because the
        template filter's localisation costs more than the rest of the email."""
        return f"{self.due_on.day} {MONTHS[self.due_on.month - 1]} {self.due_on.year}"

    @property
    def overdue_text(self) -> str:
        return f"{self.days_overdue} day{'' if self.days_overdue == 1 else 's'} overdue"

    # The item's line in each version of the email, put together here so that a
    # template looks up one value per item rather than six (a run lists tens of
    # thousands of items).
    @property
    def text_line(self) -> str:
        late = f" ({self.overdue_text})" if self.days_overdue else ""
        return (
            f"- {self.case_reference} ({self.initials}): {self.what}, due {self.due_text}{late}\n"
            f"  {self.url}"
        )

    @property
    def html_line(self) -> str:
        late = ""
        if self.days_overdue:
            late = format_html(
                " ({})" if self.escalated else " <strong>({})</strong>", self.overdue_text
            )
        return format_html(
            '<li><a href="{}">{}</a> ({}): {}, due {}{}</li>',
            self.url,
            self.case_reference,
            self.initials,
            self.what,
            self.due_text,
            late,
        )


def _initials(first: str, last: str) -> str:
    return f"{first[:1]}.{last[:1]}.".upper()


ITEM_FIELDS = (
    "case_id",
    "case__child__first_name",
    "case__child__last_name",
    "kind",
    "what",
    "due_on",
    "responsible_id",
    "case__team_id",
)


def _case_url():
    """A function giving a case's overview address: the URL is reversed once,
    not once per item (a run can list a hundred thousand items)."""
    marker = 987654321
    pattern = settings.SITE_URL + reverse("cases:overview", args=[marker])
    head, tail = pattern.split(str(marker))
    return lambda case_id: f"{head}{case_id}{tail}"


def _items(rows, day: datetime.date, *, escalated: bool = False, url=None) -> list[Item]:
    """Items from rows of ITEM_FIELDS values."""
    url = url or _case_url()
    return [
        Item(
            case_reference=f"Case {case_id}",
            initials=_initials(first, last),
            # Free text (a recommendation's wording) may name people: emails carry
            # only the kind of task; the full wording is on the signed-in pages.
            what=KIND_LABELS[kind] if kind == DeadlineKind.RECOMMENDATION else what,
            due_on=due_on,
            days_overdue=0 if kind in NEVER_LATE else max(0, (day - due_on).days),
            url=url(case_id),
            escalated=escalated,
        )
        for case_id, first, last, kind, what, due_on, *_ in rows
    ]


KIND_LABELS = dict(DeadlineKind.choices)


def open_deadlines():
    return Deadline.objects.filter(done_on__isnull=True).exclude(case__stage=Stage.CLOSED)


def digest_items(user: User, day: datetime.date) -> list[Item]:
    """The person's own overdue items and those due within a week, then (for a
    team manager) their team's items overdue by more than the set number of days;
    only on cases she may see now (cases.policy)."""
    horizon = day + datetime.timedelta(days=LOOK_AHEAD_DAYS)
    visible = policy.limit_to_visible(open_deadlines(), user, through="case__")
    own = (
        visible.filter(responsible=user, due_on__lte=horizon)
        .order_by("due_on", "pk")
        .values_list(*ITEM_FIELDS)
    )
    items = _items(own, day)
    if user.team_id and user.has_role(Role.TEAM_MANAGER):
        cutoff = day - datetime.timedelta(days=settings.ESCALATE_OVERDUE_AFTER_DAYS)
        late = (
            visible.filter(case__team_id=user.team_id, due_on__lt=cutoff)
            .exclude(responsible=user)
            .exclude(kind__in=NEVER_LATE)
            .order_by("due_on", "pk")
            .values_list(*ITEM_FIELDS)
        )
        items += _items(late, day, escalated=True)
    return items


def people_with_items(day: datetime.date):
    horizon = day + datetime.timedelta(days=LOOK_AHEAD_DAYS)
    cutoff = day - datetime.timedelta(days=settings.ESCALATE_OVERDUE_AFTER_DAYS)
    own = open_deadlines().filter(due_on__lte=horizon).values("responsible")
    late_teams = (
        open_deadlines().filter(due_on__lt=cutoff).exclude(kind__in=NEVER_LATE).values("case__team")
    )
    managers = User.objects.filter(role_grants__role=Role.TEAM_MANAGER, team__in=late_teams)
    return (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .filter(Q(pk__in=own) | Q(pk__in=managers.values("pk")))
        .order_by("pk")
    )


def _claimable(run_started: datetime.datetime) -> Q:
    """Digests this run may take: not yet tried, failed in an earlier run, or
    claimed by a worker whose lease has run out (it died mid-send)."""
    return (
        Q(status=DigestStatus.PENDING)
        | Q(status=DigestStatus.FAILED, claimed_at__lt=run_started)
        | Q(status=DigestStatus.SENDING, claimed_at__lt=now() - CLAIM_LEASE)
    )


def claim_batch(
    day: datetime.date, run_started: datetime.datetime, size: int = BATCH_SIZE
) -> list[ReminderDigest]:
    """Take up to `size` of the day's digests for this worker, in two queries and
    a third to read back what it won. The UPDATE repeats the claimable test, so
    where the database cannot lock rows (SQLite) a rival's claim still wins once."""
    token = uuid.uuid4()
    candidates = (
        ReminderDigest.objects.filter(for_date=day, attempts__lt=MAX_ATTEMPTS)
        .filter(_claimable(run_started))
        .order_by("pk")
    )
    with transaction.atomic():
        ids = list(
            candidates.select_for_update(skip_locked=True).values_list("pk", flat=True)[:size]
        )
        if not ids:
            return []
        ReminderDigest.objects.filter(pk__in=ids, attempts__lt=MAX_ATTEMPTS).filter(
            _claimable(run_started)
        ).update(
            status=DigestStatus.SENDING,
            claimed_at=now(),
            claim_token=token,
            attempts=F("attempts") + 1,
        )
    won = list(
        ReminderDigest.objects.filter(claim_token=token, status=DigestStatus.SENDING)
        .select_related("user")
        .order_by("pk")
    )
    _read_roles([digest.user for digest in won])
    return won


def _read_roles(users: list[User]) -> None:
    """Fill each person's `roles` (a cached property) in one query for them all."""
    held: dict[int, set] = {user.pk: set() for user in users}
    for user_id, role in RoleGrant.objects.filter(user_id__in=held).values_list("user_id", "role"):
        held[user_id].add(role)
    for user in users:
        user.__dict__["roles"] = frozenset(held[user.pk])


def build_email(user: User, day: datetime.date, items: list[Item]) -> EmailMultiAlternatives:
    overdue = [i for i in items if i.days_overdue and not i.escalated]
    upcoming = [i for i in items if not i.days_overdue and not i.escalated]
    escalated = [i for i in items if i.escalated]
    context = {
        "user": user,
        "day": day,
        "overdue": overdue,
        "upcoming": upcoming,
        "escalated": escalated,
        "tasks_url": settings.SITE_URL + reverse("my_tasks"),
        "service_name": settings.SERVICE_NAME,
    }
    subject = render_to_string("reviews/email/digest_subject.txt", context).strip()
    text = render_to_string("reviews/email/digest.txt", context)
    html = render_to_string("reviews/email/digest.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
    message.attach_alternative(html, "text/html")
    return message


@dataclass
class RunReport:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    # Digests whose every item the person may no longer see: closed, not sent.
    nothing_to_send: int = 0


def _items_for_everyone(people: list[User], day: datetime.date) -> dict[int, list[Item]]:
    """Every person's digest items in three queries, whatever the number of
    people: the same items `digest_items` gives one person."""
    horizon = day + datetime.timedelta(days=LOOK_AHEAD_DAYS)
    cutoff = day - datetime.timedelta(days=settings.ESCALATE_OVERDUE_AFTER_DAYS)
    ids = [user.pk for user in people]
    items: dict[int, list[Item]] = {pk: [] for pk in ids}
    url = _case_url()
    own = (
        open_deadlines()
        .filter(_own_and_visible(people))
        .filter(due_on__lte=horizon)
        .order_by("due_on", "pk")
        .values_list(*ITEM_FIELDS)
    )
    by_person: dict[int, list] = {}
    for row in own:
        by_person.setdefault(row[6], []).append(row)
    for pk, rows in by_person.items():
        items[pk] += _items(rows, day, url=url)
    managers = set(
        RoleGrant.objects.filter(user_id__in=ids, role=Role.TEAM_MANAGER).values_list(
            "user_id", flat=True
        )
    )
    teams = {user.team_id for user in people if user.pk in managers and user.team_id}
    late_by_team: dict[int, list] = {}
    # A team manager's own team is within what she may see (policy.visible_cases_rule
    # grants the user's team), so her team's late items need no further filter.
    late = (
        open_deadlines()
        .filter(case__team_id__in=teams, due_on__lt=cutoff)
        .order_by("due_on", "pk")
        .values_list(*ITEM_FIELDS)
    )
    for row in late:
        late_by_team.setdefault(row[7], []).append(row)
    for user in people:
        if user.pk in managers and user.team_id:
            theirs = [row for row in late_by_team.get(user.team_id, []) if row[6] != user.pk]
            items[user.pk] += _items(theirs, day, escalated=True, url=url)
    return items


def _own_and_visible(people: list[User]) -> Q:
    """Rows each person is responsible for, on a case she may see now: an IRO moved
    off a case, or a social worker moved to another team, is no longer told of it."""
    rule = Q(pk__in=[])
    for user in people:
        visible = policy.visible_cases_rule(user, "case__")
        mine = Q(responsible_id=user.pk)
        rule |= mine if visible is None else mine & visible
    return rule


def send_digests(
    day: datetime.date, *, batch_size: int = BATCH_SIZE, catch_up: bool = False
) -> RunReport:
    """Send every digest due for `day` that has not been sent. Safe to run again,
    and to run in several workers at once: each takes its own batches.

    The digests are created in one query. Each batch then costs a handful of
    queries (its claim, its people's items) and one UPDATE per email, its result.

    With `catch_up`, the run finishes what the day's run left (digests failed,
    never reached, or claimed by a worker that died); if the day's run never
    happened (the broker was down at the time), it does that run now."""
    report = RunReport()
    run_started = now()
    people = []
    if not (catch_up and ReminderDigest.objects.filter(for_date=day).exists()):
        people = list(people_with_items(day).values_list("pk", flat=True))
        ReminderDigest.objects.bulk_create(
            [ReminderDigest(user_id=pk, for_date=day) for pk in people],
            ignore_conflicts=True,
            batch_size=2000,
        )
    connection = get_connection()  # one connection to the mail server for the run
    connection.open()
    try:
        while batch := claim_batch(day, run_started, batch_size):
            _send_batch(batch, day, connection, report)
    finally:
        connection.close()
    report.skipped = max(0, len(people) - report.sent - report.failed - report.nothing_to_send)
    log.info(
        "Reminders for %s: %s sent, %s skipped, %s failed",
        day,
        report.sent,
        report.skipped,
        report.failed,
    )
    return report


def _send_batch(batch: list[ReminderDigest], day, connection, report: RunReport) -> None:
    items_by_person = _items_for_everyone([digest.user for digest in batch], day)
    for digest in batch:
        items = items_by_person[digest.user_id]
        if not items:
            ReminderDigest.objects.filter(pk=digest.pk).update(
                status=DigestStatus.NOTHING_TO_SEND, sent_at=None, items=0
            )
            report.nothing_to_send += 1
            continue
        try:
            connection.send_messages([build_email(digest.user, day, items)])
        except Exception as error:  # noqa: BLE001 - one failure must not stop the run
            log.exception("Reminder digest for user %s on %s failed", digest.user_id, day)
            # The server may have dropped the session: start a fresh one.
            connection.close()
            connection.open()
            ReminderDigest.objects.filter(pk=digest.pk).update(
                status=DigestStatus.FAILED, last_error=str(error)[:500]
            )
            report.failed += 1
            continue
        ReminderDigest.objects.filter(pk=digest.pk).update(
            status=DigestStatus.SENT, sent_at=now(), items=len(items)
        )
        report.sent += 1
