"""make_report: what the tools answered -> report, with stale fallback from the history store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from collabsync.ledger import InstanceRecord
from collabsync.reading.query import ReadBack
from collabsync.report.history import History
from collabsync.report.reporting import history_path, make_report
from rollup_data import EXTRA_DEPS, TODAY, plan, tasks

T1 = dt.datetime(2026, 3, 10, 8, 0, tzinfo=dt.UTC)
T2 = dt.datetime(2026, 3, 11, 8, 0, tzinfo=dt.UTC)
RECORD = InstanceRecord("launch-1", "launch", None, {}, plan(), "stamped", "", "")


def _read(task_list, stale=None, when=T2) -> ReadBack:
    return ReadBack(
        RECORD, task_list, dict(stale or {}), {"eng": "jira", "mkt": "trello", "ops": "asana"}, list(EXTRA_DEPS), when
    )


def test_stale_department_shows_last_good_tasks(tmp_path: Path) -> None:
    with History(history_path(tmp_path)) as store:
        first, _ = make_report(_read(tasks(), when=T1), TODAY - dt.timedelta(days=1), store=store)
        assert first.changes["previous_id"] is None and first.stale_departments == []
        without_ops = [t for t in tasks() if t.department != "ops"]
        report, covered = make_report(_read(without_ops, {"ops": "asana: server error 503"}), TODAY, store=store)
    assert len(covered) == 11  # ops' 3 tasks come from the first snapshot
    ops = report.department("ops")
    assert (ops.stale, ops.stale_since, ops.counts["total"], ops.health) == (True, T1, 3, "amber")
    assert "ops could not be read: asana: server error 503" in report.warnings
    assert [h["taken_at"] for h in report.history] == [T1.isoformat(), T2.isoformat()]
    assert report.changes["removed"] == []
    # the counts match a fresh read of everything (the fallback has the same tasks)
    assert report.overall.counts["total"] == 11 and report.overall.counts["done"] == 3


def test_no_store_no_history_and_no_save(tmp_path: Path) -> None:
    report, _ = make_report(_read(tasks()), TODAY)
    assert report.history == [] and report.changes is None
    with History(tmp_path) as store:
        report, _ = make_report(_read(tasks()), TODAY, store=store, save=False)
        assert store.list_snapshots("launch-1") == []
    assert len(report.history) == 1 and report.changes["previous_id"] is None
