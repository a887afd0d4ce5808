"""The `collabsync tasks` command's filters and rows over what collect() read (the read itself is query.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from collabsync.errors import ConfigError
from collabsync.model import Status, Task

__all__ = ["TASK_COLUMNS", "filter_tasks", "task_row", "tasks_csv"]

#: The columns of `tasks --format csv` (also its header when nothing matches).
TASK_COLUMNS = ["key", "title", "department", "provider", "status", "start", "due", "assignee", "url", "depends_on"]


def filter_tasks(
    tasks: Iterable[Task],
    *,
    today: dt.date,
    department: str | None = None,
    status: str | None = None,
    overdue: bool = False,
    blocked: bool = False,
    assignee: str | None = None,
    departments: Iterable[str] = (),
) -> list[Task]:
    """The `collabsync tasks` filters, combined with AND; department and assignee ignore case, and a
    value that matches no department (of `departments` or the tasks) or no assignee is an error."""
    tasks = list(tasks)
    if department:
        known = list(dict.fromkeys([*departments, *(t.department for t in tasks if t.department)]))
        if department.casefold() not in {d.casefold() for d in known}:
            raise ConfigError.single(
                "--department", f"unknown department {department!r}; known: {', '.join(known) or '(none)'}"
            )
    if assignee:
        people = sorted({t.assignee for t in tasks if t.assignee})
        if assignee.casefold() not in {p.casefold() for p in people}:
            raise ConfigError.single(
                "--assignee", f"no task is assigned to {assignee!r}; assignees: {', '.join(people) or '(none)'}"
            )
    out = []
    for t in tasks:
        if department and (t.department or "").casefold() != department.casefold():
            continue
        if status and t.status != Status(status):
            continue
        if overdue and not t.is_overdue(today):
            continue
        if blocked and t.status != Status.BLOCKED:
            continue
        if assignee and (t.assignee or "").casefold() != assignee.casefold():
            continue
        out.append(t)
    return out


def tasks_csv(rows: Iterable[dict[str, Any]]) -> str:
    """`tasks --format csv` through the one CSV writer: TASK_COLUMNS, dependencies space-separated."""
    from collabsync.report.render.csvout import write_csv

    return write_csv(
        TASK_COLUMNS, ([" ".join(r[c]) if c == "depends_on" else r[c] for c in TASK_COLUMNS] for r in rows)
    )


def task_row(task: Task) -> dict[str, Any]:
    """One task as `tasks --format json` prints it."""
    return {
        "key": task.key or task.ref,
        "title": task.title,
        "department": task.department,
        "provider": task.provider,
        "status": task.status.value,
        "start": task.start.isoformat() if task.start else None,
        "due": task.due.isoformat() if task.due else None,
        "assignee": task.assignee,
        "url": task.url,
        "depends_on": list(task.depends_on),
    }
