"""Rules for ending a child's care, as plain Python over dates.

Regulation 39 of the Care Planning, Placement and Case Review (England)
Regulations 2010: a decision to cease looking after a child who has been looked
after for 20 working days or more (accommodated under section 20: a care order
ends only by the court) must be approved by the nominated officer, here the
service director, before the child stops being looked after.
"""

import datetime

from reviews.deadlines.working_days import add_working_days

NOMINATED_OFFICER_WORKING_DAYS = 20


def nominated_officer_needed_from(looked_after_on: datetime.date) -> datetime.date:
    """The first day on which ceasing to look after the child needs the nominated
    officer's approval: the day after her 20th working day looked after (the day
    she became looked after counts when it is a working day; weekends and English
    bank holidays do not)."""
    twentieth = add_working_days(
        looked_after_on - datetime.timedelta(days=1), NOMINATED_OFFICER_WORKING_DAYS
    )
    return twentieth + datetime.timedelta(days=1)


def nominated_officer_approval_needed(
    looked_after_on: datetime.date, ceases_on: datetime.date
) -> bool:
    """Whether care ending on `ceases_on` needs the nominated officer's approval:
    the child will by then have been looked after for 20 working days or more."""
    return ceases_on >= nominated_officer_needed_from(looked_after_on)


def approval_covers(
    decided_on: datetime.date | None, approved: bool | None, ceases_on: datetime.date
) -> bool:
    """An approval counts for care ending on `ceases_on` if it was given on or
    before that day."""
    return bool(approved) and decided_on is not None and decided_on <= ceases_on


def reunification_record_missing(
    *,
    child_in_care_review: bool,
    held_on: datetime.date,
    returned_on: datetime.date | None,
    considered: bool | None,
    outcome: str,
) -> bool:
    """A Child in Care review held while the child is in care (before any return
    home) records whether reunification was considered and what was decided
    (guidance, stage 1: no child drifts in care). Without both it is incomplete."""
    if not child_in_care_review:
        return False
    if returned_on is not None and held_on >= returned_on:
        return False
    return considered is None or not outcome.strip()


def episode_end_contradiction(planned: bool, episode_end_reason: str) -> str:
    """Why the SSDA903 reason a care episode ended contradicts whether the return
    home was planned, or "" if it does not: E4A is a return as part of the care
    planning process, E4B one that was not. E13 (to someone without parental
    responsibility) and no reason (a care order) fit either."""
    if planned and episode_end_reason == "E4B":
        return (
            "The return was planned, so the care episode ended with E4A (returned home as "
            "part of the care planning process), not E4B"
        )
    if not planned and episode_end_reason == "E4A":
        return (
            "The return was not planned, so the care episode ended with E4B (returned home "
            "not as part of the care planning process), not E4A"
        )
    return ""
