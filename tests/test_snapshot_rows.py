"""Issue 17: the snapshot stores tasks as rows (schema 2); what it loads equals what was read, and the
schema-1 files users upgrade with (one dict per task) are still read and converted.

Generated tasks cover every field's forms (None, dates, zoned datetimes, floats, nested extra); the
end-to-end case reads a Jira project and Trello boards over real HTTP (the emulators on loopback).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from collabsync.cli import main
from collabsync.model import ROW_FIELDS, Status, Task
from collabsync.snapshot_store import SnapshotStore
from collabsync.testing.stack import Stack, running_stack

TODAY = "2027-01-04"
AT = dt.datetime(2027, 1, 4, 12, 0, tzinfo=dt.UTC)


def generated(n: int, seed: int) -> list[Task]:
    """Tasks with every field varied, including the empty and absent forms."""
    rng = random.Random(seed)
    day = dt.date(2027, 1, 4)
    zones = [dt.UTC, dt.timezone(dt.timedelta(hours=-5)), dt.timezone(dt.timedelta(hours=5, minutes=30))]
    out = []
    for i in range(n):
        maybe = rng.random
        out.append(
            Task(
                ref=f"r{i}",
                title=rng.choice(["Ship", "Plan ünïcode", "", 'quote " and \\ slash']) + str(i),
                status=rng.choice(list(Status)),
                key=f"k{i}" if maybe() < 0.5 else None,
                section=rng.choice([None, "To Do", "Done"]),
                department=rng.choice([None, "sales", "eng"]),
                assignee=rng.choice([None, "Ada Lovelace", "grace@example.com"]),
                start=day - dt.timedelta(days=rng.randint(0, 90)) if maybe() < 0.4 else None,
                due=day + dt.timedelta(days=rng.randint(-30, 60)) if maybe() < 0.7 else None,
                estimate=rng.choice([None, 0.5, 3.0, 8.25]),
                labels=rng.sample(["web", "api", "ops", "x y"], rng.randint(0, 3)),
                depends_on=[f"r{j}" for j in range(max(0, i - rng.randint(0, 2)), i)],
                url=rng.choice(["", f"http://127.0.0.1/browse/T-{i}"]),
                updated=dt.datetime(2026, 12, 1, 9, 30, 15, 120000, tzinfo=rng.choice(zones))
                if maybe() < 0.8
                else None,
                extra=rng.choice([{}, {"jira_key": f"T-{i}", "jira_status": "To Do"}, {"nested": {"a": [1, None]}}]),
                provider=rng.choice([None, "jira", "trello"]),
            )
        )
    return out


def test_a_row_holds_the_fields_in_row_fields_order() -> None:
    for task in generated(50, seed=7):
        assert dict(zip(ROW_FIELDS, task.to_row(), strict=True)) == task.to_dict()


def test_rows_round_trip_as_the_dicts_do() -> None:
    tasks = generated(400, seed=3)
    assert [Task.from_row(json.loads(json.dumps(t.to_row()))) for t in tasks] == tasks
    assert [Task.from_dict(json.loads(json.dumps(t.to_dict()))) for t in tasks] == tasks


def test_store_round_trip_and_schema_1_files(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path, "nova")
    jira, trello = generated(300, seed=1), generated(200, seed=2)
    store.save({("jira", "ENG"): jira, ("trello", "b1"): trello}, read_at=AT)
    loaded = store.load(None)
    assert loaded[("jira", "ENG")].tasks == jira and loaded[("trello", "b1")].tasks == trello
    assert json.loads(store.path.read_text())["schema"] == 2

    old = {  # what the previous release wrote: schema 1, one Task.to_dict() per task
        "schema": 1,
        "sources": {
            f"{p}\t{c}": {"provider": p, "container": c, "read_at": AT.isoformat(), "tasks": [t.to_dict() for t in ts]}
            for (p, c), ts in (((("jira", "ENG")), jira), (("trello", "b1"), trello))
        },
    }
    store.path.write_text(json.dumps(old))
    assert {k: v.tasks for k, v in store.load(None).items()} == {("jira", "ENG"): jira, ("trello", "b1"): trello}
    newer = generated(5, seed=9)
    store.save({("jira", "ENG"): newer}, read_at=AT)  # the other source's schema-1 entry is kept, as rows
    data = json.loads(store.path.read_text())
    assert data["schema"] == 2 and isinstance(data["sources"]["trello\tb1"]["tasks"][0], list)
    assert {k: v.tasks for k, v in store.load(None).items()} == {("jira", "ENG"): newer, ("trello", "b1"): trello}


def test_a_changed_layout_or_damaged_row_is_read_again(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path, "nova")
    store.save({("jira", "ENG"): generated(3, seed=4), ("trello", "b1"): generated(3, seed=5)}, read_at=AT)
    data = json.loads(store.path.read_text())
    data["sources"]["jira\tENG"]["tasks"][1] = data["sources"]["jira\tENG"]["tasks"][1][:-1]  # one column short
    data["sources"]["trello\tb1"]["tasks"][0][2] = "finished"  # not a status
    store.path.write_text(json.dumps(data))
    assert store.load(None) == {}
    data["fields"] = [*ROW_FIELDS, "priority"]  # a later version's layout
    store.path.write_text(json.dumps(data))
    assert store.load(None) == {}
    store.path.write_text(json.dumps({"schema": 2, "fields": list(ROW_FIELDS), "sources": []}))
    assert store.load(None) == {}
    fresh = generated(2, seed=6)
    store.save({("jira", "ENG"): fresh}, read_at=AT)  # a damaged file is replaced, not a reason to fail
    assert {k: v.tasks for k, v in store.load(None).items()} == {("jira", "ENG"): fresh}


def run(*args: str) -> Any:
    result = CliRunner().invoke(main, [*args, "--today", TODAY])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def tracked(isolated_home: Path) -> Iterator[Stack]:
    """A Jira project and two Trello boards tracked into one instance."""
    with running_stack() as stack:
        stack.write_config(Path("collabsync.toml"), cache_ttl=600)
        (project,) = stack.jira.seed_bulk(1, 60, seed=6)
        boards = stack.trello.seed_bulk(2, 40, seed=6)
        sources = [("jira", project["project"], "eng"), *(("trello", b["id"], "sales") for b in boards)]
        for provider, source, dept in sources:
            result = CliRunner().invoke(main, ["track", "mix", source, "--provider", provider, "--department", dept])
            assert result.exit_code == 0, result.output
        yield stack


def test_the_snapshot_gives_exactly_what_the_tools_gave(tracked: Stack, isolated_home: Path) -> None:
    fresh_tasks = run("tasks", "mix", "--format", "json", "--fresh")
    fresh_status = run("status", "mix", "--format", "json", "--fresh")
    assert len(fresh_tasks) == 141  # the epic too
    tracked.jira.reset_log()
    tracked.trello.reset_log()
    assert run("tasks", "mix", "--format", "json") == fresh_tasks
    warm_status = run("status", "mix", "--format", "json")
    assert {**warm_status, "generated_at": None} == {**fresh_status, "generated_at": None}
    assert tracked.jira.requests == [] and tracked.trello.requests == []

    path = isolated_home / "snapshots" / "mix.json"  # as the previous release left it: schema 1
    data = json.loads(path.read_text())
    for entry in data["sources"].values():
        entry["tasks"] = [Task.from_row(row).to_dict() for row in entry["tasks"]]
    path.write_text(json.dumps({"schema": 1, "sources": data["sources"]}))
    assert run("tasks", "mix", "--format", "json") == fresh_tasks
    assert tracked.jira.requests == [] and tracked.trello.requests == []
