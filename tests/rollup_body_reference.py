"""The rollup body as it was before the rollupbody work (issue 17): the reference the faster code is compared with.

Copied unchanged from collabsync/report/rollup.py, rollup_lines.py and rollup_story.py (commit e7eb625) except for
the imports; the schedule, health and phase parts are today's (they are not what is compared here).
"""
# ruff: noqa
# mypy: ignore-errors

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import attrgetter
from typing import Any

from collabsync.dates import Calendar
from collabsync.model import ProjectSpec, Status, Task, TaskSpec
from collabsync.report.history import Past, looking_back
from collabsync.report.rollup import (
    DUE_SOON_DAYS,
    NO_DEPARTMENT,
    UNASSIGNED,
    _plan_curve,
    by_department,
    percent,
    COUNT_KEYS,
)
from collabsync.report.rollup_health import health, overall_floor
from collabsync.report.rollup_model import Contribution, Group, Handoff, Report, Share, TaskLine
from collabsync.report.business_days import BusinessDays
from collabsync.report.rollup_forecast import forecast
from collabsync.report.rollup_schedule import DependencyIndex, group_schedule
from collabsync.report.rollup_story import _and, _n, phases, trouble, waiting_reason


def build_report(
    tasks: Sequence[Task],
    *,
    today: dt.date,
    instance: str,
    template: str | None = None,
    plan: ProjectSpec | None = None,
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
    pairs = task_lines(tasks, specs, today, stale)
    lines = [line for line, _ in pairs]
    index = DependencyIndex(lines)
    deps, notes = index.edges(pairs, specs, extra_deps)
    plan_ahead = forecast(pairs, specs, deps, today, BusinessDays(calendar))
    finish, path, length = plan_ahead.finish, plan_ahead.path, plan_ahead.length
    notes += plan_ahead.warnings
    for step in path:
        step.task.critical = True

    def group(name: str, kind: str, members: list[tuple[TaskLine, Task]]) -> Group:
        return _group(name, kind, members, finish, today)

    def judge(target: Group, members: Sequence[TaskLine], **kw: Any) -> None:
        target.health, target.reasons = health(
            target.counts, target.schedule, late=[m for m in members if m.late_days], **kw
        )
        target.waits_on = sorted({m.late_because for m in members if m.late_because})
        own = target.health != "green" and not (target.waits_on and all(waiting_reason(r) for r in target.reasons))
        target.cause = "" if target.health == "green" else ("own" if own else "waiting")

    groups: list[Group] = []
    claimed: dict[str, list[tuple[TaskLine, Task]]] = {}
    for line, task in pairs:  # line.department is department_of(task), as by_department sorts them
        claimed.setdefault(line.department, []).append((line, task))
    for name in by_department(tasks, plan=plan, departments=departments, stale=stale):
        members = claimed.get(name, [])
        dept = group(name, "department", members)
        dept.providers = sorted({line.provider for line, _ in members})
        if name in stale:
            dept.stale, dept.stale_since = True, stale[name]
        judge(dept, [line for line, _ in members], stale=dept.stale, since=dept.stale_since)
        groups.append(dept)
    providers = []
    for name in dict.fromkeys(line.provider for line in lines):
        tool = group(name, "provider", [(line, t) for line, t in pairs if line.provider == name])
        stale_depts = sorted({line.department for line in lines if line.provider == name and line.department in stale})
        tool.stale = bool(stale_depts)
        judge(
            tool,
            [line for line in lines if line.provider == name],
            stale=tool.stale,
            since=min((s for d in stale_depts if (s := stale[d])), default=None),
        )
        providers.append(tool)
    overall = group(instance, "overall", pairs)
    overall.providers = [p.name for p in providers]
    overall.health, overall.reasons = health(
        overall.counts, overall.schedule, late=[line for line in lines if line.late_days]
    )
    overall_floor(overall, groups)

    soon = today + dt.timedelta(days=DUE_SOON_DAYS)

    def by_due(line: TaskLine) -> tuple[dt.date, str, str]:
        return (line.due or dt.date.max, line.department, line.title)

    report = Report(
        instance=instance,
        template=template if template is not None else (plan.template if plan else None),
        today=today,
        generated_at=generated_at,
        overall=overall,
        departments=groups,
        providers=providers,
        tasks=lines,
        overdue=sorted((line for line in lines if line.overdue), key=by_due),
        due_soon=sorted((line for line in lines if line.open and line.due and today <= line.due < soon), key=by_due),
        blocked=sorted((line for line in lines if line.status == Status.BLOCKED.value), key=by_due),
        waiting=sorted((line for line in lines if line.waiting_on), key=by_due),
        critical_path=path,
        critical_path_days=length,
        plan_curve=_plan_curve(lines),
        assignees=contributions(lines, deps, lambda line: line.assignee or UNASSIGNED),
        contributions=contributions(lines, deps, lambda line: line.department),
        stale_departments=[d.name for d in groups if d.stale],
        warnings=notes + list(warnings),
        summary=summary_sentence(overall, groups, lines),
        handoffs=handoffs(lines),
        phases=phases(plan, lines),
    )
    if past is not None:
        report.history, report.changes, report.trends = looking_back(report, list(tasks), past)
    return report


def _group(
    name: str, kind: str, members: Sequence[tuple[TaskLine, Task]], finish: Mapping[str, dt.date], today: dt.date
) -> Group:
    lines = [line for line, _ in members]
    live = [line for line in lines if line.status != "cancelled"]
    weight_total = sum(line.weight for line in live)
    weight_done = sum(line.weight for line in live if line.status == "done")
    return Group(
        name=name,
        kind=kind,
        counts=_line_counts(lines),
        weight_total=weight_total,
        weight_done=weight_done,
        percent_done_estimate=percent(weight_done, weight_total),
        schedule=group_schedule(lines, finish, today),
    )


def _line_counts(lines: Sequence[TaskLine]) -> dict[str, Any]:
    """status_counts from the lines (status and overdue are worked out once per task in task_lines, not per group)."""
    counts: dict[str, Any] = dict.fromkeys(COUNT_KEYS, 0)
    counts["total"] = len(lines)
    for status, n in Counter(map(_line_status, lines)).items():
        counts[status] += n
    counts["overdue"] = sum(map(_line_overdue, lines))
    counts["percent_done"] = percent(counts["done"], counts["total"] - counts["cancelled"])
    return counts


_line_status, _line_overdue = attrgetter("status"), attrgetter("overdue")


def task_lines(
    tasks: Sequence[Task], specs: Mapping[str, TaskSpec], today: dt.date, stale: Mapping[str, Any]
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


def contributions(
    lines: Sequence[TaskLine], deps: Mapping[str, Sequence[str]], key: Callable[[TaskLine], str]
) -> list[Contribution]:
    """Per name: done and open work, the share done by its due date, and done work another department waited on."""
    by_id = {line.id: line for line in lines}
    needed_by_others: set[str] = set()
    for blocked, blockers in deps.items():
        if blockers and (waiting := by_id.get(blocked)) is not None:
            needed_by_others.update(
                b for b in blockers if (other := by_id.get(b)) is not None and other.department != waiting.department
            )
    table: dict[str, Contribution] = {}
    dated: dict[str, int] = {}
    shares: dict[tuple[str, str, str], Share] = {}
    for line in lines:
        name, status = key(line), line.status
        row = table.get(name)
        if row is None:
            row = table[name] = Contribution(name)
        share = shares.get((name, line.provider, line.department))
        if share is None:
            share = shares[(name, line.provider, line.department)] = Share(line.provider, line.department)
            row.by_tool.append(share)
        if status == "done":
            share.done += 1
            row.done_tasks += 1
            row.done_estimate += line.weight
            row.done_for_others += line.id in needed_by_others
            due = line.planned_due or line.due
            if due and line.done_on:
                dated[name] = dated.get(name, 0) + 1
                row.done_on_time += line.done_on <= due
        elif status != "cancelled":  # open
            share.open += 1
            row.open_tasks += 1
    for name, count in dated.items():
        table[name].on_time_rate = round(table[name].done_on_time * 100.0 / count, 1)
    for row in table.values():
        row.by_tool.sort(key=lambda s: (s.department, s.provider))
    return sorted(table.values(), key=lambda c: (-c.done_tasks, -c.done_estimate, c.name))


def handoffs(lines: Sequence[TaskLine]) -> list[Handoff]:
    """Per pair of departments: open tasks of one waiting on open work of the other, and how late that makes them."""
    by_id = {line.id: line for line in lines}
    table: dict[tuple[str, str], Handoff] = {}
    for line in lines:
        if not line.waiting_on or not line.open:
            continue
        for other in {by_id[i].department for i in line.waiting_on if i in by_id} - {line.department}:
            row = table.setdefault((line.department, other), Handoff(line.department, other))
            row.tasks += 1
            if line.late_because:  # pushed late by others' work, through this hand-off or one further up
                row.late_tasks += 1
                row.worst_late_days = max(row.worst_late_days, line.late_days)
    return sorted(table.values(), key=lambda h: (-h.worst_late_days, -h.late_tasks, -h.tasks, h.waiting, h.on))


def summary_sentence(overall: Group, departments: Sequence[Group], lines: Sequence[TaskLine]) -> str:
    """Green: 'On track: ...'; amber: 'On track except engineering: 2 tasks late ...; finance waits on
    engineering (...)'; red: the same after 'Behind:'. Own trouble first, then who waits on whom."""
    done, total = overall.counts["done"], overall.counts["total"] - overall.counts["cancelled"]
    progress = f"{done} of {total} tasks done"
    finish = overall.schedule.projected_finish
    if overall.health == "green":
        when = f", finishing {finish.isoformat()} as planned" if finish else ""
        return f"On track: every department's work fits its dates ({progress}{when})."
    own = [g for g in departments if g.health != "green" and g.cause == "own"]
    waiting = [g for g in departments if g.health != "green" and g.cause == "waiting"]
    own_late = [line for line in lines if line.late_days and not line.late_because]  # what trouble() looks at
    clauses = [f"{g.name}: {text}" for g in own if (text := trouble(g, own_late))]
    waits: dict[tuple[str, ...], list[str]] = {}
    for g in [*waiting, *own]:
        if g.waits_on:
            waits.setdefault(tuple(g.waits_on), []).append(g.name)
    clauses += [f"{_and(names)} wait{'s' if len(names) == 1 else ''} on {_and(on)}" for on, names in waits.items()]
    if not clauses:
        clauses = overall.reasons[:1]
    if overall.health == "red":
        return "Behind: " + "; ".join(clauses) + f" ({progress})."
    return "On track except " + "; ".join(clauses) + f" ({progress})."
