"""Reads for pages: each list a page needs, built with the joins it needs, so the
number of queries does not grow with the number of cases."""

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils.text import capfirst
from simple_history.models import HistoricalChanges

from reunification.clock import today

from . import policy, rules
from .models import (
    Allocation,
    CaseView,
    Child,
    DataDownload,
    FamilyMember,
    LegalStatus,
    LegalStatusCode,
    Placement,
    PlacementType,
    ReunificationCase,
    Role,
    Stage,
    Team,
    User,
)
from .models.versioned import VERSION_FIELD


def _running_on(day: datetime.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}start_date__lte": day}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gt": day})
    )


def current_legal_status(child: Child, day: datetime.date | None = None) -> LegalStatus | None:
    """The child's legal status on `day` (today if not given): the one running then
    (periods are half-open, so one ending that day has ended), the latest started
    if records overlap. The one definition; the subquery below is it in SQL. Reads
    `child.legal_statuses.all()`, so a prefetch serves it."""
    day = day or today()
    running = [
        status
        for status in child.legal_statuses.all()
        if status.start_date <= day and (status.end_date is None or day < status.end_date)
    ]
    return max(running, key=lambda s: (s.start_date, s.pk), default=None)


def current_legal_status_subquery(child_ref: str = "child", day: datetime.date | None = None):
    """The code of `current_legal_status`, for annotating rows with a child."""
    current = LegalStatus.objects.filter(_running_on(day or today()), child=OuterRef(child_ref))
    return Subquery(current.order_by("-start_date", "-pk").values("code")[:1])


def is_on_care_order(child: Child, day: datetime.date | None = None) -> bool:
    status = current_legal_status(child, day)
    return status is not None and status.is_care_order


def on_care_order_rule(child_ref: str = "child", day: datetime.date | None = None) -> Exists:
    """`is_on_care_order` in SQL: Exists(...) for rows whose child is on an interim or
    full care order on `day`, from LegalStatusCode.care_orders()."""
    return Exists(
        LegalStatus.objects.filter(
            _running_on(day or today()),
            child=OuterRef(child_ref),
            code__in=LegalStatusCode.care_orders(),
        )
    )


def caseload(user: User) -> QuerySet[ReunificationCase]:
    """The cases this user may see, ready for a caseload table."""
    return (
        policy.visible_cases(user)
        .select_related("child", "team", "social_worker", "iro")
        .annotate(current_legal_status=current_legal_status_subquery())
        .order_by("child__last_name", "child__first_name", "pk")
    )


def team_caseload(team: Team) -> QuerySet[ReunificationCase]:
    return (
        ReunificationCase.objects.filter(team=team)
        .exclude(stage=Stage.CLOSED)
        .select_related("child", "social_worker", "iro")
        .annotate(current_legal_status=current_legal_status_subquery())
        .order_by("social_worker__last_name", "child__last_name", "pk")
    )


def workload(team: Team) -> QuerySet[User]:
    """The team's social workers with their count of open cases."""
    return (
        User.objects.filter(team=team, role_grants__role=Role.SOCIAL_WORKER, is_active=True)
        .annotate(
            open_cases=Count(
                "cases_as_social_worker",
                filter=~Q(cases_as_social_worker__stage=Stage.CLOSED),
            )
        )
        .order_by("last_name", "first_name")
    )


@dataclass
class HouseholdRow:
    member: FamilyMember
    age: int | None
    needs_check: bool
    latest_check: object | None

    @property
    def check_outstanding(self) -> bool:
        return self.needs_check and (self.latest_check is None or not self.latest_check.returned_on)


def household(case: ReunificationCase, today: datetime.date) -> list[HouseholdRow]:
    rows = []
    if "family_members" in getattr(case, "_prefetched_objects_cache", {}):
        members = case.family_members.all()  # with their checks (the deadline sweep)
    else:
        members = case.family_members.prefetch_related("police_checks")
    for member in members:
        person = rules.Person(
            date_of_birth=member.date_of_birth,
            age_when_recorded=member.age_when_recorded,
            recorded_on=member.recorded_on,
            lives_in_household=member.lives_in_household,
            regular_visitor=member.regular_visitor,
            extended_family=member.extended_family,
        )
        checks = list(member.police_checks.all())
        rows.append(
            HouseholdRow(
                member=member,
                age=rules.age_of(person, today),
                needs_check=rules.needs_police_check(person, today),
                latest_check=checks[0] if checks else None,
            )
        )
    return rows


def current_period(periods, today: datetime.date):
    """The period running today, or failing that the most recent one."""
    periods = list(periods)
    for period in periods:
        if period.start_date <= today and (period.end_date is None or today < period.end_date):
            return period
    return periods[0] if periods else None


def placed_with_parents_since(
    child: Child, day: datetime.date | None = None
) -> datetime.date | None:
    """Since when the child has lived with a parent: the start of the placement
    running on `day` (today if not given) when it is with a parent (P1); None when
    she lives elsewhere or no placement runs. Reads `child.placements.all()`."""
    day = day or today()
    for placement in child.placements.all():
        running = placement.start_date <= day and (
            placement.end_date is None or day < placement.end_date
        )
        if running and placement.placement_type == PlacementType.P1:
            return placement.start_date
    return None


def current_placement(case: ReunificationCase, today: datetime.date) -> Placement | None:
    return current_period(case.child.placements.all(), today)


def current_allocations(case: ReunificationCase) -> QuerySet[Allocation]:
    return case.allocations.filter(end_date__isnull=True).select_related("user")


OPEN_STAGES = [stage for stage in Stage if stage != Stage.CLOSED]


def allocation_mismatches() -> QuerySet[ReunificationCase]:
    """Cases whose named role holder (case.social_worker, .iro, ...) is not the
    user of that role's latest Allocation, or (on an open case) whose latest
    allocation has ended: should always be empty, as `services.allocate` writes
    both together. A closed case keeps naming who held each role when it closed."""
    out_of_line = Q()
    annotations = {}
    for role, field in policy.CASE_FIELD_FOR_ROLE.items():
        latest = Allocation.objects.filter(case=OuterRef("pk"), role=role).order_by(
            "-start_date", "-pk"
        )
        holder, ended = f"latest_{role}", f"latest_{role}_ended"
        annotations[holder] = Subquery(latest.values("user")[:1])
        annotations[ended] = Subquery(latest.values("end_date")[:1])
        out_of_line |= (
            Q(**{f"{field}__isnull": False, f"{holder}__isnull": True})
            | Q(**{f"{field}__isnull": True, f"{holder}__isnull": False})
            | (Q(**{f"{field}__isnull": False}) & ~Q(**{field: F(holder)}))
            | Q(**{f"{field}__isnull": False, f"{ended}__isnull": False, "stage__in": OPEN_STAGES})
        )
    return ReunificationCase.objects.annotate(**annotations).filter(out_of_line)


# How the audit page names a kind of record, where its verbose name would not do.
HISTORY_LABELS = {
    ReunificationCase: "Case",
    FamilyMember: "Household member",
}


def history_label(model) -> str:
    return HISTORY_LABELS.get(model) or capfirst(str(model._meta.verbose_name))


def tracked_models() -> list[type]:
    """Every model whose versions django-simple-history keeps, the case first."""
    found = [m.instance_type for m in apps.get_models() if issubclass(m, HistoricalChanges)]
    return sorted(found, key=lambda m: (m is not ReunificationCase, m is not Child))


@dataclass
class Change:
    when: datetime.datetime
    who: object
    record: str
    action: str
    changes: list[tuple[str, str, str]]


HISTORY_ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}


def _versions_of(model, case: ReunificationCase, tracked: set, seen=()) -> QuerySet | None:
    """The versions of `model`'s records that belong to this case: those that name
    the case, or the child, or (for a record inside another, such as a goal in a
    written agreement) that name any version of a record that belongs to it. By
    versions rather than live rows, so deleted records stay in the trail."""
    versions = model.history.model.objects
    if model is ReunificationCase:
        return versions.filter(id=case.pk)
    if model is Child:
        return versions.filter(id=case.child_id)
    links = [f for f in model._meta.concrete_fields if f.many_to_one or f.one_to_one]
    for target, key in ((ReunificationCase, case.pk), (Child, case.child_id)):
        for field in links:
            if field.related_model is target:
                return versions.filter(**{field.attname: key})
    for field in links:
        parent = field.related_model
        if parent in tracked and parent is not model and parent not in seen:
            parents = _versions_of(parent, case, tracked, (*seen, model))
            if parents is not None:
                return versions.filter(**{f"{field.attname}__in": parents.values("id")})
    return None


def history_sources(case: ReunificationCase) -> list[tuple[type, QuerySet]]:
    """(model, versions for this case) for every tracked model that belongs to a case."""
    models = tracked_models()
    tracked = set(models)
    sources = [(model, _versions_of(model, case, tracked)) for model in models]
    return [(model, versions) for model, versions in sources if versions is not None]


def _field_changes(model, older, newer) -> list[tuple[str, object, object, object]]:
    """(label, old, new, related model or None) for each field that differs."""
    rows = []
    for field in model._meta.concrete_fields:
        if field.name == VERSION_FIELD:
            continue  # bookkeeping for concurrent edits, not a change anyone made
        old, new = getattr(older, field.attname), getattr(newer, field.attname)
        if old != new:
            related = field.related_model if field.is_relation else None
            rows.append((str(field.verbose_name).capitalize(), old, new, related))
    return rows


def case_versions(case: ReunificationCase) -> list[tuple]:
    """Every recorded version of the case and its records, newest first, as
    (model, version, changed fields): the case, the child and every record of the
    case, the risk, planning and review records included. One query per kind of
    record."""
    versions = []
    for model, queryset in history_sources(case):
        previous_by_id = {}
        for entry in queryset.select_related("history_user").order_by("history_date", "pk"):
            before = previous_by_id.get(entry.id)
            changes = _field_changes(model, before, entry) if before else []
            versions.append((model, entry, changes))
            previous_by_id[entry.id] = entry
    versions.sort(key=lambda version: version[1].history_date, reverse=True)
    return versions


def case_history(case: ReunificationCase, limit: int = 200) -> list[Change]:
    """The newest `limit` changes to the case and its records, described."""
    return describe_changes(case_versions(case)[:limit])


def describe_changes(versions: list[tuple]) -> list[Change]:
    """Versions from `case_versions` as changes to show: one query more per kind
    of linked record named in them."""
    # Name linked records (people, household members) rather than show their ids.
    wanted: dict[type, set] = {}
    for _, _, changes in versions:
        for _, old, new, related in changes:
            if related is not None:
                wanted.setdefault(related, set()).update(v for v in (old, new) if v is not None)
    names = {
        related: {pk: str(obj) for pk, obj in related.objects.in_bulk(list(ids)).items()}
        for related, ids in wanted.items()
    }

    def shown(value, related):
        if value is None or value == "":
            return "blank"
        if related is not None:
            return names.get(related, {}).get(value, f"#{value}")
        return str(value)

    return [
        Change(
            when=entry.history_date,
            who=entry.history_user,
            record=history_label(model),
            action=HISTORY_ACTIONS[entry.history_type],
            changes=[
                (label, shown(old, related), shown(new, related))
                for label, old, new, related in changes
                if label not in {"Id"}
            ],
        )
        for model, entry, changes in versions
    ]


def case_views(case: ReunificationCase) -> QuerySet[CaseView]:
    """Every view of the case, newest first."""
    return case.views.select_related("user").order_by("-viewed_at", "-pk")


def data_downloads() -> QuerySet[DataDownload]:
    """Every download of children's data, newest first, with who took it."""
    return DataDownload.objects.select_related("user").order_by("-downloaded_at", "-pk")


def came_back_into_care_subquery(child_ref: str, returned_ref: str):
    """The day the child next came into care after a return home on `returned_ref`,
    from the child's own record whatever became of the case: the earliest of a
    placement away from the parents (not P1) that began after the return, a legal
    status that began a new period of care after it (no status running the day
    before), a later case's "became looked after" date, an earlier care episode
    recorded since, or a failed return of that date on the child's record. None
    while nothing shows the child back in care. For annotating rows that have a
    child and a return date; a SQL expression, so it reads no rows itself."""
    from django.db.models import DateField, Min, Value
    from django.db.models.functions import Coalesce, Least, NullIf

    from .models import CareEpisode, PreviousReturn

    child, after = OuterRef(child_ref), OuterRef(returned_ref)
    continued = LegalStatus.objects.filter(
        child=OuterRef("child"), start_date__lt=OuterRef("start_date")
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=OuterRef("start_date")))
    sources = [
        Placement.objects.filter(child=child, start_date__gt=after).exclude(
            placement_type=PlacementType.P1
        ),
        LegalStatus.objects.filter(child=child, start_date__gt=after).filter(~Exists(continued)),
        ReunificationCase.objects.filter(child=child, became_looked_after_on__gt=after),
        CareEpisode.objects.filter(child=child, start_date__gt=after),
        PreviousReturn.objects.filter(
            child=child, returned_home_on=after, came_back_into_care_on__isnull=False
        ),
    ]
    columns = ["start_date", "start_date", "became_looked_after_on", "start_date"]
    columns.append("came_back_into_care_on")
    never = Value(datetime.date(9999, 12, 31), output_field=DateField())
    earliest = [
        Coalesce(
            Subquery(
                rows.order_by().values("child").annotate(first=Min(column)).values("first")[:1],
                output_field=DateField(),
            ),
            never,
        )
        for rows, column in zip(sources, columns, strict=True)
    ]
    return NullIf(Least(*earliest), never)
