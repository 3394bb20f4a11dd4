"""The plain rules behind the reunification prompts: repeated missing episodes
(the number and the window are constants, tested at their boundary), and one
prompt for each run of events met by the same reconsideration."""

import datetime

import pytest

from reviews.supervision import rules
from reviews.supervision.rules import Trigger, prompts, repeated_missing

D = datetime.date


def test_the_threshold_is_three_episodes_in_ninety_days():
    assert rules.MISSING_EPISODES_FOR_PROMPT == 3
    assert rules.MISSING_WINDOW_DAYS == 90


def test_three_missing_episodes_starting_within_ninety_days_prompt_on_the_third():
    # 1 January to 31 March 2026 is 89 days on: the window's first and last days.
    assert repeated_missing([D(2026, 1, 1), D(2026, 2, 14), D(2026, 3, 31)]) == [D(2026, 3, 31)]


def test_three_episodes_spread_over_ninety_one_days_do_not():
    # 1 January to 1 April 2026 is 90 days on: a 91-day span.
    assert repeated_missing([D(2026, 1, 1), D(2026, 2, 14), D(2026, 4, 1)]) == []


def test_two_episodes_are_not_enough_however_close():
    assert repeated_missing([D(2026, 3, 1), D(2026, 3, 2)]) == []


def test_the_window_counts_the_leap_day():
    # 1 December 2027 to 28 February 2028 is 89 days; to 29 February, 90.
    assert repeated_missing([D(2027, 12, 1), D(2028, 1, 15), D(2028, 2, 28)]) == [D(2028, 2, 28)]
    assert repeated_missing([D(2027, 12, 1), D(2028, 1, 15), D(2028, 2, 29)]) == []


def test_each_further_episode_in_the_window_is_a_day_it_is_reached_again():
    starts = [D(2026, 5, 4), D(2026, 5, 1), D(2026, 5, 20), D(2026, 6, 2)]  # any order
    assert repeated_missing(starts) == [D(2026, 5, 20), D(2026, 6, 2)]


def test_events_before_any_reconsideration_make_one_prompt_due_ten_working_days_on():
    found = prompts(
        [Trigger(D(2026, 3, 2), "placement changed"), Trigger(D(2026, 3, 5), "IRO")], []
    )
    assert found == [
        rules.Prompt(D(2026, 3, 2), ("placement changed", "IRO"), D(2026, 3, 16), None)
    ]


def test_the_prompt_date_skips_the_easter_bank_holidays():
    # Thursday 26 March 2026 + 10 working days, past Good Friday and Easter Monday.
    (prompt,) = prompts([Trigger(D(2026, 3, 26), "placement changed")], [])
    assert prompt.due_on == D(2026, 4, 13)


def test_a_reconsideration_on_or_after_the_event_meets_it_and_later_events_prompt_again():
    triggers = [
        Trigger(D(2026, 1, 30), "placement changed"),
        Trigger(D(2026, 2, 10), "missing"),
        Trigger(D(2026, 2, 28), "went home"),
    ]
    found = prompts(triggers, [D(2026, 2, 10), D(2025, 12, 1)])
    assert [(p.first_on, p.reasons, p.done_on) for p in found] == [
        (D(2026, 1, 30), ("placement changed", "missing"), D(2026, 2, 10)),
        (D(2026, 2, 28), ("went home",), None),
    ]


def test_a_reconsideration_before_the_event_does_not_meet_it():
    (prompt,) = prompts([Trigger(D(2026, 3, 1), "missing")], [D(2026, 2, 28)])
    assert prompt.done_on is None


@pytest.mark.parametrize("considered", [[], [D(2026, 3, 31)]])
def test_the_same_reason_twice_is_named_once(considered):
    (prompt,) = prompts([Trigger(D(2026, 3, 1), "x"), Trigger(D(2026, 3, 2), "x")], considered)
    assert prompt.reasons == ("x",)
