"""From what the tools answered to a finished report: stale fallback, rollup, snapshot, history.

The one place the CLI's `report` command calls, so the command stays a few lines of options.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from .dates import Calendar
from .history import HISTORY_FILE, History, Snapshot
from .model import Task
from .redact import redact
from .rollup import build_report
from .rollup_model import Report

if TYPE_CHECKING:  # query imports the providers' runtime; the report library does not need it
    from .query import Snapshot as ReadSnapshot

__all__ = ["make_report", "history_path"]


def history_path(home: Path) -> Path:
    """The snapshot store of a collabsync home."""
    return Path(home) / HISTORY_FILE


def make_report(read: "ReadSnapshot", today: dt.date, *, store: History | None = None, save: bool = True,
                calendar: Calendar | None = None) -> tuple[Report, list[Task]]:
    """Roll a read-back instance up; a department whose tool failed shows its last good tasks, marked stale.

    With a store, the run is saved as a snapshot (unless save=False) and the report gets its burn-up
    history and the changes since the previous snapshot. Returns the report and the tasks it covers.
    """
    name = read.instance.name
    tasks = list(read.tasks)
    stale: dict[str, dt.datetime | None] = {}
    for department in read.stale:
        stale[department] = store.last_good(name, department) if store else None
        if store:
            tasks += store.last_good_tasks(name, department)
    report = build_report(tasks, today=today, instance=name, template=read.instance.template, plan=read.spec,
                          extra_deps=read.cross_links, stale=stale, calendar=calendar,
                          generated_at=read.generated_at)
    report.warnings += [f"{dept} could not be read: {redact(why)}" for dept, why in read.stale.items()]
    if store is not None:
        current = store.save_snapshot(name, report, tasks) if save else Snapshot.of(name, report, tasks)
        store.attach(report, current)
    return report, tasks
