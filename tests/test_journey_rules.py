"""What each stage of the journey needs before a case can move on (002, "The 5
Stages of Reunification"), as plain rules over plain facts: no database, no
request. Each requirement says whether it is done, who acts next and, when it
is not done, exactly what is missing."""

from dataclasses import replace

import pytest

from cases.models import Role, Stage
from reviews.journey.rules import (
    CaseFacts,
    describe,
    outstanding,
    requirements,
    where_appropriate,
)
from risk.tool import Level

SW, TM, HOS, IRO, SD = (
    Role.SOCIAL_WORKER,
    Role.TEAM_MANAGER,
    Role.HEAD_OF_SERVICE,
    Role.IRO,
    Role.SERVICE_DIRECTOR,
)

IDENTIFIED = CaseFacts(
    stage=Stage.IDENTIFICATION,
    first_considered_recorded=True,
    care_plan_steps=frozenset({"confirmed", "agreed", "ratified"}),
)
ASSESSED = CaseFacts(
    stage=Stage.ASSESSMENT,
    child_views_recorded=True,
    advocate_offer_recorded=True,
    parents_known=True,
    parents_without_views=(),
    single_assessment_missing=(),
    police_checks_outstanding=(),
    signed_off_level=Level.MEDIUM,
    viability_consultation_suited=True,
)
PLANNING_DONE = {
    "planning_meeting_held": True,
    "written_agreement_agreed": True,
    "overnight_family_time": True,
    "family_time_steps": 2,
    "placement_plan": True,
    "pwp_outcome": "approved",
    "pwp_approved": True,
    "contingency_plan": True,
    "support_recorded": True,
    "services": 1,
    "restorative_meeting": True,
}
PLANNED = CaseFacts(stage=Stage.SUPPORT_PLANNING, planning=PLANNING_DONE, on_care_order=True)
CONFIRMED = CaseFacts(
    stage=Stage.CONFIRMATION,
    signed_off_since_confirmation=Level.LOW,
    return_date_confirmed=True,
)


def by_key(facts: CaseFacts) -> dict:
    return {r.key: r for r in requirements(facts)}


def missing_keys(facts: CaseFacts) -> list[str]:
    return [r.key for r in outstanding(facts)]


# Every stage, complete


@pytest.mark.parametrize(
    "facts, keys",
    [
        (IDENTIFIED, ["first_considered", "confirmed", "agreed", "ratified"]),
        (
            ASSESSED,
            [
                "child_views",
                "advocate",
                "parent_views",
                "single_assessment",
                "police_checks",
                "risk",
                "viability_consultation",
            ],
        ),
        (
            PLANNED,
            [
                "planning_meeting",
                "written_agreement",
                "family_time",
                "contingency",
                "support",
                "services",
                "restorative_meeting",
                "placement_plan",
                "placement_with_parents",
            ],
        ),
        (CONFIRMED, ["new_risk_assessment", "viability_meeting"]),
    ],
    ids=["identification", "assessment", "support and planning", "confirmation"],
)
def test_each_stage_lists_its_requirements_in_order_and_all_can_be_done(facts, keys):
    listed = requirements(facts)

    assert [r.key for r in listed] == keys
    assert all(r.done for r in listed)
    assert all(r.detail == "" for r in listed)
    assert outstanding(facts) == []


@pytest.mark.parametrize(
    "stage", [Stage.RETURN_HOME, Stage.NOT_PURSUED, Stage.CLOSED], ids=lambda s: s.value
)
def test_stages_after_confirmation_have_no_requirements_here(stage):
    assert requirements(CaseFacts(stage=stage)) == []


# Stage 1: identification


@pytest.mark.parametrize(
    "key, without, who",
    [
        ("first_considered", {"first_considered_recorded": False}, SW),
        ("confirmed", {"care_plan_steps": frozenset({"agreed", "ratified"})}, TM),
        ("agreed", {"care_plan_steps": frozenset({"confirmed", "ratified"})}, HOS),
        ("ratified", {"care_plan_steps": frozenset({"confirmed", "agreed"})}, IRO),
    ],
)
def test_identification_needs_each_approval_by_its_own_role(key, without, who):
    facts = replace(IDENTIFIED, **without)

    assert missing_keys(facts) == [key]
    assert by_key(facts)[key].who == who


def test_a_new_case_waits_first_on_the_social_worker_then_the_three_approvals_in_order():
    fresh = CaseFacts(stage=Stage.IDENTIFICATION)

    assert [(r.key, r.who) for r in outstanding(fresh)] == [
        ("first_considered", SW),
        ("confirmed", TM),
        ("agreed", HOS),
        ("ratified", IRO),
    ]


# Stage 2: assessment of risk and viability


@pytest.mark.parametrize(
    "key, without, who, detail",
    [
        ("child_views", {"child_views_recorded": False}, SW, ""),
        ("advocate", {"advocate_offer_recorded": False}, SW, ""),
        (
            "parent_views",
            {"parents_without_views": ("Dawn Brightwater",)},
            SW,
            "not yet recorded for Dawn Brightwater",
        ),
        (
            "parent_views",
            {"parents_known": False},
            SW,
            "no one with parental responsibility is recorded in the household",
        ),
        (
            "single_assessment",
            {"single_assessment_missing": ("barriers to change",)},
            SW,
            "missing: barriers to change",
        ),
        (
            "police_checks",
            {"police_checks_outstanding": ("Lee Brightwater",)},
            SW,
            "outstanding for Lee Brightwater",
        ),
        (
            "risk",
            {"signed_off_level": None},
            SW,
            "no risk assessment has been signed off",
        ),
        ("viability_consultation", {"viability_consultation_suited": False}, TM, ""),
    ],
    ids=[
        "child's views",
        "advocate",
        "a parent's views",
        "no parent known",
        "single assessment",
        "police checks",
        "no risk assessment",
        "consultation",
    ],
)
def test_assessment_names_what_is_missing_and_who_acts(key, without, who, detail):
    facts = replace(ASSESSED, **without)

    assert missing_keys(facts) == [key]
    requirement = by_key(facts)[key]
    assert requirement.who == who
    assert requirement.detail == detail


def test_every_parent_without_views_is_named():
    facts = replace(ASSESSED, parents_without_views=("Dawn Brightwater", "Lee Brightwater"))

    assert by_key(facts)["parent_views"].detail == (
        "not yet recorded for Dawn Brightwater, Lee Brightwater"
    )


def test_every_outstanding_police_check_is_named():
    facts = replace(
        ASSESSED, police_checks_outstanding=("Lee Brightwater", "Gary Pike", "Nan Brightwater")
    )

    assert by_key(facts)["police_checks"].detail == (
        "outstanding for Lee Brightwater, Gary Pike, Nan Brightwater"
    )


def test_every_missing_single_assessment_section_is_named():
    facts = replace(
        ASSESSED,
        single_assessment_missing=(
            "housing, financial and education issues",
            "sustained change and relapse",
            "the review of the chronology and genogram",
        ),
    )

    assert by_key(facts)["single_assessment"].detail == (
        "missing: housing, financial and education issues, sustained change and relapse, "
        "the review of the chronology and genogram"
    )


def test_without_a_single_assessment_every_section_is_missing():
    facts = CaseFacts(stage=Stage.ASSESSMENT)

    assert by_key(facts)["single_assessment"].detail == "missing: every section"


@pytest.mark.parametrize("level", [Level.LOW, Level.MEDIUM])
def test_a_signed_off_low_or_medium_level_meets_the_risk_requirement(level):
    assert by_key(replace(ASSESSED, signed_off_level=level))["risk"].done


@pytest.mark.parametrize("level", [Level.HIGH, Level.SEVERE])
def test_high_or_severe_blocks_the_risk_requirement_and_the_team_manager_acts(level):
    facts = replace(ASSESSED, signed_off_level=level, viability_consultation_suited=False)
    risk = by_key(facts)["risk"]

    assert not risk.done
    assert risk.who == TM
    assert risk.detail == f"the signed-off level is {level.label}, so reunification is not pursued"
    assert "risk" in missing_keys(facts)


def test_a_new_assessment_stage_lists_everything_as_outstanding():
    assert missing_keys(CaseFacts(stage=Stage.ASSESSMENT)) == [
        "child_views",
        "advocate",
        "parent_views",
        "single_assessment",
        "risk",
        "viability_consultation",
    ]


def test_the_consultation_can_be_left_out_when_checking_what_it_needs():
    facts = replace(ASSESSED, viability_consultation_suited=False, child_views_recorded=False)

    assert [r.key for r in outstanding(facts, except_keys=("viability_consultation",))] == [
        "child_views"
    ]


# Stage 3: support and planning


@pytest.mark.parametrize(
    "key, without, who",
    [
        ("planning_meeting", {"planning_meeting_held": False}, TM),
        ("written_agreement", {"written_agreement_agreed": False}, SW),
        ("family_time", {"overnight_family_time": False}, SW),
        ("contingency", {"contingency_plan": False}, SW),
        ("support", {"support_recorded": False}, SW),
        ("services", {"services": 0}, SW),
        ("restorative_meeting", {"restorative_meeting": False}, SW),
        ("placement_with_parents", {"pwp_approved": False}, SD),
    ],
)
def test_support_and_planning_needs_each_record(key, without, who):
    facts = replace(PLANNED, planning={**PLANNING_DONE, **without})

    assert missing_keys(facts) == [key]
    assert by_key(facts)[key].who == who


def test_family_time_without_an_overnight_step_is_not_enough():
    facts = replace(
        PLANNED, planning={**PLANNING_DONE, "overnight_family_time": False, "family_time_steps": 4}
    )

    assert missing_keys(facts) == ["family_time"]


def test_placement_with_parents_approval_is_asked_for_only_on_a_care_order():
    section_20 = replace(
        PLANNED, on_care_order=False, planning={**PLANNING_DONE, "pwp_approved": False}
    )
    care_order = replace(section_20, on_care_order=True)

    assert "placement_with_parents" not in by_key(section_20)
    assert outstanding(section_20) == []
    assert missing_keys(care_order) == ["placement_with_parents"]


def test_nothing_recorded_for_planning_lists_everything():
    facts = CaseFacts(stage=Stage.SUPPORT_PLANNING, on_care_order=True)

    assert missing_keys(facts) == [
        "planning_meeting",
        "written_agreement",
        "family_time",
        "contingency",
        "support",
        "services",
        "restorative_meeting",
        "placement_plan",
        "placement_with_parents",
    ]


# "Where appropriate": a restorative meeting and overnight stays can be recorded as
# not appropriate for the child, with a reason, which meets the requirement.


@pytest.mark.parametrize(
    "done, reason, met, detail",
    [
        (True, "", True, ""),
        (True, "A baby of six months", True, ""),  # it happened: the reason is not needed
        (
            False,
            "A baby of six months",
            True,
            "not appropriate for the child: A baby of six months",
        ),
        (False, "  A baby  ", True, "not appropriate for the child: A baby"),
        (False, "", False, ""),
        (False, "   \n ", False, ""),  # a blank reason is no reason
        (False, None, False, ""),
    ],
    ids=["done", "done-and-reason", "reason", "reason-trimmed", "neither", "blank", "none"],
)
def test_where_appropriate_is_met_by_doing_it_or_by_a_reason(done, reason, met, detail):
    assert where_appropriate(done, reason) == (met, detail)


@pytest.mark.parametrize(
    "key, held, reason_fact",
    [
        ("restorative_meeting", "restorative_meeting", "restorative_meeting_not_appropriate"),
        ("family_time", "overnight_family_time", "overnight_stays_not_appropriate"),
    ],
)
def test_not_appropriate_with_a_reason_meets_the_requirement_and_says_why(key, held, reason_fact):
    without = replace(PLANNED, planning={**PLANNING_DONE, held: False})
    not_appropriate = replace(
        PLANNED, planning={**PLANNING_DONE, held: False, reason_fact: "Kayla is a baby"}
    )
    blank = replace(PLANNED, planning={**PLANNING_DONE, held: False, reason_fact: " "})

    assert missing_keys(without) == [key]
    assert missing_keys(not_appropriate) == []
    assert by_key(not_appropriate)[key].detail == "not appropriate for the child: Kayla is a baby"
    assert missing_keys(blank) == [key]


# Placement with Parents (regulations 17 and 18): the plan, then the director's
# decision on it; a refusal or a plan sent back is the social worker's to act on.


@pytest.mark.parametrize(
    "plan, outcome, approved, missing, who, detail",
    [
        (True, "approved", True, [], SD, ""),
        (
            False,
            "",
            False,
            ["placement_plan", "placement_with_parents"],
            SD,
            "",
        ),
        (True, "", False, ["placement_with_parents"], SD, ""),
        (
            True,
            "sent_back",
            False,
            ["placement_with_parents"],
            SW,
            "sent back by the service director: Name the support",
        ),
        (
            True,
            "refused",
            False,
            ["placement_with_parents"],
            SW,
            "refused by the service director: Name the support",
        ),
    ],
    ids=["approved", "no-plan", "waiting", "sent-back", "refused"],
)
def test_placement_with_parents_needs_the_plan_and_an_approval_of_it(
    plan, outcome, approved, missing, who, detail
):
    planning = {
        **PLANNING_DONE,
        "placement_plan": plan,
        "pwp_outcome": outcome,
        "pwp_reason": "Name the support " if outcome else "",
        "pwp_approved": approved,
    }
    facts = replace(PLANNED, planning=planning)

    assert missing_keys(facts) == missing
    assert by_key(facts)["placement_with_parents"].who == who
    assert by_key(facts)["placement_with_parents"].detail == detail


def test_a_placement_plan_is_not_asked_for_under_section_20():
    facts = replace(
        PLANNED,
        on_care_order=False,
        planning={**PLANNING_DONE, "placement_plan": False, "pwp_approved": False},
    )

    assert "placement_plan" not in by_key(facts)
    assert outstanding(facts) == []


# Stage 4: confirmation


def test_confirmation_needs_a_new_signed_off_risk_assessment_first():
    facts = CaseFacts(stage=Stage.CONFIRMATION)

    assert [(r.key, r.who) for r in outstanding(facts)] == [
        ("new_risk_assessment", SW),
        ("viability_meeting", TM),
    ]


@pytest.mark.parametrize("level", [Level.LOW, Level.MEDIUM])
def test_at_low_or_medium_the_meeting_can_confirm_a_return_date(level):
    facts = CaseFacts(stage=Stage.CONFIRMATION, signed_off_since_confirmation=level)
    meeting = by_key(facts)["viability_meeting"]

    assert missing_keys(facts) == ["viability_meeting"]
    assert meeting.detail == ""


@pytest.mark.parametrize("level", [Level.HIGH, Level.SEVERE])
def test_at_high_or_severe_the_task_list_says_no_return_date_can_be_confirmed(level):
    facts = CaseFacts(stage=Stage.CONFIRMATION, signed_off_since_confirmation=level)

    assert by_key(facts)["new_risk_assessment"].done
    assert by_key(facts)["viability_meeting"].detail == (
        "a return date can be confirmed only at Low or Medium risk"
    )


# Telling people what is missing


def test_describe_names_every_missing_item_with_its_detail():
    facts = CaseFacts(
        stage=Stage.ASSESSMENT,
        parents_known=True,
        parents_without_views=("Dawn Brightwater",),
        single_assessment_missing=("barriers to change",),
        police_checks_outstanding=("Lee Brightwater", "Gary Pike"),
        signed_off_level=Level.HIGH,
    )

    assert describe(outstanding(facts, except_keys=("viability_consultation",))) == (
        "This cannot happen yet. Still needed: "
        "record the child's views, wishes and feelings (or why not); "
        "record whether an advocate was offered; "
        "record each parent's views separately (not yet recorded for Dawn Brightwater); "
        "complete the single assessment (missing: barriers to change); "
        "police checks returned for everyone aged 16 or over in or around the household "
        "(outstanding for Lee Brightwater, Gary Pike); "
        "a signed-off risk assessment at Low or Medium "
        "(the signed-off level is High, so reunification is not pursued)."
    )


def test_describe_names_each_missing_approval():
    facts = CaseFacts(stage=Stage.IDENTIFICATION, care_plan_steps=frozenset({"confirmed"}))

    assert describe(outstanding(facts)) == (
        "This cannot happen yet. Still needed: "
        "record when reunification was first considered; "
        "head of service agrees the care plan; "
        "IRO ratifies the care plan at a Child in Care review."
    )


def test_describe_names_every_missing_planning_record():
    facts = CaseFacts(stage=Stage.SUPPORT_PLANNING, on_care_order=True)
    sentence = describe(outstanding(facts))

    for requirement in requirements(facts):
        assert requirement.text[1:] in sentence
    assert sentence.endswith("service director approves placement with parents (care order).")
