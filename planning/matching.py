"""Each parental issue matched to the specialist adult service of its kind, or to
a recorded reason there is none: what the decision forms, the task list and the
service gaps report all read."""

import datetime
from dataclasses import dataclass, field

from cases.models import ParentalIssue, ParentalIssueKind, ReunificationCase, TreatmentUptake

from .models import NoSpecialistService, ServiceKind, SupportService

# The specialist adult service that meets each kind of parental issue.
SERVICE_FOR_ISSUE = {
    ParentalIssueKind.DOMESTIC_ABUSE: ServiceKind.SPECIALIST_DOMESTIC_ABUSE,
    ParentalIssueKind.SUBSTANCE_MISUSE: ServiceKind.SPECIALIST_SUBSTANCE_MISUSE,
    ParentalIssueKind.MENTAL_ILL_HEALTH: ServiceKind.SPECIALIST_MENTAL_HEALTH,
    ParentalIssueKind.LEARNING_DIFFICULTY: ServiceKind.SPECIALIST_LEARNING_DIFFICULTY,
    ParentalIssueKind.DISABILITY: ServiceKind.SPECIALIST_DISABILITY,
    ParentalIssueKind.ILLNESS: ServiceKind.SPECIALIST_ILLNESS,
}

# Treatment that has not (or no longer) reached the parent.
NOT_TREATED = {
    TreatmentUptake.NOT_OFFERED,
    TreatmentUptake.OFFERED_DECLINED,
    TreatmentUptake.OFFERED_WAITING,
}


@dataclass
class IssueMatch:
    issue: ParentalIssue
    services: list[SupportService] = field(default_factory=list)  # current, of its kind
    no_service_reason: NoSpecialistService | None = None

    @property
    def service_kind(self) -> str:
        """The kind of support service that meets this issue (ServiceKind)."""
        return SERVICE_FOR_ISSUE[self.issue.kind]

    @property
    def service_kind_label(self) -> str:
        """For example "specialist substance misuse service"."""
        label = ServiceKind(SERVICE_FOR_ISSUE[self.issue.kind]).label
        return f"specialist {label.split(': ', 1)[1]} service"

    @property
    def gap(self) -> bool:
        """No current specialist service and no recorded reason why not. Treatment
        completed needs no service now."""
        return (
            not self.services
            and self.no_service_reason is None
            and self.issue.treatment != TreatmentUptake.COMPLETED
        )

    @property
    def unresolved_because(self) -> list[str]:
        """Why the issue is unresolved (empty when it is not): not treated,
        disengaged, or with no matching service."""
        reasons = []
        if self.issue.treatment in NOT_TREATED:
            reasons.append(f"not treated ({self.issue.get_treatment_display().lower()})")
        if self.issue.treatment == TreatmentUptake.DISENGAGED:
            reasons.append("the parent disengaged from treatment")
        if self.gap:
            reasons.append(f"no {self.service_kind_label} is recorded")
        return reasons

    @property
    def unresolved(self) -> bool:
        return bool(self.unresolved_because)

    def summary(self) -> str:
        who = f" ({self.issue.parent.name})" if self.issue.parent_id else ""
        return f"{self.issue.get_kind_display()}{who}: {'; '.join(self.unresolved_because)}"


def service_current(service: SupportService, day: datetime.date) -> bool:
    """A service counts from its start date (a planned one too) until it ends."""
    return service.ends_on is None or service.ends_on >= day


def match_issues(
    issues: list[ParentalIssue],
    services: list[SupportService],
    reasons: list[NoSpecialistService],
    day: datetime.date,
) -> list[IssueMatch]:
    """The matching over records already read: each issue with the current
    specialist services of its kind and any recorded reason there is none."""
    by_issue = {reason.issue_id: reason for reason in reasons}
    return [
        IssueMatch(
            issue=issue,
            services=[
                s
                for s in services
                if s.kind == SERVICE_FOR_ISSUE[issue.kind] and service_current(s, day)
            ],
            no_service_reason=by_issue.get(issue.pk),
        )
        for issue in issues
    ]


def issue_matches(case: ReunificationCase, day: datetime.date) -> list[IssueMatch]:
    """The case's parental issues, each matched to its specialist service or reason."""
    return match_issues(
        list(case.parental_issues.select_related("parent")),
        list(case.support_services.filter(kind__in=list(SERVICE_FOR_ISSUE.values()))),
        list(case.no_specialist_services.all()),
        day,
    )
