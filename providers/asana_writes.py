"""Asana's batched writes (sections, tasks, dependencies, status), kept apart so asana.py stays readable."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from collabsync.errors import ProviderError, refused_item
from collabsync.model import Container, Created, Linked, NewTask, SectionSpec, Status, with_marker
from collabsync.providers.asana_plumbing import AsanaPlumbing

BATCH_SIZE = 10
MAX_DEPENDENCIES = 30


class AsanaWrites(AsanaPlumbing):
    """The writes that go through POST /batch, ten actions a request."""

    def ensure_sections(self, container: Container, sections: Sequence[SectionSpec]) -> dict[str, str]:
        """Sections by (prefixed) title; the missing ones created in batches of 10."""
        existing = self._section_map(container)
        wanted = {s.key: self._section_name(container, s.title) for s in sections}
        missing = [n for n in dict.fromkeys(wanted.values()) if n.casefold() not in existing]
        for chunk in _chunks(missing, BATCH_SIZE):
            actions = [
                {
                    "method": "post",
                    "relative_path": f"/projects/{container.ref}/sections",
                    "data": {"name": n},
                    "options": {"fields": ["name"]},
                }
                for n in chunk
            ]
            for name, result in zip(chunk, self._batch(f"sections of project {container.ref}", actions), strict=True):
                if result.get("status_code") != 201:
                    raise ProviderError(
                        self.name, f"section {name!r}", _action_error(result), status=result.get("status_code")
                    )
                existing[name.casefold()] = result["body"]["data"]["gid"]
        return {key: existing[name.casefold()] for key, name in wanted.items()}

    def create_tasks(self, container: Container, tasks: Sequence[NewTask]) -> Iterator[Created]:
        """POST /batch with 10 task creations a request; each action's own status becomes its outcome."""
        for chunk in _chunks(list(tasks), BATCH_SIZE):
            actions: list[dict[str, Any]] = [
                {
                    "method": "post",
                    "relative_path": "/tasks",
                    "data": self._task_body(container, item),
                    "options": {"fields": ["name", "permalink_url"]},
                }
                for item in chunk
            ]
            results = self._batch(f"tasks of project {container.ref}", actions)
            for item, action, result in zip(chunk, actions, results, strict=True):
                data = (result.get("body") or {}).get("data") or {} if result.get("status_code") == 201 else {}
                if data.get("gid"):
                    self._notes[data["gid"]] = action["data"]["notes"]
                    url = data.get("permalink_url") or self._task_url(container, data["gid"])
                    yield Created(item.spec.key, data["gid"], url)
                else:
                    yield Created(item.spec.key, error=_item_error(self.name, f"task {item.spec.key!r}", result))

    def link_dependencies(self, container: Container, pairs: Sequence[tuple[str, str]]) -> Iterator[Linked]:
        """addDependencies per blocked task, batched 10 a request, refusing more than 30 links per task."""
        load: dict[str, int] = {}
        grouped: dict[str, list[str]] = {}
        for blocked, blocking in dict.fromkeys(pairs):
            if load.get(blocked, 0) >= MAX_DEPENDENCIES or load.get(blocking, 0) >= MAX_DEPENDENCIES:
                full = blocked if load.get(blocked, 0) >= MAX_DEPENDENCIES else blocking
                yield Linked(
                    blocked,
                    blocking,
                    error=(
                        f"Asana allows at most {MAX_DEPENDENCIES} dependencies and dependents per task; "
                        f"task {full} already has {MAX_DEPENDENCIES} in this template"
                    ),
                )
                continue
            load[blocked] = load.get(blocked, 0) + 1
            load[blocking] = load.get(blocking, 0) + 1
            grouped.setdefault(blocked, []).append(blocking)
        items = list(grouped.items())
        for chunk in _chunks(items, BATCH_SIZE):
            actions = [
                {"method": "post", "relative_path": f"/tasks/{blocked}/addDependencies", "data": {"dependencies": deps}}
                for blocked, deps in chunk
            ]
            results = self._batch(f"dependencies in project {container.ref}", actions)
            for (blocked, deps), result in zip(chunk, results, strict=True):
                error = (
                    None
                    if result.get("status_code") == 200
                    else _item_error(self.name, f"dependencies of task {blocked}", result)
                )
                for blocking in deps:
                    yield Linked(blocked, blocking, error=error)

    def set_status(self, container: Container, ref: str, status: Status) -> None:
        """Complete/uncomplete and move to the mapped section (or set the enum field) in one batch."""
        status = Status(status)
        data: dict[str, Any] = {"completed": status in (Status.DONE, Status.CANCELLED)}
        actions: list[dict[str, Any]] = []
        if self.status_field:
            field_gid, options = self._status_field(container)
            option = next((gid for name, gid in options.items() if self.status_options.get(name) == status), None)
            if option is not None or status == Status.TODO:  # TODO with no option of its own clears the field
                data["custom_fields"] = {field_gid: option}
            elif status != Status.DONE:
                raise ProviderError(
                    self.name,
                    f"task {ref}",
                    f"no option of custom field {self.status_field!r} maps to {status.value}; set status_options",
                )
        actions.append(
            {"method": "put", "relative_path": f"/tasks/{ref}", "data": data, "options": {"fields": ["completed"]}}
        )
        if not self.status_field:
            section = self._status_section(container, ref, status)
            if section:
                actions.append(
                    {"method": "post", "relative_path": f"/sections/{section}/addTask", "data": {"task": ref}}
                )
        for result in self._batch(f"task {ref}", actions):
            if not 200 <= int(result.get("status_code") or 0) < 300:
                raise ProviderError(self.name, f"task {ref}", _action_error(result), status=result.get("status_code"))

    def _task_body(self, container: Container, item: NewTask) -> dict[str, Any]:
        spec = item.spec
        data: dict[str, Any] = {"name": spec.title, "notes": with_marker(item.description, item.marker)}
        if item.section_ref:  # memberships places the task in the project and its section at once
            data["memberships"] = [{"project": container.ref, "section": item.section_ref}]
        else:
            data["projects"] = [container.ref]
        if spec.due:
            data["due_on"] = spec.due.isoformat()
            if spec.start and spec.start < spec.due:  # Asana refuses a start date on or after the due date
                data["start_on"] = spec.start.isoformat()
        assignee = self.person_id(spec.assignee)
        if assignee:
            data["assignee"] = assignee
        return data


def _item_error(provider: str, obj: str, result: dict[str, Any]) -> str:
    """A failed batch action as its item's error; raised instead when it stops the run (errors.refused_item)."""
    error = ProviderError(provider, obj, _action_error(result), status=result.get("status_code"))
    if not refused_item(error):
        raise error
    return error.cause


def _action_error(result: dict[str, Any]) -> str:
    body = result.get("body") or {}
    errors = body.get("errors", []) if isinstance(body, dict) else []
    messages = [e.get("message", "") for e in errors if isinstance(e, dict)]
    return f"HTTP {result.get('status_code')}: " + ("; ".join(m for m in messages if m) or "batch action failed")


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
