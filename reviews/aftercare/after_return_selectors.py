"""What the after-the-return page shows: the step-down plan with the services
continuing and whether each ends early, the concerns since the return, and the
duties an unplanned return brings, with whether each is met."""

import datetime
from dataclasses import dataclass

from planning.models import SupportService
from reviews.aftercare import after_return_rules as rules
from reviews.deadlines.after_return import continuing_services
from reviews.deadlines.rules import after_return
from reviews.models import DeadlineKind, ReturnHome, StepDownPlan

UNPLANNED_DUTIES = (
    DeadlineKind.REVIEW_AFTER_RETURN,
    DeadlineKind.HOME_ASSESSMENT,
    DeadlineKind.POLICE_CHECKS_AFTER_RETURN,
)


@dataclass(frozen=True)
class ContinuingService:
    service: SupportService
    ends_early: rules.EndsEarly | None

    @property
    def before_six_months(self) -> bool:
        return self.ends_early is rules.EndsEarly.BEFORE_SIX_MONTHS

    @property
    def before_a_year(self) -> bool:
        return self.ends_early is rules.EndsEarly.BEFORE_TWELVE_MONTHS


def after_return_page(case, day: datetime.date) -> dict:
    try:
        returned = case.return_home
    except ReturnHome.DoesNotExist:
        returned = None
    plan = StepDownPlan.objects.filter(case=case).select_related("agreed_by").first()
    services, duties, support_ends = [], [], None
    if returned is not None:
        services = [
            ContinuingService(s, rules.ends_early(returned.returned_on, s.ends_on))
            for s in continuing_services(case, returned)
        ]
        if plan is not None:
            support_ends = rules.ends_early(returned.returned_on, plan.support_ends_on)
        if not returned.planned:
            deadlines = case.deadlines.filter(kind__in=UNPLANNED_DUTIES).order_by("due_on", "pk")
            # The first review after the return is the duty's review within a month.
            duties = [
                d
                for d in deadlines
                if d.kind != DeadlineKind.REVIEW_AFTER_RETURN or d.key == "after-1"
            ]
    concerns = list(case.concerns_after_return.select_related("recorded_by"))
    reassessed = {d.key: d for d in case.deadlines.filter(kind=DeadlineKind.CONCERN_REASSESS)}
    return {
        "day": day,
        "returned": returned,
        "milestones": after_return(returned.returned_on) if returned else None,
        "plan": plan,
        "support_ends": support_ends,
        "support_ends_before_six": support_ends is rules.EndsEarly.BEFORE_SIX_MONTHS,
        "support_ends_before_year": support_ends is rules.EndsEarly.BEFORE_TWELVE_MONTHS,
        "services": services,
        "duties": duties,
        "concerns": [(c, reassessed.get(f"concern-{c.pk}")) for c in concerns],
        "home_assessments": list(case.home_assessments.select_related("recorded_by")),
    }
