"""Incremental reads: ask a tool only what changed since the last read and merge it with the stored one.

Each container's last read is kept normalized (neutral tasks as JSON) in `reads.sqlite` in the home
directory, with when it began and how many incremental reads followed the last full one. A read is
full when asked (`status --fresh`), when nothing is stored, every `full_read_every` runs, or when the
provider cannot list changes; otherwise the provider returns every ref in scope (catching deletions
and moves) and the tasks changed since the stored read began, less the overlap.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from collabsync.model import Container, Task
from collabsync.private import private_file

if TYPE_CHECKING:
    from collabsync.providers.base import Changes, Provider

__all__ = ["ReadState", "ReadStore", "read", "prepare", "merge", "DEFAULT_FULL_EVERY", "DEFAULT_OVERLAP_MINUTES"]

DEFAULT_FULL_EVERY = 10
DEFAULT_OVERLAP_MINUTES = 5  # covers requests in flight when the stored read began and clock drift between runs

_SCHEMA = """
CREATE TABLE IF NOT EXISTS reads (
    provider TEXT NOT NULL, container TEXT NOT NULL, began TEXT NOT NULL, runs INTEGER NOT NULL, tasks TEXT NOT NULL,
    PRIMARY KEY (provider, container)
);
CREATE TABLE IF NOT EXISTS cursors (
    provider TEXT NOT NULL, container TEXT NOT NULL, cursor TEXT NOT NULL,
    PRIMARY KEY (provider, container)
)
"""


@dataclass
class ReadState:
    """One container's last read: when it began, incremental runs since the last full one, its tasks."""

    began: dt.datetime
    runs: int
    tasks: list[Task]
    #: The provider's position in its change feed (Changes.cursor), e.g. Asana's sync token.
    cursor: str | None = None


class ReadStore:
    """The stored reads of one home directory (SQLite, 0600; safe across the read threads)."""

    def __init__(self, path: Path) -> None:
        private_file(path)
        self._lock = threading.Lock()
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")  # a lost last read costs one full read, never wrong data
        self.db.executescript(_SCHEMA)
        #: (provider, container) -> when `prepare` began asking about it: the next stored read begins no later.
        self.begun: dict[tuple[str, str], dt.datetime] = {}

    def progress(self, provider: str, container: str) -> tuple[dt.datetime, int, str | None] | None:
        """When a container's stored read began, the incremental runs since a full one, its cursor; no tasks."""
        with self._lock:
            row = self.db.execute(
                "SELECT began, runs, cursor FROM reads LEFT JOIN cursors USING (provider, container) "
                "WHERE provider = ? AND container = ?",
                (provider, container),
            ).fetchone()
        return None if row is None else (dt.datetime.fromisoformat(row[0]), int(row[1]), row[2])

    def load(self, provider: str, container: str) -> ReadState | None:
        """The stored read of a container, or None."""
        with self._lock:
            row = self.db.execute(
                "SELECT began, runs, tasks, cursor FROM reads LEFT JOIN cursors "
                "USING (provider, container) WHERE provider = ? AND container = ?",
                (provider, container),
            ).fetchone()
        if row is None:
            return None
        tasks = [Task.from_dict(t) for t in json.loads(row[2])]
        return ReadState(dt.datetime.fromisoformat(row[0]), int(row[1]), tasks, row[3])

    def save(self, provider: str, container: str, state: ReadState) -> None:
        """Replace a container's stored read."""
        tasks = json.dumps([t.to_dict() for t in state.tasks], separators=(",", ":"))
        with self._lock:
            self.db.execute("BEGIN")
            try:
                self.db.execute(
                    "INSERT OR REPLACE INTO reads VALUES (?, ?, ?, ?, ?)",
                    (provider, container, state.began.isoformat(), state.runs, tasks),
                )
                self.db.execute("DELETE FROM cursors WHERE provider = ? AND container = ?", (provider, container))
                if state.cursor is not None:
                    self.db.execute("INSERT INTO cursors VALUES (?, ?, ?)", (provider, container, state.cursor))
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    def close(self) -> None:
        """Close the database."""
        self.db.close()


def merge(stored: list[Task], changes: Changes) -> list[Task]:
    """The stored tasks with the changed ones swapped in, in the tool's order, without refs gone from scope."""
    fresh = {t.ref: t for t in changes.tasks}
    old = {t.ref: t for t in stored}
    blocking = {blocking for _, blocking in changes.blocks} | set(fresh)
    pairs = set(changes.blocks)
    out: list[Task] = []
    for ref in changes.refs:
        if ref in fresh:
            out.append(fresh[ref])
            continue
        if ref not in old:
            continue  # the provider fetched every ref it did not know; a missing one vanished meanwhile
        task = old[ref]  # freshly loaded: ours to change
        # re-read from the blocking end: a link still there keeps its place (the tool's order), new ones go last
        task.depends_on = [d for d in task.depends_on if d not in blocking or (ref, d) in pairs]
        task.depends_on += [b for blocked, b in changes.blocks if blocked == ref and b not in task.depends_on]
        out.append(task)
    return out


def _since(provider: Provider, progress: tuple[dt.datetime, int, str | None] | None) -> dt.datetime | None:
    """Where an incremental read starts (the stored read's start less the overlap), or None for a full read."""
    settings = provider.settings
    if progress is None or progress[1] + 1 >= int(settings.get("full_read_every", DEFAULT_FULL_EVERY)):
        return None
    overlap = dt.timedelta(minutes=float(settings.get("read_overlap_minutes", DEFAULT_OVERLAP_MINUTES)))
    return progress[0] - overlap


def prepare(
    provider: Provider, name: str, containers: Sequence[Container], store: ReadStore, *, full: bool = False
) -> None:
    """Before the reads: ask about the incremental ones' changes together, prefetch the full ones together."""
    began = dt.datetime.now(dt.UTC)
    incremental: list[tuple[Container, dt.datetime, str | None]] = []
    whole: list[Container] = []
    for container in containers:
        progress = None if full else store.progress(name, container.ref)
        since = _since(provider, progress)
        if progress is None or since is None:
            whole.append(container)
        else:
            store.begun[(name, container.ref)] = began
            incremental.append((container, since, progress[2]))
    if incremental:
        provider.prefetch_changes(incremental)
    if len(whole) > 1:
        provider.prefetch(whole)


def read(provider: Provider, name: str, container: Container, store: ReadStore, *, full: bool = False) -> list[Task]:
    """A container's tasks, incrementally when the provider's `incremental` setting allows it."""
    settings = provider.settings
    began = store.begun.pop((name, container.ref), None) or dt.datetime.now(dt.UTC)
    state = None if full or not settings.get("incremental") else store.load(name, container.ref)
    since = None if state is None else _since(provider, (state.began, state.runs, state.cursor))
    changes = None
    if state is not None and since is not None:
        changes = provider.read_changes(container, since, {t.ref: t for t in state.tasks}, state.cursor)
    if state is not None and changes is not None:
        tasks, runs, cursor = merge(state.tasks, changes), state.runs + 1, changes.cursor
    else:
        # the feed's position is taken before the read: what changes meanwhile is replayed next time
        cursor = provider.change_cursor(container) if settings.get("incremental") else None
        tasks, runs = provider.read_tasks(container), 0
    if settings.get("incremental"):  # stored before the caller places and rewrites the tasks
        store.save(name, container.ref, ReadState(began, runs, tasks, cursor))
    return tasks
