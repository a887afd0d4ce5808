"""The tasks of report snapshots as columns: one stored value per field of Task, shared by every snapshot it holds for.

A snapshot's tasks are 16 columns (Task's fields, in order), each stored once in `task_columns` under the
SHA-256 of its bytes; `snapshot_columns` names a snapshot's 16 digests and its task count. A column that did
not change since the previous snapshot costs nothing to store, and the diff knows that the fields it compares
are unchanged from the digests alone, without reading the earlier tasks back. Built with C-level passes
(`map`, `zip`, `str.join`): per-task Python work was most of a 100,000-task report's history.

How a column becomes bytes (exactly, and cheaply for what tools return) is history_codec's part.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from collections.abc import Sequence
from operator import attrgetter, is_, itemgetter
from typing import Any

from collabsync.model import Status, Task
from collabsync.report.history_codec import decode, encode, encode_moments
from collabsync.report.history_tasks import LazyTasks

__all__ = ["COLUMNS_SCHEMA", "FIELDS", "TaskColumns", "StoredColumns", "save_columns", "stored_columns"]

COLUMNS_SCHEMA = """
CREATE TABLE IF NOT EXISTS task_columns (
    digest BLOB PRIMARY KEY,
    data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS snapshot_columns (
    snapshot_id INTEGER PRIMARY KEY REFERENCES snapshots(id) ON DELETE CASCADE,
    count INTEGER NOT NULL,
    digests BLOB NOT NULL
);
"""
#: Task's fields in its positional order: the columns of a snapshot, and Task(*row) of a row.
FIELDS = (
    "ref",
    "title",
    "status",
    "key",
    "section",
    "department",
    "assignee",
    "start",
    "due",
    "estimate",
    "labels",
    "depends_on",
    "url",
    "updated",
    "extra",
    "provider",
)
_AT = {name: i for i, name in enumerate(FIELDS)}
_REF, _TITLE, _STATUS, _KEY, _DEPT, _ASSIGNEE = (
    _AT[n] for n in ("ref", "title", "status", "key", "department", "assignee")
)
_START, _DUE, _URL, _UPDATED, _PROVIDER = (_AT[n] for n in ("start", "due", "url", "updated", "provider"))
#: The columns the diff compares (TaskState and the identity); equal digests here mean equal states.
_STATE_COLUMNS = (_TITLE, _DEPT, _PROVIDER, _STATUS, _URL, _DUE, _START, _ASSIGNEE, _KEY, _REF)
_DIGEST = 32  # bytes of a SHA-256
_VALUE = attrgetter("_value_")
_STATUSES = {member.value: member for member in Status}
_URL_OR_EMPTY: dict[Any, str] = {None: ""}


class _Fields:
    """A task list's columns, each taken when asked for and then dropped (but the ref and key columns, which
    others derive from): a C-level pass of itemgetter over the tasks' __dict__s, a dataclass's fields being plain
    instance attributes, else of attrgetter over the tasks."""

    def __init__(self, tasks: Sequence[Task]) -> None:
        self.tasks = tasks
        try:
            self._dicts: list[dict[str, Any]] | None = list(map(vars, tasks))
        except TypeError:  # an object without a __dict__
            self._dicts = None
        self._kept: dict[int, list[Any]] = {}

    def __call__(self, at: int) -> list[Any]:
        if at in self._kept:
            return self._kept[at]
        column = None
        if self._dicts is not None:
            try:
                column = list(map(itemgetter(FIELDS[at]), self._dicts))
            except KeyError:
                pass
        if column is None:
            column = list(map(attrgetter(FIELDS[at]), self.tasks))
        if at in (_REF, _KEY):
            self._kept[at] = column
        return column

    def bases(self) -> dict[int, Sequence[Any]]:
        """The columns a string column may be derived from."""
        return {_REF: self(_REF), _KEY: self(_KEY)}


def _digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _status_values(column: Sequence[Any]) -> list[str]:
    """Status values (an enum member's hash and `.value` are Python calls; its `_value_` is a plain attribute); a
    status given as its value is checked by Status(), as before."""
    if set(map(type, column)) == {Status}:
        return list(map(_VALUE, column))
    return [Status(s).value for s in column]


def _days(column: Sequence[Any], distinct: set[Any] | None = None) -> list[str | None]:
    """Dates as ISO text, each distinct day converted once (100,000 tasks share a few hundred days)."""
    text = {day: day.isoformat() if day else None for day in (set(column) if distinct is None else distinct)}
    return list(map(text.__getitem__, column))


def _encode(at: int, column: Sequence[Any], fields: _Fields, days: set[Any] | None = None) -> bytes:
    """One column's stored bytes (a string column may be stored as derived from the ref or key column); `days`:
    a date column's distinct values, when the caller has them."""
    if at == _STATUS:
        return encode(_status_values(column))
    if at in (_START, _DUE):
        return encode(_days(column, days))
    if at == _UPDATED:
        return encode_moments(column) or encode([v.isoformat() if v else None for v in column])
    if at in (_REF, _KEY):
        return encode(column)
    return encode(column, fields.bases())


def _decode_days(data: bytes, count: int) -> list[dt.date | None]:
    texts = decode(data, count, _no_base)
    days = {text: dt.date.fromisoformat(text) if text else None for text in set(texts)}
    return list(map(days.__getitem__, texts))


def _no_base(at: int) -> list[Any]:
    raise ValueError("a history column of dates or statuses names no other column")


def _states(columns: Sequence[Sequence[Any]]) -> list[tuple[str, tuple[Any, ...]]]:
    """(identity, TaskState) per task from columns holding status values and dates as the diff compares them."""
    idents = [
        key or f"{provider or 'unknown'}:{ref}"
        for key, provider, ref in zip(columns[_KEY], columns[_PROVIDER], columns[_REF], strict=True)
    ]
    states = zip(*(columns[at] for at in _STATE_COLUMNS[:8]), strict=True)
    return list(zip(idents, states, strict=True))


class TaskColumns:
    """A run's tasks as columns with their digests: what the diff and the save of one report share."""

    def __init__(self, tasks: Sequence[Task]) -> None:
        self.tasks = list(tasks)
        self.fields = _Fields(self.tasks)
        self.digests: list[bytes] = []
        self.forms: list[bytes] = []  # each column's tag
        self._days: dict[int, set[Any]] = {}
        self._url_none = False
        for at in range(len(FIELDS)):
            column = self.fields(at)
            if at in (_START, _DUE):
                self._days[at] = set(column)
            data = _encode(at, column, self.fields, self._days.get(at))
            if at == _URL:  # (a column derived from another holds strings alone: no pass to look for a None)
                self._url_none = data[:1] != b"R" and None in column
            self.digests.append(_digest(data))
            self.forms.append(data[:1])

    def holds(self, tasks: Sequence[Task]) -> bool:
        """Whether these are the very task objects encoded (the save reuses the diff's work only then)."""
        return len(tasks) == len(self.tasks) and all(map(is_, tasks, self.tasks))

    def states_match(self, stored: StoredColumns) -> bool:
        """Whether the diff would find every task state as stored: the same bytes in every compared column, and
        nothing the stored form reads back differently (a None url reads back as "")."""
        if not all(self.digests[at] == stored.digests[at] and self.forms[at] in b"SR" for at in _STATE_COLUMNS):
            return False  # (other forms may read back a different type: a tuple as a list)
        if self._url_none:
            return False
        return all(type(day) is dt.date for days in self._days.values() for day in days if day is not None)

    def may_fall_due(self, since: dt.date, today: dt.date) -> bool:
        """Whether a task is due in [since, today): only such a task can become overdue with the days alone."""
        return any(since <= day < today for day in self._days[_DUE] if day is not None)

    def states(self) -> list[tuple[str, tuple[Any, ...]]]:
        """(identity, TaskState) per task, as history_diff compares them."""
        columns = [self.fields(at) if at in _STATE_COLUMNS else [] for at in range(len(FIELDS))]
        columns[_STATUS] = _status_values(columns[_STATUS])
        return _states(columns)


class StoredColumns(LazyTasks):
    """A stored snapshot's tasks: its digests at once, the states the diff compares or whole tasks when asked."""

    def __init__(self, db: sqlite3.Connection, count: int, digests: bytes) -> None:
        self._db, self.size = db, count
        self.digests = [digests[i : i + _DIGEST] for i in range(0, len(digests), _DIGEST)]
        self._tasks: list[Task] | None = None

    def column(self, at: int, read: dict[int, list[Any]] | None = None) -> list[Any]:
        """One field of every task as Task holds it, read while the store is open (`read`: columns decoded so far)."""
        read = {} if read is None else read
        if at not in read:
            data = self._data(at)
            if at == _STATUS:
                read[at] = [_STATUSES.get(v) or Status(v) for v in decode(data, self.size, _no_base)]
            elif at in (_START, _DUE):
                read[at] = _decode_days(data, self.size)
            elif at == _UPDATED and data[:1] != b"D":
                read[at] = [dt.datetime.fromisoformat(v) if v else None for v in decode(data, self.size, _no_base)]
            else:
                read[at] = decode(data, self.size, lambda base: self.column(base, read))
        return read[at]

    @property
    def states(self) -> list[tuple[str, tuple[Any, ...]]]:
        """(identity, TaskState) per task, as StoredTasks reads them (a missing url compares as "")."""
        read: dict[int, list[Any]] = {_STATUS: decode(self._data(_STATUS), self.size, _no_base)}  # values
        columns = [self.column(at, read) if at in _STATE_COLUMNS else [] for at in range(len(FIELDS))]
        columns[_URL] = list(map(_URL_OR_EMPTY.get, columns[_URL], columns[_URL]))
        return _states(columns)

    def _data(self, at: int) -> bytes:
        row = self._db.execute("SELECT data FROM task_columns WHERE digest = ?", (self.digests[at],)).fetchone()
        if row is None:
            raise KeyError(f"history column {self.digests[at].hex()} is missing")
        return bytes(row[0])

    def _whole(self) -> list[Task]:
        if self._tasks is None:
            read: dict[int, list[Any]] = {}
            columns = [self.column(at, read) for at in range(len(FIELDS))]
            columns[_URL] = list(map(_URL_OR_EMPTY.get, columns[_URL], columns[_URL]))
            self._tasks = list(map(Task, *columns))
        return self._tasks

    def __len__(self) -> int:
        return self.size


def stored_columns(db: sqlite3.Connection, snapshot_id: int) -> StoredColumns | None:
    """A snapshot's tasks when they are stored as columns (None for a snapshot of an earlier format)."""
    row = db.execute("SELECT count, digests FROM snapshot_columns WHERE snapshot_id = ?", (snapshot_id,)).fetchone()
    return StoredColumns(db, int(row[0]), bytes(row[1])) if row else None


def save_columns(
    db: sqlite3.Connection, snapshot_id: int, tasks: Sequence[Task], encoded: TaskColumns | None = None
) -> int:
    """Store a snapshot's tasks (with `encoded`, the diff's columns of these very tasks); columns written.

    A column already stored (unchanged since an earlier snapshot) is not encoded again; each column is taken,
    encoded, stored and dropped in turn, so at most one column and its bytes are held at once."""
    fields = encoded.fields if encoded is not None else _Fields(tasks)
    digests, written = [], 0
    for at in range(len(FIELDS)):
        digest = encoded.digests[at] if encoded is not None else None
        if digest is not None and db.execute("SELECT 1 FROM task_columns WHERE digest = ?", (digest,)).fetchone():
            digests.append(digest)
            continue
        data = _encode(at, fields(at), fields)
        digest = _digest(data)
        written += db.execute(
            "INSERT OR IGNORE INTO task_columns (digest, data) VALUES (?, ?)", (digest, data)
        ).rowcount
        digests.append(digest)
    db.execute(
        "INSERT INTO snapshot_columns (snapshot_id, count, digests) VALUES (?, ?, ?)",
        (snapshot_id, len(tasks), b"".join(digests)),
    )
    return written
