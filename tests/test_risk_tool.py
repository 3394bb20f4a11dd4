"""The NSPCC risk classification tool (practice guidance, Appendix A): five
judgements in, a suggested level and the reasons out.

Each answer points to the levels it is consistent with. The tool suggests the most
serious level the answers support (taking each answer at the least serious level it
allows) and names every answer that does not fit the suggestion as a conflict.
"""

import itertools

import pytest

from risk.tool import (
    WHAT_FOLLOWS,
    CapacityForChange,
    Level,
    ProtectiveFactors,
    Recurrence,
    RiskFactors,
    WishesAboutReturn,
    level_after_new_risks,
    suggest_level,
)

L, M, H, S = Level.LOW, Level.MEDIUM, Level.HIGH, Level.SEVERE

RISK = "Risk factors"
PROTECTIVE = "Protective factors"
CAPACITY = "Parents' sustained capacity for actual change"
WISHES = "Wishes about return home"
RECURRENCE = "Likelihood abuse recurs if the child returns"

# Appendix A, one column per level: the five answers that make up the pattern.
COLUMNS = {
    L: {
        "risk_factors": RiskFactors.ADDRESSED,
        "protective_factors": ProtectiveFactors.APPARENT,
        "capacity_for_change": CapacityForChange.ABLE,
        "wishes": WishesAboutReturn.BOTH_WANT,
        "recurrence": Recurrence.UNLIKELY,
    },
    M: {
        "risk_factors": RiskFactors.NOT_ALL_ADDRESSED,
        "protective_factors": ProtectiveFactors.APPARENT,
        "capacity_for_change": CapacityForChange.ABLE,
        "wishes": WishesAboutReturn.BOTH_WANT,
        "recurrence": Recurrence.SOME,
    },
    H: {
        "risk_factors": RiskFactors.NOT_BEING_ADDRESSED,
        "protective_factors": ProtectiveFactors.APPARENT,
        "capacity_for_change": CapacityForChange.UNABLE,
        "wishes": WishesAboutReturn.AMBIVALENT,
        "recurrence": Recurrence.STRONG,
    },
    S: {
        "risk_factors": RiskFactors.NOT_BEING_ADDRESSED,
        "protective_factors": ProtectiveFactors.NONE,
        "capacity_for_change": CapacityForChange.UNABLE,
        "wishes": WishesAboutReturn.AMBIVALENT,
        "recurrence": Recurrence.VERY_STRONG,
    },
}


def answers(column: Level, **changed) -> dict[str, str]:
    return {**COLUMNS[column], **changed}


# Every column


@pytest.mark.parametrize("level", list(Level), ids=lambda level: level.label)
def test_all_five_answers_in_one_column_suggest_that_level(level):
    suggestion = suggest_level(**COLUMNS[level])

    assert suggestion.level == level
    assert suggestion.conflicts == []
    assert suggestion.missing == []
    assert suggestion.complete
    assert suggestion.what_follows == WHAT_FOLLOWS[level]


# Every single-answer deviation from each column: (column, changed answer,
# suggested level, the judgements named as conflicts, in the tool's order).
DEVIATIONS = [
    # From Low.
    (L, {"risk_factors": RiskFactors.NOT_ALL_ADDRESSED}, M, [RECURRENCE]),
    (L, {"risk_factors": RiskFactors.NOT_BEING_ADDRESSED}, H, [CAPACITY, WISHES, RECURRENCE]),
    (L, {"protective_factors": ProtectiveFactors.NONE}, S, [RISK, CAPACITY, WISHES, RECURRENCE]),
    (L, {"capacity_for_change": CapacityForChange.UNABLE}, H, [RISK, WISHES, RECURRENCE]),
    (L, {"wishes": WishesAboutReturn.AMBIVALENT}, H, [RISK, CAPACITY, RECURRENCE]),
    (L, {"recurrence": Recurrence.SOME}, M, [RISK]),
    (L, {"recurrence": Recurrence.STRONG}, H, [RISK, CAPACITY, WISHES]),
    (L, {"recurrence": Recurrence.VERY_STRONG}, S, [RISK, PROTECTIVE, CAPACITY, WISHES]),
    # From Medium.
    (M, {"risk_factors": RiskFactors.ADDRESSED}, M, [RISK]),
    (M, {"risk_factors": RiskFactors.NOT_BEING_ADDRESSED}, H, [CAPACITY, WISHES, RECURRENCE]),
    (M, {"protective_factors": ProtectiveFactors.NONE}, S, [RISK, CAPACITY, WISHES, RECURRENCE]),
    (M, {"capacity_for_change": CapacityForChange.UNABLE}, H, [RISK, WISHES, RECURRENCE]),
    # Able to change but ambivalent: High, and capacity for change is named.
    (M, {"wishes": WishesAboutReturn.AMBIVALENT}, H, [RISK, CAPACITY, RECURRENCE]),
    (M, {"recurrence": Recurrence.UNLIKELY}, M, [RECURRENCE]),
    (M, {"recurrence": Recurrence.STRONG}, H, [RISK, CAPACITY, WISHES]),
    (M, {"recurrence": Recurrence.VERY_STRONG}, S, [RISK, PROTECTIVE, CAPACITY, WISHES]),
    # From High.
    (H, {"risk_factors": RiskFactors.ADDRESSED}, H, [RISK]),
    (H, {"risk_factors": RiskFactors.NOT_ALL_ADDRESSED}, H, [RISK]),
    (H, {"protective_factors": ProtectiveFactors.NONE}, S, [RECURRENCE]),
    (H, {"capacity_for_change": CapacityForChange.ABLE}, H, [CAPACITY]),
    (H, {"wishes": WishesAboutReturn.BOTH_WANT}, H, [WISHES]),
    (H, {"recurrence": Recurrence.UNLIKELY}, H, [RECURRENCE]),
    (H, {"recurrence": Recurrence.SOME}, H, [RECURRENCE]),
    (H, {"recurrence": Recurrence.VERY_STRONG}, S, [PROTECTIVE]),
    # From Severe.
    (S, {"risk_factors": RiskFactors.ADDRESSED}, S, [RISK]),
    (S, {"risk_factors": RiskFactors.NOT_ALL_ADDRESSED}, S, [RISK]),
    (S, {"protective_factors": ProtectiveFactors.APPARENT}, S, [PROTECTIVE]),
    (S, {"capacity_for_change": CapacityForChange.ABLE}, S, [CAPACITY]),
    (S, {"wishes": WishesAboutReturn.BOTH_WANT}, S, [WISHES]),
    (S, {"recurrence": Recurrence.UNLIKELY}, S, [RECURRENCE]),
    (S, {"recurrence": Recurrence.SOME}, S, [RECURRENCE]),
    (S, {"recurrence": Recurrence.STRONG}, S, [RECURRENCE]),
]


def deviation_id(case) -> str:
    column, changed, _, _ = case
    ((name, answer),) = changed.items()
    return f"{column.label}-{name}={answer}"


@pytest.mark.parametrize(
    "column, changed, expected, conflicting", DEVIATIONS, ids=map(deviation_id, DEVIATIONS)
)
def test_one_answer_out_of_its_column(column, changed, expected, conflicting):
    suggestion = suggest_level(**answers(column, **changed))

    assert suggestion.level == expected
    assert [conflict.judgement for conflict in suggestion.conflicts] == conflicting
    assert all(expected not in conflict.points_to for conflict in suggestion.conflicts)


def test_the_deviations_cover_every_other_answer_in_every_column():
    options = {
        "risk_factors": RiskFactors,
        "protective_factors": ProtectiveFactors,
        "capacity_for_change": CapacityForChange,
        "wishes": WishesAboutReturn,
        "recurrence": Recurrence,
    }
    expected = {
        (column, name, answer)
        for column, pattern in COLUMNS.items()
        for name, choices in options.items()
        for answer in choices
        if answer != pattern[name]
    }
    covered = {
        (column, name, answer)
        for column, changed, _, _ in DEVIATIONS
        for name, answer in changed.items()
    }

    assert covered == expected


def test_able_to_change_but_ambivalent_suggests_high_and_names_capacity_as_a_conflict():
    suggestion = suggest_level(
        risk_factors=RiskFactors.NOT_ALL_ADDRESSED,
        protective_factors=ProtectiveFactors.APPARENT,
        capacity_for_change=CapacityForChange.ABLE,
        wishes=WishesAboutReturn.AMBIVALENT,
        recurrence=Recurrence.SOME,
    )

    assert suggestion.level == H
    assert CAPACITY in [conflict.judgement for conflict in suggestion.conflicts]
    assert (
        "Parents' sustained capacity for actual change: “Able to demonstrate” points to "
        "Low or Medium"
    ) in [str(conflict) for conflict in suggestion.conflicts]


# The rule, checked over every combination of answers against Appendix A written
# out again here: each answer's levels, the suggestion is the most serious of the
# least serious level each answer allows, and the conflicts are the answers that
# do not allow the suggestion.
POINTS_TO = {
    "risk_factors": {
        RiskFactors.ADDRESSED: {L},
        RiskFactors.NOT_ALL_ADDRESSED: {M},
        RiskFactors.NOT_BEING_ADDRESSED: {H, S},
    },
    "protective_factors": {ProtectiveFactors.APPARENT: {L, M, H}, ProtectiveFactors.NONE: {S}},
    "capacity_for_change": {CapacityForChange.ABLE: {L, M}, CapacityForChange.UNABLE: {H, S}},
    "wishes": {WishesAboutReturn.BOTH_WANT: {L, M}, WishesAboutReturn.AMBIVALENT: {H, S}},
    "recurrence": {
        Recurrence.UNLIKELY: {L},
        Recurrence.SOME: {M},
        Recurrence.STRONG: {H},
        Recurrence.VERY_STRONG: {S},
    },
}
EVERY_COMBINATION = [
    dict(zip(POINTS_TO, combination, strict=True))
    for combination in itertools.product(*(table.keys() for table in POINTS_TO.values()))
]


@pytest.mark.parametrize("given", EVERY_COMBINATION, ids=lambda g: "/".join(g.values()))
def test_every_combination_suggests_the_most_serious_level_the_answers_support(given):
    sets = {name: POINTS_TO[name][answer] for name, answer in given.items()}
    expected = max(min(levels) for levels in sets.values())

    suggestion = suggest_level(**given)

    assert suggestion.level == expected
    assert [(c.judgement, set(c.points_to)) for c in suggestion.conflicts] == [
        (reason.judgement, sets[name])
        for name, reason in zip(given, suggestion.reasons, strict=True)
        if expected not in sets[name]
    ]


def test_there_are_96_combinations():
    assert len(EVERY_COMBINATION) == 3 * 2 * 2 * 2 * 4


# Missing answers


@pytest.mark.parametrize(
    "left_out, named",
    [
        ("risk_factors", RISK),
        ("protective_factors", PROTECTIVE),
        ("capacity_for_change", CAPACITY),
        ("wishes", WISHES),
        ("recurrence", RECURRENCE),
    ],
)
@pytest.mark.parametrize("blank", [None, ""], ids=["none", "empty"])
def test_a_missing_answer_gives_no_level_and_is_named(left_out, named, blank):
    suggestion = suggest_level(**answers(M, **{left_out: blank}))

    assert suggestion.level is None
    assert suggestion.missing == [named]
    assert not suggestion.complete
    assert suggestion.reasons == []
    assert suggestion.conflicts == []
    assert suggestion.what_follows == ""


def test_with_no_answers_everything_is_listed_as_missing():
    suggestion = suggest_level(
        risk_factors=None,
        protective_factors=None,
        capacity_for_change=None,
        wishes=None,
        recurrence=None,
    )

    assert suggestion.level is None
    assert suggestion.missing == [RISK, PROTECTIVE, CAPACITY, WISHES, RECURRENCE]


def test_an_answer_the_tool_does_not_know_is_refused_not_guessed():
    with pytest.raises(ValueError):
        suggest_level(**answers(L, recurrence="quite_likely"))


# Reasons, in the tool's wording


def test_the_reasons_give_each_of_the_five_answers_and_where_it_points():
    suggestion = suggest_level(**COLUMNS[L])

    assert [str(reason) for reason in suggestion.reasons] == [
        "Risk factors: “Previous risk factors fully addressed; any other risks at a low level "
        "that can be safely managed” points to Low",
        "Protective factors: “Apparent” points to Low, Medium or High",
        "Parents' sustained capacity for actual change: “Able to demonstrate” points to "
        "Low or Medium",
        "Wishes about return home: “Parents and child both want return home” points to "
        "Low or Medium",
        "Likelihood abuse recurs if the child returns: “Unlikely” points to Low",
    ]


def test_the_reasons_for_a_severe_pattern_use_the_tool_wording():
    suggestion = suggest_level(**COLUMNS[S])

    assert [str(reason) for reason in suggestion.reasons] == [
        "Risk factors: “Risk factors apparent and not being addressed” points to High or Severe",
        "Protective factors: “No protective factors apparent” points to Severe",
        "Parents' sustained capacity for actual change: “Unable to demonstrate” points to "
        "High or Severe",
        "Wishes about return home: “Ambivalence by parent and/or child” points to High or Severe",
        "Likelihood abuse recurs if the child returns: “Very strong possibility” points to Severe",
    ]


@pytest.mark.parametrize(
    "answer, wording",
    [
        (
            RiskFactors.ADDRESSED,
            "previous risk factors fully addressed; any other risks at a low level that can be "
            "safely managed",
        ),
        (RiskFactors.NOT_ALL_ADDRESSED, "risk factors apparent, or not all fully addressed"),
        (RiskFactors.NOT_BEING_ADDRESSED, "risk factors apparent and not being addressed"),
        (ProtectiveFactors.APPARENT, "apparent"),
        (ProtectiveFactors.NONE, "no protective factors apparent"),
        (CapacityForChange.ABLE, "able to demonstrate"),
        (CapacityForChange.UNABLE, "unable to demonstrate"),
        (WishesAboutReturn.BOTH_WANT, "parents and child both want return home"),
        (WishesAboutReturn.AMBIVALENT, "ambivalence by parent and/or child"),
        (Recurrence.UNLIKELY, "unlikely"),
        (Recurrence.SOME, "some possibility"),
        (Recurrence.STRONG, "strong possibility"),
        (Recurrence.VERY_STRONG, "very strong possibility"),
    ],
    ids=str,
)
def test_every_answer_option_carries_the_tool_wording(answer, wording):
    assert answer.label.lower() == wording


@pytest.mark.parametrize(
    "level, phrase",
    [
        (L, "Child in Need plan"),
        (M, "services to reduce the risks and build protective factors"),
        (H, "concurrent planning for permanent separation"),
        (S, "The child remains looked after"),
    ],
)
def test_what_follows_at_each_level_is_the_tool_last_row(level, phrase):
    assert phrase in suggest_level(**COLUMNS[level]).what_follows


# New or re-emerging risk factors move a Low or Medium case up at once.


@pytest.mark.parametrize(
    "current, capacity, protective, moved_to",
    [
        (L, CapacityForChange.ABLE, ProtectiveFactors.APPARENT, M),
        (L, CapacityForChange.UNABLE, ProtectiveFactors.APPARENT, H),
        (L, CapacityForChange.UNABLE, ProtectiveFactors.NONE, S),
        (L, CapacityForChange.ABLE, ProtectiveFactors.NONE, S),
        (M, CapacityForChange.ABLE, ProtectiveFactors.APPARENT, M),
        (M, CapacityForChange.UNABLE, ProtectiveFactors.APPARENT, H),
        (M, CapacityForChange.UNABLE, ProtectiveFactors.NONE, S),
        (M, CapacityForChange.ABLE, ProtectiveFactors.NONE, S),
    ],
    ids=str,
)
def test_new_risk_factors_move_a_low_or_medium_case_up_at_once(
    current, capacity, protective, moved_to
):
    assert (
        level_after_new_risks(current, capacity_for_change=capacity, protective_factors=protective)
        == moved_to
    )


@pytest.mark.parametrize("current", list(Level), ids=lambda level: level.label)
@pytest.mark.parametrize("capacity", list(CapacityForChange), ids=str)
@pytest.mark.parametrize("protective", list(ProtectiveFactors), ids=str)
def test_new_risk_factors_never_move_a_case_down(current, capacity, protective):
    moved = level_after_new_risks(
        current, capacity_for_change=capacity, protective_factors=protective
    )

    assert moved >= current


def test_a_high_case_that_can_change_stays_high_when_new_risks_emerge():
    assert (
        level_after_new_risks(
            H,
            capacity_for_change=CapacityForChange.ABLE,
            protective_factors=ProtectiveFactors.APPARENT,
        )
        == H
    )


# Levels as stored


@pytest.mark.parametrize(
    "level, code, label",
    [(L, "low", "Low"), (M, "medium", "Medium"), (H, "high", "High"), (S, "severe", "Severe")],
)
def test_levels_round_trip_through_their_stored_codes(level, code, label):
    assert level.code == code
    assert level.label == label
    assert Level.from_code(code) is level
