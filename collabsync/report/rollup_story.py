"""What a director reads first: one summary sentence and who waits on whom (pure, from the rollup)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from operator import attrgetter
from typing import TYPE_CHECKING

from collabsync.plan_columns import PlanTask, ReportPlan

if TYPE_CHECKING:
    from collabsync.report.rollup_health import LateKey
from collabsync.report.rollup_model import Contribution, Group, Handoff, Milestone, Phase, Share, TaskLine

__all__ = ["handoffs", "summary_sentence", "trouble", "waiting_reason", "contributions", "phases", "WAITING_MARK"]

_CLOSED = ("done", "cancelled")

#: Marks a reason (such as being behind plan) that another department's late work explains.
WAITING_MARK = "(waiting on"


def waiting_reason(reason: str) -> bool:
    """A reason caused by another department's late work, not the group's own."""
    return reason.startswith("waits on ") or WAITING_MARK in reason


def handoffs(lines: Sequence[TaskLine], by_id: Mapping[str, TaskLine]) -> list[Handoff]:
    """Per pair of departments: open tasks of one waiting on open work of the other, and how late that makes them.

    `lines` need only hold those that wait (the rest count nothing); `by_id` finds every line by its report id."""
    table: dict[tuple[str, str], Handoff] = {}
    get = by_id.get
    for line in lines:
        waiting_on = line.waiting_on
        if not waiting_on or line.status in _CLOSED:  # TaskLine.open, without a property call per line
            continue
        department = line.department
        if len(waiting_on) == 1:  # the usual case: no sets
            other = get(waiting_on[0])
            if other is None or other.department == department:
                continue
            others: Iterable[str] = (other.department,)
        else:
            others = {by_id[i].department for i in waiting_on if i in by_id} - {department}
        for name in others:
            row = table.get((department, name))
            if row is None:
                row = table[(department, name)] = Handoff(department, name)
            row.tasks += 1
            if line.late_because:  # pushed late by others' work, through this hand-off or one further up
                row.late_tasks += 1
                row.worst_late_days = max(row.worst_late_days, line.late_days)
    return sorted(table.values(), key=lambda h: (-h.worst_late_days, -h.late_tasks, -h.tasks, h.waiting, h.on))


def trouble(group: Group, lines: Sequence[TaskLine]) -> str:
    """A department's own problem in a few words: late, overdue, blocked or stale."""
    own = [line for line in lines if line.department == group.name and line.late_days and not line.late_because]
    return _trouble(group, len(own), max((line.late_days for line in own), default=0))


def _trouble(group: Group, own: int, worst: int) -> str:
    """trouble() from the number of the department's own late tasks and the worst of them."""
    parts = []
    if own:
        parts.append(f"{_n(own, 'task')} late (up to {_n(worst, 'business day')})")
    blocked = group.counts.get("blocked", 0)
    if blocked:
        parts.append(f"{_n(blocked, 'task')} blocked")
    if group.stale:
        parts.append("tool not answering")
    if not parts:
        parts += [r for r in group.reasons if not waiting_reason(r)][:1]
    return ", ".join(parts)


def summary_sentence(overall: Group, departments: Sequence[Group], late: Mapping[LateKey, list[int]]) -> str:
    """Green: 'On track: ...'; amber: 'On track except engineering: 2 tasks late ...; finance waits on
    engineering (...)'; red: the same after 'Behind:'. Own trouble first, then who waits on whom. `late` is the
    late_digest of every line."""
    done, total = overall.counts["done"], overall.counts["total"] - overall.counts["cancelled"]
    progress = f"{done} of {total} tasks done"
    finish = overall.schedule.projected_finish
    if overall.health == "green":
        when = f", finishing {finish.isoformat()} as planned" if finish else ""
        return f"On track: every department's work fits its dates ({progress}{when})."
    own = [g for g in departments if g.health != "green" and g.cause == "own"]
    waiting = [g for g in departments if g.health != "green" and g.cause == "waiting"]
    own_late: dict[str, list[int]] = {}  # what trouble() looks at, per department: [tasks, worst late days]
    for (department, _p, because, _o), (n, days) in late.items():
        if not because:
            row = own_late.get(department)
            if row is None:
                row = own_late[department] = [0, days]
            row[0] += n
            row[1] = max(row[1], days)
    clauses = [f"{g.name}: {text}" for g in own if (text := _trouble(g, *own_late.get(g.name, (0, 0))))]
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


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _and(names: Sequence[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def contributions(
    lines: Sequence[TaskLine], deps: Mapping[str, Sequence[str]], by_id: Mapping[str, TaskLine], unassigned: str
) -> tuple[list[Contribution], list[Contribution]]:
    """Per assignee and per department: done and open work, the share done by its due date, and done work another
    department waited on. The counts come from one Counter over every line; only done lines are looked at one by one
    (their estimates add up in the lines' order, as they always did)."""
    tables: tuple[dict[str, Contribution], dict[str, Contribution]] = ({}, {})
    shares: tuple[dict[tuple[str, str, str], Share], dict[tuple[str, str, str], Share]] = ({}, {})
    for (assignee, department, provider, status), n in Counter(map(_who, lines)).items():
        for table, shared, name in ((tables[0], shares[0], assignee or unassigned), (tables[1], shares[1], department)):
            row = table.get(name)
            if row is None:
                row = table[name] = Contribution(name)
            share = shared.get((name, provider, department))
            if share is None:
                share = shared[(name, provider, department)] = Share(provider, department)
                row.by_tool.append(share)
            if status == "done":
                share.done += n
                row.done_tasks += n
            elif status != "cancelled":  # open
                share.open += n
                row.open_tasks += n
    done = [line for line in lines if line.status == "done"]
    needed_by_others = _needed_by_others(deps, by_id, done)
    dated: tuple[dict[str, int], dict[str, int]] = ({}, {})
    for line in done:
        due = line.planned_due or line.due
        on_time = line.done_on <= due if due and line.done_on else None
        for table, counted, name in (
            (tables[0], dated[0], line.assignee or unassigned),
            (tables[1], dated[1], line.department),
        ):
            row = table[name]
            row.done_estimate += line.weight
            row.done_for_others += line.id in needed_by_others
            if on_time is not None:
                counted[name] = counted.get(name, 0) + 1
                row.done_on_time += on_time
    out = []
    for table, counted in zip(tables, dated, strict=True):
        for name, count in counted.items():
            table[name].on_time_rate = round(table[name].done_on_time * 100.0 / count, 1)
        for row in table.values():
            row.by_tool.sort(key=_share_order)
        out.append(sorted(table.values(), key=lambda c: (-c.done_tasks, -c.done_estimate, c.name)))
    return out[0], out[1]


_who = attrgetter("assignee", "department", "provider", "status")
_share_order = attrgetter("department", "provider")


def _needed_by_others(
    deps: Mapping[str, Sequence[str]], by_id: Mapping[str, TaskLine], done: Sequence[TaskLine]
) -> set[str]:
    """The done lines' ids that a task of another department depends on."""
    done_ids = {line.id for line in done}
    needed: set[str] = set()
    if not done_ids:
        return needed
    for blocked, blockers in deps.items():
        if blockers and not done_ids.isdisjoint(blockers) and (waiting := by_id.get(blocked)) is not None:
            needed.update(b for b in blockers if b in done_ids and by_id[b].department != waiting.department)
    return needed


def phases(plan: ReportPlan | None, lines: Sequence[TaskLine]) -> list[Phase]:
    """The plan's sections in order, each with its planned dates, progress, projected end and milestones."""
    if plan is None or not plan.sections:
        return []
    by_key = {line.key: line for line in lines if line.key}
    by_section: dict[str | None, list[PlanTask]] = {}
    for spec in plan.tasks:  # each section's tasks in plan order, found in one pass over the plan
        by_section.setdefault(spec.section, []).append(spec)
    out = []
    get = by_key.get
    for section in plan.sections:
        phase = Phase(section.key, section.title)
        total = done = late = 0
        start = end = projected_end = None
        for spec in by_section.get(section.key, ()):
            line = get(spec.key)
            if line is None:
                continue
            status = line.status
            if status == "cancelled":
                continue
            total += 1
            if line.late_days > 0:
                late += 1
            if spec.start and (start is None or spec.start < start):
                start = spec.start
            due = spec.due
            if due and (end is None or due > end):
                end = due
            if status == "done":
                done += 1
            else:  # open
                for day in (line.projected_finish, due):
                    if day and (projected_end is None or day > projected_end):
                        projected_end = day
            if spec.milestone:
                phase.milestones.append(Milestone(spec.key, line.title, due, status, line.projected_finish))
        phase.total, phase.done, phase.late = total, done, late
        phase.start, phase.end, phase.projected_end = start, end, projected_end
        if phase.total:
            out.append(phase)
    return out
