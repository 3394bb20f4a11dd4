"""The outcomes report as tables (see reporting.tables): each figure of
reporting.outcomes with a caption, its rows and a note saying how it is counted."""

from . import outcomes as o
from .outcome_concerns import concerns_after_return
from .selectors import Scope
from .tables import Table

RATE_HEADERS = ["Group", "Returns", "Came back into care", "Rate"]
RATE_NOTE = (
    "Came back into care at any time after the return, up to today, by the child's whole "
    "record. Numbers from 1 to 4 are shown as fewer than 5; when only one number in a "
    "column would be hidden, the next smallest is not shown either, so it cannot be worked "
    "out from the total. A rate is shown only where both its numbers are."
)


def _percent(value) -> str:
    return "–" if value is None else f"{value}%"


def _window_cell(followed: int, back: int) -> str:
    if not followed:
        return "Not yet followed"
    return f"{back} of {followed} ({_percent(o._rate(back, followed))})"


def _national_at(month: int) -> str:
    share = o.NATIONAL.get(month)
    return f"{100 - share}%" if share is not None else ""


def survival_table(scope: Scope) -> Table:
    rows = [
        [m.month, f"{m.at_home}%", m.followed, m.came_back, m.censored, _national_at(m.month)]
        for m in o.survival(scope)
    ]
    return Table(
        "survival",
        "Time at home: the share of children still at home, by months since the return",
        [
            "Months since the return",
            "Still at home (estimate)",
            "Followed through the next month",
            "Came back into care in the next month",
            "Still at home, followed only this long so far",
            "England: still at home",
        ],
        rows,
        note="Kaplan–Meier estimate over returns in the period: each month, the children "
        "who came back into care over those at home and followed through that month; a "
        "return not yet followed that long counts up to the months it has been followed "
        "(censored). Months are calendar months from the day of the return. England: about "
        "12% back in care by three months, 20% by one year and 35% by six years.",
    )


def outcome_tables(scope: Scope) -> list[Table]:
    returns = o.returns_home(scope)
    re_entry = o.re_entry(scope)
    at_home = o.time_at_home_before_re_entry(scope)
    repeats = o.repeat_returns(scope)
    rates = o.breakdown_rates(scope)
    support = o.support_after_return(scope)
    ruled_out = o.ruled_out(scope)
    concerns = concerns_after_return(scope)

    def rate_table(key, caption, group):
        return Table(key, caption, RATE_HEADERS, o.suppressed_rows(rates[group]), note=RATE_NOTE)

    return [
        Table(
            "returns",
            "Returns home in the period",
            ["Returns", "Number"],
            [
                ["Planned", returns["planned"]],
                ["Unplanned", returns["unplanned"]],
                ["All returns", returns["total"]],
            ],
            chart_column=1,
            note="Each return home recorded in the period, by its date.",
        ),
        Table(
            "re-entry",
            "Re-entry to care after a return home",
            ["Within", "Returns followed that long", "Came back into care", "Rate", "England"],
            [
                [r.window, r.observed, r.came_back, _percent(r.percent), r.national]
                for r in re_entry
            ],
            note="Counted by the child, whether or not the case was still open: the child "
            "came back into care when a breakdown was recorded, or when the child's record next "
            "shows care (a placement away from the parents, a new legal status starting a "
            "period of care, a later case, or a care episode). Each window counts only "
            "returns in the period followed that long by today, in calendar months (three "
            "months after 31 August is 30 November); a child is counted as back within the "
            "window when they came back before that day. England: NSPCC analysis of national "
            "data; 35% within six years.",
        ),
        survival_table(scope),
        Table(
            "cohorts",
            "Re-entry by quarter of return",
            ["Returned home", "Returns", *[f"Back within {label}" for label, _ in o.WINDOWS]],
            [
                [c.label, c.returns, *[_window_cell(f, b) for f, b in c.windows]]
                for c in o.cohorts(scope)
            ],
            note="Each quarter's returns, with how many of those followed that long came back "
            "into care within each window, as far as the quarter has been followed.",
        ),
        Table(
            "time-at-home",
            "Time at home before coming back into care",
            ["Time at home", "Children back in care"],
            [list(row) for row in at_home["bands"]],
            chart_column=1,
            note=f"{at_home['total']} returns after which the child came back into care; on "
            f"average after {at_home['average_days']} days at home. Bands in calendar months.",
        ),
        Table(
            "repeat-returns",
            "Repeat returns",
            ["", "Number"],
            [
                ["Returns in the period", repeats["total"]],
                ["Returns of a child who had gone home before", repeats["repeats"]],
                ["Of those, the child came back into care again", repeats["repeats_back"]],
                ["Children returned home", repeats["children"]],
                [
                    "Children returned home more than once in the period",
                    repeats["children_more_than_once"],
                ],
            ],
            note="A child had gone home before when an earlier case of theirs has a return "
            "home, or their record holds an earlier return home.",
        ),
        rate_table("rate-age", "Came back into care, by age at return", "age"),
        rate_table("rate-over-10", "Came back into care: over 10 at return", "over_10"),
        rate_table("rate-legal", "Came back into care, by legal status at return", "legal_status"),
        rate_table("rate-planned", "Came back into care: planned or unplanned return", "planned"),
        rate_table(
            "rate-previous", "Came back into care after earlier failed returns", "previous_failed"
        ),
        rate_table(
            "rate-misuse", "Came back into care, with parental substance misuse", "substance_misuse"
        ),
        rate_table("rate-ethnicity", "Came back into care, by ethnicity", "ethnicity"),
        rate_table("rate-need", "Came back into care, by category of need", "category_of_need"),
        rate_table("rate-abuse", "Came back into care, by category of abuse or neglect", "abuse"),
        rate_table(
            "rate-behaviour",
            "Came back into care, with behavioural or emotional difficulties",
            "behaviour",
        ),
        Table(
            "support",
            "Support after the return",
            ["", "Number"],
            [
                ["Cases closed after a return in the period", support["closed"]],
                ["Closed before 6 months", support["before_6"]],
                ["Closed before 12 months", support["before_12"]],
                ["Average days of support after the return", support["average_days"]],
                ["Child came back into care after the case closed", support["back_after_closing"]],
            ],
            note="Support runs from the return to the case's closure; a case closed because "
            "the return broke down is not support ending. Months are calendar months. "
            "Guidance: support for at least six months; research advises a year.",
        ),
        Table(
            "support-re-entry",
            "Came back into care, by how long support lasted",
            RATE_HEADERS,
            o.suppressed_rows(support["re_entry_by_support"]),
            note=RATE_NOTE,
        ),
        Table(
            "concerns",
            "Concerns after the return",
            ["", "Children"],
            [
                ["Children returned home in the period", concerns["children"]],
                ["With a concern recorded since the return", concerns["with_concern"]],
                *[[f"With {label.lower()}", n] for label, n in concerns["by_kind"]],
            ],
            note="Counted by the child, not the concern: a child with several concerns, or "
            "two returns in the period, counts once in each row. A concern counts when it is "
            "recorded on the case of a return in the period, dated on or after the return.",
        ),
        Table(
            "ruled-out",
            "Return ruled out",
            ["", "Number"],
            [
                ["Children for whom return was ruled out in the period", ruled_out["total"]],
                ["Followed by a permanence plan", ruled_out["with_permanence_plan"]],
                ["Of those, the plan was in the decision itself", ruled_out["in_the_decision"]],
                ["No permanence plan recorded yet", ruled_out["without_plan"]],
                [
                    "Average days from decision to permanence plan",
                    ruled_out["average_days_to_plan"],
                ],
            ],
            note="Each child's first not-pursued decision in the period. A permanence plan "
            "followed when the decision's care plan names one (long-term fostering, special "
            "guardianship, adoption, a placement order, a child arrangements order or kinship "
            "care), or the child's record shows one on or after the decision: a long-term "
            "foster placement, a placement order, care ending in adoption, special "
            "guardianship or a child arrangements order, or the case closed with a "
            "permanence plan. How soon: from the decision to the earliest of these.",
        ),
    ]
