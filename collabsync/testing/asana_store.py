"""In-memory state of the Asana emulator: objects, opt_fields, paging (representations: asana_json.py).

Kept apart from the HTTP layer (``asana.py``) so the seed API and the route handlers share one
store and each module stays readable.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
from typing import Any

from .asana_events import log_event
from .asana_json import AsanaJson, iso
from .asana_social import AsanaSocialStore
from .core import ApiError

__all__ = ["AsanaStore", "FieldTree", "parse_opt_fields", "select_fields", "compact", "HELP"]

HELP = (
    "For more information on API status codes and how to handle them, "
    "read the docs on errors: https://developers.asana.com/docs/errors"
)
GID_BASE = 1_210_000_000_000_000
DEFAULT_STATUS_OPTIONS = ("On track", "At risk", "Blocked", "Done", "Cancelled")
OPTION_COLORS = ("green", "yellow", "red", "blue", "none")

FieldTree = dict[str, "FieldTree"]


def parse_opt_fields(raw: str | None) -> FieldTree | None:
    """Turn ``name,memberships.section.name`` into a tree; None when the parameter is absent."""
    if raw is None:
        return None
    tree: FieldTree = {}
    for item in raw.split(","):
        item = item.strip()
        if not item:
            continue
        node = tree
        for part in item.split("."):
            node = node.setdefault(part, {})
    return tree


def compact(value: Any) -> Any:
    """The compact form of a nested value: gid, resource_type and name (recursively for wrappers)."""
    if isinstance(value, list):
        return [compact(v) for v in value]
    if isinstance(value, dict):
        if "gid" in value:
            return {k: value[k] for k in ("gid", "resource_type", "name") if k in value}
        return {k: compact(v) for k, v in value.items()}
    return value


def select_fields(full: dict[str, Any], tree: FieldTree, kind: str) -> dict[str, Any]:
    """Keep gid, resource_type and the asked fields; 400 on a field the resource does not have."""
    out: dict[str, Any] = {k: full[k] for k in ("gid", "resource_type") if k in full}
    for name, sub in tree.items():
        if name not in full:
            raise ApiError(400, f"opt_fields: Unknown field '{name}' on {kind}")
        out[name] = _pick(full[name], sub)
    return out


def _pick(value: Any, tree: FieldTree) -> Any:
    if isinstance(value, list):
        return [_pick(v, tree) for v in value]
    if isinstance(value, dict):
        if not tree:
            return compact(value)
        out = {k: value[k] for k in ("gid", "resource_type") if k in value}
        for name, sub in tree.items():
            if name in value:
                out[name] = _pick(value[name], sub)
        return out
    return value


def encode_offset(kind: str, position: int) -> str:
    """An opaque offset token, as Asana hands out."""
    raw = json.dumps({"k": kind, "p": position}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_offset(token: str, kind: str) -> int:
    """The position inside a token; 400 when it is not one of ours or belongs to another listing."""
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if data["k"] != kind or int(data["p"]) < 0:
            raise ValueError(token)
        return int(data["p"])
    except (ValueError, KeyError, TypeError, json.JSONDecodeError):
        raise ApiError(400, "offset: Your pagination token is invalid.") from None


class AsanaStore(AsanaSocialStore, AsanaJson):
    """Workspaces, teams, users, projects, sections, tasks, custom fields, stories and status updates."""

    stamp = staticmethod(iso)

    def __init__(self, clock: Any) -> None:
        self.clock = clock
        self.users: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, str] = {}
        self.workspaces: dict[str, dict[str, Any]] = {}
        self.teams: dict[str, dict[str, Any]] = {}
        self.projects: dict[str, dict[str, Any]] = {}
        self.sections: dict[str, dict[str, Any]] = {}
        self.tasks: dict[str, dict[str, Any]] = {}
        self.tags: dict[str, str] = {}  # tag name -> gid (seed API only)
        self.fields: dict[str, dict[str, Any]] = {}
        self.stories: dict[str, dict[str, Any]] = {}
        self.status_updates: dict[str, dict[str, Any]] = {}
        self.events: list[dict[str, Any]] = []  # GET /events (asana_events.py)
        self.sync_salt = secrets.token_hex(6)  # tokens of another emulator are "invalid or too old"
        self._next = GID_BASE

    def gid(self) -> str:
        """A fresh numeric-string gid."""
        self._next += 1
        return str(self._next)

    # -- creation ----------------------------------------------------------------------------------
    def new_workspace(self, name: str, is_organization: bool = True) -> str:
        """Add a workspace (organisation)."""
        gid = self.gid()
        self.workspaces[gid] = {"gid": gid, "name": name, "is_organization": is_organization}
        return gid

    def new_user(self, name: str, email: str, workspaces: list[str], token: str | None) -> str:
        """Add a user, member of the given workspaces, optionally owning a PAT."""
        gid = self.gid()
        self.users[gid] = {"gid": gid, "name": name, "email": email, "workspaces": list(workspaces)}
        if token:
            self.tokens[token] = gid
        return gid

    def new_team(self, workspace: str, name: str) -> str:
        """Add a team to a workspace."""
        self.workspace(workspace)
        gid = self.gid()
        self.teams[gid] = {"gid": gid, "name": name, "workspace": workspace, "description": ""}
        return gid

    def new_project(
        self,
        name: str,
        workspace: str,
        team: str | None,
        notes: str = "",
        owner: str | None = None,
        sections: tuple[str, ...] | None = None,
    ) -> str:
        """Add a project; with no section names it gets Asana's default 'Untitled section'."""
        now = self.clock()
        gid = self.gid()
        self.projects[gid] = {
            "gid": gid,
            "name": name,
            "notes": notes,
            "workspace": workspace,
            "team": team,
            "owner": owner,
            "archived": False,
            "color": None,
            "created_at": now,
            "modified_at": now,
            "due_on": None,
            "start_on": None,
            "sections": [],
            "tasks": [],
            "fields": [],
        }
        for title in sections if sections is not None else ("Untitled section",):
            self.new_section(gid, title)
        return gid

    def new_section(self, project: str, name: str) -> str:
        """Add a section at the end of a project."""
        proj = self.project(project)
        gid = self.gid()
        self.sections[gid] = {"gid": gid, "name": name, "project": project, "created_at": self.clock()}
        proj["sections"].append(gid)
        return gid

    def new_field(self, workspace: str, name: str, options: tuple[str, ...]) -> str:
        """Add an enum custom field to a workspace."""
        gid = self.gid()
        opts = [
            {
                "gid": self.gid(),
                "resource_type": "enum_option",
                "name": o,
                "color": OPTION_COLORS[i % len(OPTION_COLORS)],
                "enabled": True,
            }
            for i, o in enumerate(options)
        ]
        self.fields[gid] = {"gid": gid, "name": name, "workspace": workspace, "enum_options": opts}
        return gid

    def new_task(
        self,
        *,
        name: str,
        workspace: str,
        memberships: list[tuple[str, str]],
        notes: str = "",
        assignee: str | None = None,
        due_on: str | None = None,
        start_on: str | None = None,
        completed: bool = False,
        parent: str | None = None,
        values: dict[str, str] | None = None,
        subtype: str = "default_task",
        tags: list[str] | tuple[str, ...] = (),
        due_at: dt.datetime | None = None,
        start_at: dt.datetime | None = None,
    ) -> str:
        """Add a task with (project, section) memberships; the caller has validated the input."""
        now = self.clock()
        gid = self.gid()
        self.tasks[gid] = {
            "gid": gid,
            "name": name,
            "notes": notes,
            "workspace": workspace,
            "assignee": assignee,
            "due_on": due_on,
            "start_on": start_on,
            "due_at": due_at,
            "start_at": start_at,
            "completed": completed,
            "completed_at": now if completed else None,
            "created_at": now,
            "modified_at": now,
            "memberships": list(memberships),
            "parent": parent,
            "subtasks": [],
            "dependencies": [],
            "dependents": [],
            "values": dict(values or {}),
            "resource_subtype": subtype,
            "tags": [self.tags[t] if t in self.tags else self.tags.setdefault(t, self.gid()) for t in tags],
        }
        for project, _section in memberships:
            self.project(project)["tasks"].append(gid)
        if parent:
            self.task(parent)["subtasks"].append(gid)
        log_event(self, self.tasks[gid], "added")
        return gid

    # -- lookups (404 in Asana's words) ------------------------------------------------------------
    def _get(self, table: dict[str, dict[str, Any]], gid: str, kind: str) -> dict[str, Any]:
        obj = table.get(str(gid))
        if obj is None:
            if not str(gid).isdigit():
                raise ApiError(400, f"{kind}: Not a recognized ID: {gid}")
            raise ApiError(404, f"{kind}: Unknown object: {gid}")
        return obj

    def workspace(self, gid: str) -> dict[str, Any]:
        return self._get(self.workspaces, gid, "workspace")

    def team(self, gid: str) -> dict[str, Any]:
        return self._get(self.teams, gid, "team")

    def user(self, gid: str) -> dict[str, Any]:
        return self._get(self.users, gid, "user")

    def project(self, gid: str) -> dict[str, Any]:
        return self._get(self.projects, gid, "project")

    def section(self, gid: str) -> dict[str, Any]:
        return self._get(self.sections, gid, "section")

    def task(self, gid: str) -> dict[str, Any]:
        return self._get(self.tasks, gid, "task")

    def field(self, gid: str) -> dict[str, Any]:
        return self._get(self.fields, gid, "custom_field")

    def resolve_user(self, ref: str, me: str, name: str = "assignee") -> str:
        """A user gid from a gid, an email or 'me'."""
        if ref == "me":
            return me
        for gid, user in self.users.items():
            if ref in (gid, user["email"]):
                return gid
        if name == "user" and (ref.isdigit() or "@" in ref):
            raise ApiError(404, f"user: Unknown object: {ref}")
        raise ApiError(400, f"{name}: Not a recognized ID: {ref}")

    def delete_task(self, gid: str) -> None:
        """Remove a task, its subtasks and stories, and every link to them."""
        log_event(self, self.tasks[gid], "deleted")
        task = self.tasks.pop(gid)
        for child in list(task["subtasks"]):
            if child in self.tasks:
                self.delete_task(child)
        for project, _ in task["memberships"]:
            self.projects[project]["tasks"].remove(gid)
        if task["parent"] in self.tasks:
            self.tasks[task["parent"]]["subtasks"].remove(gid)
        for other in task["dependencies"] + task["dependents"]:
            if other in self.tasks:
                for key in ("dependencies", "dependents"):
                    if gid in self.tasks[other][key]:
                        self.tasks[other][key].remove(gid)
        for story in [s for s, v in self.stories.items() if v["target"] == gid]:
            del self.stories[story]

    def touch(self, task: dict[str, Any]) -> None:
        """Bump modified_at, as every change in Asana does, and log the change event."""
        task["modified_at"] = self.clock()
        log_event(self, task, "changed")

    def option_gid(self, fgid: str, name: str) -> str:
        """The gid of an enum option by name (seed helpers)."""
        for option in self.field(fgid)["enum_options"]:
            if option["name"] == name:
                return option["gid"]
        raise KeyError(f"no option {name!r} on custom field {fgid}")
