"""The local provider's batch writes and the ledger's queued outcome rows keep what one write per row kept."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from collabsync.errors import NotFoundError
from collabsync.ledger import Ledger
from collabsync.model import NewTask, TaskSpec, marker
from collabsync.providers.base import ProviderContext
from collabsync.providers.local import LocalProvider


@pytest.fixture
def local(tmp_path: Path) -> Iterator[LocalProvider]:
    with LocalProvider("local", {}, ProviderContext(home=tmp_path)) as p:
        yield p


def _new(key: str, labels: tuple[str, ...] = ()) -> NewTask:
    return NewTask(TaskSpec(key=key, title=f"Task {key}", department="sales", labels=labels), marker("i", key), None)


def test_ids_across_batches_are_the_ones_sqlite_gives(local: LocalProvider) -> None:
    container = local.ensure_container("i", "I", "", {})
    first = list(local.create_tasks(container, [_new("a")]))
    local.db.execute("DELETE FROM tasks WHERE id = ?", (int(first[0].ref),))  # the highest id is free again
    made = list(local.create_tasks(container, [_new(f"k{i}", ("x",) if i % 2 else ()) for i in range(1100)]))
    assert [m.ref for m in made] == [str(i) for i in range(1, 1101)]
    assert [m.key for m in made] == [f"k{i}" for i in range(1100)]
    rows = local.db.execute("SELECT id, title, labels, description FROM tasks ORDER BY id").fetchall()
    assert rows[0] == (1, "Task k0", "[]", marker("i", "k0"))
    assert rows[1][2] == '["x"]' and len(rows) == 1100


def test_a_link_naming_no_task_stops_its_batch_there(local: LocalProvider) -> None:
    container = local.ensure_container("i", "I", "", {})
    a, b, c = (m.ref for m in local.create_tasks(container, [_new("a"), _new("b"), _new("c")]))
    before = dict(local.db.execute("SELECT id, updated FROM tasks").fetchall())
    links = local.link_dependencies(container, [(b, a), (c, b), (c, "not-a-ref"), (a, c)])
    assert [(x.blocked_ref, x.blocking_ref) for x in (next(links), next(links))] == [(b, a), (c, b)]
    with pytest.raises(NotFoundError, match="task not-a-ref"):
        next(links)
    rows = local.db.execute("SELECT task_id, depends_on_id FROM dependencies ORDER BY 1").fetchall()
    assert rows == [(int(b), int(a)), (int(c), int(b))]  # written before the bad pair, nothing after it
    after = dict(local.db.execute("SELECT id, updated FROM tasks").fetchall())
    assert after[int(a)] == before[int(a)] and after[int(b)] > before[int(b)] and after[int(c)] > before[int(c)]


def test_grouped_rows_of_every_statement_commit_together(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.sqlite")
    ledger.plan_subwrites("i", [("a", "checklist", "0:x")])
    other = sqlite3.connect(tmp_path / "ledger.sqlite")

    def seen() -> tuple[int, int, int]:
        done = other.execute("SELECT count(*) FROM subwrites WHERE state = 'done'").fetchone()[0]
        return (
            other.execute("SELECT count(*) FROM objects").fetchone()[0],
            other.execute("SELECT count(*) FROM links").fetchone()[0],
            done,
        )

    with ledger.grouped(max_rows=4, max_seconds=3600):
        ledger.record("i", "d", "p", "task", "a", ref="1")
        ledger.confirm_subwrites("i", "a")
        ledger.record_link("i", "a", "b", "native")
        assert seen() == (0, 0, 0)
        ledger.record("i", "d", "p", "task", "b", ref="2")  # the fourth row: the group commits
        assert seen() == (2, 1, 1)
        ledger.record("i", "d", "p", "task", "a", ref="3")  # the same key again: the later row wins
    assert seen() == (2, 1, 1)
    assert ledger.objects("i")["a"].ref == "3"
    other.close()
    ledger.close()
