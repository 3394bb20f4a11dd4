"""Recording a risk assessment and signing it off, through the pages and the
services: Sarah Wood records Kayla's assessment, Tina Marsh (her team manager)
signs it off, and only what is signed off counts for the case."""

import datetime
import html
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.models import ChronologyEntry, ChronologyKind, ParentalIssueKind, Role, RoleGrant
from risk import services
from risk.forms import factors_formset
from risk.models import AssessmentStatus, RiskAssessment
from risk.selectors import breakdown_factors, risk_summary
from risk.tool import WHAT_FOLLOWS, Level
from tests.factories import ParentalIssueFactory, open_case

pytestmark = pytest.mark.usefixtures("on_10_march_2026")

D = datetime.date
ASSESSED_ON = D(2026, 3, 3)

# Appendix A's Medium column, with evidence for each answer.
MEDIUM_ANSWERS = {
    "risk_factors": "not_all_addressed",
    "risk_factors_evidence": "Mother has stopped drinking; the domestic abuse work is half done.",
    "protective_factors": "apparent",
    "protective_factors_evidence": "Grandmother visits daily and Kayla confides in her.",
    "protective_factors_named": "Grandmother visits daily",
    "capacity_for_change": "able",
    "capacity_for_change_evidence": "Mother completed the parenting course and kept it up.",
    "wishes": "both_want",
    "wishes_evidence": "Kayla and her mother both told me they want her home.",
    "recurrence": "some",
    "recurrence_evidence": "Some possibility while the domestic abuse work continues.",
}
FACTORS = {"domestic_abuse": "being_addressed", "substance_misuse": "addressed"}


def text(response) -> str:
    return html.unescape(response.content.decode())


def date_input(day: datetime.date) -> dict[str, str]:
    return {
        "assessed_on_0": str(day.day),
        "assessed_on_1": str(day.month),
        "assessed_on_2": str(day.year),
    }


def factor_rows(formset, factors: dict[str, str], others: list[tuple[str, str]] = ()):
    """What the page posts for the risk factor table: `factors` gives the status of
    listed factors by name, `others` the (description, status) of free entries."""
    management = formset.management_form
    data = {
        management[name].html_name: management[name].value()
        for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")
    }
    others = list(others)
    for form in formset.forms:
        factor = form["factor"].value()
        if factor == "other":
            description, status = others.pop(0) if others else ("", "")
        else:
            description, status = "", factors.get(factor, "")
        if form.instance.pk:
            data[form.add_prefix("id")] = form.instance.pk
        data[form.add_prefix("factor")] = factor
        data[form.add_prefix("description")] = description
        data[form.add_prefix("status")] = status
    return data


def assessment_post(formset, *, assessed_on=ASSESSED_ON, factors=FACTORS, others=(), **answers):
    # An edit page carries the version it showed.
    shown = {"version": formset.instance.version} if formset.instance.pk else {}
    return {
        **date_input(assessed_on),
        **MEDIUM_ANSWERS,
        **answers,
        **factor_rows(formset, factors, others),
        **shown,
    }


def factor_list(factors: dict[str, str]) -> list[dict]:
    return [{"factor": factor, "status": status} for factor, status in factors.items()]


def record(case, by, *, assessed_on=ASSESSED_ON, factors=FACTORS, **answers) -> RiskAssessment:
    """A draft saved through the service, with the values the page gives it."""
    return services.save_draft(
        case=case,
        by=by,
        answers={**MEDIUM_ANSWERS, **answers, "assessed_on": assessed_on},
        factors=factor_list(factors),
    )


def submitted(
    case, by, *, confirmed_level="medium", rationale="", departure_rationale="", **answers
) -> RiskAssessment:
    assessment = record(case, by, **answers)
    return services.submit_for_sign_off(
        assessment=assessment,
        by=by,
        confirmed_level=confirmed_level,
        rationale=rationale,
        departure_rationale=departure_rationale,
    )


def signed_off(case, by, manager, **answers) -> RiskAssessment:
    return services.sign_off(assessment=submitted(case, by, **answers), by=manager)


def url(name, case, assessment=None) -> str:
    args = [case.pk] if assessment is None else [case.pk, assessment.pk]
    return reverse(f"risk:{name}", args=args)


def reload(assessment) -> RiskAssessment:
    return RiskAssessment.objects.get(pk=assessment.pk)


def also_team_manager(user):
    RoleGrant.objects.create(user=user, role=Role.TEAM_MANAGER)
    user.__dict__.pop("roles", None)
    return user


@pytest.fixture
def as_social_worker(client, social_worker):
    client.force_login(social_worker)
    return client


@pytest.fixture
def as_team_manager(client, team_manager):
    client.force_login(team_manager)
    return client


# Recording an assessment


def test_a_social_worker_records_an_assessment_and_sees_the_suggested_level_and_why(
    as_social_worker, case, social_worker
):
    page = as_social_worker.get(url("new", case))
    assert page.status_code == 200

    response = as_social_worker.post(
        url("new", case),
        assessment_post(page.context["factors"], others=[("Gang involvement", "not_addressed")]),
        follow=True,
    )

    assessment = RiskAssessment.objects.get(case=case)
    assert response.redirect_chain == [(url("detail", case, assessment), 302)]
    assert assessment.author == social_worker
    assert assessment.assessed_on == ASSESSED_ON
    assert assessment.status == AssessmentStatus.DRAFT
    assert assessment.suggested_level == "medium"
    assert assessment.confirmed_level == ""
    assert {(f.factor, f.description, f.status) for f in assessment.factors.all()} == {
        ("domestic_abuse", "", "being_addressed"),
        ("substance_misuse", "", "addressed"),
        ("other", "Gang involvement", "not_addressed"),
    }
    shown = text(response)
    assert "The assessment was saved. Check the suggested level." in shown
    assert "Medium risk" in shown
    assert WHAT_FOLLOWS[Level.MEDIUM] in shown
    assert "Risk factors: “Risk factors apparent, or not all fully addressed” points to Medium" in (
        shown
    )
    assert "Likelihood abuse recurs if the child returns: “Some possibility” points to Medium" in (
        shown
    )
    assert "The answers conflict" not in shown
    assert "Gang involvement: not addressed" in shown


def test_answers_that_conflict_are_named_on_the_assessment_page(as_social_worker, case):
    # Able to change, but the child is ambivalent about going home.
    page = as_social_worker.get(url("new", case))
    as_social_worker.post(
        url("new", case), assessment_post(page.context["factors"], wishes="ambivalent")
    )
    assessment = RiskAssessment.objects.get(case=case)

    shown = text(as_social_worker.get(url("detail", case, assessment)))

    assert assessment.suggested_level == "high"
    assert "High risk" in shown
    assert "The answers conflict" in shown
    assert (
        "Parents' sustained capacity for actual change: “Able to demonstrate” points to "
        "Low or Medium"
    ) in shown


def test_a_draft_may_be_saved_before_every_answer_is_given(as_social_worker, case):
    page = as_social_worker.get(url("new", case))
    response = as_social_worker.post(
        url("new", case),
        assessment_post(page.context["factors"], recurrence="", recurrence_evidence=""),
        follow=True,
    )

    assessment = RiskAssessment.objects.get(case=case)
    assert assessment.suggested_level == ""
    assert "Not yet: answer likelihood abuse recurs if the child returns." in text(response)


def test_a_listed_risk_factor_needs_a_status_only_when_it_is_marked(as_social_worker, case):
    page = as_social_worker.get(url("new", case))
    response = as_social_worker.post(
        url("new", case), assessment_post(page.context["factors"], others=[("", "not_addressed")])
    )

    assert response.status_code == 200
    assert "Name the other risk factor" in text(response)
    assert not RiskAssessment.objects.exists()


# Submitting for sign-off


def test_an_incomplete_assessment_cannot_go_for_sign_off_and_the_message_names_what_is_missing(
    as_social_worker, case, social_worker
):
    assessment = record(case, social_worker, wishes_evidence="", recurrence="", factors={})

    response = as_social_worker.post(
        url("submit", case, assessment), {"confirmed_level": "medium", "rationale": ""}
    )

    assert response.status_code == 200
    shown = text(response)
    assert "This assessment cannot go for sign-off yet." in shown
    assert "the evidence on wishes about return home" in shown
    assert "the answer on likelihood abuse recurs if the child returns home" in shown
    assert "at least one named risk factor with its status" in shown
    assessment = reload(assessment)
    assert assessment.status == AssessmentStatus.DRAFT
    assert assessment.submitted_at is None
    assert assessment.confirmed_level == ""


def test_the_service_refuses_an_incomplete_assessment_too(case, social_worker):
    assessment = record(case, social_worker, capacity_for_change_evidence="  ")

    with pytest.raises(ValidationError, match="the evidence on parents' sustained capacity"):
        services.submit_for_sign_off(
            assessment=assessment, by=social_worker, confirmed_level="medium", rationale=""
        )

    assert reload(assessment).status == AssessmentStatus.DRAFT


def test_a_level_that_differs_from_the_suggestion_needs_a_rationale(
    as_social_worker, case, social_worker
):
    assessment = record(case, social_worker)

    refused = as_social_worker.post(
        url("submit", case, assessment), {"confirmed_level": "high", "rationale": "  "}
    )

    assert refused.status_code == 200
    assert "a rationale, because your level differs from the suggested level" in text(refused)
    assert reload(assessment).status == AssessmentStatus.DRAFT
    assert reload(assessment).confirmed_level == ""

    accepted = as_social_worker.post(
        url("submit", case, assessment),
        {"confirmed_level": "high", "rationale": "Kayla's mother hid a relapse last year."},
    )

    assert accepted.status_code == 302
    assessment = reload(assessment)
    assert assessment.status == AssessmentStatus.SUBMITTED
    assert assessment.confirmed_level == "high"
    assert assessment.suggested_level == "medium"
    assert assessment.rationale == "Kayla's mother hid a relapse last year."


def test_the_suggested_level_needs_no_rationale(as_social_worker, case, social_worker):
    assessment = record(case, social_worker)

    response = as_social_worker.post(
        url("submit", case, assessment), {"confirmed_level": "medium", "rationale": ""}
    )

    assert response.status_code == 302
    assert reload(assessment).status == AssessmentStatus.SUBMITTED


# Signing off


def test_the_author_cannot_sign_off_her_own_assessment_even_as_a_team_manager(
    client, case, social_worker
):
    also_team_manager(social_worker)
    assessment = submitted(case, social_worker)
    client.force_login(social_worker)

    page = client.get(url("detail", case, assessment))
    response = client.post(url("decide", case, assessment), {"decision": "sign_off"})

    assert page.context["decision_form"] is None
    assert response.status_code == 200
    assert "You cannot sign off an assessment you wrote or submitted." in text(response)
    assert reload(assessment).status == AssessmentStatus.SUBMITTED
    with pytest.raises(ValidationError, match="You cannot sign off an assessment you wrote"):
        services.sign_off(assessment=assessment, by=social_worker)
    with pytest.raises(ValidationError, match="You cannot sign off an assessment you wrote"):
        services.return_for_changes(assessment=assessment, by=social_worker, comment="Redo it")


def test_a_team_manager_who_wrote_the_assessment_cannot_sign_it_off(
    as_team_manager, case, team_manager
):
    assessment = submitted(case, team_manager)

    as_team_manager.post(url("decide", case, assessment), {"decision": "sign_off"})

    assert reload(assessment).status == AssessmentStatus.SUBMITTED
    assert reload(assessment).decided_by is None


def test_a_team_manager_of_the_case_team_signs_it_off_and_the_chronology_records_it(
    as_team_manager, case, social_worker, team_manager
):
    assessment = submitted(case, social_worker)

    page = as_team_manager.get(url("detail", case, assessment))
    response = as_team_manager.post(
        url("decide", case, assessment), {"decision": "sign_off"}, follow=True
    )

    assert page.context["decision_form"] is not None
    # Back to the case, whose summary says what is next.
    assert response.redirect_chain == [(reverse("cases:overview", args=[case.pk]), 302)]
    assert "The assessment was signed off." in text(response)
    assessment = reload(assessment)
    assert assessment.status == AssessmentStatus.SIGNED_OFF
    assert assessment.decided_by == team_manager
    assert assessment.decided_at is not None
    entry = ChronologyEntry.objects.get(case=case, kind=ChronologyKind.DECISION, automatic=True)
    assert entry.occurred_on == ASSESSED_ON
    assert entry.recorded_by == team_manager
    assert entry.description == "Risk assessment signed off by Tina Marsh: Medium risk."


def test_a_team_manager_of_another_team_cannot_see_or_decide(
    client, case, social_worker, south_manager
):
    assessment = submitted(case, social_worker)
    client.force_login(south_manager)

    assert client.get(url("detail", case, assessment)).status_code == 404
    assert client.post(url("decide", case, assessment), {"decision": "sign_off"}).status_code == 404
    assert reload(assessment).status == AssessmentStatus.SUBMITTED


def test_a_team_manager_must_choose_to_sign_off_or_return(as_team_manager, case, social_worker):
    assessment = submitted(case, social_worker)

    response = as_team_manager.post(url("decide", case, assessment), {})

    assert response.status_code == 200
    assert "Select whether you sign off or return the assessment" in text(response)
    assert reload(assessment).status == AssessmentStatus.SUBMITTED


def test_a_draft_cannot_be_signed_off(case, social_worker, team_manager):
    assessment = record(case, social_worker)

    with pytest.raises(ValidationError, match="not waiting for sign-off"):
        services.sign_off(assessment=assessment, by=team_manager)


# Returning for changes


def test_returning_needs_a_comment(as_team_manager, case, social_worker, team_manager):
    assessment = submitted(case, social_worker)

    response = as_team_manager.post(
        url("decide", case, assessment), {"decision": "return", "comment": " "}
    )

    assert response.status_code == 200
    assert "Say what needs to change before it can be signed off" in text(response)
    assert reload(assessment).status == AssessmentStatus.SUBMITTED
    with pytest.raises(ValidationError, match="Say what needs to change"):
        services.return_for_changes(assessment=assessment, by=team_manager, comment="  ")


def test_a_returned_assessment_can_be_changed_and_sent_again(
    client, case, social_worker, team_manager
):
    assessment = submitted(case, social_worker)
    client.force_login(team_manager)
    client.post(
        url("decide", case, assessment),
        {"decision": "return", "comment": "Say more about the grandmother's support."},
    )
    assessment = reload(assessment)
    assert assessment.status == AssessmentStatus.RETURNED
    assert assessment.is_editable

    client.force_login(social_worker)
    page = client.get(url("edit", case, assessment))
    assert page.status_code == 200
    assert "Say more about the grandmother's support." in text(page)
    response = client.post(
        url("edit", case, assessment),
        assessment_post(
            page.context["factors"],
            protective_factors_evidence="Grandmother will have Kayla after school.",
            factors={"domestic_abuse": "being_addressed"},
        ),
    )
    assert response.status_code == 302
    assessment = reload(assessment)
    assert assessment.protective_factors_evidence.endswith("after school.")
    assert [f.factor for f in assessment.factors.all()] == ["domestic_abuse"]

    client.post(url("submit", case, assessment), {"confirmed_level": "medium", "rationale": ""})
    assessment = reload(assessment)
    assert assessment.status == AssessmentStatus.SUBMITTED
    assert assessment.return_comment == ""


def test_an_assessment_sent_again_is_not_shown_as_already_decided(
    as_social_worker, case, social_worker, team_manager
):
    assessment = submitted(case, social_worker)
    services.return_for_changes(assessment=assessment, by=team_manager, comment="More evidence")
    services.submit_for_sign_off(
        assessment=assessment, by=social_worker, confirmed_level="medium", rationale=""
    )

    assessment = reload(assessment)
    shown = text(as_social_worker.get(url("detail", case, assessment)))

    assert assessment.status == AssessmentStatus.SUBMITTED
    # Waiting for sign-off: nobody has decided this submission yet.
    assert (assessment.decided_by, assessment.decided_at) == (None, None)
    assert "Waiting for sign-off</strong> – Tina Marsh" not in shown


# A signed-off assessment never changes


def test_a_signed_off_assessment_cannot_be_edited(
    as_social_worker, case, social_worker, team_manager
):
    assessment = signed_off(case, social_worker, team_manager)
    page = factors_formset(instance=assessment)

    assert as_social_worker.get(url("edit", case, assessment)).status_code == 404
    assert (
        as_social_worker.post(
            url("edit", case, assessment), assessment_post(page, risk_factors="addressed")
        ).status_code
        == 404
    )
    as_social_worker.post(
        url("submit", case, assessment), {"confirmed_level": "low", "rationale": "Better now"}
    )

    unchanged = reload(assessment)
    assert unchanged.status == AssessmentStatus.SIGNED_OFF
    assert unchanged.risk_factors == "not_all_addressed"
    assert unchanged.confirmed_level == "medium"


def test_the_services_refuse_to_change_a_signed_off_assessment(case, social_worker, team_manager):
    assessment = signed_off(case, social_worker, team_manager)
    with pytest.raises(ValidationError, match="can no longer be changed"):
        services.save_draft(
            case=case,
            by=social_worker,
            answers={**MEDIUM_ANSWERS, "risk_factors": "addressed"},
            factors=factor_list(FACTORS),
            assessment=assessment,
            version=assessment.version,
        )
    with pytest.raises(ValidationError, match="can no longer be changed"):
        services.submit_for_sign_off(
            assessment=assessment, by=social_worker, confirmed_level="low", rationale="Better"
        )
    with pytest.raises(ValidationError, match="not waiting for sign-off"):
        services.sign_off(assessment=assessment, by=team_manager)
    with pytest.raises(ValidationError, match="not waiting for sign-off"):
        services.return_for_changes(assessment=assessment, by=team_manager, comment="Redo")
    assert reload(assessment).risk_factors == "not_all_addressed"


def test_an_assessment_waiting_for_sign_off_cannot_be_edited(as_social_worker, case, social_worker):
    assessment = submitted(case, social_worker)

    assert as_social_worker.get(url("edit", case, assessment)).status_code == 404


# Who may see and do what


def every_risk_request(case, assessment):
    """Each risk URL with the method it answers."""
    return [
        ("get", url("overview", case)),
        ("get", url("new", case)),
        ("post", url("new", case)),
        ("get", url("detail", case, assessment)),
        ("get", url("edit", case, assessment)),
        ("post", url("edit", case, assessment)),
        ("post", url("submit", case, assessment)),
        ("post", url("decide", case, assessment)),
    ]


@pytest.mark.parametrize("viewer", ["iro", "head_of_service", "colleague"])
def test_others_who_may_see_the_case_can_read_but_not_change_the_risk_pages(
    client, request, case, social_worker, viewer
):
    assessment = record(case, social_worker)
    client.force_login(request.getfixturevalue(viewer))

    assert client.get(url("overview", case)).status_code == 200
    detail = client.get(url("detail", case, assessment))
    assert detail.status_code == 200
    assert detail.context["confirm_form"] is None
    assert "Start a new risk assessment" not in text(client.get(url("overview", case)))
    for method, path in [
        ("get", url("new", case)),
        ("post", url("new", case)),
        ("get", url("edit", case, assessment)),
        ("post", url("edit", case, assessment)),
        ("post", url("submit", case, assessment)),
        ("post", url("decide", case, assessment)),
    ]:
        data = {"confirmed_level": "low", "decision": "sign_off"}
        assert getattr(client, method)(path, data).status_code == 403, path
    assert reload(assessment).status == AssessmentStatus.DRAFT


@pytest.mark.parametrize("viewer", ["iro", "head_of_service"])
def test_the_iro_and_head_of_service_cannot_decide_a_submitted_assessment(
    client, request, case, social_worker, viewer
):
    assessment = submitted(case, social_worker)
    client.force_login(request.getfixturevalue(viewer))

    assert client.get(url("detail", case, assessment)).context["decision_form"] is None
    assert client.post(url("decide", case, assessment), {"decision": "sign_off"}).status_code == 403
    assert reload(assessment).status == AssessmentStatus.SUBMITTED


def test_an_outsider_gets_not_found_on_every_risk_page_and_never_sees_the_child(
    client, case, social_worker, outsider
):
    assessment = submitted(case, social_worker)
    client.force_login(outsider)

    for method, path in every_risk_request(case, assessment):
        response = getattr(client, method)(path, {"decision": "sign_off", "confirmed_level": "low"})
        assert response.status_code == 404, path
        assert "Kayla" not in text(response)
        assert "Brightwater" not in text(response)
    assert reload(assessment).status == AssessmentStatus.SUBMITTED


def test_someone_signed_out_is_sent_to_sign_in(client, case, social_worker):
    assessment = record(case, social_worker)

    response = client.get(url("detail", case, assessment))

    assert response.status_code == 302
    assert "Kayla" not in text(response)


def test_an_assessment_is_found_only_under_its_own_case(client, case, social_worker, team_manager):
    other = open_case(team_manager=team_manager, social_worker=social_worker)
    assessment = record(case, social_worker)
    client.force_login(social_worker)

    assert client.get(url("detail", other, assessment)).status_code == 404
    assert client.get(url("edit", other, assessment)).status_code == 404


# Only signed-off assessments count


def test_only_signed_off_assessments_count_for_the_current_level(case, social_worker, team_manager):
    record(case, social_worker, risk_factors="addressed", recurrence="unlikely")  # draft, Low
    submitted(
        case,
        social_worker,
        risk_factors="not_being_addressed",
        confirmed_level="high",
        rationale="Worse",
    )  # waiting
    returned = submitted(case, social_worker)
    services.return_for_changes(assessment=returned, by=team_manager, comment="More evidence")

    assert risk_summary(case).level is None

    medium = signed_off(case, social_worker, team_manager, assessed_on=D(2026, 1, 5))
    summary = risk_summary(case)

    assert summary.level == Level.MEDIUM
    assert summary.history == [medium]
    assert summary.what_follows == WHAT_FOLLOWS[Level.MEDIUM]
    assert summary.dates.level_since == D(2026, 1, 5)


def test_a_back_dated_sign_off_does_not_replace_a_later_assessment(
    case, social_worker, team_manager
):
    signed_off(
        case,
        social_worker,
        team_manager,
        assessed_on=D(2026, 3, 1),
        risk_factors="addressed",
        recurrence="unlikely",
        confirmed_level="low",
    )
    signed_off(case, social_worker, team_manager, assessed_on=D(2026, 1, 15))

    summary = risk_summary(case)

    assert summary.level == Level.LOW
    assert summary.dates.level_since == D(2026, 3, 1)
    assert [a.assessed_on for a in summary.history] == [D(2026, 1, 15), D(2026, 3, 1)]


def test_two_assessments_on_one_day_count_in_the_order_they_were_signed_off(
    case, social_worker, team_manager
):
    signed_off(case, social_worker, team_manager)
    signed_off(
        case,
        social_worker,
        team_manager,
        risk_factors="addressed",
        recurrence="unlikely",
        confirmed_level="low",
        # Low the same day as Medium is sooner than the step rules allow.
        departure_rationale="The family court ordered the plan to move on.",
    )

    assert risk_summary(case).level == Level.LOW


def test_the_step_period_set_for_the_child_drives_the_dates(case, social_worker, team_manager):
    case.risk_step_months = 3
    case.save()
    signed_off(
        case,
        social_worker,
        team_manager,
        assessed_on=D(2025, 11, 30),
        risk_factors="addressed",
        recurrence="unlikely",
        confirmed_level="low",
    )

    assert risk_summary(case).dates.closure_from == D(2026, 2, 28)


# The case shows the current level and what follows


def test_the_case_overview_shows_the_current_level_and_what_should_follow(
    as_social_worker, case, social_worker, team_manager
):
    signed_off(case, social_worker, team_manager, assessed_on=D(2026, 1, 5))

    shown = text(as_social_worker.get(reverse("cases:overview", args=[case.pk])))

    assert '<strong class="govuk-tag govuk-tag--yellow">Medium risk</strong>' in shown
    assert "since 5 January 2026" in shown
    assert "What should follow" in shown
    assert WHAT_FOLLOWS[Level.MEDIUM] in shown
    assert "Earliest move to Low" in shown


def test_the_case_overview_says_when_nothing_is_signed_off(as_social_worker, case, social_worker):
    submitted(case, social_worker)

    shown = text(as_social_worker.get(reverse("cases:overview", args=[case.pk])))

    assert "No signed-off assessment" in shown
    assert "What should follow" not in shown


def test_the_risk_page_shows_the_dates_and_the_history_table(
    as_social_worker, case, social_worker, team_manager
):
    signed_off(
        case,
        social_worker,
        team_manager,
        assessed_on=D(2025, 8, 31),
        risk_factors="addressed",
        recurrence="unlikely",
        confirmed_level="low",
    )

    shown = text(as_social_worker.get(url("overview", case)))

    assert '<strong class="govuk-tag govuk-tag--green">Low risk</strong>' in shown
    assert "Case may close from" in shown
    assert "28 February 2026, after 6 months at Low" in shown
    assert "31 Aug 2025" in shown
    assert WHAT_FOLLOWS[Level.LOW] in shown


# What research links to breakdown, for this child


def breakdown_on(response) -> dict[str, str]:
    rows = re.findall(
        r'<dt class="govuk-summary-list__key">([^<]+)</dt>\s*'
        r'<dd class="govuk-summary-list__value"><strong class="govuk-tag [^"]+">([^<]+)</strong>',
        text(response),
    )
    return dict(rows)


BREAKDOWN_NAMES = [
    "Child over 10",
    "Previous returns home that broke down",
    "Behavioural or emotional difficulties",
    "Parental substance misuse without treatment",
    "Ambivalence about the return",
    "Family isolated",
]


@pytest.fixture
def nothing_linked_to_breakdown(case):
    """Kayla's record with none of the factors: she is 9, her earlier return did not
    break down, her mother's substance misuse is being treated."""
    case.child.date_of_birth = D(2017, 1, 5)
    case.child.save()
    case.child.previous_returns.update(came_back_into_care_on=None)
    return case


def test_the_assessment_page_shows_every_breakdown_factor_drawn_from_the_case(
    as_social_worker, nothing_linked_to_breakdown, social_worker
):
    case = nothing_linked_to_breakdown
    quiet = record(case, social_worker)
    assert breakdown_on(as_social_worker.get(url("detail", case, quiet))) == dict.fromkeys(
        BREAKDOWN_NAMES, "Not recorded"
    )

    case.child.date_of_birth = D(2014, 1, 5)
    case.child.behavioural_or_emotional_difficulties = True
    case.child.save()
    case.child.previous_returns.update(came_back_into_care_on=D(2024, 5, 1))
    case.family_isolated = True
    case.save()
    case.parental_issues.update(treatment="declined")
    worrying = record(case, social_worker, wishes="ambivalent")

    shown = as_social_worker.get(url("detail", case, worrying))
    assert breakdown_on(shown) == dict.fromkeys(BREAKDOWN_NAMES, "Present")
    assert "Kayla is 12." in text(shown)
    assert breakdown_on(as_social_worker.get(url("new", case))) == {
        **dict.fromkeys(BREAKDOWN_NAMES, "Present"),
        "Ambivalence about the return": "Not recorded",
    }


def present(case, assessment=None) -> dict[str, bool]:
    return {f.name: f.present for f in breakdown_factors(case, assessment, D(2026, 3, 10))}


@pytest.mark.parametrize(
    "born, over_ten", [(D(2015, 3, 10), True), (D(2016, 3, 11), False), (D(2017, 1, 5), False)]
)
def test_a_child_over_10_is_flagged(nothing_linked_to_breakdown, born, over_ten):
    case = nothing_linked_to_breakdown
    case.child.date_of_birth = born
    case.child.save()

    assert present(case)["Child over 10"] is over_ten


def test_a_previous_return_that_broke_down_is_flagged(nothing_linked_to_breakdown):
    case = nothing_linked_to_breakdown
    assert present(case)["Previous returns home that broke down"] is False

    case.child.previous_returns.update(came_back_into_care_on=D(2024, 5, 1))

    assert present(case)["Previous returns home that broke down"] is True


@pytest.mark.parametrize(
    "treatment, untreated",
    [
        ("not_offered", True),
        ("declined", True),
        ("waiting", True),
        ("disengaged", True),
        ("engaging", False),
        ("completed", False),
    ],
)
def test_parental_substance_misuse_without_treatment_is_flagged(
    nothing_linked_to_breakdown, treatment, untreated
):
    case = nothing_linked_to_breakdown
    case.parental_issues.update(treatment=treatment)

    assert present(case)["Parental substance misuse without treatment"] is untreated


def test_other_parental_issues_without_treatment_are_not_counted_as_substance_misuse(
    nothing_linked_to_breakdown,
):
    case = nothing_linked_to_breakdown
    ParentalIssueFactory(case=case, kind=ParentalIssueKind.MENTAL_ILL_HEALTH, treatment="declined")

    assert present(case)["Parental substance misuse without treatment"] is False


def test_ambivalence_comes_from_the_assessment(nothing_linked_to_breakdown, social_worker):
    case = nothing_linked_to_breakdown

    assert present(case, record(case, social_worker))["Ambivalence about the return"] is False
    assert (
        present(case, record(case, social_worker, wishes="ambivalent"))[
            "Ambivalence about the return"
        ]
        is True
    )


def test_isolation_and_behavioural_difficulties_come_from_the_case_record(
    nothing_linked_to_breakdown,
):
    case = nothing_linked_to_breakdown
    case.family_isolated = True
    case.save()
    case.child.behavioural_or_emotional_difficulties = True
    case.child.save()

    flags = present(case)

    assert flags["Family isolated"] is True
    assert flags["Behavioural or emotional difficulties"] is True
