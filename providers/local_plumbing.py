"""The local provider's SQLite file: opened lazily, one transaction per batch, rows by id; apart from local.py."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Any

from collabsync.errors import NotFoundError, ProviderError
from collabsync.model import MARKER_PREFIX, Container, Status, Task, parse_marker
from collabsync.private import private_file
from collabsync.providers.base import Provider, ProviderContext

_SCHEMA = """
CREATE TABLE IF NOT EXISTS containers (
    id INTEGER PRIMARY KEY, space TEXT NOT NULL, name TEXT NOT NULL, description TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sections (
    id INTEGER PRIMARY KEY, container_id INTEGER NOT NULL REFERENCES containers(id), name TEXT NOT NULL,
    position INTEGER NOT NULL, UNIQUE (container_id, name)
);
CREATE TABLE IF NOT EXISTS tasks (
    id INTEGER PRIMARY KEY, container_id INTEGER NOT NULL REFERENCES containers(id),
    section_id INTEGER REFERENCES sections(id), title TEXT NOT NULL, description TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'todo', assignee TEXT, start TEXT, due TEXT, estimate REAL,
    labels TEXT NOT NULL DEFAULT '[]', checklist TEXT NOT NULL DEFAULT '[]',
    created TEXT NOT NULL, updated TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tasks_container ON tasks (container_id, updated);
CREATE TABLE IF NOT EXISTS dependencies (
    task_id INTEGER NOT NULL REFERENCES tasks(id), depends_on_id INTEGER NOT NULL REFERENCES tasks(id),
    PRIMARY KEY (task_id, depends_on_id)
);
CREATE TABLE IF NOT EXISTS status_entries (
    id INTEGER PRIMARY KEY, container_id INTEGER NOT NULL REFERENCES containers(id), health TEXT NOT NULL,
    text TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL
);
"""


#: The columns read_tasks reads, in the order tasks_from_rows unpacks them.
_TASK_COLUMNS = (
    "t.id, t.title, t.status, t.section_id, t.assignee, t.start, t.due, t.estimate, NULLIF(t.labels, '[]'),"
    " t.updated, t.description, NULLIF(t.checklist, '[]')"
)

_STATUS: dict[str, Status] = {s.value: s for s in Status}


def tasks_from_rows(
    rows: Iterable[tuple[Any, ...]], deps: dict[int, list[str]], sections: dict[int, str], url: str, ids: list[int]
) -> list[Task]:
    """Tasks straight from the rows of _TASK_COLUMNS, each row's id appended to `ids`: one pass, no per-field
    lookups by name (100,000 in a read)."""
    note = ids.append
    moment, loads, status_of = dt.datetime.fromisoformat, json.loads, _STATUS
    days: dict[str | None, dt.date | None] = {None: None, "": None}  # one date object per distinct day
    skip = len(MARKER_PREFIX)
    out = []
    for tid, title, status, section_id, assignee, start, due, estimate, labels, updated, description, checks in rows:
        if description.startswith(MARKER_PREFIX) and description.isprintable():  # as parse_marker, without its call
            instance, _, key = description[skip:].strip().partition("/")
            key = key or None if instance else None
        else:
            found = parse_marker(description)
            key = found[1] if found else None
        note(tid)
        ref = str(tid)
        if start not in days:
            days[start] = dt.date.fromisoformat(start)
        if due not in days:
            days[due] = dt.date.fromisoformat(due)
        out.append(
            Task(
                ref,
                title,
                status_of.get(status) or Status(status),
                key,
                sections.get(section_id),
                None,
                assignee,
                days[start],
                days[due],
                estimate,
                loads(labels) if labels else [],
                deps.get(tid) or [],
                url + ref,
                moment(updated),
                {"description": description, "checklist": loads(checks) if checks else []},
            )
        )
    return out


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


class LocalPlumbing(Provider):
    """The database of one local provider and the row helpers its methods share."""

    def __init__(self, name: str, settings: Mapping[str, Any], context: ProviderContext) -> None:
        super().__init__(name, settings, context)
        self.path = Path(settings["path"]).expanduser() if settings.get("path") else context.home / "local.sqlite"
        self._lock = threading.RLock()

    @cached_property
    def db(self) -> sqlite3.Connection:
        """The database, opened (and created) on first use, so describing a plan touches no file."""
        with self._lock:
            if "db" in self.__dict__:  # another thread opened it while this one waited
                return self.__dict__["db"]
            private_file(self.path)
            try:
                db = sqlite3.connect(str(self.path), timeout=30, isolation_level=None, check_same_thread=False)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")  # as the ledger: WAL commits survive a crash, no fsync each
                db.execute("PRAGMA foreign_keys=ON")
                db.executescript(_SCHEMA)
                if "archived" not in {r[1] for r in db.execute("PRAGMA table_info(containers)")}:
                    db.execute("ALTER TABLE containers ADD COLUMN archived TEXT")  # files made before archive
            except sqlite3.DatabaseError as exc:
                raise ProviderError(
                    self.name,
                    str(self.path),
                    f"not a readable local tool database ({exc}); restore "
                    "it from a backup, or move it away to start an empty one",
                ) from None
            return db

    @contextmanager
    def _batch(self, begin: str = "BEGIN") -> Iterator[list[Exception]]:
        """One transaction under the lock; a failure inside keeps what came before it and is handed back to raise
        after those outcomes are yielded (as a write-per-commit loop would have left it)."""
        failed: list[Exception] = []
        with self._lock:
            self.db.execute(begin)
            try:
                yield failed
            except Exception as exc:  # re-raised by the caller once the earlier outcomes are out
                failed.append(exc)
            finally:
                self.db.execute("COMMIT")

    def _cid(self, container: Container) -> int:
        try:
            return int(container.ref)
        except ValueError:
            raise NotFoundError(self.name, f"container {container.ref}", "not a local container id") from None

    def _rows(self, sql: str, args: Sequence[Any]) -> list[sqlite3.Row]:
        """Rows addressable by column name, without changing the shared connection's row factory."""
        cursor = self.db.cursor()
        cursor.row_factory = sqlite3.Row
        return cursor.execute(sql, args).fetchall()

    def _task_row(self, ref: str) -> dict[str, Any]:
        try:
            rows = self._rows("SELECT * FROM tasks WHERE id = ?", (int(ref),))
        except ValueError:
            rows = []
        row = rows[0] if rows else None
        if row is None:
            raise NotFoundError(self.name, f"task {ref}", "no such task")
        return dict(row)

    def _url(self, ref: str) -> str:
        return f"collabsync-local://{self.name}/tasks/{ref}"
