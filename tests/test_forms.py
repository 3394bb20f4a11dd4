"""Bad input posted through the pages, as a social worker would type it.

Every refusal shows the GOV.UK error summary ("There is a problem") with a message
naming what is wrong, saves nothing, and keeps what was typed.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils.html import escape

from cases.models import (
    Child,
    FamilyMember,
    Placement,
    PoliceCheck,
    ReunificationCase,
    Role,
    Stage,
)
from tests.factories import PlacementFactory

pytestmark = pytest.mark.usefixtures("on_10_march_2026")

D = datetime.date


def date_input(name: str, day: datetime.date | tuple[str, str, str] | None) -> dict[str, str]:
    """A GOV.UK date input as the browser posts it: day, month and year fields."""
    if day is None:
        parts = ("", "", "")
    elif isinstance(day, tuple):
        parts = day
    else:
        parts = (str(day.day), str(day.month), str(day.year))
    return {f"{name}_{i}": part for i, part in enumerate(parts)}


def add_url(case, kind: str) -> str:
    return reverse("cases:add_record", args=[case.pk, kind])


def assert_problem(response, *messages: str) -> None:
    """The page is shown again with an error summary listing each message."""
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'class="govuk-error-summary' in html
    for message in messages:
        assert escape(message) in html, f"{message!r} not on the page"


@pytest.fixture
def signed_in(client, social_worker):
    client.force_login(social_worker)
    return client


# Required fields


def test_a_placement_without_its_details_is_refused_naming_each_field(signed_in, case):
    before = Placement.objects.count()

    response = signed_in.post(
        add_url(case, "placement"),
        {"placement_type": "", "carer": "", **date_input("start_date", None)},
    )

    assert_problem(
        response, "Select the placement type", "Enter the carer or provider", "Enter the start date"
    )
    assert Placement.objects.count() == before


def test_a_household_member_without_name_or_relationship_is_refused(signed_in, case):
    before = FamilyMember.objects.count()

    response = signed_in.post(add_url(case, "household-member"), {"age_when_recorded": "40"})

    assert_problem(
        response, "Enter the person's name", "Enter the person's relationship to the child"
    )
    assert FamilyMember.objects.count() == before


def test_a_chronology_entry_without_a_description_is_refused(signed_in, case):
    before = case.chronology.count()

    response = signed_in.post(
        add_url(case, "chronology"),
        {"kind": "relapse", "source": "Health visitor", **date_input("occurred_on", D(2026, 3, 1))},
    )

    assert_problem(response, "Describe what happened")
    assert case.chronology.count() == before
    assert 'value="Health visitor"' in response.content.decode()


def test_what_was_typed_is_kept_when_the_form_is_shown_again(signed_in, case):
    response = signed_in.post(
        add_url(case, "placement"),
        {"placement_type": "U3", "carer": "Nana Jones", **date_input("start_date", None)},
    )

    assert_problem(response, "Enter the start date")
    html = response.content.decode()
    assert 'value="Nana Jones"' in html
    assert '<option value="U3" selected>' in html


# Dates


def test_a_date_that_does_not_exist_is_refused(signed_in, case):
    before = Placement.objects.count()

    response = signed_in.post(
        add_url(case, "placement"),
        {
            "placement_type": "U6",
            "carer": "Nana Jones",
            **date_input("start_date", ("31", "2", "2024")),
        },
    )

    assert_problem(response, "Start date must be a real date")
    assert Placement.objects.count() == before
    html = response.content.decode()
    assert 'value="31"' in html and 'value="2024"' in html


def test_a_date_in_words_is_refused(signed_in, case):
    response = signed_in.post(
        add_url(case, "placement"),
        {
            "placement_type": "U6",
            "carer": "Nana Jones",
            **date_input("start_date", ("1", "March", "2026")),
        },
    )

    assert_problem(response)
    assert not Placement.objects.filter(carer="Nana Jones").exists()


def test_a_date_before_1900_is_refused(signed_in, case):
    response = signed_in.post(
        add_url(case, "household-member"),
        {
            "name": "Great Gran",
            "relationship": "Great grandmother",
            **date_input("date_of_birth", ("1", "1", "1899")),
        },
    )

    assert_problem(response, "must be after 1900")


def test_a_future_date_is_refused_where_it_must_have_happened(signed_in, case):
    response = signed_in.post(
        add_url(case, "placement"),
        {"placement_type": "U6", "carer": "Nana Jones", **date_input("start_date", D(2026, 3, 11))},
    )

    assert_problem(response, "Start date must be today or in the past")
    assert not Placement.objects.filter(carer="Nana Jones").exists()


def test_today_is_not_in_the_future(signed_in, case, social_worker):
    response = signed_in.post(
        add_url(case, "chronology"),
        {
            "kind": "event",
            "description": "Family time went well",
            **date_input("occurred_on", D(2026, 3, 10)),
        },
    )

    assert response.status_code == 302
    assert case.chronology.filter(description="Family time went well").exists()


def test_a_reallocation_from_today_hands_over_the_case(client, case, team_manager, colleague):
    client.force_login(team_manager)

    response = client.post(
        reverse("cases:allocate", args=[case.pk]),
        {
            "role": Role.SOCIAL_WORKER,
            "user": colleague.pk,
            **date_input("start_date", D(2026, 3, 10)),
        },
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.social_worker == colleague


def test_a_reallocation_from_next_month_does_not_hand_over_the_case_today(
    client, case, team_manager, social_worker, colleague
):
    """Sarah keeps the case, and the right to change it, until Colin starts."""
    client.force_login(team_manager)

    client.post(
        reverse("cases:allocate", args=[case.pk]),
        {
            "role": Role.SOCIAL_WORKER,
            "user": colleague.pk,
            **date_input("start_date", D(2026, 4, 1)),
        },
    )

    case.refresh_from_db()
    assert case.social_worker == social_worker


def test_allocating_someone_without_the_role_is_refused_on_the_page(
    client, case, team_manager, iro
):
    client.force_login(team_manager)

    response = client.post(
        reverse("cases:allocate", args=[case.pk]),
        {"role": Role.SOCIAL_WORKER, "user": iro.pk, **date_input("start_date", D(2026, 3, 10))},
    )

    assert_problem(response, "Ian Rowe does not hold the role of social worker")
    assert not case.allocations.filter(role=Role.SOCIAL_WORKER, user=iro).exists()


def test_a_partly_entered_optional_date_is_refused_not_dropped(signed_in, case):
    """An end date typed without its month must not save an open-ended placement."""
    placement = Placement.objects.get(child=case.child)

    response = signed_in.post(
        reverse("cases:edit_record", args=[case.pk, "placement", placement.pk]),
        {
            "placement_type": placement.placement_type,
            "carer": placement.carer,
            **date_input("start_date", placement.start_date),
            **date_input("end_date", ("1", "", "2026")),
        },
    )

    assert_problem(response)
    assert response.context["form"].errors["end_date"]
    placement.refresh_from_db()
    assert placement.end_date is None


# Periods


def test_an_overlapping_placement_is_refused_naming_the_other_placements_dates(signed_in, case):
    existing = Placement.objects.get(child=case.child)
    existing.end_date = D(2026, 1, 31)
    existing.save()

    response = signed_in.post(
        add_url(case, "placement"),
        {"placement_type": "U3", "carer": "Nana Jones", **date_input("start_date", D(2026, 1, 15))},
    )

    assert_problem(
        response,
        f"This placement overlaps the placement from {existing.start_date:%-d %B %Y} "
        "to 31 January 2026",
    )
    assert case.child.placements.count() == 1


def test_a_placement_overlapping_one_still_running_says_it_runs_to_now(signed_in, case):
    existing = Placement.objects.get(child=case.child)

    response = signed_in.post(
        add_url(case, "placement"),
        {"placement_type": "U3", "carer": "Nana Jones", **date_input("start_date", D(2026, 3, 1))},
    )

    assert_problem(
        response,
        f"This placement overlaps the placement from {existing.start_date:%-d %B %Y} to now",
    )


def test_a_placement_starting_the_day_the_last_ended_is_accepted(signed_in, case):
    existing = Placement.objects.get(child=case.child)
    existing.end_date = D(2026, 2, 1)
    existing.save()

    response = signed_in.post(
        add_url(case, "placement"),
        {"placement_type": "P1", "carer": "Mother", **date_input("start_date", D(2026, 2, 1))},
    )

    assert response.status_code == 302
    assert response.url == reverse("cases:overview", args=[case.pk]) + "#legal"
    assert case.child.placements.count() == 2


def test_editing_a_placement_does_not_clash_with_itself(signed_in, case):
    existing = Placement.objects.get(child=case.child)

    response = signed_in.post(
        reverse("cases:edit_record", args=[case.pk, "placement", existing.pk]),
        {
            "placement_type": "U4",
            "carer": existing.carer,
            **date_input("start_date", existing.start_date),
            "version": existing.version,
        },
    )

    assert response.status_code == 302
    existing.refresh_from_db()
    assert existing.placement_type == "U4"


def test_a_placement_ending_before_it_starts_is_refused(signed_in, case):
    existing = Placement.objects.get(child=case.child)

    response = signed_in.post(
        reverse("cases:edit_record", args=[case.pk, "placement", existing.pk]),
        {
            "placement_type": existing.placement_type,
            "carer": existing.carer,
            **date_input("start_date", existing.start_date),
            **date_input("end_date", existing.start_date - datetime.timedelta(days=1)),
            "version": existing.version,
        },
    )

    assert_problem(response, "The end date must be on or after the start date")
    existing.refresh_from_db()
    assert existing.end_date is None


def test_placements_of_another_child_do_not_count_as_overlapping(signed_in, case):
    PlacementFactory(start_date=D(2026, 1, 1))
    Placement.objects.filter(child=case.child).update(end_date=D(2025, 12, 1))

    response = signed_in.post(
        add_url(case, "placement"),
        {"placement_type": "U3", "carer": "Nana Jones", **date_input("start_date", D(2026, 1, 1))},
    )

    assert response.status_code == 302


# Police checks and the household


@pytest.fixture
def mother(case):
    return case.family_members.get(name="Dawn Brightwater")


def test_a_police_check_with_an_outcome_but_no_return_date_is_refused(signed_in, case, mother):
    before = PoliceCheck.objects.count()

    response = signed_in.post(
        add_url(case, "police-check"),
        {
            "member": mother.pk,
            "outcome": "no_trace",
            **date_input("requested_on", D(2026, 2, 1)),
            **date_input("returned_on", None),
        },
    )

    assert_problem(response, "Enter the date the check was returned")
    assert PoliceCheck.objects.count() == before


def test_a_police_check_returned_without_an_outcome_is_refused(signed_in, case, mother):
    response = signed_in.post(
        add_url(case, "police-check"),
        {
            "member": mother.pk,
            **date_input("requested_on", D(2026, 2, 1)),
            **date_input("returned_on", D(2026, 2, 20)),
        },
    )

    assert_problem(response, "Select the outcome of the returned check")


def test_a_police_check_returned_before_it_was_requested_is_refused(signed_in, case, mother):
    response = signed_in.post(
        add_url(case, "police-check"),
        {
            "member": mother.pk,
            "outcome": "no_trace",
            **date_input("requested_on", D(2026, 2, 1)),
            **date_input("returned_on", D(2026, 1, 20)),
        },
    )

    assert_problem(response, "The check cannot be returned before it was requested")


def test_a_police_check_is_only_for_someone_in_this_case(signed_in, case, south_manager):
    from tests.factories import FamilyMemberFactory, open_case

    stranger = FamilyMemberFactory(case=open_case(team_manager=south_manager))

    response = signed_in.post(
        add_url(case, "police-check"),
        {"member": stranger.pk, **date_input("requested_on", D(2026, 2, 1))},
    )

    assert_problem(response, "Select a valid choice")
    assert not stranger.police_checks.exists()


def test_a_household_member_needs_a_date_of_birth_or_an_age(signed_in, case):
    before = FamilyMember.objects.count()

    response = signed_in.post(
        add_url(case, "household-member"),
        {"name": "Gary Holt", "relationship": "Mother's partner", "lives_in_household": "on"},
    )

    assert_problem(response, "Enter a date of birth or an age")
    assert FamilyMember.objects.count() == before
    html = response.content.decode()
    assert 'value="Gary Holt"' in html
    assert 'value="Mother&#x27;s partner"' in html


def test_a_household_member_with_only_an_age_is_recorded_today(signed_in, case):
    response = signed_in.post(
        add_url(case, "household-member"),
        {
            "name": "Gary Holt",
            "relationship": "Mother's partner",
            "age_when_recorded": "34",
            "lives_in_household": "on",
        },
    )

    assert response.status_code == 302
    gary = case.family_members.get(name="Gary Holt")
    assert (gary.age_when_recorded, gary.recorded_on) == (34, D(2026, 3, 10))


# The case and the child


def case_details(**changes):
    data = {
        "version": "1",  # the case as the page showed it
        **date_input("became_looked_after_on", D(2025, 6, 1)),
        **date_input("reunification_first_considered_on", D(2025, 9, 1)),
        "category_of_need": "N1",
        "abuse_category": "neglect",
        "reason_for_care_notes": "Neglect at home",
        "risk_step_months": "6",
    }
    data.update(changes)
    return data


def test_reunification_cannot_be_considered_before_the_child_became_looked_after(signed_in, case):
    response = signed_in.post(
        reverse("cases:edit_case", args=[case.pk]),
        case_details(**date_input("reunification_first_considered_on", D(2025, 5, 31))),
    )

    assert_problem(
        response, "Reunification cannot be considered before the child became looked after"
    )
    case.refresh_from_db()
    assert case.reunification_first_considered_on is None


def test_the_case_details_are_saved(signed_in, case):
    response = signed_in.post(reverse("cases:edit_case", args=[case.pk]), case_details())

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.became_looked_after_on == D(2025, 6, 1)
    assert case.reunification_first_considered_on == D(2025, 9, 1)


def child_details(prefix: str = "", **changes) -> dict[str, str]:
    data = {
        "version": "1",  # the child as the page showed it
        "first_name": "Kayla",
        "last_name": "Brightwater",
        **date_input("date_of_birth", D(2016, 5, 4)),
        "sex": "F",
        "ethnicity": "WBRI",
        "local_identifier": "N123456",
        "nhs_number": "",
    }
    data.update(changes)
    return {f"{prefix}{name}": value for name, value in data.items()}


def test_another_childs_identifier_is_refused(signed_in, case):
    from tests.factories import ChildFactory

    ChildFactory(local_identifier="N999999")

    response = signed_in.post(
        reverse("cases:edit_child", args=[case.pk]), child_details(local_identifier="N999999")
    )

    assert_problem(response, "Another child already has this local identifier")


def test_an_nhs_number_failing_its_check_digit_is_refused(signed_in, case):
    response = signed_in.post(
        reverse("cases:edit_child", args=[case.pk]), child_details(nhs_number="9434765918")
    )

    assert_problem(response, "Enter a valid NHS number; this one fails its check digit")


def test_a_valid_nhs_number_is_saved(signed_in, case):
    response = signed_in.post(
        reverse("cases:edit_child", args=[case.pk]), child_details(nhs_number="9434765919")
    )

    assert response.status_code == 302
    assert Child.objects.get(pk=case.child_id).nhs_number == "9434765919"


def test_the_childs_missing_name_is_named_in_the_error(signed_in, case):
    response = signed_in.post(
        reverse("cases:edit_child", args=[case.pk]), child_details(first_name="")
    )

    assert_problem(response, "Enter the child's first name")
    assert Child.objects.get(pk=case.child_id).first_name == "Kayla"


# Opening a case: the child and the case in one submission


@pytest.fixture
def manager(client, team_manager):
    client.force_login(team_manager)
    return client


def new_case_form(social_worker, iro, **child_changes):
    child = {"local_identifier": "N777777", "first_name": "Mia", **child_changes}
    return {
        **child_details("child-", **child),
        **case_details(),
        "social_worker": social_worker.pk,
        "iro": iro.pk,
    }


def test_a_team_manager_opens_a_case_for_a_new_child(
    manager, everyone, social_worker, iro, team_manager, head_of_service
):
    response = manager.post(reverse("cases:new"), new_case_form(social_worker, iro))

    case = ReunificationCase.objects.get(child__local_identifier="N777777")
    assert response.status_code == 302
    assert response.url == reverse("cases:overview", args=[case.pk])
    assert case.child.first_name == "Mia"
    assert case.stage == Stage.IDENTIFICATION
    assert case.became_looked_after_on == D(2025, 6, 1)
    assert (case.social_worker, case.team_manager, case.iro, case.head_of_service) == (
        social_worker,
        team_manager,
        iro,
        head_of_service,
    )


def test_a_child_already_in_care_brings_her_legal_status_and_placement(
    manager, everyone, social_worker, iro
):
    data = {
        **new_case_form(social_worker, iro),
        "legal_status_code": "C1",
        "placement_type": "U4",
        "carer": "Mr and Mrs Lane",
    }

    response = manager.post(reverse("cases:new"), data)

    assert response.status_code == 302
    child = ReunificationCase.objects.get(child__local_identifier="N777777").child
    assert list(child.legal_statuses.values_list("code", "start_date")) == [("C1", D(2025, 6, 1))]
    assert list(child.placements.values_list("placement_type", "carer", "start_date")) == [
        ("U4", "Mr and Mrs Lane", D(2025, 6, 1))
    ]


def test_a_placement_without_its_carer_opens_nothing(manager, everyone, social_worker, iro):
    cases = ReunificationCase.objects.count()
    data = {**new_case_form(social_worker, iro), "placement_type": "U4"}

    response = manager.post(reverse("cases:new"), data)

    assert response.status_code == 200
    assert "Enter the carer or provider of the placement" in response.content.decode()
    assert ReunificationCase.objects.count() == cases


def test_an_invalid_child_opens_nothing(manager, everyone, social_worker, iro):
    children, cases = Child.objects.count(), ReunificationCase.objects.count()

    response = manager.post(
        reverse("cases:new"), new_case_form(social_worker, iro, first_name="", sex="")
    )

    assert_problem(response, "Enter the child's first name", "Select the child's sex")
    assert (Child.objects.count(), ReunificationCase.objects.count()) == (children, cases)
    assert 'value="N777777"' in response.content.decode()


def test_an_invalid_case_opens_nothing(manager, everyone, social_worker, iro):
    children = Child.objects.count()
    data = new_case_form(social_worker, iro)
    del data["social_worker"]
    data.update(date_input("became_looked_after_on", ("31", "2", "2025")))

    response = manager.post(reverse("cases:new"), data)

    assert_problem(
        response,
        "Select the social worker for this case",
        "looked after must be a real date",
    )
    assert Child.objects.count() == children


def test_a_social_worker_from_another_team_cannot_be_chosen(manager, everyone, outsider, iro):
    response = manager.post(reverse("cases:new"), new_case_form(outsider, iro))

    assert_problem(response, "Select a valid choice")
    assert not Child.objects.filter(local_identifier="N777777").exists()


def test_only_team_managers_may_open_cases(client, everyone, social_worker, iro):
    client.force_login(social_worker)

    response = client.post(reverse("cases:new"), new_case_form(social_worker, iro))

    assert response.status_code == 403
    assert not Child.objects.filter(local_identifier="N777777").exists()


# Opening a repeat case for a child whose earlier case closed


def close(case) -> None:
    case.stage, case.closed_on = Stage.CLOSED, D(2026, 3, 10)
    case.save()


def test_a_repeat_case_is_opened_for_the_same_child_and_linked(manager, case, social_worker, iro):
    close(case)
    data = {**case_details(), "social_worker": social_worker.pk, "iro": iro.pk}

    response = manager.post(f"{reverse('cases:new')}?after={case.pk}", data)

    repeat = case.child.cases.exclude(pk=case.pk).get()
    assert response.url == reverse("cases:overview", args=[repeat.pk])
    assert repeat.previous_case == case
    assert Child.objects.count() == 1


def test_no_repeat_case_while_the_earlier_one_is_open(manager, case, social_worker, iro):
    data = {**case_details(), "social_worker": social_worker.pk, "iro": iro.pk}

    response = manager.post(f"{reverse('cases:new')}?after={case.pk}", data)

    assert_problem(response, "already has an open reunification case")
    assert case.child.cases.count() == 1


def test_a_repeat_case_needs_sight_of_the_earlier_one(client, case, south_manager):
    close(case)
    client.force_login(south_manager)

    response = client.get(f"{reverse('cases:new')}?after={case.pk}")

    assert response.status_code == 404
    assert "Brightwater" not in response.content.decode()
