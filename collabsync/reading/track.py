"""Tracking work that already exists (not stamped): add a tool's project to an instance's rollup."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from collabsync.errors import ConfigError
from collabsync.model import Container, Task
from collabsync.runtime import Workspace

__all__ = ["DepartmentMap", "track", "untrack", "UNMAPPED", "MAP_FIELDS"]

#: Department of a task no mapping matched, when no --department fallback was given.
UNMAPPED = "unmapped"
#: Task fields a mapping can key on: labels (Jira labels, Trello labels, Asana tags) or the
#: section (Jira component, Trello list, Asana section).
MAP_FIELDS = ("label", "section")


@dataclass
class DepartmentMap:
    """Per-task department from a label or section value; the fallback for the rest."""

    by: str | None = None
    values: dict[str, str] = field(default_factory=dict)
    fallback: str = UNMAPPED

    def department_of(self, task: Task) -> str:
        """The department a tracked task belongs to."""
        if self.by == "label":
            for label in task.labels:
                if label in self.values:
                    return self.values[label]
        elif self.by == "section" and task.section in self.values:
            return self.values[task.section]
        return self.fallback

    def to_dict(self) -> dict[str, Any]:
        """Stored in the container's ledger row."""
        return {"by": self.by, "values": dict(self.values), "fallback": self.fallback}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> DepartmentMap | None:
        """None for stamped containers."""
        return cls(data.get("by"), dict(data.get("values") or {}), data.get("fallback") or UNMAPPED) if data else None


def track(ws: Workspace, instance: str, source: str, *, department: str | None, provider: str | None,
          mapping: DepartmentMap | None = None) -> tuple[str, Container]:
    """Resolve a source with its provider and record it under the instance (created if needed)."""
    if not department and not (mapping and mapping.values):
        raise ConfigError.single("track", "give --department, or --map-by with --map VALUE=DEPARTMENT")
    name = provider or (ws.route(department).provider if department else ws.config.default_provider)
    container = ws.provider(name).resolve_source(source)
    dmap = mapping or DepartmentMap()
    dmap.fallback = department or UNMAPPED
    ledger = ws.ledger
    if ledger.instance(instance) is None:
        ledger.save_instance(instance, template=None, source=None, variables={}, spec=None, state="tracked")
    extra = {**container.extra, "source": source, "tracked": True, "department_map": dmap.to_dict()}
    tracked = Container(container.ref, container.name, container.url, extra)
    ledger.save_container(instance, dmap.fallback, name, tracked)
    return name, tracked


def untrack(ws: Workspace, instance: str, source: str) -> int:
    """Forget a tracked source (matched by what was given, its id or URL); the tool is untouched."""
    removed = 0
    for dept, _provider, container in ws.ledger.containers(instance):
        if not container.extra.get("tracked"):
            continue
        if source in (container.extra.get("source"), container.ref, container.url, container.name):
            removed += ws.ledger.remove_container(instance, dept, container.ref)
    if not removed:
        raise ConfigError.single("untrack", f"{source!r} is not tracked in {instance!r}")
    return removed
