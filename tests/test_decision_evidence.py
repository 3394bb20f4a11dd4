"""The evidence in front of the people deciding about a return home, and the
unresolved parental issues they must acknowledge.

Kayla Brightwater's case opens on 10 March 2026 in North. Her mother Dawn's
substance misuse is on the case; whether a specialist service meets it, and
whether a reason is recorded why none does, each test says.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.models import ChronologyEntry, ParentalIssue, Stage, TreatmentUptake
from planning.matching import match_issues
from planning.models import NoSpecialistService, ServiceKind, SupportService
from reviews.evidence import decision_evidence
from reviews.journey import decisions
from reviews.models import StageMove, ViabilityConsultation
from tests.factories import (
    ParentalIssueFactory,
    assessment_records,
    journey_to,
    participants,
    planning_records,
    signed_off_risk_assessment,
)

D = datetime.date
OPENED = D(2026, 3, 10)


@pytest.fixture(autouse=True)
def clock():
    noon = datetime.datetime(2026, 3, 10, 12, tzinfo=ZoneInfo("Europe/London"))
    with time_machine.travel(noon) as traveller:
        yield traveller


# The matching, over plain records ------------------------------------------------


def issue(kind="substance_misuse", treatment=TreatmentUptake.ENGAGING, pk=1):
    return ParentalIssue(pk=pk, kind=kind, treatment=treatment)


def service(kind=ServiceKind.SPECIALIST_SUBSTANCE_MISUSE, ends_on=None):
    return SupportService(
        kind=kind, provider="Turning Point", starts_on=D(2026, 1, 5), ends_on=ends_on
    )


@pytest.mark.parametrize(
    "ends_on, gap",
    [
        (None, False),
        (D(2026, 3, 10), False),  # ends today: still running today
        (D(2026, 3, 9), True),  # ended yesterday
    ],
)
def test_an_issue_is_a_gap_without_a_running_specialist_service_of_its_kind(ends_on, gap):
    [match] = match_issues([issue()], [service(ends_on=ends_on)], [], D(2026, 3, 10))

    assert match.gap is gap


def test_a_service_of_another_kind_does_not_meet_the_issue():
    other = service(kind=ServiceKind.SPECIALIST_MENTAL_HEALTH)

    [match] = match_issues([issue()], [other], [], D(2026, 3, 10))

    assert match.gap
    assert match.unresolved_because == ["no specialist substance misuse service is recorded"]


def test_a_recorded_reason_there_is_no_service_closes_the_gap():
    reason = NoSpecialistService(issue_id=1, reason="Her GP's service meets it")

    [match] = match_issues([issue()], [], [reason], D(2026, 3, 10))

    assert not match.gap
    assert not match.unresolved


def test_treatment_completed_needs_no_service_now():
    [match] = match_issues([issue(treatment=TreatmentUptake.COMPLETED)], [], [], D(2026, 3, 10))

    assert not match.unresolved


@pytest.mark.parametrize(
    "treatment, unresolved",
    [
        (TreatmentUptake.NOT_OFFERED, True),
        (TreatmentUptake.OFFERED_DECLINED, True),
        (TreatmentUptake.OFFERED_WAITING, True),
        (TreatmentUptake.DISENGAGED, True),
        (TreatmentUptake.ENGAGING, False),
        (TreatmentUptake.COMPLETED, False),
    ],
)
def test_with_a_service_an_issue_is_unresolved_while_not_treated_or_disengaged(
    treatment, unresolved
):
    [match] = match_issues([issue(treatment=treatment)], [service()], [], D(2026, 3, 10))

    assert match.unresolved is unresolved
    assert not match.gap


# The decisions --------------------------------------------------------------------


@pytest.fixture
def assessed(journey_case, people):
    """At assessment, with everything the consultation needs; Dawn's substance
    misuse taken up, then disengaged, and no substance misuse service."""
    case = journey_to(journey_case, Stage.ASSESSMENT, people=people)
    assessment_records(case)
    signed_off_risk_assessment(
        case, author=people.social_worker, manager=people.team_manager, assessed_on=D(2026, 3, 9)
    )
    NoSpecialistService.objects.filter(case=case).delete()
    case.parental_issues.update(treatment=TreatmentUptake.DISENGAGED)
    return case


def consult(case, people, **kwargs):
    return decisions.record_viability_consultation(
        case=case,
        by=people.team_manager,
        held_on=OPENED,
        outcome="suited",
        rationale="Medium risk; both want it.",
        participants=participants(people),
        **kwargs,
    )


def test_the_evidence_names_the_unresolved_issue_and_the_missing_service(assessed):
    evidence = decision_evidence(assessed, OPENED)

    assert [m.summary() for m in evidence.unresolved] == [
        "Substance misuse (alcohol or drugs) (Dawn Brightwater): the parent disengaged from "
        "treatment; no specialist substance misuse service is recorded"
    ]
    present = {f.name: f for f in evidence.breakdown_present}
    assert "Parental substance misuse without treatment" in present
    assert present["Services missing or ended"].detail == (
        "No specialist substance misuse service for substance misuse (alcohol or drugs)."
    )
    assert present["Services missing or ended"].link.endswith("/planning/#services")


def test_the_consultation_is_refused_until_the_unresolved_issue_is_acknowledged(assessed, people):
    chronology = ChronologyEntry.objects.filter(case=assessed).count()

    with pytest.raises(ValidationError) as refused:
        consult(assessed, people, unresolved_issues_plan="   ")

    assert "unresolved_issues_plan" in refused.value.message_dict
    assert not ViabilityConsultation.objects.filter(case=assessed).exists()
    assert ChronologyEntry.objects.filter(case=assessed).count() == chronology


def test_the_acknowledgement_is_kept_on_the_decision_and_in_the_chronology(assessed, people):
    consultation = consult(
        assessed, people, unresolved_issues_plan="Referral to Turning Point by 20 March."
    )

    assert consultation.unresolved_issues.startswith("Substance misuse (alcohol or drugs)")
    assert consultation.unresolved_issues_plan == "Referral to Turning Point by 20 March."
    entry = ChronologyEntry.objects.filter(
        case=assessed, description__startswith="Reunification Viability Consultation"
    ).get()
    assert "Unresolved parental issues acknowledged" in entry.description
    assert "Referral to Turning Point by 20 March." in entry.description


def test_nothing_to_acknowledge_once_a_specialist_service_is_recorded(assessed, people):
    assessed.parental_issues.update(treatment=TreatmentUptake.ENGAGING)
    SupportService.objects.create(
        case=assessed,
        kind=ServiceKind.SPECIALIST_SUBSTANCE_MISUSE,
        provider="Turning Point",
        starts_on=OPENED,
        timing="both",
    )

    consultation = consult(assessed, people)

    assert consultation.unresolved_issues == ""
    evidence = decision_evidence(assessed, OPENED)
    assert "Specialist services taken up" in {f.name for f in evidence.success_present}


def test_the_move_to_confirmation_keeps_the_acknowledgement(journey_case, people):
    case = journey_to(journey_case, Stage.SUPPORT_PLANNING, people=people)
    planning_records(case, team_manager=people.team_manager)
    ParentalIssueFactory(case=case, kind="domestic_abuse", treatment=TreatmentUptake.NOT_OFFERED)

    with pytest.raises(ValidationError):
        decisions.move_to_confirmation(case=case, by=people.social_worker)
    decisions.move_to_confirmation(
        case=case, by=people.social_worker, unresolved_issues_plan="IDVA referral this week."
    )

    move = StageMove.objects.filter(case=case, to_stage=Stage.CONFIRMATION).get()
    assert "Domestic abuse" in move.unresolved_issues
    assert move.unresolved_issues_plan == "IDVA referral this week."


# The pages ------------------------------------------------------------------------


def test_the_consultation_page_shows_the_evidence_and_asks_for_the_acknowledgement(
    client, assessed, team_manager
):
    client.force_login(team_manager)
    address = reverse("reviews:consultation", args=[assessed.pk])

    page = client.get(address).content.decode()

    assert "What research links to returns breaking down, for Kayla" in page
    assert "What goes with returns that last" in page
    assert f"/cases/{assessed.pk}/#reasons" in page
    assert 'name="unresolved_issues_plan"' in page


def test_a_consultation_posted_without_the_acknowledgement_shows_the_error(
    client, assessed, team_manager, people
):
    client.force_login(team_manager)
    data = {
        "held_on_0": "10",
        "held_on_1": "3",
        "held_on_2": "2026",
        "outcome": "suited",
        "rationale": "Medium risk.",
        **{name: person.pk for name, person in participants(people).items()},
    }

    response = client.post(reverse("reviews:consultation", args=[assessed.pk]), data)

    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert "Say what will be done about the unresolved parental issues" in (
        response.content.decode()
    )
    assert not ViabilityConsultation.objects.filter(case=assessed).exists()


def test_a_reason_for_no_service_is_for_one_of_this_cases_issues(
    client, assessed, team_manager, social_worker, north
):
    from tests.factories import ReunificationCaseFactory

    stranger = ParentalIssueFactory(case=ReunificationCaseFactory(team=north))
    client.force_login(social_worker)
    address = reverse("cases:add_record", args=[assessed.pk, "no-specialist-service"])
    data = {
        "issue": stranger.pk,
        "reason": "None locally",
        "decided_on_0": "10",
        "decided_on_1": "3",
        "decided_on_2": "2026",
    }

    client.post(address, data)
    assert not NoSpecialistService.objects.exists()

    mine = assessed.parental_issues.get()
    response = client.post(address, {**data, "issue": mine.pk})
    assert response.status_code == 302
    assert NoSpecialistService.objects.get().issue == mine
    assert not decision_evidence(assessed, OPENED).issues[0].gap


# Service gaps: the task, and the report ----------------------------------------------


@pytest.mark.parametrize(
    "recorded_on, ended_on, due_on",
    [
        # Ten working days; Good Friday and Easter Monday 2026 do not count.
        (D(2026, 3, 30), None, D(2026, 4, 15)),
        # From a Saturday, the count starts on Monday.
        (D(2026, 2, 28), None, D(2026, 3, 13)),
        # A service that ended later than the issue was recorded restarts the count.
        (D(2026, 1, 5), D(2026, 2, 27), D(2026, 3, 13)),
        (D(2026, 2, 27), D(2026, 1, 5), D(2026, 3, 13)),
        # Across a leap day.
        (D(2028, 2, 25), None, D(2028, 3, 10)),
    ],
)
def test_a_service_gap_is_due_ten_working_days_on(recorded_on, ended_on, due_on):
    from reviews.deadlines.rules import service_gap_due

    assert service_gap_due(recorded_on, ended_on) == due_on


def test_an_unmatched_need_is_a_task_for_the_social_worker_until_a_reason_is_recorded(
    assessed, social_worker
):
    from reviews.deadlines.refresh import refresh
    from reviews.models import Deadline, DeadlineKind

    refresh(assessed)
    task = Deadline.objects.get(case=assessed, kind=DeadlineKind.SERVICE_GAP)
    assert task.responsible == social_worker
    assert task.what == (
        "Substance misuse (alcohol or drugs): record the specialist substance misuse service "
        "or why there is none"
    )
    assert task.due_on == D(2026, 3, 24)  # recorded on 10 March: ten working days on

    NoSpecialistService.objects.create(
        case=assessed, issue=assessed.parental_issues.get(), reason="None", decided_on=OPENED
    )
    refresh(assessed)
    assert not Deadline.objects.filter(case=assessed, kind=DeadlineKind.SERVICE_GAP).exists()


def test_the_service_gaps_figures_count_each_issue_once_by_how_it_is_met(assessed, north):
    from reporting.service_gaps import children_with_gaps, gaps_by_issue
    from tests.factories import ReunificationCaseFactory

    # Kayla: substance misuse, disengaged, no service: a gap.
    # Another North child: mental ill health with a running service, and domestic
    # abuse with a reason recorded; a third: illness, treatment completed.
    other = ReunificationCaseFactory(team=north)
    ParentalIssueFactory(case=other, kind="mental_ill_health")
    SupportService.objects.create(
        case=other,
        kind=ServiceKind.SPECIALIST_MENTAL_HEALTH,
        provider="Community mental health team",
        starts_on=OPENED,
        timing="both",
    )
    abuse = ParentalIssueFactory(case=other, kind="domestic_abuse")
    NoSpecialistService.objects.create(
        case=other, issue=abuse, reason="Met by the IDVA", decided_on=OPENED
    )
    third = ReunificationCaseFactory(team=north)
    ParentalIssueFactory(case=third, kind="illness", treatment=TreatmentUptake.COMPLETED)
    closed = ReunificationCaseFactory(team=north, stage=Stage.CLOSED, closed_on=OPENED)
    ParentalIssueFactory(case=closed, kind="substance_misuse")  # closed: not counted

    from cases.models import ReunificationCase

    rows = {row.kind: row for row in gaps_by_issue(ReunificationCase.objects.all(), OPENED)}

    misuse = rows["Substance misuse (alcohol or drugs)"]
    assert (misuse.issues, misuse.met, misuse.gaps) == (1, 0, 1)
    assert (rows["Mental ill health"].issues, rows["Mental ill health"].met) == (1, 1)
    assert rows["Domestic abuse"].reason_recorded == 1
    assert rows["Domestic abuse"].gaps == 0
    assert rows["Illness"].treatment_completed == 1
    assert rows["Disability"].issues == 0
    assert [gap.case for gap in children_with_gaps(ReunificationCase.objects.all(), OPENED)] == [
        assessed
    ]


def test_the_service_gaps_page_lists_only_children_the_person_may_see(
    client, assessed, team_manager, south_manager
):
    client.force_login(team_manager)
    page = client.get(reverse("reporting:service_gaps")).content.decode()
    assert "Kayla" in page
    assert "the parent disengaged from treatment" in page

    client.force_login(south_manager)
    page = client.get(reverse("reporting:service_gaps")).content.decode()
    assert "Kayla" not in page
    assert "No unmet needs on the cases you can see." in page


def test_a_social_worker_may_not_see_the_service_gaps_report(client, social_worker):
    client.force_login(social_worker)

    assert client.get(reverse("reporting:service_gaps")).status_code == 403


# Plans that are tracked ---------------------------------------------------------------


def test_the_planning_meeting_is_due_twenty_working_days_after_the_consultation_over_christmas():
    from reviews.deadlines.rules import planning_meeting_due

    # 25 and 28 December 2026 and 1 January 2027 are bank holidays.
    assert planning_meeting_due(D(2026, 12, 18), 20) == D(2027, 1, 20)
    assert planning_meeting_due(D(2026, 3, 10), 20) == D(2026, 4, 9)  # over Easter


@pytest.mark.parametrize(
    "reviews, done",
    [
        ([], None),
        ([(D(2026, 2, 28), "partly")], None),  # reviewed before its date, not met
        ([(D(2026, 2, 28), "met")], D(2026, 2, 28)),  # met early
        ([(D(2026, 2, 28), "partly"), (D(2026, 3, 1), "not_met")], D(2026, 3, 1)),
    ],
)
def test_a_goal_is_reviewed_by_its_date_or_met_sooner(reviews, done):
    from reviews.deadlines.rules import goal_review_done

    assert goal_review_done(D(2026, 3, 1), reviews) == done


def test_a_positive_consultation_sets_the_planning_meeting_deadline_until_it_is_held(
    assessed, people, clock
):
    from planning.models import PlanningMeeting
    from reviews.deadlines.refresh import refresh
    from reviews.models import Deadline, DeadlineKind

    consult(assessed, people, unresolved_issues_plan="Referral this week.")
    refresh(assessed)
    task = Deadline.objects.get(case=assessed, kind=DeadlineKind.PLANNING_MEETING)
    assert (task.due_on, task.responsible, task.done_on) == (
        D(2026, 4, 9),
        people.team_manager,
        None,
    )

    PlanningMeeting.objects.create(
        case=assessed, held_on=D(2026, 3, 20), led_by=people.team_manager, considerations="Plan"
    )
    refresh(assessed)
    task.refresh_from_db()
    assert task.done_on == D(2026, 3, 20)


def test_further_work_decided_at_the_viability_meeting_is_a_deadline_for_both(
    journey_case, people, clock
):
    from reviews.deadlines.refresh import refresh
    from reviews.models import Deadline, DeadlineKind

    case = journey_to(journey_case, Stage.CONFIRMATION, people=people)
    signed_off_risk_assessment(case, author=people.social_worker, manager=people.team_manager)
    decisions.record_viability_meeting(
        case=case,
        by=people.team_manager,
        held_on=OPENED,
        outcome="further_work",
        rationale="Not yet.",
        participants=participants(people),
        further_work="Six more weeks of testing",
        further_work_by=D(2026, 4, 30),
        unresolved_issues_plan="Kept under review.",
    )
    refresh(case)

    tasks = Deadline.objects.filter(case=case, kind=DeadlineKind.FURTHER_WORK)
    assert {(t.responsible, t.due_on) for t in tasks} == {
        (people.team_manager, D(2026, 4, 30)),
        (people.social_worker, D(2026, 4, 30)),
    }
    assert all(t.what == "Further work: Six more weeks of testing" for t in tasks)
