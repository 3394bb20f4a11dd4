"""Rules found in review: write access follows sight of the case, closed cases
stay closed, Child in Need reviews are not Child in Care reviews, and a planned
return needs Low or Medium risk at the time."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cases import policy, services
from cases.models import Role, Stage
from reviews.deadlines import refresh as deadlines
from reviews.models import Deadline, DeadlineKind, Review, ReviewType

pytestmark = pytest.mark.django_db


def test_a_social_worker_moved_to_another_team_can_no_longer_change_her_old_case(
    client, case, social_worker, south
):
    social_worker.team = south
    social_worker.save()

    assert not policy.may_change_case(social_worker, case)
    client.force_login(social_worker)
    assert client.get(reverse("cases:edit_child", args=[case.pk])).status_code == 404


def test_a_closed_case_cannot_be_allocated(case, team_manager, colleague):
    case.stage = Stage.CLOSED
    case.closed_on = case.opened_on
    case.save()

    with pytest.raises(PermissionDenied, match="closed"):
        services.allocate(case=case, role=Role.SOCIAL_WORKER, user=colleague, by=team_manager)


def test_a_child_in_need_review_does_not_count_as_the_child_in_care_review(
    case, social_worker, iro
):
    Review.objects.create(
        case=case,
        held_on=case.became_looked_after_on + datetime.timedelta(days=10),
        review_type=ReviewType.CHILD_IN_NEED,
        chair=social_worker,
        attended="Family",
        outcome="Plan continues",
        recorded_by=social_worker,
    )
    deadlines.refresh(case)

    first = Deadline.objects.get(case=case, kind=DeadlineKind.CIC_REVIEW, key="cic-1")
    assert first.done_on is None


def test_the_nightly_run_gathers_the_same_items_as_one_person_s_digest(settings):
    """The run gathers everyone's items in a few queries; each person's list must
    be exactly what `digest_items` gives them alone."""
    import io

    from django.core.management import call_command

    from reunification.clock import today
    from reviews.reminders.digests import _items_for_everyone, digest_items, people_with_items

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    day = today() + datetime.timedelta(days=20)  # far enough on for overdue items
    people = list(people_with_items(day))
    everyone = _items_for_everyone(people, day)

    assert people
    assert any(item.escalated for items in everyone.values() for item in items)
    for person in people:
        assert everyone[person.pk] == digest_items(person, day)
