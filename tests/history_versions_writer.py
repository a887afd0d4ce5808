"""The writer of the history's versions format (history_tasks), which collabsync no longer writes.

Kept here, beside the tests, so they can make such files and check that they still read and diff as they did.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from collabsync.model import Status, Task
from collabsync.report.history_tasks import _FIELDS, _strings

__all__ = ["save_tasks"]


def save_tasks(db: sqlite3.Connection, instance: str, snapshot_id: int, tasks: Sequence[Task]) -> int:
    """Store snapshot `snapshot_id`'s tasks as changes against the instance's current versions; rows written.

    A task's columns are built when its stored version is compared and kept only when they are written, so
    100,000 unchanged tasks do not all hold a row in memory at once."""
    columns = _columns_of()
    current: dict[tuple[str, int], int] = {}  # (identity, nth) -> position in tasks
    for pos, task in enumerate(tasks):
        ident, nth = task.key or f"{task.provider or 'unknown'}:{task.ref}", 1  # task_identity
        while (ident, nth) in current:
            nth += 1
        current[(ident, nth)] = pos
    closed: list[tuple[int, int]] = []
    for rowid, ident, nth, pos, *row in db.execute(
        f"SELECT rowid, ident, nth, pos, {_FIELDS} FROM snapshot_tasks WHERE instance = ? AND until IS NULL",
        (instance,),
    ):
        at = current.get((ident, nth))
        if at is not None and at == pos and columns(tasks[at]) == tuple(row):
            del current[(ident, nth)]  # unchanged: its current version holds for this snapshot too
        else:
            closed.append((snapshot_id, rowid))
    db.executemany("UPDATE snapshot_tasks SET until = ? WHERE rowid = ?", closed)
    db.executemany(
        f"INSERT INTO snapshot_tasks (instance, ident, nth, since, pos, {_FIELDS})"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        ((instance, ident, nth, snapshot_id, pos, *columns(tasks[pos])) for (ident, nth), pos in current.items()),
    )
    return len(closed) + len(current)


def _columns_of() -> Callable[[Task], tuple[Any, ...]]:
    """A task's stored columns (the order of _FIELDS), with each distinct date and status converted once: 100,000
    tasks share a few hundred days, and isoformat and enum access per task were most of a snapshot's saving."""
    days: dict[dt.date, str] = {}
    states = {member: member.value for member in Status}
    dumps = _json_dumps()

    def columns(task: Task) -> tuple[Any, ...]:
        start, due, updated, status = task.start, task.due, task.updated, task.status
        value = states.get(status)
        if value is None:
            value = Status(status).value
        return (
            task.ref,
            task.key,
            task.title,
            value,
            task.section,
            task.department,
            task.assignee,
            (days.get(start) or days.setdefault(start, start.isoformat())) if start else None,
            (days.get(due) or days.setdefault(due, due.isoformat())) if due else None,
            task.estimate,
            _strings(task.labels),
            _strings(task.depends_on),
            task.url,
            updated.isoformat() if updated else None,
            task.provider,
            dumps(task.extra) if task.extra else "{}",
        )

    return columns


def _json_dumps() -> Callable[[Any], str]:
    """json.dumps with its C encoder made once, not once per call: that making was most of dumping 100,000 small
    dicts. The same arguments as json.dumps' one-shot path, so the same text (json.dumps where there is no C)."""
    from json import encoder

    make = getattr(encoder, "c_make_encoder", None)
    if make is None:
        return json.dumps
    iterate = make(
        {}, encoder.JSONEncoder().default, encoder.encode_basestring_ascii, None, ": ", ", ", False, False, True
    )
    return lambda value: "".join(iterate(value, 0))
