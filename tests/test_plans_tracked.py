"""Plans that are tracked, not only written: written-agreement goals with their
progress on the task lists and at the viability meeting, family time as a
progression, drift against the expected time in each stage (for Tina Marsh,
the team manager, and in the caseload report), and the documents Kayla's family
keep and sign."""

import datetime
import html
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse
from django.utils.html import strip_tags

from cases.models import Stage
from planning import family_time as ft
from planning.models import (
    AgreementGoal,
    FamilyTimeStep,
    GoalOutcome,
    GoalReview,
    WrittenAgreement,
)
from reporting import selectors as report
from reviews.deadlines.refresh import refresh
from reviews.evidence import decision_evidence
from reviews.journey import drift
from reviews.models import Deadline, DeadlineKind, StageMove
from risk.models import RiskLevel
from tests.factories import (
    ChildFactory,
    FamilyMemberFactory,
    open_case,
    planning_records,
    signed_off_risk_assessment,
)

D = datetime.date
LONDON = ZoneInfo("Europe/London")


def text(response) -> str:
    return html.unescape(response.content.decode())


def words(response) -> str:
    """The page's words, without its tags, spaced once."""
    return " ".join(strip_tags(text(response)).split())


def step(day, frequency, duration, supervised=False, overnight=False):
    return ft.Step(day, frequency, duration, supervised, overnight)


# Family time as a progression ---------------------------------------------------


@pytest.mark.parametrize(
    "words, per_week",
    [
        ("Twice a week", 2),
        ("once a week", 1),
        ("3 times a week", 3),
        ("Weekly", 1),
        ("Every weekend", 1),
        ("Weekends", 1),
        ("Daily", 7),
        ("Once a fortnight", 0.5),
        ("every other week", 0.5),
        ("Monday to Friday", None),
    ],
)
def test_how_often_family_time_happens_is_read_from_the_words(words, per_week):
    assert ft.visits_per_week(words) == per_week


@pytest.mark.parametrize(
    "words, hours",
    [("3 hours", 3), ("90 minutes", 1.5), ("two hours", 2), ("All day", 8), ("Sunday", None)],
)
def test_how_long_family_time_lasts_is_read_from_the_words(words, hours):
    assert ft.hours_each_time(words) == hours


def test_more_often_and_longer_is_an_increase():
    change = ft.compare(
        step(D(2026, 1, 5), "Once a week", "2 hours", supervised=True),
        step(D(2026, 2, 2), "Twice a week", "3 hours", supervised=True),
    )
    assert (change.change, change.reasons) == (ft.Change.INCREASED, ("more often", "longer"))


def test_going_back_to_supervised_is_a_reduction_whatever_else_went_up():
    change = ft.compare(
        step(D(2026, 1, 5), "Once a week", "2 hours"),
        step(D(2026, 2, 2), "Twice a week", "2 hours", supervised=True),
    )
    assert (change.change, change.reasons) == (ft.Change.REDUCED, ("supervised again",))


def test_fewer_but_overnight_stays_are_the_step_the_plan_asks_for():
    change = ft.compare(
        step(D(2026, 1, 5), "Twice a week", "3 hours", supervised=True),
        step(D(2026, 2, 2), "Weekly", "Friday to Sunday", overnight=True),
    )
    assert change.change == ft.Change.INCREASED
    assert change.reasons == ("no longer supervised", "overnight stays begin")


def test_the_same_again_is_no_increase_and_unreadable_words_cannot_be_compared():
    same = ft.compare(
        step(D(2026, 1, 5), "Once a week", "2 hours"), step(D(2026, 2, 2), "Weekly", "2 hours")
    )
    unclear = ft.compare(
        step(D(2026, 1, 5), "As agreed", "2 hours"), step(D(2026, 2, 2), "As agreed", "2 hours")
    )
    assert (same.change, unclear.change) == (ft.Change.SAME, ft.Change.UNCLEAR)


def test_family_time_increased_as_planned_judges_only_the_steps_begun():
    steps = [
        step(D(2026, 1, 31), "Once a week", "2 hours", supervised=True),
        step(D(2026, 2, 28), "Twice a week", "3 hours", supervised=True),
        step(D(2026, 3, 31), "Twice a week", "3 hours", supervised=True),  # not begun by 10 March
    ]
    progress = ft.progression(steps, D(2026, 3, 10))
    assert [c.change for c in progress.changes] == ["first", "increased", "same"]
    assert progress.started == 2
    assert progress.increased_as_planned is True
    assert progress.summary == ("Increased on the first step; no overnight stay yet.")
    # On 31 March the third step begins and it is no increase.
    assert ft.progression(steps, D(2026, 3, 31)).increased_as_planned is False


def test_with_one_step_begun_it_is_too_early_to_tell():
    progress = ft.progression([step(D(2028, 2, 29), "Weekly", "2 hours")], D(2028, 2, 29))
    assert progress.increased_as_planned is None


# Drift ---------------------------------------------------------------------------


def test_time_in_stage_runs_from_the_latest_move_into_it():
    moves = [
        (D(2026, 1, 31), Stage.ASSESSMENT),
        (D(2026, 2, 28), Stage.SUPPORT_PLANNING),
        (D(2026, 3, 1), Stage.ASSESSMENT),  # back to assessment
    ]
    assert drift.entered_stage_on(D(2025, 12, 1), moves, Stage.ASSESSMENT) == D(2026, 3, 1)
    assert drift.entered_stage_on(D(2025, 12, 1), [], Stage.IDENTIFICATION) == D(2025, 12, 1)


@pytest.mark.parametrize(
    "entered, day, days",
    [
        (D(2026, 1, 31), D(2026, 2, 28), 28),  # across a month end
        (D(2028, 1, 31), D(2028, 3, 1), 30),  # across 29 February in a leap year
        (D(2027, 12, 31), D(2028, 12, 31), 366),  # a whole leap year
        (D(2026, 3, 10), D(2026, 3, 10), 0),
    ],
)
def test_days_in_the_stage_are_calendar_days(entered, day, days):
    assert drift.days_in_stage(entered, day) == days


def test_a_case_drifts_the_day_after_its_expected_time_runs_out():
    expected = {Stage.CONFIRMATION: 42}
    entered = D(2028, 1, 31)
    # 42 days after 31 January 2028 is 13 March 2028 (February has 29 days).
    assert drift.drifting_from(entered, 42) == D(2028, 3, 14)
    assert not drift.is_drifting(Stage.CONFIRMATION, entered, D(2028, 3, 13), expected)
    assert drift.is_drifting(Stage.CONFIRMATION, entered, D(2028, 3, 14), expected)
    assert not drift.is_drifting(Stage.CLOSED, entered, D(2030, 1, 1), expected)


def test_every_open_stage_has_an_expected_time_by_default(settings):
    open_stages = {s for s in Stage.values if s != Stage.CLOSED}
    assert set(settings.STAGE_EXPECTED_DAYS) == open_stages
    assert settings.STAGE_EXPECTED_DAYS[Stage.ASSESSMENT] == 84


def _moved(case, to, day, by):
    StageMove.objects.create(
        case=case,
        from_stage=case.stage,
        to_stage=to,
        moved_by=by,
        role="team_manager",
        moved_at=datetime.datetime(day.year, day.month, day.day, 9, tzinfo=LONDON),
        reason="Moved",
    )
    case.stage, case.stage_entered_on = to, day
    case.save(update_fields=["stage", "stage_entered_on"])


@pytest.fixture
def drifting_world(on_10_march_2026, team_manager, social_worker, south_manager):
    """North: Amy in assessment since 1 December 2025 (99 days), Ben in assessment
    since 1 March 2026 (9 days), and Amy's brother Cal in confirmation since 29
    January (40 days). South: Dan in assessment since 1 November 2025."""
    amy = ChildFactory(first_name="Amy", last_name="Shaw")
    people = {"team_manager": team_manager, "social_worker": social_worker}
    cases = {}
    for name, child, stage, day in [
        ("amy", amy, Stage.ASSESSMENT, D(2025, 12, 1)),
        ("ben", ChildFactory(first_name="Ben", last_name="Cole"), Stage.ASSESSMENT, D(2026, 3, 1)),
        (
            "cal",
            ChildFactory(first_name="Cal", last_name="Shaw"),
            Stage.CONFIRMATION,
            D(2026, 1, 29),
        ),
    ]:
        case = open_case(child=child, **people)
        _moved(case, stage, day, team_manager)
        cases[name] = case
    dan = open_case(
        child=ChildFactory(first_name="Dan", last_name="Reed"), team_manager=south_manager
    )
    _moved(dan, Stage.ASSESSMENT, D(2025, 11, 1), south_manager)
    cases["dan"] = dan
    return cases


@override_settings(STAGE_EXPECTED_DAYS={Stage.ASSESSMENT: 84, Stage.CONFIRMATION: 30})
def test_the_team_manager_sees_her_teams_drifting_cases_longest_over_first(
    client, drifting_world, team_manager
):
    client.force_login(team_manager)
    response = client.get(reverse("team_tasks"))

    rows = [(d.case.child.first_name, d.days, d.expected) for d in response.context["drifting"]]
    # Amy 99 - 84 = 15 over; Cal 40 - 30 = 10 over; Ben is on time.
    assert rows == [("Amy", 99, 84), ("Cal", 40, 30)]
    assert "Drifting: longer in their stage than expected (2)" in text(response)
    assert "Dan" not in [d.case.child.first_name for d in response.context["drifting"]]


def test_a_social_worker_has_no_team_tasks(client, drifting_world, social_worker):
    client.force_login(social_worker)
    assert client.get(reverse("team_tasks")).status_code == 403


@override_settings(STAGE_EXPECTED_DAYS={Stage.ASSESSMENT: 84, Stage.CONFIRMATION: 30})
def test_the_caseload_report_counts_drifting_children_not_cases(drifting_world, north, south):
    scope = report.Scope(D(2025, 4, 1), D(2026, 3, 10), D(2026, 3, 10), teams=(north.pk,))
    assert report.drifting_children(scope) == [
        ("2. Assessment of risk and viability", 84, 2, 1),  # Amy (99 days); Ben on time
        ("4. Confirmation", 30, 1, 1),  # Cal
        ("All stages (children)", "", 3, 2),  # Amy and Cal
    ]
    everyone = report.Scope(D(2025, 4, 1), D(2026, 3, 10), D(2026, 3, 10))
    assert report.drifting_children(everyone)[-1] == ("All stages (children)", "", 4, 3)


@override_settings(STAGE_EXPECTED_DAYS={Stage.ASSESSMENT: 99})
def test_on_the_last_expected_day_a_case_is_not_yet_drifting(drifting_world, north):
    scope = report.Scope(D(2025, 4, 1), D(2026, 3, 10), D(2026, 3, 10), teams=(north.pk,))
    assert report.drifting_children(scope)[0] == ("2. Assessment of risk and viability", 99, 2, 0)


def test_the_caseload_report_shows_the_drift_table(
    client, drifting_world, team_manager, on_10_march_2026
):
    client.force_login(team_manager)
    page = text(client.get(reverse("reporting:caseload")))
    assert "Drifting: children longer in their stage than expected" in page


# Goal progress ------------------------------------------------------------------


def test_goal_progress_is_on_track_not_on_track_or_met():
    assert [GoalOutcome.ON_TRACK.label, GoalOutcome.NOT_ON_TRACK.label, GoalOutcome.MET.label] == [
        "On track",
        "Not on track",
        "Met",
    ]
    assert GoalOutcome.ON_TRACK.tag_colour == "blue"
    assert GoalOutcome.NOT_ON_TRACK.tag_colour == "red"


def _agreement(case, due_on, on):
    agreement = WrittenAgreement.objects.create(
        case=case,
        agreed_on=on,
        consequences_explained="Family time goes back to supervised visits.",
        parents_agreed=True,
        review_dates="Every six weeks",
    )
    return AgreementGoal.objects.create(
        agreement=agreement,
        goal="Mum keeps every appointment with the drug service",
        measure="Attendance letters",
        responsible="Mum",
        due_on=due_on,
    )


def test_a_goal_not_reviewed_by_31_january_is_overdue_on_1_february(
    client, team_manager, social_worker
):
    with time_machine.travel(datetime.datetime(2026, 1, 10, 12, tzinfo=LONDON)):
        case = open_case(team_manager=team_manager, social_worker=social_worker)
        goal = _agreement(case, D(2026, 1, 31), D(2026, 1, 10))
        GoalReview.objects.create(
            goal=goal, reviewed_on=D(2026, 1, 20), outcome=GoalOutcome.ON_TRACK, evidence="Kept"
        )
        refresh(case)
    task = Deadline.objects.get(case=case, kind=DeadlineKind.GOAL_REVIEW)
    assert (task.due_on, task.done_on, task.responsible) == (D(2026, 1, 31), None, social_worker)
    with time_machine.travel(datetime.datetime(2026, 1, 31, 12, tzinfo=LONDON)):
        client.force_login(social_worker)
        on_the_day = client.get(reverse("my_tasks")).context
        assert [d.pk for d in on_the_day["upcoming"]] == [task.pk]
    with time_machine.travel(datetime.datetime(2026, 2, 1, 12, tzinfo=LONDON)):
        client.force_login(social_worker)  # the session of the day before has timed out
        response = client.get(reverse("my_tasks"))
        assert [d.pk for d in response.context["overdue"]] == [task.pk]
        assert response.context["overdue"][0].progress.outcome == GoalOutcome.ON_TRACK
        assert "Progress: On track at the review of 20 Jan 2026" in words(response)
        # Reviewed on 2 February: done, and off the list.
        GoalReview.objects.create(
            goal=goal,
            reviewed_on=D(2026, 2, 1),
            outcome=GoalOutcome.NOT_ON_TRACK,
            evidence="Missed",
        )
        refresh(case)
        task.refresh_from_db()
        assert task.done_on == D(2026, 2, 1)


def test_the_case_task_list_shows_each_goals_progress(
    client, on_10_march_2026, team_manager, social_worker
):
    case = open_case(team_manager=team_manager, social_worker=social_worker)
    goal = _agreement(case, D(2026, 4, 30), D(2026, 3, 1))
    GoalReview.objects.create(
        goal=goal, reviewed_on=D(2026, 3, 9), outcome=GoalOutcome.NOT_ON_TRACK, evidence="Missed"
    )
    refresh(case)
    client.force_login(social_worker)
    page = words(client.get(reverse("reviews:aftercare", args=[case.pk])))
    assert "Progress: Not on track at the review of 9 Mar 2026" in page


def test_the_viability_meeting_sees_goal_progress_and_family_time(
    client, on_10_march_2026, journey_case, team_manager
):
    case = journey_case
    planning_records(case, team_manager=team_manager, on=D(2026, 2, 1))
    goal = AgreementGoal.objects.get(agreement__case=case)
    GoalReview.objects.create(
        goal=goal, reviewed_on=D(2026, 3, 2), outcome=GoalOutcome.ON_TRACK, evidence="Clean tests"
    )
    evidence = decision_evidence(case, D(2026, 3, 10))
    assert [(g.goal, r.outcome) for g, r in evidence.goals] == [
        ("Mother stays abstinent", "on_track")
    ]
    # Twice a week supervised, then weekly overnight stays from 1 March.
    assert [c.change for _, c in evidence.family_time][-2:] == ["first", "increased"]
    assert evidence.family_time_progression.increased_as_planned is True


def test_a_factor_that_does_not_apply_says_so(on_10_march_2026, case):
    evidence = decision_evidence(case, D(2026, 3, 10))
    by_name = {f.name: f for f in evidence.breakdown}
    if not by_name["Child over 10"].present:
        assert by_name["Child over 10"].absent == "Does not apply"
    assert by_name["Family isolated"].absent == "Not recorded"


# Documents for the family -------------------------------------------------------

DOCUMENTS = [
    "written-agreement",
    "written-agreement-for-the-child",
    "reunification-plan",
    "support-after-return",
]


@pytest.fixture
def family_case(on_10_march_2026, case, team_manager, social_worker):
    """Kayla's case with the planning records, a visitor who is not family, a
    signed-off risk assessment and notes the family should not see in print."""
    planning_records(case, team_manager=team_manager, on=D(2026, 2, 1))
    FamilyMemberFactory(
        case=case, name="Gary Nightingale", relationship="Mother's friend", regular_visitor=True
    )
    FamilyMemberFactory(
        case=case,
        name="Dean Brightwater",
        relationship="Father",
        has_parental_responsibility=True,
    )
    FamilyTimeStep.objects.filter(case=case).update(how_it_went="Mum was late and smelled of drink")
    signed_off_risk_assessment(case, author=social_worker, manager=team_manager)
    return case


@pytest.mark.parametrize("document", DOCUMENTS)
@pytest.mark.parametrize(
    "who, status",
    [("social_worker", 200), ("team_manager", 200), ("iro", 200), ("outsider", 404)],
)
def test_whoever_may_see_the_case_may_print_its_documents(
    client, request, family_case, who, status, document
):
    client.force_login(request.getfixturevalue(who))
    url = reverse("planning:family_document", args=[family_case.pk, document])
    assert client.get(url).status_code == status


def test_an_unknown_document_is_not_found(client, family_case, social_worker):
    client.force_login(social_worker)
    url = reverse("planning:family_document", args=[family_case.pk, "risk-assessment"])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("document", DOCUMENTS)
def test_a_family_document_holds_only_what_the_family_should_see(
    client, family_case, social_worker, document
):
    client.force_login(social_worker)
    page = text(client.get(reverse("planning:family_document", args=[family_case.pk, document])))

    assert "Print or save as PDF" in page
    assert "Sarah Wood" in page  # the social worker
    assert "Kayla" in page
    for hidden in (
        [
            "Gary Nightingale",  # not the family
            "smelled of drink",  # how family time went
            "Kayla and Mum met.",  # direct work notes
            "Gradual return over 8 weeks.",  # what the planning meeting considered
            "Jordan stays at home",  # how siblings were considered
            "Police",
            "Ian Rowe",  # the IRO
            "Tina Marsh",  # the team manager
        ]
        + [f"{level.label} risk" for level in RiskLevel]
        + ["Risk level", "risk level"]
    ):
        assert hidden not in page, hidden
    if document != "written-agreement-for-the-child":
        assert "Dean Brightwater" in page  # a parent, who signs
        assert "app-signature__line" in page


def test_the_childs_version_is_in_simple_words_and_larger_type(client, family_case, social_worker):
    client.force_login(social_worker)
    url = reverse(
        "planning:family_document", args=[family_case.pk, "written-agreement-for-the-child"]
    )
    page = text(client.get(url))
    assert "app-document--child" in page
    assert "Hello Kayla." in page
    assert "Mother stays abstinent" in page
    assert "My name:" in page
    assert "Negative tests every fortnight" not in page  # the adults' measure


def test_the_plan_shows_family_time_and_the_support_after_return_its_dates(
    client, family_case, social_worker
):
    client.force_login(social_worker)
    plan = text(
        client.get(reverse("planning:family_document", args=[family_case.pk, "reunification-plan"]))
    )
    assert "Friday to Sunday" in plan and "Turning Point" in plan
    support = text(
        client.get(
            reverse("planning:family_document", args=[family_case.pk, "support-after-return"])
        )
    )
    assert "has not come home yet" in support
