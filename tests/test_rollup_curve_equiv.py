"""The burn-up's plan line counted per distinct row equals the old line-by-line sums (issue 17)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any

import pytest

from collabsync.report.rollup import _plan_curve, percent
from collabsync.report.rollup_model import TaskLine

DAY = dt.date(2027, 3, 1)


def old_curve(lines: Sequence[TaskLine]) -> list[dict[str, Any]]:
    """rollup._plan_curve as it was before rollup3 (commit 9afbc78), the reference."""
    live = [line for line in lines if line.status != "cancelled" and line.planned_due]
    total = sum(line.weight for line in live)
    per_day: dict[dt.date, float] = {}
    for line in live:
        assert line.planned_due is not None
        per_day[line.planned_due] = per_day.get(line.planned_due, 0.0) + line.weight
    points, running = [], 0.0
    for day in sorted(per_day):
        running += per_day[day]
        points.append({"date": day, "planned_weight": running, "planned_share": percent(running, total)})
    return points


@pytest.mark.parametrize("weights", [(1.0, 2.0, 0.5, 3.0), (0.1, 0.7, 1.3, 2.0), (1e300, 1.0)])
def test_plan_curve_matches_the_line_by_line_sums(weights: tuple[float, ...]) -> None:
    rng = random.Random(len(weights))
    lines = []
    for i in range(4000):
        line = TaskLine(f"p:{i}", str(i), None, "t", "ops", "p", rng.choice(("todo", "done", "cancelled")))
        line.planned_due = None if rng.random() < 0.1 else DAY + dt.timedelta(days=rng.randrange(90))
        line.weight = rng.choice(weights)
        lines.append(line)
    got = _plan_curve(lines)
    assert len(got) > 50
    assert got == old_curve(lines)
    assert [repr(point["planned_weight"]) for point in got] == [repr(p["planned_weight"]) for p in old_curve(lines)]


def test_plan_curve_of_nothing_planned() -> None:
    assert _plan_curve([TaskLine("p:1", "1", None, "t", "ops", "p", "todo")]) == old_curve([]) == []
