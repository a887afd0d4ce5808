"""A sample report with stored history (four snapshots), for the render and browser tests and the docs image."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from collabsync.model import Status, Task
from collabsync.report.history import History
from collabsync.report.rollup import build_report
from collabsync.report.rollup_model import Report
from rollup_data import EXTRA_DEPS, TODAY, d, plan, tasks

DONE_ON = {"ENG-1": 4, "c1": 6, "a1": 9}  # the day of March each done task was finished


def tasks_on(day: int) -> list[Task]:
    """The tools' answer as it was on a day of March: later completions still in progress."""
    out = []
    for task in tasks():
        task = dataclasses.replace(task, depends_on=list(task.depends_on), extra=dict(task.extra))
        if task.ref in DONE_ON and DONE_ON[task.ref] > day:
            task.status = Status.IN_PROGRESS
        if task.ref == "c2" and day < 10:
            task.due = d(6)  # copy's due date slipped from the 6th to the 9th on the 10th
        out.append(task)
    return out


def sample_report(home: Path, stale: dict[str, dt.datetime | None] | None = None) -> Report:
    """Today's report with three earlier snapshots stored in `home`, history and changes attached."""
    with History(home) as store:
        for day in (4, 6, 9):
            when = dt.datetime(2026, 3, day, 8, 0, tzinfo=dt.UTC)
            report = build_report(
                tasks_on(day), today=d(day), instance="launch-1", plan=plan(), extra_deps=EXTRA_DEPS, generated_at=when
            )
            store.save_snapshot("launch-1", report, tasks_on(day))
        now = dt.datetime(2026, 3, 11, 8, 0, tzinfo=dt.UTC)
        past = store.past("launch-1")
        report = build_report(
            tasks(),
            today=TODAY,
            instance="launch-1",
            plan=plan(),
            extra_deps=EXTRA_DEPS,
            stale=stale,
            generated_at=now,
            past=past,
        )
        store.save_snapshot("launch-1", report, tasks(), snapshot_id=past.id)
    return report
