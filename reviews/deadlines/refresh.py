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
from django.db import transaction
from django.utils import timezone

from cases.models import LegalStatusCode, PlacementType, ReunificationCase, Role, Stage, User
from cases.selectors import allocation_mismatches, current_legal_status, current_period
from reunification.clock import today
from reviews.deadlines import rules
from reviews.deadlines.working_days import add_working_days
from reviews.journey.selectors import closure_mismatches, stage_mismatches
from reviews.models import Deadline, DeadlineKind, Recommendation, ReturnHome, ReviewType
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


def _review_rows(case, returned, reviews) -> list[Due]:
    rows = []
    if returned is None:
        held = [r for r in reviews if r.held_on >= case.became_looked_after_on]
        for index in range(len(held) + 1):
            earlier = held[:index]
            asked = earlier[-1].next_review_requested_by if earlier else None
            due = rules.cic_review_due(
                case.became_looked_after_on, [r.held_on for r in earlier], asked
            )
            done = held[index].held_on if index < len(held) else None
            rows.append(
                Due(
                    DeadlineKind.CIC_REVIEW,
                    f"cic-{index + 1}",
                    "Child in Care review" if index else "First Child in Care review",
                    due,
                    case.iro_id,
                    done,
                )
            )
        return rows
    held = [r for r in reviews if r.held_on >= returned.returned_on]
    remains = returned.care_order_remains
    for index in range(len(held) + 1):
        earlier = held[:index]
        asked = earlier[-1].next_review_requested_by if earlier else None
        due = rules.review_after_return_due(
            returned.returned_on,
            [r.held_on for r in earlier],
            care_order_remains=remains,
            cin_interval_months=settings.CIN_REVIEW_INTERVAL_MONTHS,
            iro_asked_by=asked,
        )
        if index == 0:
            what = (
                "First review after the return (Child in Care, chaired by the IRO)"
                if remains
                else "First review after the return (Child in Need, IRO invited)"
            )
        else:
            what = "Child in Care review" if remains else "Child in Need review"
        done = held[index].held_on if index < len(held) else None
        responsible = case.iro_id if remains else case.social_worker_id
        rows.append(
            Due(
                DeadlineKind.REVIEW_AFTER_RETURN, f"after-{index + 1}", what, due, responsible, done
            )
        )
    return rows


def _visit_rows(case, day, reviews, visits) -> list[Due]:
    placement = current_period(case.child.placements.all(), day)
    if placement is None or placement.end_date is not None:
        return []
    status = current_legal_status(case.child, day)
    interim_with_parent = (
        placement.placement_type == PlacementType.P1
        and status is not None
        and status.code == LegalStatusCode.C1
    )
    rule = rules.VisitRule(
        placed_with_parent_on_interim_order=interim_with_parent,
        intended_to_last_to_18=placement.placement_type in LONG_TERM_PLACEMENTS,
    )
    held = sorted(v.visited_on for v in visits if v.visited_on >= placement.start_date)
    rows = []
    for index in range(len(held) + 1):
        earlier = held[:index]
        reviewed = any(placement.start_date <= r.held_on <= (earlier or [day])[-1] for r in reviews)
        due = rules.visit_due(placement.start_date, earlier, rule, first_review_held=reviewed)
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
    return rows


def _risk_rows(case) -> list[Due]:
    dates = risk_summary(case).dates
    sw = case.social_worker_id
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
        rows.append(
            Due(
                DeadlineKind.RISK_RECONSIDER_SEVERE,
                f"severe-{dates.reconsider_severe_by}",
                "High risk without progress: reconsider for Severe",
                dates.reconsider_severe_by,
                sw,
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


def derive(case: ReunificationCase, day: datetime.date) -> list[Due]:
    """The deadlines the case's records give, done or not."""
    if case.stage == Stage.CLOSED:
        return []
    try:
        returned = case.return_home
    except ReturnHome.DoesNotExist:
        returned = None
    all_reviews = list(case.reviews.order_by("held_on", "pk"))
    cic_reviews = [r for r in all_reviews if r.review_type == ReviewType.CHILD_IN_CARE]
    if returned is None or returned.care_order_remains:
        # Looked after: only statutory Child in Care reviews count.
        reviews = cic_reviews
    else:
        reviews = [r for r in all_reviews if r.review_type != ReviewType.CHILD_IN_CARE]
    visits = list(case.visits.all())
    looked_after = returned is None or returned.care_order_remains
    rows = _review_rows(case, returned, reviews)
    if looked_after:
        rows += _visit_rows(case, day, cic_reviews, visits)
    rows += _risk_rows(case)
    for recommendation in Recommendation.objects.filter(review__case=case):
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
    managers = list(
        User.objects.filter(
            team_id=case.team_id, role_grants__role=Role.TEAM_MANAGER, is_active=True
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for assessment in case.risk_assessments.filter(status=AssessmentStatus.SUBMITTED):
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


@transaction.atomic
def refresh(case: ReunificationCase, day: datetime.date | None = None) -> int:
    """Bring the case's Deadline rows into line with its records. Returns how
    many rows it created, changed or removed (0 when they were already right)."""
    changed = 0
    # Locked, so two refreshes of one case after concurrent saves take turns.
    case = ReunificationCase.objects.select_for_update().select_related("child").get(pk=case.pk)
    wanted = {(d.kind, d.key): d for d in derive(case, day or today())}
    existing = {(d.kind, d.key): d for d in case.deadlines.all()}
    for identity, row in existing.items():
        if identity not in wanted and row.done_on is None:
            row.delete()
            changed += 1
    for identity, due in wanted.items():
        fields = {
            "what": due.what,
            "due_on": due.due_on,
            "responsible_id": due.responsible_id,
            "done_on": due.done_on,
        }
        row = existing.get(identity)
        if row is None:
            Deadline.objects.create(case=case, kind=due.kind, key=due.key, **fields)
            changed += 1
        elif any(getattr(row, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(row, name, value)
            row.save(update_fields=list(fields))
            changed += 1
    return changed


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
    a time, each case in its own transaction. Idempotent: a second run changes
    nothing. A case that fails is logged with its id and the sweep goes on."""
    report = SweepReport()
    ids = ReunificationCase.objects.exclude(stage=Stage.CLOSED).order_by("pk")
    last = 0
    while batch := list(ids.filter(pk__gt=last).values_list("pk", flat=True)[:batch_size]):
        for case_id in batch:
            report.cases += 1
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
