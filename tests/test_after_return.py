"""After the return home: the step-down plan and support that ends too soon,
Child in Need visits once the care episode has ended, concerns that prompt a
risk reassessment, and the duties an unplanned return brings; the rules on
their own, the deadlines they give, the pages and who may use them, and the
report's count of children with a concern.

Kayla Brightwater became looked after on Monday 5 January 2026, under section
20 (V2) with foster carers (U6). Sarah Wood is her social worker, Tina Marsh the
team manager, Ian Rowe her IRO. Today is Tuesday 10 March 2026, unless a test
travels; she walks home on that day unless a test says otherwise.
"""

# The reports fixture `world` is imported, and named by the test that uses it.
# ruff: noqa: F811

import datetime
import html
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases.models import ChronologyEntry, Role, Stage, User
from planning.models import SupportService
from reunification.clock import today
from reviews.aftercare import after_return, return_home, statutory
from reviews.aftercare import after_return_rules as rules
from reviews.aftercare.after_return_rules import EndsEarly
from reviews.deadlines import refresh as deadlines
from reviews.models import (
    ConcernAfterReturn,
    Deadline,
    DeadlineKind,
    HomeAssessment,
    StepDownPlan,
)
from reviews.reminders.digests import digest_items
from tests.factories import (
    ChildFactory,
    FamilyMemberFactory,
    LegalStatusFactory,
    PlacementFactory,
    PoliceCheckFactory,
    open_case,
    put_on_care_order,
    submitted_risk_assessment,
)
from tests.test_reporting import world  # noqa: F401 (the reports fixture)

D = datetime.date
LONDON = ZoneInfo("Europe/London")
TODAY = D(2026, 3, 10)
LOOKED_AFTER = D(2026, 1, 5)


def noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=LONDON)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(noon(TODAY)) as traveller:
        yield traveller


# The rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "returned, ends, expected",
    [
        # Six months at home on 1 November: support ending the day before is too soon.
        (D(2026, 5, 1), D(2026, 10, 31), EndsEarly.BEFORE_SIX_MONTHS),
        (D(2026, 5, 1), D(2026, 11, 1), EndsEarly.BEFORE_TWELVE_MONTHS),
        (D(2026, 5, 1), D(2027, 4, 30), EndsEarly.BEFORE_TWELVE_MONTHS),
        (D(2026, 5, 1), D(2027, 5, 1), None),
        # 31 August + six months is the last day of February.
        (D(2025, 8, 31), D(2026, 2, 27), EndsEarly.BEFORE_SIX_MONTHS),
        (D(2025, 8, 31), D(2026, 2, 28), EndsEarly.BEFORE_TWELVE_MONTHS),
        # ... which in a leap year is the 29th.
        (D(2023, 8, 31), D(2024, 2, 28), EndsEarly.BEFORE_SIX_MONTHS),
        (D(2023, 8, 31), D(2024, 2, 29), EndsEarly.BEFORE_TWELVE_MONTHS),
        # Home on 29 February: a year on is 28 February; six months, 29 August.
        (D(2024, 2, 29), D(2024, 8, 28), EndsEarly.BEFORE_SIX_MONTHS),
        (D(2024, 2, 29), D(2024, 8, 29), EndsEarly.BEFORE_TWELVE_MONTHS),
        (D(2024, 2, 29), D(2025, 2, 27), EndsEarly.BEFORE_TWELVE_MONTHS),
        (D(2024, 2, 29), D(2025, 2, 28), None),
        (D(2026, 5, 1), None, None),
    ],
)
def test_support_ending_before_six_or_twelve_months_at_home(returned, ends, expected):
    assert rules.ends_early(returned, ends) is expected


def test_child_in_need_visits_fall_at_the_interval_in_working_days():
    # Home on Friday 1 May 2026: the bank holidays of 4 and 25 May do not count.
    assert rules.cin_visit_due(D(2026, 5, 1), [], 20) == D(2026, 6, 2)
    # From the last visit since the return; visits before it do not count.
    assert rules.cin_visit_due(D(2026, 5, 1), [D(2026, 4, 20), D(2026, 5, 29)], 20) == D(
        2026, 6, 26
    )
    # Over Christmas: 24 December 2026 + 5 working days skips the 25th, 28th (the
    # Boxing Day substitute), New Year's Day and the weekends.
    assert rules.cin_visit_due(D(2026, 12, 1), [D(2026, 12, 24)], 5) == D(2027, 1, 5)


def test_a_concern_is_reassessed_within_ten_working_days_by_an_assessment_after_it():
    assert rules.concern_reassessment_due(D(2026, 3, 27)) == D(2026, 4, 14)  # over Easter
    assert rules.reassessed_on(D(2026, 3, 27), [D(2026, 3, 20)]) is None
    assert rules.reassessed_on(D(2026, 3, 27), [D(2026, 3, 20), D(2026, 4, 2)]) == D(2026, 4, 2)
    assert rules.reassessed_on(D(2026, 3, 27), [D(2026, 3, 27)]) == D(2026, 3, 27)


def test_police_checks_on_the_household_are_met_when_each_is_back_from_since_the_return():
    home = D(2026, 3, 10)
    assert rules.household_checked_on(home, []) is None
    assert rules.household_checked_on(home, [(D(2026, 3, 10), D(2026, 3, 20))]) == D(2026, 3, 20)
    both = [(D(2026, 3, 11), D(2026, 3, 20)), (D(2026, 3, 12), D(2026, 3, 25))]
    assert rules.household_checked_on(home, both) == D(2026, 3, 25)
    # A check from before the return, one not back, or someone not checked: not yet.
    assert rules.household_checked_on(home, [(D(2026, 3, 9), D(2026, 3, 20))]) is None
    assert rules.household_checked_on(home, [(D(2026, 3, 11), None)]) is None
    assert rules.household_checked_on(home, [both[0], (None, None)]) is None


# Through the services ------------------------------------------------------------------


@pytest.fixture
def kayla(everyone, team_manager, social_worker, iro):
    child = ChildFactory(first_name="Kayla", last_name="Brightwater")
    case = open_case(
        team_manager=team_manager,
        social_worker=social_worker,
        iro=iro,
        child=child,
        became_looked_after_on=LOOKED_AFTER,
    )
    LegalStatusFactory(child=child, code="V2", start_date=LOOKED_AFTER)
    PlacementFactory(child=child, placement_type="U6", start_date=LOOKED_AFTER)
    FamilyMemberFactory(
        case=case,
        name="Dawn Brightwater",
        relationship="Mother",
        date_of_birth=D(1990, 4, 1),
        lives_in_household=True,
    )
    return case


def approve_ending_care(case, by, on):
    return_home.ask_to_cease_care(case=case, by=by, proposed_on=on, plan_after="Child in Need")
    return_home.decide_ceasing_care(
        case=case,
        by=User.objects.get(role_grants__role=Role.SERVICE_DIRECTOR),
        approved=True,
        decided_on=min(on, today()),
        rationale="Support after care is in place.",
    )


def walk_home(case, by, *, on=TODAY, care_order=False):
    """Kayla leaves her foster home and goes to her mother's: an unplanned return."""
    if not care_order:
        approve_ending_care(case, by, on)
    return_home.record_return_home(
        case=case,
        by=by,
        returned_on=on,
        planned=False,
        unplanned_reason="Kayla left her foster home and went to her mother's.",
        returned_to="Dawn Brightwater (mother)",
        legal_status_after="care_order" if care_order else "child_in_need",
        episode_end_reason="" if care_order else "E4B",
    )
    case.refresh_from_db()
    return case


def rows(case, *kinds) -> dict:
    """The case's deadlines of these kinds after a refresh: key -> (due, who, done)."""
    deadlines.refresh(case)
    found = Deadline.objects.filter(case=case, kind__in=kinds).select_related("responsible")
    return {d.key: (d.due_on, d.responsible, d.done_on) for d in found}


def service(case, *, ends_on, timing="after_return", kind="specialist_substance_misuse"):
    return SupportService.objects.create(
        case=case,
        kind=kind,
        provider="Turning Point",
        starts_on=D(2026, 2, 1),
        ends_on=ends_on,
        timing=timing,
    )


def step_down(case, by, **kwargs):
    kwargs.setdefault("lead_professional", "Jo Park")
    kwargs.setdefault("lead_professional_role", "Family support worker")
    kwargs.setdefault("lead_professional_agency", "Early Help")
    kwargs.setdefault("support_ends_on", D(2027, 3, 10))
    return after_return.record_step_down_plan(case=case, by=by, **kwargs)


EARLY = (DeadlineKind.SERVICE_ENDS_EARLY, DeadlineKind.SERVICE_ENDS_BEFORE_YEAR)


def test_a_service_ending_before_six_months_at_home_alerts_the_team_manager(
    kayla, social_worker, team_manager, clock
):
    walk_home(kayla, social_worker)
    early = service(kayla, ends_on=D(2026, 9, 9))  # six months at home on 10 September
    six = service(kayla, ends_on=D(2026, 9, 10))  # lasts six months: a softer warning
    service(kayla, ends_on=D(2027, 3, 10))  # a year: nothing
    service(kayla, ends_on=D(2026, 4, 1), timing="before_return")  # not after the return
    service(kayla, ends_on=D(2026, 3, 1), timing="both")  # ended before she went home

    found = rows(kayla, *EARLY)

    assert found == {
        f"service-{early.pk}-20260909": (D(2026, 9, 9), team_manager, None),
        f"service-{six.pk}-20260910": (D(2026, 9, 10), team_manager, None),
    }
    alert = Deadline.objects.get(key=f"service-{early.pk}-20260909")
    assert alert.kind == DeadlineKind.SERVICE_ENDS_EARLY and alert.can_be_overdue
    assert alert.what == (
        "Specialist adult service: substance misuse ends on 9 September 2026, before the "
        "child has been home six months: agree the step-down plan or extend it"
    )
    warning = Deadline.objects.get(key=f"service-{six.pk}-20260910")
    assert warning.kind == DeadlineKind.SERVICE_ENDS_BEFORE_YEAR
    assert not warning.can_be_overdue  # shown, never red
    # The alert reaches her digest once it is due within the week.
    clock.move_to(noon(D(2026, 9, 3)))
    assert "before the child has been home six months" in " ".join(
        i.what for i in digest_items(team_manager, D(2026, 9, 3))
    )


def test_past_its_date_the_softer_warning_is_never_overdue_in_the_email(
    kayla, social_worker, team_manager, clock
):
    walk_home(kayla, social_worker)
    service(kayla, ends_on=D(2026, 9, 9))  # before six months at home: an alert
    service(kayla, ends_on=D(2026, 9, 10))  # six months exactly: the softer warning
    assert len(rows(kayla, *EARLY)) == 2  # the deadlines derived

    clock.move_to(noon(D(2026, 9, 11)))
    items = {
        i.what.split(" ends on ")[1][:17]: i
        for i in digest_items(team_manager, D(2026, 9, 11))
        if " ends on " in i.what
    }

    assert items["9 September 2026,"].days_overdue == 2
    assert items["10 September 2026"].days_overdue == 0


def test_the_managers_agreement_meets_the_alert_until_the_service_changes(
    kayla, social_worker, team_manager, clock
):
    walk_home(kayla, social_worker)
    early = service(kayla, ends_on=D(2026, 6, 30))
    step_down(kayla, social_worker)
    key = f"service-{early.pk}-20260630"
    assert rows(kayla, *EARLY)[key][2] is None

    clock.move_to(noon(D(2026, 3, 12)))
    after_return.agree_step_down_plan(
        case=kayla,
        by=team_manager,
        agreed_on=D(2026, 3, 12),
        comments="Mother completed the programme; Early Help continues.",
    )
    assert rows(kayla, *EARLY)[key] == (D(2026, 6, 30), team_manager, D(2026, 3, 12))

    # The service is cut shorter after she agreed: she is asked again.
    clock.move_to(noon(D(2026, 3, 13)))
    early.ends_on = D(2026, 5, 31)
    early.save()
    found = rows(kayla, *EARLY)
    assert found[f"service-{early.pk}-20260531"] == (D(2026, 5, 31), team_manager, None)
    assert found[key][2] == D(2026, 3, 12)  # what was done stays done


def test_support_expected_to_end_early_alerts_too_and_a_change_asks_again(
    kayla, social_worker, team_manager
):
    walk_home(kayla, social_worker)
    step_down(kayla, social_worker, support_ends_on=D(2026, 8, 31))
    assert rows(kayla, *EARLY) == {"support-20260831": (D(2026, 8, 31), team_manager, None)}
    after_return.agree_step_down_plan(
        case=kayla, by=team_manager, agreed_on=TODAY, comments="Agreed."
    )
    assert rows(kayla, *EARLY)["support-20260831"][2] == TODAY

    plan = step_down(kayla, social_worker, support_ends_on=D(2026, 12, 31))

    assert plan.agreed_by is None
    assert rows(kayla, *EARLY)["support-20261231"] == (D(2026, 12, 31), team_manager, None)
    assert StepDownPlan.history.filter(id=plan.pk).count() == 3
    assert ChronologyEntry.objects.filter(
        case=kayla, description__startswith="Step-down plan changed"
    ).exists()


def test_the_step_down_plan_refuses_bad_input_and_writes_nothing(kayla, social_worker):
    with pytest.raises(ValidationError, match="once the child has returned home"):
        step_down(kayla, social_worker)
    walk_home(kayla, social_worker)
    with pytest.raises(ValidationError) as refused:
        step_down(kayla, social_worker, lead_professional=" ", lead_professional_agency="")
    assert set(refused.value.message_dict) == {"lead_professional", "lead_professional_agency"}
    with pytest.raises(ValidationError, match="before the return home"):
        step_down(kayla, social_worker, support_ends_on=D(2026, 3, 9))
    assert not StepDownPlan.objects.exists()


def test_only_a_team_manager_of_the_team_agrees_the_plan(
    kayla, social_worker, team_manager, south_manager
):
    walk_home(kayla, social_worker)
    with pytest.raises(ValidationError, match="Record the step-down plan first"):
        after_return.agree_step_down_plan(
            case=kayla, by=team_manager, agreed_on=TODAY, comments="Yes."
        )
    step_down(kayla, social_worker)
    for who in (social_worker, south_manager):
        with pytest.raises(PermissionDenied):
            after_return.agree_step_down_plan(case=kayla, by=who, agreed_on=TODAY, comments="Yes.")
    with pytest.raises(ValidationError, match="reasons"):
        after_return.agree_step_down_plan(case=kayla, by=team_manager, agreed_on=TODAY, comments="")
    assert StepDownPlan.objects.get().agreed_by is None


# Child in Need visits -------------------------------------------------------------------


def visit(case, by, on):
    statutory.record_visit(case=case, by=by, visited_on=on, seen_alone=True, notes="Settled.")


VISITS = (DeadlineKind.VISIT, DeadlineKind.VISIT_AFTER_CARE_ORDER_AT_HOME, DeadlineKind.CIN_VISIT)


def test_after_section_20_ends_child_in_need_visits_follow_at_the_local_interval(
    kayla, social_worker, clock, settings
):
    settings.CIN_VISIT_INTERVAL_WORKING_DAYS = 20
    walk_home(kayla, social_worker)
    # Ten March + 20 working days (Good Friday 3 April and Easter Monday 6 April skipped).
    assert {k: v for k, v in rows(kayla, *VISITS).items() if v[2] is None} == {
        "cin-visit-1": (D(2026, 4, 9), social_worker, None),
    }
    clock.move_to(noon(D(2026, 4, 2)))
    visit(kayla, social_worker, D(2026, 4, 2))

    found = {k: v for k, v in rows(kayla, *VISITS).items() if v[2] is None}

    assert found == {"cin-visit-2": (D(2026, 5, 5), social_worker, None)}  # 4 May a holiday
    assert rows(kayla, DeadlineKind.CIN_VISIT)["cin-visit-1"][2] == D(2026, 4, 2)
    assert Deadline.objects.get(key="cin-visit-1").what == (
        "First Child in Need visit after the return"
    )
    settings.CIN_VISIT_INTERVAL_WORKING_DAYS = 10
    assert rows(kayla, DeadlineKind.CIN_VISIT)["cin-visit-2"][0] == D(2026, 4, 20)


def test_child_in_need_visits_stop_when_the_case_closes(kayla, social_worker, team_manager):
    walk_home(kayla, social_worker)
    assert rows(kayla, DeadlineKind.CIN_VISIT)
    return_home.close_case(
        case=kayla,
        by=team_manager,
        closed_on=TODAY,
        reason="other",
        override_reason="The family moved away; the new authority has the case.",
        warning_acknowledged=True,
    )
    kayla.refresh_from_db()

    assert rows(kayla, DeadlineKind.CIN_VISIT) == {}


def test_a_child_at_home_on_a_care_order_keeps_her_regulation_28_visits_only(kayla, social_worker):
    put_on_care_order(kayla, code="C2", on=D(2026, 2, 2))
    walk_home(kayla, social_worker, care_order=True)

    found = rows(kayla, *VISITS)

    assert found and not any(key.startswith("cin-") for key in found)


def test_home_on_a_care_order_back_into_care_then_home_under_section_20(
    kayla, social_worker, team_manager, iro, clock
):
    """Her first return, on a care order, keeps the reg 28 visits; the order is
    discharged once she is back in care and accommodated under section 20, and
    her second return, under section 20, brings Child in Need visits instead."""
    put_on_care_order(kayla, code="C2", on=D(2026, 2, 2))
    walk_home(kayla, social_worker, care_order=True)
    first = rows(kayla, *VISITS)
    assert first and all(not key.startswith("cin-") for key in first)

    clock.move_to(noon(D(2026, 4, 1)))
    return_home.record_breakdown(
        case=kayla,
        by=social_worker,
        came_back_on=D(2026, 4, 1),
        reason="Mother relapsed.",
        placement_type="U6",
        carer="Mr and Mrs Hale",
        legal_status="C2",
    )
    # The court discharges the order; she stays accommodated under section 20.
    clock.move_to(noon(D(2026, 5, 1)))
    kayla.child.legal_statuses.filter(end_date__isnull=True).update(end_date=D(2026, 5, 1))
    LegalStatusFactory(child=kayla.child, code="V2", start_date=D(2026, 5, 1))
    second = open_case(
        team_manager=team_manager,
        social_worker=social_worker,
        iro=iro,
        child=kayla.child,
        became_looked_after_on=D(2026, 4, 1),
    )
    clock.move_to(noon(D(2026, 6, 1)))
    walk_home(second, social_worker, on=D(2026, 6, 1))

    kayla.refresh_from_db()
    assert rows(kayla, *VISITS) == {k: v for k, v in first.items() if v[2] is not None}
    found = rows(second, *VISITS)
    assert {k: v for k, v in found.items() if v[2] is None} == {
        "cin-visit-1": (D(2026, 6, 29), social_worker, None)
    }


# Concerns after the return ---------------------------------------------------------------


def concern(case, by, **kwargs):
    kwargs.setdefault("kind", "incident")
    kwargs.setdefault("occurred_on", TODAY)
    kwargs.setdefault("details", "Police called to a row at the home.")
    return after_return.record_concern(case=case, by=by, **kwargs)


def test_a_concern_prompts_a_risk_reassessment_met_by_the_next_assessment(
    kayla, social_worker, clock
):
    walk_home(kayla, social_worker)
    recorded = concern(kayla, social_worker, source="Police")
    key = f"concern-{recorded.pk}"
    assert rows(kayla, DeadlineKind.CONCERN_REASSESS) == {
        key: (D(2026, 3, 24), social_worker, None)
    }
    assert (
        Deadline.objects.get(key=key).what == "Reassess the risk after an incident on 10 March 2026"
    )
    entry = ChronologyEntry.objects.get(case=kayla, description__startswith="Concern after")
    assert entry.source == "Police" and entry.occurred_on == TODAY

    clock.move_to(noon(D(2026, 3, 16)))
    submitted_risk_assessment(kayla, author=social_worker, assessed_on=D(2026, 3, 16))

    assert rows(kayla, DeadlineKind.CONCERN_REASSESS)[key][2] == D(2026, 3, 16)


def test_a_concern_needs_a_return_a_date_since_it_and_what_happened(kayla, social_worker):
    with pytest.raises(ValidationError, match="once the child has returned home"):
        concern(kayla, social_worker)
    walk_home(kayla, social_worker)
    with pytest.raises(ValidationError, match="before the return home"):
        concern(kayla, social_worker, occurred_on=D(2026, 3, 9))
    with pytest.raises(ValidationError, match="Say what happened"):
        concern(kayla, social_worker, details="  ")
    with pytest.raises(ValidationError):
        concern(kayla, social_worker, kind="rumour")
    assert not ConcernAfterReturn.objects.exists()


# After an unplanned return --------------------------------------------------------------

DUTIES = (DeadlineKind.HOME_ASSESSMENT, DeadlineKind.POLICE_CHECKS_AFTER_RETURN)


def test_an_unplanned_return_brings_an_assessment_of_the_home_and_police_checks(
    kayla, social_worker, clock
):
    walk_home(kayla, social_worker)
    assert rows(kayla, *DUTIES) == {
        "unplanned-home": (D(2026, 3, 24), social_worker, None),
        "unplanned-police": (D(2026, 3, 24), social_worker, None),
    }
    # The review within a month is the first review after the return, not another row.
    assert rows(kayla, DeadlineKind.REVIEW_AFTER_RETURN) == {
        "after-1": (D(2026, 4, 10), social_worker, None)
    }

    clock.move_to(noon(D(2026, 3, 18)))
    after_return.record_home_assessment(
        case=kayla, by=social_worker, assessed_on=D(2026, 3, 17), findings="Clean and warm."
    )
    mother = kayla.family_members.get()
    PoliceCheckFactory(
        member=mother, requested_on=D(2026, 3, 1), returned_on=D(2026, 3, 5), outcome="no_trace"
    )
    assert rows(kayla, *DUTIES)["unplanned-police"][2] is None  # from before the return
    PoliceCheckFactory(
        member=mother, requested_on=D(2026, 3, 11), returned_on=D(2026, 3, 18), outcome="no_trace"
    )

    assert rows(kayla, *DUTIES) == {
        "unplanned-home": (D(2026, 3, 24), social_worker, D(2026, 3, 17)),
        "unplanned-police": (D(2026, 3, 24), social_worker, D(2026, 3, 18)),
    }
    assert HomeAssessment.history.count() == 1


def test_a_home_assessment_is_dated_since_the_return_and_says_what_it_found(kayla, social_worker):
    walk_home(kayla, social_worker)
    with pytest.raises(ValidationError, match="before the return home"):
        after_return.record_home_assessment(
            case=kayla, by=social_worker, assessed_on=D(2026, 3, 9), findings="Fine."
        )
    with pytest.raises(ValidationError, match="found"):
        after_return.record_home_assessment(
            case=kayla, by=social_worker, assessed_on=TODAY, findings=""
        )
    assert not HomeAssessment.objects.exists()


def test_the_new_deadlines_reach_my_tasks(client, kayla, social_worker, team_manager, clock):
    walk_home(kayla, social_worker)
    service(kayla, ends_on=D(2026, 3, 20))
    concern(kayla, social_worker)
    deadlines.refresh(kayla)
    clock.move_to(noon(D(2026, 3, 20)))  # all due within the week

    client.force_login(social_worker)
    mine = client.get(reverse("my_tasks")).content.decode()
    client.force_login(team_manager)
    hers = client.get(reverse("my_tasks")).content.decode()

    assert "Assess the home after the unplanned return" in mine
    assert "Reassess the risk after an incident" in mine
    assert reverse("reviews:home_assessment", args=[kayla.pk]) in mine
    assert "before the child has been home six months" in hers
    assert reverse("reviews:step_down_agree", args=[kayla.pk]) in hers


# The pages ------------------------------------------------------------------------------

EVERYONE = [
    "social_worker",
    "colleague",
    "team_manager",
    "head_of_service",
    "iro",
    "other_iro",
    "director",
    "outsider",
    "south_manager",
    "performance",
]
SEE_THE_CASE = {"social_worker", "colleague", "team_manager", "head_of_service", "iro", "director"}
CHANGERS = {"social_worker", "team_manager"}
PAGES = {
    "after_return": SEE_THE_CASE,
    "step_down": CHANGERS,
    "step_down_agree": {"team_manager"},
    "concern": CHANGERS,
    "home_assessment": CHANGERS,
}


@pytest.fixture
def home(kayla, social_worker):
    walk_home(kayla, social_worker)
    step_down(kayla, social_worker)
    service(kayla, ends_on=D(2026, 6, 30))
    concern(kayla, social_worker)
    return kayla


@pytest.mark.parametrize(
    "page, who, status",
    [
        (page, who, 200 if who in allowed else (403 if who in SEE_THE_CASE else 404))
        for page, allowed in PAGES.items()
        for who in EVERYONE
    ],
)
def test_each_page_opens_for_the_right_people(client, home, page, who, status, request):
    client.force_login(request.getfixturevalue(who))

    assert client.get(reverse(f"reviews:{page}", args=[home.pk])).status_code == status


@pytest.mark.parametrize("page", list(PAGES))
def test_the_pages_ask_for_sign_in(client, home, page):
    response = client.get(reverse(f"reviews:{page}", args=[home.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def words(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def date_input(name, day):
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def test_the_page_shows_the_plan_the_services_the_duties_and_the_concerns(
    client, home, team_manager
):
    deadlines.refresh(home)
    client.force_login(team_manager)

    text = words(client.get(reverse("reviews:after_return", args=[home.pk])))

    assert "Jo Park, Family support worker (Early Help)" in text
    assert "30 Jun 2026 Before six months at home" in text
    assert "Assess the home after the unplanned return" in text
    assert "First review after the return (Child in Need, IRO invited)" in text
    assert "An incident : Police called to a row at the home." in text
    assert "Agree the step-down plan" in text


def test_the_social_worker_records_the_plan_through_the_page(client, kayla, social_worker):
    walk_home(kayla, social_worker)
    client.force_login(social_worker)
    url = reverse("reviews:step_down", args=[kayla.pk])
    data = {
        "lead_professional": "Jo Park",
        "lead_professional_role": "Family support worker",
        "lead_professional_agency": "Early Help",
        **date_input("support_ends_on", D(2027, 3, 31)),
        "notes": "Early Help weekly, then monthly.",
    }

    response = client.post(url, data)

    assert response.status_code == 302
    assert StepDownPlan.objects.get().support_ends_on == D(2027, 3, 31)


@pytest.mark.parametrize(
    "page, data, message",
    [
        ("step_down", {"lead_professional": "Jo"}, "Enter the lead professional's role"),
        (
            "step_down",
            {
                "lead_professional": "Jo",
                "lead_professional_role": "FSW",
                "lead_professional_agency": "Early Help",
                **date_input("support_ends_on", D(2026, 3, 1)),
            },
            "cannot be before the return home",
        ),
        ("concern", {"details": "A row."}, "Select what kind of concern it is"),
        (
            "concern",
            {
                "kind": "referral",
                "details": "School referral.",
                **date_input("occurred_on", D(2026, 3, 1)),
            },
            "A concern after the return cannot be before the return home",
        ),
        ("home_assessment", {**date_input("assessed_on", TODAY)}, "Say what the assessment found"),
        ("step_down_agree", {**date_input("agreed_on", TODAY)}, "Give your reasons"),
    ],
)
def test_bad_input_is_shown_in_the_error_summary_and_nothing_is_saved(
    client, home, team_manager, page, data, message
):
    before = (
        ConcernAfterReturn.objects.count(),
        HomeAssessment.objects.count(),
        StepDownPlan.history.count(),
    )
    client.force_login(team_manager)

    response = client.post(reverse(f"reviews:{page}", args=[home.pk]), data)

    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert message in words(response)
    assert before == (
        ConcernAfterReturn.objects.count(),
        HomeAssessment.objects.count(),
        StepDownPlan.history.count(),
    )


def test_before_a_return_the_record_pages_refuse_in_the_error_summary(client, kayla, social_worker):
    client.force_login(social_worker)
    response = client.post(
        reverse("reviews:concern", args=[kayla.pk]),
        {"kind": "referral", "details": "School referral.", **date_input("occurred_on", TODAY)},
    )
    assert "once the child has returned home" in words(response)
    assert kayla.stage != Stage.RETURN_HOME


# The report ------------------------------------------------------------------------------


def test_the_outcomes_report_counts_children_with_a_concern_after_the_return(world):
    """On the reports fixture (tests/test_reporting.py; today T, 10 March 2026):
    returns in the period in North are A1 and A2 (Amy's two cases), Ben, Cara, Dan,
    Eve, Finn and Gus, seven children; Hal went home before the period, Quin is in
    South. Amy has an incident on her first case and a referral on her second;
    Finn two incidents and a referral; Ben's concern is dated before he went home;
    Hal's return is outside the period. So in North: 2 children with a concern
    (Amy, Finn), 2 with a referral, 2 with an incident, none with a new risk.
    Across both teams Quin's incident adds one child."""
    from reporting.outcome_concerns import concerns_after_return
    from reporting.outcome_tables import outcome_tables
    from tests import test_reporting

    w = world
    author = User.objects.get(username="sarah.wood")

    def raised(case, kind, days_after):
        on = case.return_home.returned_on + datetime.timedelta(days=days_after)
        ConcernAfterReturn.objects.create(
            case=case,
            kind=kind,
            occurred_on=on,
            details="Concern",
            recorded_by=author,
            recorded_at=noon(on),
        )

    raised(w.a1, "incident", 10)
    raised(w.a2, "referral", 30)
    raised(w.f, "incident", 1)
    raised(w.f, "incident", 2)
    raised(w.f, "referral", 0)
    raised(w.b, "new_risk", -5)
    raised(w.h, "new_risk", 3)
    raised(w.q, "incident", 7)

    north = concerns_after_return(test_reporting.north_scope(w))
    both = concerns_after_return(test_reporting.all_teams(w))

    assert north == {
        "children": 7,
        "with_concern": 2,
        "by_kind": [("A referral", 2), ("An incident", 2), ("A new risk", 0)],
    }
    assert both["children"] == 8 and both["with_concern"] == 3
    assert both["by_kind"][1] == ("An incident", 3)
    table = next(t for t in outcome_tables(test_reporting.north_scope(w)) if t.key == "concerns")
    assert table.rows == [
        ["Children returned home in the period", 7],
        ["With a concern recorded since the return", 2],
        ["With a referral", 2],
        ["With an incident", 2],
        ["With a new risk", 0],
    ]
