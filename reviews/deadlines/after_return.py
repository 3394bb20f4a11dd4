"""The deadlines of the months after a return home, derived from the case's
records (one line of `refresh.derive` adds them):

- the step-down plan: each service for after the return planned to end before
  the child has been home six months is the team manager's to look at (overdue
  once the service has ended without her agreement); before twelve months, a
  softer warning that is never late. Her agreement to the plan, given after the
  service last changed, meets it;
- Child in Need visits, once the return has ended the looked-after episode and
  while no care order runs (a care order's visits are reg 28's, in refresh);
- a risk reassessment after each concern recorded since the return, met by the
  first risk assessment submitted or signed off dated on or after it;
- after an unplanned return, an assessment of the home and police checks on the
  household. The review within a month of the return is the first review after
  the return, already due for every return (refresh `_review_rows`).
"""

import datetime

from django.conf import settings

from cases.selectors import household, is_on_care_order
from planning.models import ServiceTiming, SupportService
from reviews.aftercare import after_return_rules as rules
from reviews.models import DeadlineKind, ReturnHome, StepDownPlan
from risk.models import AssessmentStatus

AFTER_RETURN_TIMINGS = (ServiceTiming.AFTER_RETURN, ServiceTiming.BOTH)


def after_return_rows(case, day: datetime.date) -> list:
    try:
        returned = case.return_home
    except ReturnHome.DoesNotExist:
        return []
    rows = _step_down_rows(case, returned)
    rows += _cin_visit_rows(case, returned, day)
    rows += _concern_rows(case)
    if not returned.planned:
        rows += _unplanned_return_rows(case, returned)
    return rows


def continuing_services(case, returned: ReturnHome) -> list[SupportService]:
    """The services the step-down plan carries: those for after the return that
    had not ended by the day the child went home."""
    return [
        s
        for s in sorted(case.support_services.all(), key=lambda s: s.pk)
        if s.timing in AFTER_RETURN_TIMINGS
        and (s.ends_on is None or s.ends_on >= returned.returned_on)
    ]


def agreed_since(plan: StepDownPlan | None, changed_at) -> datetime.date | None:
    """The day the team manager agreed the step-down plan, if she did after
    `changed_at` (when what she is asked about last changed)."""
    if plan is None or plan.agreed_at is None:
        return None
    if changed_at is not None and plan.agreed_at < changed_at:
        return None
    return plan.agreed_on


def _ending_row(kind_early, returned, ends_on, key, subject, plan, changed_at, manager):
    from reviews.deadlines.refresh import Due

    early = rules.ends_early(returned.returned_on, ends_on)
    if early is None:
        return None
    if early is rules.EndsEarly.BEFORE_SIX_MONTHS:
        kind, how_long = kind_early, "six months"
    else:
        kind, how_long = DeadlineKind.SERVICE_ENDS_BEFORE_YEAR, "a year"
    return Due(
        kind,
        f"{key}-{ends_on:%Y%m%d}",
        f"{subject} ends on {ends_on:%-d %B %Y}, before the child has been home {how_long}: "
        "agree the step-down plan or extend it",
        ends_on,
        manager,
        agreed_since(plan, changed_at),
    )


def _step_down_rows(case, returned: ReturnHome) -> list:
    try:
        plan = case.step_down_plan
    except StepDownPlan.DoesNotExist:
        plan = None
    services = continuing_services(case, returned)
    changed = getattr(case, "_services_changed_at", None)
    if changed is None:
        changed = services_changed_at([s.pk for s in services])
    rows = []
    for service in services:
        row = _ending_row(
            DeadlineKind.SERVICE_ENDS_EARLY,
            returned,
            service.ends_on,
            f"service-{service.pk}",
            service.get_kind_display(),
            plan,
            changed.get(service.pk),
            case.team_manager_id,
        )
        if row:
            rows.append(row)
    if plan is not None:
        row = _ending_row(
            DeadlineKind.SERVICE_ENDS_EARLY,
            returned,
            plan.support_ends_on,
            "support",
            "Support after the return",
            plan,
            plan.recorded_at,
            case.team_manager_id,
        )
        if row:
            rows.append(row)
    return rows


def services_changed_at(service_ids) -> dict:
    """Each support service's latest change (its latest history row's date)."""
    if not service_ids:
        return {}
    return dict(
        SupportService.history.filter(id__in=list(service_ids))
        .order_by("id", "history_date")
        .values_list("id", "history_date")
    )


def _cin_visit_rows(case, returned: ReturnHome, day: datetime.date) -> list:
    """Visits to a child in need: only once the return ended the looked-after
    episode, and not while a care order runs (reg 28 visits are due then)."""
    from reviews.deadlines.refresh import Due

    if returned.care_order_remains or is_on_care_order(case.child, day):
        return []
    since = returned.returned_on
    held = sorted(v.visited_on for v in case.visits.all() if v.visited_on >= since)
    interval = settings.CIN_VISIT_INTERVAL_WORKING_DAYS
    rows = []
    for index in range(len(held) + 1):
        rows.append(
            Due(
                DeadlineKind.CIN_VISIT,
                f"cin-visit-{index + 1}",
                "First Child in Need visit after the return"
                if index == 0
                else "Child in Need visit",
                rules.cin_visit_due(since, held[:index], interval),
                case.social_worker_id,
                held[index] if index < len(held) else None,
            )
        )
    return rows


def _concern_rows(case) -> list:
    from reviews.deadlines.refresh import Due

    assessed = [
        a.assessed_on
        for a in case.risk_assessments.all()
        if a.status in (AssessmentStatus.SUBMITTED, AssessmentStatus.SIGNED_OFF)
    ]
    return [
        Due(
            DeadlineKind.CONCERN_REASSESS,
            f"concern-{concern.pk}",
            f"Reassess the risk after {concern.get_kind_display().lower()} on "
            f"{concern.occurred_on:%-d %B %Y}",
            rules.concern_reassessment_due(concern.occurred_on),
            case.social_worker_id,
            rules.reassessed_on(concern.occurred_on, assessed),
        )
        for concern in case.concerns_after_return.all()
    ]


def household_checks(case, returned: ReturnHome) -> list[tuple]:
    """Per person who needs a police check on the day of the return, their latest
    check's (requested, returned) dates."""
    pairs = []
    for row in household(case, returned.returned_on):
        if not row.needs_check:
            continue
        check = row.latest_check
        pairs.append((check.requested_on, check.returned_on) if check else (None, None))
    return pairs


def _unplanned_return_rows(case, returned: ReturnHome) -> list:
    from reviews.deadlines.refresh import Due

    due = rules.unplanned_duty_due(returned.returned_on)
    assessed = [a.assessed_on for a in case.home_assessments.all()]
    return [
        Due(
            DeadlineKind.HOME_ASSESSMENT,
            "unplanned-home",
            "Assess the home after the unplanned return",
            due,
            case.social_worker_id,
            rules.home_assessed_on(returned.returned_on, assessed),
        ),
        Due(
            DeadlineKind.POLICE_CHECKS_AFTER_RETURN,
            "unplanned-police",
            "Police checks on the household after the unplanned return",
            due,
            case.social_worker_id,
            rules.household_checked_on(returned.returned_on, household_checks(case, returned)),
        ),
    ]
