"""Factories for the case record. Dates are counted back from the application's
clock, so a test that travels in time gets data that fits the day it travels to.

Tests should open cases the way the application does, through `open_case` here
(a thin wrapper over `cases.services.open_case`), so allocations and the
chronology are there as they would be in real use.
"""

import datetime

import factory
from factory.django import DjangoModelFactory, Password

from cases import services
from cases.models import (
    CareEpisode,
    CategoryOfNeed,
    Child,
    ChronologyEntry,
    ChronologyKind,
    Ethnicity,
    FamilyMember,
    LegalStatus,
    LegalStatusCode,
    MissingEpisode,
    ParentalIssue,
    ParentalIssueKind,
    Placement,
    PlacementType,
    PoliceCheck,
    PreviousReturn,
    ReasonEpisodeCeased,
    ReunificationCase,
    Role,
    RoleGrant,
    ServiceArea,
    Sex,
    Sibling,
    Stage,
    Team,
    TreatmentUptake,
    User,
)
from reunification.clock import now, today


def days_ago(days: int):
    return factory.LazyFunction(lambda: today() - datetime.timedelta(days=days))


def years_ago(years: int):
    return factory.LazyFunction(lambda: today().replace(year=today().year - years, day=1))


class ServiceAreaFactory(DjangoModelFactory):
    class Meta:
        model = ServiceArea
        django_get_or_create = ("name",)

    name = "Children's Services"


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")
    service_area = factory.SubFactory(ServiceAreaFactory)


class UserFactory(DjangoModelFactory):
    """A user; `roles=[Role.SOCIAL_WORKER]` grants roles. The password is unusable
    unless one is given, which keeps the slow password hasher out of most tests."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"Person{n}")
    last_name = "Example"
    email = factory.LazyAttribute(lambda u: f"{u.username}@council.example.gov.uk")
    password = Password(None)
    team = None

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        RoleGrant.objects.bulk_create(RoleGrant(user=self, role=role) for role in extracted)
        self.__dict__.pop("roles", None)  # drop the cached set of roles


class ChildFactory(DjangoModelFactory):
    class Meta:
        model = Child

    first_name = factory.Sequence(lambda n: f"Child{n}")
    last_name = "Example"
    date_of_birth = years_ago(9)
    sex = Sex.FEMALE
    ethnicity = Ethnicity.WBRI
    local_identifier = factory.Sequence(lambda n: f"LA{n:06d}")


class ReunificationCaseFactory(DjangoModelFactory):
    """A bare case row, for tests of the database itself. Elsewhere prefer
    `open_case`, which allocates and writes the chronology as the service does."""

    class Meta:
        model = ReunificationCase

    child = factory.SubFactory(ChildFactory)
    team = factory.SubFactory(TeamFactory)
    stage = Stage.IDENTIFICATION
    opened_on = days_ago(30)
    stage_entered_on = factory.SelfAttribute("opened_on")
    became_looked_after_on = days_ago(200)
    category_of_need = CategoryOfNeed.N1


class LegalStatusFactory(DjangoModelFactory):
    class Meta:
        model = LegalStatus

    child = factory.SubFactory(ChildFactory)
    code = LegalStatusCode.V2
    start_date = days_ago(200)
    end_date = None


class PlacementFactory(DjangoModelFactory):
    class Meta:
        model = Placement

    child = factory.SubFactory(ChildFactory)
    placement_type = PlacementType.U6
    carer = "Mr and Mrs Foster"
    start_date = days_ago(200)
    end_date = None


class SiblingFactory(DjangoModelFactory):
    class Meta:
        model = Sibling

    child = factory.SubFactory(ChildFactory)
    name = "Jordan Example"
    date_of_birth = years_ago(12)
    living_arrangement = "at_home"


class CareEpisodeFactory(DjangoModelFactory):
    class Meta:
        model = CareEpisode

    child = factory.SubFactory(ChildFactory)
    start_date = days_ago(1200)
    end_date = days_ago(1000)
    reason_ceased = ReasonEpisodeCeased.E4A


class PreviousReturnFactory(DjangoModelFactory):
    class Meta:
        model = PreviousReturn

    child = factory.SubFactory(ChildFactory)
    returned_home_on = days_ago(1000)
    came_back_into_care_on = days_ago(800)
    reason_for_breakdown = "Mother relapsed"


class MissingEpisodeFactory(DjangoModelFactory):
    class Meta:
        model = MissingEpisode

    child = factory.SubFactory(ChildFactory)
    start_date = days_ago(60)
    end_date = days_ago(59)


class FamilyMemberFactory(DjangoModelFactory):
    class Meta:
        model = FamilyMember

    case = factory.SubFactory(ReunificationCaseFactory)
    name = factory.Sequence(lambda n: f"Relative {n}")
    relationship = "Mother"
    date_of_birth = years_ago(35)
    age_when_recorded = None
    recorded_on = factory.LazyFunction(today)
    lives_in_household = True


class ParentalIssueFactory(DjangoModelFactory):
    class Meta:
        model = ParentalIssue

    case = factory.SubFactory(ReunificationCaseFactory)
    kind = ParentalIssueKind.SUBSTANCE_MISUSE
    treatment = TreatmentUptake.ENGAGING


class PoliceCheckFactory(DjangoModelFactory):
    class Meta:
        model = PoliceCheck

    member = factory.SubFactory(FamilyMemberFactory)
    requested_on = days_ago(20)
    returned_on = None
    outcome = ""


class ChronologyEntryFactory(DjangoModelFactory):
    class Meta:
        model = ChronologyEntry

    case = factory.SubFactory(ReunificationCaseFactory)
    occurred_on = days_ago(100)
    kind = ChronologyKind.SIGNIFICANT_EVENT
    description = "Police called to the family home"
    recorded_by = factory.SubFactory(UserFactory)
    recorded_at = factory.LazyFunction(now)


def open_case(
    *,
    team_manager: User,
    social_worker: User | None = None,
    iro: User | None = None,
    child: Child | None = None,
    became_looked_after_on: datetime.date | None = None,
    **details,
) -> ReunificationCase:
    """A case opened by `team_manager` in her team, as the new-case page opens one."""
    allocations = {Role.TEAM_MANAGER: team_manager}
    if social_worker:
        allocations[Role.SOCIAL_WORKER] = social_worker
    if iro:
        allocations[Role.IRO] = iro
    return services.open_case(
        child=child or ChildFactory(),
        team=team_manager.team,
        by=team_manager,
        became_looked_after_on=became_looked_after_on or today() - datetime.timedelta(days=200),
        category_of_need=details.pop("category_of_need", CategoryOfNeed.N1),
        allocations=allocations,
        **details,
    )


def one_record_of_every_kind(case: ReunificationCase, *, by: User) -> None:
    """One of each record in cases.records.RECORD_TYPES, so every edit page exists."""
    child = case.child
    start = case.became_looked_after_on
    SiblingFactory(child=child)
    LegalStatusFactory(child=child, start_date=start)
    PlacementFactory(child=child, start_date=start)
    CareEpisodeFactory(child=child)
    PreviousReturnFactory(child=child)
    MissingEpisodeFactory(child=child)
    mother = FamilyMemberFactory(case=case, name="Dawn Brightwater", relationship="Mother")
    ParentalIssueFactory(case=case, parent=mother)
    PoliceCheckFactory(member=mother)
    ChronologyEntryFactory(case=case, recorded_by=by)
