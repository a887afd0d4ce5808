"""Template upgrades: `stamp` of a changed template (or new variables) onto an existing instance.

New tasks are created by the stamp itself (collabsync/stamping/stamp.py); this module plans and writes what the stamp
does not: titles and dates changed in place (a field a person edited in the tool is kept and listed), tasks no
longer in the template listed, and with --prune cancelled in their tools. Updates are journaled like reschedule's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from collabsync.errors import CollabsyncError
from collabsync.ledger import InstanceRecord, InstanceState, ObjectState
from collabsync.model import ProjectSpec, Status, TaskChange
from collabsync.runtime import Workspace
from collabsync.stamping.tooltasks import IncompleteError, Step, apply_updates, hand_edited, placements, read_stamped
from collabsync.stamping.written import WrittenLog

__all__ = ["UpgradePlan", "upgrade_for", "plan_upgrade", "apply_upgrade"]

_FIELDS = ("title", "start", "due")


@dataclass
class UpgradePlan:
    """The difference between the stamped plan and the template as rendered now."""

    record: InstanceRecord
    spec: ProjectSpec
    new: list[str] = field(default_factory=list)
    updates: list[tuple[str, TaskChange]] = field(default_factory=list)
    hand_kept: dict[str, dict[str, tuple[Any, Any]]] = field(default_factory=dict)
    unchanged_elsewhere: dict[str, list[str]] = field(default_factory=dict)  # notes/dependency changes, listed
    removed: list[str] = field(default_factory=list)
    prune: bool = False
    unread: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """Nothing to write and nothing to list."""
        return not (
            self.new or self.updates or self.hand_kept or self.unchanged_elsewhere or self.removed or self.unread
        )

    @property
    def steps(self) -> int:
        """Updates plus tasks to cancel (creations are counted by the stamp's own plan)."""
        return len(self.updates) + (len(self.removed) if self.prune else 0)

    def to_dict(self) -> dict[str, Any]:
        """JSON view, included in `stamp --plan --format json` as `upgrade`."""
        return {
            "new": self.new,
            "updates": [
                {"key": c.key, "department": d, "fields": {k: str(v) for k, v in c.fields().items()}}
                for d, c in self.updates
            ],
            "kept_hand_edited": {k: list(v) for k, v in self.hand_kept.items()},
            "listed_only": self.unchanged_elsewhere,
            "removed": self.removed,
            "prune": self.prune,
            "unread": self.unread,
        }

    def lines(self) -> list[str]:
        """The plan as text, under the stamp's own table."""
        out = [
            f"Upgrade of {self.record.name}: {len(self.new)} new, {len(self.updates)} to update, "
            f"{len(self.removed)} no longer in the template"
        ]
        out += [
            f"  update {d}/{c.key}: " + ", ".join(f"{k} -> {v}" for k, v in c.fields().items()) for d, c in self.updates
        ]
        out += [f"  keep   {k}: {', '.join(v)} edited in the tool" for k, v in self.hand_kept.items()]
        out += [
            f"  note   {k}: {', '.join(v)} changed in the template (not rewritten)"
            for k, v in self.unchanged_elsewhere.items()
        ]
        verb = "cancel" if self.prune else "left  "
        out += [
            f"  {verb} {k}: no longer in the template" + ("" if self.prune else " (--prune cancels it)")
            for k in self.removed
        ]
        out += [f"  error  {d}: not read ({why})" for d, why in self.unread.items()]
        return out


def upgrade_for(ws: Workspace, existing: InstanceRecord | None, spec: ProjectSpec, prune: bool) -> UpgradePlan | None:
    """`stamp`'s upgrade plan: None for a new instance or one whose recorded plan is this render (and no --prune)."""
    from collabsync.errors import ConfigError
    from collabsync.ledger_rows import spec_to_json

    if not existing or not existing.spec or (spec_to_json(existing.spec) == spec_to_json(spec) and not prune):
        return None
    if existing.state in (InstanceState.ARCHIVED, InstanceState.ARCHIVING):
        raise ConfigError.single(
            "--name",
            f"instance {existing.name!r} is archived; it stays readable but is not upgraded; stamp a new --name",
        )
    plan = plan_upgrade(ws, existing, spec, prune=prune)
    return None if plan.empty else plan


def plan_upgrade(ws: Workspace, record: InstanceRecord, spec: ProjectSpec, *, prune: bool = False) -> UpgradePlan:
    """Compare the recorded plan with the new render, and the tools with what was written (reads only)."""
    assert record.spec is not None
    old = {t.key: t for t in record.spec.tasks}
    log = WrittenLog(ws.ledger)
    log.seed(record.name, record.spec)
    written = log.of(record.name)
    plan = UpgradePlan(record, spec, prune=prune)
    done = [k for k, r in ws.ledger.objects(record.name).items() if r.state == ObjectState.DONE and r.kind == "task"]
    now, plan.unread = read_stamped(ws, record.name)
    keys = {t.key for t in spec.tasks}
    plan.new = [t.key for t in spec.tasks if t.key not in old]
    # dropped from the template at this or an earlier upgrade, and still open in its tool
    plan.removed = [k for k in done if k not in keys and k in now and now[k].status is not Status.CANCELLED]
    for t in spec.tasks:
        before = old.get(t.key)
        if before is None or t.key not in done or t.department in plan.unread:
            continue
        listed = [
            n for n in ("notes", "depends_on", "labels", "department", "section") if getattr(before, n) != getattr(t, n)
        ]
        if listed:
            plan.unchanged_elsewhere[t.key] = listed
        changed = [n for n in _FIELDS if getattr(before, n) != getattr(t, n) and getattr(t, n) is not None]
        task = now.get(t.key)
        if not changed or task is None:
            continue
        if task.status.closed:
            changed = [n for n in changed if n == "title"]  # finished work keeps its dates
        edited = hand_edited(task, written.get(t.key), tuple(changed))
        if edited:
            plan.hand_kept[t.key] = {n: v for n, v in edited.items()}
        fields = {n: getattr(t, n) for n in changed if n not in edited and getattr(task, n) != getattr(t, n)}
        if fields:
            plan.updates.append((t.department, TaskChange(t.key, task.ref, **fields)))
    return plan


def apply_upgrade(plan: UpgradePlan, ws: Workspace, step: Step | None = None) -> int:
    """Write the updates (and cancellations with --prune) before the stamp creates new tasks; returns writes done."""
    step = step or (lambda n, what: None)
    name = plan.record.name
    failures = apply_updates(ws, name, plan.updates, step)
    if plan.prune:
        failures += _cancel(ws, name, plan.removed, step)
    failures += [f"{dept}: not read, nothing updated there ({why})" for dept, why in plan.unread.items()]
    if failures:
        raise IncompleteError("upgrade", name, failures)
    return plan.steps


def _cancel(ws: Workspace, instance: str, keys: list[str], step: Step) -> list[str]:
    """Cancel tasks the template dropped (a repeated cancel changes nothing, so a resumed run is safe)."""
    objects, places, failures = ws.ledger.objects(instance), placements(ws, instance), []
    for key in keys:
        rec = objects[key]
        try:
            ws.provider(rec.provider).set_status(places[rec.department].container, str(rec.ref), Status.CANCELLED)
        except CollabsyncError as exc:
            failures.append(f"{key} ({rec.provider}): {exc}")
            continue
        step(1, f"{rec.provider}: {key} cancelled")
    return failures
