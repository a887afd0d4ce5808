"""Roll normalised tasks from every tool up into one status report (pure: no I/O).

Counts
    ``status_counts`` gives the COUNTS dict of ``collabsync status --format json``: total, todo,
    in_progress, blocked, done, cancelled, overdue (open and due before today) and percent_done
    (done / (total - cancelled) * 100, one decimal; 0.0 when nothing countable is left).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from .model import Status, Task

__all__ = ["status_counts", "COUNT_KEYS", "percent"]

COUNT_KEYS = ("total", "todo", "in_progress", "blocked", "done", "cancelled", "overdue", "percent_done")


def status_counts(tasks: Iterable[Task], today: dt.date) -> dict[str, Any]:
    """The COUNTS dict shared by `status --format json` and every group of the report."""
    counts: dict[str, Any] = {k: 0 for k in COUNT_KEYS}
    for task in tasks:
        counts["total"] += 1
        counts[Status(task.status).value] += 1
        if task.is_overdue(today):
            counts["overdue"] += 1
    counts["percent_done"] = percent(counts["done"], counts["total"] - counts["cancelled"])
    return counts


def percent(part: float, whole: float) -> float:
    """part/whole as a percentage with one decimal; 0.0 when the whole is empty."""
    if whole <= 0:
        return 0.0
    return round(part * 100.0 / whole, 1)
