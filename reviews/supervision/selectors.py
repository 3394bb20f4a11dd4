"""What supervision and the reunification prompts read from a case's records."""

import datetime

from django.db.models import prefetch_related_objects

from cases.models import PlacementType, Stage
from reviews.models import ReviewType
from reviews.supervision import rules


def asks_about_reunification(case) -> bool:
    """Supervision of a child in care who is not yet home asks whether
    reunification was considered."""
    from reviews.aftercare.return_home import BEFORE_RETURN  # it imports the deadlines

    return case.stage in BEFORE_RETURN


def supervisions(case):
    return case.supervisions.select_related("recorded_by").prefetch_related("actions__owner")


def prompted_since(case) -> datetime.date | None:
    """From when events prompt reconsidering reunification, or None when they do
    not: a child whose reunification was ruled out (after the latest "not
    pursued" decision), or never considered (since the case opened)."""
    if case.stage == Stage.NOT_PURSUED:
        decision = max(
            case.not_pursued_decisions.all(), key=lambda d: (d.decided_on, d.pk), default=None
        )
        return decision.decided_on + datetime.timedelta(days=1) if decision else case.opened_on
    if case.stage == Stage.IDENTIFICATION and case.reunification_first_considered_on is None:
        return case.opened_on
    return None


def triggers(case, since: datetime.date) -> list[rules.Trigger]:
    """The events on or after `since` that prompt reconsidering reunification."""
    child = case.child
    found = []
    placements = sorted(child.placements.all(), key=lambda p: (p.start_date, p.pk))
    for placement in placements[1:]:  # each one after the first is a change
        # A move to a parent (P1) is a return, not a breakdown.
        if placement.start_date >= since and placement.placement_type != PlacementType.P1:
            found.append(
                rules.Trigger(
                    placement.start_date, f"placement changed {placement.start_date:%-d %B %Y}"
                )
            )
    episodes = list(child.missing_episodes.all())
    repeated = (
        f"repeated missing episodes ({rules.MISSING_EPISODES_FOR_PROMPT} or more within "
        f"{rules.MISSING_WINDOW_DAYS} days)"
    )
    for day in rules.repeated_missing([e.start_date for e in episodes]):
        if day >= since:
            found.append(rules.Trigger(day, repeated))
    for episode in episodes:
        if episode.to_family_home and episode.start_date >= since:
            found.append(
                rules.Trigger(
                    episode.start_date,
                    f"went to the family home without agreement {episode.start_date:%-d %B %Y}",
                )
            )
    # Read through the case's reviews (prefetched by the deadline sweep).
    for review in case.reviews.all():
        if review.review_type != ReviewType.CHILD_IN_CARE or review.held_on < since:
            continue
        for _ in review.recommendations.all():
            reason = f"IRO recommendation at the review of {review.held_on:%-d %B %Y}"
            found.append(rules.Trigger(review.held_on, reason))
    return found


def reconsidered_on(case) -> list[datetime.date]:
    """The days reunification was recorded as reconsidered: at supervision or at
    a Child in Care review."""
    days = [s.held_on for s in case.supervisions.all() if s.reunification_considered]
    days += [
        r.held_on
        for r in case.reviews.all()
        if r.review_type == ReviewType.CHILD_IN_CARE and r.reunification_considered
    ]
    return days


def open_prompts(case) -> list[rules.Prompt]:
    # What the prompts read, once for the page (the deadline sweep prefetches it
    # for its whole batch).
    prefetch_related_objects(
        [case],
        "reviews__recommendations",
        "supervisions",
        "not_pursued_decisions",
        "child__placements",
        "child__missing_episodes",
    )
    since = prompted_since(case)
    if since is None:
        return []
    return [p for p in rules.prompts(triggers(case, since), reconsidered_on(case)) if not p.done_on]
