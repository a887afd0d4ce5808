"""Tracking work that already exists (not stamped): add a tool's project to an instance's rollup."""

from __future__ import annotations

from dataclasses import replace

from collabsync.errors import ConfigError
from collabsync.ledger import InstanceState
from collabsync.model import UNMAPPED, Container, DepartmentMap, TrackedSource
from collabsync.runtime import Workspace

__all__ = ["DepartmentMap", "track", "untrack", "UNMAPPED", "MAP_FIELDS"]

#: Task fields a mapping can key on: labels (Jira labels, Trello labels, Asana tags) or the
#: section (Jira component, Trello list, Asana section).
MAP_FIELDS = ("label", "section")


def track(
    ws: Workspace,
    instance: str,
    source: str,
    *,
    department: str | None,
    provider: str | None,
    mapping: DepartmentMap | None = None,
) -> tuple[str, Container]:
    """Resolve a source with its provider and record it under the instance (created if needed)."""
    if not department and not (mapping and mapping.values):
        raise ConfigError.single("track", "give --department, or --map-by with --map VALUE=DEPARTMENT")
    name = provider or (ws.route(department).provider if department else ws.config.default_provider)
    container = ws.provider(name).resolve_source(source)
    dmap = mapping or DepartmentMap()
    dmap.fallback = department or UNMAPPED
    ledger = ws.ledger
    if ledger.instance(instance) is None:
        ledger.save_instance(instance, template=None, source=None, variables={}, spec=None, state=InstanceState.TRACKED)
    tracked = replace(container, created=False, tracked=TrackedSource(source, dmap))
    ledger.save_container(instance, dmap.fallback, name, tracked)
    return name, tracked


def untrack(ws: Workspace, instance: str, source: str) -> int:
    """Forget a tracked source (matched by what was given, its id or URL); the tool is untouched."""
    removed = 0
    for dept, _provider, container in ws.ledger.containers(instance):
        if container.tracked is None:
            continue
        if source in (container.tracked.source, container.ref, container.url, container.name):
            removed += ws.ledger.remove_container(instance, dept, container.ref)
    if not removed:
        raise ConfigError.single("untrack", f"{source!r} is not tracked in {instance!r}")
    return removed
