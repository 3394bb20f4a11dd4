"""Opening and allocating cases, and what the database itself refuses."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from cases import services
from cases.models import (
    Allocation,
    ChronologyKind,
    LegalStatus,
    LegalStatusCode,
    Placement,
    PlacementType,
    ReunificationCase,
    Role,
    Stage,
)
from tests.factories import (
    ChildFactory,
    LegalStatusFactory,
    PlacementFactory,
    ReunificationCaseFactory,
    UserFactory,
    open_case,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_10_march_2026")]

D = datetime.date


YESTERDAY = D(2026, 3, 9)


def close(case, on=YESTERDAY):
    case.stage = Stage.CLOSED
    case.closed_on = on
    case.save()


# Opening a case


def test_a_team_manager_opens_a_case_at_identification_with_its_allocations(
    team_manager, social_worker, iro
):
    case = open_case(team_manager=team_manager, social_worker=social_worker, iro=iro)

    assert case.stage == Stage.IDENTIFICATION
    assert case.opened_on == case.stage_entered_on == D(2026, 3, 10)
    assert case.team == team_manager.team
    assert (case.social_worker, case.team_manager, case.iro) == (social_worker, team_manager, iro)
    current = {a.role: a.user for a in case.allocations.filter(end_date__isnull=True)}
    assert current == {
        Role.SOCIAL_WORKER: social_worker,
        Role.TEAM_MANAGER: team_manager,
        Role.IRO: iro,
    }
    assert all(a.allocated_by == team_manager for a in case.allocations.all())


def test_opening_a_case_writes_the_chronology(team_manager, social_worker):
    case = open_case(team_manager=team_manager, social_worker=social_worker)

    opened = case.chronology.get(kind=ChronologyKind.CASE_OPENED)
    assert opened.occurred_on == D(2026, 3, 10)
    assert opened.recorded_by == team_manager
    assert opened.automatic
    allocations = case.chronology.filter(kind=ChronologyKind.ALLOCATION)
    assert {e.description for e in allocations} == {
        "Sarah Wood allocated as social worker.",
        "Tina Marsh allocated as team manager.",
    }


@pytest.mark.parametrize("who", ["social_worker", "south_manager", "head_of_service", "director"])
def test_only_a_team_manager_of_the_team_can_open_a_case_in_it(who, north, request):
    by = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.open_case(
            child=ChildFactory(),
            team=north,
            by=by,
            became_looked_after_on=D(2025, 6, 1),
            category_of_need="N1",
            allocations={},
        )
    assert not ReunificationCase.objects.exists()


def test_a_child_cannot_have_two_open_cases(team_manager):
    first = open_case(team_manager=team_manager)

    with pytest.raises(ValidationError, match="already has an open reunification case"):
        open_case(team_manager=team_manager, child=first.child)
    assert first.child.cases.count() == 1


def test_a_new_case_for_a_child_links_the_previous_closed_case(team_manager):
    earlier = open_case(team_manager=team_manager, opened_on=D(2024, 1, 10))
    close(earlier, on=D(2025, 1, 10))
    latest = open_case(team_manager=team_manager, child=earlier.child, opened_on=D(2025, 2, 1))
    close(latest, on=D(2025, 12, 1))

    case = open_case(team_manager=team_manager, child=earlier.child)

    assert case.previous_case == latest


def test_a_childs_first_case_has_no_previous_case(team_manager):
    assert open_case(team_manager=team_manager).previous_case is None


# Allocating


@pytest.fixture
def opened(team_manager, social_worker, iro):
    return open_case(
        team_manager=team_manager, social_worker=social_worker, iro=iro, opened_on=D(2026, 1, 5)
    )


def test_allocating_a_new_social_worker_ends_the_previous_allocation(
    opened, team_manager, social_worker, colleague
):
    services.allocate(
        case=opened, role=Role.SOCIAL_WORKER, user=colleague, by=team_manager, on=D(2026, 3, 2)
    )

    opened.refresh_from_db()
    assert opened.social_worker == colleague
    history = list(opened.allocations.filter(role=Role.SOCIAL_WORKER).order_by("start_date"))
    assert [(a.user, a.start_date, a.end_date) for a in history] == [
        (social_worker, D(2026, 1, 5), D(2026, 3, 2)),
        (colleague, D(2026, 3, 2), None),
    ]


def test_allocating_writes_a_chronology_entry(opened, team_manager, colleague):
    services.allocate(case=opened, role=Role.SOCIAL_WORKER, user=colleague, by=team_manager)

    entry = opened.chronology.filter(kind=ChronologyKind.ALLOCATION).latest("recorded_at")
    assert entry.description == "Colin Reed allocated as social worker, replacing Sarah Wood."
    assert entry.occurred_on == D(2026, 3, 10)
    assert entry.recorded_by == team_manager


def test_allocating_a_head_of_service_who_oversees_the_team(opened, team_manager, head_of_service):
    services.allocate(case=opened, role=Role.HEAD_OF_SERVICE, user=head_of_service, by=team_manager)

    opened.refresh_from_db()
    assert opened.head_of_service == head_of_service


def test_allocating_the_same_person_again_changes_nothing(opened, team_manager, social_worker):
    before = (Allocation.objects.count(), opened.chronology.count())

    allocation = services.allocate(
        case=opened, role=Role.SOCIAL_WORKER, user=social_worker, by=team_manager
    )

    assert allocation.start_date == D(2026, 1, 5)
    assert (Allocation.objects.count(), opened.chronology.count()) == before


def test_an_allocation_cannot_start_before_the_current_one(opened, team_manager, colleague):
    with pytest.raises(ValidationError, match="cannot start before 5 January 2026"):
        services.allocate(
            case=opened, role=Role.SOCIAL_WORKER, user=colleague, by=team_manager, on=D(2026, 1, 4)
        )


@pytest.mark.parametrize(
    "who", ["social_worker", "colleague", "south_manager", "head_of_service", "director", "iro"]
)
def test_only_a_team_manager_of_the_case_team_can_allocate(opened, colleague, who, request):
    with pytest.raises(PermissionDenied):
        services.allocate(
            case=opened,
            role=Role.SOCIAL_WORKER,
            user=colleague,
            by=request.getfixturevalue(who),
        )
    assert opened.allocations.filter(user=colleague).count() == 0


@pytest.mark.parametrize(
    ("role", "who", "message"),
    [
        (Role.SOCIAL_WORKER, "iro", "Ian Rowe does not hold the role of social worker"),
        (Role.IRO, "colleague", "Colin Reed does not hold the role of independent reviewing"),
        (Role.SOCIAL_WORKER, "outsider", "Oscar Stone is not in North"),
        (Role.TEAM_MANAGER, "south_manager", "Sue Mann is not in North"),
        (Role.HEAD_OF_SERVICE, "director", "does not hold the role of head of service"),
        (Role.PERFORMANCE, "performance", "is not a role allocated to cases"),
    ],
)
def test_a_person_who_cannot_hold_the_role_is_refused(
    opened, team_manager, role, who, message, request
):
    with pytest.raises(ValidationError, match=message):
        services.allocate(
            case=opened, role=role, user=request.getfixturevalue(who), by=team_manager
        )


def test_a_head_of_service_who_does_not_oversee_the_team_is_refused(opened, team_manager):
    elsewhere = UserFactory(first_name="Hal", last_name="Other", roles=[Role.HEAD_OF_SERVICE])

    with pytest.raises(ValidationError, match="Hal Other does not oversee North"):
        services.allocate(case=opened, role=Role.HEAD_OF_SERVICE, user=elsewhere, by=team_manager)


def test_a_user_who_has_left_cannot_be_allocated(opened, team_manager, colleague):
    colleague.is_active = False
    colleague.save()

    with pytest.raises(ValidationError, match="no longer an active user"):
        services.allocate(case=opened, role=Role.SOCIAL_WORKER, user=colleague, by=team_manager)


def test_allocation_changes_are_kept_in_history(opened, team_manager, colleague):
    services.allocate(case=opened, role=Role.SOCIAL_WORKER, user=colleague, by=team_manager)

    ended = Allocation.objects.get(role=Role.SOCIAL_WORKER, end_date__isnull=False)
    assert [h.history_type for h in ended.history.order_by("history_date")] == ["+", "~"]
    assert opened.history.filter(social_worker=colleague).exists()


# What the database refuses, whatever writes to it


def test_the_database_refuses_two_open_cases_for_one_child(north):
    first = ReunificationCaseFactory(team=north)

    with pytest.raises(IntegrityError), transaction.atomic():
        ReunificationCaseFactory(team=north, child=first.child)


def test_the_database_allows_a_new_case_once_the_old_one_is_closed(north):
    first = ReunificationCaseFactory(team=north)
    close(first)

    ReunificationCaseFactory(team=north, child=first.child)

    assert first.child.cases.count() == 2


def test_the_database_refuses_a_closed_case_without_a_closing_date(north):
    with pytest.raises(IntegrityError), transaction.atomic():
        ReunificationCaseFactory(team=north, stage=Stage.CLOSED, closed_on=None)


def test_the_database_refuses_a_placement_ending_before_it_starts():
    child = ChildFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Placement.objects.create(
            child=child,
            placement_type=PlacementType.U6,
            carer="Foster carer",
            start_date=D(2025, 6, 1),
            end_date=D(2025, 5, 31),
        )


def placement(child, start, end=None):
    return Placement.objects.create(
        child=child,
        placement_type=PlacementType.U6,
        carer="Foster carer",
        start_date=start,
        end_date=end,
    )


@pytest.mark.parametrize(
    ("existing", "new"),
    [
        ((D(2025, 1, 1), D(2025, 6, 1)), (D(2025, 5, 31), D(2025, 9, 1))),
        ((D(2025, 1, 1), None), (D(2025, 9, 1), None)),
        ((D(2025, 1, 1), None), (D(2024, 9, 1), D(2025, 1, 2))),
        ((D(2025, 1, 1), D(2025, 12, 1)), (D(2025, 3, 1), D(2025, 4, 1))),
        ((D(2025, 3, 1), D(2025, 4, 1)), (D(2025, 1, 1), None)),
    ],
)
def test_the_database_refuses_overlapping_placements_for_one_child(existing, new):
    child = ChildFactory()
    placement(child, *existing)

    with pytest.raises(IntegrityError), transaction.atomic():
        placement(child, *new)
    assert child.placements.count() == 1


def test_the_database_refuses_a_change_that_makes_placements_overlap():
    child = ChildFactory()
    placement(child, D(2025, 1, 1), D(2025, 6, 1))
    later = placement(child, D(2025, 6, 1))

    later.start_date = D(2025, 5, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        later.save()


def test_adjacent_placements_are_allowed():
    child = ChildFactory()
    placement(child, D(2025, 1, 1), D(2025, 6, 1))
    placement(child, D(2025, 6, 1), D(2025, 9, 1))
    placement(child, D(2025, 9, 1))

    assert child.placements.count() == 3


def test_placements_of_different_children_may_overlap():
    placement(ChildFactory(), D(2025, 1, 1))
    placement(ChildFactory(), D(2025, 1, 1))

    assert Placement.objects.count() == 2


def test_the_database_refuses_overlapping_legal_statuses_for_one_child():
    child = ChildFactory()
    LegalStatusFactory(child=child, code=LegalStatusCode.C1, start_date=D(2025, 1, 1))

    with pytest.raises(IntegrityError), transaction.atomic():
        LegalStatus.objects.create(
            child=child, code=LegalStatusCode.C2, start_date=D(2025, 8, 1), end_date=None
        )


def test_one_legal_status_may_follow_another_on_the_day_it_ends():
    child = ChildFactory()
    LegalStatusFactory(
        child=child, code=LegalStatusCode.C1, start_date=D(2025, 1, 1), end_date=D(2025, 8, 1)
    )
    LegalStatusFactory(child=child, code=LegalStatusCode.C2, start_date=D(2025, 8, 1))

    assert child.legal_statuses.count() == 2


def test_placement_factory_builds_a_valid_placement():
    assert PlacementFactory().pk
