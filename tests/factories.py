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
    issue = ParentalIssueFactory(case=case, parent=mother)
    PoliceCheckFactory(member=mother)
    ChronologyEntryFactory(case=case, recorded_by=by)
    _assessment_and_planning_records(case, mother)
    _no_specialist_service(case, issue)


def _no_specialist_service(case: ReunificationCase, issue) -> None:
    """The reason a parental issue has no specialist service (a planning record)."""
    from planning.models import NoSpecialistService

    NoSpecialistService.objects.create(
        case=case, issue=issue, reason="Her GP's service meets it", decided_on=today()
    )


def _assessment_and_planning_records(case: ReunificationCase, parent) -> None:
    """One of each record type the risk and planning apps register."""
    from planning import models as planning
    from risk.models import ChildViews, ParentViews, SingleAssessment

    day = today() - datetime.timedelta(days=7)
    ChildViews.objects.create(
        case=case,
        recorded_on=day,
        views="Wants to go home",
        advocate="declined",
        advocate_offered_on=day,
    )
    ParentViews.objects.create(
        case=case,
        parent=parent,
        recorded_on=day,
        views="Wants her home",
        advocate="declined",
        advocate_offered_on=day,
    )
    SingleAssessment.objects.create(
        case=case,
        housing_financial_education="Housing settled",
        parenting_capacity="Improving",
        significant_events="See chronology",
        barriers_to_change="Isolation",
        sustained_change_and_relapse="Six months sober",
    )
    planning.FamilyTimeStep.objects.create(
        case=case, starts_on=day, frequency="Twice a week", duration="3 hours"
    )
    planning.ContingencyPlan.objects.create(
        case=case, scenarios="If", actions="Then", carers_roles="Roles", agreed_on=day
    )
    planning.SupportService.objects.create(
        case=case, kind="service", provider="Family support", starts_on=day, timing="both"
    )
    planning.SupportPlan.objects.create(
        case=case, fgc_held=True, fgc_held_on=day, siblings_considered="Jordan"
    )
    planning.DirectWorkSession.objects.create(
        case=case, held_on=day, kind="direct_work", notes="Notes"
    )
    planning.PlacementPlan.objects.create(
        case=case,
        lives_with="Mother",
        arrangements="Same school",
        support="Family support",
        contact="Weekly with her brother",
        agreed_on=day,
    )


# The reunification journey ----------------------------------------------------
#
# Records that are plain data entry (views, the single assessment, planning
# records) are made here directly; decisions and stage moves are left to the
# tests, which make them through reviews.services or the pages.

# Answers to the risk tool that point to each level (002 Appendix A).
RISK_ANSWERS = {
    "low": ("addressed", "apparent", "able", "both_want", "unlikely"),
    "medium": ("not_all_addressed", "apparent", "able", "both_want", "some"),
    "high": ("not_being_addressed", "apparent", "unable", "ambivalent", "strong"),
    "severe": ("not_being_addressed", "none", "unable", "ambivalent", "very_strong"),
}


def submitted_risk_assessment(
    case: ReunificationCase,
    *,
    author: User,
    level: str = "medium",
    assessed_on=None,
    departure_rationale: str = "",
):
    """A risk assessment whose answers point to `level`, sent for sign-off through
    the risk services (with `departure_rationale` for a level lower than the step
    rules allow yet)."""
    from risk import services as risk_services
    from risk.models import RiskAssessment, RiskFactorEntry

    risk_factors, protective, capacity, wishes, recurrence = RISK_ANSWERS[level]
    assessment = RiskAssessment.objects.create(
        case=case,
        author=author,
        assessed_on=assessed_on or today(),
        risk_factors=risk_factors,
        risk_factors_evidence="Mother is working with the substance misuse service.",
        protective_factors=protective,
        protective_factors_evidence="Grandmother visits daily.",
        capacity_for_change=capacity,
        capacity_for_change_evidence="Kept every appointment since the autumn.",
        wishes=wishes,
        wishes_evidence="Kayla and her mother both spoke about it.",
        recurrence=recurrence,
        recurrence_evidence="Judged from the chronology and the police checks.",
    )
    RiskFactorEntry.objects.create(
        assessment=assessment, factor="substance_misuse", status="being_addressed"
    )
    return risk_services.submit_for_sign_off(
        assessment=assessment,
        by=author,
        confirmed_level=level,
        rationale="The practitioner's judgement, with the tool.",
        departure_rationale=departure_rationale,
    )


def signed_off_risk_assessment(
    case: ReunificationCase,
    *,
    author: User,
    manager: User,
    level: str = "medium",
    assessed_on=None,
    departure_rationale: str = "",
):
    """A risk assessment at `level`, written by `author` and signed off by
    `manager` through the risk services, as the risk pages do it."""
    from risk import services as risk_services

    assessment = submitted_risk_assessment(
        case,
        author=author,
        level=level,
        assessed_on=assessed_on,
        departure_rationale=departure_rationale,
    )
    return risk_services.sign_off(assessment=assessment, by=manager)


def parents_with_responsibility(case: ReunificationCase) -> list[FamilyMember]:
    """Every household member with parental responsibility; the mother recorded
    by `one_record_of_every_kind` is given it if no one has it yet, and a mother
    is recorded if there is none."""
    parents = list(case.family_members.filter(has_parental_responsibility=True))
    if not parents:
        case.family_members.filter(relationship="Mother").update(has_parental_responsibility=True)
        parents = list(case.family_members.filter(has_parental_responsibility=True))
    if not parents:
        parents = [
            FamilyMemberFactory(
                case=case,
                name=f"{case.child.first_name}'s mother",
                has_parental_responsibility=True,
            )
        ]
    return parents


def return_police_checks(case: ReunificationCase, *, returned_on=None) -> None:
    """Every police check the household needs, requested and returned."""
    from cases.selectors import household

    day = returned_on or today()
    for row in household(case, day):
        if not row.check_outstanding:
            continue
        if row.latest_check is None:
            PoliceCheckFactory(
                member=row.member, requested_on=day, returned_on=day, outcome="no_trace"
            )
        else:
            check = row.latest_check
            check.returned_on = max(day, check.requested_on)
            check.outcome = "no_trace"
            check.save()


def assessment_records(
    case: ReunificationCase,
    *,
    child_views: bool = True,
    advocate: str = "accepted",
    parent_views: bool = True,
    single_assessment: bool = True,
    police_checks: bool = True,
    on=None,
) -> None:
    """The records the assessment stage needs besides the risk assessment: the
    child's views and the advocate offer, each parent's views, the single
    assessment and the police checks."""
    from risk.models import ChildViews, ParentViews, SingleAssessment

    day = on or today()
    if child_views:
        ChildViews.objects.update_or_create(
            case=case,
            defaults={
                "recorded_on": day,
                "views": "I want to go home to Mum.",
                "not_recorded_reason": "",
                "advocate": advocate,
                "advocate_offered_on": day if advocate in ("accepted", "declined") else None,
                "advocate_name": "Sam Okoro, children's rights service"
                if advocate == "accepted"
                else "",
            },
        )
    parents = parents_with_responsibility(case)
    if parent_views:
        for parent in parents:
            ParentViews.objects.update_or_create(
                case=case,
                parent=parent,
                defaults={
                    "recorded_on": day,
                    "views": "I want her home.",
                    "advocate": "declined",
                    "advocate_offered_on": day,
                },
            )
    if single_assessment:
        SingleAssessment.objects.update_or_create(
            case=case,
            defaults={
                "housing_financial_education": "Two-bedroom flat; benefits in place; school kept.",
                "parenting_capacity": "Good routines; capacity to change shown since the autumn.",
                "chronology_and_genogram_reviewed": True,
                "significant_events": "Police called twice in 2024.",
                "barriers_to_change": "Isolation from family.",
                "sustained_change_and_relapse": "Six months without a relapse.",
            },
        )
    if police_checks:
        return_police_checks(case, returned_on=day)


def planning_records(case: ReunificationCase, *, team_manager: User, on=None) -> None:
    """Every support and planning record the move to confirmation needs, except
    Placement with Parents approval (the service director's decision)."""
    from planning import models as planning

    day = on or today()
    meeting = planning.PlanningMeeting.objects.create(
        case=case, held_on=day, led_by=team_manager, considerations="Gradual return over 8 weeks."
    )
    for kind in ("child", "parent", "social_worker", "iro"):
        planning.MeetingInvitee.objects.create(
            meeting=meeting, kind=kind, invited=True, attended=True
        )
    agreement = planning.WrittenAgreement.objects.create(
        case=case,
        agreed_on=day,
        consequences_explained="Family time goes back to supervised visits.",
        parents_agreed=True,
        review_dates="Every six weeks",
    )
    planning.AgreementGoal.objects.create(
        agreement=agreement,
        goal="Mother stays abstinent",
        measure="Negative tests every fortnight",
        responsible="Mother; the substance misuse service",
        due_on=day + datetime.timedelta(days=90),
    )
    planning.FamilyTimeStep.objects.create(
        case=case, starts_on=day, frequency="Twice a week", duration="3 hours", supervised=True
    )
    planning.FamilyTimeStep.objects.create(
        case=case,
        starts_on=day + datetime.timedelta(days=28),
        frequency="Weekly",
        duration="Friday to Sunday",
        overnight=True,
    )
    planning.ContingencyPlan.objects.create(
        case=case,
        scenarios="Mother relapses",
        actions="Kayla goes to her grandmother",
        carers_roles="Foster carers keep her room for six weeks",
        agreed_on=day,
    )
    planning.SupportPlan.objects.update_or_create(
        case=case,
        defaults={
            "fgc_held": True,
            "fgc_held_on": day,
            "fgc_not_held_reason": "",
            "siblings_considered": "Jordan stays at home; they already see each other weekly.",
        },
    )
    planning.SupportService.objects.create(
        case=case,
        kind="specialist_substance_misuse",
        provider="Turning Point",
        starts_on=day,
        timing="both",
    )
    planning.DirectWorkSession.objects.create(
        case=case, held_on=day, kind="restorative_meeting", notes="Kayla and Mum met."
    )
    placement_plan(case, on=day)


def placement_plan(case: ReunificationCase, *, on=None):
    """The placement plan a placement with parents on a care order is decided on."""
    from planning.models import PlacementPlan

    plan, _ = PlacementPlan.objects.update_or_create(
        case=case,
        defaults={
            "lives_with": "Kayla's mother, Dawn Brightwater, and no other adult",
            "arrangements": "Kayla stays at Hillside Primary; her GP stays the same.",
            "support": "Turning Point weekly; the family support worker twice a week.",
            "contact": "Weekly with her brother Jordan; monthly with her former foster carers.",
            "agreed_on": on or today(),
        },
    )
    return plan


def put_on_care_order(case: ReunificationCase, *, code: str = "C1", on=None) -> LegalStatus:
    """End the child's current legal status and start `code` (an interim or full
    care order) on `on`."""
    day = on or today()
    case.child.legal_statuses.filter(end_date__isnull=True).update(end_date=day)
    return LegalStatusFactory(child=case.child, code=code, start_date=day)


def journey_to(case: ReunificationCase, stage: str, *, people, level: str = "medium"):
    """Walk the case to `stage` today, each decision and move made through the
    reviews services by the person whose decision it is. `people` has
    social_worker, team_manager, head_of_service, iro (and director, needed on a
    care order). The assessment's risk assessment is dated a week back, so that
    at confirmation it is not a new one."""
    from reviews.journey import decisions as journey

    order = [Stage.ASSESSMENT, Stage.SUPPORT_PLANNING, Stage.CONFIRMATION]
    day = today()
    case.refresh_from_db()
    if case.reunification_first_considered_on is None:
        case.reunification_first_considered_on = day
        case.save(update_fields=["reunification_first_considered_on"])
    for step, who in [
        ("confirmed", people.team_manager),
        ("agreed", people.head_of_service),
        ("ratified", people.iro),
    ]:
        journey.approve_care_plan(
            case=case,
            by=who,
            step=step,
            approved_on=day,
            cic_review_on=day if step == "ratified" else None,
            rationale=f"Care plan {step}.",
        )
    journey.start_assessment(case=case, by=people.social_worker)
    if stage == Stage.ASSESSMENT:
        case.refresh_from_db()
        return case
    assessment_records(case)
    signed_off_risk_assessment(
        case,
        author=people.social_worker,
        manager=people.team_manager,
        level=level,
        assessed_on=day - datetime.timedelta(days=7),
    )
    journey.record_viability_consultation(
        case=case,
        by=people.team_manager,
        held_on=day,
        outcome="suited",
        rationale="Medium risk; both want it; services in place.",
        participants=participants(people),
    )
    if order.index(stage) >= order.index(Stage.CONFIRMATION):
        planning_records(case, team_manager=people.team_manager)
        if case.child.legal_statuses.filter(end_date__isnull=True, code__in=["C1", "C2"]):
            from planning.services import approve_placement_with_parents

            approve_placement_with_parents(
                case=case, by=people.director, approved_on=day, notes="Placement plan seen."
            )
        journey.move_to_confirmation(case=case, by=people.social_worker)
    case.refresh_from_db()
    return case


def participants(people) -> dict:
    """Those who take part in viability consultations and meetings."""
    return {
        "social_worker": people.social_worker,
        "team_manager": people.team_manager,
        "head_of_service": people.head_of_service,
        "iro": people.iro,
    }


def journey_beyond(case: ReunificationCase, stage: str, *, people, level: str = "medium"):
    """Walk the case to any stage before closing, each step through the services
    by the person whose decision it is: up to confirmation as `journey_to` does;
    Stage.RETURN_HOME by a viability meeting confirming today as the return date
    and a planned return home on it (section 20 ending, Child in Need plan);
    Stage.NOT_PURSUED by a High signed-off assessment at assessment and the team
    manager's decision not to pursue reunification."""
    from reviews.aftercare import return_home
    from reviews.journey import decisions as journey

    if stage in (Stage.IDENTIFICATION, Stage.ASSESSMENT, Stage.SUPPORT_PLANNING):
        if stage == Stage.IDENTIFICATION:
            return case
        return journey_to(case, stage, people=people, level=level)
    day = today()
    if stage == Stage.NOT_PURSUED:
        journey_to(case, Stage.ASSESSMENT, people=people)
        assessment_records(case)
        signed_off_risk_assessment(
            case, author=people.social_worker, manager=people.team_manager, level="high"
        )
        journey.record_not_pursued(
            case=case,
            by=people.team_manager,
            decided_on=day,
            explained_to_child_on=day,
            explained_to_family_on=day,
            care_plan_now="Long-term fostering with her grandmother.",
            rationale="High risk: mother has not engaged with treatment.",
        )
        case.refresh_from_db()
        return case
    journey_to(case, Stage.CONFIRMATION, people=people, level=level)
    if stage == Stage.CONFIRMATION:
        return case
    signed_off_risk_assessment(
        case, author=people.social_worker, manager=people.team_manager, level=level
    )
    journey.record_viability_meeting(
        case=case,
        by=people.team_manager,
        held_on=day,
        outcome="confirmed",
        rationale="Progress sustained through the programme.",
        participants=participants(people),
        return_date=day,
    )
    approve_ceasing_care(case, people=people, on=day)
    return_home.record_return_home(
        case=case,
        by=people.social_worker,
        returned_on=day,
        planned=True,
        returned_to="Her mother",
        legal_status_after="child_in_need",
        episode_end_reason="E4A",
    )
    case.refresh_from_db()
    return case


def approve_ceasing_care(case: ReunificationCase, *, people, on=None, plan="Child in Need plan"):
    """Regulation 39 through the services: the social worker asks the service
    director to approve ceasing to look after the child from `on` (today), and
    the director approves it that day."""
    from reviews.aftercare import return_home

    day = on or today()
    return_home.ask_to_cease_care(
        case=case, by=people.social_worker, proposed_on=day, plan_after=plan
    )
    return return_home.decide_ceasing_care(
        case=case,
        by=people.director,
        approved=True,
        decided_on=min(day, today()),
        rationale="The plan after care is sound; the family is ready.",
    )


def close_case_after(case: ReunificationCase, *, by: User) -> ReunificationCase:
    """Close the case as the practice would from where it stands, through the
    services: a case where reunification is not pursued closes with a permanence
    plan; after a return home, the return breaks down (which closes the case)."""
    from reviews.aftercare import return_home

    day = today()
    case.refresh_from_db()
    if case.stage == Stage.NOT_PURSUED:
        return_home.close_case(
            case=case,
            by=by,
            closed_on=day,
            reason="permanence",
            permanence_plan="Special guardianship with her grandmother.",
        )
    else:
        from cases.selectors import current_legal_status

        status = current_legal_status(case.child, day)
        return_home.record_breakdown(
            case=case,
            by=by,
            came_back_on=day,
            reason="Mother relapsed; back in foster care.",
            placement_type="U6",
            carer="Mr and Mrs Foster",
            legal_status=status.code if status and status.is_care_order else "V2",
        )
    case.refresh_from_db()
    return case
