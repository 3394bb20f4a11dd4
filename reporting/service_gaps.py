"""Service gaps, for commissioners: on the open cases, each kind of parental
issue, how many are met by a specialist adult service of their kind, how many
have a recorded reason there is none, and how many are gaps (planning.matching
decides which). The figures cover the scope's teams; the list of children is
only of the cases the person may see."""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from cases.models import ParentalIssue, ParentalIssueKind, ReunificationCase, Stage
from planning.matching import SERVICE_FOR_ISSUE, IssueMatch, match_issues
from planning.models import NoSpecialistService, SupportService


@dataclass
class GapRow:
    kind: str
    issues: int = 0
    met: int = 0
    reason_recorded: int = 0
    treatment_completed: int = 0
    gaps: int = 0


def open_case_matches(
    cases: QuerySet, day: datetime.date
) -> list[tuple[ReunificationCase, list[IssueMatch]]]:
    """Every open case among `cases` with its parental issues matched, in four
    queries whatever the number of cases."""
    open_cases = (
        cases.exclude(stage=Stage.CLOSED)
        .select_related("child", "social_worker", "team")
        .prefetch_related(
            Prefetch("parental_issues", ParentalIssue.objects.select_related("parent")),
            Prefetch(
                "support_services",
                SupportService.objects.filter(kind__in=list(SERVICE_FOR_ISSUE.values())),
            ),
            Prefetch("no_specialist_services", NoSpecialistService.objects.all()),
        )
        .order_by("child__last_name", "child__first_name", "pk")
    )
    return [
        (
            case,
            match_issues(
                list(case.parental_issues.all()),
                list(case.support_services.all()),
                list(case.no_specialist_services.all()),
                day,
            ),
        )
        for case in open_cases
    ]


def gaps_by_issue(cases: QuerySet, day: datetime.date) -> list[GapRow]:
    """One row per kind of parental issue, in the order of the code list."""
    rows = {kind: GapRow(ParentalIssueKind(kind).label) for kind in ParentalIssueKind.values}
    for _case, matches in open_case_matches(cases, day):
        for match in matches:
            row = rows[match.issue.kind]
            row.issues += 1
            if match.services:
                row.met += 1
            elif match.no_service_reason is not None:
                row.reason_recorded += 1
            elif not match.gap:
                row.treatment_completed += 1
            else:
                row.gaps += 1
    return list(rows.values())


@dataclass
class ChildGap:
    case: ReunificationCase
    match: IssueMatch


def children_with_gaps(cases: QuerySet, day: datetime.date) -> list[ChildGap]:
    """Each unmatched need on the open cases among `cases`, by child."""
    return [
        ChildGap(case, match)
        for case, matches in open_case_matches(cases, day)
        for match in matches
        if match.gap
    ]
