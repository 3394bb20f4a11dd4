"""The rules of the risk and planning writes, asked of cases.policy by the pages
and the services alike: four eyes on sign-off counts whoever changed the answers,
a closed case takes nothing new, an edit names the version it changes, and each
write that feeds the deadlines says so."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases import policy
from cases.models import (
    ChronologyEntry,
    LegalStatus,
    LegalStatusCode,
    ReunificationCase,
    Role,
    Stage,
    StaleRecord,
)
from planning import records as planning_records
from planning import services as planning
from planning.models import AgreementGoal, InviteeKind, MeetingInvitee, PlanningMeeting
from risk import records as risk_records
from risk import services as risk
from risk.models import AssessmentStatus, ParentViews, RiskAssessment
from tests.conftest import person
from tests.factories import FamilyMemberFactory

pytestmark = pytest.mark.usefixtures("on_10_march_2026")

D = datetime.date

ANSWERS = {
    "assessed_on": D(2026, 3, 3),
    "risk_factors": "not_all_addressed",
    "risk_factors_evidence": "The domestic abuse work is half done.",
    "protective_factors": "apparent",
    "protective_factors_evidence": "Grandmother visits daily.",
    "capacity_for_change": "able",
    "capacity_for_change_evidence": "Completed the parenting course.",
    "wishes": "both_want",
    "wishes_evidence": "Both told me so.",
    "recurrence": "some",
    "recurrence_evidence": "Some possibility while the work continues.",
}
FACTORS = [{"factor": "domestic_abuse", "status": "being_addressed"}]


@pytest.fixture
def second_manager(north):
    return person("Mo", "Khan", Role.TEAM_MANAGER, team=north)


def draft(case, by, **answers) -> RiskAssessment:
    return risk.save_draft(case=case, by=by, answers={**ANSWERS, **answers}, factors=FACTORS)


def rewrite(assessment, by, **answers) -> RiskAssessment:
    return risk.save_draft(
        case=assessment.case,
        by=by,
        answers={**ANSWERS, **answers},
        factors=FACTORS,
        assessment=assessment,
        version=RiskAssessment.objects.get(pk=assessment.pk).version,
    )


def submit(assessment, by) -> RiskAssessment:
    return risk.submit_for_sign_off(
        assessment=assessment, by=by, confirmed_level="medium", rationale=""
    )


def closed(case) -> ReunificationCase:
    ReunificationCase.objects.filter(pk=case.pk).update(
        stage=Stage.CLOSED, closed_on=D(2026, 3, 10)
    )
    return ReunificationCase.objects.get(pk=case.pk)


def detail_url(assessment) -> str:
    return reverse("risk:detail", args=[assessment.case_id, assessment.pk])


# Four eyes: whoever changed the answers does not sign off -----------------------


def test_a_manager_who_rewrote_a_draft_s_answers_cannot_sign_it_off(
    client, case, social_worker, team_manager, second_manager
):
    assessment = draft(case, social_worker)
    rewrite(assessment, team_manager, risk_factors_evidence="Rewritten by the manager.")
    assessment = submit(assessment, social_worker)

    assert team_manager.pk in assessment.contributor_ids()
    assert not policy.may_sign_off_assessment(team_manager, case, assessment)
    with pytest.raises(ValidationError, match="whose answers you changed"):
        risk.sign_off(assessment=assessment, by=team_manager)
    with pytest.raises(ValidationError, match="whose answers you changed"):
        risk.return_for_changes(assessment=assessment, by=team_manager, comment="Redo")

    client.force_login(team_manager)
    page = client.get(detail_url(assessment))
    assert page.context["decision_form"] is None
    assert "You cannot sign off an assessment whose answers you changed." in page.content.decode()
    client.post(reverse("risk:decide", args=[case.pk, assessment.pk]), {"decision": "sign_off"})
    assert RiskAssessment.objects.get(pk=assessment.pk).status == AssessmentStatus.SUBMITTED

    # Another manager of the team, who changed nothing, signs it off.
    assert policy.may_sign_off_assessment(second_manager, case, assessment)
    signed = risk.sign_off(assessment=assessment, by=second_manager)
    assert signed.status == AssessmentStatus.SIGNED_OFF


def test_a_manager_who_only_returned_an_assessment_may_sign_off_the_resubmission(
    case, social_worker, team_manager
):
    assessment = submit(draft(case, social_worker), social_worker)
    risk.return_for_changes(assessment=assessment, by=team_manager, comment="More evidence")
    rewrite(assessment, social_worker, wishes_evidence="Kayla said it again.")
    assessment = submit(assessment, social_worker)

    assert team_manager.pk not in assessment.contributor_ids()
    assert risk.sign_off(assessment=assessment, by=team_manager).is_signed_off


def test_rewriting_through_the_edit_page_counts_as_changing_the_answers(
    client, case, social_worker, team_manager
):
    assessment = draft(case, social_worker)
    client.force_login(team_manager)
    edit = reverse("risk:edit", args=[case.pk, assessment.pk])
    page = client.get(edit)
    form, factors = page.context["form"], page.context["factors"]
    data = {name: form[name].value() or "" for name in form.fields if name != "assessed_on"}
    data.update({"assessed_on_0": "3", "assessed_on_1": "3", "assessed_on_2": "2026"})
    management = factors.management_form
    data.update({management[n].html_name: management[n].value() for n in management.fields})
    for row in factors.forms:
        for name in ("id", "factor", "description", "status"):
            value = row[name].value()
            data[row.add_prefix(name)] = "" if value is None else value
    data["wishes_evidence"] = "The manager's words."

    assert client.post(edit, data).status_code == 302
    assessment = RiskAssessment.objects.get(pk=assessment.pk)
    assert assessment.wishes_evidence == "The manager's words."
    assert team_manager.pk in assessment.contributor_ids()


def test_the_page_offers_the_decision_exactly_when_the_policy_allows_it(
    client, case, social_worker, team_manager, second_manager, colleague, iro, head_of_service
):
    assessment = draft(case, social_worker)
    rewrite(assessment, team_manager)
    assessment = submit(assessment, social_worker)

    for user in (social_worker, team_manager, second_manager, colleague, iro, head_of_service):
        client.force_login(user)
        offered = client.get(detail_url(assessment)).context["decision_form"] is not None
        assert offered == policy.may_sign_off_assessment(user, case, assessment), user


# An edit names the version it changes -------------------------------------------


def test_an_edit_without_its_version_is_refused_as_stale(case, social_worker):
    assessment = draft(case, social_worker)

    with pytest.raises(StaleRecord):
        risk.save_draft(
            case=case, by=social_worker, answers=ANSWERS, factors=FACTORS, assessment=assessment
        )
    with pytest.raises(StaleRecord):
        risk.save_draft(
            case=case,
            by=social_worker,
            answers=ANSWERS,
            factors=FACTORS,
            assessment=assessment,
            version=assessment.version - 1 or 99,
        )


def test_the_risk_service_checks_the_factors_it_is_given(case, social_worker):
    with pytest.raises(ValidationError, match="Name the other risk factor"):
        risk.save_draft(
            case=case,
            by=social_worker,
            answers=ANSWERS,
            factors=[{"factor": "other", "description": " ", "status": "addressed"}],
        )
    assert not RiskAssessment.objects.exists()


# A closed case takes nothing new --------------------------------------------------


def test_a_closed_case_takes_no_risk_assessment_writes(case, social_worker, team_manager):
    waiting = submit(draft(case, social_worker), social_worker)
    in_draft = draft(case, social_worker, assessed_on=D(2026, 3, 4))
    case = closed(case)

    with pytest.raises(PermissionDenied):
        draft(case, social_worker)
    with pytest.raises(PermissionDenied):
        rewrite(in_draft, social_worker)
    with pytest.raises(PermissionDenied):
        submit(in_draft, social_worker)
    with pytest.raises(PermissionDenied):
        risk.sign_off(assessment=waiting, by=team_manager)
    with pytest.raises(PermissionDenied):
        risk.return_for_changes(assessment=waiting, by=team_manager, comment="Redo")
    assert RiskAssessment.objects.get(pk=waiting.pk).status == AssessmentStatus.SUBMITTED


@pytest.fixture
def on_care_order(case):
    LegalStatus.objects.filter(child=case.child).update(end_date=D(2026, 1, 12))
    LegalStatus.objects.create(child=case.child, code=LegalStatusCode.C1, start_date=D(2026, 1, 12))
    return case


MEETING = {"held_on": D(2026, 3, 9), "considerations": "Family time building up."}
AGREEMENT = {
    "agreed_on": D(2026, 3, 5),
    "consequences_explained": "Supervised again if Dawn drinks.",
    "review_dates": "Six-weekly",
    "parents_agreed": True,
}
GOAL = {
    "goal": "Dawn stays sober",
    "measure": "Tests",
    "responsible": "Dawn",
    "due_on": D(2026, 6, 30),
    "services": "",
}


def meeting(case, by, led_by, invitees=(), **changes):
    return planning.save_planning_meeting(
        case=case,
        by=by,
        values={**MEETING, "led_by": led_by, **changes},
        invitees=list(invitees),
    )


def test_a_closed_case_takes_no_planning_writes(
    client, on_care_order, social_worker, team_manager, director
):
    held = meeting(on_care_order, social_worker, team_manager)
    agreement = planning.save_written_agreement(
        case=on_care_order, by=social_worker, values=AGREEMENT, goals=[GOAL]
    )
    case = closed(on_care_order)
    goal = AgreementGoal.objects.get(agreement=agreement)

    with pytest.raises(PermissionDenied):
        meeting(case, social_worker, team_manager)
    with pytest.raises(PermissionDenied):
        planning.save_planning_meeting(
            case=case,
            by=team_manager,
            values=MEETING,
            invitees=[],
            meeting=held,
            version=held.version,
        )
    with pytest.raises(PermissionDenied):
        planning.save_written_agreement(case=case, by=social_worker, values=AGREEMENT, goals=[GOAL])
    with pytest.raises(PermissionDenied):
        planning.save_goal_review(
            goal=goal,
            by=social_worker,
            values={"reviewed_on": D(2026, 3, 9), "outcome": "met", "evidence": "Clear tests"},
        )
    with pytest.raises(PermissionDenied):
        planning.approve_placement_with_parents(
            case=case, by=director, approved_on=D(2026, 3, 9), notes="Seen"
        )
    client.force_login(director)
    assert client.get(reverse("planning:pwp_approve", args=[case.pk])).status_code == 403
    assert not policy.may_approve_placement_with_parents(director, case)


# The planning services keep the rules the forms show -----------------------------


def test_the_meeting_service_refuses_a_named_invitee_neither_invited_nor_there(
    case, social_worker, team_manager
):
    with pytest.raises(ValidationError) as refused:
        meeting(
            case,
            social_worker,
            team_manager,
            invitees=[{"kind": InviteeKind.GUARDIAN, "name": "Ms Khan"}],
        )

    assert refused.value.messages == [
        "Tick whether Guardian, if appointed was invited or came, or leave the name blank"
    ]
    assert not PlanningMeeting.objects.exists()


def test_only_who_was_invited_or_came_is_kept(case, social_worker, team_manager):
    held = meeting(
        case,
        social_worker,
        team_manager,
        invitees=[
            {"kind": InviteeKind.CHILD, "invited": True, "attended": True},
            {"kind": InviteeKind.IRO, "invited": True},
            {"kind": InviteeKind.HEALTH},
        ],
    )
    assert set(held.invitees.values_list("kind", flat=True)) == {InviteeKind.CHILD, InviteeKind.IRO}

    planning.save_planning_meeting(
        case=case,
        by=social_worker,
        values={**MEETING, "led_by": team_manager},
        invitees=[{"kind": InviteeKind.CHILD, "invited": True}, {"kind": InviteeKind.IRO}],
        meeting=held,
        version=held.version,
    )
    assert list(MeetingInvitee.objects.values_list("kind", "attended")) == [
        (InviteeKind.CHILD, False)
    ]


def test_the_meeting_is_led_by_a_team_manager_of_the_case_s_team(
    case, social_worker, south_manager
):
    with pytest.raises(ValidationError) as refused:
        meeting(case, social_worker, south_manager)

    assert refused.value.message_dict == {"led_by": ["Select the team manager who led the meeting"]}


def test_a_planning_edit_without_its_version_is_refused_as_stale(case, social_worker, team_manager):
    held = meeting(case, social_worker, team_manager)

    with pytest.raises(StaleRecord):
        planning.save_planning_meeting(
            case=case,
            by=social_worker,
            values={**MEETING, "led_by": team_manager},
            invitees=[],
            meeting=held,
        )


def test_an_agreement_needs_a_goal_in_the_service_too(case, social_worker):
    with pytest.raises(ValidationError, match="Add at least one goal"):
        planning.save_written_agreement(case=case, by=social_worker, values=AGREEMENT, goals=[])


# Writes that feed the deadlines say so ---------------------------------------------


@pytest.fixture
def changed(monkeypatch):
    calls = []
    monkeypatch.setattr(risk, "case_changed", lambda *ids: calls.extend(ids))
    monkeypatch.setattr(planning, "case_changed", lambda *ids: calls.extend(ids))
    return calls


def test_each_risk_write_says_the_case_changed(changed, case, social_worker, team_manager):
    assessment = submit(draft(case, social_worker), social_worker)
    risk.return_for_changes(assessment=assessment, by=team_manager, comment="More")
    submit(assessment, social_worker)
    risk.sign_off(assessment=assessment, by=team_manager)

    # Saved, submitted, returned, submitted again, signed off.
    assert changed == [case.pk] * 5


def test_a_placement_with_parents_approval_says_the_case_changed(changed, on_care_order, director):
    planning.approve_placement_with_parents(
        case=on_care_order, by=director, approved_on=D(2026, 3, 9), notes="Seen"
    )

    assert changed == [on_care_order.pk]
    assert ChronologyEntry.objects.filter(case=on_care_order, automatic=True).exists()


# The rules of the generic record pages, as validators --------------------------------


@pytest.mark.parametrize(
    ("validate", "values", "errors"),
    [
        (
            planning_records.ends_after_start,
            {"starts_on": D(2026, 3, 9), "ends_on": D(2026, 3, 8)},
            {"ends_on": ["The end date must be on or after the start date"]},
        ),
        (
            planning_records.family_group_conference,
            {"fgc_held": True, "fgc_held_on": None},
            {"fgc_held_on": ["Enter the date the Family Group Conference was held"]},
        ),
        (
            planning_records.family_group_conference,
            {"fgc_held": False, "fgc_held_on": D(2026, 3, 1), "fgc_not_held_reason": ""},
            {
                "fgc_held_on": [
                    "Leave the date blank, or tick that the Family Group Conference was held"
                ],
                "fgc_not_held_reason": ["Enter why a Family Group Conference was not held"],
            },
        ),
        (
            risk_records.child_views_or_why_not,
            {"views": " ", "not_recorded_reason": ""},
            {"views": ["Record the child's views, or why they could not be recorded"]},
        ),
    ],
)
def test_each_record_rule_names_its_field(case, validate, values, errors):
    with pytest.raises(ValidationError) as refused:
        validate(case, values, None)

    assert refused.value.message_dict == errors


def test_each_parent_s_views_are_recorded_once(case):
    mother = FamilyMemberFactory(case=case, has_parental_responsibility=True)
    views = ParentViews.objects.create(
        case=case, parent=mother, recorded_on=D(2026, 3, 1), views="Wants Kayla home"
    )

    with pytest.raises(ValidationError) as refused:
        risk_records.one_views_record_per_parent(case, {"parent": mother}, None)
    assert refused.value.message_dict == {
        "parent": ["This parent's views are already recorded; change them instead"]
    }
    risk_records.one_views_record_per_parent(case, {"parent": mother}, views)


def record_page_post(client, case, slug, **values):
    data = {}
    for name, value in values.items():
        if isinstance(value, datetime.date):
            data.update({f"{name}_0": value.day, f"{name}_1": value.month, f"{name}_2": value.year})
        else:
            data[name] = value
    return client.post(reverse("cases:add_record", args=[case.pk, slug]), data)


def test_the_record_pages_show_the_child_s_views_rule_on_its_field(client, case, social_worker):
    client.force_login(social_worker)

    response = record_page_post(
        client, case, "child-views", recorded_on=D(2026, 3, 9), advocate="not_offered"
    )

    assert response.status_code == 200
    assert response.context["form"].errors["views"] == [
        "Record the child's views, or why they could not be recorded"
    ]


def test_the_record_pages_refuse_a_second_record_of_one_parent_s_views(client, case, social_worker):
    mother = FamilyMemberFactory(case=case, has_parental_responsibility=True)
    client.force_login(social_worker)
    first = {
        "parent": mother.pk,
        "recorded_on": D(2026, 3, 9),
        "views": "Wants Kayla home",
        "advocate": "declined",
        "advocate_offered_on": D(2026, 3, 9),
    }

    assert record_page_post(client, case, "parent-views", **first).status_code == 302
    response = record_page_post(client, case, "parent-views", **first)

    assert response.status_code == 200
    assert response.context["form"].errors["parent"] == [
        "This parent's views are already recorded; change them instead"
    ]
    assert ParentViews.objects.filter(case=case, parent=mother).count() == 1
