"""From what the tools answered to a finished report: stale fallback, rollup, snapshot, history.

The one place the CLI's `report` command calls, so the command stays a few lines of options.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from collabsync.model import Task
from collabsync.redact import redact

if TYPE_CHECKING:  # query imports the providers' runtime; the report library does not need it
    from collabsync.dates import Calendar
    from collabsync.reading.query import ReadBack
    from collabsync.report.history import History
    from collabsync.report.rollup_model import Report
    from collabsync.runtime import Workspace

# History, the rollup and its model are imported where they are used: `status --fresh` starts its reads
# first and imports them while the tools answer (issue 17: the first request within 0.25 s of spawn).

__all__ = [
    "make_report",
    "history_path",
    "with_last_good",
    "stale_warning",
    "fill_from_last_good",
    "read_back",
    "status_summary",
]


def history_path(home: Path) -> Path:
    """The snapshot store of a collabsync home."""
    from collabsync.report.history import HISTORY_FILE

    return Path(home) / HISTORY_FILE


def with_last_good(read: ReadBack, store: History | None) -> tuple[list[Task], dict[str, dt.datetime | None]]:
    """The tasks read, plus each unreadable department's tasks from its last good snapshot, and from when."""
    tasks = list(read.tasks)
    since: dict[str, dt.datetime | None] = {}
    for department in read.stale:
        since[department] = store.last_good(read.instance.name, department) if store else None
        if store:
            tasks += store.last_good_tasks(read.instance.name, department)
    return tasks, since


def fill_from_last_good(read: ReadBack, home: Path) -> dict[str, dt.datetime | None]:
    """For `status` and `tasks`: unreadable departments get their last good tasks, as `report` shows them."""
    if not read.stale or not history_path(home).exists():
        return {department: None for department in read.stale}
    from collabsync.report.history import History

    with History(history_path(home)) as store:
        read.tasks, since = with_last_good(read, store)
    return since


def read_back(
    ws: Workspace, instance: str | None, *, full: bool = False, links: bool = True
) -> tuple[ReadBack, dict[str, dt.datetime | None]]:
    """For `status` and `tasks`: the instance read from every tool, unreadable departments from their last good data;
    `status` reads without links (collect's `links`): it counts tasks and never follows a dependency."""
    from collabsync.reading.query import collect, resolve_instance

    read = collect(ws, resolve_instance(ws, instance), full=full, links=links)
    return read, fill_from_last_good(read, ws.home)


def stale_warning(instance: str, department: str, since: dt.datetime | None, why: str) -> str:
    """The one stderr line every command prints for a tool that could not be read."""
    when = f"its last good snapshot of {since.isoformat(timespec='minutes')}" if since else "no earlier snapshot"
    return f"warning: {instance}: {department} could not be read, shown from {when}: {redact(why)}"


def make_report(
    read: ReadBack, today: dt.date, *, store: History | None = None, save: bool = True, calendar: Calendar | None = None
) -> tuple[Report, list[Task]]:
    """Roll a read-back instance up; a department whose tool failed shows its last good tasks, marked stale.

    With a store, the run is saved as a snapshot (unless save=False) and the report gets its burn-up
    history and the changes since the previous snapshot. Returns the report and the tasks it covers.
    """
    from collabsync.report.rollup import build_report

    tasks, stale = with_last_good(read, store)
    past = store.past(read.instance.name, save=save) if store is not None else None
    report = build_report(
        tasks,
        today=today,
        instance=read.instance.name,
        template=read.instance.template,
        plan=read.plan,
        extra_deps=read.cross_links,
        stale=stale,
        calendar=calendar,
        generated_at=read.generated_at,
        departments=read.departments,
        warnings=[f"{dept} could not be read: {redact(why)}" for dept, why in read.stale.items()],
        past=past,
    )
    if store is not None and save:
        store.save_snapshot(read.instance.name, report, tasks, snapshot_id=past.id if past else None)
    return report, tasks


def status_summary(
    read: ReadBack, today: dt.date, stale_since: dict[str, dt.datetime | None] | None = None
) -> dict[str, Any]:
    """The one object `status --format json` prints: the report's departments and counts (as rollup.by_department
    groups them and status_counts counts them) without its schedule, which status does not show; a stale department says since when."""
    from collabsync.report.rollup import counts_by_department

    counts, tools, overall = counts_by_department(
        read.tasks, today, plan=read.instance.outline, departments=read.departments, stale=read.stale
    )
    departments: dict[str, Any] = {}
    for name, group in counts.items():
        departments[name] = {**group, "provider": read.providers.get(name) or (", ".join(sorted(tools[name])) or None)}
        if name in read.stale:
            departments[name]["stale"] = read.stale[name]
            since = (stale_since or {}).get(name)
            departments[name]["stale_since"] = since.isoformat(timespec="minutes") if since else None
    return {
        "instance": read.instance.name,
        "template": read.instance.template,
        "generated_at": read.generated_at.isoformat(timespec="seconds"),
        "overall": overall,
        "departments": departments,
    }
