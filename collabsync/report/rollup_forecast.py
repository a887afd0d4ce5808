"""The forecast of open work, its critical path, lateness and who is accountable, for the rollup (pure).

One forward pass in numbered business days (BusinessDays.number): a task's start, finish and lateness are
integers, compared and added without a date or a calendar call per task (issue 17: 100,000 tasks).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from collabsync.model import Task
from collabsync.plan_columns import PlanTask
from collabsync.report.business_days import BusinessDays
from collabsync.report.rollup_model import PathStep, TaskLine
from collabsync.report.rollup_schedule import business_days_between, task_duration

__all__ = ["Forecast", "forecast"]


@dataclass
class Forecast:
    """When each open task is projected to finish, the critical path and what could not be followed."""

    finish: dict[str, dt.date] = field(default_factory=dict)
    path: list[PathStep] = field(default_factory=list)
    length: int = 0
    warnings: list[str] = field(default_factory=list)


def forecast(
    pairs: Sequence[tuple[TaskLine, Task]],
    specs: Mapping[str, PlanTask],
    deps: Mapping[str, list[str]],
    today: dt.date,
    days: BusinessDays,
) -> Forecast:
    """Forward pass over open work: a task starts at its planned start, today, or the business day
    after its last open prerequisite finishes, whichever is latest, and lasts its remaining effort.

    Fills each open line's waiting_on, projected_finish, late_days and late_because (the department
    its lateness comes from, when not its own). The path is the chain of latest-finishing
    prerequisites behind the last task to finish. Tasks are settled in the lines' order where that
    puts prerequisites first (a stamped plan does), else by a depth-first walk from the task.
    """
    out = Forecast()
    number, ceil, no_deps = days.number, math.ceil, list[str]()
    first = number(today)
    table, base = days.span(first)
    size = len(table)
    starts: dict[dt.date, int] = {}  # few distinct dates among many tasks: each numbered once
    after: dict[dt.date, int] = {}  # per planned due: the number of the first business day after it
    closed = {line.id for line, _ in pairs if line.status == "done" or line.status == "cancelled"}
    is_open = closed.isdisjoint
    finish: dict[str, int] = {}  # per settled task: the number of its last business day
    dates = out.finish
    chain_up: dict[str, str | None] = {}  # the prerequisite that finishes last (the critical path's link)
    source: dict[str, TaskLine] = {}  # per late task: the task its lateness comes from

    def settle(line: TaskLine, task: Task, strict: bool) -> bool:
        """Finish a task after its settled prerequisites; strict: refuse (False) while an open one is unsettled."""
        nonlocal table, base, size
        ident = line.id
        own = deps.get(ident, no_deps)
        start, driver, latest, latest_end = first, None, None, 0
        for dep in own:
            end = finish.get(dep)
            if end is None:
                if strict and dep not in closed:
                    return False
                continue
            if end >= start:
                start, driver = end + 1, dep
            if latest is None or end > latest_end:
                latest, latest_end = dep, end
        spec = specs.get(line.key or "")
        planned = spec.start if spec is not None and spec.start else task.start  # the plan's start, else the tool's
        if planned is not None:
            at = starts.get(planned)
            if at is None:
                at = starts[planned] = number(planned)
            if at >= start:  # the plan set this start, not a prerequisite (the old order: planned start first)
                start, driver = at, None
        estimate = task.estimate
        if estimate is None and spec is not None:
            estimate = spec.estimate
        if estimate:
            work = ceil(estimate)
            if work < 1:
                work = 1
        else:
            work = task_duration(task, spec, days)
        if line.status == "in_progress":  # in-progress work is assumed done at one day per business day since it began
            begun = task.start or planned
            if begun is not None and begun < today:
                work = max(1, work - days.business_days_between(begun, today))
        end = start + work - 1
        finish[ident] = end
        chain_up[ident] = latest
        if not 0 <= end - base < size:
            table, base = days.span(end)
            size = len(table)
        line.projected_finish = dates[ident] = table[end - base]
        if own:  # a line's own list: the edges' list stays the edges'
            # a copy unless some prerequisite is closed (a comprehension per line cost a frame each)
            line.waiting_on = [dep for dep in own if dep not in closed] if not is_open(own) else own[:]
        due = line.planned_due
        if due is not None:
            after_due = after.get(due)
            if after_due is None:  # business days after the due up to the finish are the days late
                after_due = after[due] = number(due + _DAY) if due < dt.date.max else number(due) + 1
            if end >= after_due:
                line.late_days = end + 1 - after_due
                # accountable: the prerequisite that set the start, while it is late too (settled before this task)
                source[ident] = origin = source[driver] if driver is not None and driver in source else line
                line.late_because = origin.department if origin.department != line.department else None
        return True

    by_id: dict[str, tuple[TaskLine, Task]] = {}
    for line, task in pairs:
        ident = line.id
        if ident in closed or ident in finish or settle(line, task, True):
            continue
        if not by_id:
            by_id = {line.id: (line, task) for line, task in pairs}
        _walk(ident, deps, by_id, closed, finish, settle, out.warnings)
    if not finish:
        return out
    top = max(finish.values())
    last = [ident for ident, end in finish.items() if end == top]
    if by_id and len(last) > 1:  # the first in the lines' order to finish last
        ties = set(last)
        last = [next(line.id for line, _ in pairs if line.id in ties)]
    chain: list[str] = []
    at: str | None = last[0]
    while at is not None:
        chain.append(at)
        at = chain_up[at]
    chain.reverse()
    if not by_id:  # settled in the lines' order: only the path's pairs are looked up (no tuple per line)
        on_path = set(chain)
        by_id = {line.id: (line, task) for line, task in pairs if line.id in on_path}
    out.path = [
        PathStep(line, _duration(line, task, specs, days), dates[n]) for n in chain for line, task in (by_id[n],)
    ]
    out.length = business_days_between(table[first - base], dates[last[0]], days)
    return out


_DAY = dt.timedelta(days=1)


def _walk(
    root: str,
    deps: Mapping[str, list[str]],
    by_id: Mapping[str, tuple[TaskLine, Task]],
    closed: set[str],
    finish: Mapping[str, int],
    settle: Callable[[TaskLine, Task, bool], bool],
    warnings: list[str],
) -> None:
    """Settle root after its open prerequisites, depth first; a link back into the walk is a cycle, ignored."""
    no_deps: list[str] = []
    trail = {root}
    stack = [(root, iter(deps.get(root, no_deps)))]
    while stack:
        node, pending = stack[-1]
        for dep in pending:
            if dep in closed or dep in finish:
                continue
            if dep in trail:
                warnings.append(f"dependency cycle through {node} and {dep}: link ignored")
                continue
            trail.add(dep)
            stack.append((dep, iter(deps.get(dep, no_deps))))
            break
        else:
            stack.pop()
            trail.discard(node)
            settle(*by_id[node], False)


def _duration(line: TaskLine, task: Task, specs: Mapping[str, PlanTask], days: BusinessDays) -> int:
    """A path step's duration: its full effort (task_duration), not what is left of it."""
    return task_duration(task, specs.get(line.key or ""), days)
