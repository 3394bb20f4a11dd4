"""Documents for the family to keep and sign: the written agreement (and a version
of it for the child), the reunification plan and the support plan after the
return. Each is built from a short list of fields chosen for the family: the
child's and parents' names, the social worker's name, and what the plan says the
family and the services will do. Nothing else reaches them: no risk levels or
scores, no chronology, no case notes (how family time went, direct work notes,
what the planning meeting considered), no police checks, and no one else's
personal details. A field added to a record does not appear here until it is
added on purpose."""

import datetime
from dataclasses import dataclass, field

from cases.models import ReunificationCase

from .models import ServiceTiming


@dataclass(frozen=True)
class Goal:
    goal: str
    measure: str
    responsible: str
    due_on: datetime.date
    services: str


@dataclass(frozen=True)
class Agreement:
    agreed_on: datetime.date
    goals: list[Goal]
    review_dates: str
    consequences: str


@dataclass(frozen=True)
class FamilyTime:
    starts_on: datetime.date
    ends_on: datetime.date | None
    frequency: str
    duration: str
    supervised: bool
    overnight: bool


@dataclass(frozen=True)
class Service:
    what: str
    provider: str
    description: str
    starts_on: datetime.date
    ends_on: datetime.date | None


@dataclass(frozen=True)
class Contingency:
    scenarios: str
    actions: str
    carers_roles: str
    agreed_on: datetime.date


@dataclass
class FamilyDocument:
    child_name: str
    child_first_name: str
    parents: list[str]  # who signs for the family: those with parental responsibility
    social_worker: str
    made_on: datetime.date
    agreement: Agreement | None = None
    family_time: list[FamilyTime] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    contingency: Contingency | None = None
    return_date: datetime.date | None = None
    returned_on: datetime.date | None = None
    first_review_by: datetime.date | None = None
    support_until_at_least: datetime.date | None = None
    fgc_held_on: datetime.date | None = None


def _base(case: ReunificationCase, day: datetime.date) -> FamilyDocument:
    child = case.child
    worker = case.social_worker
    return FamilyDocument(
        child_name=child.full_name,
        child_first_name=child.first_name,
        parents=[
            member.name
            for member in case.family_members.all()
            if member.has_parental_responsibility
        ],
        social_worker=(worker.get_full_name() or worker.username) if worker else "",
        made_on=day,
    )


def _agreement(case) -> Agreement | None:
    latest = case.written_agreements.prefetch_related("goals").first()
    if latest is None:
        return None
    return Agreement(
        agreed_on=latest.agreed_on,
        goals=[
            Goal(g.goal, g.measure, g.responsible, g.due_on, g.services) for g in latest.goals.all()
        ],
        review_dates=latest.review_dates,
        consequences=latest.consequences_explained,
    )


def _services(case, timings) -> list[Service]:
    return [
        Service(s.get_kind_display(), s.provider, s.description, s.starts_on, s.ends_on)
        for s in case.support_services.all()
        if s.timing in timings
    ]


def _contingency(case) -> Contingency | None:
    plan = case.contingency_plans.first()
    if plan is None:
        return None
    return Contingency(plan.scenarios, plan.actions, plan.carers_roles, plan.agreed_on)


def written_agreement(case: ReunificationCase, day: datetime.date) -> FamilyDocument:
    """The latest written agreement, to sign."""
    document = _base(case, day)
    document.agreement = _agreement(case)
    return document


def reunification_plan(case: ReunificationCase, day: datetime.date) -> FamilyDocument:
    """The plan for the return: family time step by step, the help before and
    after coming home, what happens if things go wrong, the agreement's goals and
    the return date once it is confirmed."""
    from reviews.models import MeetingOutcome

    document = _base(case, day)
    document.agreement = _agreement(case)
    document.family_time = [
        FamilyTime(s.starts_on, s.ends_on, s.frequency, s.duration, s.supervised, s.overnight)
        for s in case.family_time_steps.all()
    ]
    document.services = _services(
        case, (ServiceTiming.BEFORE_RETURN, ServiceTiming.BOTH, ServiceTiming.AFTER_RETURN)
    )
    document.contingency = _contingency(case)
    confirmed = (
        case.viability_meetings.filter(
            outcome=MeetingOutcome.RETURN_DATE_CONFIRMED, return_date__isnull=False
        )
        .order_by("-held_on", "-pk")
        .first()
    )
    document.return_date = confirmed.return_date if confirmed else None
    support = getattr(case, "support_plan", None)
    document.fgc_held_on = support.fgc_held_on if support and support.fgc_held else None
    return document


def support_after_return(case: ReunificationCase, day: datetime.date) -> FamilyDocument:
    """The support after the child comes home: the services that carry on and
    until when, the first review within a month, support for at least six months,
    and what happens if things go wrong."""
    from reviews.deadlines import rules
    from reviews.models import ReturnHome

    document = _base(case, day)
    document.services = _services(case, (ServiceTiming.AFTER_RETURN, ServiceTiming.BOTH))
    document.contingency = _contingency(case)
    try:
        document.returned_on = case.return_home.returned_on
    except ReturnHome.DoesNotExist:
        document.returned_on = None
    if document.returned_on:
        after = rules.after_return(document.returned_on)
        document.first_review_by = rules.first_review_after_return_due(document.returned_on)
        document.support_until_at_least = after.support_at_least_until
    return document
