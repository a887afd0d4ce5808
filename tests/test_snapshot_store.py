"""Issue 17 item 5: a warm `status` answers from the normalized snapshot of the last read, not from HTTP.

Against the Trello emulator over real HTTP: the warm run sends no request and prints what the fresh
run printed; `--fresh` reads again; a write through collabsync drops the snapshot; an expired or
damaged snapshot is read again from the tool.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from collabsync.cli import main
from collabsync.lock import instance_lock
from collabsync.model import Status, Task
from collabsync.snapshot_store import SnapshotStore
from collabsync.testing.stack import Stack, running_stack

TODAY = "2027-01-04"


def status(*extra: str) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["status", "bulk", "--format", "json", "--today", TODAY, *extra])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    data.pop("generated_at")
    return data


@pytest.fixture
def board(isolated_home: Path) -> Iterator[Stack]:
    with running_stack() as stack:
        stack.write_config(Path("collabsync.toml"), cache_ttl=600)
        (b,) = stack.trello.seed_bulk(1, 120, seed=5)
        result = CliRunner().invoke(main, ["track", "bulk", b["id"], "--department", "sales"])
        assert result.exit_code == 0, result.output
        yield stack


def test_warm_status_reads_the_snapshot_not_the_tool(board: Stack, isolated_home: Path) -> None:
    board.trello.reset_log()
    cold = status("--fresh")
    assert cold["departments"]["sales"]["total"] == 120 and len(board.trello.requests) >= 1
    board.trello.reset_log()
    assert status() == cold
    assert board.trello.requests == []
    assert status("--fresh") == cold and len(board.trello.requests) >= 1
    files = list((isolated_home / "snapshots").iterdir())
    assert [f.name for f in files] == ["bulk.json"] and files[0].stat().st_mode & 0o777 == 0o600


def test_a_writing_verb_drops_the_snapshot(board: Stack, isolated_home: Path) -> None:
    status("--fresh")
    assert (isolated_home / "snapshots" / "bulk.json").exists()
    with instance_lock(isolated_home, "bulk", "test"):
        pass
    assert not (isolated_home / "snapshots" / "bulk.json").exists()
    board.trello.reset_log()
    status()
    assert len(board.trello.requests) >= 1


def test_no_snapshot_without_a_cache_ttl(board: Stack, isolated_home: Path) -> None:
    board.write_config(Path("collabsync.toml"), cache_ttl=0)
    cold = status()
    board.trello.reset_log()
    assert status() == cold and len(board.trello.requests) >= 1


def test_expiry_and_damage(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path, "nova")
    read_at = dt.datetime(2027, 1, 4, 12, 0, tzinfo=dt.UTC)
    task = Task(ref="1", title="Ship", status=Status.DONE, due=dt.date(2027, 1, 8), labels=["x"], extra={"a": 1})
    store.save({("trello", "b1"): [task]}, read_at=read_at)
    store.save({("jira", "P"): []}, read_at=read_at + dt.timedelta(seconds=200))
    at = read_at + dt.timedelta(seconds=250)
    assert store.load(300, now=at)[("trello", "b1")].tasks == [task]
    assert set(store.load(100, now=at)) == {("jira", "P")}
    assert set(store.load(None, now=at)) == {("trello", "b1"), ("jira", "P")}
    store.path.write_text("{not json", encoding="utf-8")
    assert store.load(None) == {}
    store.forget()
    store.forget()
    assert not store.path.exists() and not os.listdir(store.path.parent)


def test_a_save_of_every_source_replaces_the_file_and_a_partial_one_keeps_the_rest(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path, "nova")
    task = Task(ref="1", title="Ship", status=Status.TODO)
    store.save({("trello", "b1"): [task], ("jira", "P"): []})
    store.save({("jira", "P"): [task]})  # one source read again: the other's entry stays
    assert set(store.load(None)) == {("trello", "b1"), ("jira", "P")}
    store.save({("jira", "P"): []}, replace=True)  # every source of the instance read now: no old entry kept
    assert set(store.load(None)) == {("jira", "P")}


def test_a_source_that_failed_keeps_its_snapshot_entry(board: Stack, isolated_home: Path) -> None:
    (second,) = board.trello.seed_bulk(1, 30, seed=6)
    result = CliRunner().invoke(
        main, ["track", "bulk", second["id"], "--department", "marketing", "--provider", "trello"]
    )
    assert result.exit_code == 0, result.output
    status("--fresh")
    store = SnapshotStore(isolated_home, "bulk")
    before = store.load(None)
    assert len(before) == 2
    board.trello.faults.status_probability, board.trello.faults.probable_status = 1.0, 401
    result = CliRunner().invoke(main, ["status", "bulk", "--format", "json", "--today", TODAY, "--fresh"])
    assert result.exit_code == 3, result.output  # 3: some tool could not be read
    assert "could not be read" in result.stderr
    assert store.load(None) == before  # nothing read: the file is not replaced by an empty read
