"""The survival curve of the outcomes page as SVG geometry, drawn from the rows
of its table (so the kept figures and the picture always agree)."""

from dataclasses import dataclass, field

from .outcomes import NATIONAL

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 620, 16, 256


@dataclass
class SurvivalChart:
    width: int = WIDTH
    height: int = HEIGHT
    path: str = ""
    censored: list = field(default_factory=list)  # (x, y1, y2) ticks where follow-up stops
    national: list = field(default_factory=list)  # (x, y, label)
    x_ticks: list = field(default_factory=list)  # (x, label)
    y_ticks: list = field(default_factory=list)  # (y, label)
    left: int = LEFT
    right: int = RIGHT
    top: int = TOP
    bottom: int = BOTTOM
    description: str = ""


def _share(cell) -> float:
    return float(str(cell).rstrip("%"))


def survival_chart(rows: list[list]) -> SurvivalChart | None:
    """Rows of the "survival" table: [month, "still at home %", followed,
    came back, censored, England]."""
    if not rows:
        return None
    last = rows[-1][0]
    span = min(72, max(24, -(-last // 6) * 6))

    def x(month):
        return round(LEFT + (RIGHT - LEFT) * month / span, 1)

    def y(share):
        return round(BOTTOM - (BOTTOM - TOP) * share / 100, 1)

    points = [(row[0], _share(row[1])) for row in rows]
    steps = [f"M{x(0)},{y(points[0][1])}"]
    for month, share in points[1:]:
        steps.append(f"H{x(month)}V{y(share)}")
    chart = SurvivalChart(path="".join(steps))
    chart.censored = [
        (x(row[0]), y(_share(row[1])) - 6, y(_share(row[1])) + 6) for row in rows if row[4]
    ]
    chart.national = [
        (x(month), y(100 - share), f"England: {share}% back in care by {month} months")
        for month, share in NATIONAL.items()
        if month <= span
    ]
    every = 3 if span <= 24 else 12
    chart.x_ticks = [(x(m), str(m)) for m in range(0, span + 1, every)]
    chart.y_ticks = [(y(s), f"{s}%") for s in (0, 25, 50, 75, 100)]
    end = points[-1]
    chart.description = (
        f"Step chart: the estimated share still at home falls from 100% at the return to "
        f"{end[1]}% at {end[0]} months; the table beside it has every month."
    )
    return chart
