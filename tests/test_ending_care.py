"""Issue 14, records that stay true and reunification not lost from view:

- regulation 39: ceasing to look after a child looked after for 20 working days
  or more needs the service director's approval before the return that ends
  care (asked for, waiting for the director, refused without it);
- a return home is not dated before the child became looked after, and leaves
  no placement open; a breakdown records where the child now lives and under
  what legal status;
- "not pursued" records when reunification is reconsidered (a task for the team
  manager and the social worker) and a later Low or Medium level lets the
  manager reopen the assessment;
- every Child in Care review of a child in care records whether reunification
  was considered, or shows as incomplete with a task for the IRO.

Kayla Brightwater's case opens on Tuesday 10 March 2026 in North; she is
accommodated under section 20 with foster carers. Sarah Wood is her social
worker, Tina Marsh the team manager, Ian Rowe the IRO and Diane Dale the service
director.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases.models import ChronologyEntry, Role, Stage
from cases.selectors import current_legal_status
from cases.services import allocate
from reviews.aftercare import return_home, statutory
from reviews.aftercare.rules import (
    approval_covers,
    nominated_officer_approval_needed,
    nominated_officer_needed_from,
    reunification_record_missing,
)
from reviews.deadlines import refresh as deadlines
from reviews.journey import decisions
from reviews.journey.rules import may_reopen_assessment, reconsider_reunification_on
from reviews.journey.selectors import decisions_waiting
from reviews.models import CeasingCareRequest, Deadline, DeadlineKind, ReturnHome, StageMove
from risk.tool import Level
from tests.factories import (
    ChildFactory,
    FamilyMemberFactory,
    LegalStatusFactory,
    PlacementFactory,
    assessment_records,
    journey_beyond,
    open_case,
    put_on_care_order,
    signed_off_risk_assessment,
)

D = datetime.date
LONDON = ZoneInfo("Europe/London")
OPENED = D(2026, 3, 10)
LOOKED_AFTER = D(2025, 9, 1)
MOTHER = "Dawn Brightwater (mother)"


def noon(day):
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=LONDON)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(noon(OPENED)) as traveller:
        yield traveller


def kayla_case(people, looked_after_on=LOOKED_AFTER, code="V2"):
    kayla = ChildFactory(first_name="Kayla", last_name="Brightwater")
    case = open_case(
        team_manager=people.team_manager,
        social_worker=people.social_worker,
        iro=people.iro,
        child=kayla,
        became_looked_after_on=looked_after_on,
    )
    LegalStatusFactory(child=kayla, code=code, start_date=looked_after_on)
    PlacementFactory(child=kayla, placement_type="U6", start_date=looked_after_on)
    FamilyMemberFactory(case=case, name="Dawn Brightwater", relationship="Mother")
    allocate(
        case=case, role=Role.HEAD_OF_SERVICE, user=people.head_of_service, by=people.team_manager
    )
    case.refresh_from_db()
    return case


@pytest.fixture
def case(everyone, people):
    return kayla_case(people)


def walked_home(case, by, **kwargs):
    kwargs.setdefault("returned_on", OPENED)
    kwargs.setdefault("planned", False)
    kwargs.setdefault("unplanned_reason", "Kayla went to her mother's.")
    kwargs.setdefault("returned_to", MOTHER)
    kwargs.setdefault("legal_status_after", "child_in_need")
    kwargs.setdefault("episode_end_reason", "E4B")
    return return_home.record_return_home(case=case, by=by, **kwargs)


def ask(case, people, on=OPENED):
    return return_home.ask_to_cease_care(
        case=case, by=people.social_worker, proposed_on=on, plan_after="Child in Need plan."
    )


def decide(case, people, approved=True, on=OPENED):
    return return_home.decide_ceasing_care(
        case=case,
        by=people.director,
        approved=approved,
        decided_on=on,
        rationale="The plan after care is sound." if approved else "Too soon.",
    )


# Regulation 39: the rule, at its edges --------------------------------------------


@pytest.mark.parametrize(
    "looked_after_on, needed_from",
    [
        # Monday 2 March 2026: 20 working days are 2 to 27 March.
        (D(2026, 3, 2), D(2026, 3, 28)),
        # Monday 23 March 2026: Good Friday (3 April) and Easter Monday (6 April)
        # do not count, so the 20th working day is Tuesday 21 April.
        (D(2026, 3, 23), D(2026, 4, 22)),
        # A Saturday: the count starts on Monday 9 March; past Easter, Tuesday 7 April.
        (D(2026, 3, 7), D(2026, 4, 8)),
        # Christmas Day and Boxing Day 2025 do not count.
        (D(2025, 12, 1), D(2025, 12, 31)),
        # 29 February 2028 counts as the first day.
        (D(2028, 2, 29), D(2028, 3, 28)),
        # Friday 31 July 2026, across the August bank holiday (31 August): 27 August.
        (D(2026, 7, 31), D(2026, 8, 28)),
    ],
)
def test_approval_is_needed_from_the_day_after_the_twentieth_working_day(
    looked_after_on, needed_from
):
    assert nominated_officer_needed_from(looked_after_on) == needed_from
    assert nominated_officer_approval_needed(looked_after_on, needed_from)
    assert not nominated_officer_approval_needed(
        looked_after_on, needed_from - datetime.timedelta(days=1)
    )


@pytest.mark.parametrize(
    "decided_on, approved, ceases_on, covers",
    [
        (D(2026, 5, 1), True, D(2026, 5, 1), True),  # on the day
        (D(2026, 4, 30), True, D(2026, 5, 1), True),
        (D(2026, 5, 2), True, D(2026, 5, 1), False),  # given after care ended
        (D(2026, 4, 30), False, D(2026, 5, 1), False),  # refused
        (None, None, D(2026, 5, 1), False),  # not decided
    ],
)
def test_an_approval_covers_care_ending_on_or_after_it(decided_on, approved, ceases_on, covers):
    assert approval_covers(decided_on, approved, ceases_on) is covers


# Regulation 39: through the services ------------------------------------------------


def test_ending_care_after_twenty_working_days_is_refused_without_the_directors_approval(
    case, people
):
    with pytest.raises(ValidationError) as refused:
        walked_home(case, people.social_worker)

    assert "service director must approve ceasing to look after Kayla" in str(refused.value)
    assert "legal_status_after" in refused.value.message_dict
    assert not ReturnHome.objects.filter(case=case).exists()
    case.refresh_from_db()
    assert case.stage == Stage.IDENTIFICATION


def test_asked_for_it_waits_for_the_director_and_once_approved_the_return_is_recorded(case, people):
    request = ask(case, people)

    assert (request.requested_by, request.requested_role, request.approved) == (
        people.social_worker,
        Role.SOCIAL_WORKER,
        None,
    )
    waiting = decisions_waiting(people.director)
    assert [(w.case, w.what, w.since) for w in waiting if w.case == case] == [
        (case, "Approve ceasing to look after (regulation 39)", OPENED)
    ]
    assert waiting[-1].url == reverse("reviews:ceasing_care_decision", args=[case.pk])
    assert not [w for w in decisions_waiting(people.team_manager) if "regulation 39" in w.what]
    with pytest.raises(ValidationError):  # still waiting: the return is refused
        walked_home(case, people.social_worker)

    decide(case, people)

    assert not [w for w in decisions_waiting(people.director) if w.case == case]
    returned = walked_home(case, people.social_worker)
    assert returned.legal_status_after == "child_in_need"
    assert ChronologyEntry.objects.filter(
        case=case, description__contains="approved ceasing to look after Kayla (regulation 39)"
    ).exists()


def test_a_refusal_keeps_the_child_in_care_and_she_may_be_asked_about_again(case, people):
    ask(case, people)
    decide(case, people, approved=False)

    with pytest.raises(ValidationError, match="service director must approve"):
        walked_home(case, people.social_worker)

    ask(case, people)
    with pytest.raises(ValidationError, match="already been asked"):
        ask(case, people)
    decide(case, people)
    walked_home(case, people.social_worker)
    assert [r.approved for r in CeasingCareRequest.objects.filter(case=case)] == [False, True]


def test_an_approval_given_after_the_return_date_does_not_cover_it(case, people, clock):
    clock.move_to(noon(D(2026, 3, 12)))
    ask(case, people, on=D(2026, 3, 11))
    decide(case, people, on=D(2026, 3, 12))

    with pytest.raises(ValidationError, match="service director must approve"):
        walked_home(case, people.social_worker, returned_on=D(2026, 3, 11))

    walked_home(case, people.social_worker, returned_on=D(2026, 3, 12))


@pytest.mark.parametrize(
    "returned_on, needs",
    [
        # Looked after from Monday 9 February 2026: 20 working days to 6 March.
        (D(2026, 3, 6), False),
        (D(2026, 3, 7), True),
    ],
)
def test_under_twenty_working_days_no_approval_is_needed(everyone, people, returned_on, needs):
    case = kayla_case(people, looked_after_on=D(2026, 2, 9))

    if needs:
        with pytest.raises(ValidationError, match="regulation 39"):
            walked_home(case, people.social_worker, returned_on=returned_on)
    else:
        walked_home(case, people.social_worker, returned_on=returned_on)
        with pytest.raises(ValidationError):
            ask(case, people, on=returned_on)  # already home


def test_asking_too_early_is_refused_with_the_date_it_is_needed_from(everyone, people):
    case = kayla_case(people, looked_after_on=D(2026, 2, 9))

    with pytest.raises(ValidationError) as refused:
        ask(case, people, on=D(2026, 3, 6))

    assert refused.value.message_dict["proposed_on"] == [
        "By then the child will have been looked after for fewer than 20 working days "
        "(approval is needed from 7 March 2026)"
    ]


def test_on_a_care_order_nothing_is_asked_and_the_return_keeps_her_looked_after(case, people):
    put_on_care_order(case, code="C2", on=D(2026, 3, 1))

    with pytest.raises(ValidationError, match="only the court can"):
        ask(case, people)
    walked_home(case, people.social_worker, legal_status_after="care_order", episode_end_reason="")


@pytest.mark.parametrize("who", ["team_manager", "head_of_service", "iro", "social_worker"])
def test_only_the_service_director_decides(case, people, who):
    ask(case, people)

    with pytest.raises(PermissionDenied):
        return_home.decide_ceasing_care(
            case=case,
            by=getattr(people, who),
            approved=True,
            decided_on=OPENED,
            rationale="Fine.",
        )


@pytest.mark.parametrize("who", ["iro", "head_of_service", "director"])
def test_the_social_worker_or_team_manager_asks(case, people, who):
    with pytest.raises(PermissionDenied):
        return_home.ask_to_cease_care(
            case=case, by=getattr(people, who), proposed_on=OPENED, plan_after="CIN."
        )


def test_the_decision_needs_a_reason(case, people):
    ask(case, people)

    with pytest.raises(ValidationError) as refused:
        return_home.decide_ceasing_care(
            case=case, by=people.director, approved=True, decided_on=OPENED, rationale="  "
        )

    assert refused.value.message_dict == {"rationale": ["Give the reason for the decision"]}
    assert CeasingCareRequest.objects.get(case=case).approved is None


def test_the_pages_ask_wait_and_refuse_with_the_error_summary(client, case, people):
    client.force_login(people.social_worker)
    form = {
        "returned_on_0": "10",
        "returned_on_1": "3",
        "returned_on_2": "2026",
        "planned": "no",
        "unplanned_reason": "She went to her mother's.",
        "returned_to": MOTHER,
        "legal_status_after": "child_in_need",
        "episode_end_reason": "E4B",
    }
    refused = client.post(reverse("reviews:return_home", args=[case.pk]), form)
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "govuk-error-summary" in page
    assert "the service director must approve ceasing to look after Kayla" in page

    asked = client.post(
        reverse("reviews:ceasing_care", args=[case.pk]),
        {
            "proposed_on_0": "10",
            "proposed_on_1": "3",
            "proposed_on_2": "2026",
            "plan_after": "Child in Need plan.",
        },
    )
    assert asked.status_code == 302
    assert (
        "Waiting for the service director"
        in client.get(reverse("reviews:aftercare", args=[case.pk])).content.decode()
    )

    client.force_login(people.director)
    shown = client.get(reverse("reviews:ceasing_care_decision", args=[case.pk]))
    assert "Looked after since" in shown.content.decode()
    assert "1 September 2025" in shown.content.decode()
    decided = client.post(
        reverse("reviews:ceasing_care_decision", args=[case.pk]),
        {
            "approved": "yes",
            "decided_on_0": "10",
            "decided_on_1": "3",
            "decided_on_2": "2026",
            "rationale": "Plan sound.",
        },
    )
    assert decided.status_code == 302

    client.force_login(people.social_worker)
    assert client.post(reverse("reviews:return_home", args=[case.pk]), form).status_code == 302


def test_a_social_worker_cannot_open_the_directors_page(client, case, people):
    ask(case, people)
    client.force_login(people.social_worker)

    assert client.get(reverse("reviews:ceasing_care_decision", args=[case.pk])).status_code == 403


# The return home keeps the record true ----------------------------------------------


def test_a_return_cannot_be_dated_before_the_child_became_looked_after(case, people):
    with pytest.raises(ValidationError) as refused:
        walked_home(case, people.social_worker, returned_on=D(2025, 8, 31))

    assert refused.value.message_dict["returned_on"] == [
        "The child cannot return home before becoming looked after (1 September 2025)"
    ]


def test_a_return_cannot_leave_a_later_placement_open(case, people):
    foster = case.child.placements.get()
    foster.end_date = D(2026, 3, 1)
    foster.save()
    PlacementFactory(
        child=case.child, placement_type="K2", carer="Oak House", start_date=D(2026, 3, 2)
    )
    ask(case, people, on=D(2026, 3, 1))
    decide(case, people, on=D(2026, 3, 1))

    with pytest.raises(ValidationError, match="placement with Oak House began on 2 March 2026"):
        walked_home(case, people.social_worker, returned_on=D(2026, 3, 1))

    walked_home(case, people.social_worker, returned_on=D(2026, 3, 2))
    assert not case.child.placements.filter(end_date__isnull=True).exists()


# A breakdown records where the child now lives ----------------------------------------


def test_a_breakdown_under_section_20_ended_starts_her_placement_and_legal_status(
    everyone, people, clock
):
    case = journey_beyond(kayla_case(people), Stage.RETURN_HOME, people=people)
    assert current_legal_status(case.child, OPENED + datetime.timedelta(days=1)) is None
    clock.move_to(noon(D(2026, 4, 20)))

    return_home.record_breakdown(
        case=case,
        by=people.social_worker,
        came_back_on=D(2026, 4, 20),
        reason="Mother relapsed.",
        placement_type="U6",
        carer="Mr and Mrs Hale",
        legal_status="V2",
    )

    child = case.child
    placement = child.placements.get(end_date__isnull=True)
    assert (placement.placement_type, placement.carer, placement.start_date) == (
        "U6",
        "Mr and Mrs Hale",
        D(2026, 4, 20),
    )
    status = current_legal_status(child, D(2026, 4, 20))
    assert (status.code, status.start_date) == ("V2", D(2026, 4, 20))
    assert case.breakdown.legal_status == "V2"

    # The repeat case starts from them.
    again = open_case(
        team_manager=people.team_manager, child=child, became_looked_after_on=D(2026, 4, 20)
    )
    assert again.previous_case == case
    assert current_legal_status(again.child, D(2026, 4, 21)).code == "V2"


@pytest.fixture
def home_on_care_order(everyone, people, clock):
    case = kayla_case(people, code="C2")
    case = journey_beyond(case, Stage.CONFIRMATION, people=people)
    signed_off_risk_assessment(case, author=people.social_worker, manager=people.team_manager)
    decisions.record_viability_meeting(
        case=case,
        by=people.team_manager,
        held_on=OPENED,
        outcome="confirmed",
        rationale="Progress sustained.",
        participants={
            "social_worker": people.social_worker,
            "team_manager": people.team_manager,
            "head_of_service": people.head_of_service,
            "iro": people.iro,
        },
        return_date=OPENED,
    )
    return_home.record_return_home(
        case=case,
        by=people.social_worker,
        returned_on=OPENED,
        planned=True,
        returned_to=MOTHER,
        legal_status_after="care_order",
    )
    clock.move_to(noon(D(2026, 5, 4)))
    case.refresh_from_db()
    return case


def test_a_breakdown_on_a_care_order_ends_the_placement_with_parents_and_the_order_runs_on(
    home_on_care_order, people
):
    case = home_on_care_order
    order = case.child.legal_statuses.get(code="C2")

    return_home.record_breakdown(
        case=case,
        by=people.social_worker,
        came_back_on=D(2026, 5, 4),
        reason="Mother relapsed.",
        placement_type="U6",
        carer="Mr and Mrs Hale",
        legal_status="C2",
    )

    child = case.child
    with_parents = child.placements.get(placement_type="P1")
    assert with_parents.end_date == D(2026, 5, 4)
    assert list(child.placements.filter(end_date__isnull=True).values_list("placement_type")) == [
        ("U6",)
    ]
    order.refresh_from_db()
    assert order.end_date is None
    assert child.legal_statuses.count() == 1


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"placement_type": "P1"}, "placement_type", "not placed with parents"),
        ({"legal_status": "V2"}, "legal_status", "which runs on until the court ends it"),
        ({"carer": " "}, "carer", "Enter the carer or provider"),
        ({"legal_status": ""}, "legal_status", "Select the child's legal status now"),
    ],
)
def test_a_breakdown_records_a_true_placement_and_legal_status(
    home_on_care_order, people, changes, field, message
):
    values = {
        "came_back_on": D(2026, 5, 4),
        "reason": "Mother relapsed.",
        "placement_type": "U6",
        "carer": "Mr and Mrs Hale",
        "legal_status": "C2",
        **changes,
    }

    with pytest.raises(ValidationError) as refused:
        return_home.record_breakdown(case=home_on_care_order, by=people.social_worker, **values)

    assert message in " ".join(refused.value.message_dict[field])
    home_on_care_order.refresh_from_db()
    assert home_on_care_order.stage == Stage.RETURN_HOME
    assert home_on_care_order.child.placements.get(end_date__isnull=True).placement_type == "P1"


def test_the_breakdown_page_asks_where_the_child_lives_and_under_what_status(
    client, home_on_care_order, people
):
    client.force_login(people.social_worker)
    page = client.get(reverse("reviews:breakdown", args=[home_on_care_order.pk])).content.decode()

    assert "Where the child now lives" in page
    assert "Legal status now" in page
    assert 'value="P1"' not in page
    assert '<option value="C2" selected>' in page


# Not pursued is not a dead end ----------------------------------------------------------


@pytest.mark.parametrize(
    "step_down_from, reassess_by, step_months, decided_on, expected",
    [
        (D(2026, 9, 2), D(2026, 6, 2), 6, D(2026, 3, 10), D(2026, 9, 2)),
        (None, D(2026, 6, 2), 6, D(2026, 3, 10), D(2026, 6, 2)),
        # From the decision, by the child's step period, at a month's end.
        (None, None, 6, D(2027, 8, 31), D(2028, 2, 29)),
        (None, None, 3, D(2026, 11, 30), D(2027, 2, 28)),
        # Never before the decision.
        (D(2026, 3, 1), None, 6, D(2026, 3, 10), D(2026, 3, 10)),
    ],
)
def test_reunification_is_reconsidered_at_the_step_rules_earliest_move(
    step_down_from, reassess_by, step_months, decided_on, expected
):
    assert (
        reconsider_reunification_on(
            decided_on,
            step_down_from=step_down_from,
            reassess_by=reassess_by,
            step_months=step_months,
        )
        == expected
    )


@pytest.mark.parametrize(
    "level, assessed_on, allowed",
    [
        (Level.MEDIUM, D(2026, 3, 10), True),  # on the day of the decision
        (Level.LOW, D(2026, 9, 1), True),
        (Level.MEDIUM, D(2026, 3, 9), False),  # before the decision
        (Level.HIGH, D(2026, 9, 1), False),
        (Level.SEVERE, D(2026, 9, 1), False),
        (None, None, False),
    ],
)
def test_a_later_low_or_medium_level_allows_reopening(level, assessed_on, allowed):
    assert may_reopen_assessment(D(2026, 3, 10), level, assessed_on) is allowed


@pytest.fixture
def not_pursued(everyone, people):
    return journey_beyond(kayla_case(people), Stage.NOT_PURSUED, people=people)


def test_not_pursued_records_when_to_reconsider_and_it_is_a_task_for_both(not_pursued, people):
    decision = not_pursued.not_pursued_decisions.get()
    # High signed off today: the step rules' earliest move is six months on.
    assert decision.reconsider_on == D(2026, 9, 10)

    deadlines.refresh(not_pursued)

    rows = Deadline.objects.filter(case=not_pursued, kind=DeadlineKind.RECONSIDER_REUNIFICATION)
    assert {(r.responsible_id, r.due_on) for r in rows} == {
        (people.team_manager.pk, D(2026, 9, 10)),
        (people.social_worker.pk, D(2026, 9, 10)),
    }
    assert {r.what for r in rows} == {"Reconsider reunification (not pursued)"}


def test_the_manager_may_set_the_date_but_not_on_or_before_the_decision(everyone, people):
    case = journey_beyond(kayla_case(people), Stage.ASSESSMENT, people=people)
    assessment_records(case)
    signed_off_risk_assessment(
        case, author=people.social_worker, manager=people.team_manager, level="high"
    )
    values = {
        "case": case,
        "by": people.team_manager,
        "decided_on": OPENED,
        "explained_to_child_on": OPENED,
        "explained_to_family_on": OPENED,
        "care_plan_now": "Fostering with her grandmother.",
        "rationale": "High risk.",
    }
    with pytest.raises(ValidationError) as refused:
        decisions.record_not_pursued(**values, reconsider_on=OPENED)
    assert "reconsider_on" in refused.value.message_dict

    decision = decisions.record_not_pursued(**values, reconsider_on=D(2026, 6, 1))
    assert decision.reconsider_on == D(2026, 6, 1)


def test_the_manager_reopens_the_assessment_once_a_later_level_allows_it(
    not_pursued, people, clock
):
    with pytest.raises(ValidationError, match="Low or Medium"):
        decisions.reopen_assessment(case=not_pursued, by=people.team_manager, rationale="Now.")
    clock.move_to(noon(D(2026, 9, 14)))
    signed_off_risk_assessment(
        not_pursued, author=people.social_worker, manager=people.team_manager, level="medium"
    )
    assert [w.what for w in decisions_waiting(people.team_manager) if w.case == not_pursued] == [
        "Reconsider reunification: a later risk level allows it"
    ]
    with pytest.raises(PermissionDenied):
        decisions.reopen_assessment(case=not_pursued, by=people.social_worker, rationale="Now.")

    decisions.reopen_assessment(
        case=not_pursued, by=people.team_manager, rationale="Mother has engaged with treatment."
    )

    not_pursued.refresh_from_db()
    assert not_pursued.stage == Stage.ASSESSMENT
    move = StageMove.objects.filter(case=not_pursued).last()
    assert (move.from_stage, move.to_stage, move.moved_by, move.role) == (
        Stage.NOT_PURSUED,
        Stage.ASSESSMENT,
        people.team_manager,
        Role.TEAM_MANAGER,
    )
    assert move.reason.startswith("Reunification reconsidered: the risk level signed off on")
    assert move.reason.endswith("Mother has engaged with treatment.")
    assert not Deadline.objects.filter(
        case=not_pursued, kind=DeadlineKind.RECONSIDER_REUNIFICATION, done_on__isnull=True
    ).exists()


def test_the_journey_page_offers_reopening_only_when_allowed(client, not_pursued, people, clock):
    client.force_login(people.team_manager)
    url = reverse("reviews:journey", args=[not_pursued.pk])
    page = client.get(url).content.decode()
    assert "Reunification is to be reconsidered by <strong>10 September 2026</strong>" in page
    assert "Reopen the assessment" not in page

    clock.move_to(noon(D(2026, 9, 14)))
    signed_off_risk_assessment(
        not_pursued, author=people.social_worker, manager=people.team_manager, level="medium"
    )
    client.force_login(people.team_manager)  # signed in again, six months on
    page = client.get(url).content.decode()
    assert reverse("reviews:reopen_assessment", args=[not_pursued.pk]) in page
    answered = client.post(
        reverse("reviews:reopen_assessment", args=[not_pursued.pk]), {"rationale": "Low now."}
    )
    assert answered.status_code == 302


# Reunification at every Child in Care review ------------------------------------------


@pytest.mark.parametrize(
    "cic, held_on, returned_on, considered, outcome, missing",
    [
        (True, D(2026, 3, 10), None, None, "", True),
        (True, D(2026, 3, 10), None, True, "", True),  # the outcome is part of it
        (True, D(2026, 3, 10), None, False, "Mother in hospital.", False),
        (True, D(2026, 3, 10), None, True, "Return still the plan.", False),
        (True, D(2026, 4, 30), D(2026, 5, 1), None, "", True),  # the day before the return
        (True, D(2026, 5, 1), D(2026, 5, 1), None, "", False),  # home already
        (False, D(2026, 3, 10), None, None, "", False),  # Child in Need review
    ],
)
def test_a_child_in_care_review_of_a_child_in_care_records_reunification(
    cic, held_on, returned_on, considered, outcome, missing
):
    assert (
        reunification_record_missing(
            child_in_care_review=cic,
            held_on=held_on,
            returned_on=returned_on,
            considered=considered,
            outcome=outcome,
        )
        is missing
    )


def cic_review(case, people, **kwargs):
    return statutory.record_review(
        case=case,
        by=people.iro,
        held_on=OPENED,
        review_type="cic",
        chair=people.iro,
        attended="Kayla, her mother, Sarah Wood.",
        outcome="The plan continues.",
        **kwargs,
    )


def test_a_review_without_it_is_incomplete_and_a_task_for_the_iro_until_recorded(
    client, case, people
):
    review = cic_review(case, people)
    deadlines.refresh(case)

    row = Deadline.objects.get(case=case, kind=DeadlineKind.REVIEW_REUNIFICATION)
    # Five working days from Tuesday 10 March 2026.
    assert (row.responsible, row.due_on) == (people.iro, D(2026, 3, 17))
    client.force_login(people.iro)
    page = client.get(reverse("reviews:aftercare", args=[case.pk])).content.decode()
    assert "Incomplete" in page
    link = reverse("reviews:review_reunification", args=[case.pk, review.pk])
    assert link in page
    overview = client.get(reverse("cases:overview", args=[case.pk])).content.decode()
    assert "The Child in Care review of 10 March 2026 is incomplete" in overview

    assert client.post(link, {"considered": "yes", "outcome": ""}).status_code == 200
    answered = client.post(link, {"considered": "yes", "outcome": "A return is still the plan."})

    assert answered.status_code == 302
    review.refresh_from_db()
    assert (review.reunification_considered, review.reunification_outcome) == (
        True,
        "A return is still the plan.",
    )
    deadlines.refresh(case)
    assert not Deadline.objects.filter(case=case, kind=DeadlineKind.REVIEW_REUNIFICATION).exists()
    assert (
        "Incomplete"
        not in client.get(reverse("reviews:aftercare", args=[case.pk])).content.decode()
    )


def test_recorded_with_the_review_it_is_complete_but_the_outcome_is_needed(case, people):
    with pytest.raises(ValidationError) as refused:
        cic_review(case, people, reunification_considered=False, reunification_outcome=" ")
    assert refused.value.message_dict == {
        "reunification_outcome": ["Say why reunification was not considered"]
    }

    cic_review(case, people, reunification_considered=True, reunification_outcome="Return in May.")
    deadlines.refresh(case)
    assert not Deadline.objects.filter(case=case, kind=DeadlineKind.REVIEW_REUNIFICATION).exists()


def test_only_the_iro_records_reunification_at_the_review(client, case, people):
    review = cic_review(case, people)
    client.force_login(people.social_worker)

    link = reverse("reviews:review_reunification", args=[case.pk, review.pk])
    assert client.get(link).status_code == 403
    with pytest.raises(PermissionDenied):
        statutory.record_review_reunification(
            review=review, by=people.team_manager, considered=True, outcome="Yes."
        )
