"""What changed between two report snapshots, apart from the store that keeps them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from collabsync.model import Status, Task
from collabsync.report.rollup_model import jsonable

if TYPE_CHECKING:
    from collabsync.report.history import Snapshot

__all__ = ["Changes", "diff", "task_identity"]


@dataclass
class Changes:
    """What moved between two snapshots; each item is a small dict naming the task."""

    previous_id: int | None
    previous_taken_at: dt.datetime | None
    completed: list[dict[str, Any]] = field(default_factory=list)
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    newly_overdue: list[dict[str, Any]] = field(default_factory=list)
    newly_blocked: list[dict[str, Any]] = field(default_factory=list)
    slipped: list[dict[str, Any]] = field(default_factory=list)
    started: list[dict[str, Any]] = field(default_factory=list)
    cancelled: list[dict[str, Any]] = field(default_factory=list)
    reassigned: list[dict[str, Any]] = field(default_factory=list)
    redated: list[dict[str, Any]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing changed (or there was nothing to compare with)."""
        return not any(
            (
                self.completed,
                self.added,
                self.removed,
                self.newly_overdue,
                self.newly_blocked,
                self.slipped,
                self.started,
                self.cancelled,
                self.reassigned,
                self.redated,
            )
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON view, as attached to Report.changes."""
        return jsonable(self)


def task_identity(task: Task) -> str:
    """How a task is recognised across snapshots: its template key, else `provider:ref`."""
    return task.key or f"{task.provider or 'unknown'}:{task.ref}"


def diff(prev: Snapshot | None, current: Snapshot) -> Changes:
    """Completed, added, removed, newly overdue, newly blocked, slipped, started, cancelled, reassigned and
    re-dated (due earlier, a due date set or cleared, or a new start) tasks between two snapshots.

    Tasks of departments that are stale in `current` are not reported as removed.
    """
    if prev is None:
        return Changes(None, None)
    changes = Changes(prev.id, prev.taken_at)
    before = {task_identity(t): t for t in prev.tasks}
    after = {task_identity(t): t for t in current.tasks}
    for ident, task in after.items():
        old = before.get(ident)
        item = _item(ident, task)
        if old is None:
            changes.added.append(item)
        elif task.status == Status.DONE and old.status != Status.DONE:
            changes.completed.append(item)
        if task.is_overdue(current.today) and not (old and old.is_overdue(prev.today)):
            changes.newly_overdue.append(item)
        if task.status == Status.BLOCKED and not (old and old.status == Status.BLOCKED):
            changes.newly_blocked.append(item)
        if old and old.due and task.due and task.due > old.due:
            changes.slipped.append({**item, "from": old.due, "to": task.due, "days": (task.due - old.due).days})
        if old is None:
            continue
        if task.status == Status.IN_PROGRESS and old.status == Status.TODO:
            changes.started.append(item)
        if task.status == Status.CANCELLED and old.status != Status.CANCELLED:
            changes.cancelled.append(item)
        if (task.assignee or None) != (old.assignee or None):
            changes.reassigned.append({**item, "assignee_from": old.assignee, "assignee_to": task.assignee})
        if old.due and task.due and task.due < old.due:  # earlier; later is `slipped`
            changes.redated.append({**item, "from": old.due, "to": task.due, "days": (task.due - old.due).days})
        elif (old.due is None) != (task.due is None) or (old.start and task.start and old.start != task.start):
            changes.redated.append({**item, **{k: v for k, v in (("from", old.due), ("to", task.due)) if v}})
    stale = set(current.stale_departments)
    changes.removed = [_item(i, t) for i, t in before.items() if i not in after and t.department not in stale]
    changes.slipped.sort(key=lambda c: -c["days"])
    return changes


def _item(ident: str, task: Task) -> dict[str, Any]:
    return {
        "id": ident,
        "title": task.title,
        "department": task.department,
        "provider": task.provider,
        "status": Status(task.status).value,
        "url": task.url,
    }
