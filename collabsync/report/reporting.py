"""From what the tools answered to a finished report: stale fallback, rollup, snapshot, history.

The one place the CLI's `report` command calls, so the command stays a few lines of options.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from collabsync.dates import Calendar
from collabsync.model import Task
from collabsync.redact import redact
from collabsync.report.history import HISTORY_FILE, History, Snapshot
from collabsync.report.rollup import build_report
from collabsync.report.rollup_model import Report

if TYPE_CHECKING:  # query imports the providers' runtime; the report library does not need it
    from collabsync.reading.query import Snapshot as ReadSnapshot

__all__ = ["make_report", "history_path", "with_last_good", "stale_warning", "fill_from_last_good"]


def history_path(home: Path) -> Path:
    """The snapshot store of a collabsync home."""
    return Path(home) / HISTORY_FILE


def with_last_good(read: ReadSnapshot, store: History | None) -> tuple[list[Task], dict[str, dt.datetime | None]]:
    """The tasks read, plus each unreadable department's tasks from its last good snapshot, and from when."""
    tasks = list(read.tasks)
    since: dict[str, dt.datetime | None] = {}
    for department in read.stale:
        since[department] = store.last_good(read.instance.name, department) if store else None
        if store:
            tasks += store.last_good_tasks(read.instance.name, department)
    return tasks, since


def fill_from_last_good(read: ReadSnapshot, home: Path) -> dict[str, dt.datetime | None]:
    """For `status` and `tasks`: unreadable departments get their last good tasks, as `report` shows them."""
    if not read.stale or not history_path(home).exists():
        return {department: None for department in read.stale}
    with History(history_path(home)) as store:
        read.tasks, since = with_last_good(read, store)
    return since


def stale_warning(instance: str, department: str, since: dt.datetime | None, why: str) -> str:
    """The one stderr line every command prints for a tool that could not be read."""
    when = f"its last good snapshot of {since.isoformat(timespec='minutes')}" if since else "no earlier snapshot"
    return f"warning: {instance}: {department} could not be read, shown from {when}: {redact(why)}"


def make_report(read: ReadSnapshot, today: dt.date, *, store: History | None = None, save: bool = True,
                calendar: Calendar | None = None) -> tuple[Report, list[Task]]:
    """Roll a read-back instance up; a department whose tool failed shows its last good tasks, marked stale.

    With a store, the run is saved as a snapshot (unless save=False) and the report gets its burn-up
    history and the changes since the previous snapshot. Returns the report and the tasks it covers.
    """
    name = read.instance.name
    tasks, stale = with_last_good(read, store)
    report = build_report(tasks, today=today, instance=name, template=read.instance.template, plan=read.spec,
                          extra_deps=read.cross_links, stale=stale, calendar=calendar,
                          generated_at=read.generated_at)
    report.warnings += [f"{dept} could not be read: {redact(why)}" for dept, why in read.stale.items()]
    if store is not None:
        current = store.save_snapshot(name, report, tasks) if save else Snapshot.of(name, report, tasks)
        store.attach(report, current)
    return report, tasks
