"""Every change of state in a case goes through one of these functions. Each
checks who may make it, writes the change and its chronology entry in one
transaction, and raises PermissionDenied or ValidationError when it may not."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from reunification.clock import now, today

from . import policy
from .models import (
    ALLOCATED_ROLES,
    Allocation,
    CaseView,
    Child,
    ChronologyEntry,
    ChronologyKind,
    ReunificationCase,
    Role,
    Stage,
    Team,
    User,
)

CASE_FIELD_FOR_ROLE = {
    Role.SOCIAL_WORKER: "social_worker",
    Role.TEAM_MANAGER: "team_manager",
    Role.HEAD_OF_SERVICE: "head_of_service",
    Role.IRO: "iro",
}


def _save_as(user: User, instance, **save_kwargs):
    """Save, recording `user` in the history even outside a web request (a
    command, a task)."""
    instance._history_user = user
    instance.save(**save_kwargs)
    return instance


def add_chronology_entry(
    *,
    case: ReunificationCase,
    by: User,
    occurred_on: datetime.date,
    kind: str,
    description: str,
    source: str = "",
    automatic: bool = False,
) -> ChronologyEntry:
    return _save_as(
        by,
        ChronologyEntry(
            case=case,
            occurred_on=occurred_on,
            kind=kind,
            description=description,
            source=source,
            recorded_by=by,
            recorded_at=now(),
            automatic=automatic,
        ),
    )


def check_allocatable(case: ReunificationCase, role: str, user: User) -> None:
    """Raise ValidationError, in words a manager understands, unless `user` can
    hold `role` on this case."""
    if role not in CASE_FIELD_FOR_ROLE:
        raise ValidationError(f"{role} is not a role allocated to cases")
    label = Role(role).label.lower()
    if not user.is_active:
        raise ValidationError(f"{user} is no longer an active user")
    if not user.has_role(role):
        raise ValidationError(f"{user} does not hold the role of {label}")
    if role in (Role.SOCIAL_WORKER, Role.TEAM_MANAGER) and user.team_id != case.team_id:
        raise ValidationError(f"{user} is not in {case.team}, the team this case sits in")
    if role == Role.HEAD_OF_SERVICE and not user.overseen_teams.filter(pk=case.team_id).exists():
        raise ValidationError(f"{user} does not oversee {case.team}")


@transaction.atomic
def allocate(
    *, case: ReunificationCase, role: str, user: User, by: User, on: datetime.date | None = None
) -> Allocation:
    """Allocate `user` to `role` on the case from `on`, ending whoever held it."""
    if not policy.is_team_manager_for(by, case):
        raise PermissionDenied("Only a team manager of the case's team can allocate it")
    if not case.is_open:
        raise ValidationError("This case is closed; its allocations are a record")
    check_allocatable(case, role, user)
    on = on or today()
    field = CASE_FIELD_FOR_ROLE[role]
    case = ReunificationCase.objects.select_for_update().get(pk=case.pk)
    current = case.allocations.filter(role=role, end_date__isnull=True).first()
    if current and current.user_id == user.pk:
        return current
    if current:
        if on < current.start_date:
            raise ValidationError(
                f"The allocation cannot start before {current.start_date:%-d %B %Y}, "
                "when the current one began"
            )
        current.end_date = on
        _save_as(by, current, update_fields=["end_date"])
    allocation = _save_as(
        by, Allocation(case=case, role=role, user=user, start_date=on, allocated_by=by)
    )
    setattr(case, field, user)
    _save_as(by, case, update_fields=[field])
    previous = f", replacing {current.user}" if current else ""
    add_chronology_entry(
        case=case,
        by=by,
        occurred_on=on,
        kind=ChronologyKind.ALLOCATION,
        description=f"{user} allocated as {Role(role).label.lower()}{previous}.",
        automatic=True,
    )
    return allocation


@transaction.atomic
def open_case(
    *,
    child: Child,
    team: Team,
    by: User,
    became_looked_after_on: datetime.date,
    category_of_need: str,
    allocations: dict[str, User],
    opened_on: datetime.date | None = None,
    previous_case: ReunificationCase | None = None,
    **details,
) -> ReunificationCase:
    """Open a reunification case for a child, in the identification stage, with its
    first allocations. Only a team manager of `team` may open one."""
    if not (by.has_role(Role.TEAM_MANAGER) and by.team_id == team.pk):
        raise PermissionDenied("Only a team manager of the team can open a case in it")
    opened_on = opened_on or today()
    if ReunificationCase.objects.filter(child=child).exclude(stage=Stage.CLOSED).exists():
        raise ValidationError(f"{child} already has an open reunification case")
    if previous_case is None:
        previous_case = child.cases.filter(stage=Stage.CLOSED).order_by("-closed_on").first()
    case = ReunificationCase(
        child=child,
        team=team,
        stage=Stage.IDENTIFICATION,
        stage_entered_on=opened_on,
        opened_on=opened_on,
        became_looked_after_on=became_looked_after_on,
        category_of_need=category_of_need,
        previous_case=previous_case,
        **details,
    )
    _save_as(by, case)
    add_chronology_entry(
        case=case,
        by=by,
        occurred_on=opened_on,
        kind=ChronologyKind.CASE_OPENED,
        description="Reunification case opened at identification stage.",
        automatic=True,
    )
    for role in ALLOCATED_ROLES:
        if allocations.get(role):
            allocate(case=case, role=role, user=allocations[role], by=by, on=opened_on)
    case.refresh_from_db()
    return case


@transaction.atomic
def save_record(*, case: ReunificationCase, by: User, form) -> object:
    """Save a create or edit form for a record of this case, whole or not at all."""
    if not policy.may_change_case(by, case):
        raise PermissionDenied
    return form.save()


def lock_case(case: ReunificationCase) -> ReunificationCase:
    """The case row, locked until the transaction ends, so that two people acting
    on one case at once act one after the other."""
    return ReunificationCase.objects.select_for_update().select_related("child").get(pk=case.pk)


def log_case_view(*, case: ReunificationCase, user: User, path: str) -> None:
    CaseView.objects.create(case=case, user=user, viewed_at=now(), path=path[:300])


def case_for_page(request, pk: int, *, change: bool = False) -> ReunificationCase:
    """The case a page shows, if this user may see (or change) it, with the view
    logged; otherwise 404 (may not see it) or 403 (may see it, may not change it)."""
    case = policy.case_for(request.user, pk, change=change)
    log_case_view(case=case, user=request.user, path=request.path)
    return case
