"""Support and planning (stage 3), through the pages and the services: Tina Marsh
leads Kayla's Reunification Planning Meeting, Sarah Wood records the written
agreement, family time, the contingency plan and the support around the family,
and Diane Dale, the service director, approves a placement with parents when
Kayla is on a care order."""

import datetime
import html

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import ChronologyEntry, ChronologyKind, LegalStatus, LegalStatusCode, Stage
from cases.records import RECORD_TYPES
from planning import services
from planning.models import (
    AgreementGoal,
    ContingencyPlan,
    DirectWorkKind,
    DirectWorkSession,
    FamilyTimeStep,
    GoalOutcome,
    GoalReview,
    InviteeKind,
    MeetingInvitee,
    PlacementPlan,
    PlacementWithParentsApproval,
    PlanningMeeting,
    ServiceKind,
    ServiceTiming,
    SupportPlan,
    SupportService,
    WrittenAgreement,
)
from planning.selectors import planning_facts
from tests.factories import open_case

pytestmark = pytest.mark.usefixtures("on_10_march_2026")

D = datetime.date
MEETING_DAY = D(2026, 3, 2)


@pytest.fixture
def case(case):
    """Kayla's case (from conftest) with no planning records yet, whatever the
    shared fixture puts on it for the generic record pages."""
    for model in (
        FamilyTimeStep,
        ContingencyPlan,
        SupportService,
        SupportPlan,
        DirectWorkSession,
        PlacementPlan,
    ):
        model.objects.filter(case=case).delete()
    return case


def text(response) -> str:
    return html.unescape(response.content.decode())


def date_input(name: str, day: datetime.date) -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def fields(**values) -> dict[str, str]:
    """Form data as a browser posts it: dates as GOV.UK date inputs, ticks as "on"
    and unticked boxes left out."""
    data = {}
    for name, value in values.items():
        if isinstance(value, datetime.date):
            data.update(date_input(name, value))
        elif value is True:
            data[name] = "on"
        elif value is not False and value is not None:
            data[name] = str(value)
    return data


def shown_version(record) -> dict[str, str]:
    """The version an edit page carries in its hidden field (none when adding)."""
    return {"version": str(record.version)} if record.pk else {}


def management(formset) -> dict[str, str]:
    form = formset.management_form
    return {
        form[name].html_name: form[name].value()
        for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")
    }


def url(name: str, case, *args) -> str:
    return reverse(name, args=[case.pk, *args])


def planning_page(case) -> str:
    return url("planning:overview", case)


# The planning meeting and who was invited


def meeting_post(formset, *, ticks: dict[str, dict], **meeting) -> dict[str, str]:
    """The meeting's fields, then one row per kind of invitee: `ticks` gives, by
    kind, what is ticked and the name typed."""
    data = management(formset)
    for form in formset.forms:
        kind = form["kind"].value()
        data[form.add_prefix("kind")] = kind
        if form.instance.pk:
            data[form.add_prefix("id")] = str(form.instance.pk)
        row = ticks.get(kind, {})
        data.update({form.add_prefix(k): v for k, v in fields(**row).items()})
    return {**data, **fields(**meeting), **shown_version(formset.instance)}


MEETING = {
    "held_on": MEETING_DAY,
    "considerations": "Family time to build up to overnight stays; a Family Group Conference.",
}
WHO_CAME = {
    InviteeKind.CHILD: {"invited": True, "attended": True, "name": "Kayla"},
    InviteeKind.PARENT: {"invited": True, "attended": True, "name": "Dawn Brightwater"},
    InviteeKind.IRO: {"invited": True, "attended": False},
    InviteeKind.SOCIAL_WORKER: {"invited": True, "attended": True},
}


def test_the_team_manager_records_the_planning_meeting_with_who_was_invited_and_came(
    client, case, team_manager
):
    client.force_login(team_manager)
    page = client.get(url("planning:add_meeting", case))
    invitees = page.context["invitees"]

    assert [form["kind"].value() for form in invitees.forms] == InviteeKind.values
    response = client.post(
        url("planning:add_meeting", case),
        meeting_post(invitees, ticks=WHO_CAME, led_by=team_manager.pk, **MEETING),
    )

    assert response.status_code == 302
    assert response.url == planning_page(case) + "#meetings"
    meeting = case.planning_meetings.get()
    assert (meeting.held_on, meeting.led_by) == (MEETING_DAY, team_manager)
    recorded = {i.kind: (i.name, i.invited, i.attended) for i in meeting.invitees.all()}
    assert recorded == {
        "child": ("Kayla", True, True),
        "parent": ("Dawn Brightwater", True, True),
        "iro": ("", True, False),
        "social_worker": ("", True, True),
    }
    assert meeting.history.get().history_user == team_manager


def test_the_planning_page_lists_every_kind_of_invitee_and_who_came(client, case, team_manager):
    client.force_login(team_manager)
    page = client.get(url("planning:add_meeting", case))
    client.post(
        url("planning:add_meeting", case),
        meeting_post(page.context["invitees"], ticks=WHO_CAME, led_by=team_manager.pk, **MEETING),
    )

    overview = text(client.get(planning_page(case)))

    assert "2 March 2026, led by Tina Marsh" in overview
    assert "Dawn Brightwater" in overview
    assert "Guardian, if appointed" in overview
    assert "Family Group Conference." in overview


def test_the_meeting_is_led_by_a_team_manager_of_the_case_s_team(
    client, case, social_worker, team_manager, south_manager
):
    client.force_login(social_worker)
    page = client.get(url("planning:add_meeting", case))

    assert list(page.context["form"].fields["led_by"].queryset) == [team_manager]
    assert page.context["form"]["led_by"].value() == team_manager.pk
    response = client.post(
        url("planning:add_meeting", case),
        meeting_post(page.context["invitees"], ticks={}, led_by=south_manager.pk, **MEETING),
    )

    assert response.status_code == 200
    assert not PlanningMeeting.objects.exists()


def test_a_meeting_with_missing_details_shows_the_error_summary_and_saves_nothing(
    client, case, social_worker, team_manager
):
    client.force_login(social_worker)
    page = client.get(url("planning:add_meeting", case))
    ticks = {InviteeKind.HEALTH: {"name": "Dr Patel"}}  # named, but neither ticked

    response = client.post(
        url("planning:add_meeting", case),
        meeting_post(page.context["invitees"], ticks=ticks, led_by=team_manager.pk),
    )

    body = text(response)
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Enter the date of the meeting" in body
    assert "Enter the considerations agreed at the meeting" in body
    assert "Tick whether Health was invited or came, or leave the name blank" in body
    assert not PlanningMeeting.objects.exists()
    assert not MeetingInvitee.objects.exists()


def test_changing_the_meeting_updates_its_rows_and_keeps_one_per_kind(
    client, case, social_worker, team_manager
):
    client.force_login(social_worker)
    add = url("planning:add_meeting", case)
    client.post(
        add,
        meeting_post(
            client.get(add).context["invitees"], ticks=WHO_CAME, led_by=team_manager.pk, **MEETING
        ),
    )
    meeting = case.planning_meetings.get()
    edit = url("planning:edit_meeting", case, meeting.pk)
    invitees = client.get(edit).context["invitees"]

    assert [form["kind"].value() for form in invitees.forms] == InviteeKind.values
    came_later = {**WHO_CAME, InviteeKind.IRO: {"invited": True, "attended": True}}
    came_later[InviteeKind.GUARDIAN] = {"invited": True, "name": "Ms Khan"}
    response = client.post(
        edit, meeting_post(invitees, ticks=came_later, led_by=team_manager.pk, **MEETING)
    )

    assert response.status_code == 302
    assert meeting.invitees.count() == 5
    assert meeting.invitees.get(kind=InviteeKind.IRO).attended
    assert meeting.invitees.get(kind=InviteeKind.GUARDIAN).name == "Ms Khan"


# The written agreement, its goals and their reviews


def agreement_post(formset, *, goals: list[dict], **agreement) -> dict[str, str]:
    data = management(formset)
    for form, goal in zip(formset.forms, goals + [{}] * len(formset.forms), strict=False):
        if form.instance.pk:
            data[form.add_prefix("id")] = str(form.instance.pk)
        data.update({form.add_prefix(k): v for k, v in fields(**goal).items()})
    return {**data, **fields(**agreement), **shown_version(formset.instance)}


AGREEMENT = {
    "agreed_on": D(2026, 3, 5),
    "consequences_explained": "If Dawn drinks again, family time goes back to supervised.",
    "review_dates": "Every six weeks, at the CiC review",
    "parents_agreed": True,
}
GOAL = {
    "goal": "Dawn stays free of alcohol",
    "measure": "Negative tests every fortnight",
    "responsible": "Dawn attends the alcohol service; Sarah checks the results",
    "due_on": D(2026, 6, 30),  # ahead: the day the goal is to be met
    "services": "Community alcohol service",
}


def record_agreement(client, case, goals=(GOAL,), **changes):
    add = url("planning:add_agreement", case)
    formset = client.get(add).context["goals"]
    return client.post(add, agreement_post(formset, goals=list(goals), **{**AGREEMENT, **changes}))


def test_a_written_agreement_is_recorded_with_its_goals(client, case, social_worker):
    client.force_login(social_worker)

    response = record_agreement(client, case)

    assert response.status_code == 302
    assert response.url == planning_page(case) + "#agreements"
    agreement = case.written_agreements.get()
    assert agreement.parents_agreed
    goal = agreement.goals.get()
    assert (goal.goal, goal.due_on) == ("Dawn stays free of alcohol", D(2026, 6, 30))
    assert "Dawn stays free of alcohol" in text(client.get(planning_page(case)))


def test_a_written_agreement_needs_at_least_one_goal(client, case, social_worker):
    client.force_login(social_worker)

    response = record_agreement(client, case, goals=())

    assert response.status_code == 200
    assert "There is a problem" in text(response)
    assert "Add at least one goal" in text(response)
    assert not WrittenAgreement.objects.exists()


def test_a_half_written_goal_shows_the_error_summary_and_saves_nothing(client, case, social_worker):
    client.force_login(social_worker)

    response = record_agreement(client, case, goals=[{"goal": "Dawn keeps the house safe"}])

    body = text(response)
    assert "Enter how success on this goal is measured" in body
    assert "Enter who does what for this goal" in body
    assert "Enter the date to be achieved by" in body
    assert not WrittenAgreement.objects.exists()
    assert not AgreementGoal.objects.exists()


def test_a_goal_is_reviewed_as_met_partly_or_not_met_with_evidence(client, case, social_worker):
    client.force_login(social_worker)
    record_agreement(client, case)
    goal = AgreementGoal.objects.get()

    response = client.post(
        url("planning:add_goal_review", case, goal.pk),
        fields(
            reviewed_on=D(2026, 3, 9),
            outcome=GoalOutcome.PARTLY,
            evidence="Two clear tests; one missed.",
        ),
    )

    assert response.status_code == 302
    review = goal.reviews.get()
    assert review.outcome == GoalOutcome.PARTLY
    assert "Two clear tests; one missed." in text(client.get(planning_page(case)))


def test_a_goal_review_without_an_outcome_is_not_saved(client, case, social_worker):
    client.force_login(social_worker)
    record_agreement(client, case)
    goal = AgreementGoal.objects.get()

    response = client.post(
        url("planning:add_goal_review", case, goal.pk), fields(reviewed_on=D(2026, 3, 9))
    )

    assert "Select whether the goal is on track, not on track or met" in text(response)
    assert "Enter the evidence for the outcome" in text(response)
    assert not GoalReview.objects.exists()


# The simpler records, through the generic record pages of cases

SIMPLE_RECORDS = {
    "family-time-step": (
        FamilyTimeStep,
        {
            "starts_on": D(2026, 3, 16),  # planned ahead
            "frequency": "Twice a week",
            "duration": "3 hours",
            "supervised": True,
        },
    ),
    "contingency-plan": (
        ContingencyPlan,
        {
            "scenarios": "If Dawn drinks while Kayla is with her",
            "actions": "Kayla goes to her grandmother's; Sarah is told that day",
            "carers_roles": "Grandmother collects Kayla",
            "agreed_on": D(2026, 3, 6),
        },
    ),
    "support-service": (
        SupportService,
        {
            "kind": ServiceKind.SPECIALIST_SUBSTANCE_MISUSE,
            "provider": "Community alcohol service",
            "starts_on": D(2026, 1, 5),
            "timing": ServiceTiming.BOTH,
        },
    ),
    "support-plan": (
        SupportPlan,
        {
            "fgc_held": True,
            "fgc_held_on": D(2026, 2, 20),
            "siblings_considered": "Jordan stays at home; Kayla's return was planned with him.",
        },
    ),
    "direct-work-session": (
        DirectWorkSession,
        {
            "held_on": D(2026, 3, 4),
            "kind": DirectWorkKind.RESTORATIVE_MEETING,
            "notes": "Kayla and Dawn met with the family support worker.",
        },
    ),
}


@pytest.mark.parametrize("slug", SIMPLE_RECORDS)
def test_each_simple_planning_record_is_added_through_the_record_pages(
    client, case, social_worker, slug
):
    model, values = SIMPLE_RECORDS[slug]
    client.force_login(social_worker)

    assert client.get(url("cases:add_record", case, slug)).status_code == 200
    response = client.post(url("cases:add_record", case, slug), fields(**values))

    assert response.status_code == 302
    record = model.objects.get(case=case)
    assert client.get(url("cases:edit_record", case, slug, record.pk)).status_code == 200


@pytest.mark.parametrize("slug", SIMPLE_RECORDS)
def test_each_simple_planning_record_returns_to_its_section_of_the_planning_page(case, slug):
    record_type = RECORD_TYPES[slug]

    assert record_type.return_url(case) == f"{planning_page(case)}#{record_type.anchor}"


@pytest.mark.parametrize(
    ("slug", "values", "message"),
    [
        (
            "family-time-step",
            {
                "starts_on": D(2026, 4, 1),
                "ends_on": D(2026, 3, 20),
                "frequency": "Weekly",
                "duration": "A weekend",
                "overnight": True,
            },
            "The end date must be on or after the start date",
        ),
        (
            "support-service",
            {
                "kind": ServiceKind.TEAM_AROUND_CHILD,
                "provider": "School nurse",
                "starts_on": D(2026, 3, 1),
                "ends_on": D(2026, 2, 1),
                "timing": ServiceTiming.AFTER_RETURN,
            },
            "The end date must be on or after the start date",
        ),
        (
            "support-plan",
            {"fgc_held": False, "siblings_considered": "Jordan is at home."},
            "Enter why a Family Group Conference was not held",
        ),
        (
            "support-plan",
            {"fgc_held": True, "siblings_considered": "Jordan is at home."},
            "Enter the date the Family Group Conference was held",
        ),
        (
            "contingency-plan",
            {"agreed_on": D(2026, 3, 6)},
            'Enter the "what if" scenarios',
        ),
        (
            "direct-work-session",
            {"held_on": D(2026, 3, 20), "kind": DirectWorkKind.LIFE_STORY, "notes": "Photos"},
            "Date of the session must be today or in the past",
        ),
    ],
)
def test_bad_planning_input_shows_the_error_summary_and_saves_nothing(
    client, case, social_worker, slug, values, message
):
    model, _ = SIMPLE_RECORDS[slug]
    client.force_login(social_worker)

    response = client.post(url("cases:add_record", case, slug), fields(**values))

    assert response.status_code == 200
    assert "There is a problem" in text(response)
    assert message in text(response)
    assert not model.objects.exists()


def test_a_second_support_plan_for_the_case_is_refused(client, case, social_worker):
    client.force_login(social_worker)
    values = fields(**SIMPLE_RECORDS["support-plan"][1])
    client.post(url("cases:add_record", case, "support-plan"), values)

    response = client.post(url("cases:add_record", case, "support-plan"), values)

    assert "conflicts with another record" in text(response)
    assert SupportPlan.objects.count() == 1


# Who may see and change planning records


@pytest.fixture
def planning_records(case, social_worker, team_manager):
    """One of every planning record on Kayla's case, so every page exists."""
    meeting = PlanningMeeting.objects.create(
        case=case, held_on=MEETING_DAY, led_by=team_manager, considerations="Agreed a plan"
    )
    MeetingInvitee.objects.create(meeting=meeting, kind=InviteeKind.CHILD, invited=True)
    agreement = WrittenAgreement.objects.create(
        case=case,
        agreed_on=D(2026, 3, 5),
        consequences_explained="Explained",
        parents_agreed=True,
        review_dates="Six-weekly",
    )
    goal = AgreementGoal.objects.create(
        agreement=agreement,
        goal="Stay sober",
        measure="Tests",
        responsible="Dawn",
        due_on=D(2026, 6, 30),
    )
    review = GoalReview.objects.create(
        goal=goal, reviewed_on=D(2026, 3, 9), outcome=GoalOutcome.MET, evidence="Tests clear"
    )
    records = {
        "meeting": meeting,
        "agreement": agreement,
        "goal": goal,
        "review": review,
        "family-time-step": FamilyTimeStep.objects.create(
            case=case,
            starts_on=D(2026, 3, 1),
            frequency="Weekly",
            duration="A night",
            overnight=True,
        ),
        "contingency-plan": ContingencyPlan.objects.create(
            case=case, scenarios="If", actions="Then", carers_roles="Gran", agreed_on=MEETING_DAY
        ),
        "support-service": SupportService.objects.create(
            case=case,
            kind=ServiceKind.SERVICE,
            provider="Family support",
            starts_on=D(2026, 1, 1),
            timing=ServiceTiming.BEFORE_RETURN,
        ),
        "support-plan": SupportPlan.objects.create(
            case=case, fgc_not_held_reason="Family declined", siblings_considered="Jordan"
        ),
        "direct-work-session": DirectWorkSession.objects.create(
            case=case,
            held_on=MEETING_DAY,
            kind=DirectWorkKind.RESTORATIVE_MEETING,
            notes="Restorative meeting",
        ),
    }
    return records


def change_urls(case, records) -> list[str]:
    return [
        url("planning:add_meeting", case),
        url("planning:edit_meeting", case, records["meeting"].pk),
        url("planning:add_agreement", case),
        url("planning:edit_agreement", case, records["agreement"].pk),
        url("planning:add_goal_review", case, records["goal"].pk),
        url("planning:edit_goal_review", case, records["goal"].pk, records["review"].pk),
        *[url("cases:add_record", case, slug) for slug in SIMPLE_RECORDS],
        *[url("cases:edit_record", case, slug, records[slug].pk) for slug in SIMPLE_RECORDS],
    ]


def every_planning_url(case, records) -> list[str]:
    return [
        planning_page(case),
        url("planning:pwp_approve", case),
        *change_urls(case, records),
    ]


def test_an_outsider_is_told_no_planning_page_exists(client, case, outsider, planning_records):
    client.force_login(outsider)

    for address in every_planning_url(case, planning_records):
        assert client.get(address).status_code == 404, address
        assert client.post(address, {}).status_code == 404, address


def test_a_south_team_manager_is_told_no_planning_page_exists(
    client, case, south_manager, planning_records
):
    client.force_login(south_manager)

    for address in every_planning_url(case, planning_records):
        assert client.get(address).status_code == 404, address


def test_the_iro_can_read_the_planning_page_but_not_change_it(client, case, iro, planning_records):
    client.force_login(iro)

    page = client.get(planning_page(case))
    assert page.status_code == 200
    assert "Restorative meeting" in text(page)
    assert ">Change<" not in page.content.decode()
    assert "Record a planning meeting" not in text(page)
    for address in change_urls(case, planning_records):
        assert client.get(address).status_code == 403, address
    response = client.post(url("planning:add_meeting", case), {})
    assert response.status_code == 403


def test_the_social_worker_and_team_manager_see_change_links(
    client, case, social_worker, planning_records
):
    client.force_login(social_worker)

    page = text(client.get(planning_page(case)))

    assert "Record a planning meeting" in page
    assert url("planning:edit_meeting", case, planning_records["meeting"].pk) in page
    assert (
        url("cases:edit_record", case, "support-plan", planning_records["support-plan"].pk) in page
    )


@pytest.mark.parametrize("who", ["social_worker", "team_manager"])
def test_the_social_worker_and_team_manager_can_open_every_change_page(
    client, case, planning_records, request, who
):
    client.force_login(request.getfixturevalue(who))

    for address in change_urls(case, planning_records):
        assert client.get(address).status_code == 200, address


def test_the_type_of_support_is_chosen_from_the_guidance_s_list(client, case, social_worker):
    client.force_login(social_worker)

    form = client.get(url("cases:add_record", case, "support-service")).context["form"]

    assert [value for value, _ in form.fields["kind"].choices] == ServiceKind.values


def test_a_closed_case_s_planning_records_are_read_only(
    client, case, social_worker, planning_records
):
    type(case).objects.filter(pk=case.pk).update(stage=Stage.CLOSED, closed_on=D(2026, 3, 10))
    client.force_login(social_worker)

    assert client.get(planning_page(case)).status_code == 200
    assert "This case is closed" in text(client.get(planning_page(case)))
    for address in change_urls(case, planning_records):
        assert client.get(address).status_code == 403, address


def test_viewing_the_planning_page_is_logged(client, case, iro):
    client.force_login(iro)

    client.get(planning_page(case))

    assert case.views.filter(user=iro, path=planning_page(case)).exists()


def test_the_planning_page_reads_a_fixed_number_of_queries(
    client, case, social_worker, team_manager, planning_records, django_assert_max_num_queries
):
    client.force_login(social_worker)
    with CaptureQueriesContext(connection) as few:
        client.get(planning_page(case))
    for _ in range(3):
        meeting = PlanningMeeting.objects.create(
            case=case, held_on=MEETING_DAY, led_by=team_manager, considerations="More"
        )
        MeetingInvitee.objects.create(meeting=meeting, kind=InviteeKind.PARENT, invited=True)
        goal = AgreementGoal.objects.create(
            agreement=planning_records["agreement"],
            goal="Another",
            measure="M",
            responsible="R",
            due_on=D(2026, 5, 1),
        )
        GoalReview.objects.create(
            goal=goal, reviewed_on=D(2026, 3, 9), outcome=GoalOutcome.NOT_MET, evidence="E"
        )

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(planning_page(case))


# Placement with Parents approval


@pytest.fixture
def on_care_order(case):
    """Kayla's section 20 accommodation ended when an interim care order was made."""
    LegalStatus.objects.filter(child=case.child).update(end_date=D(2026, 1, 12))
    LegalStatus.objects.create(child=case.child, code=LegalStatusCode.C1, start_date=D(2026, 1, 12))
    PlacementPlan.objects.create(
        case=case,
        lives_with="Kayla's mother",
        arrangements="Same school",
        support="Family support twice a week",
        contact="Weekly with Jordan",
        agreed_on=D(2026, 3, 2),
    )
    return case


PWP = {"approved_on": D(2026, 3, 9), "notes": "Placement plan seen; every adult checked."}
PWP_FORM = {
    "outcome": "approved",
    "decided_on": D(2026, 3, 9),
    "reason": "Placement plan seen; every adult checked.",
}


def test_the_service_director_approves_a_placement_with_parents_on_a_care_order(
    client, on_care_order, director
):
    case = on_care_order
    client.force_login(director)

    assert "Decide on placement with parents" in text(client.get(planning_page(case)))
    response = client.post(url("planning:pwp_approve", case), fields(**PWP_FORM))

    assert response.status_code == 302
    assert response.url == planning_page(case) + "#pwp"
    approval = case.pwp_approvals.get()
    assert (approval.decided_by, approval.decided_on) == (director, D(2026, 3, 9))
    assert (approval.placement_plan, approval.plan_version) == (case.placement_plan, 1)
    entry = case.chronology.get(kind=ChronologyKind.DECISION)
    assert entry.automatic and entry.recorded_by == director
    assert "Placement with Parents" in entry.description
    assert "Approved" in text(client.get(planning_page(case)))


def test_placement_with_parents_approval_is_not_asked_for_under_section_20(client, case, director):
    client.force_login(director)

    page = client.get(planning_page(case))
    response = client.post(url("planning:pwp_approve", case), fields(**PWP_FORM))

    assert "Decide on placement with parents" not in text(page)
    assert response.status_code == 200
    assert "There is a problem" in text(response)
    assert "not asked for under section 20" in text(response)
    assert "V2 – Accommodated under section 20" in text(response)
    assert not PlacementWithParentsApproval.objects.exists()
    assert not ChronologyEntry.objects.filter(kind=ChronologyKind.DECISION).exists()


def test_a_full_care_order_also_needs_approval(on_care_order, director):
    case = on_care_order
    LegalStatus.objects.filter(child=case.child, code=LegalStatusCode.C1).update(
        end_date=D(2026, 3, 1)
    )
    LegalStatus.objects.create(child=case.child, code=LegalStatusCode.C2, start_date=D(2026, 3, 1))

    approval = services.approve_placement_with_parents(case=case, by=director, **PWP)

    assert approval.pk


def test_an_approval_with_no_reasons_shows_the_error_summary(client, on_care_order, director):
    client.force_login(director)

    response = client.post(
        url("planning:pwp_approve", on_care_order),
        fields(outcome="approved", decided_on=D(2026, 3, 9)),
    )

    assert "There is a problem" in text(response)
    assert "Enter the reasons for your decision" in text(response)
    assert not PlacementWithParentsApproval.objects.exists()


def test_only_the_service_director_may_approve_a_placement_with_parents(
    client, on_care_order, social_worker, team_manager, head_of_service, iro
):
    case = on_care_order
    for user in (social_worker, team_manager, head_of_service, iro):
        client.force_login(user)
        assert client.get(url("planning:pwp_approve", case)).status_code == 403
        assert client.post(url("planning:pwp_approve", case), fields(**PWP_FORM)).status_code == 403
        with pytest.raises(PermissionDenied):
            services.approve_placement_with_parents(case=case, by=user, **PWP)

    assert not PlacementWithParentsApproval.objects.exists()


def test_the_service_refuses_section_20_in_plain_words(case, director):
    with pytest.raises(ValidationError) as refused:
        services.approve_placement_with_parents(case=case, by=director, **PWP)

    assert refused.value.messages == [
        "Placement with Parents approval is only for a child on an interim or full care order "
        "(C1 or C2), and is not asked for under section 20. Kayla's current legal status is "
        "V2 – Accommodated under section 20."
    ]


# The facts the stage guard weighs


def test_planning_facts_are_all_missing_on_a_new_case(case, django_assert_num_queries):
    with django_assert_num_queries(1):
        facts = planning_facts(case)

    assert facts == {
        "planning_meeting_held": False,
        "written_agreement_agreed": False,
        "overnight_family_time": False,
        "family_time_steps": 0,
        "placement_plan": False,
        "pwp_outcome": "",
        "pwp_reason": "",
        "pwp_approved": False,
        "contingency_plan": False,
        "support_recorded": False,
        "services": 0,
        "restorative_meeting": False,
        "restorative_meeting_not_appropriate": "",
        "overnight_stays_not_appropriate": "",
    }


def test_planning_facts_reflect_the_records(
    on_care_order, director, planning_records, django_assert_num_queries
):
    case = on_care_order
    services.approve_placement_with_parents(case=case, by=director, **PWP)
    FamilyTimeStep.objects.create(
        case=case, starts_on=D(2026, 2, 1), frequency="Weekly", duration="2 hours"
    )

    with django_assert_num_queries(1):
        facts = planning_facts(case)

    assert facts == {
        "planning_meeting_held": True,
        "written_agreement_agreed": True,
        "overnight_family_time": True,
        "family_time_steps": 2,
        "placement_plan": True,
        "pwp_outcome": "approved",
        "pwp_reason": "Placement plan seen; every adult checked.",
        "pwp_approved": True,
        "contingency_plan": True,
        "support_recorded": True,
        "services": 1,
        "restorative_meeting": True,
        "restorative_meeting_not_appropriate": "",
        "overnight_stays_not_appropriate": "",
    }
    assert {type(value) for value in facts.values()} == {bool, int, str}
    assert type(facts["planning_meeting_held"]) is bool


def test_an_agreement_counts_only_when_the_parents_agreed_and_it_has_a_goal(case):
    agreement = WrittenAgreement.objects.create(
        case=case,
        agreed_on=D(2026, 3, 5),
        consequences_explained="Explained",
        parents_agreed=False,
        review_dates="Six-weekly",
    )
    AgreementGoal.objects.create(
        agreement=agreement, goal="G", measure="M", responsible="R", due_on=D(2026, 6, 1)
    )
    not_agreed = planning_facts(case)["written_agreement_agreed"]
    WrittenAgreement.objects.create(
        case=case,
        agreed_on=D(2026, 3, 6),
        consequences_explained="Explained",
        parents_agreed=True,
        review_dates="Six-weekly",
    )
    agreed_without_goals = planning_facts(case)["written_agreement_agreed"]

    assert not not_agreed
    assert not agreed_without_goals


def test_support_counts_only_with_siblings_considered_and_the_conference_or_why_not(case):
    plan = SupportPlan.objects.create(case=case, fgc_held=False, siblings_considered="Jordan")
    without_reason = planning_facts(case)["support_recorded"]
    plan.fgc_not_held_reason = "The family declined"
    plan.save()

    assert not without_reason
    assert planning_facts(case)["support_recorded"]


def test_other_cases_records_do_not_count(case, team_manager, planning_records):
    other = open_case(team_manager=team_manager)

    assert not any(planning_facts(other).values())
