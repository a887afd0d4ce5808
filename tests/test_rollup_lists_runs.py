"""The report's due lists taken from runs of due dates equal each list filtered and sorted on its own (issue 17)."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from collabsync.report.rollup_groups import due_lists
from collabsync.report.rollup_model import TaskLine

TODAY = dt.date(2027, 3, 10)


def _by_due(line: TaskLine) -> tuple[dt.date, str, str]:
    """The report's order, as one sort of tuple keys gave it."""
    return (line.due or dt.date.max, line.department, line.title)


@pytest.mark.parametrize("last_day", [False, True])
def test_due_lists_from_runs_match_each_list_sorted_alone(last_day: bool) -> None:
    rng = random.Random(7)
    days: list[dt.date | None] = [None, *(TODAY + dt.timedelta(days=d) for d in range(-20, 30, 3))]
    if last_day:
        days.append(dt.date.max)
    lines = []
    for i in range(3000):
        due = rng.choice(days)
        status = rng.choice(("todo", "todo", "in_progress", "blocked", "done", "cancelled"))
        line = TaskLine(f"p:{i}", str(i), None, rng.choice("abcd"), rng.choice("xyz"), "p", status, due=due)
        line.overdue = due is not None and due < TODAY and line.open
        line.waiting_on = ["p:0"] if line.open and rng.random() < 0.8 else []
        lines.append(line)
    waiting = [line for line in lines if line.waiting_on]
    counts = {
        "total": len(lines),
        "done": sum(line.status == "done" for line in lines),
        "cancelled": sum(line.status == "cancelled" for line in lines),
        "overdue": sum(line.overdue for line in lines),
        "blocked": sum(line.status == "blocked" for line in lines),
    }
    soon = TODAY + dt.timedelta(days=7)
    got = due_lists(lines, waiting, counts, TODAY, soon)
    want = (
        sorted((line for line in lines if line.overdue), key=_by_due),
        sorted((line for line in lines if line.due and TODAY <= line.due < soon and line.open), key=_by_due),
        sorted((line for line in lines if line.status == "blocked"), key=_by_due),
        sorted(waiting, key=_by_due),
    )
    assert all(got)  # every list has lines, so each is compared on something
    assert [[line.id for line in part] for part in got] == [[line.id for line in part] for part in want]
