"""History's snapshot saving (columns built as compared, JSON encoder made once) stores what the plain way stored."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
import sqlite3
from typing import Any

from collabsync.model import Status, Task
from collabsync.report.history_tasks import _FIELDS, TASKS_SCHEMA, _strings
from history_versions_writer import _json_dumps, save_tasks


def _plain_columns(task: Task) -> tuple[Any, ...]:
    """The columns as the first version of save_tasks built them, one task at a time."""
    return (
        task.ref,
        task.key,
        task.title,
        Status(task.status).value,
        task.section,
        task.department,
        task.assignee,
        task.start.isoformat() if task.start else None,
        task.due.isoformat() if task.due else None,
        task.estimate,
        _strings(task.labels),
        _strings(task.depends_on),
        task.url,
        task.updated.isoformat() if task.updated else None,
        task.provider,
        json.dumps(task.extra) if task.extra else "{}",
    )


def _versions(tasks: list[Task]) -> dict[tuple[str, int], tuple[Any, ...]]:
    """Each task's (identity, nth) and its position with its plain columns."""
    out: dict[tuple[str, int], tuple[Any, ...]] = {}
    for pos, task in enumerate(tasks):
        ident, nth = task.key or f"{task.provider or 'unknown'}:{task.ref}", 1
        while (ident, nth) in out:
            nth += 1
        out[(ident, nth)] = (pos, *_plain_columns(task))
    return out


def _tasks(rng: random.Random, n: int) -> list[Task]:
    day = dt.date(2027, 3, 1)
    return [
        Task(
            ref=f"r{i % (n - 3)}",  # a few refs twice: duplicate identities get nth 2
            key=f"k{i}" if i % 4 else None,
            title=f"Task {i} é",
            status=rng.choice(list(Status)) if i % 2 else rng.choice(list(Status)).value,  # type: ignore[arg-type]
            section=rng.choice([None, "plan", "build"]),
            department=rng.choice([None, "sales", "hr"]),
            assignee=rng.choice([None, "ann"]),
            start=day + dt.timedelta(days=rng.randrange(30)) if i % 3 else None,
            due=day + dt.timedelta(days=rng.randrange(60)) if i % 5 else None,
            estimate=rng.choice([None, 1, 2.5]),
            labels=rng.choice([[], ["a", "b"], ["x\x1fy"]]),
            depends_on=[f"k{i - 1}"] if i % 2 else [],
            url=f"http://127.0.0.1/{i}",
            updated=dt.datetime(2027, 3, 1, 9, i % 60, tzinfo=dt.UTC) if i % 2 else None,
            extra=rng.choice([{}, {"description": f"d{i}", "checklist": []}, {"n": [1.5, None, "ü"]}]),
            provider=rng.choice([None, "local", "jira"]),
        )
        for i in range(n)
    ]


def _changed(rng: random.Random, tasks: list[Task]) -> list[Task]:
    out = [dataclasses.replace(t, status=Status.DONE) if rng.random() < 0.2 else t for t in tasks]
    out = [t for t in out if rng.random() > 0.1]  # some gone
    out[3], out[7] = out[7], out[3]  # some moved
    return out + _tasks(rng, 5)  # some new


def test_save_stores_each_snapshot_whole_writing_only_what_changed() -> None:
    rng = random.Random(17)
    runs = [_tasks(rng, 200)]
    for _ in range(3):
        runs.append(_changed(rng, runs[-1]))
    runs.append(list(runs[-1]))  # nothing changed
    db = sqlite3.connect(":memory:")
    db.executescript(TASKS_SCHEMA)
    before: dict[tuple[str, int], tuple[Any, ...]] = {}
    for snapshot_id, run in enumerate(runs, start=1):
        now = _versions(run)
        gone = [k for k in before if now.get(k) != before[k]]
        written = [k for k in now if before.get(k) != now[k]]
        assert save_tasks(db, "nova", snapshot_id, run) == len(gone) + len(written)
        stored = db.execute(
            f"SELECT ident, nth, pos, {_FIELDS} FROM snapshot_tasks"
            " WHERE instance = 'nova' AND since <= ? AND (until IS NULL OR until > ?) ORDER BY pos",
            (snapshot_id, snapshot_id),
        ).fetchall()
        assert {(ident, nth): tuple(row) for ident, nth, *row in stored} == now
        before = now
    assert len(written) == 0  # the last run changed nothing and wrote nothing


def test_the_once_made_encoder_writes_what_json_dumps_writes() -> None:
    dumps = _json_dumps()
    values: list[Any] = [
        {"description": "collabsync:s1/t1", "checklist": []},
        {"a": {"b": [1, 2.5, None, True, 'ü\n"x"']}, "n": float("inf")},
        {"k": "\u2028 \x1f"},
    ]
    for value in values * 2:  # used again: nothing of one call stays for the next
        assert dumps(value) == json.dumps(value)
