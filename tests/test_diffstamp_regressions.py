"""What the stamping differential run (bench/diffstamp.py) found changed by issue 17's rewrites, pinned to the old
code's behaviour: a batch the tool stops part-way still reports (and touches) every row it wrote."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from collabsync.model import NewTask, TaskSpec, marker
from collabsync.providers.base import ProviderContext
from collabsync.providers.local import LocalProvider

#: The tool refusing a row itself (a constraint, a trigger, a full disk): SQLite aborts that statement only.
_REFUSE_THIRD_LINK = (
    "CREATE TRIGGER refuse BEFORE INSERT ON dependencies WHEN (SELECT count(*) FROM dependencies) >= 2 "
    "BEGIN SELECT RAISE(ABORT, 'tool refused the link'); END"
)


@pytest.fixture
def local(tmp_path: Path) -> Iterator[LocalProvider]:
    with LocalProvider("local", {}, ProviderContext(home=tmp_path)) as p:
        yield p


def _new(key: str) -> NewTask:
    return NewTask(TaskSpec(key=key, title=f"Task {key}", department="sales"), marker("i", key), None)


def test_links_written_before_a_refused_one_are_reported_and_touched(local: LocalProvider) -> None:
    """Old code yielded the links written before the failing insert; the batched one reported none of them, so the
    ledger kept them `pending` and their tasks' `updated` (what an incremental read looks for) stayed old."""
    container = local.ensure_container("i", "I", "", {})
    a, b, c, d = (m.ref for m in local.create_tasks(container, [_new(k) for k in "abcd"]))
    before = dict(local.db.execute("SELECT id, updated FROM tasks").fetchall())
    local.db.execute(_REFUSE_THIRD_LINK)
    links = local.link_dependencies(container, [(b, a), (c, b), (d, c), (d, a)])
    got = [(x.blocked_ref, x.blocking_ref) for x in (next(links), next(links))]
    assert got == [(b, a), (c, b)]
    with pytest.raises(sqlite3.IntegrityError, match="tool refused the link"):
        next(links)
    rows = local.db.execute("SELECT task_id, depends_on_id FROM dependencies ORDER BY 1").fetchall()
    assert rows == [(int(b), int(a)), (int(c), int(b))]
    after = dict(local.db.execute("SELECT id, updated FROM tasks").fetchall())
    assert after[int(b)] > before[int(b)] and after[int(c)] > before[int(c)]
    assert after[int(a)] == before[int(a)] and after[int(d)] == before[int(d)]


def test_tasks_are_counted_as_written_not_by_total_changes(local: LocalProvider) -> None:
    """A trigger in the tool's file that writes a row of its own (an audit table) counts in total_changes: the
    batched insert then reported tasks the tool refused as created, and the ledger marked them done (lost work)."""
    container = local.ensure_container("i", "I", "", {})
    local.db.execute("CREATE TABLE audit (title TEXT)")
    local.db.execute("CREATE TRIGGER audit AFTER INSERT ON tasks BEGIN INSERT INTO audit VALUES (NEW.title); END")
    local.db.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON tasks WHEN NEW.title = 'Task c' "
        "BEGIN SELECT RAISE(ABORT, 'tool refused the task'); END"
    )
    made = local.create_tasks(container, [_new(k) for k in "abcd"])
    assert [(m.key, m.ref) for m in (next(made), next(made))] == [("a", "1"), ("b", "2")]
    with pytest.raises(sqlite3.IntegrityError, match="tool refused the task"):
        next(made)
    assert local.db.execute("SELECT id, title FROM tasks ORDER BY id").fetchall() == [(1, "Task a"), (2, "Task b")]
    local.db.execute("DROP TRIGGER refuse")
    again = list(local.create_tasks(container, [_new(k) for k in "cd"]))
    assert [(m.key, m.ref) for m in again] == [("c", "3"), ("d", "4")]
