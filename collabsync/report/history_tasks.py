"""The tasks of report snapshots as the format before task columns (history_columns) stored them, still read.

They were stored as versions: a run wrote only the tasks that changed since the last one. Each row is one version of one task of an instance, valid from snapshot `since` until snapshot `until`
(NULL while it is still current). A snapshot's tasks are the versions valid at its id, in their stored
order. Snapshots written before this table existed keep their tasks as JSON in `snapshots.tasks`; a
snapshot stored here (or as columns) has an empty `snapshots.tasks`. The writer of this format lives with the
tests that check such files still read (tests/history_versions_writer.py).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any, overload

from collabsync.model import Status, Task

__all__ = [
    "TASKS_SCHEMA",
    "TaskState",
    "LazyTasks",
    "StoredTasks",
    "load_tasks",
    "task_state",
    "task_identity",
]

TASKS_SCHEMA = """
CREATE TABLE IF NOT EXISTS snapshot_tasks (
    instance TEXT NOT NULL,
    ident TEXT NOT NULL,
    nth INTEGER NOT NULL,
    since INTEGER NOT NULL,
    until INTEGER,
    pos INTEGER NOT NULL,
    ref, key, title, status, section, department, assignee, start, due, estimate, labels, depends_on,
    url, updated, provider, extra
);
CREATE INDEX IF NOT EXISTS snapshot_tasks_current ON snapshot_tasks (instance, until);
CREATE INDEX IF NOT EXISTS snapshot_tasks_since ON snapshot_tasks (instance, since);
"""
# columns without a declared type keep what was written (an int estimate stays an int)
_FIELDS = (
    "ref, key, title, status, section, department, assignee, start, due, estimate, labels, depends_on,"
    " url, updated, provider, extra"
)
_STATE_FIELDS = "pos, key, provider, ref, title, department, status, url, due, start, assignee"

#: What the diff compares of a task: title, department, provider, status, url, due, start, assignee.
TaskState = tuple[str, str | None, str | None, str, str, dt.date | None, dt.date | None, str | None]


def task_identity(task: Task) -> str:
    """How a task is recognised across snapshots: its template key, else `provider:ref`."""
    return task.key or f"{task.provider or 'unknown'}:{task.ref}"


def task_state(task: Task) -> TaskState:
    """The fields of a task the diff looks at, as one comparable tuple."""
    status = task.status.value if isinstance(task.status, Status) else Status(task.status).value
    return (task.title, task.department, task.provider, status, task.url, task.due, task.start, task.assignee)


_SEP, _START = "\x1f", "\x1e"


def _strings(items: Sequence[str]) -> str:
    """A list of strings as text: "" for none, else RS then the items joined by US (JSON when an item holds
    either mark); json.dumps per task would cost more than the rest of a snapshot's writing."""
    if not items:
        return ""
    text = _SEP.join(items)
    if _START in text or _SEP in "".join(items):
        return json.dumps(list(items))
    return _START + text


def _unstrings(text: str) -> list[str]:
    """Inverse of _strings."""
    if not text:
        return []
    if text[0] == _START:
        return text[1:].split(_SEP)
    return list(json.loads(text))


def _task(row: Sequence[Any]) -> Task:
    (ref, key, title, status, section, department, assignee, start, due) = row[:9]
    (estimate, labels, depends_on, url, updated, provider, extra) = row[9:]
    return Task(
        ref=ref,
        key=key,
        title=title,
        status=Status(status),
        section=section,
        department=department,
        assignee=assignee,
        start=dt.date.fromisoformat(start) if start else None,
        due=dt.date.fromisoformat(due) if due else None,
        estimate=estimate,
        labels=_unstrings(labels),
        depends_on=_unstrings(depends_on),
        url=url or "",
        updated=dt.datetime.fromisoformat(updated) if updated else None,
        extra=json.loads(extra),
        provider=provider,
    )


class LazyTasks(Sequence[Task]):
    """A stored snapshot's tasks, built whole only when one is asked for (the diff reads only their states)."""

    def _whole(self) -> list[Task]:
        raise NotImplementedError

    @overload
    def __getitem__(self, index: int) -> Task: ...
    @overload
    def __getitem__(self, index: slice) -> list[Task]: ...
    def __getitem__(self, index: int | slice) -> Task | list[Task]:
        return self._whole()[index]

    def __len__(self) -> int:
        raise NotImplementedError

    def __iter__(self) -> Iterator[Task]:
        return iter(self._whole())


class StoredTasks(LazyTasks):
    """A stored snapshot's tasks: what the diff compares is read at once, whole tasks only when asked for."""

    def __init__(self, db: sqlite3.Connection, instance: str, snapshot_id: int) -> None:
        self._db, self._instance, self._id = db, instance, snapshot_id
        self._tasks: list[Task] | None = None
        self.states: list[tuple[str, TaskState]] = []
        days: dict[str, dt.date] = {}
        for _, key, provider, ref, title, department, status, url, due, start, assignee in self._rows(_STATE_FIELDS):
            due_day = (days.get(due) or days.setdefault(due, dt.date.fromisoformat(due))) if due else None
            start_day = (days.get(start) or days.setdefault(start, dt.date.fromisoformat(start))) if start else None
            ident = key or f"{provider or 'unknown'}:{ref}"
            self.states.append((ident, (title, department, provider, status, url or "", due_day, start_day, assignee)))

    def _rows(self, fields: str) -> Iterator[tuple[Any, ...]]:
        return self._db.execute(
            f"SELECT {fields} FROM snapshot_tasks WHERE instance = ? AND since <= ? AND (until IS NULL OR until > ?)"
            " ORDER BY pos",
            (self._instance, self._id, self._id),
        )

    def _whole(self) -> list[Task]:
        if self._tasks is None:  # read while the store is open (History.past is used inside it)
            self._tasks = [_task(row[1:]) for row in self._rows(f"pos, {_FIELDS}")]
        return self._tasks

    def __len__(self) -> int:
        return len(self.states)


def load_tasks(db: sqlite3.Connection, instance: str, snapshot_id: int, stored: str) -> Sequence[Task]:
    """A snapshot's tasks: from the old JSON column when it holds them, else from the versions."""
    if stored:
        return [Task.from_dict(t) for t in json.loads(stored)]
    return StoredTasks(db, instance, snapshot_id)
