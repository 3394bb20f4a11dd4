"""Every deadline is a row: `refresh(case)` derives a case's deadlines from its
records and brings the Deadline rows into line, keyed so that it updates rather
than duplicates. Due dates depend on the records, not on today, so a refresh is
needed when a record changes: the services that write them call
cases.changes.case_changed, and `refresh_case` listens (registered in
ReviewsConfig.ready). The nightly `sweep` puts right whatever a failed or missed
refresh left. A deadline whose role is not allocated falls to the team manager.
"""

import datetime
import logging
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from cases.models import (
    LegalStatusCode,
    ParentalIssue,
    PlacementType,
    ReunificationCase,
    Role,
    Stage,
    User,
)
from cases.selectors import (
    allocation_mismatches,
    current_legal_status,
    current_period,
    is_on_care_order,
    placed_with_parents_since,
)
from planning.matching import SERVICE_FOR_ISSUE, match_issues
from reunification.clock import today
from reviews.aftercare.selectors import reviews_missing_reunification
from reviews.deadlines import rules
from reviews.deadlines.after_return import after_return_rows, services_changed_at
from reviews.deadlines.working_days import add_working_days
from reviews.journey.selectors import closure_mismatches, stage_mismatches
from reviews.models import (
    Deadline,
    DeadlineKind,
    ReturnHome,
    ReviewType,
)
from reviews.supervision.deadlines import supervision_rows
from risk.models import AssessmentStatus
from risk.selectors import risk_summary

log = logging.getLogger(__name__)

SIGN_OFF_WORKING_DAYS = 5
# Long-term foster placements (SSDA903 U1, U4) are meant to last until 18.
LONG_TERM_PLACEMENTS = {PlacementType.U1, PlacementType.U4}
LOOKED_AFTER_STAGES = (
    Stage.IDENTIFICATION,
    Stage.ASSESSMENT,
    Stage.SUPPORT_PLANNING,
    Stage.CONFIRMATION,
    Stage.NOT_PURSUED,
)


@dataclass(frozen=True)
class Due:
    kind: str
    key: str
    what: str
    due_on: datetime.date
    responsible_id: int | None
    done_on: datetime.date | None = None


def looked_after_episode(case) -> tuple[datetime.date, list[int]]:
    """The start of the child's present looked-after episode and the cases it
    spans. A child who went home on a care order and came back (or whose earlier
    case closed while she stayed in care) was looked after throughout: her
    earlier case belongs to the same episode when it did not end it and this
    period of care began by the day it closed."""
    start, case_ids = case.became_looked_after_on, [case.pk]
    later, earlier = case, case.previous_case
    while earlier is not None and earlier.closed_on is not None:
        try:
            ended_episode = not earlier.return_home.care_order_remains
        except ReturnHome.DoesNotExist:
            ended_episode = False
        if ended_episode or later.became_looked_after_on > earlier.closed_on:
            break
        start = min(start, earlier.became_looked_after_on)
        case_ids.append(earlier.pk)
        later, earlier = earlier, earlier.previous_case
    return start, case_ids


def _review_rows(case, returned, reviews, looked_after_on: datetime.date) -> list[Due]:
    """`reviews` are the Child in Care reviews of the looked-after episode (on this
    case and earlier ones) while the child is looked after, otherwise this case's
    Child in Need or Pathway Plan reviews. Rows are kept for this case's reviews
    and the next one due."""
    remains = returned is not None and returned.care_order_remains
    before = []
    if returned is None:
        since = [r for r in reviews if r.held_on >= looked_after_on]
    else:
        since = [r for r in reviews if r.held_on >= returned.returned_on]
    if remains:
        # Still looked after: the episode's reviews before the return count too.
        before = [r for r in reviews if looked_after_on <= r.held_on < returned.returned_on]
    rows = []
    for index in range(len(since) + 1):
        if index < len(since) and since[index].case_id != case.pk:
            continue
        earlier = before + since[:index]
        asked = earlier[-1].next_review_requested_by if earlier else None
        held_on = [r.held_on for r in earlier]
        if returned is None:
            kind, key = DeadlineKind.CIC_REVIEW, f"cic-{index + 1}"
            due = rules.cic_review_due(looked_after_on, held_on, asked)
            what = "Child in Care review" if index else "First Child in Care review"
            responsible = case.iro_id
        else:
            kind, key = DeadlineKind.REVIEW_AFTER_RETURN, f"after-{index + 1}"
            if remains:
                due = rules.review_at_home_on_care_order_due(
                    looked_after_on, held_on, returned.returned_on, asked
                )
            else:
                due = rules.review_after_return_due(
                    returned.returned_on,
                    held_on,
                    cin_interval_months=settings.CIN_REVIEW_INTERVAL_MONTHS,
                    iro_asked_by=asked,
                )
            what = _after_return_review(index, remains)
            responsible = case.iro_id if remains else case.social_worker_id
        done = since[index].held_on if index < len(since) else None
        rows.append(Due(kind, key, what, due, responsible, done))
    return rows


def _after_return_review(index: int, care_order_remains: bool) -> str:
    if index == 0:
        if care_order_remains:
            return "First review after the return (Child in Care, chaired by the IRO)"
        return "First review after the return (Child in Need, IRO invited)"
    return "Child in Care review" if care_order_remains else "Child in Need review"


def _at_home_since(child, placement, returned, day: datetime.date) -> datetime.date | None:
    """Since when the child has been living with a parent: placed with parents
    (P1), or home after the return with no placement since."""
    since = placed_with_parents_since(child, day)
    if since is not None:
        return since
    if placement is None and returned is not None and returned.returned_on <= day:
        return returned.returned_on
    return None


def _visit_rows(case, day, reviews, visits, returned) -> list[Due]:
    """Reg 28 visits for the current placement; from a care order made while the
    child lives with a parent, the order's own schedule (reg 28(5), or 28(4) for
    an interim order) takes over from the placement's."""
    child = case.child
    placement = current_period(child.placements.all(), day)
    if placement is not None and placement.end_date is not None:
        placement = None
    home_since = _at_home_since(child, placement, returned, day)
    orders = []
    if home_since is not None and is_on_care_order(child, day):
        orders = sorted(
            (
                s
                for s in child.legal_statuses.all()
                if s.is_care_order and home_since < s.start_date <= day
            ),
            key=lambda s: (s.start_date, s.pk),
        )
    held = sorted(v.visited_on for v in visits)
    rows, pending = [], None
    if placement is not None:
        until = orders[0].start_date if orders else None
        rows, pending = _placement_visit_rows(case, placement, held, reviews, day, until)
    for index, order in enumerate(orders):
        until = orders[index + 1].start_date if index + 1 < len(orders) else None
        order_rows, pending = _order_visit_rows(case, order, held, reviews, day, until, pending)
        rows += order_rows
    return rows


def _placement_visit_rows(case, placement, held, reviews, day, until):
    """The placement's visits before `until` (a care order made at home), done,
    and the next one due; with `until`, that one is handed on, not a row."""
    rule_day = day if until is None else until - datetime.timedelta(days=1)
    status = current_legal_status(case.child, rule_day)
    interim_with_parent = (
        placement.placement_type == PlacementType.P1
        and status is not None
        and status.code == LegalStatusCode.C1
    )
    rule = rules.VisitRule(
        placed_with_parent_on_interim_order=interim_with_parent,
        intended_to_last_to_18=placement.placement_type in LONG_TERM_PLACEMENTS,
    )
    held = [d for d in held if d >= placement.start_date and (until is None or d < until)]
    rows = []
    for index in range(len(held) + 1):
        earlier = held[:index]
        reviewed = any(placement.start_date <= r.held_on <= (earlier or [day])[-1] for r in reviews)
        due = rules.visit_due(placement.start_date, earlier, rule, first_review_held=reviewed)
        if index == len(held) and until is not None:
            return rows, due
        done = held[index] if index < len(held) else None
        rows.append(
            Due(
                DeadlineKind.VISIT,
                f"visit-{placement.pk}-{index + 1}",
                "Social worker visit",
                due,
                case.social_worker_id,
                done,
            )
        )
    return rows, None


def _order_visit_rows(case, order, held, reviews, day, until, already_due):
    """Visits from a care order made at home (until the next such order), done,
    and the next one due (handed on when a later order takes over)."""
    made_on = order.start_date
    interim = order.code == LegalStatusCode.C1
    held = [d for d in held if d >= made_on and (until is None or d < until)]
    rows = []
    for index in range(len(held) + 1):
        earlier = held[:index]
        reviewed = any(made_on <= r.held_on <= (earlier or [day])[-1] for r in reviews)
        due = rules.visit_after_care_order_made_at_home_due(
            made_on,
            earlier,
            interim_order=interim,
            first_review_held=reviewed,
            already_due=already_due,
        )
        if index == len(held) and until is not None:
            return rows, due
        if index == 0:
            order_name = "interim care order" if interim else "care order"
            what = f"First visit after the {order_name} made at home on {made_on:%-d %B %Y}"
        else:
            what = "Social worker visit (care order made at home)"
        done = held[index] if index < len(held) else None
        rows.append(
            Due(
                DeadlineKind.VISIT_AFTER_CARE_ORDER_AT_HOME,
                f"order-{order.pk}-{index + 1}",
                what,
                due,
                case.social_worker_id,
                done,
            )
        )
    return rows, None


def _risk_rows(case, day: datetime.date) -> list[Due]:
    """The step rules' dates as rows. Escalation (reconsider for Severe, move to
    Severe now) and a High or Severe level for a child at home are also the team
    manager's: a row each for the social worker and the manager (`None` there
    falls to the team manager too). "Now" is the day the level was signed off
    (or the child went home, if later)."""
    summary = risk_summary(case, day)
    dates = summary.dates
    sw, tm = case.social_worker_id, case.team_manager_id
    rows = []
    if dates.reassess_by:
        rows.append(
            Due(
                DeadlineKind.RISK_REASSESS,
                f"reassess-{dates.reassess_by}",
                "Reassess the High risk level",
                dates.reassess_by,
                sw,
            )
        )
    if dates.reconsider_severe_by:
        for suffix, person in (("", sw), ("-tm", tm)):
            rows.append(
                Due(
                    DeadlineKind.RISK_RECONSIDER_SEVERE,
                    f"severe-{dates.reconsider_severe_by}{suffix}",
                    "High risk without progress: reconsider for Severe",
                    dates.reconsider_severe_by,
                    person,
                )
            )
    latest = summary.history[-1] if summary.history else None
    arose_on = timezone.localdate(latest.decided_at) if latest else None
    if dates.move_to_severe_now:
        for suffix, person in (("", sw), ("-tm", tm)):
            rows.append(
                Due(
                    DeadlineKind.RISK_SEVERE_NOW,
                    f"severe-now-{latest.pk}{suffix}",
                    "High risk with no protective factors: move to Severe now",
                    arose_on,
                    person,
                )
            )
    if summary.needs_decision_about_care:
        home_since = summary.situation.at_home_since
        rows.append(
            Due(
                DeadlineKind.RISK_AT_HOME,
                f"at-home-{latest.pk}",
                f"{dates.level.label} risk with the child at home: decide whether the child "
                "comes back into care",
                max(arose_on, home_since),
                tm,
            )
        )
    if dates.step_down_from and dates.step_down_to:
        rows.append(
            Due(
                DeadlineKind.RISK_STEP_DOWN,
                f"step-{dates.step_down_from}",
                f"Risk may step down to {dates.step_down_to.label}: reassess",
                dates.step_down_from,
                sw,
            )
        )
    if dates.closure_from and case.stage == Stage.RETURN_HOME:
        rows.append(
            Due(
                DeadlineKind.RISK_CLOSURE,
                f"closure-{dates.closure_from}",
                "Low risk held: consider closing the case",
                dates.closure_from,
                sw,
            )
        )
    return rows


# Days the IRO has to add the reunification record to a Child in Care review.
REUNIFICATION_RECORD_WORKING_DAYS = 5


def _reunification_rows(case) -> list[Due]:
    """Reunification is not lost from view: after "not pursued", the date it will
    be reconsidered (for the team manager and the social worker); and each Child
    in Care review of a child in care that does not yet record it (for the IRO)."""
    rows = []
    if case.stage == Stage.NOT_PURSUED:
        decision = max(
            case.not_pursued_decisions.all(), key=lambda d: (d.decided_on, d.pk), default=None
        )
        if decision is not None and decision.reconsider_on:
            what = "Reconsider reunification (not pursued)"
            people = [("tm", case.team_manager_id)]
            if case.social_worker_id and case.social_worker_id != case.team_manager_id:
                people.append(("sw", case.social_worker_id))
            for who, person in people:
                rows.append(
                    Due(
                        DeadlineKind.RECONSIDER_REUNIFICATION,
                        f"reconsider-{decision.pk}-{who}",
                        what,
                        decision.reconsider_on,
                        person,
                    )
                )
    for review in reviews_missing_reunification(case):
        rows.append(
            Due(
                DeadlineKind.REVIEW_REUNIFICATION,
                f"review-reunification-{review.pk}",
                f"Record whether reunification was considered at the review of "
                f"{review.held_on:%-d %B %Y}",
                add_working_days(review.held_on, REUNIFICATION_RECORD_WORKING_DAYS),
                case.iro_id,
            )
        )
    return rows


def _service_gap_rows(case, day: datetime.date) -> list[Due]:
    """Each parental issue with no specialist service of its kind and no reason
    recorded why not (planning.matching), for the social worker, until it is
    matched; due by rules.service_gap_due from when the issue was recorded."""
    services = list(case.support_services.all())
    specialist = set(SERVICE_FOR_ISSUE.values())
    matches = match_issues(
        list(case.parental_issues.all()),
        [s for s in services if s.kind in specialist],
        list(case.no_specialist_services.all()),
        day,
    )
    gaps = [match for match in matches if match.gap]
    if not gaps:
        return []
    recorded = _issues_recorded(case, [m.issue.pk for m in gaps])
    ended = {}
    for service in (s for s in services if s.ends_on is not None and s.ends_on < day):
        ended[service.kind] = max(ended.get(service.kind, service.ends_on), service.ends_on)
    rows = []
    for match in gaps:
        issue = match.issue
        when = recorded.get(issue.pk)
        recorded_on = timezone.localdate(when) if when else case.opened_on
        rows.append(
            Due(
                DeadlineKind.SERVICE_GAP,
                f"issue-{issue.pk}",
                f"{issue.get_kind_display()}: record the {match.service_kind_label} or why "
                "there is none",
                rules.service_gap_due(recorded_on, ended.get(SERVICE_FOR_ISSUE[issue.kind])),
                case.social_worker_id,
            )
        )
    return rows


def _planning_rows(case) -> list[Due]:
    """Plans that are tracked: the planning meeting within the local number of
    working days of a positive viability consultation (for the team manager, who
    leads it); each written-agreement goal reviewed by its date, with its progress
    (for the social worker); the further work a viability meeting decided, by its
    date (for both)."""
    from planning.models import GoalOutcome
    from reviews.models import ConsultationOutcome, MeetingOutcome

    rows = []
    consultation = max(
        (
            c
            for c in case.viability_consultations.all()
            if c.outcome == ConsultationOutcome.POTENTIALLY_SUITED
        ),
        key=lambda c: (c.held_on, c.pk),
        default=None,
    )
    if consultation is not None:
        held = min(
            (m.held_on for m in case.planning_meetings.all() if m.held_on >= consultation.held_on),
            default=None,
        )
        rows.append(
            Due(
                DeadlineKind.PLANNING_MEETING,
                f"after-consultation-{consultation.pk}",
                "Hold the Reunification Planning Meeting",
                rules.planning_meeting_due(
                    consultation.held_on, settings.PLANNING_MEETING_WORKING_DAYS
                ),
                case.team_manager_id,
                held,
            )
        )
    goals = [goal for agreement in case.written_agreements.all() for goal in agreement.goals.all()]
    for goal in goals:
        reviews = [(r.reviewed_on, r.outcome) for r in goal.reviews.all()]
        latest = goal.reviews.all()[0] if reviews else None  # newest first
        progress = (
            f"latest review {GoalOutcome(latest.outcome).label.lower()}"
            if latest
            else "not reviewed yet"
        )
        rows.append(
            Due(
                DeadlineKind.GOAL_REVIEW,
                f"goal-{goal.pk}",
                f"Review the goal ({progress}): {goal.goal[:120]}",
                goal.due_on,
                case.social_worker_id,
                rules.goal_review_done(goal.due_on, reviews),
            )
        )
    meetings = _by_date(case.viability_meetings.all())
    for index, meeting in enumerate(meetings):
        if meeting.outcome != MeetingOutcome.FURTHER_WORK or not meeting.further_work_by:
            continue
        later = [m.held_on for m in meetings[index + 1 :] if m.held_on >= meeting.held_on]
        people = [("tm", case.team_manager_id)]
        if case.social_worker_id and case.social_worker_id != case.team_manager_id:
            people.append(("sw", case.social_worker_id))
        for who, person in people:
            rows.append(
                Due(
                    DeadlineKind.FURTHER_WORK,
                    f"meeting-{meeting.pk}-{who}",
                    f"Further work: {meeting.further_work[:150]}",
                    meeting.further_work_by,
                    person,
                    later[0] if later else None,
                )
            )
    return rows


def _by_date(records) -> list:
    return sorted(records, key=lambda r: (r.held_on, r.pk))


def _episode_reviews(case, episode_cases: list[int], looked_after_on: datetime.date) -> list:
    """The Child in Care reviews of the looked-after episode's cases (this case
    and the earlier ones `looked_after_episode` walked back to), oldest first."""
    chain, earlier = [], case
    for _ in episode_cases:
        chain.append(earlier)
        earlier = earlier.previous_case
    return _by_date(
        r
        for c in chain
        for r in c.reviews.all()
        if r.review_type == ReviewType.CHILD_IN_CARE and r.held_on >= looked_after_on
    )


def _recommendations(case) -> list:
    return [rec for review in case.reviews.all() for rec in review.recommendations.all()]


def _submitted_assessments(case) -> list:
    return [a for a in case.risk_assessments.all() if a.status == AssessmentStatus.SUBMITTED]


def _team_managers(case) -> list[int]:
    """The active team managers of the case's team, by id (the sweep loads them
    for a batch of cases at once)."""
    loaded = getattr(case, "_team_managers", None)
    if loaded is not None:
        return loaded
    return list(
        User.objects.filter(
            team_id=case.team_id, role_grants__role=Role.TEAM_MANAGER, is_active=True
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _issues_recorded(case, issue_ids: list[int]) -> dict:
    """When each parental issue was recorded (its first history row), by id."""
    loaded = getattr(case, "_issues_recorded", None)
    if loaded is None:
        loaded = _recorded_on(issue_ids)
    return {pk: loaded[pk] for pk in issue_ids if pk in loaded}


def _recorded_on(issue_ids) -> dict:
    return dict(
        ParentalIssue.history.filter(id__in=issue_ids, history_type="+").values_list(
            "id", "history_date"
        )
    )


def derive(case: ReunificationCase, day: datetime.date) -> list[Due]:
    """The deadlines the case's records give, done or not."""
    if case.stage == Stage.CLOSED:
        return []
    try:
        returned = case.return_home
    except ReturnHome.DoesNotExist:
        returned = None
    looked_after_on, episode_cases = looked_after_episode(case)
    # Looked after: only statutory Child in Care reviews count, those of the
    # whole looked-after episode.
    cic_reviews = _episode_reviews(case, episode_cases, looked_after_on)
    looked_after = returned is None or returned.care_order_remains
    if looked_after:
        reviews = cic_reviews
    else:
        reviews = _by_date(
            [r for r in case.reviews.all() if r.review_type != ReviewType.CHILD_IN_CARE]
        )
    visits = list(case.visits.all())
    rows = _review_rows(case, returned, reviews, looked_after_on)
    # A care order made after a return that ended the episode makes her looked
    # after again, living at home: the order's visits are due.
    if looked_after or is_on_care_order(case.child, day):
        rows += _visit_rows(case, day, cic_reviews, visits, returned)
    rows += _risk_rows(case, day)
    for recommendation in _recommendations(case):
        rows.append(
            Due(
                DeadlineKind.RECOMMENDATION,
                f"rec-{recommendation.pk}",
                f"IRO recommendation: {recommendation.text[:120]}",
                recommendation.due_on,
                recommendation.owner_id,
                recommendation.done_on,
            )
        )
    rows += _reunification_rows(case)
    rows += _service_gap_rows(case, day)
    rows += _planning_rows(case)
    rows += after_return_rows(case, day)
    rows += supervision_rows(case, day)
    managers = _team_managers(case)
    for assessment in _submitted_assessments(case):
        submitted = timezone.localdate(assessment.submitted_at)
        rows.append(
            Due(
                DeadlineKind.SIGN_OFF,
                f"signoff-{assessment.pk}",
                "Sign off the risk assessment",
                add_working_days(submitted, SIGN_OFF_WORKING_DAYS),
                _sign_off_manager(case, assessment, managers),
            )
        )
    # No one allocated to the role (no IRO yet, no social worker): the team manager.
    fallback = case.team_manager_id or next(iter(managers), None)
    return [row if row.responsible_id else replace(row, responsible_id=fallback) for row in rows]


def _sign_off_manager(case, assessment, managers: list[int]) -> int | None:
    """The allocated team manager, unless she wrote or submitted it; then another
    manager of the team, if there is one."""
    excluded = {assessment.author_id, assessment.submitted_by_id}
    if case.team_manager_id and case.team_manager_id not in excluded:
        return case.team_manager_id
    return next((pk for pk in managers if pk not in excluded), None)


# What derive() reads, for a batch of cases in a fixed number of queries. A
# record derive() reads some other way is read case by case, as before.
CASE_RECORDS = (
    "child__placements",
    "child__legal_statuses",
    "reviews__recommendations",
    "previous_case__reviews",
    "visits",
    "risk_assessments",
    "not_pursued_decisions",
    "parental_issues",
    "support_services",
    "no_specialist_services",
    "viability_consultations",
    "planning_meetings",
    "viability_meetings",
    "written_agreements__goals__reviews",
    "deadlines",
    "child__missing_episodes",
    "supervisions__actions",
    "concerns_after_return",
    "home_assessments",
    "family_members__police_checks",
)
DEADLINE_FIELDS = ("what", "due_on", "responsible_id", "done_on")


def load_cases(ids, *, lock: bool = False) -> list[ReunificationCase]:
    """The cases with the records derive() reads, in pk order; with `lock`, the
    case rows are locked (select_for_update) until the transaction ends."""
    cases = ReunificationCase.objects.filter(pk__in=list(ids)).order_by("pk")
    if lock:
        cases = cases.select_for_update(of=("self",))
    cases = list(
        cases.select_related(
            "child", "return_home", "previous_case__return_home", "step_down_plan"
        ).prefetch_related(*CASE_RECORDS)
    )
    managers = {}
    for team_id, pk in (
        User.objects.filter(
            team_id__in={c.team_id for c in cases},
            role_grants__role=Role.TEAM_MANAGER,
            is_active=True,
        )
        .order_by("pk")
        .values_list("team_id", "pk")
    ):
        managers.setdefault(team_id, []).append(pk)
    recorded = _recorded_on([i.pk for c in cases for i in c.parental_issues.all()])
    changed_at = services_changed_at([s.pk for c in cases for s in c.support_services.all()])
    for case in cases:
        case._services_changed_at = changed_at
        case._team_managers = managers.get(case.team_id, [])
        case._issues_recorded = recorded
    return cases


def _changes(case, wanted: list[Due]) -> tuple[list, list, list]:
    """The Deadline rows to create, to update and to delete (by id) to bring the
    case's rows (`case.deadlines.all()`) into line with `wanted`. A row that is no
    longer wanted is kept once done."""
    wanted = {(d.kind, d.key): d for d in wanted}
    existing = {(d.kind, d.key): d for d in case.deadlines.all()}
    deleted = [
        row.pk
        for identity, row in existing.items()
        if identity not in wanted and row.done_on is None
    ]
    created, updated = [], []
    for identity, due in wanted.items():
        fields = {name: getattr(due, name) for name in DEADLINE_FIELDS}
        row = existing.get(identity)
        if row is None:
            created.append(Deadline(case_id=case.pk, kind=due.kind, key=due.key, **fields))
        elif any(getattr(row, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(row, name, value)
            updated.append(row)
    return created, updated, deleted


def _write(created: list, updated: list, deleted: list) -> int:
    if deleted:
        Deadline.objects.filter(pk__in=deleted).delete()
    if created:
        Deadline.objects.bulk_create(created, batch_size=1000)
    if updated:
        Deadline.objects.bulk_update(updated, DEADLINE_FIELDS, batch_size=1000)
    return len(created) + len(updated) + len(deleted)


@transaction.atomic
def refresh(case: ReunificationCase, day: datetime.date | None = None) -> int:
    """Bring the case's Deadline rows into line with its records. Returns how
    many rows it created, changed or removed (0 when they were already right)."""
    # Locked, so two refreshes of one case after concurrent saves take turns.
    loaded = load_cases([case.pk], lock=True)
    if not loaded:
        raise ReunificationCase.DoesNotExist(f"No case {case.pk}")
    case = loaded[0]
    return _write(*_changes(case, derive(case, day or today())))


@transaction.atomic
def refresh_batch(ids: list[int], day: datetime.date | None = None) -> tuple[int, int]:
    """`refresh` for a batch of cases at once: their records read and their rows
    written in a fixed number of queries whatever the batch's size. Returns the
    rows changed and the cases that failed (logged with their ids, and left as
    they were). A database error undoes the whole batch and is raised."""
    day = day or today()
    created, updated, deleted, failed = [], [], [], 0
    for case in load_cases(ids, lock=True):
        try:
            rows = derive(case, day)
        except DatabaseError:
            raise
        except Exception:
            log.exception("Refreshing the deadlines of case %s failed", case.pk)
            failed += 1
            continue
        for into, found in zip((created, updated, deleted), _changes(case, rows), strict=True):
            into += found
    return _write(created, updated, deleted), failed


def refresh_case(case_id: int) -> None:
    """The cases.changes listener: refresh the case if it still exists."""
    if ReunificationCase.objects.filter(pk=case_id).exists():
        refresh(ReunificationCase(pk=case_id))


@dataclass
class SweepReport:
    cases: int = 0
    changed: int = 0
    failed: int = 0
    # Ids of cases whose stored copies disagree with the records they come from
    # (stage, closed_on, role holders): logged as errors for someone to put right.
    out_of_line: dict[str, list[int]] = field(default_factory=dict)


def out_of_line_cases() -> dict[str, list[int]]:
    """Each check of derived state against its records, with the ids it finds."""
    checks = {
        "stage": stage_mismatches(),
        "closure": closure_mismatches(),
        "allocation": allocation_mismatches(),
    }
    found = {
        name: list(qs.order_by("pk").values_list("pk", flat=True)) for name, qs in checks.items()
    }
    return {name: ids for name, ids in found.items() if ids}


def sweep(batch_size: int = 500, day: datetime.date | None = None) -> SweepReport:
    """Re-derive the deadlines of every case that is not closed, a batch of ids at
    a time, each batch in one transaction (`refresh_batch`). Idempotent: a second
    run changes nothing. A case that fails is logged with its id and the sweep
    goes on; a batch that fails is refreshed again a case at a time."""
    report = SweepReport()
    ids = ReunificationCase.objects.exclude(stage=Stage.CLOSED).order_by("pk")
    last = 0
    while batch := list(ids.filter(pk__gt=last).values_list("pk", flat=True)[:batch_size]):
        report.cases += len(batch)
        try:
            changed, failed = refresh_batch(batch, day)
            report.changed += changed
            report.failed += failed
        except Exception:
            # Something the batch could not survive: each case on its own.
            log.exception("Refreshing the deadlines of cases %s to %s failed", batch[0], batch[-1])
            for case_id in batch:
                try:
                    report.changed += refresh(ReunificationCase(pk=case_id), day)
                except Exception:
                    log.exception("Refreshing the deadlines of case %s failed", case_id)
                    report.failed += 1
        last = batch[-1]
    report.out_of_line = out_of_line_cases()
    for check, ids in report.out_of_line.items():
        log.error("Cases whose %s is out of line with their records: %s", check, ids)
    log.info(
        "Deadline sweep: %s cases, %s rows changed, %s failed",
        report.cases,
        report.changed,
        report.failed,
    )
    return report
