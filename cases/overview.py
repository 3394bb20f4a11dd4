"""The case overview: everything the page shows, read in one place.

`case_overview(case, user, day)` reads the case's records with a fixed number of
queries (however many records there are) and hands back plain lists, so the
template only lays them out and runs no queries of its own.

Other apps add a panel to the overview (the risk classification, the stage's
task list) by registering a provider in their AppConfig.ready(); cases never
imports them, so the dependency points one way: risk and reviews know cases, not
the reverse.
"""

import copy
import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import prefetch_related_objects

from . import policy, rules, selectors
from .models import ALLOCATED_ROLES, ReunificationCase, Role, User

# provider(case, day, user) -> the panel's template context, as plain values.
PanelProvider = Callable[[ReunificationCase, datetime.date, User], dict]


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    context: dict


_PANELS: dict[str, tuple[PanelProvider, str]] = {}


def register_panel(name: str, provider: PanelProvider, *, template: str) -> None:
    """Show `template` on the case overview with the context `provider` returns.
    Registering a name again replaces it (ready() may run more than once in tests)."""
    _PANELS[name] = (provider, template)


def registered_panels() -> list[str]:
    return list(_PANELS)


# The child's records that every case of the child shares, as prefetched lists.
CHILD_RECORDS = (
    "legal_statuses",
    "placements",
    "care_episodes",
    "previous_returns",
    "missing_episodes",
    "siblings",
)


@dataclass
class CaseOverview:
    case: ReunificationCase
    child: object
    day: datetime.date
    age: int
    may: dict[str, bool]
    allocations: list[tuple[str, object]]
    legal_statuses: list
    current_legal_status: object | None
    placements: list
    care_episodes: list
    previous_returns: list
    missing_episodes: list
    siblings: list
    parental_issues: list
    household: list[selectors.HouseholdRow]
    chronology: list
    out_of_home_long_enough: bool
    four_months_on: datetime.date
    other_cases: list
    # The day the child's records are shown as they stood, or None for now.
    records_as_of: datetime.date | None = None
    panels: dict[str, Panel] = field(default_factory=dict)
    # Siblings living at home, recorded once, in the household.
    siblings_at_home: list = field(default_factory=list)

    @property
    def outstanding_checks(self) -> list[selectors.HouseholdRow]:
        return [row for row in self.household if row.check_outstanding]

    @property
    def can_open_repeat_case(self) -> bool:
        # A child has one open case at a time, so a repeat case waits until none is open.
        return self.may["open_repeat_case"] and not any(c.is_open for c in self.other_cases)

    def as_context(self) -> dict:
        """The template's variables (the names the page has always used)."""
        may = self.may
        return {
            "overview": self,
            "case": self.case,
            "child": self.child,
            "day": self.day,
            "age": self.age,
            "may": may,
            "can_change": may["change_case"],
            "is_manager": may["is_team_manager"],
            "can_see_audit": may["see_audit"],
            "can_open_repeat_case": self.can_open_repeat_case,
            "allocations": self.allocations,
            "legal_statuses": self.legal_statuses,
            "current_legal_status": self.current_legal_status,
            "placements": self.placements,
            "care_episodes": self.care_episodes,
            "previous_returns": self.previous_returns,
            "missing_episodes": self.missing_episodes,
            "siblings": self.siblings,
            "parental_issues": self.parental_issues,
            "household": self.household,
            "siblings_at_home": self.siblings_at_home,
            "outstanding_checks": self.outstanding_checks,
            "chronology": self.chronology,
            "out_of_home_long_enough": self.out_of_home_long_enough,
            "four_months_on": self.four_months_on,
            "other_cases": self.other_cases,
            "panels": self.panels,
        }


def _period_as_of(periods, day: datetime.date, end: str = "end_date") -> list:
    """The periods as they stood at the end of `day`: those started by then, with an
    end recorded after it shown as still running (copies; the records are untouched)."""
    shown = []
    for period in periods:
        if period.start_date > day:
            continue
        if getattr(period, end) is not None and getattr(period, end) > day:
            period = copy.copy(period)
            setattr(period, end, None)
        shown.append(period)
    return shown


def _returns_as_of(returns, day: datetime.date) -> list:
    shown = []
    for ret in returns:
        if ret.returned_home_on > day:
            continue
        if ret.came_back_into_care_on is not None and ret.came_back_into_care_on > day:
            ret = copy.copy(ret)
            ret.came_back_into_care_on = None
            ret.reason_for_breakdown = ""
        shown.append(ret)
    return shown


def _child_records(child, as_of: datetime.date | None) -> dict[str, list]:
    records = {name: list(getattr(child, name).all()) for name in CHILD_RECORDS}
    if as_of is None:
        return records
    # A care episode is an earlier, ended period of care: one ending after the day
    # was still the care of that time, not yet a previous episode.
    records["legal_statuses"] = _period_as_of(records["legal_statuses"], as_of)
    records["placements"] = _period_as_of(records["placements"], as_of)
    records["missing_episodes"] = _period_as_of(records["missing_episodes"], as_of)
    records["care_episodes"] = [e for e in records["care_episodes"] if e.end_date <= as_of]
    records["previous_returns"] = _returns_as_of(records["previous_returns"], as_of)
    records["siblings"] = [
        s for s in records["siblings"] if s.date_of_birth is None or s.date_of_birth <= as_of
    ]
    return records


def case_overview(case: ReunificationCase, user: User, day: datetime.date) -> CaseOverview:
    """Everything the case overview shows, for this person, on `day`."""
    # Already loaded relations are kept (case_for joins the child and team).
    prefetch_related_objects([case], "team", *(f"child__{name}" for name in CHILD_RECORDS))
    child = case.child
    as_of = policy.child_records_as_of(user, case)
    records = _child_records(child, as_of)
    allocations = {a.role: a for a in selectors.current_allocations(case)}
    status_day = min(day, as_of) if as_of else day
    household = selectors.household(case, day)
    overview = CaseOverview(
        case=case,
        child=child,
        day=day,
        age=rules.age_of(rules.Person(child.date_of_birth, None, day, False, False, False), day),
        may=policy.allowed_actions(user, case),
        allocations=[(Role(r).label, allocations.get(r)) for r in ALLOCATED_ROLES],
        current_legal_status=selectors.current_legal_status(child, status_day),
        parental_issues=list(case.parental_issues.select_related("parent")),
        household=household,
        siblings_at_home=[
            row.member
            for row in household
            if row.member.lives_in_household and rules.is_sibling(row.member.relationship)
        ],
        chronology=list(case.chronology.select_related("recorded_by")),
        out_of_home_long_enough=rules.out_of_home_long_enough(case.became_looked_after_on, day),
        four_months_on=rules.four_months_out_of_home_on(case.became_looked_after_on),
        other_cases=list(child.cases.exclude(pk=case.pk).order_by("-opened_on")),
        records_as_of=as_of,
        **records,
    )
    overview.panels = {
        name: Panel(name, template, provider(case, day, user))
        for name, (provider, template) in _PANELS.items()
    }
    return overview
