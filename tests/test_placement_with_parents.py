"""Placement with Parents (regulations 17 and 18): a placement plan before the
placement, and the service director's decision on it (approve, refuse, send
back) beside the evidence; and the parts of the programme asked for "where
appropriate" (a restorative meeting, overnight stays) recorded as not
appropriate for the child, with why."""

import datetime
import html

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases.models import ChronologyEntry, Stage
from cases.services import save_record
from planning import services
from planning.models import (
    DirectWorkSession,
    FamilyTimeStep,
    NotAppropriate,
    PlacementPlan,
    PlacementWithParentsApproval,
)
from planning.selectors import planning_facts, pwp_approved
from reunification.clock import today
from reviews.journey.decisions import move_to_confirmation
from reviews.journey.rules import outstanding
from reviews.journey.selectors import case_facts, decisions_waiting
from tests.factories import journey_to, planning_records, put_on_care_order

pytestmark = pytest.mark.usefixtures("on_10_march_2026")

D = datetime.date
PLAN = {
    "lives_with": "Kayla's mother, Dawn Brightwater, and no other adult",
    "arrangements": "Kayla stays at Hillside Primary.",
    "support": "Turning Point weekly.",
    "contact": "Weekly with her brother Jordan.",
    "agreed_on": D(2026, 3, 2),
}


def text(response) -> str:
    return html.unescape(response.content.decode())


def date_input(name: str, day: datetime.date) -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def decide(case, by, outcome, reason="Every adult checked; the plan is sound.", on=None):
    return services.decide_placement_with_parents(
        case=case, by=by, outcome=outcome, decided_on=on or D(2026, 3, 9), reason=reason
    )


@pytest.fixture
def at_planning(journey_case, people):
    """Kayla at support and planning, every planning record made but the placement
    plan, on an interim care order since 1 March 2026."""
    case = journey_to(journey_case, Stage.SUPPORT_PLANNING, people=people)
    planning_records(case, team_manager=people.team_manager)
    PlacementPlan.objects.filter(case=case).delete()
    put_on_care_order(case, code="C1", on=D(2026, 3, 1))
    return case


@pytest.fixture
def with_plan(at_planning, people):
    save_record(case=at_planning, by=people.social_worker, kind="placement-plan", values=PLAN)
    return at_planning


def plan_of(case) -> PlacementPlan:
    return PlacementPlan.objects.get(case=case)


def missing(case) -> list[str]:
    return [r.key for r in outstanding(case_facts(case, today()))]


# The placement plan comes first


def test_approval_needs_a_placement_plan(at_planning, people):
    with pytest.raises(ValidationError) as refused:
        decide(at_planning, people.director, "approved")

    assert refused.value.message_dict["__all__"] == [
        "A placement with parents can be approved only on a placement plan: the social worker "
        "records it first"
    ]
    assert not PlacementWithParentsApproval.objects.filter(case=at_planning).exists()
    assert missing(at_planning) == ["placement_plan", "placement_with_parents"]


def test_the_director_may_send_it_back_without_a_plan(at_planning, people):
    decision = decide(at_planning, people.director, "sent_back", "Record the placement plan.")

    assert (decision.placement_plan, decision.plan_version) == (None, None)
    assert not pwp_approved(at_planning)


def test_a_case_has_one_placement_plan(with_plan, people):
    with pytest.raises(ValidationError, match="has a placement plan already"):
        save_record(case=with_plan, by=people.social_worker, kind="placement-plan", values=PLAN)

    assert PlacementPlan.objects.filter(case=with_plan).count() == 1


def test_an_approval_of_the_plan_meets_the_guard(with_plan, people):
    decision = decide(with_plan, people.director, "approved")

    assert (decision.placement_plan, decision.plan_version) == (plan_of(with_plan), 1)
    assert pwp_approved(with_plan)
    assert planning_facts(with_plan)["pwp_approved"] is True
    assert missing(with_plan) == []
    move_to_confirmation(case=with_plan, by=people.social_worker)
    assert ChronologyEntry.objects.filter(
        case=with_plan, description__contains="approved placing Kayla with parents"
    ).exists()


@pytest.mark.parametrize("outcome", ["refused", "sent_back"])
def test_a_refusal_or_a_plan_sent_back_does_not_meet_the_guard(with_plan, people, outcome):
    decide(with_plan, people.director, outcome, "Name who supports the mother at weekends.")

    assert not pwp_approved(with_plan)
    assert missing(with_plan) == ["placement_with_parents"]
    requirement = next(
        r for r in outstanding(case_facts(with_plan, today())) if r.key == "placement_with_parents"
    )
    assert requirement.who == "social_worker"
    assert requirement.detail.endswith(": Name who supports the mother at weekends.")
    with pytest.raises(ValidationError):
        move_to_confirmation(case=with_plan, by=people.social_worker)


def test_the_latest_decision_on_the_plan_counts(with_plan, people):
    decide(with_plan, people.director, "approved", on=D(2026, 3, 5))
    decide(with_plan, people.director, "sent_back", "Check the new partner.", on=D(2026, 3, 9))

    assert not pwp_approved(with_plan)


def test_a_plan_changed_after_approval_asks_the_director_again(with_plan, people):
    decide(with_plan, people.director, "approved")
    plan = plan_of(with_plan)
    save_record(
        case=with_plan,
        by=people.social_worker,
        kind="placement-plan",
        values={**PLAN, "contact": "Fortnightly with Jordan."},
        record_pk=plan.pk,
        version=plan.version,
    )

    assert not pwp_approved(with_plan)
    assert missing(with_plan) == ["placement_with_parents"]
    assert [w.case for w in decisions_waiting(people.director)] == [with_plan]


def test_a_plan_sent_back_waits_for_the_social_worker_then_for_the_director_again(
    client, with_plan, people
):
    assert [w.case for w in decisions_waiting(people.director)] == [with_plan]
    decide(with_plan, people.director, "sent_back", "Name who supports the mother at weekends.")

    assert decisions_waiting(people.director) == []
    client.force_login(people.social_worker)
    journey = text(client.get(reverse("reviews:journey", args=[with_plan.pk])))
    assert "Next: social worker; sent back by the service director: Name who supports" in journey
    page = text(client.get(reverse("planning:overview", args=[with_plan.pk])))
    assert "Sent back" in page
    assert "Change the placement plan as asked" in page

    plan = plan_of(with_plan)
    save_record(
        case=with_plan,
        by=people.social_worker,
        kind="placement-plan",
        values={**PLAN, "support": "Grandmother at weekends; Turning Point weekly."},
        record_pk=plan.pk,
        version=plan.version,
    )
    assert [w.case for w in decisions_waiting(people.director)] == [with_plan]


def test_a_plan_with_no_decision_waits_for_the_director_but_no_plan_does_not(at_planning, people):
    assert decisions_waiting(people.director) == []


# The decision and its reasons


@pytest.mark.parametrize(
    "outcome, message",
    [
        ("approved", "Enter the reasons for your approval"),
        ("refused", "Enter why you refused the placement with parents"),
        ("sent_back", "Enter what the social worker needs to do before you decide"),
    ],
)
def test_every_decision_needs_its_reasons(with_plan, people, outcome, message):
    with pytest.raises(ValidationError) as refused:
        decide(with_plan, people.director, outcome, reason="   ")

    assert refused.value.message_dict == {"reason": [message]}
    assert not PlacementWithParentsApproval.objects.filter(case=with_plan).exists()


@pytest.mark.parametrize("who", ["social_worker", "team_manager", "head_of_service", "iro"])
def test_only_the_service_director_decides(with_plan, people, who):
    with pytest.raises(PermissionDenied):
        decide(with_plan, getattr(people, who), "refused")

    assert not PlacementWithParentsApproval.objects.filter(case=with_plan).exists()


def test_the_decision_page_shows_the_evidence(client, with_plan, people):
    client.force_login(people.director)

    page = text(client.get(reverse("planning:pwp_approve", args=[with_plan.pk])))

    assert "C1 – Interim care order" in page
    assert "Latest signed-off risk level" in page
    assert "Medium" in page
    assert "Dawn Brightwater" in page  # the mother, with her police check
    assert "Police check" in page
    assert PLAN["lives_with"] in page
    assert PLAN["contact"] in page
    for choice in ("Approve the placement", "Refuse the placement", "Send it back"):
        assert choice in page


def test_the_decision_page_warns_when_there_is_no_plan(client, at_planning, people):
    client.force_login(people.director)

    page = text(client.get(reverse("planning:pwp_approve", args=[at_planning.pk])))

    assert "No placement plan is recorded yet" in page


def test_refusing_on_the_page_with_no_reason_shows_the_error_summary(client, with_plan, people):
    client.force_login(people.director)

    response = client.post(
        reverse("planning:pwp_approve", args=[with_plan.pk]),
        {"outcome": "refused", **date_input("decided_on", D(2026, 3, 9))},
    )

    assert response.status_code == 200
    assert "There is a problem" in text(response)
    assert not PlacementWithParentsApproval.objects.filter(case=with_plan).exists()


def test_sending_back_on_the_page_records_it(client, with_plan, people):
    client.force_login(people.director)

    response = client.post(
        reverse("planning:pwp_approve", args=[with_plan.pk]),
        {
            "outcome": "sent_back",
            "reason": "Name the weekend support.",
            **date_input("decided_on", D(2026, 3, 9)),
        },
    )

    assert response.status_code == 302
    decision = with_plan.pwp_approvals.get()
    assert (decision.outcome, decision.reason, decision.decided_by) == (
        "sent_back",
        "Name the weekend support.",
        people.director,
    )


# Not appropriate for the child, with why


def test_a_restorative_meeting_not_appropriate_for_a_baby_meets_the_guard(with_plan, people):
    DirectWorkSession.objects.filter(case=with_plan, kind="restorative_meeting").delete()
    assert "restorative_meeting" in missing(with_plan)

    record = services.record_not_appropriate(
        case=with_plan,
        by=people.social_worker,
        step="restorative_meeting",
        decided_on=D(2026, 3, 9),
        reason="Kayla is six months old.",
    )

    assert record.recorded_by == people.social_worker
    assert "restorative_meeting" not in missing(with_plan)
    assert ChronologyEntry.objects.filter(
        case=with_plan, description__contains="not appropriate for Kayla: Kayla is six months old."
    ).exists()


def test_overnight_stays_not_appropriate_meet_the_family_time_requirement(with_plan, people):
    FamilyTimeStep.objects.filter(case=with_plan).update(overnight=False)
    assert "family_time" in missing(with_plan)

    services.record_not_appropriate(
        case=with_plan,
        by=people.social_worker,
        step="overnight_stays",
        decided_on=D(2026, 3, 9),
        reason="A baby still breastfed; daytime family time lengthens instead.",
    )

    assert "family_time" not in missing(with_plan)


@pytest.mark.parametrize("reason", ["", "   ", "\n"])
def test_not_appropriate_needs_a_reason(with_plan, people, reason):
    DirectWorkSession.objects.filter(case=with_plan).delete()

    with pytest.raises(ValidationError) as refused:
        services.record_not_appropriate(
            case=with_plan,
            by=people.social_worker,
            step="restorative_meeting",
            decided_on=D(2026, 3, 9),
            reason=reason,
        )

    assert refused.value.message_dict == {
        "reason": ["Enter why a restorative meeting is not appropriate for Kayla"]
    }
    assert not NotAppropriate.objects.exists()


def test_not_appropriate_is_refused_where_it_happened(with_plan, people):
    """planning_records holds a restorative meeting on 10 March 2026."""
    with pytest.raises(ValidationError) as refused:
        services.record_not_appropriate(
            case=with_plan,
            by=people.social_worker,
            step="restorative_meeting",
            decided_on=D(2026, 3, 9),
            reason="A baby.",
        )

    assert refused.value.message_dict == {
        "__all__": ["A restorative meeting is already recorded, on 10 March 2026"]
    }


def test_not_appropriate_is_changed_not_doubled(with_plan, people):
    DirectWorkSession.objects.filter(case=with_plan).delete()
    first = services.record_not_appropriate(
        case=with_plan,
        by=people.social_worker,
        step="restorative_meeting",
        decided_on=D(2026, 3, 9),
        reason="A baby.",
    )

    services.record_not_appropriate(
        case=with_plan,
        by=people.team_manager,
        step="restorative_meeting",
        decided_on=D(2026, 3, 10),
        reason="Kayla is six months old.",
        version=first.version,
    )

    record = NotAppropriate.objects.get(case=with_plan)
    assert (record.reason, record.version) == ("Kayla is six months old.", 2)


def test_the_not_appropriate_form_shows_a_missing_reason_in_the_error_summary(
    client, with_plan, people
):
    DirectWorkSession.objects.filter(case=with_plan).delete()
    client.force_login(people.social_worker)
    address = reverse("planning:not_appropriate", args=[with_plan.pk, "restorative_meeting"])

    response = client.post(address, {**date_input("decided_on", D(2026, 3, 9)), "reason": " "})

    assert response.status_code == 200
    page = text(response)
    assert "There is a problem" in page
    assert "Enter why a restorative meeting is not appropriate for Kayla" in page
    assert not NotAppropriate.objects.exists()


def test_an_unknown_part_of_the_plan_is_not_found(client, with_plan, people):
    client.force_login(people.social_worker)

    assert (
        client.get(reverse("planning:not_appropriate", args=[with_plan.pk, "fgc"])).status_code
        == 404
    )


def test_not_appropriate_is_shown_on_the_planning_page_and_at_the_viability_meeting(
    client, with_plan, people
):
    DirectWorkSession.objects.filter(case=with_plan).delete()
    services.record_not_appropriate(
        case=with_plan,
        by=people.social_worker,
        step="restorative_meeting",
        decided_on=D(2026, 3, 9),
        reason="Kayla is six months old.",
    )
    decide(with_plan, people.director, "approved")
    move_to_confirmation(case=with_plan, by=people.social_worker)
    client.force_login(people.team_manager)

    planning_page = text(client.get(reverse("planning:overview", args=[with_plan.pk])))
    meeting_page = text(client.get(reverse("reviews:meeting", args=[with_plan.pk])))

    for page in (planning_page, meeting_page):
        assert "Not appropriate" in page
        assert "Kayla is six months old." in page
    assert "Not appropriate for Kayla" in meeting_page
