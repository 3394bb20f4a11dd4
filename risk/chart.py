"""A step chart of risk level over time, drawn as SVG on the server so it needs
no JavaScript. The page always shows the same figures in a table beside it."""

import datetime
from dataclasses import dataclass

from .tool import Level

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 80, 20, 20, 40


@dataclass
class Chart:
    width: int
    height: int
    path: str
    points: list[tuple[float, float, str]]
    levels: list[tuple[float, str]]
    ticks: list[tuple[float, str]]


def _y(level: Level) -> float:
    plot = HEIGHT - TOP - BOTTOM
    return TOP + plot - (int(level) - 1) * plot / 3


def level_chart(history: list[tuple[datetime.date, Level]], today: datetime.date) -> Chart | None:
    if not history:
        return None
    start = history[0][0]
    end = max(today, history[-1][0])
    span = max((end - start).days, 1)

    def x(day: datetime.date) -> float:
        return LEFT + (day - start).days * (WIDTH - LEFT - RIGHT) / span

    path, points = [], []
    level_y = _y(history[0][1])
    for day, level in history:
        # Hold the previous level until this day, then step to the new one.
        path.append(f"{'L' if path else 'M'}{x(day):.1f},{level_y:.1f}")
        level_y = _y(level)
        path.append(f"L{x(day):.1f},{level_y:.1f}")
        points.append((round(x(day), 1), round(level_y, 1), f"{day:%-d %b %Y}: {level.label}"))
    path.append(f"L{x(end):.1f},{level_y:.1f}")
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        path=" ".join(path),
        points=points,
        levels=[(round(_y(level), 1), level.label) for level in Level],
        ticks=[(round(x(start), 1), f"{start:%b %Y}"), (round(x(end), 1), f"{end:%b %Y}")],
    )
