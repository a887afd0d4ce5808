"""The snapshot store: headlines, previous, diff, last good read per department."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from collabsync.model import Status
from collabsync.report.history import History, Snapshot, diff
from collabsync.report.rollup import build_report
from collabsync.report.rollup_model import jsonable
from rollup_data import EXTRA_DEPS, TODAY, d, plan, tasks

T1 = dt.datetime(2026, 3, 11, 8, 0, tzinfo=dt.UTC)
T2 = dt.datetime(2026, 3, 12, 8, 0, tzinfo=dt.UTC)


def _report(task_list, today=TODAY, stale=None):
    return build_report(task_list, today=today, instance="launch-1", plan=plan(), extra_deps=EXTRA_DEPS, stale=stale)


def _second_day():
    """Two days on: build done, a3 blocked, copy's due moved 9th -> 16th, qa's 18th -> 20th, c4 deleted,
    a hotfix (due 12th) added."""
    out = []
    for t in tasks():
        t = dataclasses.replace(t, depends_on=list(t.depends_on), extra=dict(t.extra))
        if t.ref == "ENG-2":
            t.status = Status.DONE
        elif t.ref == "a3":
            t.status = Status.BLOCKED
        elif t.ref == "c2":
            t.due = d(16)
        elif t.ref == "ENG-3":
            t.due = d(20)
        elif t.ref == "c4":
            continue
        out.append(t)
    out.append(dataclasses.replace(tasks()[0], ref="ENG-10", key=None, title="Hotfix", status=Status.TODO, due=d(12)))
    return out


@pytest.fixture()
def store(tmp_path: Path):
    with History(tmp_path) as h:
        yield h


def test_file_is_wal_under_the_given_dir(store: History, tmp_path: Path) -> None:
    assert store.path == tmp_path / "history.sqlite"
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_headlines_and_previous(store: History) -> None:
    assert store.previous("launch-1") is None and store.list_snapshots("launch-1") == []
    first = store.save_snapshot("launch-1", _report(tasks()), tasks(), taken_at=T1)
    second_tasks = _second_day()
    second = store.save_snapshot(
        "launch-1", _report(second_tasks, TODAY + dt.timedelta(days=2)), second_tasks, taken_at=T2
    )
    heads = store.list_snapshots("launch-1")
    assert [h.id for h in heads] == [first.id, second.id]
    h1 = heads[0]  # numbers from test_rollup_report
    assert (h1.taken_at, h1.today, h1.health, h1.total, h1.done, h1.overdue, h1.blocked, h1.percent_done) == (
        T1,
        TODAY,
        "red",
        11,
        3,
        2,
        1,
        30.0,
    )
    assert (h1.weight_total, h1.weight_done, h1.planned_share, h1.variance_days) == (21.0, 8.0, 55.0, -0.6)
    assert (h1.projected_finish, h1.target) == (d(20), d(20))
    # day two: 11 tasks (c4 gone, hotfix added), done spec, build, brief, vendor = 4 of 11 -> 36.4
    h2 = heads[1]
    assert (h2.total, h2.done, h2.blocked, h2.percent_done) == (11, 4, 2, 36.4)
    assert store.previous("launch-1").id == second.id
    assert store.previous("launch-1", before=second.id).id == first.id
    assert store.previous("launch-1", before=first.id) is None
    assert store.list_snapshots("other") == []
    again = store.snapshot(first.id)
    assert [t.to_dict() for t in again.tasks] == [t.to_dict() for t in tasks()]
    assert store.report_json(first.id)["overall"]["counts"]["total"] == 11
    with pytest.raises(KeyError):
        store.snapshot(9999)


def test_diff_by_hand() -> None:
    prev = Snapshot("launch-1", T1, TODAY, tasks(), id=1)
    current = Snapshot("launch-1", T2, d(13), _second_day())
    ch = diff(prev, current)
    assert [c["id"] for c in ch.completed] == ["build"]
    assert [c["id"] for c in ch.added] == ["jira:ENG-10"]
    assert [c["id"] for c in ch.removed] == ["trello:c4"]
    # on the 13th: training (due 12th) and the hotfix (due 12th) became overdue; copy moved to the 16th
    # (no longer overdue); ENG-9 was already overdue on the 11th.
    assert [c["id"] for c in ch.newly_overdue] == ["training", "jira:ENG-10"]
    assert [c["id"] for c in ch.newly_blocked] == ["asana:a3"]
    assert [(c["id"], c["from"], c["to"], c["days"]) for c in ch.slipped] == [
        ("copy", d(9), d(16), 7),
        ("qa", d(18), d(20), 2),
    ]
    assert ch.previous_id == 1 and not ch.empty
    data = ch.to_dict()
    assert data["slipped"][0]["from"] == "2026-03-09"
    assert data["newly_blocked"][0]["title"] == "Book venue"


def test_diff_first_run_and_stale_departments_not_removed() -> None:
    assert diff(None, Snapshot("i", T1, TODAY, tasks())).empty
    without_ops = [t for t in tasks() if t.department != "ops"]
    ch = diff(Snapshot("i", T1, TODAY, tasks(), id=1), Snapshot("i", T2, TODAY, without_ops, ["ops"]))
    assert ch.removed == [] and ch.empty


def test_last_good_and_last_good_tasks(store: History) -> None:
    assert store.last_good("launch-1", "ops") is None
    store.save_snapshot("launch-1", _report(tasks()), tasks(), taken_at=T1)
    no_ops = [t for t in tasks() if t.department != "ops"]
    store.save_snapshot("launch-1", _report(no_ops, stale={"ops": T1}), no_ops, taken_at=T2)
    assert store.last_good("launch-1", "ops") == T1
    assert store.last_good("launch-1", "eng") == T2
    assert [t.ref for t in store.last_good_tasks("launch-1", "ops")] == ["a1", "a2", "a3"]
    assert store.last_good_tasks("launch-1", "legal") == []


def _report_with_past(store: History, task_list, today, when, *, save: bool):
    past = store.past("launch-1", save=save)
    report = build_report(
        task_list, today=today, instance="launch-1", plan=plan(), extra_deps=EXTRA_DEPS, generated_at=when, past=past
    )
    snap = store.save_snapshot("launch-1", report, task_list, snapshot_id=past.id) if save else None
    return report, snap


def test_build_report_takes_history_and_changes_from_the_past(store: History) -> None:
    first = store.save_snapshot("launch-1", _report(tasks()), tasks(), taken_at=T1)
    second_tasks = _second_day()
    report, snap = _report_with_past(store, second_tasks, d(13), T2, save=True)
    assert [h["taken_at"] for h in report.history] == [T1.isoformat(), T2.isoformat()]
    assert [h["id"] for h in report.history] == [first.id, snap.id]  # the report names its own snapshot
    assert report.history == jsonable(store.list_snapshots("launch-1"))  # as a stored run reads back
    assert report.changes["completed"][0]["id"] == "build" and report.changes["previous_taken_at"] == T1.isoformat()
    assert report.trends == store.trends("launch-1")
    assert store.report_json(snap.id)["changes"] is None  # the store keeps no copy of the diff
    # unsaved current run: history gets an extra point, the previous is the latest stored
    report3, _ = _report_with_past(store, second_tasks, d(14), T2 + dt.timedelta(days=1), save=False)
    assert len(report3.history) == 3 and report3.changes["previous_id"] == snap.id
    assert report3.history[-1]["id"] == 0 and len(store.list_snapshots("launch-1")) == 2


def test_diff_lists_started_cancelled_reassigned_and_redated_work() -> None:
    before = tasks()
    after = [dataclasses.replace(t, depends_on=list(t.depends_on), extra=dict(t.extra)) for t in before]
    by_ref = {t.ref: t for t in after}
    by_ref["ENG-3"].status = Status.IN_PROGRESS  # qa: todo -> in progress
    by_ref["a3"].status = Status.CANCELLED  # book venue: dropped
    by_ref["a2"].assignee = "erin"  # training: dave -> erin
    by_ref["c3"].due = d(19)  # launch post: 20th -> 19th (earlier)
    by_ref["ENG-9"].due = None  # the hotfix lost its due date
    ch = diff(Snapshot("launch-1", T1, TODAY, before, id=1), Snapshot("launch-1", T2, TODAY, after))
    assert [c["id"] for c in ch.started] == ["qa"]
    assert [c["id"] for c in ch.cancelled] == ["asana:a3"]
    assert [(c["id"], c["assignee_from"], c["assignee_to"]) for c in ch.reassigned] == [("training", "dave", "erin")]
    assert [(c["id"], c.get("from"), c.get("to"), c.get("days")) for c in ch.redated] == [
        ("jira:ENG-9", d(10), None, None),
        ("launchpost", d(20), d(19), -1),
    ]
    assert ch.slipped == [] and not ch.empty
