"""History files of every earlier format (tasks as JSON in the snapshot row, then as versions of changed tasks in
snapshot_tasks) still read, diff and trend as the current one (tasks as shared columns)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import astuple
from pathlib import Path

from collabsync.model import Status, Task
from collabsync.report.history import History, Snapshot, _headline, stored_report
from collabsync.report.rollup import build_report
from collabsync.report.rollup_model import Report
from history_versions_writer import save_tasks
from rollup_data import EXTRA_DEPS, TODAY, d, plan, tasks

T = [dt.datetime(2026, 3, 11 + i, 8, 0, tzinfo=dt.UTC) for i in range(4)]


def _day(n: int) -> list[Task]:
    """Day n of the project: more work done, a date moved, a task gone and one added as the days pass."""
    out = []
    for t in tasks():
        t = dataclasses.replace(t, depends_on=list(t.depends_on), extra=dict(t.extra))
        if n >= 1 and t.ref == "ENG-2":
            t.status = Status.DONE
        if n >= 2 and t.ref == "c2":
            t.due = d(16)
        if n >= 2 and t.ref == "c4":
            continue
        out.append(t)
    if n >= 2:
        out.append(dataclasses.replace(tasks()[0], ref="ENG-10", key=None, title="Hotfix", due=d(12)))
    return out


def _old_save(store: History, report: Report, task_list: list[Task], when: dt.datetime) -> int:
    """A snapshot as collabsync wrote it before snapshot_tasks: every task as JSON in the snapshot row."""
    snap = Snapshot.of(report.instance, report, task_list, when)
    numbers = [v.isoformat() if isinstance(v, dt.date) else v for v in astuple(_headline(report, snap))[1:]]
    data = {k: (None if k == "changes" else v) for k, v in report.to_dict().items() if k not in ("history", "trends")}
    cur = store.db.execute(
        "INSERT INTO snapshots (instance, taken_at, today, health, total, done, overdue, blocked, percent_done,"
        " weight_total, weight_done, planned_share, variance_days, projected_finish, target, report, tasks)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (report.instance, *numbers, json.dumps(data), json.dumps([t.to_dict() for t in task_list])),
    )
    store.db.executemany(
        "INSERT INTO snapshot_departments VALUES (?,?,?,?,?)",
        [(cur.lastrowid, g.name, int(g.stale), g.health, g.counts["percent_done"]) for g in report.departments],
    )
    return int(cur.lastrowid or 0)


def _versions_save(store: History, report: Report, task_list: list[Task], when: dt.datetime, at: int | None) -> int:
    """A snapshot as collabsync wrote it before task columns: its changed tasks as versions in snapshot_tasks."""
    snap = Snapshot.of(report.instance, report, task_list, when)
    numbers = [v.isoformat() if isinstance(v, dt.date) else v for v in astuple(_headline(report, snap))[1:]]
    cur = store.db.execute(
        "INSERT INTO snapshots (id, instance, taken_at, today, health, total, done, overdue, blocked, percent_done,"
        " weight_total, weight_done, planned_share, variance_days, projected_finish, target, report, tasks)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (at, report.instance, *numbers, json.dumps(stored_report(report)), ""),
    )
    save_tasks(store.db, report.instance, int(cur.lastrowid or 0), task_list)
    store.db.executemany(
        "INSERT INTO snapshot_departments VALUES (?,?,?,?,?)",
        [(cur.lastrowid, g.name, int(g.stale), g.health, g.counts["percent_done"]) for g in report.departments],
    )
    return int(cur.lastrowid or 0)


def _run(store: History, n: int, *, old: bool | str) -> Report:
    """Report day n with the store's past and save it: old=True as JSON, "versions" as versions, else as columns."""
    task_list = _day(n)
    past = store.past("launch-1")
    report = build_report(
        task_list,
        today=TODAY + dt.timedelta(days=n),
        instance="launch-1",
        plan=plan(),
        extra_deps=EXTRA_DEPS,
        stale={"ops": T[0]} if n == 3 else None,
        generated_at=T[n],
        past=past,
    )
    if old == "versions":
        _versions_save(store, report, task_list, T[n], past.id)
    elif old:
        _old_save(store, report, task_list, T[n])
    else:
        store.save_snapshot("launch-1", report, task_list, snapshot_id=past.id)
    return report


def test_old_format_snapshots_read_diff_and_trend_as_new_ones(tmp_path: Path) -> None:
    with (
        History(tmp_path / "old") as old,
        History(tmp_path / "new") as new,
        History(tmp_path / "mixed") as mixed,
        History(tmp_path / "versions") as versions,
    ):
        for n in range(4):
            reports = [
                _run(old, n, old=True),
                _run(new, n, old=False),
                _run(mixed, n, old=[True, "versions", False, False][n]),  # JSON, then versions, then columns
                _run(versions, n, old="versions" if n < 3 else False),
            ]
            views = [{k: v for k, v in r.to_dict().items() if k != "history"} for r in reports]
            assert views[0] == views[1] == views[2] == views[3]  # changes and trends alike, whatever holds the past
            assert reports[0].changes == reports[1].changes
        for n in range(1, 5):
            want = [t.to_dict() for t in old.snapshot(n).tasks]
            for store in (new, mixed, versions):
                assert [t.to_dict() for t in store.snapshot(n).tasks] == want
        assert [t.to_dict() for t in old.snapshot(3).tasks] == [t.to_dict() for t in _day(2)]
        assert old.report_json(1)["tasks"][0]["title"] == "Write spec"  # an old row's report: whole task lines
        assert new.report_json(1)["tasks"][0] == "jira:ENG-1"  # a new row's report: task ids
        for store in (old, new, mixed, versions):
            assert [t.ref for t in store.last_good_tasks("launch-1", "ops")] == ["a1", "a2", "a3"]
            assert store.trends("launch-1") == old.trends("launch-1")


def test_the_versions_format_wrote_only_changed_tasks(tmp_path: Path) -> None:
    with History(tmp_path) as store:
        for n in range(3):
            _run(store, n, old="versions")
        rows = dict(store.db.execute("SELECT since, COUNT(*) FROM snapshot_tasks GROUP BY since").fetchall())
        # day 0: all 11 tasks; day 1: build done; day 2: copy moved, c4 gone (closed, no row), the hotfix added,
        # and the three tasks after c4 in the read order moved up one place (a place is part of a version)
        assert rows == {1: 11, 2: 1, 3: 5}
        assert store.db.execute("SELECT COUNT(*) FROM snapshot_tasks WHERE until IS NOT NULL").fetchone()[0] == 6
        assert store.db.execute("SELECT tasks FROM snapshots WHERE id = 3").fetchone()[0] == ""


def test_string_lists_round_trip_whatever_they_hold() -> None:
    from collabsync.report.history_tasks import _strings, _unstrings

    for items in ([], [""], ["a"], ["a", "b", ""], ["a\x1fb", "c"], ["\x1e"], ['"[x]"', "é"]):
        assert _unstrings(_strings(items)) == items
