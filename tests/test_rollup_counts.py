"""status_counts: the COUNTS dict behind `collabsync status --format json`."""

from __future__ import annotations

import datetime as dt

from collabsync.model import Status, Task
from collabsync.report.rollup import COUNT_KEYS, status_counts

TODAY = dt.date(2026, 3, 10)


def _t(ref: str, status: Status, due: dt.date | None = None) -> Task:
    return Task(ref=ref, title=ref, status=status, due=due)


def test_counts_every_key_by_hand() -> None:
    tasks = [
        _t("a", Status.TODO, dt.date(2026, 3, 9)),  # overdue
        _t("b", Status.TODO, TODAY),  # due today: not overdue
        _t("c", Status.IN_PROGRESS, dt.date(2026, 3, 1)),  # overdue
        _t("d", Status.BLOCKED),
        _t("e", Status.DONE, dt.date(2026, 3, 1)),  # done: never overdue
        _t("f", Status.DONE),
        _t("g", Status.CANCELLED, dt.date(2026, 3, 1)),  # cancelled: never overdue
    ]
    counts = status_counts(tasks, TODAY)
    # 2 done out of 7 - 1 cancelled = 6 countable -> 33.333.. -> 33.3
    assert counts == {
        "total": 7,
        "todo": 2,
        "in_progress": 1,
        "blocked": 1,
        "done": 2,
        "cancelled": 1,
        "overdue": 2,
        "percent_done": 33.3,
    }
    assert tuple(counts) == COUNT_KEYS


def test_counts_empty_and_all_cancelled() -> None:
    assert status_counts([], TODAY)["percent_done"] == 0.0
    counts = status_counts([_t("x", Status.CANCELLED)], TODAY)
    assert (counts["total"], counts["cancelled"], counts["percent_done"]) == (1, 1, 0.0)


def test_counts_rounds_to_one_decimal() -> None:
    tasks = [_t("a", Status.DONE), _t("b", Status.DONE), _t("c", Status.TODO)]
    assert status_counts(tasks, TODAY)["percent_done"] == 66.7  # 2/3 = 66.666..
