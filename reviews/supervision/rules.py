"""When an event should make people look at reunification again, as plain rules.

The research behind the guidance names moments to consider reunification for a
child whose return was never considered or was ruled out: a placement breaking
down or changing, repeated missing episodes, the child "voting with their feet"
(going to the family home without agreement), and new information from the IRO.
Each such event is a trigger; triggers not yet followed by a recorded
reconsideration make one prompt (not one per event), due a few working days
after the first of them and met by the first reconsideration on or after it.
"""

import datetime
from dataclasses import dataclass

from reviews.deadlines.working_days import add_working_days

# Repeated missing episodes: this many, starting within this many days of each
# other (the first and the last day of the window both count).
MISSING_EPISODES_FOR_PROMPT = 3
MISSING_WINDOW_DAYS = 90
# The prompt is due this many working days after the event that raised it.
PROMPT_WORKING_DAYS = 10


@dataclass(frozen=True)
class Trigger:
    on: datetime.date
    reason: str


@dataclass(frozen=True)
class Prompt:
    first_on: datetime.date
    reasons: tuple[str, ...]
    due_on: datetime.date
    done_on: datetime.date | None


def repeated_missing(starts: list[datetime.date]) -> list[datetime.date]:
    """The days on which the child's missing episodes reach the threshold: each
    episode's start that is at least the MISSING_EPISODES_FOR_PROMPT-th to start
    within MISSING_WINDOW_DAYS (counting itself)."""
    starts = sorted(starts)
    n = MISSING_EPISODES_FOR_PROMPT
    found = []
    for index in range(n - 1, len(starts)):
        earliest = starts[index - (n - 1)]
        if (starts[index] - earliest).days < MISSING_WINDOW_DAYS:
            found.append(starts[index])
    return found


def prompts(triggers: list[Trigger], considered_on: list[datetime.date]) -> list[Prompt]:
    """One prompt for each run of triggers met by the same reconsideration (or
    not met yet): it starts at the run's first trigger, is due PROMPT_WORKING_DAYS
    after it, and is done on the first reconsideration on or after it."""
    considered = sorted(considered_on)
    runs: dict[datetime.date | None, list[Trigger]] = {}
    for trigger in sorted(triggers, key=lambda t: (t.on, t.reason)):
        met_by = next((day for day in considered if day >= trigger.on), None)
        runs.setdefault(met_by, []).append(trigger)
    found = []
    for met_by, run in runs.items():
        reasons = tuple(dict.fromkeys(t.reason for t in run))  # in order, once each
        first = run[0].on
        found.append(Prompt(first, reasons, add_working_days(first, PROMPT_WORKING_DAYS), met_by))
    return sorted(found, key=lambda p: p.first_on)
