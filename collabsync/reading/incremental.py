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
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from collabsync.model import Container, Task
from collabsync.private import private_file

if TYPE_CHECKING:
    from collabsync.providers.base import Changes, Provider

__all__ = ["ReadState", "ReadStore", "read", "merge", "DEFAULT_FULL_EVERY", "DEFAULT_OVERLAP_MINUTES"]

DEFAULT_FULL_EVERY = 10
DEFAULT_OVERLAP_MINUTES = 5  # covers requests in flight when the stored read began and clock drift between runs

_SCHEMA = """
CREATE TABLE IF NOT EXISTS reads (
    provider TEXT NOT NULL, container TEXT NOT NULL, began TEXT NOT NULL, runs INTEGER NOT NULL, tasks TEXT NOT NULL,
    PRIMARY KEY (provider, container)
)
"""


@dataclass
class ReadState:
    """One container's last read: when it began, incremental runs since the last full one, its tasks."""

    began: dt.datetime
    runs: int
    tasks: list[Task]


class ReadStore:
    """The stored reads of one home directory (SQLite, 0600; safe across the read threads)."""

    def __init__(self, path: Path) -> None:
        private_file(path)
        self._lock = threading.Lock()
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")  # a lost last read costs one full read, never wrong data
        self.db.execute(_SCHEMA)

    def load(self, provider: str, container: str) -> ReadState | None:
        """The stored read of a container, or None."""
        with self._lock:
            row = self.db.execute("SELECT began, runs, tasks FROM reads WHERE provider = ? AND container = ?",
                                  (provider, container)).fetchone()
        if row is None:
            return None
        tasks = [Task.from_dict(t) for t in json.loads(row[2])]
        return ReadState(dt.datetime.fromisoformat(row[0]), int(row[1]), tasks)

    def save(self, provider: str, container: str, state: ReadState) -> None:
        """Replace a container's stored read."""
        tasks = json.dumps([t.to_dict() for t in state.tasks], separators=(",", ":"))
        with self._lock:
            self.db.execute("INSERT OR REPLACE INTO reads VALUES (?, ?, ?, ?, ?)",
                            (provider, container, state.began.isoformat(), state.runs, tasks))

    def close(self) -> None:
        """Close the database."""
        self.db.close()


def merge(stored: list[Task], changes: Changes) -> list[Task]:
    """The stored tasks with the changed ones swapped in, in the tool's order, without refs gone from scope."""
    fresh = {t.ref: t for t in changes.tasks}
    old = {t.ref: t for t in stored}
    blocking = {blocking for _, blocking in changes.blocks} | set(fresh)
    out: list[Task] = []
    for ref in changes.refs:
        if ref in fresh:
            out.append(fresh[ref])
            continue
        if ref not in old:
            continue  # the provider fetched every ref it did not know; a missing one vanished meanwhile
        task = old[ref]  # freshly loaded: ours to change
        task.depends_on = [d for d in task.depends_on if d not in blocking]  # re-read from the blocking end below
        task.depends_on += [b for blocked, b in changes.blocks if blocked == ref and b not in task.depends_on]
        out.append(task)
    return out


def read(provider: Provider, name: str, container: Container, store: ReadStore, *, full: bool = False) -> list[Task]:
    """A container's tasks, incrementally when the provider's `incremental` setting allows it."""
    settings = provider.settings
    began = dt.datetime.now(dt.UTC)
    state = None if full or not settings.get("incremental") else store.load(name, container.ref)
    every = int(settings.get("full_read_every", DEFAULT_FULL_EVERY))
    changes = None
    if state is not None and state.runs + 1 < every:
        overlap = dt.timedelta(minutes=float(settings.get("read_overlap_minutes", DEFAULT_OVERLAP_MINUTES)))
        changes = provider.read_changes(container, state.began - overlap, {t.ref for t in state.tasks})
    if state is not None and changes is not None:
        tasks, runs = merge(state.tasks, changes), state.runs + 1
    else:
        tasks, runs = provider.read_tasks(container), 0
    if settings.get("incremental"):  # stored before the caller places and rewrites the tasks
        store.save(name, container.ref, ReadState(began, runs, tasks))
    return tasks
