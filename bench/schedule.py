#!/usr/bin/env python
"""The schedule part of the rollup (edges, forecast, lateness, blame, group schedules) against the code it replaced.

Run ``python bench/schedule.py [N ...]`` (default 10000 100000). Each N is a stamped-like instance: a plan of N
tasks in 7 departments, each depending on the task 7 before it (as bench/scale.py's template), estimates of
1-5 days, a tenth done and a tenth in progress, due dates in the past so most work is late. For each, CPU
seconds (time.process_time, best of 3, the collector paused) of build_report's schedule block as it is and as
it was (tests/schedule_reference.py, on the table of business days as then), interleaved, and a check that both give the same answers.
"""

from __future__ import annotations

import datetime as dt
import gc
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import schedule_reference as ref
from collabsync.dates import Calendar
from collabsync.model import ProjectSpec, SectionSpec, Status, Task, TaskSpec
from collabsync.report.business_days import BusinessDays
from collabsync.report.rollup_forecast import forecast
from collabsync.report.rollup_lines import task_lines
from collabsync.report.rollup_model import TaskLine
from collabsync.report.rollup_schedule import DependencyIndex, group_schedule

DEPARTMENTS = ("sales", "marketing", "engineering", "finance", "it", "hr", "support")
TODAY = dt.date(2027, 9, 1)


def instance(n: int) -> tuple[list[Task], ProjectSpec]:
    """n stamped tasks and their plan."""
    specs, tasks = [], []
    for i in range(n):
        start = dt.date(2026, 1, 5) + dt.timedelta(days=i * 500 // n)
        deps = (f"t{i - 7}",) if i >= 7 else ()
        dept = DEPARTMENTS[i % 7]
        specs.append(
            TaskSpec(f"t{i}", f"Step {i}", dept, start=start, due=start + dt.timedelta(days=7), depends_on=deps)
        )
        status = Status.DONE if i % 10 == 3 else Status.IN_PROGRESS if i % 10 == 6 else Status.TODO
        tasks.append(
            Task(str(i + 1), f"Step {i}", status, key=f"t{i}", department=dept, start=start,
                 due=start + dt.timedelta(days=7), estimate=float(1 + i % 5), depends_on=list(deps), provider="local")
        )  # fmt: skip
    plan = ProjectSpec("bench", "bench", "Bench", "", DEPARTMENTS, (SectionSpec("main", "Main"),), tuple(specs))
    return tasks, plan


def groups(lines: list[TaskLine]) -> list[list[TaskLine]]:
    """The groups build_report asks group_schedule about: everything, each department, each tool."""
    by: dict[str, list[TaskLine]] = {}
    for line in lines:
        by.setdefault("d:" + line.department, []).append(line)
        by.setdefault("p:" + line.provider, []).append(line)
    return [lines, *by.values()]


def main(sizes: list[int]) -> None:
    calendar = Calendar("US")
    for n in sizes:
        tasks, plan = instance(n)
        specs = {spec.key: spec for spec in plan.tasks}
        best: dict[str, float] = {}
        answers = {}
        for _ in range(3):
            for side in ("before", "now"):
                pairs = task_lines(tasks, specs, TODAY, {})
                lines = [line for line, _ in pairs]
                gc.collect()
                gc.disable()
                started = time.process_time()
                if side == "before":
                    _, _, ahead = ref.schedule_block(pairs, plan, (), TODAY, BusinessDays(calendar))
                    schedules = [ref.group_schedule(group, ahead.finish, TODAY) for group in groups(lines)]
                else:
                    deps, _ = DependencyIndex(lines).edges(pairs, specs, ())
                    now = forecast(pairs, specs, deps, TODAY, BusinessDays(calendar))
                    for step in now.path:
                        step.task.critical = True
                    schedules = [group_schedule(group, now.finish, TODAY) for group in groups(lines)]
                spent = time.process_time() - started
                gc.enable()
                best[side] = min(best.get(side, spent), spent)
                answers[side] = (
                    [(x.id, x.projected_finish, x.late_days, x.late_because, x.critical) for x in lines],
                    schedules,
                )
        same = "same answers" if answers["before"] == answers["now"] else "DIFFERENT ANSWERS"
        print(f"{n:>7} tasks: schedule block {best['before']:.3f} s CPU before, {best['now']:.3f} s now; {same}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 100_000])
