"""What a director reads first: one summary sentence and who waits on whom (pure, from the rollup)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from collabsync.plan_columns import PlanTask, ReportPlan
from collabsync.report.rollup_model import Contribution, Group, Handoff, Milestone, Phase, Share, TaskLine

__all__ = ["handoffs", "summary_sentence", "trouble", "waiting_reason", "contributions", "phases", "WAITING_MARK"]

#: Marks a reason (such as being behind plan) that another department's late work explains.
WAITING_MARK = "(waiting on"


def waiting_reason(reason: str) -> bool:
    """A reason caused by another department's late work, not the group's own."""
    return reason.startswith("waits on ") or WAITING_MARK in reason


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


def trouble(group: Group, lines: Sequence[TaskLine]) -> str:
    """A department's own problem in a few words: late, overdue, blocked or stale."""
    own = [line for line in lines if line.department == group.name and line.late_days and not line.late_because]
    parts = []
    if own:
        worst = max(line.late_days for line in own)
        parts.append(f"{_n(len(own), 'task')} late (up to {_n(worst, 'business day')})")
    blocked = group.counts.get("blocked", 0)
    if blocked:
        parts.append(f"{_n(blocked, 'task')} blocked")
    if group.stale:
        parts.append("tool not answering")
    if not parts:
        parts += [r for r in group.reasons if not waiting_reason(r)][:1]
    return ", ".join(parts)


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


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _and(names: Sequence[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


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


def phases(plan: ReportPlan | None, lines: Sequence[TaskLine]) -> list[Phase]:
    """The plan's sections in order, each with its planned dates, progress, projected end and milestones."""
    if plan is None or not plan.sections:
        return []
    by_key = {line.key: line for line in lines if line.key}
    by_section: dict[str | None, list[PlanTask]] = {}
    for spec in plan.tasks:  # each section's tasks in plan order, found in one pass over the plan
        by_section.setdefault(spec.section, []).append(spec)
    out = []
    for section in plan.sections:
        phase = Phase(section.key, section.title)
        for spec in by_section.get(section.key, ()):
            line = by_key.get(spec.key)
            if line is None or line.status == "cancelled":
                continue
            phase.total += 1
            phase.done += line.status == "done"
            phase.late += line.late_days > 0
            if spec.start and (phase.start is None or spec.start < phase.start):
                phase.start = spec.start
            if spec.due and (phase.end is None or spec.due > phase.end):
                phase.end = spec.due
            if line.open:
                for day in (line.projected_finish, spec.due):
                    if day and (phase.projected_end is None or day > phase.projected_end):
                        phase.projected_end = day
            if spec.milestone:
                phase.milestones.append(Milestone(spec.key, line.title, spec.due, line.status, line.projected_finish))
        if phase.total:
            out.append(phase)
    return out
