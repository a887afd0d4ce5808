"""A stateful loopback emulator of the Asana REST API 1.0 (the routes collabsync and its tests use).

Fidelity notes (checked against Asana's OpenAPI spec in shared/specs/asana): ``{"data": ...}``
envelopes, ``{"errors": [{"message", "help"}]}`` errors, numeric-string gids, ``opt_fields``
(gid + resource_type + the asked fields, dotted paths), compact list items by default, offset
paging with ``next_page`` {offset, path, uri} when ``limit`` is given (1-100), Bearer PATs, a
per-token per-minute budget and concurrent GET/write caps answered with 429 + Retry-After,
``POST /batch`` (at most 10 actions, each with its own status). The seed API lives in
``asana_seed.py``, objects in ``asana_store.py``, representations in ``asana_json.py``, request plumbing
(opt_fields, paging, batch) in ``asana_http.py``, task routes in ``asana_tasks.py``, users, stories,
status updates and custom fields in ``asana_social.py``. What is emulated and the known deviations:
docs/emulators-asana.md.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Mapping
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from .asana_events import AsanaEventsMixin
from .asana_http import PREFIX, AsanaHttpMixin, error_body
from .asana_seed import AsanaSeedMixin
from .asana_social import AsanaSocialMixin
from .asana_store import AsanaStore
from .asana_tasks import AsanaTasksMixin
from .core import WRITE_METHODS, ApiError, Emulator, Faults, RateLimit, json_response

__all__ = ["AsanaEmulator", "DEFAULT_TOKEN"]

DEFAULT_TOKEN = "2/1210000000000000/1210000000000001:emulatorpat"
RATE_LIMITED = (
    "You've made too many requests and hit a rate limit. "  # developers.asana.com/docs/rate-limits
    "Please retry after the given amount of time."
)


def _r(path: str, endpoint: str, *methods: str) -> Rule:
    return Rule(PREFIX + path, endpoint=endpoint, methods=list(methods))


#: The project colours asana_oas.yaml allows (ProjectBase.color; null clears it).
PROJECT_COLORS = (
    *(
        f"{shade}-{hue}"
        for shade in ("dark", "light")
        for hue in ("pink", "green", "blue", "red", "teal", "brown", "orange", "purple", "warm-gray")
    ),
    "none",
    None,
)


class AsanaEmulator(AsanaSeedMixin, AsanaTasksMixin, AsanaSocialMixin, AsanaEventsMixin, AsanaHttpMixin, Emulator):
    """Asana on 127.0.0.1: one default workspace, team and user whose PAT is ``emu.token``."""

    name = "asana"
    prefix = PREFIX
    rules = [
        _r("/users", "list_users", "GET"),
        _r("/users/<user_gid>", "get_user", "GET"),
        _r("/workspaces/<workspace_gid>/users", "list_workspace_users", "GET"),
        _r("/custom_fields/<custom_field_gid>", "get_custom_field", "GET"),
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
        _r("/sections/<section_gid>/tasks", "list_section_tasks", "GET"),
        _r("/tasks", "list_tasks", "GET"),
        _r("/tasks", "create_task", "POST"),
        _r("/tasks/<task_gid>", "get_task", "GET"),
        _r("/tasks/<task_gid>", "update_task", "PUT"),
        _r("/tasks/<task_gid>", "delete_task", "DELETE"),
        _r("/tasks/<task_gid>/addProject", "add_project_to_task", "POST"),
        _r("/tasks/<task_gid>/stories", "list_task_stories", "GET"),
        _r("/tasks/<task_gid>/stories", "create_task_story", "POST"),
        _r("/stories/<story_gid>", "get_story", "GET"),
        _r("/stories/<story_gid>", "update_story", "PUT"),
        _r("/stories/<story_gid>", "delete_story", "DELETE"),
        _r("/status_updates", "list_status_updates", "GET"),
        _r("/status_updates", "create_status_update", "POST"),
        _r("/status_updates/<status_update_gid>", "get_status_update", "GET"),
        _r("/status_updates/<status_update_gid>", "delete_status_update", "DELETE"),
        _r("/tasks/<task_gid>/subtasks", "list_subtasks", "GET"),
        _r("/tasks/<task_gid>/subtasks", "create_subtask", "POST"),
        _r("/tasks/<task_gid>/addDependencies", "add_dependencies", "POST"),
        _r("/tasks/<task_gid>/dependencies", "list_dependencies", "GET"),
        _r("/tasks/<task_gid>/dependents", "list_dependents", "GET"),
        _r("/batch", "batch", "POST"),
        _r("/events", "get_events", "GET"),
    ]

    def __init__(
        self,
        *,
        faults: Faults | None = None,
        rate_limits: list[RateLimit] | None = None,
        per_minute: int | None = 1500,
        concurrent_reads: int = 50,
        concurrent_writes: int = 15,
    ) -> None:
        limits = list(rate_limits or [])
        if per_minute:  # rejected requests still count against Asana's quota (docs: rate-limits)
            limits.append(RateLimit(per_minute, 60.0, scope="token", count_rejected=True))
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
        return self.now or dt.datetime.now(dt.UTC)

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
        body = error_body(RATE_LIMITED)
        return json_response(body, 429, {"Retry-After": str(max(1, round(retry_after)))})

    def fault_response(self, status: int) -> Response:
        if status == 429:
            return json_response(error_body(RATE_LIMITED), 429, {"Retry-After": self.faults.retry_after or "1"})
        return json_response(error_body("Server Error", phrase="6 sad squid snuggle softly"), status)

    def _call(self, endpoint: str, request: Request, args: Mapping[str, Any]) -> Response:
        """Pretty-print when asked by ``opt_pretty`` or, in a JSON body, ``options.pretty``."""
        response = super()._call(endpoint, request, args)
        options = (request.environ.get("asana.payload") or {}).get("options")
        body_pretty = isinstance(options, dict) and options.get("pretty") is True
        if body_pretty or request.args.get("opt_pretty", "").lower() == "true":
            response.set_data(json.dumps(json.loads(response.get_data()), indent=2))
        return response

    def _check_rate(self, request: Request, principal: dict[str, str]) -> Response | None:
        if request.environ.get("asana.over_concurrency"):
            return self.rate_limited(1, None)
        return super()._check_rate(request, principal)

    # -- users, workspaces, teams -------------------------------------------------------------------
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
        gids = [g for g, f in self.store.fields.items() if f["workspace"] == workspace_gid]
        return self._list(request, "custom_field", gids, f"fields:{workspace_gid}")

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
            g
            for g, p in self.store.projects.items()
            if (not team_gid or p["team"] == team_gid)
            and (not workspace_gid or p["workspace"] == workspace_gid)
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
        gid = self.store.new_project(
            str(data["name"]), workspace_gid, team_gid, str(data.get("notes") or ""), owner=self._me(request)
        )
        return self._one(request, "project", gid, 201)

    def get_project(self, request: Request, project_gid: str) -> Any:
        self.store.project(project_gid)
        return self._one(request, "project", project_gid)

    def update_project(self, request: Request, project_gid: str) -> Any:
        project = self.store.project(project_gid)
        data = self._data(request)
        if "archived" in data and not isinstance(data["archived"], bool):
            raise ApiError(400, "archived: Not a boolean")
        if "color" in data and data["color"] not in PROJECT_COLORS:
            raise ApiError(400, f"color: Not a valid enum value; one of {', '.join(c for c in PROJECT_COLORS if c)}")
        for key in ("name", "notes"):
            if key in data and not isinstance(data[key], str):
                raise ApiError(400, f"{key}: Not a string")
        for key in ("name", "notes", "archived", "color", "due_on", "start_on"):
            if key in data:
                project[key] = data[key]
        project["modified_at"] = self._clock()
        return self._one(request, "project", project_gid)

    def list_field_settings(self, request: Request, project_gid: str) -> Any:
        project = self.store.project(project_gid)
        gids = [self.store.field_setting(project_gid, f)["gid"] for f in project["fields"]]
        return self._list(request, "custom_field_setting", gids, f"settings:{project_gid}")

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
