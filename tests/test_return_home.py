"""Stage 5: the return home, a breakdown and closing the case, through
reviews.return_home and through the pages, with who may open which page.

Kayla Brightwater's case opens on Tuesday 10 March 2026 in North. She is
accommodated under section 20 (V2) with foster carers (U6) unless a test puts her
on a care order. Sarah Wood is her social worker, Tina Marsh the team manager,
Helen Orme the head of service, Ian Rowe the IRO and Diane Dale the service
director. Unless a test says otherwise the viability meeting on 15 April confirms
a return on Friday 1 May 2026.
"""

import datetime
import html
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases.models import ChronologyEntry, ReunificationCase, Role, Stage
from cases.services import allocate
from planning.services import approve_placement_with_parents
from reviews.aftercare import return_home, statutory
from reviews.journey import decisions as services
from reviews.models import (
    Breakdown,
    Closure,
    Deadline,
    Recommendation,
    ReturnHome,
    Review,
    StageMove,
    Visit,
)
from tests.factories import (
    ChildFactory,
    FamilyMemberFactory,
    LegalStatusFactory,
    PlacementFactory,
    journey_to,
    open_case,
    participants,
    put_on_care_order,
    signed_off_risk_assessment,
)

D = datetime.date
LONDON = ZoneInfo("Europe/London")
OPENED = D(2026, 3, 10)
MEETING_DAY = D(2026, 4, 15)
RETURN_DAY = D(2026, 5, 1)
MOTHER = "Dawn Brightwater (mother)"
LOOKED_AFTER = D(2025, 9, 1)


def noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=LONDON)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(noon(OPENED)) as traveller:
        yield traveller


@pytest.fixture
def case(unapproved, social_worker, director):
    """Kayla's case, with the service director's approval (regulation 39) of ending
    her care, given the day it opened, for a return on or after that day."""
    return_home.ask_to_cease_care(
        case=unapproved, by=social_worker, proposed_on=RETURN_DAY, plan_after="Child in Need plan"
    )
    return_home.decide_ceasing_care(
        case=unapproved,
        by=director,
        approved=True,
        decided_on=OPENED,
        rationale="Support after care is in place.",
    )
    return reload(unapproved)


@pytest.fixture
def unapproved(everyone, team_manager, social_worker, iro, head_of_service):
    """Kayla's case, holding only what stage 5 needs: her legal status, her foster
    placement and her mother in the household; Helen Orme allocated as head of
    service so the journey's decisions can be made."""
    kayla = ChildFactory(first_name="Kayla", last_name="Brightwater", local_identifier="N123456")
    opened = open_case(
        team_manager=team_manager,
        social_worker=social_worker,
        iro=iro,
        child=kayla,
        became_looked_after_on=LOOKED_AFTER,
    )
    LegalStatusFactory(child=kayla, code="V2", start_date=LOOKED_AFTER)
    PlacementFactory(child=kayla, placement_type="U6", start_date=LOOKED_AFTER)
    FamilyMemberFactory(case=opened, name="Dawn Brightwater", relationship="Mother")
    allocate(case=opened, role=Role.HEAD_OF_SERVICE, user=head_of_service, by=team_manager)
    return reload(opened)


def reload(case) -> ReunificationCase:
    return ReunificationCase.objects.get(pk=case.pk)


def saved(case) -> dict:
    """Everything a refused action must leave as it was."""
    case = reload(case)
    child = case.child
    return {
        "stage": case.stage,
        "closed_on": case.closed_on,
        "moves": StageMove.objects.filter(case=case).count(),
        "chronology": ChronologyEntry.objects.filter(case=case).count(),
        "returns": ReturnHome.objects.filter(case=case).count(),
        "breakdowns": Breakdown.objects.filter(case=case).count(),
        "closures": Closure.objects.filter(case=case).count(),
        "previous_returns": child.previous_returns.count(),
        "placements": sorted(child.placements.values_list("placement_type", "end_date")),
        "legal_statuses": sorted(child.legal_statuses.values_list("code", "end_date")),
        "reviews": Review.objects.filter(case=case).count(),
        "visits": Visit.objects.filter(case=case).count(),
    }


def confirm_return(case, people, *, level="medium", return_date=RETURN_DAY):
    """A new assessment (14 April) and the viability meeting (15 April)."""
    signed_off_risk_assessment(
        case,
        author=people.social_worker,
        manager=people.team_manager,
        level=level,
        assessed_on=D(2026, 4, 14),
    )
    return services.record_viability_meeting(
        case=case,
        by=people.team_manager,
        held_on=MEETING_DAY,
        outcome="confirmed",
        rationale="Goals met; overnight stays went well.",
        participants=participants(people),
        return_date=return_date,
    )


def go_home(case, by, **kwargs):
    kwargs.setdefault("returned_on", RETURN_DAY)
    kwargs.setdefault("planned", True)
    kwargs.setdefault("returned_to", MOTHER)
    kwargs.setdefault("legal_status_after", "child_in_need")
    kwargs.setdefault("episode_end_reason", "E4A")
    return return_home.record_return_home(case=case, by=by, **kwargs)


def break_down(*, case, by, **kwargs):
    """Back in care with foster carers under section 20, unless a test says otherwise."""
    kwargs.setdefault("placement_type", "U6")
    kwargs.setdefault("carer", "Mr and Mrs Hale")
    kwargs.setdefault("legal_status", "V2")
    return return_home.record_breakdown(case=case, by=by, **kwargs)


def walked_home(case, by, **kwargs):
    kwargs.setdefault("returned_on", OPENED)
    kwargs.setdefault("planned", False)
    kwargs.setdefault("unplanned_reason", "Kayla left her foster home and went to her mother's.")
    kwargs.setdefault("episode_end_reason", "E4B")
    return go_home(case, by, **kwargs)


@pytest.fixture
def at_confirmation(case, people, clock):
    case = journey_to(case, Stage.CONFIRMATION, people=people)
    clock.move_to(noon(MEETING_DAY))
    return case


@pytest.fixture
def return_confirmed(at_confirmation, people, clock):
    confirm_return(at_confirmation, people)
    clock.move_to(noon(RETURN_DAY))
    return at_confirmation


def foster_placement(case):
    return case.child.placements.get(placement_type="U6")


# Recording the return home -------------------------------------------------------


def test_a_planned_return_under_section_20_ends_the_placement_and_the_legal_status(
    return_confirmed, people
):
    returned = go_home(return_confirmed, people.social_worker)

    assert (returned.returned_on, returned.planned, returned.returned_to) == (
        RETURN_DAY,
        True,
        MOTHER,
    )
    assert (returned.legal_status_after, returned.episode_end_reason) == ("child_in_need", "E4A")
    assert returned.recorded_by == people.social_worker
    assert returned.recorded_at.astimezone(LONDON).date() == RETURN_DAY
    case = reload(return_confirmed)
    assert case.stage == Stage.RETURN_HOME
    move = StageMove.objects.filter(case=case).last()
    assert (move.from_stage, move.to_stage, move.moved_by, move.role) == (
        Stage.CONFIRMATION,
        Stage.RETURN_HOME,
        people.social_worker,
        Role.SOCIAL_WORKER,
    )
    assert move.reason == f"Planned return home to {MOTHER} on 1 May 2026."
    assert foster_placement(case).end_date == RETURN_DAY
    assert list(case.child.legal_statuses.values_list("code", "end_date")) == [("V2", RETURN_DAY)]
    assert not case.child.placements.filter(placement_type="P1").exists()


def test_a_planned_return_needs_a_return_date_confirmed_at_the_viability_meeting(
    at_confirmation, people
):
    before = saved(at_confirmation)

    with pytest.raises(ValidationError) as refused:
        go_home(at_confirmation, people.social_worker, returned_on=MEETING_DAY)

    assert refused.value.messages == [
        "A planned return needs a return date confirmed at the Reunification Viability Meeting"
    ]
    assert saved(at_confirmation) == before


def test_a_meeting_that_changed_the_plan_confirms_no_return(at_confirmation, people):
    signed_off_risk_assessment(
        at_confirmation,
        author=people.social_worker,
        manager=people.team_manager,
        assessed_on=D(2026, 4, 14),
    )
    services.record_viability_meeting(
        case=at_confirmation,
        by=people.team_manager,
        held_on=MEETING_DAY,
        outcome="not_pursued",
        rationale="Mother moved away.",
        participants=participants(people),
    )

    with pytest.raises(ValidationError, match="needs a return date confirmed"):
        go_home(at_confirmation, people.social_worker, returned_on=MEETING_DAY)


def test_a_planned_return_cannot_skip_confirmation(case, people):
    case = journey_to(case, Stage.SUPPORT_PLANNING, people=people)
    before = saved(case)

    with pytest.raises(ValidationError, match="needs a return date confirmed"):
        go_home(case, people.social_worker, returned_on=OPENED)

    assert saved(case) == before


@pytest.fixture
def on_care_order_at_confirmation(at_confirmation, people, clock):
    """A full care order was made on 1 April, after the case reached confirmation,
    so no one has yet approved placing Kayla with her mother."""
    put_on_care_order(at_confirmation, code="C2", on=D(2026, 4, 1))
    confirm_return(at_confirmation, people)
    clock.move_to(noon(RETURN_DAY))
    return at_confirmation


def home_on_care_order(case, by, **kwargs):
    return go_home(case, by, legal_status_after="care_order", episode_end_reason="", **kwargs)


def test_on_a_care_order_a_planned_return_needs_placement_with_parents_approval(
    on_care_order_at_confirmation, people
):
    case = on_care_order_at_confirmation
    before = saved(case)

    with pytest.raises(ValidationError) as refused:
        home_on_care_order(case, people.social_worker)

    assert refused.value.messages == [
        "The child is on a care order: the service director must approve placement with "
        "parents before the return"
    ]
    assert saved(case) == before


def test_with_approval_the_child_is_placed_with_parents_and_the_care_order_continues(
    on_care_order_at_confirmation, people
):
    case = on_care_order_at_confirmation
    approve_placement_with_parents(
        case=case, by=people.director, approved_on=D(2026, 4, 20), notes="Placement plan seen."
    )

    returned = home_on_care_order(case, people.social_worker)

    assert returned.care_order_remains
    assert returned.episode_end_reason == ""
    child = reload(case).child
    assert foster_placement(case).end_date == RETURN_DAY
    at_home = child.placements.get(placement_type="P1")
    assert (at_home.carer, at_home.start_date, at_home.end_date) == (MOTHER, RETURN_DAY, None)
    assert child.legal_statuses.get(code="C2").end_date is None


def test_under_a_care_order_the_care_episode_does_not_end(on_care_order_at_confirmation, people):
    case = on_care_order_at_confirmation
    approve_placement_with_parents(
        case=case, by=people.director, approved_on=D(2026, 4, 20), notes="Placement plan seen."
    )
    before = saved(case)

    with pytest.raises(ValidationError) as refused:
        go_home(
            case, people.social_worker, legal_status_after="care_order", episode_end_reason="E4A"
        )

    assert refused.value.messages == [
        "Under a care order the child stays looked after: the care episode does not end"
    ]
    assert saved(case) == before


def test_a_return_home_cannot_end_a_care_order(on_care_order_at_confirmation, people):
    """Only the court discharges a care order: a child on one goes home placed with
    parents under it, never as 'section 20 ended'."""
    case = on_care_order_at_confirmation
    approve_placement_with_parents(
        case=case, by=people.director, approved_on=D(2026, 4, 20), notes="Placement plan seen."
    )
    before = saved(case)

    with pytest.raises(ValidationError):
        go_home(case, people.social_worker, legal_status_after="child_in_need")

    assert saved(case) == before
    assert reload(case).child.legal_statuses.get(code="C2").end_date is None


def test_a_child_under_section_20_cannot_stay_on_a_care_order_at_home(return_confirmed, people):
    before = saved(return_confirmed)

    with pytest.raises(ValidationError) as refused:
        home_on_care_order(return_confirmed, people.social_worker)

    assert refused.value.messages == [
        "The child is not on a care order, so cannot stay on one at home"
    ]
    assert saved(return_confirmed) == before


def test_when_section_20_ends_the_ssda903_reason_is_needed(return_confirmed, people):
    with pytest.raises(ValidationError, match="Select the reason the care episode ended"):
        go_home(return_confirmed, people.social_worker, episode_end_reason="")


@pytest.mark.parametrize(
    "stage", [Stage.IDENTIFICATION, Stage.ASSESSMENT, Stage.SUPPORT_PLANNING, Stage.CONFIRMATION]
)
def test_an_unplanned_return_is_recorded_from_any_stage_before_the_return(case, people, stage):
    if stage != Stage.IDENTIFICATION:
        case = journey_to(case, stage, people=people)

    returned = walked_home(case, people.social_worker)

    assert returned.planned is False
    assert returned.unplanned_reason == "Kayla left her foster home and went to her mother's."
    assert returned.episode_end_reason == "E4B"
    case = reload(case)
    assert case.stage == Stage.RETURN_HOME
    move = StageMove.objects.filter(case=case).last()
    assert move.from_stage == stage
    assert move.reason == f"Unplanned return home to {MOTHER} on 10 March 2026."
    assert foster_placement(case).end_date == OPENED


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_unplanned_return_needs_the_reason(case, social_worker, reason):
    before = saved(case)

    with pytest.raises(ValidationError) as refused:
        walked_home(case, social_worker, unplanned_reason=reason)

    assert refused.value.messages == ["Say why the return was not planned"]
    assert saved(case) == before


def test_a_child_on_an_interim_order_who_walked_home_stays_on_it(case, social_worker):
    put_on_care_order(case, code="C1", on=D(2026, 3, 1))

    walked_home(case, social_worker, legal_status_after="care_order", episode_end_reason="")

    child = reload(case).child
    assert child.legal_statuses.get(code="C1").end_date is None
    assert child.placements.get(placement_type="P1").start_date == OPENED


@pytest.mark.parametrize(
    "who", ["colleague", "head_of_service", "iro", "director", "outsider", "south_manager"]
)
def test_only_the_social_worker_or_a_team_manager_records_the_return(case, who, request):
    before = saved(case)

    with pytest.raises(PermissionDenied):
        walked_home(case, request.getfixturevalue(who))

    assert saved(case) == before


def test_the_team_manager_records_a_return_in_her_role(case, team_manager):
    walked_home(case, team_manager)

    assert StageMove.objects.filter(case=case).last().role == Role.TEAM_MANAGER


def test_a_return_is_recorded_once(case, social_worker):
    walked_home(case, social_worker)

    with pytest.raises(ValidationError, match="A return home is already recorded"):
        walked_home(case, social_worker)

    assert ReturnHome.objects.filter(case=case).count() == 1


# A breakdown -----------------------------------------------------------------------


@pytest.fixture
def home(return_confirmed, people):
    go_home(return_confirmed, people.social_worker)
    return reload(return_confirmed)


def test_a_breakdown_closes_the_case_and_counts_as_a_failed_return(home, people, clock):
    clock.move_to(noon(D(2026, 8, 20)))
    earlier = home.child.previous_returns.count()
    reason = "Mother relapsed; Kayla was found alone at home."

    breakdown = break_down(
        case=home, by=people.social_worker, came_back_on=D(2026, 8, 20), reason=reason
    )

    assert (breakdown.came_back_on, breakdown.reason, breakdown.recorded_by) == (
        D(2026, 8, 20),
        reason,
        people.social_worker,
    )
    child = reload(home).child
    assert child.previous_returns.count() == earlier + 1
    latest = child.previous_returns.get(returned_home_on=RETURN_DAY)
    assert latest.came_back_into_care_on == D(2026, 8, 20)
    assert latest.reason_for_breakdown == reason
    assert latest.failed
    case = reload(home)
    assert (case.stage, case.closed_on) == (Stage.CLOSED, D(2026, 8, 20))
    closure = case.closure
    assert (closure.reason, closure.closed_on, closure.notes) == (
        "breakdown",
        D(2026, 8, 20),
        reason,
    )
    assert closure.override_by is None
    assert ChronologyEntry.objects.filter(
        case=case,
        description__startswith="The return home broke down: back in care on 20 August 2026.",
    ).exists()
    assert not case.allocations.filter(end_date__isnull=True).exists()


def test_a_breakdown_is_only_recorded_after_a_return_home(case, social_worker):
    before = saved(case)

    with pytest.raises(ValidationError, match="only be recorded after a return home"):
        break_down(case=case, by=social_worker, came_back_on=OPENED, reason="Came back.")

    assert saved(case) == before


def test_the_child_cannot_come_back_into_care_before_going_home(home, people):
    before = saved(home)

    with pytest.raises(ValidationError, match="cannot come back into care before returning"):
        break_down(
            case=home, by=people.social_worker, came_back_on=D(2026, 4, 30), reason="Came back."
        )

    assert saved(home) == before


def test_a_breakdown_needs_the_reason(home, people):
    with pytest.raises(ValidationError, match="Say why the return broke down"):
        break_down(case=home, by=people.social_worker, came_back_on=RETURN_DAY, reason=" ")

    assert reload(home).stage == Stage.RETURN_HOME


@pytest.mark.parametrize("who", ["colleague", "iro", "head_of_service", "outsider"])
def test_only_the_social_worker_or_a_team_manager_records_a_breakdown(home, who, request):
    with pytest.raises(PermissionDenied):
        break_down(
            case=home, by=request.getfixturevalue(who), came_back_on=RETURN_DAY, reason="Back."
        )


# Closing the case ------------------------------------------------------------------
#
# Home on 1 May 2026: support lasts at least until 1 November 2026; closing before
# 1 May 2027 is warned against. At Low risk since 3 March 2026 (the assessment
# before the consultation, and again on 14 April), the step rules allow closure
# from 3 September 2026.


@pytest.fixture
def home_at_low(case, people, clock):
    # Low from the start: a Low confirmed weeks after a Medium would step down
    # sooner than the step rules allow.
    at_confirmation = journey_to(case, Stage.CONFIRMATION, people=people, level="low")
    clock.move_to(noon(MEETING_DAY))
    confirm_return(at_confirmation, people, level="low")
    clock.move_to(noon(RETURN_DAY))
    go_home(at_confirmation, people.social_worker)
    return reload(at_confirmation)


def close(case, by, closed_on, **kwargs):
    kwargs.setdefault("reason", "sustained_low")
    return return_home.close_case(case=case, by=by, closed_on=closed_on, **kwargs)


EARLY = (
    "support after a return home lasts at least six months (until 1 November 2026); "
    "Low risk has not been held long enough (until 3 September 2026)"
)
WARNING = (
    "The child has been home less than twelve months (until 1 May 2027). Research advises "
    "keeping the case open at least a year."
)


def test_the_social_worker_cannot_close_early(home_at_low, people, clock):
    clock.move_to(noon(D(2026, 8, 3)))
    before = saved(home_at_low)

    with pytest.raises(ValidationError) as refused:
        close(home_at_low, people.social_worker, D(2026, 8, 3), warning_acknowledged=True)

    assert refused.value.messages == [f"Closing now needs a team manager's override: {EARLY}."]
    assert saved(home_at_low) == before


def test_a_team_managers_override_needs_a_reason(home_at_low, people, clock):
    clock.move_to(noon(D(2026, 8, 3)))

    with pytest.raises(ValidationError) as refused:
        close(home_at_low, people.team_manager, D(2026, 8, 3), warning_acknowledged=True)

    assert refused.value.messages == [f"Give the reason for overriding: {EARLY}."]
    assert reload(home_at_low).stage == Stage.RETURN_HOME


def test_a_team_manager_closes_early_with_an_override_reason(home_at_low, people, clock):
    clock.move_to(noon(D(2026, 8, 3)))
    why = "The family moved to Scotland; the new authority holds the case."

    closure = close(
        home_at_low,
        people.team_manager,
        D(2026, 8, 3),
        reason="other",
        override_reason=why,
        warning_acknowledged=True,
    )

    assert (closure.override_by, closure.override_reason) == (people.team_manager, why)
    assert (closure.closed_by, closure.role) == (people.team_manager, Role.TEAM_MANAGER)
    case = reload(home_at_low)
    assert (case.stage, case.closed_on) == (Stage.CLOSED, D(2026, 8, 3))
    assert StageMove.objects.filter(case=case).last().reason == (
        f"Case closed: other. Early closure overridden by Tina Marsh: {why}"
    )


def test_an_early_closure_still_needs_the_twelve_month_warning_acknowledged(
    home_at_low, people, clock
):
    clock.move_to(noon(D(2026, 8, 3)))

    with pytest.raises(ValidationError) as refused:
        close(home_at_low, people.team_manager, D(2026, 8, 3), override_reason="Moved away.")

    assert refused.value.messages == [f"{WARNING} Confirm that you still want to close it."]
    assert reload(home_at_low).stage == Stage.RETURN_HOME


def test_after_six_months_at_low_the_social_worker_closes_once_she_acknowledges_the_warning(
    home_at_low, people, clock
):
    clock.move_to(noon(D(2026, 11, 2)))
    with pytest.raises(ValidationError) as refused:
        close(home_at_low, people.social_worker, D(2026, 11, 2))
    assert refused.value.messages == [f"{WARNING} Confirm that you still want to close it."]

    closure = close(home_at_low, people.social_worker, D(2026, 11, 2), warning_acknowledged=True)

    assert (closure.override_by, closure.override_reason) == (None, "")
    assert (closure.closed_by, closure.role) == (people.social_worker, Role.SOCIAL_WORKER)
    assert reload(home_at_low).stage == Stage.CLOSED


def test_after_a_year_at_home_at_low_no_warning_is_needed(home_at_low, people, clock):
    clock.move_to(noon(D(2027, 5, 4)))

    closure = close(home_at_low, people.social_worker, D(2027, 5, 4))

    assert closure.reason == "sustained_low"
    assert reload(home_at_low).stage == Stage.CLOSED


def test_closing_before_low_is_held_long_enough_needs_an_override(home, people, clock):
    """Medium since 3 March (and at the meeting); Low only from 3 September, when the
    step rules first allow it, so closure from 3 March 2027."""
    clock.move_to(noon(D(2026, 9, 3)))
    signed_off_risk_assessment(
        home,
        author=people.social_worker,
        manager=people.team_manager,
        level="low",
        assessed_on=D(2026, 9, 3),
    )
    clock.move_to(noon(D(2026, 11, 2)))

    with pytest.raises(ValidationError) as refused:
        close(home, people.social_worker, D(2026, 11, 2), warning_acknowledged=True)
    assert refused.value.messages == [
        "Closing now needs a team manager's override: Low risk has not been held long "
        "enough (until 3 March 2027)."
    ]

    closure = close(
        home,
        people.team_manager,
        D(2026, 11, 2),
        override_reason="Low since September, every service ended well.",
        warning_acknowledged=True,
    )
    assert closure.override_by == people.team_manager


def test_closing_when_the_risk_is_not_low_needs_an_override(home, people, clock):
    clock.move_to(noon(D(2026, 11, 2)))

    with pytest.raises(ValidationError) as refused:
        close(home, people.social_worker, D(2026, 11, 2), warning_acknowledged=True)

    assert refused.value.messages == [
        "Closing now needs a team manager's override: the risk level is not Low."
    ]


def test_a_case_closes_only_after_a_return_or_when_reunification_is_not_pursued(case, team_manager):
    with pytest.raises(ValidationError, match="Only a case after a return home"):
        close(case, team_manager, OPENED, override_reason="x", warning_acknowledged=True)

    assert reload(case).stage == Stage.IDENTIFICATION


def test_closing_with_a_permanence_plan_needs_the_plan(home_at_low, people, clock):
    clock.move_to(noon(D(2027, 5, 4)))

    with pytest.raises(ValidationError, match="Describe the permanence plan"):
        close(home_at_low, people.social_worker, D(2027, 5, 4), reason="permanence")


def test_a_case_cannot_close_before_the_child_went_home(home_at_low, people, clock):
    """A closing date before the return would put the closure before the return in
    the chronology and in the returns reported: it is a mistake, not an override."""
    clock.move_to(noon(D(2026, 5, 4)))
    before = saved(home_at_low)

    with pytest.raises(ValidationError):
        close(
            home_at_low,
            people.team_manager,
            D(2026, 4, 20),
            reason="other",
            override_reason="Typed in a hurry.",
            warning_acknowledged=True,
        )

    assert saved(home_at_low) == before


@pytest.mark.parametrize("who", ["colleague", "iro", "head_of_service", "director", "outsider"])
def test_only_the_social_worker_or_a_team_manager_closes_the_case(home_at_low, who, request, clock):
    clock.move_to(noon(D(2027, 5, 4)))

    with pytest.raises(PermissionDenied):
        close(home_at_low, request.getfixturevalue(who), D(2027, 5, 4))


# The pages ---------------------------------------------------------------------------


def url(name: str, case, *args) -> str:
    return reverse(f"reviews:{name}", args=[case.pk, *args])


def text(response) -> str:
    return html.unescape(response.content.decode())


def date_input(name: str, day: datetime.date | None) -> dict[str, str]:
    if day is None:
        return {f"{name}_0": "", f"{name}_1": "", f"{name}_2": ""}
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def words(response) -> str:
    """The page's text, tags removed and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", text(response)).split())


def error_summary(response) -> str:
    found = re.search(r'<div class="govuk-error-summary".*?</ul>', response.content.decode(), re.S)
    assert found, "no GOV.UK error summary on the page"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(0))).split())


@pytest.fixture
def recommendation(case, iro, colleague):
    """A Child in Care review on 2 March 2026, with a recommendation for Colin Reed."""
    review = statutory.record_review(
        case=case,
        by=iro,
        held_on=D(2026, 3, 2),
        review_type="cic",
        chair=iro,
        attended="Kayla, her mother, Sarah Wood.",
        outcome="The plan continues.",
        recommendations=[
            {"text": "Life story work to start", "owner": colleague, "due_on": D(2026, 4, 2)}
        ],
    )
    return review.recommendations.get()


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
CHANGERS = {"social_worker", "team_manager"}
PAGES = {
    "aftercare": {
        "social_worker",
        "colleague",
        "team_manager",
        "head_of_service",
        "iro",
        "director",
    },
    "return_home": CHANGERS,
    "breakdown": CHANGERS,
    "close": CHANGERS,
    "review": CHANGERS | {"iro"},
    "visit": CHANGERS,
    "recommendation_done": CHANGERS | {"iro", "colleague"},
}
SEE_THE_CASE = PAGES["aftercare"]


def refusal(who: str) -> int:
    """Not found to those who may not see Kayla's case; refused to those who may."""
    return 403 if who in SEE_THE_CASE else 404


@pytest.mark.parametrize(
    "page, who, status",
    [
        (page, who, 200 if who in allowed else refusal(who))
        for page, allowed in PAGES.items()
        for who in EVERYONE
    ],
)
def test_each_page_opens_for_the_right_people_and_is_refused_or_not_found_for_others(
    client, case, recommendation, page, who, status, request
):
    client.force_login(request.getfixturevalue(who))
    args = [recommendation.pk] if page == "recommendation_done" else []

    assert client.get(url(page, case, *args)).status_code == status


@pytest.mark.parametrize("page", list(PAGES))
def test_the_pages_ask_for_sign_in(client, case, recommendation, page):
    args = [recommendation.pk] if page == "recommendation_done" else []

    response = client.get(url(page, case, *args))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.fixture
def sarah_has_a_task(case, social_worker):
    return Deadline.objects.create(
        case=case,
        kind="visit",
        key="visit-test",
        what="Social worker visit",
        due_on=D(2026, 3, 12),
        responsible=social_worker,
    )


@pytest.mark.parametrize("who", EVERYONE)
def test_my_tasks_opens_for_everyone_and_shows_only_their_own(
    client, case, sarah_has_a_task, who, request
):
    client.force_login(request.getfixturevalue(who))

    response = client.get(reverse("my_tasks"))

    assert response.status_code == 200
    assert ("Kayla Brightwater" in text(response)) is (who == "social_worker")


@pytest.mark.parametrize(
    "who, status, sees_kayla",
    [
        ("team_manager", 200, True),
        ("head_of_service", 200, True),
        ("director", 200, True),
        ("south_manager", 200, False),
        ("social_worker", 403, False),
        ("colleague", 403, False),
        ("iro", 403, False),
        ("outsider", 403, False),
        ("performance", 403, False),
    ],
)
def test_team_tasks_open_for_managers_and_show_only_their_teams(
    client, case, sarah_has_a_task, who, status, sees_kayla, request
):
    client.force_login(request.getfixturevalue(who))

    response = client.get(reverse("team_tasks"))

    assert response.status_code == status
    assert ("Kayla Brightwater" in text(response)) is sees_kayla


def test_the_tasks_pages_ask_for_sign_in(client, db):
    for name in ("my_tasks", "team_tasks"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def review_form(chair, **extra) -> dict:
    data = {
        **date_input("held_on", D(2026, 3, 9)),
        "review_type": "cic",
        "chair": chair.pk,
        "attended": "Kayla, her mother, her foster carer, Sarah Wood.",
        "outcome": "Family time to increase to overnight stays.",
        **date_input("next_review_requested_by", None),
    }
    data.update(extra)
    return data


def test_the_iro_records_a_child_in_care_review_with_a_recommendation(
    client, case, iro, social_worker
):
    client.force_login(iro)

    response = client.post(
        url("review", case),
        review_form(
            iro,
            recommendation_1="Refer Kayla to CAMHS",
            owner_1=social_worker.pk,
            **date_input("due_1", D(2026, 4, 9)),
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == url("aftercare", case)
    review = Review.objects.get(case=case)
    assert (review.review_type, review.chair, review.recorded_by) == ("cic", iro, iro)
    assert review.held_on == D(2026, 3, 9)
    recommendation = review.recommendations.get()
    assert (recommendation.owner, recommendation.due_on) == (social_worker, D(2026, 4, 9))


def test_the_iro_cannot_record_a_visit(client, case, iro):
    client.force_login(iro)

    response = client.post(
        url("visit", case), {**date_input("visited_on", D(2026, 3, 9)), "seen_alone": "yes"}
    )

    assert response.status_code == 403
    assert not Visit.objects.exists()
    with pytest.raises(PermissionDenied):
        statutory.record_visit(
            case=case, by=iro, visited_on=D(2026, 3, 9), seen_alone=True, notes=""
        )


def test_the_social_worker_records_a_visit(client, case, social_worker):
    client.force_login(social_worker)

    response = client.post(
        url("visit", case),
        {**date_input("visited_on", D(2026, 3, 9)), "seen_alone": "yes", "notes": "Settled."},
    )

    assert response.status_code == 302
    visit = Visit.objects.get(case=case)
    assert (visit.visited_on, visit.seen_alone, visit.visited_by) == (
        D(2026, 3, 9),
        True,
        social_worker,
    )


def test_the_owner_marks_a_recommendation_done(client, case, recommendation, colleague):
    client.force_login(colleague)

    response = client.post(
        url("recommendation_done", case, recommendation.pk), date_input("done_on", OPENED)
    )

    assert response.status_code == 302
    assert Recommendation.objects.get(pk=recommendation.pk).done_on == OPENED


def test_the_social_worker_records_a_return_that_was_not_planned_through_the_page(
    client, case, social_worker
):
    client.force_login(social_worker)

    response = client.post(
        url("return_home", case),
        {
            **date_input("returned_on", OPENED),
            "planned": "no",
            "unplanned_reason": "Kayla walked home from school.",
            "returned_to": MOTHER,
            "legal_status_after": "child_in_need",
            "episode_end_reason": "E4B",
        },
    )

    assert response.status_code == 302
    assert reload(case).stage == Stage.RETURN_HOME
    assert case.return_home.unplanned_reason == "Kayla walked home from school."


def test_the_aftercare_page_shows_support_the_warning_and_when_the_return_is_secure(
    client, home, people
):
    client.force_login(people.social_worker)

    page = words(client.get(url("aftercare", home)))

    assert f"1 May 2026 to {MOTHER} (planned)" in page
    assert "Support continues at least until 1 November 2026" in page
    assert "1 May 2027 (twelve months at home)" in page
    assert "1 May 2028 (two years at home)" in page
    assert "govuk-tag--green" not in page
    assert "seek legal advice on discharging the care order" not in page


def test_after_six_months_home_on_a_care_order_the_page_prompts_for_legal_advice(
    client, on_care_order_at_confirmation, people, clock
):
    case = on_care_order_at_confirmation
    approve_placement_with_parents(
        case=case, by=people.director, approved_on=D(2026, 4, 20), notes="Placement plan seen."
    )
    home_on_care_order(case, people.social_worker)
    prompt = "seek legal advice on discharging the care order"

    clock.move_to(noon(D(2026, 10, 30)))
    client.force_login(people.social_worker)
    assert prompt not in text(client.get(url("aftercare", case)))

    clock.move_to(noon(D(2026, 11, 2)))
    client.force_login(people.social_worker)
    assert prompt in text(client.get(url("aftercare", case)))


def test_after_two_years_home_the_return_is_shown_as_secure(client, home, people, clock):
    clock.move_to(noon(D(2028, 5, 1)))
    client.force_login(people.social_worker)

    page = text(client.get(url("aftercare", home)))

    assert '<strong class="govuk-tag govuk-tag--green">Secure</strong>' in page


@pytest.fixture
def walked(case, social_worker):
    walked_home(case, social_worker)
    return reload(case)


def close_form(**extra) -> dict:
    data = {
        **date_input("closed_on", OPENED),
        "reason": "other",
        "permanence_plan": "",
        "notes": "",
        "override_reason": "",
    }
    data.update(extra)
    return data


def test_the_close_page_warns_that_closing_today_is_early(client, walked, social_worker):
    client.force_login(social_worker)

    page = " ".join(text(client.get(url("close", walked))).split())

    assert (
        "Closing today would be early: support after a return home lasts at least six months "
        "(until 10 September 2026); the risk level is not Low. A team manager must record an "
        "override." in page
    )
    assert "The child has been home less than twelve months (until 10 March 2027)." in page


def test_the_team_manager_closes_early_through_the_page_with_an_override(
    client, walked, team_manager
):
    client.force_login(team_manager)
    assert "As a team manager you can override this" in text(client.get(url("close", walked)))

    response = client.post(
        url("close", walked),
        close_form(override_reason="Moved out of the area.", warning_acknowledged="on"),
    )

    assert response.status_code == 302
    assert reload(walked).stage == Stage.CLOSED
    assert Closure.objects.get(case=walked).override_by == team_manager


BAD_INPUT = [
    pytest.param(
        "return_home",
        "social_worker",
        lambda people: {
            **date_input("returned_on", OPENED),
            "planned": "no",
            "unplanned_reason": "",
            "returned_to": MOTHER,
            "legal_status_after": "child_in_need",
            "episode_end_reason": "E4B",
        },
        "Say why the return was not planned",
        id="return-unplanned-without-reason",
    ),
    pytest.param(
        "return_home",
        "social_worker",
        lambda people: {
            **date_input("returned_on", OPENED),
            "planned": "yes",
            "returned_to": MOTHER,
            "legal_status_after": "child_in_need",
            "episode_end_reason": "E4A",
        },
        "A planned return needs a return date confirmed at the Reunification Viability Meeting",
        id="return-planned-without-meeting",
    ),
    pytest.param(
        "return_home",
        "social_worker",
        lambda people: {
            **date_input("returned_on", D(2026, 3, 11)),
            "planned": "no",
            "unplanned_reason": "Walked home.",
            "returned_to": MOTHER,
            "legal_status_after": "child_in_need",
            "episode_end_reason": "E4B",
        },
        "Date the child returned home must be today or in the past",
        id="return-in-the-future",
    ),
    pytest.param(
        "review",
        "iro",
        lambda people: review_form(people.iro, recommendation_1="Refer to CAMHS"),
        "Select who will do recommendation 1",
        id="review-recommendation-without-owner",
    ),
    pytest.param(
        "review",
        "social_worker",
        lambda people: review_form(people.iro),
        "Only the case's IRO records a Child in Care review",
        id="review-cic-recorded-by-the-social-worker",
    ),
    pytest.param(
        "review",
        "iro",
        lambda people: review_form(people.social_worker),
        "A Child in Care review is chaired by an IRO",
        id="review-cic-not-chaired-by-an-iro",
    ),
    pytest.param(
        "visit",
        "social_worker",
        lambda people: {**date_input("visited_on", D(2026, 3, 11)), "seen_alone": "yes"},
        "Date of the visit must be today or in the past",
        id="visit-in-the-future",
    ),
    pytest.param(
        "visit",
        "social_worker",
        lambda people: date_input("visited_on", OPENED),
        "Select whether the child was seen alone",
        id="visit-seen-alone-missing",
    ),
]


@pytest.mark.parametrize("page, who, form, message", BAD_INPUT)
def test_bad_input_shows_the_error_summary_and_saves_nothing(
    client, case, people, page, who, form, message
):
    case = case
    client.force_login(getattr(people, who))
    before = saved(case)

    response = client.post(url(page, case), form(people))

    assert response.status_code == 200
    assert message in error_summary(response)
    assert saved(case) == before


def test_an_early_closure_by_the_social_worker_is_refused_on_the_page(
    client, walked, social_worker
):
    client.force_login(social_worker)
    before = saved(walked)

    response = client.post(url("close", walked), close_form(warning_acknowledged="on"))

    assert response.status_code == 200
    assert "Closing now needs a team manager's override" in error_summary(response)
    assert saved(walked) == before


def test_a_breakdown_without_a_reason_is_refused_on_the_page(client, walked, social_worker):
    client.force_login(social_worker)
    before = saved(walked)

    response = client.post(
        url("breakdown", walked), {**date_input("came_back_on", OPENED), "reason": ""}
    )

    assert response.status_code == 200
    assert "Say why the return broke down" in error_summary(response)
    assert saved(walked) == before


def test_a_recommendation_cannot_be_done_before_the_review_that_made_it(
    client, case, recommendation, colleague
):
    client.force_login(colleague)

    response = client.post(
        url("recommendation_done", case, recommendation.pk), date_input("done_on", D(2026, 3, 1))
    )

    assert response.status_code == 200
    assert "It cannot be done before the review that made it" in error_summary(response)
    assert Recommendation.objects.get(pk=recommendation.pk).done_on is None


def test_a_planned_return_needs_low_or_medium_risk_at_the_time(return_confirmed, people):
    # A High assessment is signed off after the meeting confirmed the date.
    signed_off_risk_assessment(
        return_confirmed, author=people.social_worker, manager=people.team_manager, level="high"
    )

    with pytest.raises(ValidationError, match="Low or Medium"):
        go_home(return_confirmed, people.social_worker)
    assert reload(return_confirmed).stage == Stage.CONFIRMATION


@pytest.mark.parametrize(
    "who, offered",
    [("colleague", True), ("iro", True), ("social_worker", True), ("head_of_service", False)],
)
def test_mark_as_done_is_offered_only_to_those_who_may_mark_it(
    client, case, recommendation, request, who, offered
):
    client.force_login(request.getfixturevalue(who))

    page = text(client.get(url("aftercare", case)))

    done_url = url("recommendation_done", case, recommendation.pk)
    assert (done_url in page) is offered
