"""What changed between two report snapshots, apart from the store that keeps them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from collabsync.model import Status, Task
from collabsync.report.history_columns import StoredColumns, TaskColumns
from collabsync.report.history_tasks import StoredTasks, TaskState, task_identity, task_state
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


def diff(prev: Snapshot | None, current: Snapshot, encoded: TaskColumns | None = None) -> Changes:
    """Completed, added, removed, newly overdue, newly blocked, slipped, started, cancelled, reassigned and
    re-dated (due earlier, a due date set or cleared, or a new start) tasks between two snapshots.

    Tasks of departments that are stale in `current` are not reported as removed. Tasks are compared as
    TaskState tuples, so a stored snapshot is diffed without building its tasks; with `encoded` (current's
    tasks as columns) and a snapshot stored as columns, equal digests of the compared fields mean equal states.
    """
    if prev is None:
        return Changes(None, None)
    changes = Changes(prev.id, prev.taken_at)
    today, prev_today = current.today, prev.today
    if isinstance(prev.tasks, StoredColumns) and encoded is not None and encoded.states_match(prev.tasks):
        if not encoded.may_fall_due(prev_today, today):
            return changes  # every state as before and none newly overdue: nothing to list
        before = after = dict(encoded.states())
    else:
        before = dict(_states(prev.tasks))
        after = dict(encoded.states() if encoded is not None else _states(current.tasks))
    for ident, task in after.items():
        old = before.get(ident)
        if old == task:  # unchanged: only its overdue state can move, with the day
            due, status = task[5], task[3]
            if due is not None and prev_today <= due < today and status not in _CLOSED:
                changes.newly_overdue.append(_item(ident, task))
            continue
        item = _item(ident, task)
        title, department, provider, status, url, due, start, assignee = task
        if old is None:
            changes.added.append(item)
        elif status == _DONE and old[3] != _DONE:
            changes.completed.append(item)
        if _overdue(task, today) and not (old and _overdue(old, prev_today)):
            changes.newly_overdue.append(item)
        if status == _BLOCKED and not (old and old[3] == _BLOCKED):
            changes.newly_blocked.append(item)
        old_due = old[5] if old else None
        if old_due and due and due > old_due:
            changes.slipped.append({**item, "from": old_due, "to": due, "days": (due - old_due).days})
        if old is None:
            continue
        if status == _IN_PROGRESS and old[3] == _TODO:
            changes.started.append(item)
        if status == _CANCELLED and old[3] != _CANCELLED:
            changes.cancelled.append(item)
        if (assignee or None) != (old[7] or None):
            changes.reassigned.append({**item, "assignee_from": old[7], "assignee_to": assignee})
        old_start = old[6]
        if old_due and due and due < old_due:  # earlier; later is `slipped`
            changes.redated.append({**item, "from": old_due, "to": due, "days": (due - old_due).days})
        elif (old_due is None) != (due is None) or (old_start and start and old_start != start):
            changes.redated.append({**item, **{k: v for k, v in (("from", old_due), ("to", due)) if v}})
    stale = set(current.stale_departments)
    changes.removed = [_item(i, t) for i, t in before.items() if i not in after and t[1] not in stale]
    changes.slipped.sort(key=lambda c: -c["days"])
    return changes


_TODO, _IN_PROGRESS, _BLOCKED = Status.TODO.value, Status.IN_PROGRESS.value, Status.BLOCKED.value
_DONE, _CANCELLED = Status.DONE.value, Status.CANCELLED.value
_CLOSED = (_DONE, _CANCELLED)


def _states(tasks: Sequence[Task]) -> Iterable[tuple[str, TaskState]]:
    """(identity, state) per task in order; a stored snapshot has them read already."""
    if isinstance(tasks, StoredTasks | StoredColumns):
        return tasks.states
    if all(type(t.status) is Status for t in tasks):  # task_identity and task_state inlined: 100k tasks a run
        return [
            (
                t.key or f"{t.provider or 'unknown'}:{t.ref}",
                (t.title, t.department, t.provider, t.status.value, t.url, t.due, t.start, t.assignee),
            )
            for t in tasks
        ]
    return [(task_identity(t), task_state(t)) for t in tasks]


def _overdue(state: TaskState, today: dt.date) -> bool:
    """Task.is_overdue of a state: open work whose due date has passed."""
    return state[5] is not None and state[5] < today and state[3] not in _CLOSED


def _item(ident: str, state: TaskState) -> dict[str, Any]:
    return {
        "id": ident,
        "title": state[0],
        "department": state[1],
        "provider": state[2],
        "status": state[3],
        "url": state[4],
    }
