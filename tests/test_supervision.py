"""Case supervision: the team manager of the case's team records it (date,
reflection, decisions, actions with owners and dates); for a child in care it
asks whether reunification was considered. Its actions are deadlines, met when
the owner or the manager marks them done. Everyone who may see the case sees the
supervision, the social worker included. Kayla's case sits in North with Sarah
Wood (social worker), Tina Marsh (team manager) and Ian Rowe (IRO); it is
Tuesday 10 March 2026."""

import datetime
import html
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases.models import ChronologyEntry, Stage
from reviews.deadlines import refresh
from reviews.models import CaseSupervision, Deadline, DeadlineKind, SupervisionAction
from reviews.reminders.digests import digest_items
from reviews.supervision import services
from tests.factories import journey_beyond

D = datetime.date
TODAY = D(2026, 3, 10)


@pytest.fixture(autouse=True)
def _today(on_10_march_2026):
    return on_10_march_2026


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def dated(name: str, day: D) -> dict:
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


def supervision_post(**extra) -> dict:
    data = {
        **dated("held_on", D(2026, 3, 9)),
        "reflection": "Sarah has built trust with Kayla; Dawn is engaging with the service.",
        "decisions": "Keep the plan; increase family time.",
        "reunification_considered": "yes",
        "reunification_note": "Considered: assessment to start after the next review.",
        "rows": "1",
    }
    data.update(extra)
    return data


def record(case, by, **values):
    defaults = {
        "held_on": D(2026, 3, 9),
        "reflection": "Reflection",
        "decisions": "Decisions",
        "reunification_considered": True,
        "reunification_note": "Considered",
    }
    return services.record_supervision(case=case, by=by, **{**defaults, **values})


# Recording ------------------------------------------------------------------


def test_the_team_manager_records_a_supervision_with_two_actions(
    client, case, team_manager, social_worker
):
    client.force_login(team_manager)
    data = supervision_post(
        rows="2",
        action_1="Refer Dawn to the family support service",
        owner_1=social_worker.pk,
        **dated("due_1", D(2026, 3, 31)),
        action_2="Book the next supervision",
        owner_2=team_manager.pk,
        **dated("due_2", D(2026, 4, 7)),
    )

    response = client.post(reverse("reviews:record_supervision", args=[case.pk]), data)

    assert response.status_code == 302, response.context["form"].errors
    supervision = CaseSupervision.objects.get(case=case)
    assert supervision.held_on == D(2026, 3, 9)
    assert supervision.recorded_by == team_manager
    assert supervision.reunification_considered is True
    assert [(a.text, a.owner, a.due_on) for a in supervision.actions.all()] == [
        ("Refer Dawn to the family support service", social_worker, D(2026, 3, 31)),
        ("Book the next supervision", team_manager, D(2026, 4, 7)),
    ]
    entry = ChronologyEntry.objects.filter(case=case, automatic=True).latest("recorded_at")
    assert entry.description.startswith("Case supervision by Tina Marsh.")
    assert "Reunification considered" in entry.description
    assert supervision.history.count() == 1


def test_add_another_shows_one_more_action_row_and_saves_nothing(client, case, team_manager):
    client.force_login(team_manager)

    response = client.post(
        reverse("reviews:record_supervision", args=[case.pk]),
        supervision_post(rows="1", add_another="", reflection=""),
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="action_2"' in body and 'name="action_3"' not in body
    # The page sends back the two rows it shows, so a later press adds a third.
    assert re.search(r'name="rows" value="2"|value="2" name="rows"', body)
    assert "There is a problem" not in text(response)
    assert not CaseSupervision.objects.exists()


def test_a_supervision_with_missing_details_shows_the_error_summary_and_saves_nothing(
    client, case, team_manager, social_worker
):
    client.force_login(team_manager)
    data = supervision_post(
        reflection="",
        decisions="",
        reunification_considered="",
        reunification_note="",
        action_1="Refer Dawn",
    )

    response = client.post(reverse("reviews:record_supervision", args=[case.pk]), data)

    body = text(response)
    assert response.status_code == 200
    assert "There is a problem" in body
    for message in (
        "Enter the reflection",
        "Enter the decisions",
        "Select whether reunification was considered",
        "Say what was decided about reunification",
        "Select who will do action 1",
        "Enter when action 1 is due",
    ):
        assert message in body
    assert not CaseSupervision.objects.exists()
    assert not SupervisionAction.objects.exists()


@pytest.mark.parametrize(
    "values, message",
    [
        (dated("held_on", D(2026, 3, 11)), "Date of the supervision must be today or in the past"),
        ({"held_on_0": "30", "held_on_1": "2", "held_on_2": "2026"}, "must be a real date"),
        ({"owner_1": "999999", "action_1": "x"}, "Select a valid choice"),
        (
            {"action_1": "x", **dated("due_1", D(2026, 3, 8))},
            "Action 1 cannot be due before the supervision",
        ),
        ({**dated("due_1", D(2026, 3, 20))}, "Say what action 1 is"),
        ({"rows": "many"}, "Enter the reflection"),  # a tampered count is one row
    ],
)
def test_bad_supervision_input_is_refused_on_its_field(
    client, case, team_manager, social_worker, values, message
):
    client.force_login(team_manager)
    data = supervision_post(**{"owner_1": social_worker.pk, **values})
    if values.get("rows") == "many":
        data["reflection"] = ""

    response = client.post(reverse("reviews:record_supervision", args=[case.pk]), data)

    assert response.status_code == 200
    assert message in text(response)
    assert not CaseSupervision.objects.exists()


def test_the_reunification_question_needs_a_note_either_way(case, team_manager):
    with pytest.raises(ValidationError) as refused:
        record(case, team_manager, reunification_considered=False, reunification_note=" ")
    assert refused.value.message_dict == {
        "reunification_note": ["Say why reunification was not considered"]
    }
    with pytest.raises(ValidationError):
        record(case, team_manager, reunification_considered=None)


def test_after_the_return_home_supervision_does_not_ask_about_reunification(
    client, everyone, people
):
    from cases.models import Role
    from cases.services import allocate
    from tests.factories import ChildFactory, FamilyMemberFactory, open_case

    case = open_case(
        team_manager=people.team_manager,
        social_worker=people.social_worker,
        iro=people.iro,
        child=ChildFactory(),
    )
    FamilyMemberFactory(case=case, name="Dawn Brightwater", relationship="Mother")
    allocate(
        case=case, role=Role.HEAD_OF_SERVICE, user=people.head_of_service, by=people.team_manager
    )
    case = journey_beyond(case, Stage.RETURN_HOME, people=people)
    client.force_login(people.team_manager)

    page = client.get(reverse("reviews:record_supervision", args=[case.pk]))
    assert 'name="reunification_considered"' not in page.content.decode()

    supervision = record(case, people.team_manager, held_on=TODAY, reunification_considered=True)
    assert supervision.reunification_considered is None
    assert supervision.reunification_note == ""


def test_an_action_s_owner_must_be_able_to_see_the_case(case, team_manager, outsider):
    with pytest.raises(ValidationError) as refused:
        record(case, team_manager, actions=[{"text": "x", "owner": outsider, "due_on": TODAY}])
    assert refused.value.message_dict["actions"] == [
        "Action 1: its owner must be someone who may see the case"
    ]
    assert not CaseSupervision.objects.exists()


# Who may ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["social_worker", "iro", "head_of_service", "director", "colleague"]
)
def test_only_a_team_manager_of_the_case_s_team_records_supervision(case, request, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        record(case, user)


@pytest.mark.parametrize(
    "who, status",
    [
        ("team_manager", 200),
        ("social_worker", 403),
        ("iro", 403),
        ("outsider", 404),
        ("south_manager", 404),
    ],
)
def test_the_record_page_is_the_team_manager_s(client, case, request, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("reviews:record_supervision", args=[case.pk])).status_code == status


@pytest.mark.parametrize(
    "who, status, sees_button",
    [
        ("team_manager", 200, True),
        ("social_worker", 200, False),
        ("iro", 200, False),
        ("head_of_service", 200, False),
        ("outsider", 404, False),
        ("south_manager", 404, False),
    ],
)
def test_the_supervision_history_is_shared_with_whoever_may_see_the_case(
    client, case, team_manager, request, who, status, sees_button
):
    record(case, team_manager, reflection="Dawn's progress is real but fragile.")
    client.force_login(request.getfixturevalue(who))

    response = client.get(reverse("reviews:supervision", args=[case.pk]))

    assert response.status_code == status
    if status == 200:
        body = text(response)
        assert "Dawn's progress is real but fragile." in body  # the reflection too
        assert ("Record a supervision" in body) is sees_button


def test_a_closed_case_takes_no_supervision(case, team_manager):
    type(case).objects.filter(pk=case.pk).update(stage=Stage.CLOSED, closed_on=TODAY)
    case.refresh_from_db()
    with pytest.raises(PermissionDenied):
        record(case, team_manager)


# Actions as deadlines ---------------------------------------------------------


@pytest.fixture
def action(case, team_manager, social_worker):
    supervision = record(
        case,
        team_manager,
        actions=[{"text": "Refer Dawn to the service", "owner": social_worker, "due_on": TODAY}],
    )
    refresh.refresh(case)
    return supervision.actions.get()


def test_an_action_is_a_deadline_for_its_owner_on_my_tasks_and_in_the_digest(
    client, case, action, social_worker
):
    row = Deadline.objects.get(case=case, kind=DeadlineKind.SUPERVISION_ACTION)
    assert (row.what, row.due_on, row.responsible, row.done_on) == (
        "Supervision action: Refer Dawn to the service",
        TODAY,
        social_worker,
        None,
    )
    client.force_login(social_worker)
    tasks = client.get(reverse("my_tasks"))
    assert "Supervision action: Refer Dawn to the service" in text(tasks)
    assert reverse("reviews:supervision", args=[case.pk]) in tasks.content.decode()
    assert [i.what for i in digest_items(social_worker, TODAY) if "Supervision" in i.what] == [
        "Supervision action: Refer Dawn to the service"
    ]


@pytest.mark.parametrize("who", ["social_worker", "team_manager"])
def test_the_owner_or_the_manager_marks_the_action_done_and_the_deadline_is_met(
    client, case, action, request, who
):
    user = request.getfixturevalue(who)
    client.force_login(user)

    response = client.post(
        reverse("reviews:supervision_action_done", args=[case.pk, action.pk]),
        dated("done_on", TODAY),
    )

    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.done_on, action.done_by) == (TODAY, user)
    refresh.refresh(case)  # as the change's listener does once the save commits
    row = Deadline.objects.get(case=case, kind=DeadlineKind.SUPERVISION_ACTION)
    assert row.done_on == TODAY


@pytest.mark.parametrize(
    "who, status", [("colleague", 403), ("iro", 403), ("outsider", 404), ("south_manager", 404)]
)
def test_no_one_else_marks_the_action_done(client, case, action, request, who, status):
    client.force_login(request.getfixturevalue(who))
    url = reverse("reviews:supervision_action_done", args=[case.pk, action.pk])
    assert client.get(url).status_code == status
    assert client.post(url, dated("done_on", TODAY)).status_code == status
    action.refresh_from_db()
    assert action.done_on is None


def test_an_action_cannot_be_done_before_its_supervision_or_twice(
    client, case, action, social_worker
):
    client.force_login(social_worker)
    url = reverse("reviews:supervision_action_done", args=[case.pk, action.pk])

    early = client.post(url, dated("done_on", D(2026, 3, 8)))
    assert "It cannot be done before the supervision that set it" in text(early)
    assert "There is a problem" in text(early)

    services.complete_action(action=action, by=social_worker, done_on=TODAY)
    assert client.get(url).status_code == 404
    with pytest.raises(ValidationError):
        services.complete_action(action=action, by=social_worker, done_on=TODAY)
