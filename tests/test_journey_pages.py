"""The journey through the pages: the task list for the stage, the decision forms
(which refuse bad input with the GOV.UK error summary and save nothing), who may
open which page, and the list of decisions waiting for each person."""

import datetime
import html
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from cases.models import LegalStatusCode, ReunificationCase, Role, Stage
from cases.services import allocate
from reviews.journey import decisions as services
from reviews.models import (
    CarePlanApproval,
    Dispute,
    NotPursued,
    StageMove,
    ViabilityConsultation,
    ViabilityMeeting,
)
from tests.factories import (
    ChildFactory,
    LegalStatusFactory,
    journey_to,
    open_case,
    participants,
    placement_plan,
    put_on_care_order,
    signed_off_risk_assessment,
    submitted_risk_assessment,
)

D = datetime.date
LONDON = ZoneInfo("Europe/London")
TODAY = D(2026, 3, 10)


def noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=LONDON)


@pytest.fixture
def clock():
    with time_machine.travel(noon(TODAY)) as traveller:
        yield traveller


pytestmark = pytest.mark.usefixtures("clock")


def url(name: str, case, *args) -> str:
    return reverse(f"reviews:{name}", args=[case.pk, *args])


def text(response) -> str:
    return html.unescape(response.content.decode())


def date_input(name: str, day: datetime.date | None) -> dict[str, str]:
    if day is None:
        return {f"{name}_0": "", f"{name}_1": "", f"{name}_2": ""}
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def who_took_part(people) -> dict[str, int]:
    return {name: user.pk for name, user in participants(people).items()}


def error_summary(response) -> str:
    found = re.search(r'<div class="govuk-error-summary".*?</ul>', response.content.decode(), re.S)
    assert found, "no GOV.UK error summary on the page"
    return html.unescape(re.sub(r"<[^>]+>", " ", found.group(0)))


def reload(case) -> ReunificationCase:
    return ReunificationCase.objects.get(pk=case.pk)


def saved(case) -> dict:
    case = reload(case)
    return {
        "stage": case.stage,
        "moves": StageMove.objects.filter(case=case).count(),
        "approvals": CarePlanApproval.objects.filter(case=case).count(),
        "consultations": ViabilityConsultation.objects.filter(case=case).count(),
        "not_pursued": NotPursued.objects.filter(case=case).count(),
        "meetings": ViabilityMeeting.objects.filter(case=case).count(),
        "disputes": Dispute.objects.filter(case=case).count(),
        "resolved": Dispute.objects.filter(case=case, resolved_on__isnull=False).count(),
    }


def approve(case, by, step):
    return services.approve_care_plan(
        case=case,
        by=by,
        step=step,
        approved_on=D(2026, 3, 9),
        cic_review_on=D(2026, 3, 9) if step == "ratified" else None,
    )


@pytest.fixture
def at_assessment(journey_case, people):
    return journey_to(journey_case, Stage.ASSESSMENT, people=people)


@pytest.fixture
def at_confirmation(journey_case, people, clock):
    case = journey_to(journey_case, Stage.CONFIRMATION, people=people)
    clock.move_to(noon(D(2026, 4, 15)))
    return case


# The task list -------------------------------------------------------------------


def test_the_journey_page_shows_the_task_list_for_identification(
    client, journey_case, social_worker, team_manager
):
    approve(journey_case, team_manager, "confirmed")
    client.force_login(social_worker)

    response = client.get(url("journey", journey_case))

    assert response.status_code == 200
    shown = text(response)
    assert '<h1 class="govuk-heading-l">1. Identification</h1>' in shown
    assert 'class="govuk-task-list"' in shown
    tasks = {t.key: t for t in response.context["tasks"]}
    assert [(k, t.done) for k, t in tasks.items()] == [
        ("first_considered", False),
        ("confirmed", True),
        ("agreed", False),
        ("ratified", False),
    ]
    for task in tasks.values():
        assert task.text in shown
    assert shown.count("Completed") == 1
    assert shown.count("Incomplete") == 3
    assert "Next: social worker" in shown
    assert "Next: head of service" in shown
    assert "Next: IRO" in shown
    assert "Care plan confirmed by the team manager" in shown
    assert "Tina Marsh (team manager)" in shown


def test_at_assessment_the_task_list_names_what_is_missing(client, at_assessment, social_worker):
    client.force_login(social_worker)

    shown = text(client.get(url("journey", at_assessment)))

    assert "2. Assessment of risk and viability" in shown
    assert "Next: social worker; outstanding for Dawn Brightwater" in shown
    assert "Next: social worker; missing: every section" in shown
    assert "Next: social worker; no risk assessment has been signed off" in shown
    assert "Next: team manager" in shown  # the viability consultation
    assert "Moved from 1. Identification to 2. Assessment of risk and viability" in shown


def test_at_high_risk_the_task_list_says_reunification_is_not_pursued(
    client, at_assessment, people
):
    signed_off_risk_assessment(
        at_assessment, author=people.social_worker, manager=people.team_manager, level="high"
    )
    client.force_login(people.team_manager)

    shown = text(client.get(url("journey", at_assessment)))

    assert (
        "Next: team manager; the signed-off level is High, so reunification is not pursued"
    ) in shown
    assert "Record that reunification is not pursued" in shown


def test_on_a_care_order_the_planning_task_list_waits_for_the_service_director(
    client, journey_case, people
):
    put_on_care_order(journey_case, code=LegalStatusCode.C1, on=D(2026, 3, 1))
    case = journey_to(journey_case, Stage.SUPPORT_PLANNING, people=people)
    client.force_login(people.social_worker)

    shown = text(client.get(url("journey", case)))

    assert "3. Support and planning" in shown
    assert "Service director approves placement with parents (care order)" in shown
    assert "Next: service director" in shown


def test_under_section_20_the_planning_task_list_asks_for_no_placement_with_parents(
    client, journey_case, people
):
    case = journey_to(journey_case, Stage.SUPPORT_PLANNING, people=people)
    client.force_login(people.social_worker)

    shown = text(client.get(url("journey", case)))

    assert "Hold the Reunification Planning Meeting" in shown
    assert "placement with parents" not in shown


@pytest.mark.parametrize(
    "who, confirmed, agreed, label",
    [
        ("team_manager", False, False, "Confirm the care plan"),
        ("head_of_service", True, False, "Agree the care plan"),
        ("iro", True, True, "Ratify the care plan"),
    ],
)
def test_each_approver_is_offered_their_approval_when_it_is_their_turn(
    client, journey_case, people, who, confirmed, agreed, label
):
    if confirmed:
        approve(journey_case, people.team_manager, "confirmed")
    if agreed:
        approve(journey_case, people.head_of_service, "agreed")
    labels = ["Confirm the care plan", "Agree the care plan", "Ratify the care plan"]

    for user_name in ("social_worker", "team_manager", "head_of_service", "iro"):
        client.force_login(getattr(people, user_name))
        shown = text(client.get(url("journey", journey_case)))
        offered = [each for each in labels if each in shown]
        assert offered == ([label] if user_name == who else []), user_name


# Decision forms refuse bad input --------------------------------------------------


def test_an_approval_without_a_date_shows_the_error_summary_and_saves_nothing(
    client, journey_case, team_manager
):
    client.force_login(team_manager)
    before = saved(journey_case)

    response = client.post(
        url("approve", journey_case, "confirmed"),
        {**date_input("approved_on", None), "rationale": ""},
    )

    assert response.status_code == 200
    assert "There is a problem" in error_summary(response)
    assert "Enter the date of approval" in error_summary(response)
    assert saved(journey_case) == before


def test_an_approval_dated_in_the_future_is_refused(client, journey_case, team_manager):
    client.force_login(team_manager)

    response = client.post(
        url("approve", journey_case, "confirmed"), date_input("approved_on", D(2026, 3, 11))
    )

    assert "Date of approval must be today or in the past" in error_summary(response)
    assert saved(journey_case)["approvals"] == 0


def test_the_team_manager_confirms_through_the_page(client, journey_case, team_manager):
    client.force_login(team_manager)

    response = client.post(
        url("approve", journey_case, "confirmed"),
        {**date_input("approved_on", D(2026, 3, 9)), "rationale": "Agreed in supervision."},
        follow=True,
    )

    assert response.redirect_chain == [(url("journey", journey_case), 302)]
    assert "The approval was recorded." in text(response)
    approval = CarePlanApproval.objects.get(case=journey_case)
    assert (approval.step, approval.decided_by, approval.role, approval.rationale) == (
        "confirmed",
        team_manager,
        Role.TEAM_MANAGER,
        "Agreed in supervision.",
    )


def test_the_head_of_service_is_told_the_plan_must_first_be_confirmed(
    client, journey_case, head_of_service
):
    client.force_login(head_of_service)

    response = client.post(
        url("approve", journey_case, "agreed"), date_input("approved_on", D(2026, 3, 9))
    )

    assert response.status_code == 200
    assert "The care plan must first be confirmed by the team manager" in error_summary(response)
    assert saved(journey_case)["approvals"] == 0


def test_the_iro_must_give_the_date_of_the_child_in_care_review(client, journey_case, people):
    approve(journey_case, people.team_manager, "confirmed")
    approve(journey_case, people.head_of_service, "agreed")
    client.force_login(people.iro)
    form_page = text(client.get(url("approve", journey_case, "ratified")))
    assert "Date of the Child in Care review" in form_page

    response = client.post(
        url("approve", journey_case, "ratified"),
        {**date_input("approved_on", D(2026, 3, 9)), **date_input("cic_review_on", None)},
    )

    assert "Enter the date of the Child in Care review" in error_summary(response)
    assert saved(journey_case)["approvals"] == 2


def test_an_empty_consultation_form_is_refused(client, at_assessment, people):
    client.force_login(people.team_manager)
    before = saved(at_assessment)

    response = client.post(
        url("consultation", at_assessment),
        {**date_input("held_on", None), "outcome": "", "rationale": "", **who_took_part(people)},
    )

    summary = error_summary(response)
    assert "There is a problem" in summary
    assert "Enter the date of the consultation" in summary
    assert "Select the outcome of the consultation" in summary
    assert "Enter the rationale for the decision" in summary
    assert saved(at_assessment) == before


def test_potentially_suited_is_refused_on_the_page_naming_what_is_missing(
    client, at_assessment, people
):
    client.force_login(people.team_manager)
    before = saved(at_assessment)

    response = client.post(
        url("consultation", at_assessment),
        {
            **date_input("held_on", TODAY),
            "outcome": "suited",
            "rationale": "Everyone agreed.",
            **who_took_part(people),
        },
    )

    assert response.status_code == 200
    summary = error_summary(response)
    assert "There is a problem" in summary
    assert "This cannot happen yet." in summary
    assert "outstanding for Dawn Brightwater" in summary
    assert "missing: every section" in summary
    assert "no risk assessment has been signed off" in summary
    assert saved(at_assessment) == before


def test_not_pursued_cannot_be_explained_before_it_was_decided(client, at_assessment, people):
    signed_off_risk_assessment(
        at_assessment, author=people.social_worker, manager=people.team_manager, level="high"
    )
    client.force_login(people.team_manager)
    before = saved(at_assessment)

    response = client.post(
        url("not_pursued", at_assessment),
        {
            **date_input("decided_on", D(2026, 3, 9)),
            **date_input("explained_to_child_on", D(2026, 3, 8)),
            **date_input("explained_to_family_on", D(2026, 3, 9)),
            "rationale": "High risk.",
            "care_plan_now": "",
        },
    )

    summary = error_summary(response)
    assert "It cannot be explained before the decision was made" in summary
    assert "Enter what the care plan now is" in summary
    assert saved(at_assessment) == before


def test_not_pursued_is_recorded_through_the_page(client, at_assessment, people):
    signed_off_risk_assessment(
        at_assessment, author=people.social_worker, manager=people.team_manager, level="severe"
    )
    client.force_login(people.team_manager)

    response = client.post(
        url("not_pursued", at_assessment),
        {
            **date_input("decided_on", D(2026, 3, 9)),
            **date_input("explained_to_child_on", D(2026, 3, 9)),
            **date_input("explained_to_family_on", D(2026, 3, 10)),
            "rationale": "Severe risk; no protective factors.",
            "care_plan_now": "Permanence through long-term fostering.",
        },
        follow=True,
    )

    assert "Recorded: reunification is not pursued." in text(response)
    assert "Reunification is not being pursued" in text(response)
    assert reload(at_assessment).stage == Stage.NOT_PURSUED


@pytest.mark.parametrize(
    "post, messages",
    [
        ({"outcome": "confirmed"}, ["Enter the confirmed return date"]),
        (
            {"outcome": "further_work"},
            ["Say what further work is needed", "Enter the date the further work is due"],
        ),
        ({"outcome": ""}, ["Select the outcome of the meeting"]),
    ],
    ids=["confirmed", "further work", "no outcome"],
)
def test_the_viability_meeting_form_asks_for_what_its_outcome_needs(
    client, at_confirmation, people, post, messages
):
    signed_off_risk_assessment(
        at_confirmation,
        author=people.social_worker,
        manager=people.team_manager,
        assessed_on=D(2026, 4, 14),
    )
    client.force_login(people.team_manager)
    before = saved(at_confirmation)

    response = client.post(
        url("meeting", at_confirmation),
        {
            **date_input("held_on", D(2026, 4, 15)),
            **date_input("return_date", None),
            **date_input("further_work_by", None),
            "further_work": "",
            "rationale": "Progress reviewed.",
            **who_took_part(people),
            **post,
        },
    )

    summary = error_summary(response)
    assert "There is a problem" in summary
    for message in messages:
        assert message in summary
    assert saved(at_confirmation) == before


def test_the_meeting_is_told_no_return_date_without_a_new_assessment(
    client, at_confirmation, people
):
    client.force_login(people.team_manager)

    response = client.post(
        url("meeting", at_confirmation),
        {
            **date_input("held_on", D(2026, 4, 15)),
            **date_input("return_date", D(2026, 5, 1)),
            "outcome": "confirmed",
            "rationale": "Progress reviewed.",
            **who_took_part(people),
        },
    )

    assert "a new risk assessment, signed off since the case reached confirmation" in (
        error_summary(response)
    )
    assert saved(at_confirmation)["meetings"] == 0


def test_an_empty_disagreement_is_refused(client, journey_case, iro):
    client.force_login(iro)

    response = client.post(
        url("dispute", journey_case), {**date_input("raised_on", None), "subject": ""}
    )

    summary = error_summary(response)
    assert "Enter the date raised" in summary
    assert "Select the route used" in summary
    assert "Say what the disagreement is about" in summary
    assert saved(journey_case)["disputes"] == 0


def test_the_iro_raises_an_escalation_and_it_is_resolved_later(
    client, journey_case, iro, team_manager
):
    client.force_login(iro)
    response = client.post(
        url("dispute", journey_case),
        {
            **date_input("raised_on", D(2026, 3, 9)),
            "route": "iro_escalation",
            "subject": "Family time has not increased.",
        },
        follow=True,
    )
    assert "The disagreement was recorded." in text(response)
    dispute = Dispute.objects.get(case=journey_case)
    assert (dispute.raised_by, dispute.raised_role) == (iro, Role.IRO)
    assert "Open" in text(response)

    client.force_login(team_manager)
    refused = client.post(
        url("resolve", journey_case, dispute.pk),
        {**date_input("resolved_on", None), "resolution": ""},
    )
    assert "Enter the date resolved" in error_summary(refused)
    assert "Say how it was resolved" in error_summary(refused)
    assert saved(journey_case)["resolved"] == 0

    done = client.post(
        url("resolve", journey_case, dispute.pk),
        {**date_input("resolved_on", TODAY), "resolution": "Third visit agreed."},
        follow=True,
    )
    assert "The resolution was recorded." in text(done)
    dispute.refresh_from_db()
    assert (dispute.resolved_on, dispute.resolved_by) == (TODAY, team_manager)
    # A resolved disagreement cannot be resolved again.
    assert client.get(url("resolve", journey_case, dispute.pk)).status_code == 404


def test_a_refused_start_says_what_is_missing_and_changes_nothing(
    client, journey_case, social_worker
):
    client.force_login(social_worker)
    before = saved(journey_case)

    response = client.post(url("start_assessment", journey_case), follow=True)

    assert response.redirect_chain == [(url("journey", journey_case), 302)]
    assert "This cannot happen yet. Still needed: record when reunification was first" in text(
        response
    )
    assert saved(journey_case) == before


def test_a_refused_stage_move_is_not_announced_as_a_success(client, journey_case, social_worker):
    client.force_login(social_worker)

    response = client.post(url("start_assessment", journey_case), follow=True)

    shown = text(response)
    assert "This cannot happen yet" in error_summary(response)
    assert "There is a problem" in error_summary(response)
    assert "govuk-notification-banner--success" not in shown
    assert ">Success<" not in shown


def test_the_assessment_starts_through_the_page(client, journey_case, people):
    journey_case.reunification_first_considered_on = D(2026, 2, 1)
    journey_case.save()
    for step, who in [
        ("confirmed", people.team_manager),
        ("agreed", people.head_of_service),
        ("ratified", people.iro),
    ]:
        approve(journey_case, who, step)
    client.force_login(people.social_worker)

    response = client.post(url("start_assessment", journey_case), follow=True)

    assert "The assessment stage has begun." in text(response)
    move = StageMove.objects.get(case=journey_case)
    assert (move.to_stage, move.moved_by, move.role) == (
        Stage.ASSESSMENT,
        people.social_worker,
        Role.SOCIAL_WORKER,
    )


# Who may open what ---------------------------------------------------------------


@pytest.fixture
def disputed(journey_case, iro):
    dispute = services.raise_dispute(
        case=journey_case, by=iro, raised_on=TODAY, route="drp", subject="Contact."
    )
    return journey_case, dispute


def every_journey_request(case, dispute):
    """(method, url) for every page of the journey."""
    return [
        ("get", url("journey", case)),
        ("get", url("approve", case, "confirmed")),
        ("get", url("approve", case, "agreed")),
        ("get", url("approve", case, "ratified")),
        ("post", url("start_assessment", case)),
        ("get", url("consultation", case)),
        ("get", url("not_pursued", case)),
        ("post", url("confirmation", case)),
        ("get", url("meeting", case)),
        ("get", url("dispute", case)),
        ("get", url("resolve", case, dispute.pk)),
    ]


@pytest.mark.parametrize("who", ["outsider", "south_manager", "other_iro", "performance"])
def test_someone_outside_the_case_gets_not_found_on_every_journey_page(
    client, disputed, who, request
):
    case, dispute = disputed
    client.force_login(request.getfixturevalue(who))
    before = saved(case)

    for method, address in every_journey_request(case, dispute):
        response = getattr(client, method)(address)
        assert response.status_code == 404, (method, address)
        assert "Kayla" not in text(response)
    assert saved(case) == before


def test_someone_signed_out_is_sent_to_sign_in(client, disputed):
    case, dispute = disputed

    for method, address in every_journey_request(case, dispute):
        response = getattr(client, method)(address)
        assert response.status_code == 302, address
        assert response["Location"].startswith(reverse("login"))


# Expected status of each page for each person on the case, at identification with
# an open disagreement: 200 opens, 403 refused (they may see the case, but the
# decision is not theirs).
CARE_PLAN_STEPS = {"confirmed", "agreed", "ratified"}
PAGES = ["journey", "confirmed", "agreed", "ratified", "consultation", "not_pursued", "meeting"]
MAY_OPEN = {
    "social_worker": {"journey"},
    "colleague": {"journey"},
    "team_manager": {"journey", "confirmed", "consultation", "not_pursued", "meeting"},
    "head_of_service": {"journey", "agreed"},
    "iro": {"journey", "ratified"},
    "director": {"journey"},
}


@pytest.mark.parametrize("who", list(MAY_OPEN))
def test_each_decision_page_opens_only_for_the_person_whose_decision_it_is(
    client, journey_case, who, request
):
    client.force_login(request.getfixturevalue(who))

    for page in PAGES:
        if page in CARE_PLAN_STEPS:
            address = url("approve", journey_case, page)
        else:
            address = url(page, journey_case)
        expected = 200 if page in MAY_OPEN[who] else 403
        assert client.get(address).status_code == expected, page


def test_a_social_worker_posting_a_team_manager_decision_is_refused(client, at_assessment, people):
    signed_off_risk_assessment(
        at_assessment, author=people.social_worker, manager=people.team_manager, level="high"
    )
    client.force_login(people.social_worker)
    before = saved(at_assessment)

    response = client.post(
        url("not_pursued", at_assessment),
        {
            **date_input("decided_on", TODAY),
            **date_input("explained_to_child_on", TODAY),
            **date_input("explained_to_family_on", TODAY),
            "rationale": "High risk.",
            "care_plan_now": "Long-term fostering.",
        },
    )

    assert response.status_code == 403
    assert saved(at_assessment) == before


def test_a_social_worker_cannot_approve_the_care_plan_by_posting(
    client, journey_case, social_worker
):
    client.force_login(social_worker)

    response = client.post(
        url("approve", journey_case, "confirmed"), date_input("approved_on", TODAY)
    )

    assert response.status_code == 403
    assert saved(journey_case)["approvals"] == 0


def test_an_unknown_care_plan_step_is_not_found(client, journey_case, team_manager):
    client.force_login(team_manager)

    assert client.get(url("approve", journey_case, "rubber-stamped")).status_code == 404


@pytest.mark.parametrize("who", ["social_worker", "team_manager", "head_of_service", "iro"])
def test_the_people_on_the_case_open_the_disagreement_pages(client, disputed, who, request):
    case, dispute = disputed
    client.force_login(request.getfixturevalue(who))

    assert client.get(url("journey", case)).status_code == 200
    assert client.get(url("dispute", case)).status_code == 200
    assert client.get(url("resolve", case, dispute.pk)).status_code == 200


def test_the_service_director_reads_the_journey_but_raises_no_disagreement(
    client, disputed, director
):
    case, dispute = disputed
    client.force_login(director)

    assert client.get(url("journey", case)).status_code == 200
    assert client.get(url("dispute", case)).status_code == 403
    assert client.get(url("resolve", case, dispute.pk)).status_code == 403


def test_the_stage_moves_are_posted_not_fetched(client, journey_case, social_worker):
    client.force_login(social_worker)

    assert client.get(url("start_assessment", journey_case)).status_code == 405


def test_the_move_to_confirmation_is_a_form_with_the_evidence(client, journey_case, social_worker):
    journey_case.stage = Stage.SUPPORT_PLANNING
    journey_case.save()
    client.force_login(social_worker)

    page = client.get(url("confirmation", journey_case)).content.decode()

    assert "What research links to returns breaking down" in page
    assert "Move to confirmation" in page


@pytest.mark.parametrize("who", ["head_of_service", "iro", "director"])
def test_only_the_social_worker_or_a_team_manager_may_post_a_stage_move(
    client, journey_case, people, who, request
):
    journey_case.reunification_first_considered_on = D(2026, 2, 1)
    journey_case.save()
    for step, approver in [
        ("confirmed", people.team_manager),
        ("agreed", people.head_of_service),
        ("ratified", people.iro),
    ]:
        approve(journey_case, approver, step)
    client.force_login(request.getfixturevalue(who))

    assert client.post(url("start_assessment", journey_case)).status_code == 403
    assert reload(journey_case).stage == Stage.IDENTIFICATION


# Decisions waiting ----------------------------------------------------------------

WAITING = reverse("waiting_for_me")


def listed(response) -> list[tuple[str, str, str]]:
    """(waiting since, child, what) for each row, in the order shown."""
    return [
        (item.since.isoformat(), item.case.child.first_name, item.what)
        for item in response.context["items"]
    ]


def appears_in_order(shown: str, *names: str) -> bool:
    positions = [shown.index(name) for name in names]
    return positions == sorted(positions)


@pytest.fixture
def noah(people, head_of_service):
    """Noah Fairweather, Sarah's too, opened on 2 February."""
    case = open_case(
        team_manager=people.team_manager,
        social_worker=people.social_worker,
        iro=people.iro,
        child=ChildFactory(first_name="Noah", last_name="Fairweather"),
        opened_on=D(2026, 2, 2),
    )
    allocate(
        case=case,
        role=Role.HEAD_OF_SERVICE,
        user=head_of_service,
        by=people.team_manager,
        on=D(2026, 2, 2),
    )
    return case


def test_the_team_manager_sees_what_waits_for_her_oldest_first(
    client, journey_case, noah, people, colleague
):
    ruby = open_case(
        team_manager=people.team_manager,
        social_worker=colleague,
        child=ChildFactory(first_name="Ruby", last_name="Brightman"),
        opened_on=D(2026, 1, 5),
    )
    ReunificationCase.objects.filter(pk=ruby.pk).update(
        stage=Stage.ASSESSMENT, stage_entered_on=D(2026, 2, 20)
    )
    signed_off_risk_assessment(
        ruby, author=colleague, manager=people.team_manager, assessed_on=D(2026, 2, 25)
    )
    submitted_risk_assessment(journey_case, author=people.social_worker)
    client.force_login(people.team_manager)

    response = client.get(WAITING)

    assert listed(response) == [
        ("2026-02-02", "Noah", "Confirm the reunification care plan"),
        ("2026-02-20", "Ruby", "Hold the Reunification Viability Consultation"),
        ("2026-03-10", "Kayla", "Confirm the reunification care plan"),
        ("2026-03-10", "Kayla", "Sign off the risk assessment"),
    ]
    shown = text(response)
    assert "Oldest first" in shown
    assert appears_in_order(shown, "Noah Fairweather", "Ruby Brightman", "Kayla Brightwater")
    assert url("approve", noah, "confirmed") in shown
    assert url("consultation", ruby) in shown


def test_the_head_of_service_sees_plans_waiting_for_agreement(client, journey_case, noah, people):
    approve(journey_case, people.team_manager, "confirmed")
    approve(noah, people.team_manager, "confirmed")
    client.force_login(people.head_of_service)

    response = client.get(WAITING)

    assert [(child, what) for _, child, what in listed(response)] == [
        ("Noah", "Agree the reunification care plan"),
        ("Kayla", "Agree the reunification care plan"),
    ]
    assert url("approve", noah, "agreed") in text(response)


def test_the_iro_sees_plans_waiting_for_ratification(client, journey_case, noah, people):
    for case in (journey_case, noah):
        approve(case, people.team_manager, "confirmed")
        approve(case, people.head_of_service, "agreed")
    approve(journey_case, people.iro, "ratified")
    client.force_login(people.iro)

    response = client.get(WAITING)

    assert [(child, what) for _, child, what in listed(response)] == [
        ("Noah", "Ratify the care plan at a Child in Care review")
    ]


def test_the_service_director_sees_placements_with_parents_waiting_oldest_first(
    client, journey_case, noah, people, clock
):
    for case in (noah, journey_case):
        put_on_care_order(case, code=LegalStatusCode.C2, on=D(2026, 2, 2))
    clock.move_to(noon(D(2026, 3, 3)))
    journey_to(noah, Stage.SUPPORT_PLANNING, people=people)
    clock.move_to(noon(TODAY))
    journey_to(journey_case, Stage.SUPPORT_PLANNING, people=people)
    # A third child, under section 20, needs no approval.
    section_20 = open_case(
        team_manager=people.team_manager,
        social_worker=people.social_worker,
        iro=people.iro,
        child=ChildFactory(first_name="Maya", last_name="Stone"),
    )
    LegalStatusFactory(child=section_20.child, code=LegalStatusCode.V2)
    ReunificationCase.objects.filter(pk=section_20.pk).update(stage=Stage.SUPPORT_PLANNING)
    # The director decides on a placement plan: each care order case has one.
    for case in (noah, journey_case, section_20):
        placement_plan(case)
    client.force_login(people.director)

    response = client.get(WAITING)

    assert listed(response) == [
        ("2026-03-03", "Noah", "Approve placement with parents (care order)"),
        ("2026-03-10", "Kayla", "Approve placement with parents (care order)"),
    ]
    assert reverse("planning:pwp_approve", args=[noah.pk]) in text(response)


def test_nothing_waits_for_a_social_worker(client, journey_case, social_worker):
    client.force_login(social_worker)

    assert "Nothing is waiting for you." in text(client.get(WAITING))


def test_another_team_manager_sees_nothing_of_this_team(client, journey_case, south_manager):
    client.force_login(south_manager)

    response = client.get(WAITING)

    assert listed(response) == []
    assert "Kayla" not in text(response)


def test_a_plan_waits_for_the_head_of_service_from_when_the_team_manager_confirmed_it(
    client, journey_case, noah, people
):
    """Noah's case opened first, but Kayla's plan was confirmed first: the head of
    service has waited longer on Kayla."""
    ReunificationCase.objects.filter(pk=journey_case.pk).update(
        opened_on=D(2026, 3, 1), stage_entered_on=D(2026, 3, 1)
    )
    services.approve_care_plan(
        case=journey_case, by=people.team_manager, step="confirmed", approved_on=D(2026, 3, 2)
    )
    services.approve_care_plan(
        case=noah, by=people.team_manager, step="confirmed", approved_on=D(2026, 3, 9)
    )
    client.force_login(people.head_of_service)

    response = client.get(WAITING)

    assert listed(response) == [
        ("2026-03-02", "Kayla", "Agree the reunification care plan"),
        ("2026-03-09", "Noah", "Agree the reunification care plan"),
    ]


def test_once_a_return_date_is_confirmed_the_meeting_no_longer_waits(
    client, at_confirmation, people
):
    signed_off_risk_assessment(
        at_confirmation,
        author=people.social_worker,
        manager=people.team_manager,
        assessed_on=D(2026, 4, 14),
    )
    client.force_login(people.team_manager)
    assert ("Kayla", "Hold the Reunification Viability Meeting") in [
        (child, what) for _, child, what in listed(client.get(WAITING))
    ]

    services.record_viability_meeting(
        case=at_confirmation,
        by=people.team_manager,
        held_on=D(2026, 4, 15),
        outcome="confirmed",
        rationale="Ready.",
        participants=participants(people),
        return_date=D(2026, 5, 1),
    )

    assert ("Kayla", "Hold the Reunification Viability Meeting") not in [
        (child, what) for _, child, what in listed(client.get(WAITING))
    ]


def test_the_waiting_list_takes_the_same_queries_however_many_cases_wait(
    client, journey_case, noah, people, colleague
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people.team_manager)
    client.get(WAITING)  # the session and the user's roles, once
    with CaptureQueriesContext(connection) as two_cases:
        response = client.get(WAITING)
    assert len(response.context["items"]) == 2

    for name in ("Ruby", "Maya", "Leo"):
        open_case(
            team_manager=people.team_manager,
            social_worker=colleague,
            child=ChildFactory(first_name=name, last_name="Example"),
        )
        submitted_risk_assessment(journey_case, author=people.social_worker)
    with CaptureQueriesContext(connection) as eight_items:
        response = client.get(WAITING)

    assert len(response.context["items"]) == 8
    assert len(eight_items) == len(two_cases)
