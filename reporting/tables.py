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
            "drift",
            "Drifting: children longer in their stage than expected",
            ["Stage", "Expected days", "Open cases", "Children drifting"],
            [list(row) for row in s.drifting_children(scope)],
            note="A child counts once, whatever the number of open cases. The expected "
            "days are a local setting (STAGE_EXPECTED_DAYS).",
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
    """The outcomes report: reporting.outcome_tables."""
    from .outcome_tables import outcome_tables as tables

    return tables(scope)
