"""The one way in for the records of a case: cases.services.save_record and its
siblings, called with plain values, keep every rule the pages keep, in the same
words and on the same fields, and refuse whoever may not change the case."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases import services
from cases.forms import STALE_RECORD_MESSAGE
from cases.models import (
    CategoryOfNeed,
    Child,
    ChronologyKind,
    Ethnicity,
    FamilyMember,
    LegalStatusCode,
    ParentalIssueKind,
    Placement,
    PlacementType,
    PoliceCheckOutcome,
    ReasonEpisodeCeased,
    ReunificationCase,
    Role,
    Sex,
    Stage,
    StaleRecord,
    TreatmentUptake,
)
from tests.factories import FamilyMemberFactory, PlacementFactory, open_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_10_march_2026")]

D = datetime.date


@pytest.fixture
def fresh(everyone, team_manager, social_worker):
    """A case whose child has no records yet."""
    return open_case(team_manager=team_manager, social_worker=social_worker)


def placement(case, by, start, end=None, **more):
    values = {
        "placement_type": PlacementType.U6,
        "carer": "Mr and Mrs Foster",
        "start_date": start,
        "end_date": end,
        **more,
    }
    return services.save_record(case=case, by=by, kind="placement", values=values)


def messages(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict


# Periods: ends after it starts, overlaps none of the child's others


def test_an_overlapping_placement_is_refused_naming_the_other(fresh, social_worker):
    placement(fresh, social_worker, D(2025, 1, 1), D(2025, 6, 1))

    with pytest.raises(ValidationError) as refused:
        placement(fresh, social_worker, D(2025, 5, 31), D(2025, 9, 1))

    assert messages(refused.value) == {
        "start_date": ["This placement overlaps the placement from 1 January 2025 to 1 June 2025"]
    }
    assert fresh.child.placements.count() == 1


def test_a_placement_overlapping_one_still_running_says_it_runs_to_now(fresh, social_worker):
    placement(fresh, social_worker, D(2025, 1, 1))

    with pytest.raises(ValidationError, match="from 1 January 2025 to now"):
        placement(fresh, social_worker, D(2024, 9, 1), D(2025, 1, 2))


def test_a_placement_starting_the_day_the_last_ended_is_accepted(fresh, social_worker):
    placement(fresh, social_worker, D(2025, 1, 1), D(2025, 6, 1))
    placement(fresh, social_worker, D(2025, 6, 1), D(2025, 9, 1))
    placement(fresh, social_worker, D(2025, 9, 1))

    assert fresh.child.placements.count() == 3


def test_a_placement_ending_the_day_it_starts_is_accepted(fresh, social_worker):
    assert placement(fresh, social_worker, D(2025, 1, 1), D(2025, 1, 1)).pk


def test_a_placement_ending_the_day_before_it_starts_is_refused(fresh, social_worker):
    with pytest.raises(ValidationError) as refused:
        placement(fresh, social_worker, D(2025, 1, 2), D(2025, 1, 1))

    assert messages(refused.value) == {
        "end_date": ["The end date must be on or after the start date"]
    }


def test_a_changed_placement_does_not_clash_with_itself(fresh, social_worker):
    saved = placement(fresh, social_worker, D(2025, 1, 1))

    changed = services.save_record(
        case=fresh,
        by=social_worker,
        kind="placement",
        values={"carer": "Aunt Jo"},
        record_pk=saved.pk,
        version=saved.version,
    )

    assert (changed.carer, changed.start_date, changed.version) == ("Aunt Jo", D(2025, 1, 1), 2)


def test_a_change_that_makes_placements_overlap_is_refused(fresh, social_worker):
    placement(fresh, social_worker, D(2025, 1, 1), D(2025, 6, 1))
    later = placement(fresh, social_worker, D(2025, 6, 1))

    with pytest.raises(ValidationError, match="overlaps the placement from 1 January 2025"):
        services.save_record(
            case=fresh,
            by=social_worker,
            kind="placement",
            values={"start_date": D(2025, 5, 1)},
            record_pk=later.pk,
            version=later.version,
        )
    later.refresh_from_db()
    assert (later.start_date, later.version) == (D(2025, 6, 1), 1)


def test_placements_of_another_child_do_not_count(fresh, social_worker):
    PlacementFactory(start_date=D(2025, 1, 1))

    assert placement(fresh, social_worker, D(2025, 1, 1)).pk


@pytest.mark.parametrize(
    ("kind", "values", "message"),
    [
        (
            "legal-status",
            {"code": LegalStatusCode.C1},
            "This legal status overlaps the legal status from 1 January 2025 to now",
        ),
        (
            "care-episode",
            {"reason_ceased": ReasonEpisodeCeased.E11, "end_date": D(2025, 3, 1)},
            "This care episode overlaps the care episode from 1 January 2025 to 1 March 2025",
        ),
        ("missing-episode", {}, "This episode overlaps the episode from 1 January 2025 to now"),
    ],
)
def test_every_kind_of_period_is_refused_when_it_overlaps(
    fresh, social_worker, kind, values, message
):
    def save(start):
        return services.save_record(
            case=fresh, by=social_worker, kind=kind, values={"start_date": start, **values}
        )

    save(D(2025, 1, 1))
    with pytest.raises(ValidationError) as refused:
        save(D(2025, 2, 1))

    assert messages(refused.value) == {"start_date": [message]}


# The other rules of the cases records


def test_a_child_cannot_come_back_into_care_before_returning_home(fresh, social_worker):
    with pytest.raises(ValidationError) as refused:
        services.save_record(
            case=fresh,
            by=social_worker,
            kind="previous-return",
            values={"returned_home_on": D(2024, 5, 1), "came_back_into_care_on": D(2024, 4, 30)},
        )

    assert messages(refused.value) == {
        "came_back_into_care_on": [
            "The date the child came back into care must be on or after the return home"
        ]
    }


def member(case, by, **values):
    return services.save_record(
        case=case,
        by=by,
        kind="household-member",
        values={"name": "Gary Holt", "relationship": "Mother's partner", **values},
    )


def test_a_household_member_needs_a_date_of_birth_or_an_age(fresh, social_worker):
    with pytest.raises(ValidationError) as refused:
        member(fresh, social_worker)

    assert messages(refused.value) == {"date_of_birth": ["Enter a date of birth or an age"]}
    assert not fresh.family_members.exists()


@pytest.mark.parametrize("age", [121, 200, -1])
def test_an_age_no_one_lives_to_is_refused(fresh, social_worker, age):
    with pytest.raises(ValidationError) as refused:
        member(fresh, social_worker, age_when_recorded=age)

    assert messages(refused.value) == {"age_when_recorded": ["Enter an age between 0 and 120"]}


@pytest.mark.parametrize("age", [0, 120])
def test_the_oldest_and_youngest_ages_are_accepted(fresh, social_worker, age):
    assert member(fresh, social_worker, age_when_recorded=age).recorded_on == D(2026, 3, 10)


def test_an_age_is_dated_when_it_changes_and_only_then(fresh, social_worker):
    gary = member(fresh, social_worker, age_when_recorded=34)
    FamilyMember.objects.filter(pk=gary.pk).update(recorded_on=D(2025, 1, 1))
    gary.refresh_from_db()

    def change(version, **values):
        return services.save_record(
            case=fresh,
            by=social_worker,
            kind="household-member",
            values=values,
            record_pk=gary.pk,
            version=version,
        )

    assert change(gary.version, name="Gary Holt-Smith").recorded_on == D(2025, 1, 1)
    assert change(gary.version + 1, age_when_recorded=35).recorded_on == D(2026, 3, 10)


@pytest.fixture
def mother(fresh):
    return FamilyMemberFactory(case=fresh, name="Dawn")


def police_check(case, by, **values):
    return services.save_record(case=case, by=by, kind="police-check", values=values)


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        (
            {"returned_on": D(2026, 1, 31), "outcome": PoliceCheckOutcome.NO_TRACE},
            "returned_on",
            "The check cannot be returned before it was requested",
        ),
        ({"returned_on": D(2026, 2, 5)}, "outcome", "Select the outcome of the returned check"),
        (
            {"outcome": PoliceCheckOutcome.NO_TRACE},
            "returned_on",
            "Enter the date the check was returned",
        ),
    ],
)
def test_the_police_check_rules(fresh, social_worker, mother, values, field, message):
    with pytest.raises(ValidationError) as refused:
        police_check(fresh, social_worker, member=mother, requested_on=D(2026, 2, 1), **values)

    assert messages(refused.value) == {field: [message]}
    assert not mother.police_checks.exists()


def test_a_returned_police_check_is_recorded(fresh, social_worker, mother):
    check = police_check(
        fresh,
        social_worker,
        member=mother.pk,
        requested_on=D(2026, 2, 1),
        returned_on=D(2026, 2, 1),
        outcome=PoliceCheckOutcome.NO_TRACE,
    )

    assert check.member == mother


def test_a_police_check_is_only_for_someone_in_this_case(fresh, social_worker, south_manager):
    stranger = FamilyMemberFactory(case=open_case(team_manager=south_manager))

    with pytest.raises(ValidationError, match="Select who the check is for"):
        police_check(fresh, social_worker, member=stranger, requested_on=D(2026, 2, 1))
    assert not stranger.police_checks.exists()


def test_a_parental_issue_is_only_of_someone_in_this_case(fresh, social_worker, south_manager):
    stranger = FamilyMemberFactory(case=open_case(team_manager=south_manager))

    with pytest.raises(ValidationError) as refused:
        services.save_record(
            case=fresh,
            by=social_worker,
            kind="parental-issue",
            values={
                "kind": ParentalIssueKind.SUBSTANCE_MISUSE,
                "parent": stranger,
                "treatment": TreatmentUptake.NOT_OFFERED,
            },
        )

    assert list(messages(refused.value)) == ["parent"]


def test_a_chronology_entry_records_who_wrote_it_and_when(fresh, social_worker):
    entry = services.save_record(
        case=fresh,
        by=social_worker,
        kind="chronology",
        values={
            "occurred_on": D(2026, 3, 1),
            "kind": ChronologyKind.RELAPSE,
            "description": "Mum relapsed",
        },
    )

    assert entry.recorded_by == social_worker
    assert entry.recorded_at.date() == D(2026, 3, 10)
    assert entry.history.first().history_user == social_worker


def test_only_the_record_types_editable_fields_may_be_given(fresh, social_worker):
    with pytest.raises(TypeError, match="version"):
        placement(fresh, social_worker, D(2025, 1, 1), version=1)


# Versions: an edit says which version it changes


@pytest.fixture
def saved(fresh, social_worker):
    return placement(fresh, social_worker, D(2025, 1, 1))


def change_carer(case, by, record, version):
    return services.save_record(
        case=case,
        by=by,
        kind="placement",
        values={"carer": "Aunt Jo"},
        record_pk=record.pk,
        version=version,
    )


def test_an_edit_of_an_old_version_is_refused_with_what_is_saved_now(
    fresh, social_worker, team_manager, saved
):
    change_carer(fresh, team_manager, saved, 1)

    with pytest.raises(StaleRecord) as refused:
        change_carer(fresh, social_worker, saved, 1)

    assert (refused.value.current.carer, refused.value.current.version) == ("Aunt Jo", 2)
    assert saved.history.count() == 2


def test_an_edit_that_names_no_version_is_refused_as_stale(fresh, social_worker, saved):
    with pytest.raises(StaleRecord) as refused:
        change_carer(fresh, social_worker, saved, None)

    assert refused.value.current == saved
    saved.refresh_from_db()
    assert (saved.carer, saved.version) == ("Mr and Mrs Foster", 1)


def test_a_record_of_another_case_is_not_there_to_change(
    fresh, social_worker, south_manager, saved
):
    others = open_case(team_manager=south_manager)

    with pytest.raises(StaleRecord) as refused:
        change_carer(others, south_manager, saved, 1)

    assert refused.value.current is None
    saved.refresh_from_db()
    assert saved.carer == "Mr and Mrs Foster"


def test_the_case_details_claim_their_version(fresh, social_worker, team_manager):
    services.update_case_details(
        case=fresh, by=team_manager, values={"family_isolated": True}, version=1
    )

    with pytest.raises(StaleRecord):
        services.update_case_details(
            case=fresh, by=social_worker, values={"family_isolated": False}, version=1
        )
    with pytest.raises(StaleRecord):
        services.update_case_details(
            case=fresh, by=social_worker, values={"family_isolated": False}, version=None
        )
    fresh.refresh_from_db()
    assert (fresh.family_isolated, fresh.version) == (True, 2)


def test_reunification_cannot_be_considered_before_the_child_became_looked_after(
    fresh, social_worker
):
    day_before = fresh.became_looked_after_on - datetime.timedelta(days=1)

    with pytest.raises(ValidationError) as refused:
        services.update_case_details(
            case=fresh,
            by=social_worker,
            values={"reunification_first_considered_on": day_before},
            version=fresh.version,
        )

    assert messages(refused.value) == {
        "reunification_first_considered_on": [
            "Reunification cannot be considered before the child became looked after"
        ]
    }


def test_the_childs_details_claim_their_version(fresh, social_worker, team_manager):
    child = services.update_child(
        case=fresh, by=team_manager, values={"first_name": "Mia"}, version=1
    )

    assert (child.first_name, child.version) == ("Mia", 2)
    with pytest.raises(StaleRecord):
        services.update_child(case=fresh, by=social_worker, values={"first_name": "M"}, version=1)


# Who may change the case


def test_a_social_worker_of_another_team_may_not_add_a_record(fresh, outsider):
    with pytest.raises(PermissionDenied):
        placement(fresh, outsider, D(2025, 1, 1))
    assert not fresh.child.placements.exists()


def test_nothing_is_added_to_a_closed_case(fresh, social_worker, team_manager, saved):
    closed = {"stage": Stage.CLOSED, "closed_on": D(2026, 3, 10)}
    ReunificationCase.objects.filter(pk=fresh.pk).update(**closed)

    with pytest.raises(PermissionDenied):
        placement(fresh, team_manager, D(2026, 1, 1))
    with pytest.raises(PermissionDenied):
        change_carer(fresh, social_worker, saved, 1)
    with pytest.raises(PermissionDenied):
        services.update_child(case=fresh, by=team_manager, values={"first_name": "M"}, version=1)
    assert fresh.child.placements.count() == 1


def test_a_child_level_record_tells_every_open_case_of_the_child(fresh, social_worker, monkeypatch):
    told = []
    monkeypatch.setattr(services, "case_changed", lambda *ids: told.append(ids))

    placement(fresh, social_worker, D(2025, 1, 1))
    member(fresh, social_worker, age_when_recorded=30)

    assert told == [([fresh.pk],), ([fresh.pk],)]


# Opening a case for a new child: the child and the case together or not at all


def child_values(**changes):
    return {
        "first_name": "Mia",
        "last_name": "Holt",
        "date_of_birth": D(2016, 5, 4),
        "sex": Sex.FEMALE,
        "ethnicity": Ethnicity.WBRI,
        "local_identifier": "N777777",
        **changes,
    }


def open_for_new_child(by, social_worker, **details):
    return services.open_case(
        team=by.team,
        by=by,
        child_values=child_values(),
        became_looked_after_on=D(2025, 6, 1),
        category_of_need=CategoryOfNeed.N1,
        allocations={Role.TEAM_MANAGER: by, Role.SOCIAL_WORKER: social_worker},
        **details,
    )


def test_a_case_opens_for_a_new_child(everyone, team_manager, social_worker):
    case = open_for_new_child(team_manager, social_worker)

    assert (case.child.first_name, case.child.local_identifier) == ("Mia", "N777777")
    assert case.social_worker == social_worker
    assert case.child.history.first().history_user == team_manager


def test_a_case_that_cannot_open_leaves_no_child_behind(everyone, team_manager, social_worker):
    children = Child.objects.count()

    with pytest.raises(ValidationError) as refused:
        open_for_new_child(
            team_manager, social_worker, reunification_first_considered_on=D(2025, 5, 31)
        )

    assert list(messages(refused.value)) == ["reunification_first_considered_on"]
    assert Child.objects.count() == children
    assert not ReunificationCase.objects.filter(child__local_identifier="N777777").exists()


def test_an_allocation_that_fails_leaves_no_child_behind(everyone, team_manager, outsider):
    with pytest.raises(ValidationError, match="is not in North"):
        open_for_new_child(team_manager, outsider)

    assert not Child.objects.filter(local_identifier="N777777").exists()


def test_only_a_team_manager_of_the_team_opens_a_case_for_a_new_child(
    everyone, social_worker, south_manager, team_manager
):
    with pytest.raises(PermissionDenied):
        open_for_new_child(social_worker, social_worker)
    with pytest.raises(PermissionDenied):
        services.open_case(
            team=team_manager.team,
            by=south_manager,
            child_values=child_values(),
            became_looked_after_on=D(2025, 6, 1),
            category_of_need=CategoryOfNeed.N1,
            allocations={},
        )
    assert not Child.objects.filter(local_identifier="N777777").exists()


# The pages, through the services


@pytest.fixture
def sarah(client, social_worker):
    client.force_login(social_worker)
    return client


def error_summary(response) -> str:
    found = re.search(r'class="govuk-error-summary".*?</ul>', response.content.decode(), re.S)
    assert found, "no error summary on the page"
    return found.group(0)


def test_an_edit_page_sent_without_its_version_is_refused_as_stale(sarah, case):
    existing = Placement.objects.get(child=case.child)
    address = reverse("cases:edit_record", args=[case.pk, "placement", existing.pk])

    response = sarah.post(
        address,
        {
            "placement_type": PlacementType.U4,
            "carer": "Aunt Jo",
            "start_date_0": existing.start_date.day,
            "start_date_1": existing.start_date.month,
            "start_date_2": existing.start_date.year,
        },
    )

    assert response.status_code == 200
    assert STALE_RECORD_MESSAGE in error_summary(response)
    existing.refresh_from_db()
    assert existing.carer != "Aunt Jo"


def test_an_edit_page_takes_nothing_from_its_address(sarah, case):
    existing = Placement.objects.get(child=case.child)
    address = reverse("cases:edit_record", args=[case.pk, "placement", existing.pk])

    response = sarah.get(address + "?carer=Someone+else&version=99")

    assert response.context["form"]["carer"].value() == existing.carer
    assert response.context["form"]["version"].value() == existing.version


def test_an_add_page_takes_nothing_from_its_address(sarah, case):
    response = sarah.get(reverse("cases:add_record", args=[case.pk, "chronology"]))
    prefilled = sarah.get(
        reverse("cases:add_record", args=[case.pk, "chronology"]) + "?description=Made+up"
    )

    assert prefilled.context["form"]["description"].value() == (
        response.context["form"]["description"].value()
    )


def test_an_age_over_120_is_refused_on_its_field(sarah, case):
    response = sarah.post(
        reverse("cases:add_record", args=[case.pk, "household-member"]),
        {"name": "Gary Holt", "relationship": "Uncle", "age_when_recorded": "121"},
    )

    assert response.context["form"].errors["age_when_recorded"] == [
        "Enter an age between 0 and 120"
    ]
    assert not case.family_members.filter(name="Gary Holt").exists()


def test_an_overlap_is_shown_on_the_start_date(sarah, case):
    existing = Placement.objects.get(child=case.child)
    start = existing.start_date + datetime.timedelta(days=1)

    response = sarah.post(
        reverse("cases:add_record", args=[case.pk, "placement"]),
        {
            "placement_type": PlacementType.U4,
            "carer": "Aunt Jo",
            "start_date_0": start.day,
            "start_date_1": start.month,
            "start_date_2": start.year,
        },
    )

    assert response.context["form"].errors["start_date"] == [
        f"This placement overlaps the placement from {existing.start_date:%-d %B %Y} to now"
    ]
