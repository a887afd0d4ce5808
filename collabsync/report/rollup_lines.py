"""The report's line per task (moved out of rollup.py, which holds what is rolled up from the lines)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from collabsync.model import Status, Task
from collabsync.plan_columns import PlanTask
from collabsync.report.rollup_model import TaskLine

__all__ = ["NO_DEPARTMENT", "task_lines"]

NO_DEPARTMENT = "(none)"


def task_lines(
    tasks: Sequence[Task], specs: Mapping[str, PlanTask], today: dt.date, stale: Mapping[str, Any]
) -> list[tuple[TaskLine, Task]]:
    """A TaskLine per task, with a unique report id `provider:ref`."""
    out: list[tuple[TaskLine, Task]] = []
    seen: set[str] = set()
    # a member's value and closedness looked up once (enum attribute access dominated 100,000 tasks)
    states = {member: (member.value, member.closed) for member in Status}
    done = Status.DONE
    for task in tasks:
        provider = str(task.provider or "unknown")
        key = task.key
        spec = specs.get(key or "")
        department = task.department or (spec.department if spec else None) or NO_DEPARTMENT  # department_of
        ident = f"{provider}:{task.ref}"
        if ident in seen:
            n = 2
            while ident in seen:
                ident, n = f"{provider}:{task.ref}#{n}", n + 1
        seen.add(ident)
        estimate = task.estimate if task.estimate is not None else (spec.estimate if spec else None)
        status = task.status
        state = states.get(status)
        if state is None:
            status = Status(status)
            state = states[status]
        due, updated = task.due, task.updated
        out.append(
            (
                TaskLine(
                    id=ident,
                    ref=task.ref,
                    key=key,
                    title=task.title,
                    department=department,
                    provider=provider,
                    status=state[0],
                    assignee=task.assignee,
                    start=task.start,
                    due=due,
                    planned_due=(spec.due if spec and spec.due else due),
                    estimate=task.estimate,
                    weight=float(estimate) if estimate and estimate > 0 else 1.0,
                    url=task.url,
                    overdue=due is not None and due < today and not state[1],  # Task.is_overdue
                    stale=department in stale,
                    done_on=updated.date() if updated and status == done else None,
                ),
                task,
            )
        )
    return out
