"""The report's line per task (moved out of rollup.py, which holds what is rolled up from the lines)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from collabsync.model import Status, Task
from collabsync.plan_columns import PlanTask
from collabsync.report.rollup_model import TaskLine

__all__ = ["NO_DEPARTMENT", "task_lines", "line_columns"]

NO_DEPARTMENT = "(none)"
_INF = float("inf")


def task_lines(
    tasks: Sequence[Task], specs: Mapping[str, PlanTask], today: dt.date, stale: Mapping[str, Any]
) -> list[tuple[TaskLine, Task]]:
    """A TaskLine per task, with a unique report id `provider:ref`, paired with its task."""
    return list(zip(line_columns(tasks, specs, today, stale)[0], tasks, strict=True))


def line_columns(
    tasks: Sequence[Task], specs: Mapping[str, PlanTask], today: dt.date, stale: Mapping[str, Any]
) -> tuple[list[TaskLine], list[PlanTask | None]]:
    """task_lines as two lists in the tasks' order: the lines and each one's plan task (looked up once here, where
    the line needs it, instead of again by the links and the forecast)."""
    out: list[TaskLine] = []
    append = out.append
    plans: list[PlanTask | None] = []
    keep = plans.append
    seen: set[str] = set()
    add = seen.add
    # a member's value and closedness looked up once (enum attribute access dominated 100,000 tasks), by the
    # member's identity: hashing an enum member is a Python-level call
    states = {id(member): (member.value, member.closed) for member in Status}
    done = Status.DONE
    names: dict[object, str] = {}  # each tool's name once
    get_spec = specs.get
    for task in tasks:
        provider = names.get(task.provider)
        if provider is None:
            provider = names[task.provider] = str(task.provider or "unknown")
        key = task.key
        spec = get_spec(key or "")
        keep(spec)
        ref = task.ref
        ident = f"{provider}:{ref}"
        add(ident)  # a repeated id shows in the set's size at the end
        status = task.status
        state = states.get(id(status))
        if state is None:
            status = Status(status)
            state = states[id(status)]
        due, updated, estimate = task.due, task.updated, task.estimate
        if spec is None:
            department = task.department or NO_DEPARTMENT  # department_of
            planned_due = due
            weight = float(estimate) if estimate and 0 < estimate < _INF else 1.0  # NaN and inf weigh 1
        else:
            department = task.department or spec.department or NO_DEPARTMENT
            planned_due = spec.due or due
            planned = estimate if estimate is not None else spec.estimate
            weight = float(planned) if planned and 0 < planned < _INF else 1.0
        append(
            TaskLine(  # all positional: keyword arguments cost a parse per task
                ident,
                ref,
                key,
                task.title,
                department,
                provider,
                state[0],
                task.assignee,
                task.start,
                due,
                planned_due,
                estimate,
                weight,
                task.url,
                due is not None and due < today and not state[1],  # overdue, as Task.is_overdue
                [],  # waiting_on
                False,  # critical
                department in stale,  # stale
                None,  # projected_finish
                0,  # late_days
                None,  # late_because
                updated.date() if updated and status == done else None,  # done_on
            )
        )
    if len(seen) != len(out):
        _number_repeats(out)
    return out, plans


def _number_repeats(lines: list[TaskLine]) -> None:
    """A repeated `provider:ref` id becomes `provider:ref#2` (#3, ...), the first free one in the lines' order."""
    seen: set[str] = set()
    for line in lines:
        ident = line.id
        if ident in seen:
            n = 2
            while ident in seen:
                ident, n = f"{line.provider}:{line.ref}#{n}", n + 1
            line.id = ident
        seen.add(ident)
