"""Dependencies across tools, the critical path and planned-against-actual, for the rollup (pure)."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from operator import attrgetter

from collabsync.dates import Calendar
from collabsync.model import Task
from collabsync.plan_columns import PlanTask
from collabsync.report.business_days import BusinessDays
from collabsync.report.rollup_groups import exact_sums
from collabsync.report.rollup_model import Schedule, TaskLine

__all__ = [
    "DependencyIndex",
    "business_days_between",
    "task_duration",
    "BusinessDays",
    "earned_schedule",
    "group_schedule",
    "group_schedules",
]

_EPS = 1e-9


class DependencyIndex:
    """Resolves template keys, `provider:ref` and bare refs to report ids, so edges can cross tools."""

    def __init__(self, lines: Sequence[TaskLine]) -> None:
        self.lines = lines
        # a key's first task: later ones are written first and overwritten
        self.by_key: dict[str, str] = dict(zip(map(_key, reversed(lines)), map(_id, reversed(lines)), strict=True))
        self.by_key.pop(None, None)  # type: ignore[call-overload]  # no key
        self.by_key.pop("", None)

    @cached_property
    def by_id(self) -> dict[str, TaskLine]:
        """Lines by report id: built only when a link names no key (most links of a stamped plan do)."""
        return {line.id: line for line in self.lines}

    @cached_property
    def by_ref(self) -> dict[str, list[str]]:
        """Report ids per tool ref: built only when a link names no key."""
        out: dict[str, list[str]] = {}
        for line in self.lines:
            out.setdefault(line.ref, []).append(line.id)
        return out

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
        self,
        tasks: Sequence[tuple[TaskLine, Task]],
        specs: Mapping[str, PlanTask],
        extra_deps: Iterable[tuple[str, str]],
    ) -> tuple[dict[str, list[str]], list[str]]:
        """Blocking ids per task id from the tools' own links, the plan's keys (`specs` by key) and cross-tool pairs."""
        lines = [line for line, _ in tasks]
        plans = [specs.get(line.key or "") for line in lines]
        _, deps, warnings = self.links(lines, [task for _, task in tasks], plans, extra_deps)
        return deps, warnings

    def links(
        self,
        lines: Sequence[TaskLine],
        tasks: Sequence[Task],
        plans: Sequence[PlanTask | None],
        extra_deps: Iterable[tuple[str, str]],
    ) -> tuple[list[list[str]], dict[str, list[str]], list[str]]:
        """edges from aligned columns (each line's task and plan task): each line's blocking ids in the lines' order
        (the forecast reads them by position), the same lists by id, and what could not be resolved."""
        deps: dict[str, list[str]] = {}
        warnings: list[str] = []
        get = self.by_key.get
        for line, task, spec in zip(lines, tasks, plans, strict=True):  # once per link of a 100k-task report
            ident, refs = line.id, task.depends_on
            if len(refs) == 1 and (target := get(refs[0])) and target != ident:  # the usual link: a key, resolved
                own = [target]
            else:
                own = []
                for ref in refs:
                    target = get(ref) or self.resolve(ref, line.provider)
                    if target is None:
                        warnings.append(f"{ident}: dependency {ref!r} not found in {line.provider}")
                    elif target != ident and target not in own:
                        own.append(target)
            deps[ident] = own
            if spec is not None and spec.depends_on and tuple(refs) != spec.depends_on:  # the same keys add nothing
                for key in spec.depends_on:
                    target = get(key)
                    if target is not None and target != ident and target not in own:
                        own.append(target)
        for blocked_name, blocking_name in extra_deps:
            blocked, blocking = self.resolve(blocked_name), self.resolve(blocking_name)
            if blocked is None or blocking is None:
                warnings.append(f"cross-tool dependency {blocked_name!r} -> {blocking_name!r} not resolved")
            elif blocked != blocking and blocking not in deps[blocked]:
                deps[blocked].append(blocking)
        own_of = list(deps.values()) if len(deps) == len(lines) else [deps[line.id] for line in lines]
        return own_of, deps, warnings


_key, _id = attrgetter("key"), attrgetter("id")


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


def earned_schedule(lines: Sequence[TaskLine], today: dt.date) -> tuple[float, float, float, float | None]:
    """(scheduled weight, planned share %, actual share %, variance days) over non-cancelled planned work.

    The plan's share at day d is the weight planned due before d. The variance is the plan date at
    which that share equals the share actually done, minus today (positive = ahead): interpolated
    linearly between two steps of the plan; on a flat stretch, the stretch's end nearest today.
    """
    return _scan(lines, _NO_FINISH, today)[0]


def group_schedule(lines: Sequence[TaskLine], finish: Mapping[str, dt.date], today: dt.date) -> Schedule:
    """Planned vs actual, target (latest planned due) and projected finish of one group of tasks.

    `finish` is the forecast's finish per open task id; lines the forecast already wrote on (projected_finish,
    as build_report's are) are read directly: a dict lookup per task per group cost more than the rest."""
    return _schedule(*_scan(lines, finish, today))


def group_schedules(
    groups: Sequence[Sequence[TaskLine]], lines: Sequence[TaskLine], finish: Mapping[str, dt.date], today: dt.date
) -> tuple[list[Schedule], Schedule]:
    """group_schedule of each group and of `lines`, the groups' union: the union's from the groups' counts added up
    (one pass over 100,000 lines fewer) when every sum is exact, else on its own."""
    counted = [_counted(group, finish) for group in groups]
    schedules = [
        _schedule(*_from_rows(*part, today)) if part else _schedule(*_scan_in_order(group, finish, today))
        for group, part in zip(groups, counted, strict=True)
    ]
    rows: Counter[Row] = Counter()
    ends: list[dt.date] = []
    for part in counted:
        if part is None:
            return schedules, group_schedule(lines, finish, today)
        rows.update(part[0])
        if part[1] is not None:
            ends.append(part[1])
    if sum(rows.values()) != len(lines) or not exact_sums((weight, n) for (_, _, weight, _), n in rows.items()):
        return schedules, group_schedule(lines, finish, today)
    return schedules, _schedule(*_from_rows(rows, max(ends, default=None), today))


def _schedule(
    earned: tuple[float, float, float, float | None], target: dt.date | None, projected: dt.date | None
) -> Schedule:
    """A Schedule from _scan's answers."""
    weight, planned, actual, variance = earned
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


_NO_FINISH: Mapping[str, dt.date] = {}


def _scan(
    lines: Sequence[TaskLine], finish: Mapping[str, dt.date], today: dt.date
) -> tuple[tuple[float, float, float, float | None], dt.date | None, dt.date | None]:
    """earned_schedule, the latest planned due of live work and the latest end of open work.

    Counted per distinct (status, planned due, weight, due) at C speed when the sums are exact in any order
    (rollup_groups.exact_sums), so adding per distinct row gives the very floats the task-by-task sums in line
    order give; else task by task (_scan_in_order).
    """
    counted = _counted(lines, finish)
    if counted is None:
        return _scan_in_order(lines, finish, today)
    return _from_rows(*counted, today)


Row = tuple[str, dt.date | None, float, dt.date | None]  # status, planned due, weight, the tool's due


def _counted(lines: Sequence[TaskLine], finish: Mapping[str, dt.date]) -> tuple[Counter[Row], dt.date | None] | None:
    """The lines counted per distinct (status, planned due, weight, due) and the latest projected finish of their
    open work; None when sums of these weights depend on their order (_scan_in_order's case)."""
    rows = Counter(map(_row, lines))
    if not exact_sums((weight, n) for (_, _, weight, _), n in rows.items()):
        return None
    ends = list(filter(None, map(_projected, lines)))  # what the forecast wrote on each open line
    if len(ends) != sum(n for (status, *_), n in rows.items() if status != "done" and status != "cancelled"):
        ends = list(filter(None, map(finish.get, map(_id, lines))))  # lines the forecast did not write on
    return rows, max(ends, default=None)


def _from_rows(
    rows: Counter[Row], projected: dt.date | None, today: dt.date
) -> tuple[tuple[float, float, float, float | None], dt.date | None, dt.date | None]:
    """_scan's answers from counted rows (exact sums) and the latest projected finish of the open work among them."""
    total = done = before_today = 0.0
    per_day: dict[dt.date, float] = {}
    target: dt.date | None = None
    for (status, due, weight, tool_due), n in rows.items():
        if status == "cancelled":
            continue
        if due is not None:
            weight *= n
            total += weight
            if status == "done":
                done += weight
            if due < today:
                before_today += weight
            per_day[due] = per_day.get(due, 0.0) + weight
            if target is None or due > target:
                target = due
        if status != "done":
            end = tool_due or due  # open work ends no earlier than its due
            if end and (projected is None or end > projected):
                projected = end
    return _earned(total, done, before_today, per_day, today), target, projected


_row = attrgetter("status", "planned_due", "weight", "due")
_projected = attrgetter("projected_finish")


def _scan_in_order(
    lines: Sequence[TaskLine], finish: Mapping[str, dt.date], today: dt.date
) -> tuple[tuple[float, float, float, float | None], dt.date | None, dt.date | None]:
    """_scan task by task, each sum in line order (weights whose sums may round)."""
    weights: list[float] = []  # summed with sum(), as lists, so every total adds the same floats in the same order
    done_weights: list[float] = []
    before_weights: list[float] = []
    per_day: dict[dt.date, float] = {}
    target: dt.date | None = None
    projected: dt.date | None = None
    for line in lines:
        status = line.status
        if status == "cancelled":
            continue
        due = line.planned_due
        if due is not None:
            weight = line.weight
            weights.append(weight)
            if status == "done":
                done_weights.append(weight)
            if due < today:
                before_weights.append(weight)
            per_day[due] = per_day.get(due, 0.0) + weight
            if target is None or due > target:
                target = due
        if status == "done":
            continue
        end = finish.get(line.id)  # open work: its projected finish, else its due
        if end is not None and (projected is None or end > projected):
            projected = end
        end = line.due or due
        if end and (projected is None or end > projected):
            projected = end
    return _earned(sum(weights), sum(done_weights), sum(before_weights), per_day, today), target, projected


def _earned(
    total: float, done: float, before_today: float, per_day: dict[dt.date, float], today: dt.date
) -> tuple[float, float, float, float | None]:
    """earned_schedule from the weight of planned work, of it done, of it due before today, and per due date."""
    if total <= 0:
        return 0.0, 0.0, 0.0, None
    due_dates = sorted(per_day)
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
