"""Roll normalised tasks from every tool up into one status report (pure: no I/O).

Counts
    ``status_counts`` gives the COUNTS dict of ``collabsync status --format json``: total, todo,
    in_progress, blocked, done, cancelled, overdue (open and due before today) and percent_done
    (done / (total - cancelled) * 100, one decimal; 0.0 when nothing countable is left).

Weights
    A task weighs its estimate (the tool's, else the plan's), or 1 when it has none (or NaN, inf). Percent done
    by estimate = done weight / non-cancelled weight.

Planned against actual (per department, per tool and overall)
    Scheduled work = non-cancelled tasks with a planned due date (the plan's, else the tool's).
    planned_share = weight planned due *before* today / scheduled weight (work that should be
    finished when today starts, the same cut as "overdue"); actual_share = done weight / scheduled
    weight. variance_days = D - today, where D is the plan date at which the planned share equals
    the actual share (linear between two due dates; on a flat stretch of the plan, the end of the
    stretch nearest today, so being exactly on plan gives 0). Positive = ahead, negative = behind.

Forecast, critical path and projected finish
    Over open (not done/cancelled) tasks and their open dependencies (the tools' own links, the
    plan's `depends_on` by key and cross-tool pairs). A task needs its effort in business days: its
    estimate (the tool's, else the plan's), else its planned start..due window, else the tool's
    start..due, else 1. The window may hold slack; only the effort has to fit. An open task starts
    on the latest of its planned start, today (or the next business day) and the business day after
    each open prerequisite's projected finish; in-progress work is assumed to have advanced one day
    per business day since it began. A task is *late* by the business days its projected finish
    falls after its planned due. The critical path is the chain of prerequisites that pushed the
    last-finishing task. projected_finish = the latest of the open tasks' projected finishes and
    due dates; target = latest planned due; slip_days = projected_finish - target (calendar days).

Who is accountable
    A late task is pushed by a prerequisite when that prerequisite set its start and is late too;
    following those links back ends at the task the lateness comes from. A department is late for
    its own work when that task is its own, and *waits on* another department (named) otherwise.

Health (per department, per tool and overall)
    red    if open tasks exist and overdue > 20% of them, or variance_days < -5, or a task is
           projected more than 5 business days late;
    amber  else if any task is overdue or explicitly blocked, or variance_days < 0, or a task is
           projected late, or the department's tool did not answer (stale data); overall is also
           at least amber when any department is stale or red;
    green  otherwise. A freshly stamped, feasible plan is green on any day up to its first due.
    Every colour comes with the reasons that set it; `cause` says "own" when any reason is the
    group's own work, "waiting" when it is only late because of `waits_on`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from operator import attrgetter
from typing import Any

from collabsync.dates import Calendar
from collabsync.ledger_plan import PlanOutline
from collabsync.model import Status, Task
from collabsync.plan_columns import PlanTask, ReportPlan
from collabsync.report.business_days import BusinessDays
from collabsync.report.history import Past, looking_back
from collabsync.report.rollup_forecast import project
from collabsync.report.rollup_groups import Combo, Tally, counts_of, due_lists, exact_sums
from collabsync.report.rollup_health import LateKey, health_of, late_digest, overall_floor
from collabsync.report.rollup_lines import NO_DEPARTMENT, line_columns
from collabsync.report.rollup_model import Group, Report, TaskLine
from collabsync.report.rollup_schedule import DependencyIndex, group_schedule, group_schedules
from collabsync.report.rollup_story import (
    contributions,
    handoffs,
    phases,
    summary_sentence,
    waiting_reason,
)

__all__ = [
    "status_counts",
    "COUNT_KEYS",
    "percent",
    "build_report",
    "DUE_SOON_DAYS",
    "UNASSIGNED",
    "NO_DEPARTMENT",
    "by_department",
    "counts_by_department",
    "department_of",
]

COUNT_KEYS = ("total", "todo", "in_progress", "blocked", "done", "cancelled", "overdue", "percent_done")
DUE_SOON_DAYS = 7
UNASSIGNED = "(unassigned)"


def status_counts(tasks: Iterable[Task], today: dt.date) -> dict[str, Any]:
    """The COUNTS dict shared by `status --format json` and every group of the report."""
    counts: dict[str, Any] = {k: 0 for k in COUNT_KEYS}
    for task in tasks:
        counts["total"] += 1
        status = task.status if isinstance(task.status, Status) else Status(task.status)
        counts[status.value] += 1
        if task.is_overdue(today):
            counts["overdue"] += 1
    counts["percent_done"] = percent(counts["done"], counts["total"] - counts["cancelled"])
    return counts


def percent(part: float, whole: float) -> float:
    """part/whole as a percentage with one decimal; 0.0 when the whole is empty."""
    if whole <= 0:
        return 0.0
    return round(part * 100.0 / whole, 1)


def build_report(
    tasks: Sequence[Task],
    *,
    today: dt.date,
    instance: str,
    template: str | None = None,
    plan: ReportPlan | None = None,
    extra_deps: Iterable[tuple[str, str]] = (),
    stale: Mapping[str, dt.datetime | None] | None = None,
    calendar: Calendar | None = None,
    generated_at: dt.datetime | None = None,
    departments: Sequence[str] = (),
    warnings: Sequence[str] = (),
    past: Past | None = None,
) -> Report:
    """One report over every tool's tasks: counts, lists, schedule, critical path, contributions, health.

    `departments` are known beyond the plan's (a tracked container with no task yet); `warnings` say what
    could not be read; `past` (History.past) gives the burn-up, trends and changes. The report is whole
    when returned: nothing is attached to it later.
    """
    stale = dict(stale or {})
    calendar = calendar or Calendar()
    specs = {spec.key: spec for spec in plan.tasks} if plan else {}
    lines, plans = line_columns(tasks, specs, today, stale)  # each line's plan task looked up once, kept by position
    index = DependencyIndex(lines)
    own_of, deps, notes = index.links(lines, tasks, plans, extra_deps)
    # one pass in numbered business days: each open line's waiting_on, projected finish, lateness and blame
    plan_ahead = project(lines, tasks, plans, own_of, index.by_id, today, BusinessDays(calendar))
    finish, path, length = plan_ahead.finish, plan_ahead.path, plan_ahead.length
    notes += plan_ahead.warnings
    for step in path:
        step.task.critical = True

    tally = Tally(lines)
    names = _department_names(tally.by_department, plan, departments, stale)
    members_of = [tally.by_department.get(name, []) for name in names]
    # the departments hold every line once: the overall schedule is theirs added up; one tool's is the overall one
    by_name, whole = group_schedules(members_of, lines, finish, today)
    schedules = dict(zip(names, by_name, strict=True))
    one_tool = len(tally.by_provider) == 1

    def group(name: str, kind: str, members: Sequence[TaskLine], combos: Counter[Combo]) -> Group:
        weight_total, weight_done = tally.weights(combos, members)
        if kind == "department":
            schedule = schedules[name]
        elif kind == "overall" or one_tool:
            schedule = replace(whole)
        else:
            schedule = group_schedule(members, finish, today)
        return Group(
            name=name,
            kind=kind,
            counts=counts_of(combos, percent),
            weight_total=weight_total,
            weight_done=weight_done,
            percent_done_estimate=percent(weight_done, weight_total),
            schedule=schedule,
        )

    lateness = late_digest(lines)  # the late lines, counted by what health and the summary read of them

    def judge(target: Group, late: Mapping[LateKey, list[int]], **kw: Any) -> None:
        target.health, target.reasons = health_of(target.counts, target.schedule, late, **kw)
        target.waits_on = sorted({because for _d, _p, because, *_ in late if because})
        own = target.health != "green" and not (target.waits_on and all(waiting_reason(r) for r in target.reasons))
        target.cause = "" if target.health == "green" else ("own" if own else "waiting")

    groups: list[Group] = []
    for name, members in zip(names, members_of, strict=True):
        combos = tally.counts(department=name)
        dept = group(name, "department", members, combos)
        dept.providers = sorted({provider for _d, provider, *_ in combos})
        if name in stale:
            dept.stale, dept.stale_since = True, stale[name]
        judge(dept, {k: n for k, n in lateness.items() if k[0] == name}, stale=dept.stale, since=dept.stale_since)
        groups.append(dept)
    providers = []
    for name, members in tally.by_provider.items():
        combos = tally.counts(provider=name)
        tool = group(name, "provider", members, combos)
        stale_depts = sorted({department for department, *_ in combos if department in stale})
        tool.stale = bool(stale_depts)
        judge(
            tool,
            {k: n for k, n in lateness.items() if k[1] == name},
            stale=tool.stale,
            since=min((s for d in stale_depts if (s := stale[d])), default=None),
        )
        providers.append(tool)
    overall = group(instance, "overall", lines, tally.combos)
    overall.providers = [p.name for p in providers]
    overall.health, overall.reasons = health_of(overall.counts, overall.schedule, lateness)
    overall_floor(overall, groups)

    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    waiting = [line for line in lines if line.waiting_on]
    assignees, per_department = contributions(lines, deps, index.by_id, UNASSIGNED)
    overdue, due_soon, blocked, waiting_list = due_lists(lines, waiting, overall.counts, today, soon)
    report = Report(
        instance=instance,
        template=template if template is not None else (plan.template if plan else None),
        today=today,
        generated_at=generated_at,
        overall=overall,
        departments=groups,
        providers=providers,
        tasks=lines,
        overdue=overdue,
        due_soon=due_soon,
        blocked=blocked,
        waiting=waiting_list,
        critical_path=path,
        critical_path_days=length,
        plan_curve=_plan_curve(lines),
        assignees=assignees,
        contributions=per_department,
        stale_departments=[d.name for d in groups if d.stale],
        warnings=notes + list(warnings),
        summary=summary_sentence(overall, groups, lateness),
        handoffs=handoffs(waiting, index.by_id),
        phases=phases(plan, lines),
    )
    report.share_task_index(index.by_id)
    if past is not None:
        report.history, report.changes, report.trends = looking_back(report, list(tasks), past)
    return report


def _department_names(
    claimed: Mapping[str, object], plan: ReportPlan | None, departments: Sequence[str], stale: Iterable[str]
) -> list[str]:
    """by_department's names in its order, from the departments the lines already carry (no second pass)."""
    names = plan.departments if plan else ()
    return list(dict.fromkeys((*names, *departments, *claimed, *stale)))


def department_of(task: Task, spec: PlanTask | None = None) -> str:
    """The department a task is counted in: its own, else its plan's, else NO_DEPARTMENT."""
    return task.department or (spec.department if spec else None) or NO_DEPARTMENT


def by_department(
    tasks: Iterable[Task],
    *,
    plan: ReportPlan | PlanOutline | None = None,
    departments: Iterable[str] = (),
    stale: Iterable[str] = (),
) -> dict[str, list[Task]]:
    """The report's departments in its order (the plan's, then `departments`, then those only the tools or the
    stale list know), each with its tasks; `status` counts these (counts_by_department), so both agree on every task."""
    names, of = _plan_departments(plan)
    groups: dict[str, list[Task]] = {name: [] for name in (*names, *departments)}
    for task in tasks:
        groups.setdefault(task.department or of(task.key) or NO_DEPARTMENT, []).append(task)
    for name in stale:
        groups.setdefault(name, [])
    return groups


def counts_by_department(
    tasks: Iterable[Task],
    today: dt.date,
    *,
    plan: ReportPlan | PlanOutline | None = None,
    departments: Iterable[str] = (),
    stale: Iterable[str] = (),
) -> tuple[dict[str, dict[str, Any]], dict[str, set[str]], dict[str, Any]]:
    """status_counts of each group of by_department, each group's tools and the overall counts, in one pass over
    the tasks (status of 100,000 tasks counted them eight times over)."""
    names, of = _plan_departments(plan)
    counts: dict[str, dict[str, Any]] = {name: dict.fromkeys(COUNT_KEYS, 0) for name in (*names, *departments)}
    tools: dict[str, set[str]] = {name: set() for name in counts}
    closed = frozenset(s for s in Status if s.closed)
    tasks = list(tasks)
    # few distinct (department, status, due, tool) among many tasks: counted at C speed, then each looked at once
    rows: Iterable[tuple[tuple[Any, Any, Any, Any], int]] = Counter(map(_fields, tasks)).items()
    if not all(name for (name, *_), _n in rows):  # some take the plan's department: by task, in the tasks' order
        rows = (((t.department or of(t.key) or NO_DEPARTMENT, t.status, t.due, t.provider), 1) for t in tasks)
    for (name, status, due, provider), n in rows:
        group = counts.get(name)
        if group is None:
            group = counts[name] = dict.fromkeys(COUNT_KEYS, 0)
            tools[name] = set()
        status = status if isinstance(status, Status) else Status(status)
        group["total"] += n
        group[status] += n  # a StrEnum finds its value's key
        if due is not None and due < today and status not in closed:  # Task.is_overdue
            group["overdue"] += n
        tools[name].add(provider or "unknown")
    for name in stale:
        if name not in counts:
            counts[name], tools[name] = dict.fromkeys(COUNT_KEYS, 0), set()
    overall = {k: sum(group[k] for group in counts.values()) for k in COUNT_KEYS}
    for group in (*counts.values(), overall):
        group["percent_done"] = percent(group["done"], group["total"] - group["cancelled"])
    return counts, tools, overall


_fields = attrgetter("department", "status", "due", "provider")


def _plan_departments(
    plan: ReportPlan | PlanOutline | None,
) -> tuple[tuple[str, ...], Callable[[str | None], str | None]]:
    """The plan's departments and a task key's department (department_of's fallback), from a plan or outline."""
    if plan is None:
        return (), lambda key: None
    if isinstance(plan, PlanOutline):
        return plan.departments, plan.department
    specs = {spec.key: spec.department for spec in plan.tasks}
    return plan.departments, lambda key: specs.get(key or "")


def _plan_curve(lines: Sequence[TaskLine]) -> list[dict[str, Any]]:
    """Cumulative planned weight per planned due date (the plan line of the burn-up).

    Counted per distinct (status, planned due, weight) at C speed when the sums are exact in any order
    (rollup_groups.exact_sums): the very floats the line-by-line sums give; else line by line, in the lines' order."""
    rows = Counter(map(_curve_row, lines))
    per_day: dict[dt.date, float] = {}
    if exact_sums((weight, n) for (_, _, weight), n in rows.items()):
        total = 0.0
        for (status, due, weight), n in rows.items():
            if status != "cancelled" and due:
                total += weight * n
                per_day[due] = per_day.get(due, 0.0) + weight * n
    else:
        live = [line for line in lines if line.status != "cancelled" and line.planned_due]
        total = sum(line.weight for line in live)
        for line in live:
            assert line.planned_due is not None
            per_day[line.planned_due] = per_day.get(line.planned_due, 0.0) + line.weight
    points, running = [], 0.0
    for day in sorted(per_day):
        running += per_day[day]
        points.append({"date": day, "planned_weight": running, "planned_share": percent(running, total)})
    return points


_curve_row = attrgetter("status", "planned_due", "weight")
