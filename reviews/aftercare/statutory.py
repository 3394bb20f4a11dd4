"""Recording statutory reviews, the IRO's recommendations, and visits."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from cases import policy
from cases.changes import case_changed
from cases.models import ChronologyKind, ReunificationCase, Role, User
from cases.services import add_chronology_entry, lock_case
from reviews.models import Recommendation, Review, ReviewType, Visit


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
    case = lock_case(case)
    policy.require(policy.may_record_review(by, case))
    if not policy.may_record_review(by, case, review_type):
        # She may record other reviews: say why not this kind.
        raise ValidationError({"review_type": "Only the case's IRO records a Child in Care review"})
    if review_type == ReviewType.CHILD_IN_CARE and not chair.has_role(Role.IRO):
        raise ValidationError({"chair": "A Child in Care review is chaired by an IRO"})
    if next_review_requested_by and next_review_requested_by <= held_on:
        raise ValidationError(
            {"next_review_requested_by": "The next review must be after this one"}
        )
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
    case_changed(case.pk)
    return review


@transaction.atomic
def complete_recommendation(
    *, recommendation: Recommendation, by: User, done_on: datetime.date
) -> Recommendation:
    case = lock_case(recommendation.review.case)
    recommendation = Recommendation.objects.select_related("review").get(pk=recommendation.pk)
    policy.require(policy.may_complete_recommendation(by, case, recommendation))
    if recommendation.done_on:
        raise ValidationError("This recommendation has already been marked as done")
    if done_on < recommendation.review.held_on:
        raise ValidationError({"done_on": "It cannot be done before the review that made it"})
    recommendation.done_on = done_on
    recommendation._history_user = by
    recommendation.save(update_fields=["done_on"])
    case_changed(case.pk)
    return recommendation


@transaction.atomic
def record_visit(
    *, case: ReunificationCase, by: User, visited_on: datetime.date, seen_alone: bool, notes: str
) -> Visit:
    case = lock_case(case)
    policy.require(policy.may_record_visit(by, case))
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
    case_changed(case.pk)
    return visit
