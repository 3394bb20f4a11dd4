"""The report pages as tables: each has a caption, headers and rows, can be
downloaded as CSV, and, where a picture helps, is drawn as a bar chart."""

from dataclasses import dataclass, field

from . import selectors as s


@dataclass
class Table:
    key: str
    caption: str
    headers: list[str]
    rows: list[list]
    chart_column: int | None = None  # the column to draw as bars
    note: str = ""
    bars: list = field(default_factory=list)
    chart_height: int = 0
    # A table whose rows grow with the council (one per person) shows only its
    # `limit` largest rows by `top_column` on the page; the CSV has every row.
    limit: int | None = None
    top_column: int | None = None
    total_rows: int | None = None  # when `rows` holds only the rows shown

    @property
    def shown_rows(self) -> list[list]:
        if self.limit is None or len(self.rows) <= self.limit:
            return self.rows
        return sorted(self.rows, key=lambda row: -(row[self.top_column] or 0))[: self.limit]

    @property
    def row_count(self) -> int:
        return len(self.rows) if self.total_rows is None else self.total_rows

    @property
    def cut(self) -> bool:
        return len(self.shown_rows) < self.row_count

    def __post_init__(self):
        if self.chart_column is not None:
            values = [row[self.chart_column] or 0 for row in self.rows]
            top = max(values, default=0) or 1
            self.bars = [
                (str(row[0]), value, round(100 * value / top, 1))
                for row, value in zip(self.rows, values, strict=True)
            ]
            self.chart_height = 40 * len(self.bars) + 4


def _percent(value) -> str:
    return "–" if value is None else f"{value}%"


def caseload_tables(scope: s.Scope) -> list[Table]:
    return [
        Table(
            "by-stage",
            "Open cases by stage",
            ["Stage", "Open cases"],
            [list(row) for row in s.caseload_by_stage(scope)],
            chart_column=1,
        ),
        Table(
            "by-risk",
            "Open cases by current risk level",
            ["Risk level", "Open cases"],
            [list(row) for row in s.caseload_by_risk(scope)],
            chart_column=1,
        ),
        Table(
            "time-in-stage",
            "Time in the current stage",
            ["Stage", "Open cases", "Average days so far"],
            [list(row) for row in s.time_in_stage(scope)],
            chart_column=2,
        ),
        Table(
            "overdue",
            "Overdue reviews, visits and decisions, by team and person",
            ["Team", "Person", "What", "Overdue"],
            [list(row) for row in s.overdue_by_team_and_worker(scope)],
            limit=25,
            top_column=3,
        ),
        Table(
            "approvals",
            "Approvals waiting",
            ["What", "Cases"],
            [list(row) for row in s.approvals_waiting(scope)],
            chart_column=1,
        ),
    ]


def outcome_tables(scope: s.Scope) -> list[Table]:
    returns = s.returns_home(scope)
    re_entry = s.re_entry(scope)
    at_home = s.time_at_home_before_breakdown(scope)
    repeats = s.repeat_returns(scope)
    rates = s.breakdown_rates(scope)
    support = s.support_after_return(scope)
    ruled_out = s.ruled_out(scope)
    rate_headers = ["Group", "Returns", "Broke down", "Rate"]

    def rate_rows(rows):
        return [[label, n, broke, _percent(rate)] for label, n, broke, rate in rows]

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
        ),
        Table(
            "re-entry",
            "Re-entry to care after a return home",
            ["Within", "Returns observed that long", "Came back into care", "Rate", "England"],
            [
                [r.window, r.observed, r.came_back, _percent(r.percent), r.national]
                for r in re_entry
            ],
            note="Each window counts only returns in the period that have been home at least "
            "that long by today (3 months = 91 days, 6 months = 182, 1 year = 365, 2 years = 730). "
            "England: NSPCC analysis of national data; 35% within six years.",
        ),
        Table(
            "time-at-home",
            "Time at home before a breakdown",
            ["Time at home", "Breakdowns"],
            [list(row) for row in at_home["bands"]],
            chart_column=1,
            note=f"{at_home['total']} breakdowns; on average after {at_home['average_days']} days.",
        ),
        Table(
            "repeat-returns",
            "Repeat returns",
            ["", "Number"],
            [
                ["Returns in the period", repeats["total"]],
                ["Returns that follow an earlier reunification case", repeats["repeats"]],
                ["Children returned", repeats["children"]],
            ],
        ),
        Table("rate-age", "Breakdown by age at return", rate_headers, rate_rows(rates["age"])),
        Table(
            "rate-legal",
            "Breakdown by legal status at return",
            rate_headers,
            rate_rows(rates["legal_status"]),
        ),
        Table(
            "rate-previous",
            "Breakdown after earlier failed returns",
            rate_headers,
            rate_rows(rates["previous_failed"]),
        ),
        Table(
            "rate-misuse",
            "Breakdown with parental substance misuse",
            rate_headers,
            rate_rows(rates["substance_misuse"]),
        ),
        Table(
            "support",
            "Support after the return (closed cases)",
            ["", "Number"],
            [
                ["Cases closed after a return in the period", support["closed"]],
                ["Closed within 6 months of the return", support["within_6"]],
                ["Closed within 12 months of the return", support["within_12"]],
                ["Average days open after the return", support["average_days"]],
            ],
            note="Guidance: support for at least six months; research advises a year.",
        ),
        Table(
            "ruled-out",
            "Return ruled out",
            ["", "Number"],
            [
                ["Children for whom return was ruled out in the period", ruled_out["total"]],
                ["Followed by a permanence plan", ruled_out["with_permanence_plan"]],
                [
                    "Average days from decision to permanence plan",
                    ruled_out["average_days_to_plan"],
                ],
            ],
        ),
    ]
