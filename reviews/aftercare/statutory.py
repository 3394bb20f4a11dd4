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
    reunification_considered: bool | None = None,
    reunification_outcome: str = "",
    participation: str = "",
) -> Review:
    """Record a statutory review. A Child in Care review of a child in care also
    says whether reunification was considered and the outcome; without it the
    review is saved but shows as incomplete, with a task for the IRO."""
    case = lock_case(case)
    policy.require(policy.may_record_review(by, case))
    if not policy.may_record_review(by, case, review_type):
        # She may record other reviews: say why not this kind.
        raise ValidationError({"review_type": "Only the case's IRO records a Child in Care review"})
    if not policy.may_chair_review(chair, case):
        raise ValidationError({"chair": f"{chair} does not chair reviews of this case"})
    if review_type == ReviewType.CHILD_IN_CARE and not chair.has_role(Role.IRO):
        raise ValidationError({"chair": "A Child in Care review is chaired by an IRO"})
    if next_review_requested_by and next_review_requested_by <= held_on:
        raise ValidationError(
            {"next_review_requested_by": "The next review must be after this one"}
        )
    if review_type != ReviewType.CHILD_IN_CARE:
        reunification_considered, reunification_outcome = None, ""
    _check_reunification(reunification_considered, reunification_outcome)
    review = Review.objects.create(
        case=case,
        reunification_considered=reunification_considered,
        reunification_outcome=reunification_outcome.strip(),
        held_on=held_on,
        review_type=review_type,
        chair=chair,
        attended=attended,
        outcome=outcome,
        next_review_requested_by=next_review_requested_by,
        participation=participation if review_type == ReviewType.CHILD_IN_CARE else "",
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
        description=f"{review.get_review_type_display()} chaired by {chair}. {outcome}"
        + (
            f" Reunification {'considered' if reunification_considered else 'not considered'}: "
            f"{review.reunification_outcome}"
            if reunification_considered is not None
            else ""
        ),
        automatic=True,
    )
    case_changed(case.pk)
    return review


def _check_reunification(considered: bool | None, outcome: str) -> None:
    if considered is not None and not outcome.strip():
        message = (
            "Say what was decided about reunification"
            if considered
            else "Say why reunification was not considered"
        )
        raise ValidationError({"reunification_outcome": message})


@transaction.atomic
def record_review_reunification(
    *, review: Review, by: User, considered: bool, outcome: str
) -> Review:
    """Add to a Child in Care review whether reunification was considered and the
    outcome: the case's IRO, while the case is open."""
    case = lock_case(review.case)
    policy.require(policy.may_record_review(by, case, ReviewType.CHILD_IN_CARE))
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.review_type != ReviewType.CHILD_IN_CARE:
        raise ValidationError("Only a Child in Care review records reconsidering reunification")
    if considered is None:
        raise ValidationError(
            {"considered": "Select whether reunification was considered at this review"}
        )
    try:
        _check_reunification(considered, outcome)
    except ValidationError as error:
        raise ValidationError({"outcome": error.message_dict["reunification_outcome"]}) from None
    review.reunification_considered = considered
    review.reunification_outcome = outcome.strip()
    review._history_user = by
    review.save(update_fields=["reunification_considered", "reunification_outcome"])
    said = "considered" if considered else "not considered"
    add_chronology_entry(
        case=case,
        by=by,
        occurred_on=review.held_on,
        kind=ChronologyKind.DECISION,
        description=f"Child in Care review of {review.held_on:%-d %B %Y}: reunification "
        f"{said}. {review.reunification_outcome}",
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
