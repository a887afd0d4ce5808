#!/usr/bin/env python
"""What the schedule forecast and the report's story cost: build_report over N tasks in dependency chains.

Run ``python bench/forecast.py`` (a few seconds). Each size is N tasks in 6 departments, every task with
a due date, an estimate and up to 3 prerequisites among the 50 tasks before it (a deterministic
pseudo-random graph), a third done; the median of 5 runs of collabsync.report.rollup.build_report is printed.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time

from collabsync.dates import Calendar
from collabsync.model import Status, Task
from collabsync.report.rollup import build_report

DEPARTMENTS = ("sales", "marketing", "engineering", "finance", "it", "hr")
TODAY = dt.date(2027, 1, 4)


def tasks(n: int) -> list[Task]:
    """n tasks with due dates spread over a year and prerequisites among the tasks just before them."""
    rng = random.Random(n)
    out = []
    for i in range(n):
        deps = [f"T{j}" for j in rng.sample(range(max(0, i - 50), i), min(i, rng.randint(0, 3)))]
        status = Status.DONE if rng.random() < 0.33 else rng.choice([Status.TODO, Status.IN_PROGRESS])
        start = TODAY + dt.timedelta(days=i * 365 // n)
        out.append(
            Task(
                ref=f"T{i}",
                title=f"Task {i}",
                status=status,
                department=DEPARTMENTS[i % 6],
                start=start,
                due=start + dt.timedelta(days=rng.randint(3, 20)),
                estimate=rng.randint(1, 5),
                assignee=f"person{i % 40}",
                depends_on=deps,
                provider="local",
            )
        )
    return out


def main() -> None:
    calendar = Calendar("US")
    for n in (500, 2000, 5000):
        data = tasks(n)
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            report = build_report(data, today=TODAY, instance="bench", calendar=calendar)
            runs.append(time.perf_counter() - started)
        late = sum(1 for line in report.tasks if line.late_days)
        print(
            f"{n:>5} tasks: build_report median {statistics.median(runs) * 1000:7.1f} ms "
            f"(min {min(runs) * 1000:.1f}); {late} projected late, {len(report.handoffs)} hand-off pairs, "
            f"path {len(report.critical_path)} tasks"
        )


if __name__ == "__main__":
    main()
