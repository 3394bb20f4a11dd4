"""The nightly reminder digests: one email per person per day, listing what is
overdue and what is due in the next seven days.

Each send is claimed first with a conditional UPDATE, so a rerun, a retry or a
second worker finds the digest claimed or sent and leaves it. A claim that was
never finished (the worker died mid-send) lapses after CLAIM_LEASE and can be
taken again, so no digest is skipped either.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse

from cases.models import Role, RoleGrant, Stage, User
from reunification.clock import now

from .models import Deadline, DeadlineKind, DigestStatus, ReminderDigest

log = logging.getLogger(__name__)

LOOK_AHEAD_DAYS = 7
CLAIM_LEASE = datetime.timedelta(minutes=15)
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Item:
    case_reference: str
    initials: str
    what: str
    due_on: datetime.date
    days_overdue: int
    url: str
    escalated: bool = False


def _initials(first: str, last: str) -> str:
    return f"{first[:1]}.{last[:1]}.".upper()


def _items(deadlines, day: datetime.date, *, escalated: bool = False) -> list[Item]:
    return [
        Item(
            case_reference=f"Case {d.case_id}",
            initials=_initials(d.case.child.first_name, d.case.child.last_name),
            # Free text (a recommendation's wording) may name people: emails carry
            # only the kind of task; the full wording is on the signed-in pages.
            what=d.get_kind_display() if d.kind == DeadlineKind.RECOMMENDATION else d.what,
            due_on=d.due_on,
            days_overdue=max(0, (day - d.due_on).days),
            url=settings.SITE_URL + reverse("cases:overview", args=[d.case_id]),
            escalated=escalated,
        )
        for d in deadlines
    ]


def open_deadlines():
    return Deadline.objects.filter(done_on__isnull=True).exclude(case__stage=Stage.CLOSED)


def digest_items(user: User, day: datetime.date) -> list[Item]:
    """The person's own overdue items and those due within a week, then (for a
    team manager) their team's items overdue by more than the set number of days."""
    horizon = day + datetime.timedelta(days=LOOK_AHEAD_DAYS)
    own = (
        open_deadlines()
        .filter(responsible=user, due_on__lte=horizon)
        .select_related("case__child")
        .order_by("due_on", "pk")
    )
    items = _items(own, day)
    if user.team_id and user.has_role(Role.TEAM_MANAGER):
        cutoff = day - datetime.timedelta(days=settings.ESCALATE_OVERDUE_AFTER_DAYS)
        late = (
            open_deadlines()
            .filter(case__team_id=user.team_id, due_on__lt=cutoff)
            .exclude(responsible=user)
            .select_related("case__child")
            .order_by("due_on", "pk")
        )
        items += _items(late, day, escalated=True)
    return items


def people_with_items(day: datetime.date):
    horizon = day + datetime.timedelta(days=LOOK_AHEAD_DAYS)
    cutoff = day - datetime.timedelta(days=settings.ESCALATE_OVERDUE_AFTER_DAYS)
    own = open_deadlines().filter(due_on__lte=horizon).values("responsible")
    late_teams = open_deadlines().filter(due_on__lt=cutoff).values("case__team")
    managers = User.objects.filter(role_grants__role=Role.TEAM_MANAGER, team__in=late_teams)
    return (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .filter(Q(pk__in=own) | Q(pk__in=managers.values("pk")))
        .order_by("pk")
    )


def claim(digest: ReminderDigest) -> bool:
    """Take the digest for sending; True only for the one caller that wins."""
    stale = now() - CLAIM_LEASE
    claimable = Q(status__in=[DigestStatus.PENDING, DigestStatus.FAILED]) | Q(
        status=DigestStatus.SENDING, claimed_at__lt=stale
    )
    won = (
        ReminderDigest.objects.filter(pk=digest.pk, attempts__lt=MAX_ATTEMPTS)
        .filter(claimable)
        .update(status=DigestStatus.SENDING, claimed_at=now(), attempts=F("attempts") + 1)
    )
    return won == 1


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


def _items_for_everyone(people: list[User], day: datetime.date) -> dict[int, list[Item]]:
    """Every person's digest items in two queries, whatever the number of people:
    the same items `digest_items` gives one person."""
    horizon = day + datetime.timedelta(days=LOOK_AHEAD_DAYS)
    cutoff = day - datetime.timedelta(days=settings.ESCALATE_OVERDUE_AFTER_DAYS)
    ids = [user.pk for user in people]
    items: dict[int, list[Item]] = {pk: [] for pk in ids}
    own = (
        open_deadlines()
        .filter(responsible_id__in=ids, due_on__lte=horizon)
        .select_related("case__child")
        .order_by("due_on", "pk")
    )
    for deadline in own:
        items[deadline.responsible_id] += _items([deadline], day)
    managers = set(
        RoleGrant.objects.filter(user_id__in=ids, role=Role.TEAM_MANAGER).values_list(
            "user_id", flat=True
        )
    )
    teams = {user.team_id for user in people if user.pk in managers and user.team_id}
    late_by_team: dict[int, list] = {}
    late = (
        open_deadlines()
        .filter(case__team_id__in=teams, due_on__lt=cutoff)
        .select_related("case__child")
        .order_by("due_on", "pk")
    )
    for deadline in late:
        late_by_team.setdefault(deadline.case.team_id, []).append(deadline)
    for user in people:
        if user.pk in managers and user.team_id:
            theirs = [d for d in late_by_team.get(user.team_id, []) if d.responsible_id != user.pk]
            items[user.pk] += _items(theirs, day, escalated=True)
    return items


def send_digests(day: datetime.date) -> RunReport:
    """Send every digest due for `day` that has not been sent. Safe to run again.

    The digests are created in one query and the items gathered in a few; then
    each send costs two queries, its claim and its result."""
    report = RunReport()
    people = list(people_with_items(day))
    ReminderDigest.objects.bulk_create(
        [ReminderDigest(user=user, for_date=day) for user in people], ignore_conflicts=True
    )
    digests = {
        digest.user_id: digest
        for digest in ReminderDigest.objects.filter(for_date=day, user__in=people)
    }
    items_by_person = _items_for_everyone(people, day)
    for user in people:
        digest = digests[user.pk]
        if not claim(digest):
            report.skipped += 1
            continue
        items = items_by_person[user.pk]
        try:
            if items:
                build_email(user, day, items).send()
        except Exception as error:  # noqa: BLE001 - one failure must not stop the run
            log.exception("Reminder digest for user %s on %s failed", user.pk, day)
            ReminderDigest.objects.filter(pk=digest.pk).update(
                status=DigestStatus.FAILED, last_error=str(error)[:500]
            )
            report.failed += 1
            continue
        ReminderDigest.objects.filter(pk=digest.pk).update(
            status=DigestStatus.SENT, sent_at=now(), items=len(items)
        )
        report.sent += 1
    log.info(
        "Reminders for %s: %s sent, %s skipped, %s failed",
        day,
        report.sent,
        report.skipped,
        report.failed,
    )
    return report
