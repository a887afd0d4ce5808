"""The burn-up's plan line counted per distinct row equals the line-by-line sums it had before (issue 17)."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from collabsync.report import rollup
from collabsync.report.rollup_model import TaskLine

DAY = dt.date(2027, 3, 1)


@pytest.mark.parametrize("weights", [(1.0, 2.0, 0.5, 3.0), (0.1, 0.7, 1.3, 2.0), (1e300, 1.0)])
def test_plan_curve_matches_the_line_by_line_sums(weights: tuple[float, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(len(weights))
    lines = []
    for i in range(4000):
        line = TaskLine(f"p:{i}", str(i), None, "t", "ops", "p", rng.choice(("todo", "done", "cancelled")))
        line.planned_due = None if rng.random() < 0.1 else DAY + dt.timedelta(days=rng.randrange(90))
        line.weight = rng.choice(weights)
        lines.append(line)
    got = rollup._plan_curve(lines)
    monkeypatch.setattr(rollup, "exact_sums", lambda rows: False)  # the old route: every line, in the lines' order
    want = rollup._plan_curve(lines)
    assert len(got) > 50
    assert got == want
    assert [repr(point["planned_weight"]) for point in got] == [repr(point["planned_weight"]) for point in want]


def test_plan_curve_of_nothing_planned() -> None:
    assert rollup._plan_curve([TaskLine("p:1", "1", None, "t", "ops", "p", "todo")]) == []
