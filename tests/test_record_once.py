"""Nothing typed twice: the ratifying review recorded with the ratification, the
forms that start from what the case knows, and pickers that offer only the
people who may be named."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import policy
from cases.models import Role
from planning.selectors import known_invitees
from reviews.aftercare import statutory
from reviews.aftercare.forms import ReviewForm
from reviews.aftercare.return_home import return_home_offer
from reviews.journey import decisions
from reviews.journey.forms import ViabilityConsultationForm, ViabilityMeetingForm
from reviews.models import CarePlanApproval, Review, ReviewType, ViabilityConsultation
from risk.models import ParentViews
from tests.factories import FamilyMemberFactory, put_on_care_order

D = datetime.date
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(datetime.datetime(2026, 3, 10, 12, tzinfo=LONDON)):
        yield


def agreed(case, people):
    for by, step in ((people.team_manager, "confirmed"), (people.head_of_service, "agreed")):
        decisions.approve_care_plan(case=case, by=by, step=step, approved_on=D(2026, 3, 9))


# Ratifying at a Child in Care review records the review -------------------------


def test_ratifying_at_a_review_records_that_review(journey_case, people):
    agreed(journey_case, people)

    decisions.approve_care_plan(
        case=journey_case,
        by=people.iro,
        step="ratified",
        approved_on=D(2026, 3, 9),
        cic_review_on=D(2026, 3, 9),
        cic_review_attended="Kayla, her mother, the social worker",
    )

    review = Review.objects.get(case=journey_case, held_on=D(2026, 3, 9))
    assert review.review_type == ReviewType.CHILD_IN_CARE
    assert review.chair == people.iro
    assert review.attended == "Kayla, her mother, the social worker"
    assert review.reunification_considered is True


def test_ratifying_at_a_review_already_recorded_links_to_it(journey_case, people):
    agreed(journey_case, people)
    statutory.record_review(
        case=journey_case,
        by=people.iro,
        held_on=D(2026, 3, 9),
        review_type=ReviewType.CHILD_IN_CARE,
        chair=people.iro,
        attended="Everyone",
        outcome="Plan discussed.",
        reunification_considered=True,
        reunification_outcome="Reunification is the plan.",
    )

    decisions.approve_care_plan(
        case=journey_case,
        by=people.iro,
        step="ratified",
        approved_on=D(2026, 3, 9),
        cic_review_on=D(2026, 3, 9),
        cic_review_attended="",
    )

    assert Review.objects.filter(case=journey_case, held_on=D(2026, 3, 9)).count() == 1


def test_ratifying_at_an_unrecorded_review_asks_who_attended_and_saves_nothing(
    journey_case, people
):
    agreed(journey_case, people)

    with pytest.raises(ValidationError) as refused:
        decisions.approve_care_plan(
            case=journey_case,
            by=people.iro,
            step="ratified",
            approved_on=D(2026, 3, 9),
            cic_review_on=D(2026, 3, 9),
            cic_review_attended=" ",
        )

    assert refused.value.message_dict == {
        "cic_review_attended": ["Enter who attended the Child in Care review"]
    }
    assert not CarePlanApproval.objects.filter(case=journey_case, step="ratified").exists()
    assert not Review.objects.filter(case=journey_case, held_on=D(2026, 3, 9)).exists()


def test_the_ratify_page_records_the_review(client, journey_case, people):
    agreed(journey_case, people)
    client.force_login(people.iro)

    response = client.post(
        reverse("reviews:approve", args=[journey_case.pk, "ratified"]),
        {
            "approved_on_0": "9",
            "approved_on_1": "3",
            "approved_on_2": "2026",
            "cic_review_on_0": "9",
            "cic_review_on_1": "3",
            "cic_review_on_2": "2026",
            "cic_review_attended": "Kayla and her mother",
        },
    )

    assert response.status_code == 302
    assert Review.objects.get(case=journey_case).attended == "Kayla and her mother"


# The parents' views: a row for each parent ---------------------------------------


def test_the_parents_views_page_offers_a_row_for_each_parent_not_yet_heard(
    client, journey_case, social_worker
):
    dawn = journey_case.family_members.get(name="Dawn Brightwater")
    dawn.has_parental_responsibility = True
    dawn.save()
    lee = FamilyMemberFactory(
        case=journey_case,
        name="Lee Brightwater",
        relationship="Father",
        has_parental_responsibility=True,
    )
    FamilyMemberFactory(case=journey_case, name="Gran", relationship="Grandmother")
    url = reverse("cases:add_several", args=[journey_case.pk, "parent-views"])
    client.force_login(social_worker)

    page = client.get(url)
    assert page.status_code == 200
    rows = [form["parent"].value() for form in page.context["forms"]]
    assert rows == [dawn.pk, lee.pk]

    # Only Dawn's row is filled in: Lee's, left as offered, is not saved.
    response = client.post(
        url,
        {
            "rows": "2",
            "row-0-parent": dawn.pk,
            "row-0-recorded_on_0": "4",
            "row-0-recorded_on_1": "3",
            "row-0-recorded_on_2": "2026",
            "row-0-views": "I want her home.",
            "row-0-advocate": "declined",
            "row-0-advocate_offered_on_0": "4",
            "row-0-advocate_offered_on_1": "3",
            "row-0-advocate_offered_on_2": "2026",
            "row-1-parent": lee.pk,
        },
    )

    assert response.status_code == 302
    assert list(ParentViews.objects.filter(case=journey_case).values_list("parent", flat=True)) == [
        dawn.pk
    ]
    again = client.get(url)
    assert [form["parent"].value() for form in again.context["forms"]] == [lee.pk]


@pytest.mark.parametrize("who", ["iro", "outsider", "head_of_service"])
def test_only_those_who_change_the_case_open_the_parents_views_page(
    client, journey_case, who, request
):
    client.force_login(request.getfixturevalue(who))

    response = client.get(reverse("cases:add_several", args=[journey_case.pk, "parent-views"]))

    assert response.status_code in (403, 404)


def test_her_team_manager_opens_the_parents_views_page(client, journey_case, team_manager):
    client.force_login(team_manager)

    response = client.get(reverse("cases:add_several", args=[journey_case.pk, "parent-views"]))

    assert response.status_code == 200


# Forms that start from what the case knows ---------------------------------------


def test_the_planning_meeting_starts_from_the_case_people(journey_case, people):
    dawn = journey_case.family_members.get(name="Dawn Brightwater")
    dawn.has_parental_responsibility = True
    dawn.save()
    placement = journey_case.child.placements.get()

    names = known_invitees(journey_case, D(2026, 3, 10))

    assert names["child"] == "Kayla Brightwater"
    assert names["parent"] == "Dawn Brightwater"
    assert placement.carer in names.values()
    assert names["iro"] == people.iro.get_full_name()
    assert names["social_worker"] == people.social_worker.get_full_name()


def test_the_planning_meeting_page_ticks_the_known_people_as_invited(
    client, journey_case, social_worker
):
    client.force_login(social_worker)

    page = client.get(reverse("planning:add_meeting", args=[journey_case.pk]))

    rows = {form["kind"].value(): form for form in page.context["invitees"].forms}
    assert rows["child"]["name"].value() == "Kayla Brightwater"
    assert rows["child"]["invited"].value() is True
    assert not rows["advocate"]["invited"].value()


def test_the_return_home_form_offers_the_household_adults_and_the_care_order(journey_case, people):
    dawn = journey_case.family_members.get(name="Dawn Brightwater")
    dawn.has_parental_responsibility = True
    dawn.save()
    FamilyMemberFactory(
        case=journey_case,
        name="Lee Brightwater",
        relationship="Father",
        has_parental_responsibility=True,
    )
    FamilyMemberFactory(
        case=journey_case,
        name="Away Dad",
        relationship="Father",
        has_parental_responsibility=True,
        lives_in_household=False,
    )
    put_on_care_order(journey_case, code="C2", on=D(2026, 3, 1))

    offer = return_home_offer(journey_case, D(2026, 3, 10))

    assert offer["returned_to"] == "Dawn Brightwater and Lee Brightwater"
    assert offer["legal_status_after"] == "care_order"


def test_the_viability_meeting_starts_from_the_consultation_participants(
    journey_case, people, colleague
):
    ViabilityConsultation.objects.create(
        case=journey_case,
        held_on=D(2026, 3, 6),
        outcome="suited",
        rationale="Suited.",
        social_worker=colleague,
        team_manager=people.team_manager,
        head_of_service=people.head_of_service,
        iro=people.iro,
        decided_by=people.team_manager,
        role=Role.TEAM_MANAGER,
        decided_at=datetime.datetime(2026, 3, 6, 12, tzinfo=LONDON),
    )

    form = ViabilityMeetingForm(case=journey_case)

    assert form.fields["social_worker"].initial == colleague.pk
    assert form.fields["iro"].initial == people.iro.pk


# Pickers offer only those who may be named ----------------------------------------


def test_the_participant_pickers_offer_only_the_case_team_and_its_iro(
    journey_case, people, colleague, outsider, south_manager, other_iro
):
    form = ViabilityConsultationForm(case=journey_case)

    social_workers = set(form.fields["social_worker"].queryset)
    assert {people.social_worker, colleague} <= social_workers
    assert outsider not in social_workers
    assert south_manager not in set(form.fields["team_manager"].queryset)
    assert set(form.fields["iro"].queryset) == {people.iro}
    assert other_iro not in set(form.fields["iro"].queryset)
    assert set(form.fields["head_of_service"].queryset) == {people.head_of_service}


def test_a_participant_from_another_team_is_refused(journey_case, people, outsider):
    assert policy.may_take_part_as(people.social_worker, journey_case, Role.SOCIAL_WORKER)
    assert not policy.may_take_part_as(outsider, journey_case, Role.SOCIAL_WORKER)
    assert not policy.may_take_part_as(people.team_manager, journey_case, Role.SOCIAL_WORKER)


def test_the_review_chair_picker_offers_the_case_iro_and_its_team(
    journey_case, people, outsider, south_manager, other_iro
):
    form = ReviewForm(case=journey_case)

    chairs = set(form.fields["chair"].queryset)
    assert {people.iro, people.social_worker, people.team_manager} <= chairs
    assert not chairs & {outsider, south_manager, other_iro}
    assert form.fields["chair"].initial == people.iro.pk
    assert form.fields["review_type"].initial == ReviewType.CHILD_IN_CARE


def test_a_review_chaired_by_another_team_is_refused(journey_case, people, outsider):
    with pytest.raises(ValidationError) as refused:
        statutory.record_review(
            case=journey_case,
            by=people.social_worker,
            held_on=D(2026, 3, 9),
            review_type=ReviewType.CHILD_IN_NEED,
            chair=outsider,
            attended="Everyone",
            outcome="Fine.",
        )

    assert "chair" in refused.value.message_dict
    assert not Review.objects.filter(case=journey_case).exists()


# A reassessment starts from the last one's factor statuses -----------------------


def test_a_new_risk_assessment_starts_each_factor_at_its_last_signed_off_status(
    client, journey_case, people
):
    from tests.factories import signed_off_risk_assessment

    signed_off_risk_assessment(
        journey_case, author=people.social_worker, manager=people.team_manager
    )
    client.force_login(people.social_worker)

    page = client.get(reverse("risk:new", args=[journey_case.pk]))

    rows = {form["factor"].value(): form for form in page.context["factors"].forms}
    assert rows["substance_misuse"]["status"].value() == "being_addressed"
    assert not rows["domestic_abuse"]["status"].value()


def test_a_first_risk_assessment_starts_with_no_factor_statuses(
    client, journey_case, social_worker
):
    client.force_login(social_worker)

    page = client.get(reverse("risk:new", args=[journey_case.pk]))

    assert not any(form["status"].value() for form in page.context["factors"].forms)


# The services of the plan, several on one page ------------------------------------


def test_services_are_added_several_at_once(client, journey_case, social_worker):
    from planning.models import SupportService

    client.force_login(social_worker)
    url = reverse("cases:add_several", args=[journey_case.pk, "support-service"])
    before = SupportService.objects.filter(case=journey_case).count()
    row = {"starts_on_0": "12", "starts_on_1": "3", "starts_on_2": "2026", "timing": "both"}

    response = client.post(
        url,
        {
            "rows": "2",
            **{f"row-0-{k}": v for k, v in {**row, "kind": "service", "provider": "A"}.items()},
            **{
                f"row-1-{k}": v
                for k, v in {**row, "kind": "team_around_child", "provider": "B"}.items()
            },
        },
    )

    assert response.status_code == 302
    assert SupportService.objects.filter(case=journey_case).count() == before + 2


@pytest.mark.parametrize("who", ["iro", "outsider"])
def test_only_those_who_change_the_case_add_services(client, journey_case, who, request):
    client.force_login(request.getfixturevalue(who))

    response = client.get(reverse("cases:add_several", args=[journey_case.pk, "support-service"]))

    assert response.status_code in (403, 404)


def test_a_new_household_member_starts_as_living_in_the_household(
    client, journey_case, social_worker
):
    client.force_login(social_worker)
    url = reverse("cases:add_several", args=[journey_case.pk, "household-member"])

    page = client.get(url)
    another = client.post(
        url, {"rows": "1", "row-0-name": "Lee", "row-0-relationship": "Father", "add_another": ""}
    )

    assert page.context["forms"][0]["lives_in_household"].value() is True
    first, second = another.context["forms"]
    assert first["name"].value() == "Lee"
    assert second["lives_in_household"].value() is True


# A sibling living at home is one person --------------------------------------------


@pytest.mark.parametrize(
    "relationship, sibling",
    [
        ("Brother", True),
        ("half-sister", True),
        ("Step-brother", True),
        ("Sibling", True),
        ("Mother", False),
        ("Sister-in-law's partner", True),
        ("Grandmother", False),
    ],
)
def test_which_relationships_make_a_sibling(relationship, sibling):
    from cases.rules import is_sibling

    assert is_sibling(relationship) is sibling


def test_a_brother_at_home_is_recorded_once_and_shown_among_the_siblings(
    client, journey_case, social_worker
):
    from cases.services import save_record

    FamilyMemberFactory(case=journey_case, name="Leo Brightwater", relationship="Brother")
    client.force_login(social_worker)

    page = client.get(reverse("cases:overview", args=[journey_case.pk]))

    assert [m.name for m in page.context["siblings_at_home"]] == ["Leo Brightwater"]
    with pytest.raises(ValidationError) as refused:
        save_record(
            case=journey_case,
            by=social_worker,
            kind="sibling",
            values={"name": "leo brightwater", "living_arrangement": "at_home"},
        )
    assert "recorded in the household" in refused.value.message_dict["name"][0]
    # Placed elsewhere, a sibling is not in the household: recorded as a sibling.
    save_record(
        case=journey_case,
        by=social_worker,
        kind="sibling",
        values={"name": "Amy Brightwater", "living_arrangement": "placed_elsewhere"},
    )
