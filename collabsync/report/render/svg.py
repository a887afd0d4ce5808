"""Geometry for the HTML report's inline SVG charts (numbers only; the template draws and escapes)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from collabsync.report.rollup_model import Group, Report

__all__ = ["BAR_ORDER", "Segment", "bar_segments", "BurnUp", "burn_up"]

BAR_ORDER = ("done", "in_progress", "blocked", "todo")
BAR_WIDTH = 300.0


@dataclass(frozen=True)
class Segment:
    """One coloured piece of a department's stacked bar."""

    status: str
    count: int
    x: float
    width: float


def bar_segments(group: Group) -> list[Segment]:
    """done / in progress / blocked / to do as widths of a BAR_WIDTH-wide bar (cancelled left out)."""
    counts = group.counts
    total = sum(counts[s] for s in BAR_ORDER)
    segments, x = [], 0.0
    for status in BAR_ORDER:
        if total and counts[status]:
            width = round(BAR_WIDTH * counts[status] / total, 2)
            segments.append(Segment(status, counts[status], round(x, 2), width))
            x += width
    return segments


@dataclass
class BurnUp:
    """Polylines and labels of the burn-up chart in a width x height box."""

    width: int = 640
    height: int = 260
    left: int = 48
    right: int = 16
    top: int = 16
    bottom: int = 40
    plan: str = ""
    scope: str = ""
    done: str = ""
    dots: list[tuple[float, float, str]] = field(default_factory=list)
    today_x: float | None = None
    x_labels: list[tuple[float, str]] = field(default_factory=list)
    y_labels: list[tuple[float, str]] = field(default_factory=list)
    empty: bool = False


def burn_up(report: Report) -> BurnUp:
    """Done work of every stored snapshot (plus now) against the plan's cumulative work and the scope."""
    chart = BurnUp()
    points = _history_points(report)
    plan = [(p["date"], float(p["planned_weight"])) for p in report.plan_curve]
    days = [d for d, _, _ in points] + [d for d, _ in plan] + [report.today]
    if report.overall.schedule.target:
        days.append(report.overall.schedule.target)
    start, end = min(days), max(days)
    if end <= start:
        end = start + dt.timedelta(days=1)
    top = max([w for _, w in plan] + [max(s, d) for _, s, d in points] + [1.0])
    top = _nice(top)
    plot_w = chart.width - chart.left - chart.right
    plot_h = chart.height - chart.top - chart.bottom
    span = (end - start).days

    def x(day: dt.date) -> float:
        return round(chart.left + plot_w * (day - start).days / span, 1)

    def y(value: float) -> float:
        return round(chart.top + plot_h * (1 - value / top), 1)

    if plan:
        coords = [(x(start), y(0))]
        level = 0.0
        for day, weight in plan:
            coords += [(x(day), y(level)), (x(day), y(weight))]
            level = weight
        coords.append((x(end), y(level)))
        chart.plan = _poly(coords)
    chart.scope = _poly([(x(d), y(s)) for d, s, _ in points])
    chart.done = _poly([(x(d), y(v)) for d, _, v in points])
    chart.dots = [(x(d), y(v), f"{d.isoformat()}: {v:g} done of {s:g}") for d, s, v in points]
    chart.today_x = x(report.today)
    chart.x_labels = [(x(start), start.isoformat()), (x(end), end.isoformat())]
    chart.y_labels = [(y(v), f"{v:g}") for v in (0.0, top / 2, top)]
    chart.empty = not plan and len(points) < 2
    return chart


def _history_points(report: Report) -> list[tuple[dt.date, float, float]]:
    """(day, scope, done) per snapshot, the latest per day, ending with the report itself."""
    by_day: dict[dt.date, tuple[float, float]] = {}
    for head in report.history:
        day = _as_date(head["today"])
        by_day[day] = (float(head["weight_total"]), float(head["weight_done"]))
    by_day[report.today] = (report.overall.weight_total, report.overall.weight_done)
    return [(d, s, v) for d, (s, v) in sorted(by_day.items())]


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _nice(value: float) -> float:
    """A round axis top at or above value (a multiple of 1, 2 or 5 times a power of ten)."""
    scale = 1.0
    while True:
        for step in (1.0, 2.0, 5.0):
            if value <= step * scale * 5:
                return math.ceil(value / (step * scale)) * step * scale
        scale *= 10


def _poly(coords: list[tuple[float, float]]) -> str:
    return " ".join(f"{a:g},{b:g}" for a, b in coords)
