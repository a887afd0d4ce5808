"""Reschedule: new variables (a slipped launch) recompute every date; open tasks move in every tool.

Done and cancelled tasks keep their dates; a date a person changed in the tool since our last write is
kept and listed unless forced. Writes are journaled (collabsync/stamping/written.py), so a run cut short resumes
and recognises its own writes; setting a date twice is harmless, so nothing is ever duplicated.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from collabsync.ledger import InstanceRecord, ObjectState
from collabsync.model import ProjectSpec, TaskChange
from collabsync.runtime import Workspace
from collabsync.stamping.tooltasks import IncompleteError, Step, apply_updates, hand_edited, read_stamped, template_file
from collabsync.stamping.written import WrittenLog

__all__ = ["Move", "ReschedulePlan", "plan_reschedule", "apply_reschedule", "keep_variables"]

_DATES = ("start", "due")


@dataclass(frozen=True)
class Move:
    """One open task whose dates change."""

    department: str
    change: TaskChange
    before: tuple[dt.date | None, dt.date | None]


@dataclass
class ReschedulePlan:
    """Everything a reschedule will do and will deliberately not do."""

    record: InstanceRecord
    spec: ProjectSpec  # the stamped plan with the new dates and variables, saved once every move is written
    moves: list[Move] = field(default_factory=list)
    closed_kept: list[str] = field(default_factory=list)
    hand_kept: dict[str, dict[str, tuple[Any, Any]]] = field(default_factory=dict)
    forced: dict[str, dict[str, tuple[Any, Any]]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    unread: dict[str, str] = field(default_factory=dict)
    adopt: list[TaskChange] = field(default_factory=list)  # written before a fault: journal only, no request

    @property
    def steps(self) -> int:
        """One per task to move."""
        return len(self.moves)

    def to_dict(self) -> dict[str, Any]:
        """JSON view for `reschedule --plan --format json`."""

        def pair(v: tuple[Any, Any]) -> list[str | None]:
            return [x.isoformat() if isinstance(x, dt.date) else x for x in v]

        return {
            "instance": self.record.name,
            "variables": self.spec.variables,
            "moves": [
                {
                    "key": m.change.key,
                    "department": m.department,
                    "from": pair(m.before),
                    "to": pair((m.change.start, m.change.due)),
                }
                for m in self.moves
            ],
            "kept_closed": self.closed_kept,
            "kept_hand_edited": {k: {f: pair(v) for f, v in d.items()} for k, d in self.hand_kept.items()},
            "forced": {k: {f: pair(v) for f, v in d.items()} for k, d in self.forced.items()},
            "missing": self.missing,
            "unread": self.unread,
            "steps": self.steps,
        }


def plan_reschedule(
    ws: Workspace,
    record: InstanceRecord,
    values: dict[str, str],
    *,
    force: bool = False,
    template_dirs: list[Path] | None = None,
) -> ReschedulePlan:
    """Render the template with the new values and compare with the tools (reads only, no write)."""
    assert record.spec is not None and record.template
    new = template_file(ws, record, template_dirs or []).render(record.name, {**record.variables, **values})
    log = WrittenLog(ws.ledger)
    log.seed(record.name, record.spec)
    written = log.of(record.name)
    target = {t.key: t for t in new.tasks}
    tasks = tuple(
        dataclasses.replace(t, start=target[t.key].start, due=target[t.key].due, title=target[t.key].title)
        if t.key in target
        else t
        for t in record.spec.tasks
    )
    plan = ReschedulePlan(record, dataclasses.replace(record.spec, tasks=tasks, variables=new.variables))
    now, plan.unread = read_stamped(ws, record.name)
    done = {k for k, r in ws.ledger.objects(record.name).items() if r.state == ObjectState.DONE and r.kind == "task"}
    for spec_task in record.spec.tasks:
        if spec_task.key not in done or spec_task.key not in target or spec_task.department in plan.unread:
            continue
        task = now.get(spec_task.key)
        if task is None:
            plan.missing.append(spec_task.key)
            continue
        if task.status.closed:
            plan.closed_kept.append(spec_task.key)
            continue
        edited = hand_edited(task, written.get(spec_task.key), _DATES)
        if edited and not force:
            plan.hand_kept[spec_task.key] = edited
            continue
        if edited:
            plan.forced[spec_task.key] = edited
        goal, mine = target[spec_task.key], written.get(spec_task.key)
        # a date moves when the plan's differs from both ours and the tool's (a tool may not keep a start date)
        moved = [
            n
            for n in _DATES
            if getattr(goal, n) is not None
            and getattr(goal, n) != getattr(task, n)
            and (mine is None or getattr(goal, n) != mine.value(n))
        ]
        fields: dict[str, Any] = {n: getattr(goal, n) for n in _DATES if moved and getattr(goal, n) is not None}
        if goal.title != task.title and "title" not in hand_edited(task, mine, ("title",)):
            fields["title"] = goal.title  # a title that names a date (a recurring task's) follows it
        if fields:
            plan.moves.append(
                Move(spec_task.department, TaskChange(spec_task.key, task.ref, **fields), (task.start, task.due))
            )
        elif mine is not None and mine.pending:  # our write landed but its reply was lost: adopt it
            plan.adopt.append(TaskChange(spec_task.key, task.ref, start=goal.start, due=goal.due))
    return plan


def apply_reschedule(plan: ReschedulePlan, ws: Workspace, step: Step | None = None) -> int:
    """Move the planned tasks; IncompleteError lists what is left (re-run resumes); returns tasks moved."""
    record = plan.record
    log = WrittenLog(ws.ledger)
    for change in plan.adopt:
        log.confirm(record.name, change)
    failures = apply_updates(
        ws, record.name, [(m.department, m.change) for m in plan.moves], step or (lambda n, what: None)
    )
    failures += [f"{dept}: not read, nothing moved there ({why})" for dept, why in plan.unread.items()]
    if failures:
        raise IncompleteError("reschedule", record.name, failures)
    keep_variables(plan, ws)
    return len(plan.moves)


def keep_variables(plan: ReschedulePlan, ws: Workspace) -> None:
    """The new variables and plan become the instance's, so the next reschedule or report starts from them."""
    record = plan.record
    ws.ledger.save_instance(
        record.name,
        template=record.template,
        source=record.source,
        variables=plan.spec.variables,
        spec=plan.spec,
        state=record.state,
    )
