"""Facts about a case's aftercare records, for pages and deadlines."""

from reviews.aftercare import rules
from reviews.models import ReturnHome, Review, ReviewType


def returned_on(case):
    try:
        return case.return_home.returned_on
    except ReturnHome.DoesNotExist:
        return None


def missing_reunification(review: Review, returned_on) -> bool:
    """This review is a Child in Care review of a child in care that does not yet
    say whether reunification was considered and the outcome."""
    return rules.reunification_record_missing(
        child_in_care_review=review.review_type == ReviewType.CHILD_IN_CARE,
        held_on=review.held_on,
        returned_on=returned_on,
        considered=review.reunification_considered,
        outcome=review.reunification_outcome,
    )


def reviews_missing_reunification(case) -> list[Review]:
    """The case's Child in Care reviews held while the child was in care that do
    not record reconsidering reunification (shown as incomplete, and a task)."""
    back_home = returned_on(case)
    reviews = sorted(
        (r for r in case.reviews.all() if r.review_type == ReviewType.CHILD_IN_CARE),
        key=lambda r: (r.held_on, r.pk),
    )  # `case.reviews.all()`, so a prefetch serves it
    return [r for r in reviews if missing_reunification(r, back_home)]
