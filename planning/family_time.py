"""Family time as a progression: the guidance asks for family time that increases
gradually in frequency and duration, from supervised to unsupervised, with
overnight stays (over 24 hours) as a step before the return. These are plain
rules over plain values: each step is compared with the one before it, and the
viability meeting sees whether family time has increased as planned.

Frequency and duration are recorded in words ("twice a week", "3 hours"); the
rules read the common ways of saying them and say so when they cannot."""

import datetime
import re
from dataclasses import dataclass

WORDS = {
    "once": 1,
    "one": 1,
    "twice": 2,
    "two": 2,
    "three": 3,
    "thrice": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
}
# Visits a week for a period named on its own ("weekly", "every weekend").
PER_WEEK = {
    "day": 7,
    "daily": 7,
    "weekend": 1,
    "week": 1,
    "weekly": 1,
    "fortnight": 0.5,
    "fortnightly": 0.5,
    "month": 12 / 52,
    "monthly": 12 / 52,
}
# A duration in hours for a unit.
HOURS = {"minute": 1 / 60, "min": 1 / 60, "hour": 1, "hr": 1, "day": 24, "night": 24}


def visits_per_week(frequency: str) -> float | None:
    """ "Twice a week" is 2, "weekly" 1, "every other week" or "fortnightly" 0.5,
    "3 times a month" about 0.7; None when the words are not understood."""
    text = frequency.lower().strip()
    match = re.search(
        r"(\d+|[a-z]+)\s*(?:times?|x)?\s*(?:a|per|each|every)\s+(day|week|fortnight|month)\b", text
    )
    if match and (match.group(1).isdigit() or match.group(1) in WORDS):
        count = int(match.group(1)) if match.group(1).isdigit() else WORDS[match.group(1)]
        return count * PER_WEEK[match.group(2)]
    if re.search(r"every (other|second) week", text):
        return 0.5
    for word, per_week in PER_WEEK.items():
        if re.search(rf"\b(every\s+)?{word}s?\b", text):
            return per_week
    return None


def hours_each_time(duration: str) -> float | None:
    """ "3 hours" is 3, "90 minutes" 1.5, "all day" 8, "overnight" 24; None when
    the words are not understood."""
    text = duration.lower().strip()
    match = re.search(r"(\d+(?:\.\d+)?|[a-z]+)\s*(minute|min|hour|hr|day|night)s?\b", text)
    if match and (match.group(1)[0].isdigit() or match.group(1) in WORDS):
        number = match.group(1)
        amount = float(number) if number[0].isdigit() else WORDS[number]
        return amount * HOURS[match.group(2)]
    if "all day" in text or "full day" in text:
        return 8
    if "overnight" in text:
        return 24
    if "half a day" in text or "half day" in text:
        return 4
    return None


@dataclass(frozen=True)
class Step:
    starts_on: datetime.date
    frequency: str
    duration: str
    supervised: bool
    overnight: bool


class Change:
    FIRST = "first"
    INCREASED = "increased"
    SAME = "same"
    REDUCED = "reduced"
    UNCLEAR = "unclear"


CHANGE_WORDS = {
    Change.FIRST: ("First step", "grey"),
    Change.INCREASED: ("Increased", "green"),
    Change.SAME: ("No increase", "yellow"),
    Change.REDUCED: ("Reduced", "red"),
    Change.UNCLEAR: ("Cannot tell from the words", "grey"),
}


@dataclass(frozen=True)
class StepChange:
    change: str
    reasons: tuple[str, ...]  # what went up or down, in words

    @property
    def words(self) -> str:
        return CHANGE_WORDS[self.change][0]

    @property
    def colour(self) -> str:
        return CHANGE_WORDS[self.change][1]


def compare(before: Step, after: Step) -> StepChange:
    """How a step of family time compares with the one before it. More often,
    longer, unsupervised or overnight is an increase; any of them going back is
    a reduction, whatever else went up; except that when overnight stays begin,
    fewer (longer) visits are the step itself."""
    up, down = [], []

    def weigh(old, new, more: str, less: str) -> None:
        if old is None or new is None or old == new:
            return
        (up if new > old else down).append(more if new > old else less)

    # Overnight stays are longer and usually less often: fewer visits when they
    # begin is the step the plan asks for, not a reduction.
    if before.overnight or not after.overnight:
        weigh(
            visits_per_week(before.frequency),
            visits_per_week(after.frequency),
            "more often",
            "less often",
        )
    if not (before.overnight or after.overnight):
        weigh(
            hours_each_time(before.duration), hours_each_time(after.duration), "longer", "shorter"
        )
    weigh(not before.supervised, not after.supervised, "no longer supervised", "supervised again")
    weigh(before.overnight, after.overnight, "overnight stays begin", "overnight stays stop")
    if down:
        return StepChange(Change.REDUCED, tuple(down))
    if up:
        return StepChange(Change.INCREASED, tuple(up))
    known = (
        visits_per_week(before.frequency) is not None
        and visits_per_week(after.frequency) is not None
        and (
            before.overnight
            or after.overnight
            or (
                hours_each_time(before.duration) is not None
                and hours_each_time(after.duration) is not None
            )
        )
    )
    return StepChange(Change.SAME if known else Change.UNCLEAR, ())


@dataclass(frozen=True)
class Progression:
    changes: list[StepChange]  # one per step, the first marked FIRST
    started: int  # how many steps have started by the day
    reached_overnight: bool

    @property
    def increased_as_planned(self) -> bool | None:
        """Every step begun so far increased on the one before; None before the
        second step begins (nothing to compare yet)."""
        begun = self.changes[1 : self.started]
        if not begun:
            return None
        return all(change.change == Change.INCREASED for change in begun)

    @property
    def summary(self) -> str:
        begun = self.changes[1 : self.started]
        if self.started == 0:
            return "Family time has not started yet."
        if not begun:
            return "Only the first step has begun: nothing to compare yet."
        reduced = [c for c in begun if c.change == Change.REDUCED]
        same = [c for c in begun if c.change == Change.SAME]
        unclear = [c for c in begun if c.change == Change.UNCLEAR]
        if self.increased_as_planned:
            words = (
                "Increased on the first step"
                if len(begun) == 1
                else f"Increased at each of the {len(begun)} steps since the first"
            )
        elif reduced:
            words = f"Reduced at {len(reduced)} step(s)"
        elif same:
            words = f"Did not increase at {len(same)} step(s)"
        else:
            words = f"{len(unclear)} step(s) cannot be compared from the words recorded"
        overnight = (
            "; overnight stays reached" if self.reached_overnight else "; no overnight stay yet"
        )
        return words + overnight + "."


def progression(steps: list[Step], day: datetime.date) -> Progression:
    """Each step compared with the one before it (earliest first), and how many
    have started by `day`: planned steps still to come are shown but not judged."""
    ordered = sorted(steps, key=lambda step: step.starts_on)
    changes = [StepChange(Change.FIRST, ())] if ordered else []
    changes += [compare(a, b) for a, b in zip(ordered, ordered[1:], strict=False)]
    started = [step for step in ordered if step.starts_on <= day]
    return Progression(
        changes=changes,
        started=len(started),
        reached_overnight=any(step.overnight for step in started),
    )


def steps_of(records) -> list[Step]:
    """Plain steps from FamilyTimeStep records."""
    return [Step(r.starts_on, r.frequency, r.duration, r.supervised, r.overnight) for r in records]
