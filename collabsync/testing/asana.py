"""A stateful loopback emulator of the Asana REST API 1.0 (the routes collabsync and its tests use).

Fidelity notes (checked against Asana's OpenAPI spec in shared/specs/asana): ``{"data": ...}``
envelopes, ``{"errors": [{"message", "help"}]}`` errors, numeric-string gids, ``opt_fields``
(gid + resource_type + the asked fields, dotted paths), compact list items by default, offset
paging with ``next_page`` {offset, path, uri} when ``limit`` is given (1-100), Bearer PATs, a
per-token per-minute budget and concurrent GET/write caps answered with 429 + Retry-After,
``POST /batch`` (at most 10 actions, each with its own status). The seed API lives in
``asana_seed.py``, objects and representations in ``asana_store.py``, request plumbing
(opt_fields, paging, batch) in ``asana_http.py``.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from .asana_http import PREFIX, AsanaHttpMixin, error_body
from .asana_seed import AsanaSeedMixin
from .asana_store import AsanaStore
from .core import WRITE_METHODS, ApiError, Emulator, Faults, RateLimit, json_response

__all__ = ["AsanaEmulator", "DEFAULT_TOKEN"]

DEFAULT_TOKEN = "2/1210000000000000/1210000000000001:emulatorpat"
MAX_DEPENDENCIES = 30


def _r(path: str, endpoint: str, *methods: str) -> Rule:
    return Rule(PREFIX + path, endpoint=endpoint, methods=list(methods))


class AsanaEmulator(AsanaSeedMixin, AsanaHttpMixin, Emulator):
    """Asana on 127.0.0.1: one default workspace, team and user whose PAT is ``emu.token``."""

    name = "asana"
    prefix = PREFIX
    rules = [
        _r("/users/<user_gid>", "get_user", "GET"),
        _r("/workspaces", "list_workspaces", "GET"),
        _r("/workspaces/<workspace_gid>", "get_workspace", "GET"),
        _r("/workspaces/<workspace_gid>/teams", "list_workspace_teams", "GET"),
        _r("/workspaces/<workspace_gid>/custom_fields", "list_workspace_fields", "GET"),
        _r("/teams/<team_gid>", "get_team", "GET"),
        _r("/projects", "list_projects", "GET"),
        _r("/projects", "create_project", "POST"),
        _r("/workspaces/<workspace_gid>/projects", "list_projects", "GET"),
        _r("/workspaces/<workspace_gid>/projects", "create_project", "POST"),
        _r("/teams/<team_gid>/projects", "list_projects", "GET"),
        _r("/teams/<team_gid>/projects", "create_project", "POST"),
        _r("/projects/<project_gid>", "get_project", "GET"),
        _r("/projects/<project_gid>", "update_project", "PUT"),
        _r("/projects/<project_gid>/sections", "list_sections", "GET"),
        _r("/projects/<project_gid>/sections", "create_section", "POST"),
        _r("/projects/<project_gid>/custom_field_settings", "list_field_settings", "GET"),
        _r("/projects/<project_gid>/addCustomFieldSetting", "add_field_setting", "POST"),
        _r("/projects/<project_gid>/tasks", "list_project_tasks", "GET"),
        _r("/sections/<section_gid>", "get_section", "GET"),
        _r("/sections/<section_gid>/addTask", "add_task_to_section", "POST"),
        _r("/tasks", "list_tasks", "GET"),
        _r("/tasks", "create_task", "POST"),
        _r("/tasks/<task_gid>", "get_task", "GET"),
        _r("/tasks/<task_gid>", "update_task", "PUT"),
        _r("/tasks/<task_gid>/subtasks", "list_subtasks", "GET"),
        _r("/tasks/<task_gid>/subtasks", "create_subtask", "POST"),
        _r("/tasks/<task_gid>/addDependencies", "add_dependencies", "POST"),
        _r("/tasks/<task_gid>/dependencies", "list_dependencies", "GET"),
        _r("/tasks/<task_gid>/dependents", "list_dependents", "GET"),
        _r("/batch", "batch", "POST"),
    ]

    def __init__(self, *, faults: Faults | None = None, rate_limits: list[RateLimit] | None = None,
                 per_minute: int | None = 1500, concurrent_reads: int = 50, concurrent_writes: int = 15) -> None:
        limits = list(rate_limits or [])
        if per_minute:
            limits.append(RateLimit(per_minute, 60.0, scope="token"))
        self.rules = [rule.empty() for rule in type(self).rules]  # a werkzeug Rule binds to one Map only
        super().__init__(faults=faults, rate_limits=limits)
        self.concurrent_reads, self.concurrent_writes = concurrent_reads, concurrent_writes
        self._inflight: dict[tuple[str, bool], int] = {}
        self._inflight_lock = threading.Lock()
        self.now: dt.datetime | None = None  # frozen clock when set
        self.store = AsanaStore(self._clock)
        self.token = DEFAULT_TOKEN
        self._seed_defaults()

    def _clock(self) -> dt.datetime:
        return self.now or dt.datetime.now(dt.timezone.utc)

    # -- HTTP hooks ---------------------------------------------------------------------------------
    def wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        """Track in-flight requests per token and kind for Asana's concurrency caps."""
        token = environ.get("HTTP_AUTHORIZATION", "")
        is_write = environ.get("REQUEST_METHOD", "GET") in WRITE_METHODS
        key = (token, is_write)
        cap = self.concurrent_writes if is_write else self.concurrent_reads
        with self._inflight_lock:
            running = self._inflight.get(key, 0)
            environ["asana.over_concurrency"] = running >= cap
            self._inflight[key] = running + 1
        try:
            return super().wsgi(environ, start_response)
        finally:
            with self._inflight_lock:
                self._inflight[key] -= 1

    def authenticate(self, request: Request) -> dict[str, str] | None:
        """Bearer PAT known to the store."""
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        user = self.store.tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            return None
        request.environ["asana.user"] = user
        return {"token": token.strip()}

    def unauthorized(self, request: Request) -> Response:
        return json_response(error_body("Not Authorized"), 401)

    def error_response(self, err: ApiError) -> Response:
        return json_response(error_body(err.message), err.status)

    def not_found(self, request: Request) -> Response:
        return json_response(error_body("No matching route for request"), 404)

    def rate_limited(self, retry_after: float, rule: RateLimit | None) -> Response:
        body = error_body("You have made too many requests recently. Please, be chill.")
        return json_response(body, 429, {"Retry-After": str(max(1, round(retry_after)))})

    def fault_response(self, status: int) -> Response:
        if status == 429:
            return json_response(error_body("You have made too many requests recently. Please, be chill."),
                                 429, {"Retry-After": self.faults.retry_after or "1"})
        return json_response(error_body("Server Error", phrase="6 sad squid snuggle softly"), status)

    def _check_rate(self, request: Request, principal: dict[str, str]) -> Response | None:
        if request.environ.get("asana.over_concurrency"):
            return self.rate_limited(1, None)
        return super()._check_rate(request, principal)

    # -- users, workspaces, teams -------------------------------------------------------------------
    def get_user(self, request: Request, user_gid: str) -> Any:
        gid = self._me(request) if user_gid == "me" else user_gid
        self.store.user(gid)
        return self._one(request, "user", gid)

    def list_workspaces(self, request: Request) -> Any:
        mine = self.store.users[self._me(request)]["workspaces"]
        return self._list(request, "workspace", list(mine), "workspaces")

    def get_workspace(self, request: Request, workspace_gid: str) -> Any:
        self.store.workspace(workspace_gid)
        return self._one(request, "workspace", workspace_gid)

    def list_workspace_teams(self, request: Request, workspace_gid: str) -> Any:
        self.store.workspace(workspace_gid)
        gids = [g for g, t in self.store.teams.items() if t["workspace"] == workspace_gid]
        return self._list(request, "team", gids, f"teams:{workspace_gid}")

    def list_workspace_fields(self, request: Request, workspace_gid: str) -> Any:
        self.store.workspace(workspace_gid)
        items = [self.store.field_json(g) for g, f in self.store.fields.items() if f["workspace"] == workspace_gid]
        return {"data": items}

    def get_team(self, request: Request, team_gid: str) -> Any:
        self.store.team(team_gid)
        return self._one(request, "team", team_gid)

    # -- projects ----------------------------------------------------------------------------------
    def list_projects(self, request: Request, workspace_gid: str | None = None, team_gid: str | None = None) -> Any:
        workspace_gid = workspace_gid or request.args.get("workspace")
        team_gid = team_gid or request.args.get("team")
        if not workspace_gid and not team_gid:
            raise ApiError(400, "workspace: Missing input")
        if team_gid:
            self.store.team(team_gid)
        if workspace_gid:
            self.store.workspace(workspace_gid)
        archived = request.args.get("archived")
        gids = [
            g for g, p in self.store.projects.items()
            if (not team_gid or p["team"] == team_gid) and (not workspace_gid or p["workspace"] == workspace_gid)
            and (archived is None or str(p["archived"]).lower() == archived.lower())
        ]
        return self._list(request, "project", gids, f"projects:{workspace_gid}:{team_gid}")

    def create_project(self, request: Request, workspace_gid: str | None = None, team_gid: str | None = None) -> Any:
        data = self._data(request)
        team_gid = team_gid or data.get("team")
        workspace_gid = workspace_gid or data.get("workspace")
        if team_gid:
            team = self.store.team(team_gid)
            workspace_gid = workspace_gid or team["workspace"]
        if not workspace_gid:
            raise ApiError(400, "workspace: Missing input")
        workspace = self.store.workspace(workspace_gid)
        if workspace["is_organization"] and not team_gid:
            raise ApiError(400, "team: Missing input; you must specify a team for projects in organizations")
        if not str(data.get("name") or "").strip():
            raise ApiError(400, "name: Missing input")
        gid = self.store.new_project(str(data["name"]), workspace_gid, team_gid, str(data.get("notes") or ""),
                                     owner=self._me(request))
        return self._one(request, "project", gid, 201)

    def get_project(self, request: Request, project_gid: str) -> Any:
        self.store.project(project_gid)
        return self._one(request, "project", project_gid)

    def update_project(self, request: Request, project_gid: str) -> Any:
        project = self.store.project(project_gid)
        data = self._data(request)
        for key in ("name", "notes", "archived", "color", "due_on", "start_on"):
            if key in data:
                project[key] = data[key]
        project["modified_at"] = self._clock()
        return self._one(request, "project", project_gid)

    def list_field_settings(self, request: Request, project_gid: str) -> Any:
        project = self.store.project(project_gid)
        return {"data": [self.store.field_setting(project_gid, f) for f in project["fields"]]}

    def add_field_setting(self, request: Request, project_gid: str) -> Any:
        project = self.store.project(project_gid)
        fgid = str(self._data(request).get("custom_field") or "")
        if not fgid:
            raise ApiError(400, "custom_field: Missing input")
        self.store.field(fgid)
        if fgid in project["fields"]:
            raise ApiError(400, "custom_field: Custom field already on this project")
        project["fields"].append(fgid)
        return {"data": self.store.field_setting(project_gid, fgid)}

    # -- sections -----------------------------------------------------------------------------------
    def list_sections(self, request: Request, project_gid: str) -> Any:
        project = self.store.project(project_gid)
        return self._list(request, "section", list(project["sections"]), f"sections:{project_gid}")

    def create_section(self, request: Request, project_gid: str) -> Any:
        self.store.project(project_gid)
        name = str(self._data(request).get("name") or "").strip()
        if not name:
            raise ApiError(400, "name: Missing input")
        gid = self.store.new_section(project_gid, name)
        return self._one(request, "section", gid, 201)

    def get_section(self, request: Request, section_gid: str) -> Any:
        self.store.section(section_gid)
        return self._one(request, "section", section_gid)

    def add_task_to_section(self, request: Request, section_gid: str) -> Any:
        section = self.store.section(section_gid)
        data = self._data(request)
        if not data.get("task"):
            raise ApiError(400, "task: Missing input")
        task = self.store.task(str(data["task"]))
        self.place(task, section["project"], section_gid)
        return {"data": {}}

    def place(self, task: dict[str, Any], project_gid: str, section_gid: str) -> None:
        """Put a task in a section of a project, adding the project if needed."""
        memberships = [(p, s) for p, s in task["memberships"] if p != project_gid]
        if not any(p == project_gid for p, _ in task["memberships"]):
            self.store.projects[project_gid]["tasks"].append(task["gid"])
        index = next((i for i, (p, _) in enumerate(task["memberships"]) if p == project_gid), len(memberships))
        memberships.insert(index, (project_gid, section_gid))
        task["memberships"] = memberships
        self.store.touch(task)

    # -- tasks --------------------------------------------------------------------------------------
    def list_project_tasks(self, request: Request, project_gid: str) -> Any:
        project = self.store.project(project_gid)
        gids = self._filter_completed(request, project["tasks"])
        return self._list(request, "task", gids, f"ptasks:{project_gid}")

    def list_tasks(self, request: Request) -> Any:
        project_gid, section_gid = request.args.get("project"), request.args.get("section")
        if project_gid:
            gids = list(self.store.project(project_gid)["tasks"])
        elif section_gid:
            self.store.section(section_gid)
            gids = [g for g, t in self.store.tasks.items() if any(s == section_gid for _, s in t["memberships"])]
        elif request.args.get("assignee") and request.args.get("workspace"):
            who = self.store.resolve_user(request.args["assignee"], self._me(request))
            gids = [g for g, t in self.store.tasks.items()
                    if t["assignee"] == who and t["workspace"] == request.args["workspace"]]
        else:
            raise ApiError(400, "Must specify exactly one of project, tag, section, user task list, or assignee + workspace")
        since = request.args.get("modified_since")
        if since:
            moment = _parse_time(since, "modified_since")
            gids = [g for g in gids if self.store.tasks[g]["modified_at"] >= moment]
        gids = self._filter_completed(request, gids)
        return self._list(request, "task", gids, f"tasks:{project_gid}:{section_gid}:{since}")

    def _filter_completed(self, request: Request, gids: list[str]) -> list[str]:
        raw = request.args.get("completed_since")
        if not raw:
            return list(gids)
        moment = self._clock() if raw == "now" else _parse_time(raw, "completed_since")
        return [g for g in gids if not self.store.tasks[g]["completed"] or self.store.tasks[g]["completed_at"] >= moment]

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
        workspace = data.get("workspace")
        if parent:
            workspace = workspace or self.store.tasks[parent]["workspace"]
        elif memberships:
            workspace = workspace or self.store.projects[memberships[0][0]]["workspace"]
        if not workspace:
            raise ApiError(400, "workspace: Missing input")
        self.store.workspace(str(workspace))
        fields = self._task_fields(request, data, None)
        return self.store.new_task(
            name=str(data.get("name") or ""), workspace=str(workspace), memberships=memberships, parent=parent,
            subtype=str(data.get("resource_subtype") or "default_task"), **fields)

    def _task_fields(self, request: Request, data: dict[str, Any], task: dict[str, Any] | None) -> dict[str, Any]:
        """Validate the writable task fields of a create or update."""
        out: dict[str, Any] = {}
        for key in ("due_on", "start_on"):
            if key in data:
                out[key] = _date(data[key], key)
        due = out.get("due_on", task["due_on"] if task else None)
        start = out.get("start_on", task["start_on"] if task else None)
        if start and not due:
            raise ApiError(400, "start_on: You must specify a due date (due_on or due_at) when setting a start date")
        if start and due and start >= due:
            raise ApiError(400, "start_on: The start date must be before the due date")
        if "notes" in data:
            out["notes"] = str(data["notes"] or "")
        if "completed" in data:
            if not isinstance(data["completed"], bool):
                raise ApiError(400, "completed: Not a boolean")
            out["completed"] = data["completed"]
        if "assignee" in data:
            out["assignee"] = self.store.resolve_user(str(data["assignee"]), self._me(request)) if data["assignee"] else None
        if "custom_fields" in data:
            values = {}
            for fgid, option in (data["custom_fields"] or {}).items():
                field = self.store.field(str(fgid))
                if option is not None and option not in {o["gid"] for o in field["enum_options"]}:
                    raise ApiError(400, f"custom_fields: enum option {option} is not an option of {fgid}")
                values[str(fgid)] = option
            out["values"] = values
        return out

    def get_task(self, request: Request, task_gid: str) -> Any:
        self.store.task(task_gid)
        return self._one(request, "task", task_gid)

    def update_task(self, request: Request, task_gid: str) -> Any:
        task = self.store.task(task_gid)
        data = self._data(request)
        fields = self._task_fields(request, data, task)
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

    def list_subtasks(self, request: Request, task_gid: str) -> Any:
        task = self.store.task(task_gid)
        return self._list(request, "task", list(task["subtasks"]), f"subtasks:{task_gid}")

    def list_dependencies(self, request: Request, task_gid: str) -> Any:
        task = self.store.task(task_gid)
        return self._list(request, "task", list(task["dependencies"]), f"deps:{task_gid}")

    def list_dependents(self, request: Request, task_gid: str) -> Any:
        task = self.store.task(task_gid)
        return self._list(request, "task", list(task["dependents"]), f"dependents:{task_gid}")

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

def _limit_message(gid: str) -> str:
    return (f"dependencies: Task {gid} would exceed the limit of {MAX_DEPENDENCIES} "
            "dependencies and dependents combined")


def _date(value: Any, name: str) -> str | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise ApiError(400, f"{name}: Invalid date string: {value}") from None


def _parse_time(value: str, name: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(400, f"{name}: Invalid date-time string: {value}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)
