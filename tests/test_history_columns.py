"""Snapshots stored as task columns give back what the versions format (the one before) gave, and the diff over
them, fast path or not, lists exactly what the diff over versions lists, on a generated 5,000-task instance."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from collabsync.model import Status, Task
from collabsync.report.history import History, Snapshot, looking_back
from collabsync.report.history_codec import decode, encode
from collabsync.report.history_columns import COLUMNS_SCHEMA, TaskColumns, save_columns, stored_columns
from collabsync.report.history_diff import diff
from collabsync.report.history_tasks import TASKS_SCHEMA, StoredTasks
from collabsync.report.rollup import build_report
from history_versions_writer import save_tasks
from rollup_data import TODAY, tasks

DAY = dt.date(2027, 3, 1)
PLUS2 = dt.timezone(dt.timedelta(hours=2))


def _odd(rng: random.Random, n: int) -> list[Task]:
    """Tasks holding every kind of value a tool may give: the forms' fallbacks are exercised too."""
    out = []
    for i in range(n):
        out.append(
            Task(
                ref=f"r{i % (n - 3)}",  # a few refs twice: duplicate identities
                key=f"k{i}" if i % 4 else None,
                title=rng.choice([f"Task {i} é", "a\x1fb", "\x1e", "", "日本"]),
                status=rng.choice(list(Status)) if i % 2 else rng.choice(list(Status)).value,  # type: ignore[arg-type]
                section=rng.choice([None, "plan", "build"]),
                department=rng.choice([None, "sales", "hr"]),
                assignee=rng.choice([None, "ann"]),
                start=DAY + dt.timedelta(days=rng.randrange(30)) if i % 3 else None,
                due=DAY + dt.timedelta(days=rng.randrange(60)) if i % 5 else None,
                estimate=rng.choice([None, 1, 2.5]),
                labels=rng.choice([[], ["a", "b"], ["x\x1fy"], ("t",), ["\x1e"]]),
                depends_on=[f"k{i - 1}"] if i % 2 else [],
                url=rng.choice([f"http://127.0.0.1/{i}", ""]),
                updated=rng.choice([None, dt.datetime(2027, 3, 1, 9, i % 60, tzinfo=PLUS2), dt.datetime(2027, 1, 1)]),
                extra=rng.choice([{}, {"description": f"d{i}", "checklist": []}, {"n": [1.5, None, "ü"]}, {"1": 2}]),
                provider=rng.choice([None, "local", "jira"]),
            )
        )
    return out


def _plain(n: int, rng: random.Random) -> list[Task]:
    """Tasks as one tool returns them: the fast forms hold every column (url from ref, marker from key)."""
    now = dt.datetime(2027, 3, 1, 8, tzinfo=dt.UTC)
    return [
        Task(
            ref=str(i),
            key=f"t{i}",
            title=f"Step {i}",
            status=rng.choice(list(Status)),
            section=rng.choice(["Plan", "Build"]),
            department=rng.choice(["sales", "hr", "it"]),
            assignee=rng.choice([None, "ann", "bo"]),
            start=DAY + dt.timedelta(days=rng.randrange(40)),
            due=DAY + dt.timedelta(days=rng.randrange(40, 80)) if i % 7 else None,
            estimate=float(1 + i % 5),
            labels=[],
            depends_on=[f"t{i - 1}"] if i else [],
            url=f"collabsync-local://local/tasks/{i}",
            updated=now + dt.timedelta(microseconds=i),
            extra={"description": f"collabsync:s/t{i}", "checklist": []},
            provider="local",
        )
        for i in range(n)
    ]


def _stores() -> tuple[sqlite3.Connection, sqlite3.Connection]:
    columns, versions = sqlite3.connect(":memory:"), sqlite3.connect(":memory:")
    columns.executescript(COLUMNS_SCHEMA)
    versions.executescript(TASKS_SCHEMA)
    return columns, versions


@pytest.mark.parametrize("make", [_odd, lambda rng, n: _plain(n, rng)])
def test_columns_read_back_what_versions_read_back(make: Any) -> None:
    rng = random.Random(17)
    columns, versions = _stores()
    for snapshot_id in range(1, 4):
        run = make(rng, 300)
        save_columns(columns, snapshot_id, run)
        save_tasks(versions, "nova", snapshot_id, run)
        stored, old = stored_columns(columns, snapshot_id), StoredTasks(versions, "nova", snapshot_id)
        assert stored is not None
        assert list(stored) == list(old)
        assert stored.states == old.states
        assert len(stored) == len(old) == 300


def test_odd_values_round_trip_in_every_form() -> None:
    cases: list[list[Any]] = [
        [],
        [None, None],
        ["", ""],
        [""],
        ["a\x1fb", "c"],
        ["\x1e", None],
        ["x\ud800y", "é"],  # a lone surrogate (JSON can hold one)
        [1, 2, None],
        [1.0, 2.5, float("inf")],
        [1, 1.0],  # JSON tells them apart; a dict of values would not
        [True, False, None],
        [[], ["a"], ("b", "c")],
        [["a\x1f"], []],
        [{"a": 1, "b": "x"}, {"a": 2, "b": None}],
        [{"a": 1}, {"b": 1}],
        [{1: "x"}],
        [{}, {}],
        [{"a": {"b": [1, (2,)]}}],
    ]
    for column in cases:
        want = [_json_like(v) for v in column]
        assert decode(encode(column), len(column), _no) == want, column


def test_a_column_derived_from_another_reads_back_through_it() -> None:
    refs = ["1", "2", "30"]
    urls = [f"https://127.0.0.1/browse/{r}" for r in refs]
    data = encode(urls, {0: refs})
    assert data.startswith(b"R")
    assert decode(data, 3, lambda at: refs) == urls
    assert encode(urls, {0: ["1", None, "30"]}).startswith(b"S")  # a None base cannot derive


def _no(at: int) -> list[Any]:
    raise AssertionError("no base column here")


def _json_like(value: Any) -> Any:
    """What a JSON round trip makes of a value (tuples become lists, keys strings)."""
    import json

    return json.loads(json.dumps(value))


def _changes(prev_tasks: list[Task], now: list[Task], prev_day: dt.date, today: dt.date) -> tuple[Any, Any]:
    """The diff with the previous snapshot stored as columns (and the current encoded), and as versions."""
    columns, versions = _stores()
    save_columns(columns, 1, prev_tasks)
    save_tasks(versions, "nova", 1, prev_tasks)
    when = dt.datetime(2027, 3, 1, tzinfo=dt.UTC)
    stored = stored_columns(columns, 1)
    assert stored is not None
    new = Snapshot("nova", when, prev_day, stored, ["it"], 1)
    old = Snapshot("nova", when, prev_day, StoredTasks(versions, "nova", 1), ["it"], 1)
    current = Snapshot("nova", when, today, now, ["hr"], 2)
    encoded = TaskColumns(now)
    assert encoded.states_match(stored) == (prev_tasks == now)  # the fast path is taken when nothing changed
    return diff(new, current, encoded).to_dict(), diff(old, current).to_dict()


def test_the_diff_over_columns_lists_what_the_diff_over_versions_lists() -> None:
    rng = random.Random(5)
    day0 = _plain(5000, rng)
    day1 = [
        dataclasses.replace(t, status=Status.DONE if rng.random() < 0.02 else t.status)
        for t in day0
        if rng.random() > 0.01  # some removed
    ]
    for t in rng.sample(day1, 50):
        t.due = (t.due or DAY) + dt.timedelta(days=rng.choice([-3, 4]))
        t.assignee = rng.choice([None, "cy"])
    day1 += _plain(5010, rng)[5000:]  # added
    day1.append(dataclasses.replace(day1[10]))  # an identity twice
    later = DAY + dt.timedelta(days=60)
    listed = []
    for prev, now, prev_day, today in [
        (day0, day0, DAY, DAY),  # nothing changed, same day: the fast path, nothing to list
        (day0, list(day0), DAY, later),  # nothing changed, days passed: newly overdue only
        (day0, day1, DAY, later),  # changes of every kind
        (day1, day1, later, later + dt.timedelta(days=9)),
    ]:
        new, old = _changes(prev, now, prev_day, today)
        assert new == old
        listed.append({name for name, items in new.items() if isinstance(items, list) and items})
    assert listed[0] == set() and listed[1] == {"newly_overdue"}
    assert {"completed", "added", "removed", "slipped", "reassigned", "redated"} <= listed[2]


def test_the_save_reuses_the_diffs_columns_only_for_the_same_tasks(tmp_path: Path) -> None:
    with History(tmp_path) as store:
        for n in range(3):
            run = tasks()
            if n == 2:
                run[0].status = Status.DONE
            past = store.past("launch-1")
            report = build_report(run, today=TODAY, instance="launch-1", past=past)
            other = [dataclasses.replace(t, title=t.title + "!") for t in run] if n == 2 else run
            store.save_snapshot("launch-1", report, other, snapshot_id=past.id)
            assert list(store.snapshot(n + 1).tasks) == other
        written = store.db.execute("SELECT COUNT(*) FROM task_columns").fetchone()[0]
        shared = store.db.execute("SELECT COUNT(DISTINCT digests) FROM snapshot_columns").fetchone()[0]
        assert shared == 2  # the second run changed nothing and shares the first one's columns
        assert store.snapshot(2).tasks.digests == store.snapshot(1).tasks.digests  # type: ignore[attr-defined]
        assert written < 16 + 3  # the third wrote only its changed columns (status, title and what they hold)


def test_looking_back_over_columns_gives_the_changes_of_the_tasks(tmp_path: Path) -> None:
    run = tasks()
    report = build_report(run, today=TODAY, instance="launch-1")
    with History(tmp_path) as store:
        store.save_snapshot("launch-1", report, run)
        past = store.past("launch-1")
        open_ref = next(t.ref for t in run if t.status is Status.TODO)
        changed = [dataclasses.replace(t, status=Status.DONE) if t.ref == open_ref else t for t in run]
        _, changes, _ = looking_back(report, changed, past)
        plain = diff(Snapshot.of("launch-1", report, run), Snapshot.of("launch-1", report, changed))
        assert past.encoded is not None  # the diff went through the columns
        assert changes["completed"] == plain.to_dict()["completed"] != []


def test_datetimes_with_one_offset_keep_their_state_and_others_fall_back() -> None:
    from collabsync.report.history_codec import decode_moments, encode_moments

    utc, plus2 = dt.UTC, dt.timezone(dt.timedelta(hours=2, microseconds=5))
    same = [dt.datetime(2027, 1, 1, tzinfo=plus2), dt.datetime(2027, 1, 2, 5, 6, 7, 8, tzinfo=plus2, fold=1)]
    data = encode_moments(same)
    assert data is not None and decode_moments(data) == same
    assert [d.utcoffset() for d in decode_moments(data)] == [d.utcoffset() for d in same]
    for other in (
        [dt.time(1, tzinfo=utc)],
        [dt.date(2027, 1, 1)],
        [None],
        [dt.datetime(2027, 1, 1)],
        [same[0], same[0].astimezone(utc)],
    ):
        assert encode_moments(other) is None
