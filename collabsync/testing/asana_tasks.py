"""The Asana emulator's task routes: create, read, update, delete, position in sections, dependencies.

Date rules follow the task schema of the spec (``components.schemas.TaskBase``): ``due_on`` and
``due_at`` are exclusive, ``start_on`` needs ``due_on`` or ``due_at`` in the same request and
``start_at`` needs ``due_at``; positions follow ``TaskAddProjectRequest`` and
``SectionTaskInsertRequest``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request

from .asana_events import log_event
from .core import ApiError

if TYPE_CHECKING:
    from .asana_store import AsanaStore

__all__ = ["AsanaTasksMixin", "parse_time"]

MAX_DEPENDENCIES = 30
MAX_PROJECTS = 20
_UNSET = object()


class AsanaTasksMixin:
    """Task route handlers of AsanaEmulator (the HTTP helpers come from AsanaHttpMixin)."""

    store: AsanaStore
    _clock: Any
    _data: Any
    _one: Any
    _list: Any
    _me: Any

    # -- reads ---------------------------------------------------------------------------------------
    def list_project_tasks(self, request: Request, project_gid: str) -> Any:
        project = self.store.project(project_gid)
        gids = self._filter_completed(request, project["tasks"])
        return self._list(request, "task", gids, f"ptasks:{project_gid}")

    def list_section_tasks(self, request: Request, section_gid: str) -> Any:
        gids = self._filter_completed(request, self.section_order(section_gid))
        return self._list(request, "task", gids, f"stasks:{section_gid}")

    def list_tasks(self, request: Request) -> Any:
        project_gid, section_gid = request.args.get("project"), request.args.get("section")
        if project_gid:
            gids = list(self.store.project(project_gid)["tasks"])
        elif section_gid:
            gids = self.section_order(section_gid)
        elif request.args.get("assignee") and request.args.get("workspace"):
            who = self.store.resolve_user(request.args["assignee"], self._me(request))
            gids = [
                g
                for g, t in self.store.tasks.items()
                if t["assignee"] == who and t["workspace"] == request.args["workspace"]
            ]
        else:
            raise ApiError(
                400, "Must specify exactly one of project, tag, section, user task list, or assignee + workspace"
            )
        since = request.args.get("modified_since")
        if since:
            moment = parse_time(since, "modified_since")
            gids = [g for g in gids if self.store.tasks[g]["modified_at"] >= moment]
        gids = self._filter_completed(request, gids)
        return self._list(request, "task", gids, f"tasks:{project_gid}:{section_gid}:{since}")

    def _filter_completed(self, request: Request, gids: list[str]) -> list[str]:
        raw = request.args.get("completed_since")
        if not raw:
            return list(gids)
        moment = self._clock() if raw == "now" else parse_time(raw, "completed_since")
        return [
            g for g in gids if not self.store.tasks[g]["completed"] or self.store.tasks[g]["completed_at"] >= moment
        ]

    def get_task(self, request: Request, task_gid: str) -> Any:
        self.store.task(task_gid)
        return self._one(request, "task", task_gid)

    def list_subtasks(self, request: Request, task_gid: str) -> Any:
        task = self.store.task(task_gid)
        return self._list(request, "task", list(task["subtasks"]), f"subtasks:{task_gid}")

    def list_dependencies(self, request: Request, task_gid: str) -> Any:
        task = self.store.task(task_gid)
        return self._list(request, "task", list(task["dependencies"]), f"deps:{task_gid}")

    def list_dependents(self, request: Request, task_gid: str) -> Any:
        task = self.store.task(task_gid)
        return self._list(request, "task", list(task["dependents"]), f"dependents:{task_gid}")

    # -- writes --------------------------------------------------------------------------------------
    def create_task(self, request: Request) -> Any:
        gid = self._new_task(request, self._data(request), parent=None)
        return self._one(request, "task", gid, 201)

    def create_subtask(self, request: Request, task_gid: str) -> Any:
        self.store.task(task_gid)
        gid = self._new_task(request, self._data(request), parent=task_gid)
        return self._one(request, "task", gid, 201)

    def _new_task(self, request: Request, data: dict[str, Any], parent: str | None) -> str:
        memberships: list[tuple[str, str]] = []
        for m in data.get("memberships") or []:
            project = self.store.project(str(m.get("project")))
            section = str(m.get("section") or (project["sections"][0] if project["sections"] else ""))
            if not section or self.store.section(section)["project"] != project["gid"]:
                raise ApiError(400, f"memberships: section {section} is not in project {project['gid']}")
            memberships.append((project["gid"], section))
        for pgid in data.get("projects") or []:
            project = self.store.project(str(pgid))
            if not any(p == project["gid"] for p, _ in memberships):
                if not project["sections"]:
                    self.store.new_section(project["gid"], "Untitled section")
                memberships.append((project["gid"], project["sections"][0]))
        if len(memberships) > MAX_PROJECTS:
            raise ApiError(400, f"projects: A task can be in at most {MAX_PROJECTS} projects")
        workspace = data.get("workspace")
        if parent:
            workspace = workspace or self.store.tasks[parent]["workspace"]
        elif memberships:
            workspace = workspace or self.store.projects[memberships[0][0]]["workspace"]
        if not workspace:
            raise ApiError(400, "workspace: Missing input")
        self.store.workspace(str(workspace))
        fields = self._task_fields(request, data)
        return self.store.new_task(
            name=str(data.get("name") or ""),
            workspace=str(workspace),
            memberships=memberships,
            parent=parent,
            subtype=str(data.get("resource_subtype") or "default_task"),
            **fields,
        )

    def _task_fields(self, request: Request, data: dict[str, Any]) -> dict[str, Any]:
        """Validate the writable task fields of a create or update."""
        out = _dates(data)
        if "notes" in data:
            out["notes"] = str(data["notes"] or "")
        if "completed" in data:
            if not isinstance(data["completed"], bool):
                raise ApiError(400, "completed: Not a boolean")
            out["completed"] = data["completed"]
        if "assignee" in data:  # a gid, "me" or an e-mail address, as documented
            out["assignee"] = (
                self.store.resolve_user(str(data["assignee"]), self._me(request)) if data["assignee"] else None
            )
        if "custom_fields" in data:
            values = {}
            for fgid, option in (data["custom_fields"] or {}).items():
                field = self.store.field(str(fgid))
                if option is not None and option not in {o["gid"] for o in field["enum_options"]}:
                    raise ApiError(400, f"custom_fields: enum option {option} is not an option of {fgid}")
                values[str(fgid)] = option
            out["values"] = values
        return out

    def update_task(self, request: Request, task_gid: str) -> Any:
        task = self.store.task(task_gid)
        data = self._data(request)
        fields = self._task_fields(request, data)
        if "name" in data:
            task["name"] = str(data["name"])
        values = fields.pop("values", None)
        if values is not None:
            task["values"].update(values)
        if "completed" in fields and fields["completed"] != task["completed"]:
            task["completed_at"] = self._clock() if fields["completed"] else None
        task.update(fields)
        self.store.touch(task)
        return self._one(request, "task", task_gid)

    def delete_task(self, request: Request, task_gid: str) -> Any:
        self.store.task(task_gid)
        self.store.delete_task(task_gid)
        return {"data": {}}

    def add_dependencies(self, request: Request, task_gid: str) -> Any:
        task = self.store.task(task_gid)
        wanted = self._data(request).get("dependencies")
        if not isinstance(wanted, list) or not wanted:
            raise ApiError(400, "dependencies: Missing input")
        new = []
        for dep in map(str, wanted):
            blocking = self.store.task(dep)
            if dep == task_gid:
                raise ApiError(400, "dependencies: A task cannot depend on itself")
            if dep not in task["dependencies"] and dep not in new:
                new.append(dep)
                if len(blocking["dependencies"]) + len(blocking["dependents"]) + 1 > MAX_DEPENDENCIES:
                    raise ApiError(400, _limit_message(dep))
        if len(task["dependencies"]) + len(task["dependents"]) + len(new) > MAX_DEPENDENCIES:
            raise ApiError(400, _limit_message(task_gid))
        for dep in new:
            task["dependencies"].append(dep)
            self.store.tasks[dep]["dependents"].append(task_gid)
        self.store.touch(task)
        return {"data": {}}

    # -- positions -----------------------------------------------------------------------------------
    def add_task_to_section(self, request: Request, section_gid: str) -> Any:
        """Top of the section unless insert_before/insert_after names a task of that section."""
        section = self.store.section(section_gid)
        data = self._data(request)
        if not data.get("task"):
            raise ApiError(400, "task: Missing input")
        task = self.store.task(str(data["task"]))
        before, after = _anchors(data)
        self._check_anchor(before, "insert_before", section_gid, task["gid"])
        self._check_anchor(after, "insert_after", section_gid, task["gid"])
        self.place(task, section["project"], section_gid, before=before, after=after, top=True)
        return {"data": {}}

    def add_project_to_task(self, request: Request, task_gid: str) -> Any:
        """Add (or move) a task to a project: end of project by default, else where the anchors say."""
        task = self.store.task(task_gid)
        data = self._data(request)
        if not data.get("project"):
            raise ApiError(400, "project: Missing input")
        project = self.store.project(str(data["project"]))
        before, after = _anchors(data)
        section_gid = str(data["section"]) if data.get("section") else None
        if section_gid and self.store.section(section_gid)["project"] != project["gid"]:
            raise ApiError(400, f"section: Section {section_gid} is not in project {project['gid']}")
        anchor = before if isinstance(before, str) else after if isinstance(after, str) else None
        if anchor is not None and section_gid is None:
            anchor_task = self.store.task(anchor)
            section_gid = next((s for p, s in anchor_task["memberships"] if p == project["gid"]), None)
            if section_gid is None:
                raise ApiError(
                    400,
                    f"{'insert_before' if anchor == before else 'insert_after'}: "
                    f"Task {anchor} is not in project {project['gid']}",
                )
        self._check_anchor(before, "insert_before", section_gid, task_gid)
        self._check_anchor(after, "insert_after", section_gid, task_gid)
        already = any(p == project["gid"] for p, _ in task["memberships"])
        if not already and len(task["memberships"]) >= MAX_PROJECTS:
            raise ApiError(400, f"project: A task can be in at most {MAX_PROJECTS} projects")
        if section_gid is None:
            if not project["sections"]:
                self.store.new_section(project["gid"], "Untitled section")
            order = project["sections"]
            section_gid = order[0] if after is None and "insert_after" in data else order[-1]
        self.place(
            task, project["gid"], section_gid, before=before, after=after, top=after is None and "insert_after" in data
        )
        return {"data": {}}

    def _check_anchor(self, anchor: Any, name: str, section_gid: str | None, task_gid: str) -> None:
        if not isinstance(anchor, str):
            return
        if anchor == task_gid:
            raise ApiError(400, f"{name}: A task cannot be positioned relative to itself")
        if anchor not in self.section_order(str(section_gid)):
            raise ApiError(400, f"{name}: Task {anchor} is not in section {section_gid}")

    def section_order(self, section_gid: str) -> list[str]:
        """The tasks of a section, in their order within the project."""
        section = self.store.section(section_gid)
        return [
            g
            for g in self.store.projects[section["project"]]["tasks"]
            if (section["project"], section_gid) in self.store.tasks[g]["memberships"]
        ]

    def place(
        self,
        task: dict[str, Any],
        project_gid: str,
        section_gid: str,
        *,
        before: Any = None,
        after: Any = None,
        top: bool = False,
    ) -> None:
        """Put a task in a section of a project (adding the project if needed) at the asked position."""
        memberships = [(p, s) for p, s in task["memberships"] if p != project_gid]
        index = next((i for i, (p, _) in enumerate(task["memberships"]) if p == project_gid), len(memberships))
        memberships.insert(index, (project_gid, section_gid))
        task["memberships"] = memberships
        order = self.store.projects[project_gid]["tasks"]
        if task["gid"] in order:
            order.remove(task["gid"])
        in_section = [g for g in order if (project_gid, section_gid) in self.store.tasks[g]["memberships"]]
        if isinstance(before, str):
            position = order.index(before)
        elif isinstance(after, str):
            position = order.index(after) + 1
        elif in_section:
            position = order.index(in_section[0]) if top else order.index(in_section[-1]) + 1
        else:  # an empty section: after the tasks of the sections above it
            sections = self.store.projects[project_gid]["sections"]
            above = {(project_gid, s) for s in sections[: sections.index(section_gid)]}
            position = max(
                (i + 1 for i, g in enumerate(order) if above & set(self.store.tasks[g]["memberships"])), default=0
            )
        order.insert(position, task["gid"])
        self.store.touch(task)
        log_event(self.store, task, "added", {"gid": section_gid, "resource_type": "section"})


def _anchors(data: dict[str, Any]) -> tuple[Any, Any]:
    """insert_before and insert_after (a gid, None for explicit null, _UNSET when absent); one at most."""
    before = data.get("insert_before", _UNSET)
    after = data.get("insert_after", _UNSET)
    if before is not _UNSET and after is not _UNSET:
        raise ApiError(
            400, "insert_before, insert_after: At most one of insert_before or insert_after may be specified"
        )
    return (
        str(before) if before not in (_UNSET, None) else before,
        str(after) if after not in (_UNSET, None) else after,
    )


def _dates(data: dict[str, Any]) -> dict[str, Any]:
    """due_on/due_at and start_on/start_at as the task schema documents them."""
    out: dict[str, Any] = {}
    if data.get("due_on") is not None and data.get("due_at") is not None:
        raise ApiError(400, "due_on, due_at: You may only provide one of due_on or due_at")
    if data.get("start_on") is not None and data.get("start_at") is not None:
        raise ApiError(400, "start_on, start_at: You may only provide one of start_on or start_at")
    if "start_on" in data and "due_on" not in data and "due_at" not in data:
        raise ApiError(
            400, "start_on: due_on or due_at must be present in the request when setting or unsetting start_on"
        )
    if "start_at" in data and "due_at" not in data:
        raise ApiError(400, "start_at: due_at must be present in the request when setting or unsetting start_at")
    if "due_at" in data:
        due_at = None if data["due_at"] is None else parse_time(str(data["due_at"]), "due_at")
        out.update(due_at=due_at, due_on=due_at.date().isoformat() if due_at else None)
    elif "due_on" in data:
        out.update(due_on=_date(data["due_on"], "due_on"), due_at=None)
    if "start_at" in data:
        start_at = None if data["start_at"] is None else parse_time(str(data["start_at"]), "start_at")
        out.update(start_at=start_at, start_on=start_at.date().isoformat() if start_at else None)
    elif "start_on" in data:
        out.update(start_on=_date(data["start_on"], "start_on"), start_at=None)
    start = out.get("start_at") or out.get("start_on")
    due = out.get("due_at") if out.get("start_at") else out.get("due_on")
    if start and due and start >= due:
        raise ApiError(400, "start_on: The start date must be before the due date")
    return out


def _limit_message(gid: str) -> str:
    return f"dependencies: Task {gid} would exceed the limit of {MAX_DEPENDENCIES} dependencies and dependents combined"


def _date(value: Any, name: str) -> str | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise ApiError(400, f"{name}: Invalid date string: {value}") from None


def parse_time(value: str, name: str) -> dt.datetime:
    """An ISO 8601 date-time (UTC when it names no zone); 400 naming the parameter otherwise."""
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(400, f"{name}: Invalid date-time string: {value}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
