"""The step rules applied, not only shown (issue 14): a level confirmed lower than
the rules allow needs a rationale and the manager sees it; escalation reaches the
social worker's and the manager's tasks; one rule for new or re-emerging risks;
named factors agree with the overall answer or say why; and what should follow
fits where the child lives and under what order.

Kayla Brightwater became looked after on Monday 5 January 2026 and lives with
foster carers (U6) under section 20 (V2). Sarah Wood is her social worker, Tina
Marsh the team manager. Today is Tuesday 10 March 2026.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from reviews.deadlines import refresh as deadlines
from reviews.models import Deadline, DeadlineKind
from risk import selectors, services
from risk.models import AssessmentStatus
from risk.tool import (
    WHAT_FOLLOWS,
    Level,
    factors_disagree,
    new_or_reemerging,
    suggest_level,
    what_follows,
)
from tests.factories import (
    ChildFactory,
    FamilyMemberFactory,
    LegalStatusFactory,
    PlacementFactory,
    open_case,
    put_on_care_order,
)

D = datetime.date
L, M, H, S = Level.LOW, Level.MEDIUM, Level.HIGH, Level.SEVERE
LONDON = ZoneInfo("Europe/London")
TODAY = D(2026, 3, 10)
LOOKED_AFTER = D(2026, 1, 5)

ANSWERS = {
    "low": ("addressed", "apparent", "able", "both_want", "unlikely"),
    "medium": ("not_all_addressed", "apparent", "able", "both_want", "some"),
    "high": ("not_being_addressed", "apparent", "unable", "ambivalent", "strong"),
    # High with the protective factors gone: Severe now.
    "high_unprotected": ("not_being_addressed", "none", "unable", "ambivalent", "strong"),
    "severe": ("not_being_addressed", "none", "unable", "ambivalent", "very_strong"),
}
QUESTIONS = ("risk_factors", "protective_factors", "capacity_for_change", "wishes", "recurrence")


@pytest.fixture(autouse=True)
def clock():
    noon = datetime.datetime.combine(TODAY, datetime.time(12), tzinfo=LONDON)
    with time_machine.travel(noon) as traveller:
        yield traveller


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
    FamilyMemberFactory(case=case, name="Dawn Brightwater", relationship="Mother")
    return case


def draft(case, by, answers="medium", *, on=TODAY, factors=None, reason=""):
    values = {"assessed_on": on, "factors_disagreement_reason": reason}
    for question, answer in zip(QUESTIONS, ANSWERS[answers], strict=True):
        values[question] = answer
        values[f"{question}_evidence"] = f"Seen on the visit: {answer}."
    return services.save_draft(
        case=case,
        by=by,
        answers=values,
        factors=factors or [{"factor": "substance_misuse", "status": "being_addressed"}],
    )


def submit(assessment, by, level, *, departure_rationale=""):
    return services.submit_for_sign_off(
        assessment=assessment,
        by=by,
        confirmed_level=level,
        rationale="On the evidence of the visits and the checks.",
        departure_rationale=departure_rationale,
    )


def signed(case, sw, tm, answers="medium", level=None, *, on=TODAY, **kwargs):
    level = level or answers.split("_")[0]
    assessment = submit(draft(case, sw, answers, on=on), sw, level, **kwargs)
    return services.sign_off(assessment=assessment, by=tm)


def risk_rows(case) -> dict:
    return {
        (d.kind, d.key): (d.due_on, d.responsible)
        for d in Deadline.objects.filter(case=case, kind__startswith="risk")
    }


# A level lower than the step rules allow


def test_high_then_low_a_month_later_needs_a_rationale_for_departing(
    kayla, social_worker, team_manager
):
    signed(kayla, social_worker, team_manager, "high", on=D(2026, 2, 10))
    low = draft(kayla, social_worker, "low")

    with pytest.raises(ValidationError) as refused:
        submit(low, social_worker, "low")

    assert "sooner than the step rules allow" in str(refused.value)
    assert "a rationale for departing from the step rules" in "; ".join(
        services.missing_for_sign_off(_with_level(low, "low"))
    )
    submitted = submit(low, social_worker, "low", departure_rationale="The court ordered it.")
    assert submitted.departure_rationale == "The court ordered it."
    services.sign_off(assessment=submitted, by=team_manager)
    dates = selectors.risk_summary(kayla).dates
    # High since 10 February without progress: Medium no sooner than a period at
    # High (10 August), Low a period later, and closure a period after that.
    assert dates.level == L
    assert dates.counted_from == D(2027, 2, 10)
    assert dates.closure_from == D(2027, 8, 10)


def _with_level(assessment, level):
    assessment.confirmed_level = level
    return assessment


def test_a_level_the_rules_allow_keeps_no_departure_rationale(kayla, social_worker, team_manager):
    signed(kayla, social_worker, team_manager, "medium", on=D(2025, 9, 10))
    low = draft(kayla, social_worker, "low")

    submitted = submit(low, social_worker, "low", departure_rationale="Not needed.")

    assert selectors.departure_for(submitted) is None
    assert submitted.departure_rationale == ""


@pytest.mark.parametrize(
    "medium_on, departs",
    [
        (D(2025, 9, 10), False),  # exactly a period before today
        (D(2025, 9, 11), True),  # a day short
    ],
)
def test_the_departure_is_judged_exactly_on_the_day(
    kayla, social_worker, team_manager, medium_on, departs
):
    signed(kayla, social_worker, team_manager, "medium", on=medium_on)
    low = _with_level(draft(kayla, social_worker, "low"), "low")

    assert (selectors.departure_for(low) is not None) == departs


def test_sign_off_is_refused_when_the_level_departs_without_a_rationale(
    kayla, social_worker, team_manager
):
    # Sent as Low with nothing signed off; then an earlier-dated Medium is signed
    # off, so the Low now steps down the same week.
    low = submit(draft(kayla, social_worker, "low"), social_worker, "low")
    signed(kayla, social_worker, team_manager, "medium", on=D(2026, 3, 3))

    with pytest.raises(ValidationError) as refused:
        services.sign_off(assessment=low, by=team_manager)

    assert "no rationale for departing from the step rules" in str(refused.value)
    low.refresh_from_db()
    assert low.status == AssessmentStatus.SUBMITTED


def test_the_confirm_form_warns_and_the_sign_off_page_shows_the_departure(
    client, kayla, social_worker, team_manager
):
    signed(kayla, social_worker, team_manager, "high", on=D(2026, 2, 10))
    low = draft(kayla, social_worker, "low")
    client.force_login(social_worker)
    detail = reverse("risk:detail", args=[kayla.pk, low.pk])

    page = client.get(detail).content.decode()
    assert "the step rules allow this case no lower than High" in page
    assert "Rationale for departing from the step rules" in page

    refused = client.post(
        reverse("risk:submit", args=[kayla.pk, low.pk]),
        {"confirmed_level": "low", "rationale": "Judgement.", "departure_rationale": ""},
    )
    assert refused.status_code == 200
    assert "say why you depart from them" in refused.content.decode()
    assert "govuk-error-summary" in refused.content.decode()

    client.post(
        reverse("risk:submit", args=[kayla.pk, low.pk]),
        {
            "confirmed_level": "low",
            "rationale": "Judgement.",
            "departure_rationale": "Mother has completed treatment early.",
        },
    )
    client.force_login(team_manager)
    page = client.get(detail).content.decode()
    assert "This level departs from the step rules" in page
    assert "Mother has completed treatment early." in page
    assert ">Sign off</button>" in page


def test_the_new_assessment_form_shows_what_the_rules_allow(
    client, kayla, social_worker, team_manager
):
    signed(kayla, social_worker, team_manager, "high", on=D(2026, 2, 10))
    client.force_login(social_worker)

    page = client.get(reverse("risk:new", args=[kayla.pk])).content.decode()

    assert "the step rules allow this case no lower than High" in page


# Escalation reaches the tasks of the social worker and the manager


def test_move_to_severe_now_is_a_task_for_both_due_the_day_it_is_signed_off(
    kayla, social_worker, team_manager
):
    high = signed(kayla, social_worker, team_manager, "high_unprotected", "high", on=D(2026, 3, 2))

    deadlines.refresh(kayla)

    found = risk_rows(kayla)
    assert found[(DeadlineKind.RISK_SEVERE_NOW, f"severe-now-{high.pk}")] == (TODAY, social_worker)
    assert found[(DeadlineKind.RISK_SEVERE_NOW, f"severe-now-{high.pk}-tm")] == (
        TODAY,
        team_manager,
    )
    assert found[(DeadlineKind.RISK_RECONSIDER_SEVERE, "severe-2026-09-02-tm")] == (
        D(2026, 9, 2),
        team_manager,
    )


def test_escalation_waits_six_months_at_most_when_the_step_period_is_longer(
    kayla, social_worker, team_manager
):
    kayla.risk_step_months = 12
    kayla.save()
    signed(kayla, social_worker, team_manager, "high", on=D(2025, 8, 31))

    deadlines.refresh(kayla)

    found = risk_rows(kayla)
    assert found[(DeadlineKind.RISK_RECONSIDER_SEVERE, "severe-2026-02-28")][0] == D(2026, 2, 28)
    assert found[(DeadlineKind.RISK_REASSESS, "reassess-2026-08-31")][0] == D(2026, 8, 31)


# One rule for new or re-emerging risks


def test_a_risk_new_since_low_moves_the_suggestion_up(kayla, social_worker, team_manager):
    signed(kayla, social_worker, team_manager, "low", on=D(2025, 9, 1))
    again = draft(
        kayla,
        social_worker,
        "low",
        factors=[
            {"factor": "substance_misuse", "status": "being_addressed"},
            {"factor": "domestic_abuse", "status": "being_addressed"},
        ],
    )

    suggestion = services.suggestion_for(again)

    assert suggestion.level == M
    assert any("Domestic abuse" in str(reason) for reason in suggestion.reasons)
    assert again.suggested_level == "medium"


def test_without_new_risks_the_suggestion_is_the_answers(kayla, social_worker, team_manager):
    signed(kayla, social_worker, team_manager, "low", on=D(2025, 9, 1))
    again = draft(kayla, social_worker, "low")

    assert services.suggestion_for(again).level == L


@pytest.mark.parametrize(
    "previous, current, found",
    [
        ({}, {"Neglect": "not_addressed"}, ["Neglect"]),
        ({}, {"Neglect": "addressed"}, []),
        ({"Neglect": "addressed"}, {"Neglect": "being_addressed"}, ["Neglect"]),  # re-emerging
        ({"Neglect": "being_addressed"}, {"Neglect": "not_addressed"}, []),  # not new
        ({"Neglect": "addressed"}, {"Neglect": "addressed"}, []),
    ],
)
def test_new_or_reemerging(previous, current, found):
    assert new_or_reemerging(previous, current) == found


LOW_ANSWERS = dict(zip(QUESTIONS, ANSWERS["low"], strict=True))


@pytest.mark.parametrize(
    "after, capacity, protective, level",
    [
        (L, "able", "apparent", M),
        (M, "able", "apparent", M),
        (H, "able", "apparent", L),  # from High the rule does not apply: the answers do
        (None, "able", "apparent", L),
    ],
)
def test_suggest_level_uses_level_after_new_risks(after, capacity, protective, level):
    answers = {**LOW_ANSWERS, "capacity_for_change": capacity, "protective_factors": protective}

    suggestion = suggest_level(**answers, new_risks_after=after, new_risks=("Neglect",))

    assert suggestion.level == level


# Named factors and the overall answer


@pytest.mark.parametrize(
    "overall, statuses, disagree",
    [
        ("addressed", ["addressed", "not_addressed"], True),
        ("addressed", ["being_addressed"], False),
        ("addressed", ["addressed"], False),
        ("not_all_addressed", ["not_addressed"], False),
    ],
)
def test_factors_disagree(overall, statuses, disagree):
    assert factors_disagree(overall, statuses) == disagree


def test_fully_addressed_with_a_factor_not_addressed_needs_a_reason(kayla, social_worker):
    factors = [{"factor": "neglect", "status": "not_addressed"}]

    with pytest.raises(ValidationError) as refused:
        draft(kayla, social_worker, "low", factors=factors)

    assert "factors_disagreement_reason" in refused.value.message_dict
    saved = draft(kayla, social_worker, "low", factors=factors, reason="Neglect was historic.")
    assert saved.factors_disagreement_reason == "Neglect was historic."


def test_the_form_shows_the_disagreement_as_a_govuk_error(client, kayla, social_worker):
    from risk.forms import factors_formset
    from risk.models import RiskAssessment
    from tests.test_risk_pages import assessment_post

    client.force_login(social_worker)
    formset = factors_formset(instance=RiskAssessment(case=kayla))
    data = assessment_post(
        formset,
        factors={"neglect": "not_addressed"},
        **dict(zip(QUESTIONS, ANSWERS["low"], strict=True)),
    )

    response = client.post(reverse("risk:new", args=[kayla.pk]), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "a named risk factor is not addressed: say why" in page
    assert not RiskAssessment.objects.filter(case=kayla).exists()


def test_the_research_panel_reads_the_assessments_own_factors(kayla, social_worker):
    assessment = draft(
        kayla,
        social_worker,
        "medium",
        factors=[{"factor": "substance_misuse", "status": "not_addressed"}],
    )

    found = {f.name: f for f in selectors.breakdown_factors(kayla, assessment, TODAY)}

    misuse = found["Parental substance misuse without treatment"]
    assert misuse.present
    assert "names substance misuse as not addressed" in misuse.detail


# What should follow, by where the child lives


@pytest.mark.parametrize("level", [H, S])
def test_at_home_high_or_severe_says_the_child_may_come_back_into_care(level):
    said = what_follows(level, at_home=True, on_care_order=True)

    assert "may need to come back into care" in said
    assert "remains looked after" not in said
    assert "Keep the care order" not in said


def test_high_under_section_20_gives_no_care_order_advice():
    assert "care order" not in what_follows(H, at_home=False, on_care_order=False)
    assert what_follows(H, at_home=False, on_care_order=True) == WHAT_FOLLOWS[H]
    assert what_follows(S, at_home=False, on_care_order=False) == WHAT_FOLLOWS[S]
    assert what_follows(None) == ""


def test_in_care_under_section_20_the_risk_page_has_no_care_order_advice(
    client, kayla, social_worker, team_manager
):
    signed(kayla, social_worker, team_manager, "high")
    client.force_login(social_worker)

    page = client.get(reverse("risk:overview", args=[kayla.pk])).content.decode()

    assert "Keep the care order" not in page
    assert "at most 6 months" in page


def test_placed_with_parents_at_high_is_a_task_for_the_manager_that_day(
    kayla, social_worker, team_manager, client
):
    put_on_care_order(kayla, code="C2", on=D(2026, 2, 1))
    kayla.child.placements.update(end_date=D(2026, 3, 1))
    PlacementFactory(child=kayla.child, placement_type="P1", start_date=D(2026, 3, 1))
    high = signed(kayla, social_worker, team_manager, "high", on=D(2026, 3, 9))

    deadlines.refresh(kayla)

    row = Deadline.objects.get(case=kayla, kind=DeadlineKind.RISK_AT_HOME)
    assert (row.key, row.due_on, row.responsible) == (f"at-home-{high.pk}", TODAY, team_manager)
    summary = selectors.risk_summary(kayla, TODAY)
    assert summary.situation.at_home_since == D(2026, 3, 1)
    client.force_login(social_worker)
    page = client.get(reverse("risk:overview", args=[kayla.pk])).content.decode()
    assert "may need to come back into care" in page
    assert "remains looked after" not in page
    assert "Decide today" in page


def test_in_care_at_high_no_decision_about_care_is_raised(kayla, social_worker, team_manager):
    signed(kayla, social_worker, team_manager, "high")

    deadlines.refresh(kayla)

    assert not Deadline.objects.filter(case=kayla, kind=DeadlineKind.RISK_AT_HOME).exists()
