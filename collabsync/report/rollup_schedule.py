"""Dependencies across tools, the critical path and planned-against-actual, for the rollup (pure)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from collabsync.dates import Calendar
from collabsync.model import Task
from collabsync.plan_columns import PlanTask, ReportPlan
from collabsync.report.business_days import BusinessDays
from collabsync.report.rollup_model import PathStep, Schedule, TaskLine

__all__ = [
    "DependencyIndex",
    "business_days_between",
    "task_duration",
    "forecast",
    "Forecast",
    "BusinessDays",
    "late_days",
    "accountable",
    "earned_schedule",
    "group_schedule",
]

_EPS = 1e-9


class DependencyIndex:
    """Resolves template keys, `provider:ref` and bare refs to report ids, so edges can cross tools."""

    def __init__(self, lines: Sequence[TaskLine]) -> None:
        self.by_id = {line.id: line for line in lines}
        self.by_key: dict[str, str] = {}
        self.by_ref: dict[str, list[str]] = {}
        for line in lines:
            if line.key and line.key not in self.by_key:
                self.by_key[line.key] = line.id
            self.by_ref.setdefault(line.ref, []).append(line.id)

    def resolve(self, name: str, provider: str | None = None) -> str | None:
        """A report id for a key, `provider:ref`, a ref in `provider`, or a ref unique across tools."""
        if name in self.by_key:
            return self.by_key[name]
        if name in self.by_id:
            return name
        candidates = self.by_ref.get(name, [])
        if provider is not None:
            same_tool = [c for c in candidates if self.by_id[c].provider == provider]
            if same_tool:
                return same_tool[0]
        return candidates[0] if len(candidates) == 1 else None

    def edges(
        self, tasks: Sequence[tuple[TaskLine, Task]], plan: ReportPlan | None, extra_deps: Iterable[tuple[str, str]]
    ) -> tuple[dict[str, list[str]], list[str]]:
        """Blocking ids per task id from the tools' own links, the plan's keys and cross-tool pairs."""
        deps: dict[str, list[str]] = {line.id: [] for line, _ in tasks}
        warnings: list[str] = []
        plan_deps = {spec.key: spec.depends_on for spec in plan.tasks} if plan else {}

        def add(blocked: str, blocking: str) -> None:
            if blocked != blocking and blocking not in deps[blocked]:
                deps[blocked].append(blocking)

        by_key, no_keys = self.by_key, ()
        for line, task in tasks:  # add() inlined: this runs once per link of a 100k-task report
            ident, own = line.id, deps[line.id]
            for ref in task.depends_on:
                target = by_key.get(ref) or self.resolve(ref, line.provider)
                if target is None:
                    warnings.append(f"{ident}: dependency {ref!r} not found in {line.provider}")
                elif target != ident and target not in own:
                    own.append(target)
            for key in plan_deps.get(line.key or "", no_keys):
                target = by_key.get(key)
                if target is not None and target != ident and target not in own:
                    own.append(target)
        for blocked_name, blocking_name in extra_deps:
            blocked, blocking = self.resolve(blocked_name), self.resolve(blocking_name)
            if blocked is None or blocking is None:
                warnings.append(f"cross-tool dependency {blocked_name!r} -> {blocking_name!r} not resolved")
            else:
                add(blocked, blocking)
        return deps, warnings


def business_days_between(start: dt.date, end: dt.date, calendar: Calendar | BusinessDays) -> int:
    """Business days from start to end, both included; at least 1."""
    if end < start:
        return 1
    if start == dt.date.min:  # no day before it to count from
        return max(1, int(calendar.is_business_day(start)) + calendar.business_days_between(start, end))
    return max(calendar.business_days_between(start - dt.timedelta(days=1), end), 1)


def task_duration(task: Task, spec: PlanTask | None, calendar: Calendar | BusinessDays) -> int:
    """Business days of work a task needs: its estimate (effort), else its planned window, else 1.

    The window between a task's start and due may hold slack; only the effort has to fit in it.
    """
    estimate = task.estimate if task.estimate is not None else (spec.estimate if spec else None)
    if estimate:
        return max(1, math.ceil(estimate))
    if spec and spec.start and spec.due:
        return business_days_between(spec.start, spec.due, calendar)
    if task.start and task.due:
        return business_days_between(task.start, task.due, calendar)
    return 1


def nth_business_day(today: dt.date, n: int, calendar: Calendar) -> dt.date:
    """The day the n-th business day of work ends when work starts today (or the next business day)."""
    first = calendar.add_business_days(today, 0)
    return calendar.add_business_days(first, n - 1) if n > 1 else first


@dataclass
class Forecast:
    """When each open task is projected to start and finish, and what pushed it."""

    start: dict[str, dt.date] = field(default_factory=dict)
    finish: dict[str, dt.date] = field(default_factory=dict)
    driver: dict[str, str | None] = field(default_factory=dict)
    path: list[PathStep] = field(default_factory=list)
    length: int = 0
    warnings: list[str] = field(default_factory=list)


def _remaining(
    line: TaskLine, duration: int, planned_start: dt.date | None, today: dt.date, calendar: Calendar | BusinessDays
) -> int:
    """Work left: in-progress work is assumed done at one day per business day since it began."""
    begun = line.start or planned_start
    if line.status != "in_progress" or begun is None or begun >= today:
        return duration
    return max(1, duration - calendar.business_days_between(begun, today))


def forecast(
    lines: Sequence[TaskLine],
    deps: Mapping[str, list[str]],
    durations: Mapping[str, int],
    planned_starts: Mapping[str, dt.date | None],
    today: dt.date,
    calendar: Calendar | BusinessDays,
) -> Forecast:
    """Forward pass over open work: a task starts at its planned start, today, or the business day
    after its last open prerequisite finishes, whichever is latest, and lasts its remaining effort.

    The path is the chain of latest-finishing prerequisites behind the last task to finish.
    """
    days = calendar if isinstance(calendar, BusinessDays) else BusinessDays(calendar)
    add = days.add_business_days
    by_id = {line.id: line for line in lines}
    open_ids = [line.id for line in lines if line.open]
    is_open = set(open_ids)
    first_day = add(today, 0)
    out = Forecast()
    finish, starts, drivers = out.finish, out.start, out.driver
    chain_up: dict[str, str | None] = {}
    no_deps: list[str] = []

    def settle(node: str) -> None:
        planned = planned_starts.get(node)
        start = max(first_day, add(planned, 0)) if planned else first_day
        driver, latest = None, None
        for dep in deps.get(node, no_deps):
            end = finish.get(dep)
            if end is not None and dep in is_open:
                after = add(end, 1)
                if after > start:
                    start, driver = after, dep
                if latest is None or end > finish[latest]:
                    latest = dep
        chain_up[node] = latest
        line, work = by_id[node], durations[node]
        if line.status == "in_progress":  # _remaining changes nothing else; a call per task cost more than it
            work = _remaining(line, work, planned, today, days)
        starts[node], drivers[node] = start, driver
        finish[node] = add(start, work - 1)

    for root in open_ids:
        if root in finish:
            continue
        trail = {root}
        stack = [(root, iter(deps.get(root, no_deps)))]
        while stack:
            node, pending = stack[-1]
            for dep in pending:
                if dep not in is_open or dep in finish:
                    continue
                if dep in trail:
                    out.warnings.append(f"dependency cycle through {node} and {dep}: link ignored")
                    continue
                trail.add(dep)
                stack.append((dep, iter(deps.get(dep, no_deps))))
                break
            else:
                stack.pop()
                trail.discard(node)
                settle(node)
    if not open_ids:
        return out
    order = {n: i for i, n in enumerate(open_ids)}
    last = max(open_ids, key=lambda n: (finish[n], -order[n]))
    chain: list[str] = []
    at: str | None = last
    while at is not None:
        chain.append(at)
        at = chain_up[at]
    chain.reverse()
    out.path = [PathStep(by_id[n], durations[n], finish[n]) for n in chain]
    out.length = business_days_between(first_day, finish[last], days)
    return out


def late_days(line: TaskLine, finish: Mapping[str, dt.date], calendar: Calendar | BusinessDays) -> int:
    """Business days an open task is projected to finish after its planned due (0 when on time)."""
    end = finish.get(line.id)
    if not line.open or end is None or line.planned_due is None or end <= line.planned_due:
        return 0
    return calendar.business_days_between(line.planned_due, end) or 1


def accountable(
    line: TaskLine,
    by_id: Mapping[str, TaskLine],
    driver: Mapping[str, str | None],
    late: Mapping[str, int],
    memo: dict[str, TaskLine] | None = None,
) -> TaskLine:
    """The task a lateness comes from: follow the prerequisites that pushed it while they are late too.

    With `memo` shared across calls, every task of a walked chain remembers the answer, so a report of
    long late chains walks each link once instead of once per task below it.
    """
    memo = {} if memo is None else memo
    walked, seen = [line.id], {line.id}
    cyclic = False
    while line.id not in memo and (up := driver.get(line.id)) is not None and late.get(up, 0) > 0:
        if up in seen:
            cyclic = True
            break
        seen.add(up)
        walked.append(up)
        line = by_id[up]
    line = memo.get(line.id, line)
    if not cyclic:  # every task on an acyclic walk ends at the same task
        memo.update(dict.fromkeys(walked, line))
    return line


def earned_schedule(lines: Sequence[TaskLine], today: dt.date) -> tuple[float, float, float, float | None]:
    """(scheduled weight, planned share %, actual share %, variance days) over non-cancelled planned work.

    The plan's share at day d is the weight planned due before d. The variance is the plan date at
    which that share equals the share actually done, minus today (positive = ahead): interpolated
    linearly between two steps of the plan; on a flat stretch, the stretch's end nearest today.
    """
    weights: list[float] = []  # summed with sum(), as lists, so every total adds the same floats in the same order
    done_weights: list[float] = []
    before_weights: list[float] = []
    per_day: dict[dt.date, float] = {}
    for line in lines:
        due = line.planned_due
        if due is None or line.status == "cancelled":
            continue
        weight = line.weight
        weights.append(weight)
        if line.status == "done":
            done_weights.append(weight)
        if due < today:
            before_weights.append(weight)
        per_day[due] = per_day.get(due, 0.0) + weight
    total = sum(weights)
    if total <= 0:
        return 0.0, 0.0, 0.0, None
    done = sum(done_weights)
    due_dates = sorted(per_day)
    before_today = sum(before_weights)
    planned_share = round(before_today * 100.0 / total, 1)
    actual_share = round(done * 100.0 / total, 1)
    # Stretches of constant plan share: level i holds from `starts[i]` to `ends[i]` (None = unbounded).
    levels: list[float] = [0.0]
    starts: list[dt.date | None] = [None]
    ends: list[dt.date | None] = [due_dates[0]]
    running = 0.0
    for i, due in enumerate(due_dates):
        running += per_day[due]
        levels.append(running)
        starts.append(due + dt.timedelta(days=1))
        ends.append(due_dates[i + 1] if i + 1 < len(due_dates) else None)
    for i, level in enumerate(levels):
        if abs(done - level) < _EPS:
            start, end = starts[i], ends[i]
            if start is not None and today < start:
                return total, planned_share, actual_share, float((start - today).days)
            if end is not None and today > end:
                return total, planned_share, actual_share, float((end - today).days)
            return total, planned_share, actual_share, 0.0
        if i + 1 < len(levels) and level < done < levels[i + 1]:
            end = ends[i]
            assert end is not None  # every level but the last has an end
            fraction = (done - level) / (levels[i + 1] - level)
            return total, planned_share, actual_share, round((end - today).days + fraction, 1)
    return total, planned_share, actual_share, None  # pragma: no cover - done never exceeds total


def group_schedule(lines: Sequence[TaskLine], finish: Mapping[str, dt.date], today: dt.date) -> Schedule:
    """Planned vs actual, target (latest planned due) and projected finish of one group of tasks."""
    weight, planned, actual, variance = earned_schedule(lines, today)
    target: dt.date | None = None
    projected: dt.date | None = None
    for line in lines:  # one pass: the latest planned due of live work, the latest end of open work
        status = line.status
        if status == "cancelled":
            continue
        planned_due = line.planned_due
        if planned_due and (target is None or planned_due > target):
            target = planned_due
        if status == "done":
            continue
        end = finish.get(line.id)
        if end is not None and (projected is None or end > projected):
            projected = end
        end = line.due or planned_due
        if end and (projected is None or end > projected):
            projected = end
    slip = (projected - target).days if projected and target else None
    return Schedule(
        scheduled_weight=weight,
        planned_share=planned,
        actual_share=actual,
        variance_days=variance,
        target=target,
        projected_finish=projected,
        slip_days=slip,
    )
