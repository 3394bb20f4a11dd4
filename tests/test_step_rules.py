"""The six-month step rules (Appendix A, "movement between levels over time"):
given a case's signed-off assessments, the dates the rest of the system acts on.

Each assessment below follows its level's column of the tool unless a test says
otherwise: at Low the risk factors are addressed, at Medium not all are, at High
and Severe they are not being addressed; protective factors are apparent except
at Severe; parents can show capacity for change at Low and Medium only.
"""

import datetime

import pytest

from cases.dates import add_months
from risk.step_rules import SignedOffAssessment, StepDates, departure, step_dates
from risk.tool import CapacityForChange, Level, ProtectiveFactors, RiskFactors

D = datetime.date
L, M, H, S = Level.LOW, Level.MEDIUM, Level.HIGH, Level.SEVERE
DAY = datetime.timedelta(days=1)

ADDRESSED = RiskFactors.ADDRESSED
NOT_ALL = RiskFactors.NOT_ALL_ADDRESSED
NOT_BEING = RiskFactors.NOT_BEING_ADDRESSED
APPARENT = ProtectiveFactors.APPARENT
NONE = ProtectiveFactors.NONE
ABLE = CapacityForChange.ABLE
UNABLE = CapacityForChange.UNABLE

COLUMN = {
    L: (ADDRESSED, APPARENT, ABLE),
    M: (NOT_ALL, APPARENT, ABLE),
    H: (NOT_BEING, APPARENT, UNABLE),
    S: (NOT_BEING, NONE, UNABLE),
}


def signed_off(
    on: datetime.date,
    level: Level,
    *,
    risk: str | None = None,
    protective: str | None = None,
    capacity: str | None = None,
    sequence: int = 0,
) -> SignedOffAssessment:
    default_risk, default_protective, default_capacity = COLUMN[level]
    return SignedOffAssessment(
        assessed_on=on,
        level=level,
        risk_factors=risk or default_risk,
        protective_factors=protective or default_protective,
        capacity_for_change=capacity or default_capacity,
        sequence=sequence,
    )


# An empty history


def test_with_no_signed_off_assessment_there_is_no_level_and_no_dates():
    dates = step_dates([])

    assert dates == StepDates(level=None)
    assert not dates.may_close(D(2026, 1, 1))
    assert not dates.may_step_down(D(2026, 1, 1))


# Low held six months: the case may close


@pytest.mark.parametrize(
    "low_since, may_close_from",
    [
        (D(2025, 1, 15), D(2025, 7, 15)),
        # Leap day to the same day six months on.
        (D(2024, 2, 29), D(2024, 8, 29)),
        # Month ends: six months on is the last day of a shorter month.
        (D(2023, 8, 31), D(2024, 2, 29)),
        (D(2025, 8, 31), D(2026, 2, 28)),
        (D(2025, 3, 31), D(2025, 9, 30)),
        (D(2024, 12, 31), D(2025, 6, 30)),
        # Across the turn of the year.
        (D(2025, 9, 30), D(2026, 3, 30)),
    ],
    ids=str,
)
def test_low_held_six_calendar_months_means_the_case_may_close(low_since, may_close_from):
    dates = step_dates([signed_off(low_since, L)])

    assert dates.level == L
    assert dates.level_since == low_since
    assert dates.closure_from == may_close_from
    assert not dates.may_close(may_close_from - DAY)
    assert dates.may_close(may_close_from)
    assert dates.may_close(may_close_from + DAY)


def test_low_has_no_step_down_and_no_severe_date():
    dates = step_dates([signed_off(D(2025, 1, 15), L)])

    assert dates.step_down_to is None
    assert dates.step_down_from is None
    assert dates.reconsider_severe_by is None
    assert not dates.move_to_severe_now


def test_low_is_counted_from_the_first_of_an_unbroken_run_at_low():
    dates = step_dates([signed_off(D(2025, 1, 15), L), signed_off(D(2025, 4, 1), L, sequence=1)])

    assert dates.level_since == D(2025, 1, 15)
    assert dates.closure_from == D(2025, 7, 15)


def test_a_case_that_came_down_from_medium_holds_low_a_further_six_months_before_closing():
    history = [
        signed_off(D(2024, 6, 1), M, risk=ADDRESSED),
        signed_off(D(2025, 1, 15), L, sequence=1),
    ]

    dates = step_dates(history)

    assert dates.level == L
    assert dates.level_since == D(2025, 1, 15)
    assert dates.closure_from == D(2025, 7, 15)
    assert not dates.may_close(D(2025, 7, 14))


def test_low_again_after_a_spell_at_medium_starts_its_six_months_afresh():
    history = [
        signed_off(D(2024, 1, 10), L),
        signed_off(D(2024, 5, 10), M, sequence=1),
        signed_off(D(2024, 12, 10), L, sequence=2),
    ]

    assert step_dates(history).closure_from == D(2025, 6, 10)


# Medium to Low: all risk factors addressed, sustained six months


def test_medium_waits_while_the_risk_factors_are_not_all_addressed():
    dates = step_dates([signed_off(D(2025, 1, 10), M)])

    assert dates.level == M
    assert dates.step_down_to == L
    assert dates.step_down_from is None
    assert dates.step_down_waits_for == "all risk factors to be addressed"
    assert not dates.may_step_down(D(2030, 1, 1))
    assert dates.closure_from is None


@pytest.mark.parametrize(
    "history, earliest",
    [
        pytest.param([(D(2025, 1, 10), ADDRESSED)], D(2025, 7, 10), id="addressed from the start"),
        pytest.param(
            [(D(2025, 1, 10), NOT_ALL), (D(2025, 4, 10), ADDRESSED), (D(2025, 7, 10), ADDRESSED)],
            D(2025, 10, 10),
            id="addressed from the second assessment",
        ),
        pytest.param(
            [(D(2025, 1, 10), ADDRESSED), (D(2025, 3, 10), NOT_ALL), (D(2025, 5, 10), ADDRESSED)],
            D(2025, 11, 10),
            id="a lapse starts the run again",
        ),
        pytest.param(
            [(D(2025, 1, 10), ADDRESSED), (D(2025, 5, 10), NOT_ALL)],
            None,
            id="addressed once but not any more",
        ),
        pytest.param(
            [(D(2025, 2, 28), NOT_ALL), (D(2025, 8, 31), ADDRESSED)],
            D(2026, 2, 28),
            id="run starting on a month end",
        ),
    ],
)
def test_medium_steps_down_six_months_after_the_risk_factors_were_all_addressed(history, earliest):
    dates = step_dates(
        [signed_off(on, M, risk=risk, sequence=n) for n, (on, risk) in enumerate(history)]
    )

    assert dates.level_since == history[0][0]
    assert dates.step_down_from == earliest
    assert dates.step_down_waits_for == ("" if earliest else "all risk factors to be addressed")


def test_medium_may_step_down_on_the_day_six_months_on_and_not_the_day_before():
    dates = step_dates([signed_off(D(2025, 3, 31), M, risk=ADDRESSED)])

    assert dates.step_down_from == D(2025, 9, 30)
    assert not dates.may_step_down(D(2025, 9, 29))
    assert dates.may_step_down(D(2025, 9, 30))


def test_risk_factors_addressed_while_still_at_high_do_not_count_towards_low():
    # Six months at Medium are needed, whatever the answers were at High.
    history = [
        signed_off(D(2025, 1, 1), H, risk=ADDRESSED, capacity=ABLE),
        signed_off(D(2025, 7, 1), M, risk=ADDRESSED, sequence=1),
    ]

    dates = step_dates(history)

    assert dates.level_since == D(2025, 7, 1)
    assert dates.step_down_from == D(2026, 1, 1)
    assert dates.departures == ()


# High to Medium: capacity for change, risks being addressed, protective
# factors still there, sustained six months


def test_high_without_progress_waits_to_step_down():
    dates = step_dates([signed_off(D(2025, 1, 10), H)])

    assert dates.step_down_to == M
    assert dates.step_down_from is None
    assert dates.step_down_waits_for == (
        "capacity for change, the risk factors being addressed and protective factors"
    )


@pytest.mark.parametrize(
    "risk, protective, capacity, progress",
    [
        (NOT_ALL, APPARENT, ABLE, True),
        (ADDRESSED, APPARENT, ABLE, True),
        (NOT_ALL, APPARENT, UNABLE, False),
        (NOT_BEING, APPARENT, ABLE, False),
        (NOT_ALL, NONE, ABLE, False),
    ],
    ids=str,
)
def test_progress_at_high_needs_capacity_addressing_and_protective_factors(
    risk, protective, capacity, progress
):
    dates = step_dates(
        [
            signed_off(D(2025, 1, 10), H),
            signed_off(
                D(2025, 3, 10),
                H,
                risk=risk,
                protective=protective,
                capacity=capacity,
                sequence=1,
            ),
        ]
    )

    assert dates.step_down_from == (D(2025, 9, 10) if progress else None)


def test_a_lapse_at_high_starts_the_six_months_again():
    progress = {"risk": NOT_ALL, "capacity": ABLE}
    history = [
        signed_off(D(2025, 1, 10), H, **progress),
        signed_off(D(2025, 3, 10), H, risk=NOT_ALL, capacity=UNABLE, sequence=1),
        signed_off(D(2025, 5, 10), H, **progress, sequence=2),
        signed_off(D(2025, 8, 10), H, **progress, sequence=3),
    ]

    dates = step_dates(history)

    assert dates.level_since == D(2025, 1, 10)
    assert dates.step_down_from == D(2025, 11, 10)
    assert not dates.may_step_down(D(2025, 11, 9))
    assert dates.may_step_down(D(2025, 11, 10))


def test_high_to_medium_then_six_more_months_to_low():
    history = [
        signed_off(D(2024, 7, 1), H, risk=NOT_ALL, capacity=ABLE),
        signed_off(D(2025, 1, 6), M, risk=ADDRESSED, sequence=1),
    ]

    dates = step_dates(history)

    assert (dates.level, dates.step_down_to, dates.step_down_from) == (M, L, D(2025, 7, 6))


# High for six months without the risk factors being addressed: reconsider for
# Severe. No protective factors at High: Severe at once.


@pytest.mark.parametrize(
    "high_since, reconsider_by",
    [
        (D(2025, 1, 10), D(2025, 7, 10)),
        (D(2024, 2, 29), D(2024, 8, 29)),
        (D(2025, 8, 31), D(2026, 2, 28)),
        (D(2025, 3, 31), D(2025, 9, 30)),
    ],
    ids=str,
)
def test_high_for_six_months_without_addressing_the_risks_is_reconsidered_for_severe(
    high_since, reconsider_by
):
    dates = step_dates([signed_off(high_since, H)])

    assert dates.level == H
    assert dates.reconsider_severe_by == reconsider_by
    assert not dates.move_to_severe_now


def test_the_severe_date_runs_from_when_the_risks_stopped_being_addressed():
    history = [
        signed_off(D(2025, 1, 10), H, risk=NOT_ALL),
        signed_off(D(2025, 3, 10), H, risk=NOT_BEING, sequence=1),
        signed_off(D(2025, 6, 10), H, risk=NOT_BEING, sequence=2),
    ]

    assert step_dates(history).reconsider_severe_by == D(2025, 9, 10)


def test_high_with_the_risks_now_being_addressed_has_no_severe_date():
    history = [
        signed_off(D(2025, 1, 10), H, risk=NOT_BEING),
        signed_off(D(2025, 3, 10), H, risk=NOT_ALL, sequence=1),
    ]

    assert step_dates(history).reconsider_severe_by is None


def test_high_with_no_protective_factors_moves_to_severe_now():
    dates = step_dates([signed_off(D(2025, 1, 10), H, protective=NONE)])

    assert dates.level == H
    assert dates.move_to_severe_now


def test_only_the_latest_assessment_at_high_decides_a_move_to_severe_now():
    history = [
        signed_off(D(2025, 1, 10), H, protective=NONE),
        signed_off(D(2025, 2, 10), H, protective=APPARENT, sequence=1),
    ]

    assert not step_dates(history).move_to_severe_now


# Severe to High: protective factors appear and/or the parents begin to address
# the risks, sustained six months


def test_severe_without_protective_factors_or_addressing_waits():
    dates = step_dates([signed_off(D(2025, 1, 10), S)])

    assert dates.level == S
    assert dates.step_down_to == H
    assert dates.step_down_from is None
    assert dates.step_down_waits_for == (
        "protective factors to appear or the risk factors to be addressed"
    )
    assert dates.reconsider_severe_by is None
    assert not dates.move_to_severe_now


@pytest.mark.parametrize(
    "risk, protective, earliest",
    [
        pytest.param(NOT_BEING, APPARENT, D(2025, 8, 10), id="protective factors appear"),
        pytest.param(NOT_ALL, NONE, D(2025, 8, 10), id="parents begin to address the risks"),
        pytest.param(NOT_ALL, APPARENT, D(2025, 8, 10), id="both"),
        pytest.param(NOT_BEING, NONE, None, id="neither"),
    ],
)
def test_severe_steps_down_to_high_six_months_after_progress_began(risk, protective, earliest):
    history = [
        signed_off(D(2025, 1, 10), S),
        signed_off(D(2025, 2, 10), S, risk=risk, protective=protective, sequence=1),
    ]

    assert step_dates(history).step_down_from == earliest


def test_a_lapse_at_severe_starts_the_six_months_again():
    history = [
        signed_off(D(2025, 1, 10), S, protective=APPARENT),
        signed_off(D(2025, 3, 10), S, sequence=1),
        signed_off(D(2025, 4, 10), S, protective=APPARENT, sequence=2),
    ]

    assert step_dates(history).step_down_from == D(2025, 10, 10)


# The period suits the child's timescale


@pytest.mark.parametrize(
    "months, closure_from",
    [(3, D(2025, 11, 30)), (6, D(2026, 2, 28)), (12, D(2026, 8, 31))],
)
def test_the_period_at_low_is_settable(months, closure_from):
    dates = step_dates([signed_off(D(2025, 8, 31), L)], period_months=months)

    assert dates.closure_from == closure_from


@pytest.mark.parametrize("months, step_down_from", [(3, D(2025, 4, 10)), (12, D(2026, 1, 10))])
def test_the_period_at_medium_is_settable(months, step_down_from):
    dates = step_dates([signed_off(D(2025, 1, 10), M, risk=ADDRESSED)], period_months=months)

    assert dates.step_down_from == step_down_from


@pytest.mark.parametrize(
    "months, reconsider_by",
    [
        (3, D(2025, 4, 10)),
        (6, D(2025, 7, 10)),
        # Escalation is never more than six months away, whatever the child's period.
        (7, D(2025, 7, 10)),
        (12, D(2025, 7, 10)),
    ],
)
def test_the_period_at_high_is_settable_but_escalation_waits_six_months_at_most(
    months, reconsider_by
):
    dates = step_dates([signed_off(D(2025, 1, 10), H)], period_months=months)

    assert dates.reconsider_severe_by == reconsider_by
    # Every High case is reassessed within the child's period.
    assert dates.reassess_by == add_months(D(2025, 1, 10), months)


@pytest.mark.parametrize(
    "months, step_down_from", [(3, D(2025, 4, 10)), (12, D(2026, 1, 10)), (18, D(2026, 7, 10))]
)
def test_step_down_from_high_uses_the_childs_period_even_when_longer_than_six(
    months, step_down_from
):
    progress = signed_off(D(2025, 1, 10), H, risk=NOT_ALL, capacity=ABLE)

    dates = step_dates([progress], period_months=months)

    assert dates.step_down_from == step_down_from
    assert dates.reconsider_severe_by is None  # the risk factors are being addressed


@pytest.mark.parametrize(
    "stuck_since, reconsider_by",
    [
        (D(2025, 8, 31), D(2026, 2, 28)),  # month end: the last day of February
        (D(2023, 8, 31), D(2024, 2, 29)),  # ... of a leap year
        (D(2024, 2, 29), D(2024, 8, 29)),
    ],
)
def test_escalation_with_a_long_period_at_month_ends(stuck_since, reconsider_by):
    dates = step_dates([signed_off(stuck_since, H)], period_months=12)

    assert dates.reconsider_severe_by == reconsider_by


@pytest.mark.parametrize("months", [0, -6])
def test_a_period_of_less_than_a_month_is_refused(months):
    with pytest.raises(ValueError):
        step_dates([signed_off(D(2025, 1, 10), L)], period_months=months)


def test_a_period_of_less_than_a_month_is_refused_before_any_assessment_is_signed_off():
    # A case whose period is wrong should fail when the period is set, not on the
    # day its first assessment is signed off.
    with pytest.raises(ValueError):
        step_dates([], period_months=0)


# The order of the history: by the date assessed, then the order signed off


def test_a_back_dated_assessment_takes_its_place_by_the_date_assessed():
    # Low on 10 January and 10 June; a Medium assessment dated 10 March is signed
    # off last. The Low run now starts in June, and is a step down three months
    # into Medium: its period counts from 10 September, when the rules allow Low.
    history = [
        signed_off(D(2025, 1, 10), L, sequence=0),
        signed_off(D(2025, 6, 10), L, sequence=1),
        signed_off(D(2025, 3, 10), M, sequence=2),
    ]

    dates = step_dates(history)

    assert dates.level == L
    assert dates.level_since == D(2025, 6, 10)
    assert dates.counted_from == D(2025, 9, 10)
    assert dates.closure_from == D(2026, 3, 10)
    assert [d.assessed_on for d in dates.departures] == [D(2025, 6, 10)]


def test_the_current_level_is_the_latest_by_date_not_the_latest_signed_off():
    history = [
        signed_off(D(2025, 3, 1), M, sequence=0),
        signed_off(D(2025, 5, 1), L, sequence=1),
        signed_off(D(2025, 4, 1), H, sequence=2),  # back-dated, signed off last
    ]

    dates = step_dates(history)

    assert dates.level == L
    assert dates.level_since == D(2025, 5, 1)


def test_the_order_the_history_is_given_in_does_not_matter():
    history = [
        signed_off(D(2025, 1, 10), M, risk=ADDRESSED, sequence=0),
        signed_off(D(2025, 3, 10), M, risk=NOT_ALL, sequence=1),
        signed_off(D(2025, 5, 10), M, risk=ADDRESSED, sequence=2),
    ]

    assert step_dates(reversed(history)) == step_dates(history)
    assert step_dates(history).step_down_from == D(2025, 11, 10)


@pytest.mark.parametrize(
    "first, second, current", [(M, L, L), (L, M, M)], ids=["medium then low", "low then medium"]
)
def test_two_assessments_on_one_day_are_settled_by_the_order_signed_off(first, second, current):
    history = [
        signed_off(D(2025, 4, 1), second, sequence=1),
        signed_off(D(2025, 4, 1), first, sequence=0),
    ]

    dates = step_dates(history)

    assert dates.level == current
    assert dates.level_since == D(2025, 4, 1)


# Departures: a step down sooner than the rules allow


def test_high_then_low_a_month_later_departs_and_does_not_bring_closure_forward():
    # High with progress from 15 January; Low confirmed on 15 February. The rules
    # allow Medium from 15 July and Low a period later, 15 January 2027: Low is
    # counted from then, and the case may close a period after that.
    history = [
        signed_off(D(2026, 1, 15), H, risk=NOT_ALL, capacity=ABLE),
        signed_off(D(2026, 2, 15), L, sequence=1),
    ]

    dates = step_dates(history)

    assert dates.level == L
    assert dates.level_since == D(2026, 2, 15)
    assert dates.counted_from == D(2027, 1, 15)
    assert dates.closure_from == D(2027, 7, 15)
    (early,) = dates.departures
    assert (early.from_level, early.to_level, early.permitted) == (H, L, H)
    assert early.earliest == D(2027, 1, 15)
    assert "do not allow Low on 15 February 2026" in str(early)


@pytest.mark.parametrize(
    "level, assessed_on, departs, earliest",
    [
        # Medium since 31 August 2025, all risk factors addressed: Low from 28 February.
        (L, D(2026, 2, 27), True, D(2026, 2, 28)),
        (L, D(2026, 2, 28), False, None),  # exactly on the day
        (L, D(2026, 3, 1), False, None),
        (M, D(2025, 9, 1), False, None),  # the same level is never a departure
        (H, D(2025, 9, 1), False, None),  # nor a level up
    ],
)
def test_a_step_down_departs_until_the_earliest_date_exactly(level, assessed_on, departs, earliest):
    history = [signed_off(D(2025, 8, 31), M, risk=ADDRESSED)]

    found = departure(history, assessed_on=assessed_on, level=level)

    assert (found is not None) == departs
    if departs:
        assert found.earliest == earliest


@pytest.mark.parametrize(
    "medium_since, low_on, departs",
    [
        # While the rules wait for the risk factors to be addressed, the step is a
        # departure until the level has been held a full period.
        (D(2023, 8, 29), D(2024, 2, 28), True),
        (D(2023, 8, 29), D(2024, 2, 29), False),  # 29 February, exactly on the day
        (D(2023, 8, 31), D(2024, 2, 28), True),
        (D(2023, 8, 31), D(2024, 2, 29), False),  # the month's last day
    ],
)
def test_waiting_for_a_condition_a_step_down_needs_a_full_period(medium_since, low_on, departs):
    history = [signed_off(medium_since, M)]  # not all risk factors addressed

    assert (departure(history, assessed_on=low_on, level=L) is not None) == departs


def test_two_levels_at_once_always_departs_and_each_level_takes_a_period():
    # Severe with progress since 1 March 2025: High allowed from 1 September.
    # Medium on 1 October 2025 skips High: it counts from 1 March 2026.
    history = [signed_off(D(2025, 3, 1), S, protective=APPARENT)]

    found = departure(history, assessed_on=D(2025, 10, 1), level=M)

    assert found.permitted == H
    assert found.earliest == D(2026, 4, 1)


def test_after_a_departure_medium_counts_from_when_the_rules_allow_it():
    history = [
        signed_off(D(2025, 1, 1), H, risk=NOT_ALL, capacity=ABLE),
        signed_off(D(2025, 2, 1), M, risk=ADDRESSED, sequence=1),
        signed_off(D(2025, 5, 1), M, risk=ADDRESSED, sequence=2),
    ]

    dates = step_dates(history)

    assert dates.level_since == D(2025, 2, 1)
    assert dates.counted_from == D(2025, 7, 1)
    # Medium a period from 1 July, not from 1 February.
    assert dates.step_down_from == D(2026, 1, 1)


def test_a_level_up_after_a_departure_starts_afresh():
    history = [
        signed_off(D(2025, 1, 1), H, risk=NOT_ALL, capacity=ABLE),
        signed_off(D(2025, 2, 1), L, sequence=1),
        signed_off(D(2025, 3, 1), M, risk=ADDRESSED, sequence=2),
    ]

    dates = step_dates(history)

    assert dates.counted_from == D(2025, 3, 1)
    assert dates.step_down_from == D(2025, 9, 1)
    assert len(dates.departures) == 1  # the early Low stays in the history


def test_a_departure_only_looks_at_assessments_up_to_its_own_date():
    history = [
        signed_off(D(2025, 1, 1), M, risk=ADDRESSED),
        signed_off(D(2025, 9, 1), H, sequence=1),  # later than the new assessment
    ]

    assert departure(history, assessed_on=D(2025, 8, 1), level=L) is None
    assert departure(history, assessed_on=D(2025, 6, 30), level=L).earliest == D(2025, 7, 1)


def test_with_nothing_signed_off_no_level_is_a_departure():
    assert departure([], assessed_on=D(2025, 1, 1), level=L) is None


def test_the_childs_period_sets_the_earliest_date_of_a_departure():
    history = [signed_off(D(2025, 1, 31), M, risk=ADDRESSED)]

    found = departure(history, assessed_on=D(2025, 6, 1), level=L, period_months=9)

    assert found.earliest == D(2025, 10, 31)
