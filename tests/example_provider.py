"""A minimal third-party provider (tasks in one JSON file) that passes the conformance kit.

The smallest adapter worth copying: every write is one atomic file replace, containers and tasks
carry collabsync's marker so `find_marked` can rebuild a lost ledger, sections are found by title
and a repeated dependency is ignored, so a stamp is exactly once. See docs/writing-a-provider.md.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from collabsync.errors import NotFoundError
from collabsync.model import (
    Container,
    Created,
    Linked,
    NewTask,
    SectionSpec,
    Status,
    Task,
    insert_above_marker,
    marker,
    parse_marker,
    with_marker,
)
from collabsync.providers.base import Capability, Provider, ProviderContext


class JsonFileProvider(Provider):
    """One JSON file holding containers, sections and tasks."""

    type_name = "example-json"
    capabilities = frozenset(
        {Capability.SECTIONS, Capability.DEPENDENCIES, Capability.MARKER_SEARCH, Capability.ANNOTATE}
    )
    settings_schema = {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]}
    destination_schema = {"type": "object", "properties": {"folder": {"type": "string"}}, "additionalProperties": False}

    def __init__(self, name: str, settings: Mapping[str, Any], context: ProviderContext) -> None:
        super().__init__(name, settings, context)
        self.path = Path(str(settings["path"]))

    def check(self) -> str:
        """Nothing to log in to: say which file."""
        return f"JSON file {self.path}"

    def ensure_container(
        self, instance: str, title: str, description: str, destination: Mapping[str, Any]
    ) -> Container:
        """The container whose description carries the instance's marker, else a new one."""
        data = self._load()
        for ref, c in data["containers"].items():
            if parse_marker(c["description"]) == (instance, None):
                return Container(ref, c["name"])
        ref = self._new_id(data)
        data["containers"][ref] = {"name": title, "description": with_marker(description, marker(instance))}
        self._save(data)
        return Container(ref, title, created=True)

    def ensure_sections(self, container: Container, sections: Sequence[SectionSpec]) -> dict[str, str]:
        """Sections by title: an existing one is reused."""
        data = self._load()
        out: dict[str, str] = {}
        for section in sections:
            ref = next(
                (
                    r
                    for r, s in data["sections"].items()
                    if s["container"] == container.ref and s["title"] == section.title
                ),
                None,
            )
            if ref is None:
                ref = self._new_id(data)
                data["sections"][ref] = {"container": container.ref, "title": section.title}
                self._save(data)
            out[section.key] = ref
        return out

    def create_tasks(self, container: Container, tasks: Sequence[NewTask]) -> Iterator[Created]:
        """One atomic write per task, its marker included, yielded as soon as it is on disk."""
        for item in tasks:
            data = self._load()
            ref, spec = self._new_id(data), item.spec
            data["tasks"][ref] = {
                "container": container.ref,
                "section": item.section_ref,
                "title": spec.title,
                "description": with_marker(item.description, item.marker),
                "labels": list(spec.labels),
                "start": spec.start.isoformat() if spec.start else None,
                "due": spec.due.isoformat() if spec.due else None,
                "depends_on": [],
            }
            self._save(data)
            yield Created(spec.key, ref)

    def link_dependencies(self, container: Container, pairs: Sequence[tuple[str, str]]) -> Iterator[Linked]:
        """A repeated link is ignored, so writing one again after a lost reply is safe."""
        for blocked, blocking in pairs:
            data = self._load()
            deps = data["tasks"][blocked]["depends_on"]
            if blocking not in deps:
                deps.append(blocking)
                self._save(data)
            yield Linked(blocked, blocking)

    def annotate(self, ref: str, lines: Sequence[str]) -> None:
        """Lines above the marker; a line already there is not added again."""
        data = self._load()
        task = data["tasks"][ref]
        task["description"] = insert_above_marker(task["description"], list(lines))
        self._save(data)

    def find_marked(self, container: Container, instance: str) -> dict[str, Created]:
        """Template key -> task, from the marker lines."""
        out: dict[str, Created] = {}
        for ref, task in self._load()["tasks"].items():
            found = parse_marker(task["description"])
            if task["container"] == container.ref and found and found[0] == instance and found[1]:
                out[found[1]] = Created(found[1], ref)
        return out

    def resolve_source(self, source: str) -> Container:
        """A container by id or by name, so `collabsync track` can follow work already in the file."""
        for ref, c in self._load()["containers"].items():
            if source in (ref, c["name"]):
                return Container(ref, c["name"])
        raise NotFoundError(self.name, f"source {source!r}", "no container with that id or name")

    def read_tasks(self, container: Container, since: dt.datetime | None = None) -> list[Task]:
        """Every task of the container, normalised."""
        data = self._load()
        out = []
        for ref, t in data["tasks"].items():
            if t["container"] == container.ref:
                found = parse_marker(t["description"])
                section = data["sections"].get(t["section"] or "", {}).get("title")
                out.append(
                    Task(
                        ref=ref,
                        title=t["title"],
                        status=Status.TODO,
                        key=found[1] if found else None,
                        section=section,
                        labels=list(t["labels"]),
                        depends_on=list(t["depends_on"]),
                        start=dt.date.fromisoformat(t["start"]) if t["start"] else None,
                        due=dt.date.fromisoformat(t["due"]) if t["due"] else None,
                    )
                )
        return out

    def _load(self) -> dict[str, Any]:
        if not self.path.exists():
            return {"next": 0, "containers": {}, "sections": {}, "tasks": {}}
        return json.loads(self.path.read_text(encoding="utf-8"))

    def _save(self, data: dict[str, Any]) -> None:
        """Write a copy, then rename it over the file: a kill leaves the old file or the new, never half."""
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, self.path)

    @staticmethod
    def _new_id(data: dict[str, Any]) -> str:
        data["next"] += 1
        return str(data["next"])
