"""Every change of state in a case goes through one of these functions. Each
checks who may make it, writes the change and its chronology entry in one
transaction, and raises PermissionDenied or ValidationError when it may not."""

import copy
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction

from reunification.clock import now, today

from . import policy
from .changes import case_changed
from .forms import CaseDetailsForm, ChildForm
from .models import (
    ALLOCATED_ROLES,
    Allocation,
    CaseView,
    Child,
    ChronologyEntry,
    ChronologyKind,
    DataDownload,
    FamilyMember,
    ReunificationCase,
    Role,
    Stage,
    Team,
    User,
    Versioned,
)
from .models.versioned import StaleRecord, claim_version
from .records import RECORD_TYPES, case_details_rules, plausible_date_of_birth

# The case's relation naming each role's holder (policy names its column).
CASE_FIELD_FOR_ROLE = {
    role: column.removesuffix("_id") for role, column in policy.CASE_FIELD_FOR_ROLE.items()
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
    *,
    case: ReunificationCase,
    role: str,
    user: User,
    by: User,
    on: datetime.date | None = None,
    change_reason: str = "",
) -> Allocation:
    """Allocate `user` to `role` on the case from `on`, ending whoever held it."""
    case = lock_case(case)
    if not policy.is_team_manager_for(by, case):
        raise PermissionDenied("Only a team manager of the case's team can allocate it")
    check_allocatable(case, role, user)
    on = on or today()
    field = CASE_FIELD_FOR_ROLE[role]
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
        by,
        Allocation(
            case=case,
            role=role,
            user=user,
            start_date=on,
            allocated_by=by,
            change_reason=change_reason if role == Role.SOCIAL_WORKER else "",
        ),
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
def register_child(*, by: User, values: dict) -> Child:
    """Record a child new to the service (the fields of ChildForm), for a case to
    be opened for. Whoever may open cases may register one."""
    policy.require(policy.may_open_cases(by), "Only a team manager can register a child")
    child = Child()
    _apply(child, CHILD_FIELDS, values)
    plausible_date_of_birth(child.date_of_birth)
    _full_clean(child, CHILD_FIELDS)
    return _save_as(by, child)


@transaction.atomic
def open_case(
    *,
    team: Team,
    by: User,
    became_looked_after_on: datetime.date,
    category_of_need: str,
    allocations: dict[str, User],
    child: Child | None = None,
    child_values: dict | None = None,
    opened_on: datetime.date | None = None,
    previous_case: ReunificationCase | None = None,
    legal_status: dict | None = None,
    placement: dict | None = None,
    **details,
) -> ReunificationCase:
    """Open a reunification case for a child, in the identification stage, with its
    first allocations. Only a team manager of `team` may open one. Give `child`,
    or `child_values` to register a new child in the same transaction: if the case
    cannot open, the child is not recorded either. A child already in care may
    bring her `legal_status` and `placement` now (values of those records without
    their dates): each is saved through save_record, from the day she became
    looked after, with the case."""
    policy.require(
        policy.may_open_case_in(by, team), "Only a team manager of the team can open a case in it"
    )
    if (child is None) == (child_values is None):
        raise TypeError("open_case needs either child or child_values")
    if child is None:
        child = register_child(by=by, values=child_values)
    opened_on = opened_on or today()
    if ReunificationCase.objects.filter(child=child).exclude(stage=Stage.CLOSED).exists():
        raise ValidationError(f"{child} already has an open reunification case")
    if previous_case is None:
        previous_case = child.cases.filter(stage=Stage.CLOSED).order_by("-closed_on").first()
    case_details_rules(
        {"became_looked_after_on": became_looked_after_on, **details},
    )
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
    for kind, values, prefix in (
        ("legal-status", legal_status, "legal_status_"),
        ("placement", placement, ""),
    ):
        if values:
            try:
                save_record(
                    case=case,
                    by=by,
                    kind=kind,
                    values={**values, "start_date": became_looked_after_on},
                )
            except ValidationError as error:
                raise _named(error, prefix) from None
    case.refresh_from_db()
    case_changed(case.pk)
    return case


def _named(error: ValidationError, prefix: str) -> ValidationError:
    """A record's refusal keyed by the new-case page's names for its fields."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {f"{prefix}{name}": messages for name, messages in error.error_dict.items()}
    )


# Records changed through the record pages -----------------------------------------

CHILD_FIELDS = tuple(ChildForm._meta.fields)
CASE_DETAIL_FIELDS = tuple(CaseDetailsForm._meta.fields)


@transaction.atomic
def save_record(
    *,
    case: ReunificationCase,
    by: User,
    kind: str,
    values: dict,
    record_pk: int | None = None,
    version: int | None = None,
) -> models.Model:
    """Add a record of `kind` (a slug of cases.records.RECORD_TYPES) to the case,
    or change the one numbered `record_pk`, from plain values of its editable
    fields (RecordType.fields; a foreign key as an object or its pk). An edit
    names the `version` it changes: a missing or stale one raises StaleRecord with
    what is saved now, and nothing is written. The record type's rules raise
    ValidationError keyed by field; PermissionDenied unless `by` may change the
    case (so never on a closed case)."""
    record_type = RECORD_TYPES.get(kind)
    if record_type is None:
        raise ValueError(f"No record type {kind!r}")
    fields = record_type.fields
    _refuse_unknown(kind, fields, values)
    case = lock_case(case)
    policy.require(policy.may_change_case(by, case), "You cannot change this case")
    if record_pk is None:
        saved = None
        record = record_type.new_instance(case)
    else:
        saved = (
            record_type.queryset(case).select_for_update(of=("self",)).filter(pk=record_pk).first()
        )
        if saved is None:
            raise StaleRecord(None)  # deleted since the page was opened, or never here
        _claim(saved, version)
        record = copy.copy(saved)
    _apply(record, fields, values)
    record_type.validate(case, {name: _value(record, name) for name in fields}, saved)
    if isinstance(record, FamilyMember) and (
        saved is None or saved.age_when_recorded != record.age_when_recorded
    ):
        # An age given without a birth date grows from the day it was recorded.
        record.recorded_on = today()
    if isinstance(record, ChronologyEntry) and saved is None:
        record.recorded_by, record.recorded_at = by, now()
    _full_clean(record, fields)
    _save_as(by, record)
    case_changed(record_type.changed_cases(case))
    return record


@transaction.atomic
def update_child(*, case: ReunificationCase, by: User, values: dict, version: int | None) -> Child:
    """Change the child's details (the fields of ChildForm) through one of the
    child's cases, claiming `version` of the child's record."""
    _refuse_unknown("child", CHILD_FIELDS, values)
    case = lock_case(case)
    policy.require(policy.may_change_case(by, case), "You cannot change this case")
    child = Child.objects.select_for_update().get(pk=case.child_id)
    _claim(child, version)
    _apply(child, CHILD_FIELDS, values)
    plausible_date_of_birth(child.date_of_birth)
    _full_clean(child, CHILD_FIELDS)
    _save_as(by, child)
    open_cases = child.cases.exclude(stage=Stage.CLOSED).values_list("pk", flat=True)
    case_changed(list(open_cases))
    return child


@transaction.atomic
def update_case_details(
    *, case: ReunificationCase, by: User, values: dict, version: int | None
) -> ReunificationCase:
    """Change the case's own details (the fields of CaseDetailsForm), claiming
    `version` of the case."""
    _refuse_unknown("case details", CASE_DETAIL_FIELDS, values)
    case = lock_case(case)
    policy.require(policy.may_change_case(by, case), "You cannot change this case")
    _claim(case, version)
    _apply(case, CASE_DETAIL_FIELDS, values)
    case_details_rules({name: getattr(case, name) for name in CASE_DETAIL_FIELDS})
    _full_clean(case, CASE_DETAIL_FIELDS)
    _save_as(by, case)
    case_changed(case.pk)
    return case


def _refuse_unknown(kind: str, fields, values: dict) -> None:
    unknown = set(values) - set(fields)
    if unknown:
        raise TypeError(f"{kind} has no editable field {', '.join(sorted(unknown))}")


def _claim(record, version: int | None) -> None:
    """Claim the next version of a record being changed: an edit that does not say
    which version it changes is refused like one that changes an old one."""
    if not isinstance(record, Versioned):
        return
    if version is None:
        raise StaleRecord(record)
    claim_version(record, version)


def _apply(record, fields, values: dict) -> None:
    for name in fields:
        if name not in values:
            continue
        field = record._meta.get_field(name)
        value = values[name]
        if field.is_relation and not isinstance(value, models.Model | None):
            setattr(record, field.attname, value)  # a primary key
        else:
            setattr(record, name, value)


def _value(record, name: str):
    """The value of a field, None for a relation not set (rather than an error)."""
    field = record._meta.get_field(name)
    if field.is_relation and getattr(record, field.attname) is None:
        return None
    return getattr(record, name)


def _full_clean(record, fields) -> None:
    """The model's own checks of the fields set here, its uniqueness and its
    constraints; the fields no one sets here were checked when they were written."""
    set_here = set(fields) | {"recorded_on", "recorded_by", "recorded_at"}
    exclude = [f.name for f in record._meta.fields if f.name not in set_here]
    record.full_clean(exclude=exclude)


def lock_case(case: ReunificationCase) -> ReunificationCase:
    """The case row, locked until the transaction ends and read again under the
    lock, so that two people acting on one case at once act one after the other
    and every check after it sees the case as it is now, not as the page that
    asked loaded it. Every write to a case starts here, and this is where a closed
    case refuses it (PermissionDenied): a closed case takes nothing new."""
    locked = ReunificationCase.objects.select_for_update().select_related("child").get(pk=case.pk)
    policy.require(policy.takes_writes(locked), policy.CLOSED_CASE)
    return locked


def log_case_view(*, case: ReunificationCase, user: User, path: str) -> None:
    CaseView.objects.create(case=case, user=user, viewed_at=now(), path=path[:300])


def log_download(
    *,
    user: User | None,
    report: str,
    file_name: str,
    scope: str,
    row_count: int,
    source: str,
) -> DataDownload:
    """Keep who took children's data out of the service, when, and what: every
    CSV download and extract, before the file is handed over. `user` is None for
    an export from the command line."""
    return DataDownload.objects.create(
        user=user,
        downloaded_at=now(),
        report=report[:200],
        file_name=file_name[:200],
        scope=scope[:500],
        row_count=row_count,
        source=source[:500],
    )


def case_for_page(request, pk: int, *, change: bool = False) -> ReunificationCase:
    """The case a page shows, if this user may see (or change) it, with the view
    logged; otherwise 404 (may not see it) or 403 (may see it, may not change it)."""
    case = policy.case_for(request.user, pk, change=change)
    log_case_view(case=case, user=request.user, path=request.path)
    return case
