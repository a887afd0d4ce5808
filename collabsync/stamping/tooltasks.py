"""What reschedule, upgrade, diff and archive share: an instance's stamped tasks as the tools hold them now,
hand edits told apart from our own writes, and journaled field updates grouped per container.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from collabsync.errors import CollabsyncError, ConfigError
from collabsync.ledger import InstanceRecord, InstanceState
from collabsync.model import Container, Task, TaskChange
from collabsync.runtime import Workspace
from collabsync.stamping.written import Written, WrittenLog

__all__ = [
    "IncompleteError",
    "Placed",
    "stamped_record",
    "template_file",
    "placements",
    "read_stamped",
    "hand_edited",
    "apply_updates",
    "Step",
]

#: Called with (steps done now, what is being done).
Step = Callable[[int, str], None]


class IncompleteError(CollabsyncError):
    """A day-two run ended with writes left undone; running it again resumes."""

    def __init__(self, verb: str, instance: str, failures: list[str]) -> None:
        self.failures = list(failures)
        head = f"{verb} of {instance!r} incomplete ({len(failures)} failed); run it again to resume"
        super().__init__(head + "".join(f"\n  {f}" for f in failures))


@dataclass(frozen=True)
class Placed:
    """Where one department's tasks of an instance live."""

    department: str
    provider: str
    container: Container

    @property
    def dest(self) -> tuple[str, str]:
        """Departments sharing a container share requests."""
        return self.provider, self.container.ref


def stamped_record(ws: Workspace, name: str, verb: str) -> InstanceRecord:
    """The instance as stamped from a template; a clear error for tracked, unknown or archived ones."""
    record = ws.ledger.instance(name)
    if record is None:
        known = ", ".join(r.name for r in ws.ledger.instances()) or "(none)"
        raise ConfigError.single("INSTANCE", f"no instance {name!r}; known: {known}")
    if record.spec is None or not record.template:
        raise ConfigError.single("INSTANCE", f"{name!r} tracks existing work; only stamped instances can be {verb}")
    if record.state == InstanceState.ARCHIVED and verb != "diffed":
        raise ConfigError.single("INSTANCE", f"{name!r} is archived; it stays readable but is no longer {verb}")
    return record


def template_file(ws: Workspace, record: InstanceRecord, dirs: list[Path]) -> Any:
    """The template the instance follows: the file it was last stamped or upgraded from, else its name."""
    from collabsync.templating.template import find_template

    stamped = WrittenLog(ws.ledger).template_of(record.name)
    ref = stamped["path"] if stamped and Path(stamped["path"]).is_file() else record.template or ""
    return find_template(ref, dirs)


def placements(ws: Workspace, instance: str) -> dict[str, Placed]:
    """Department -> where its tasks were stamped, from the ledger."""
    return {d: Placed(d, p, c) for d, p, c in ws.ledger.containers(instance)}


def read_stamped(ws: Workspace, instance: str) -> tuple[dict[str, Task], dict[str, str]]:
    """Template key -> the task as its tool holds it now (each container read once); department -> why unread."""
    keys: dict[tuple[str, str], str] = {
        (r.provider, r.ref): k for k, r in ws.ledger.objects(instance).items() if r.kind == "task" and r.ref
    }  # two tools may use the same ids
    found: dict[str, Task] = {}
    unread: dict[str, str] = {}
    seen: dict[tuple[str, str], list[str]] = {}
    places = placements(ws, instance)
    for placed in places.values():
        seen.setdefault(placed.dest, []).append(placed.department)
    for (provider, _), departments in seen.items():
        try:
            tasks = ws.provider(provider).read_tasks(places[departments[0]].container)
        except CollabsyncError as exc:
            for dept in departments:
                unread[dept] = str(exc)
            continue
        for task in tasks:
            key = keys.get((provider, task.ref))
            if key is not None:
                found[key] = task
    return found, unread


def hand_edited(task: Task, written: Written | None, names: tuple[str, ...]) -> dict[str, tuple[Any, Any]]:
    """Fields a person changed in the tool since our last write: name -> (what we wrote, what the tool holds).

    A value equal to a journaled pending target is our own write whose reply was lost, not a hand edit; a tool
    that reports no start date (Jira without a start field) is not taken as having cleared one.
    """
    if written is None:
        return {}
    out: dict[str, tuple[Any, Any]] = {}
    pending = written.pending or {}
    for name in names:
        now, ours = getattr(task, name), written.value(name)
        if name == "start" and now is None:
            continue
        shown = now.isoformat() if isinstance(now, dt.date) else now
        if now != ours and not (name in pending and pending[name] == shown):
            out[name] = (ours, now)
    return out


def apply_updates(ws: Workspace, instance: str, changes: list[tuple[str, TaskChange]], step: Step) -> list[str]:
    """Write (department, change) pairs, one update_tasks call per container; failures as lines, nothing raised."""
    log = WrittenLog(ws.ledger)
    places = placements(ws, instance)
    groups: dict[tuple[str, str], list[TaskChange]] = {}
    where: dict[tuple[str, str], Container] = {}
    for dept, change in changes:
        groups.setdefault(places[dept].dest, []).append(change)
        where[places[dept].dest] = places[dept].container
    failures: list[str] = []
    for dest, group in groups.items():
        provider_name, container = dest[0], where[dest]
        by_key = {c.key: c for c in group}
        log.mark_pending(instance, group)
        try:
            for outcome in ws.provider(provider_name).update_tasks(container, group):
                if outcome.error:
                    failures.append(f"{outcome.key} ({provider_name}): {outcome.error}")
                else:
                    log.confirm(instance, by_key[outcome.key])
                step(1, f"{provider_name}: {outcome.key}")
        except CollabsyncError as exc:
            failures.append(f"{provider_name}: {exc}")
    return failures
