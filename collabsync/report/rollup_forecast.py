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

__all__ = ["MOST_WORK", "Forecast", "forecast", "project"]

#: The most business days of work one task is projected to take (about 100 years): more is a typo in the tool.
MOST_WORK = 26_000


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
    """project() from (line, task) pairs, the plan's tasks by key and the blocking ids per line id."""
    lines, no_deps = [line for line, _ in pairs], list[str]()
    plans = [specs.get(line.key or "") for line in lines]
    own_of = [deps.get(line.id, no_deps) for line in lines]
    return project(lines, [task for _, task in pairs], plans, own_of, {line.id: line for line in lines}, today, days)


def project(
    lines: Sequence[TaskLine],
    tasks: Sequence[Task],
    plans: Sequence[PlanTask | None],
    own_of: Sequence[list[str]],
    by_id: Mapping[str, TaskLine],
    today: dt.date,
    days: BusinessDays,
) -> Forecast:
    """Forward pass over open work: a task starts at its planned start, today, or the business day
    after its last open prerequisite finishes, whichever is latest, and lasts its remaining effort.

    Columns in the lines' order: each line's task, plan task and blocking ids (read by position, not looked up by id
    per task); `by_id` finds the critical path's lines. Fills each open line's waiting_on, projected_finish, late_days and late_because (the department
    its lateness comes from, when not its own). The path is the chain of latest-finishing
    prerequisites behind the last task to finish. Tasks are settled in the lines' order where that
    puts prerequisites first (a stamped plan does), else by a depth-first walk from the task.
    """
    out = Forecast()
    number, ceil = days.number, math.ceil
    first = number(today)
    table, base = days.span(first)
    size = len(table)
    starts: dict[dt.date, int] = {}  # few distinct dates among many tasks: each numbered once
    after: dict[dt.date, int] = {}  # per planned due: the number of the first business day after it
    closed = {line.id for line in lines if line.status == "done" or line.status == "cancelled"}
    is_open = closed.isdisjoint
    finish: dict[str, int] = {}  # per settled task: the number of its last business day
    dates = out.finish
    chain_up: dict[str, str | None] = {}  # the prerequisite that finishes last (the critical path's link)
    effort: dict[str, int] = {}  # per settled task: its full effort in business days (task_duration), for the path
    source: dict[str, TaskLine] = {}  # per late task: the task its lateness comes from

    def settle(line: TaskLine, task: Task, spec: PlanTask | None, own: list[str], strict: bool) -> bool:
        """Finish a task after its settled prerequisites; strict: refuse (False) while an open one is unsettled."""
        nonlocal table, base, size
        ident = line.id
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
            if not estimate <= MOST_WORK:  # a typo in the tool (or inf, NaN) would project past the calendar's end
                out.warnings.append(
                    f"{ident} ({line.title}): an estimate of {estimate:,.0f} days cannot be projected (more than"
                    f" {MOST_WORK:,} business days, about 100 years): the forecast counts {MOST_WORK:,};"
                    " check the estimate in the tool"
                )
                estimate = MOST_WORK
            work = ceil(estimate)
            if work < 1:
                work = 1
        else:
            work = task_duration(task, spec, days)
        effort[ident] = work
        if line.status == "in_progress":  # in-progress work is assumed done at one day per business day since it began
            begun = task.start or planned
            if begun is not None and begun < today:
                work = max(1, work - days.business_days_between(begun, today))
        end = start + work - 1
        if not 0 <= end - base < size:
            try:
                table, base = days.span(end)
            except OverflowError:  # long chains of long work: the projection stops at the calendar's last day
                out.warnings.append(
                    f"{ident} ({line.title}): projected past {dt.date.max}: shown as finishing on its last business day"
                )
                end = number(_last_business_day(days))
                table, base = days.span(end)
            size = len(table)
        finish[ident] = end
        chain_up[ident] = latest
        line.projected_finish = dates[ident] = table[end - base]
        if own:  # the edges' list itself (nothing changes it after the links are made), unless a prerequisite is closed
            line.waiting_on = own if is_open(own) else [dep for dep in own if dep not in closed]
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

    position: dict[str, int] = {}  # line id -> its place in the columns: made only when the walk needs it

    def blockers(ident: str) -> list[str]:
        """A line's blocking ids, by its id (for the walk)."""
        return own_of[position[ident]]

    def settle_by_id(ident: str) -> bool:
        """settle() for the walk: prerequisites first, a cycle's link ignored."""
        p = position[ident]
        return settle(lines[p], tasks[p], plans[p], own_of[p], False)

    walked = False
    for line, task, spec, own in zip(lines, tasks, plans, own_of, strict=True):
        ident = line.id
        if ident in closed or ident in finish or settle(line, task, spec, own, True):
            continue
        if not position:
            position = {line.id: p for p, line in enumerate(lines)}
        walked = True
        _walk(ident, blockers, closed, finish, warnings=out.warnings, settle=settle_by_id)
    if not finish:
        return out
    top = max(finish.values())
    last = [ident for ident, end in finish.items() if end == top]
    if walked and len(last) > 1:  # the first in the lines' order to finish last
        ties = set(last)
        last = [next(line.id for line in lines if line.id in ties)]
    chain: list[str] = []
    at: str | None = last[0]
    while at is not None:
        chain.append(at)
        at = chain_up[at]
    chain.reverse()
    out.path = [PathStep(by_id[n], effort[n], dates[n]) for n in chain]
    out.length = business_days_between(table[first - base], dates[last[0]], days)
    return out


_DAY = dt.timedelta(days=1)


def _last_business_day(days: BusinessDays) -> dt.date:
    """The calendar's last business day (on or before 9999-12-31)."""
    day = dt.date.max
    while not days.is_business_day(day):
        day -= _DAY
    return day


def _walk(
    root: str,
    deps: Callable[[str], list[str]],
    closed: set[str],
    finish: Mapping[str, int],
    *,
    warnings: list[str],
    settle: Callable[[str], bool],
) -> None:
    """Settle root after its open prerequisites, depth first; a link back into the walk is a cycle, ignored."""
    trail = {root}
    stack = [(root, iter(deps(root)))]
    while stack:
        node, pending = stack[-1]
        for dep in pending:
            if dep in closed or dep in finish:
                continue
            if dep in trail:
                warnings.append(f"dependency cycle through {node} and {dep}: link ignored")
                continue
            trail.add(dep)
            stack.append((dep, iter(deps(dep))))
            break
        else:
            stack.pop()
            trail.discard(node)
            settle(node)
