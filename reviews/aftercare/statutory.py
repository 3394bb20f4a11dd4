"""Recording statutory reviews, the IRO's recommendations, and visits."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from cases import policy
from cases.models import ChronologyKind, ReunificationCase, Role, Stage, User
from cases.services import add_chronology_entry
from reviews.models import Recommendation, Review, ReviewType, Visit


def may_record_review(user: User, case: ReunificationCase) -> bool:
    """The case's IRO records review outcomes; the social worker and team
    managers may record Child in Need and Pathway Plan reviews too."""
    return case.is_open and (case.iro_id == user.pk or policy.may_change_case(user, case))


@transaction.atomic
def record_review(
    *,
    case: ReunificationCase,
    by: User,
    held_on: datetime.date,
    review_type: str,
    chair: User,
    attended: str,
    outcome: str,
    next_review_requested_by: datetime.date | None = None,
    recommendations: list[dict] = (),
) -> Review:
    if not may_record_review(by, case):
        raise PermissionDenied
    if case.stage == Stage.CLOSED:
        raise ValidationError("The case is closed")
    if review_type == ReviewType.CHILD_IN_CARE:
        if case.iro_id != by.pk:
            raise ValidationError("Only the case's IRO records a Child in Care review")
        if not chair.has_role(Role.IRO):
            raise ValidationError("A Child in Care review is chaired by an IRO")
    if next_review_requested_by and next_review_requested_by <= held_on:
        raise ValidationError("The next review must be after this one")
    review = Review.objects.create(
        case=case,
        held_on=held_on,
        review_type=review_type,
        chair=chair,
        attended=attended,
        outcome=outcome,
        next_review_requested_by=next_review_requested_by,
        recorded_by=by,
    )
    for item in recommendations:
        if item["due_on"] < held_on:
            raise ValidationError("A recommendation cannot be due before the review")
        Recommendation.objects.create(review=review, **item)
    add_chronology_entry(
        case=case,
        by=by,
        occurred_on=held_on,
        kind=ChronologyKind.DECISION,
        description=f"{review.get_review_type_display()} chaired by {chair}. {outcome}",
        automatic=True,
    )
    return review


@transaction.atomic
def complete_recommendation(
    *, recommendation: Recommendation, by: User, done_on: datetime.date
) -> Recommendation:
    case = recommendation.review.case
    allowed = by.pk in (recommendation.owner_id, case.iro_id) or policy.may_change_case(by, case)
    if not allowed:
        raise PermissionDenied
    if done_on < recommendation.review.held_on:
        raise ValidationError("It cannot be done before the review that made it")
    recommendation.done_on = done_on
    recommendation._history_user = by
    recommendation.save(update_fields=["done_on"])
    return recommendation


@transaction.atomic
def record_visit(
    *, case: ReunificationCase, by: User, visited_on: datetime.date, seen_alone: bool, notes: str
) -> Visit:
    if not policy.may_change_case(by, case):
        raise PermissionDenied
    visit = Visit.objects.create(
        case=case, visited_on=visited_on, seen_alone=seen_alone, notes=notes, visited_by=by
    )
    seen = "seen alone" if seen_alone else "not seen alone"
    add_chronology_entry(
        case=case,
        by=by,
        occurred_on=visited_on,
        kind=ChronologyKind.SIGNIFICANT_EVENT,
        description=f"Visit by {by}; the child was {seen}.",
        automatic=True,
    )
    return visit
