"""The JSON representations of the Asana emulator's objects (a mixin of AsanaStore, apart from creation and lookups)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

__all__ = ["AsanaJson", "iso"]


def iso(moment: dt.datetime | None) -> str | None:
    """Asana's timestamp format: UTC with milliseconds and a Z."""
    if moment is None:
        return None
    utc = moment.astimezone(dt.UTC)  # isoformat pads the year to four digits, strftime does not
    return utc.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


class AsanaJson:
    """Renders users, workspaces, teams, sections, projects, tasks and custom fields; AsanaStore holds the data."""

    users: dict[str, dict[str, Any]]
    workspaces: dict[str, dict[str, Any]]
    teams: dict[str, dict[str, Any]]
    projects: dict[str, dict[str, Any]]
    sections: dict[str, dict[str, Any]]
    tasks: dict[str, dict[str, Any]]
    tags: dict[str, str]
    fields: dict[str, dict[str, Any]]

    if TYPE_CHECKING:

        def current_status_update(self, project: str) -> dict[str, Any] | None: ...

    def ref(self, kind: str, gid: str | None) -> dict[str, Any] | None:
        """The nested form of a referenced object (enough for dotted opt_fields)."""
        if gid is None:
            return None
        if kind == "user":
            u = self.users[gid]
            return {"gid": gid, "resource_type": "user", "name": u["name"], "email": u["email"]}
        table = {
            "workspace": self.workspaces,
            "team": self.teams,
            "project": self.projects,
            "section": self.sections,
            "task": self.tasks,
        }[kind]
        out = {"gid": gid, "resource_type": kind, "name": table[gid]["name"]}
        if kind == "task":
            out["resource_subtype"] = table[gid]["resource_subtype"]
            out["completed"] = table[gid]["completed"]
        return out

    def full(self, kind: str, gid: str, base_url: str) -> dict[str, Any]:
        """Every field of an object, nested references included."""
        return getattr(self, f"_full_{kind}")(gid, base_url)

    def _full_user(self, gid: str, base_url: str) -> dict[str, Any]:
        u = self.users[gid]
        return {
            "gid": gid,
            "resource_type": "user",
            "name": u["name"],
            "email": u["email"],
            "photo": None,
            "workspaces": [self.ref("workspace", w) for w in u["workspaces"]],
        }

    def _full_workspace(self, gid: str, base_url: str) -> dict[str, Any]:
        w = self.workspaces[gid]
        return {
            "gid": gid,
            "resource_type": "workspace",
            "name": w["name"],
            "email_domains": ["example.com"],
            "is_organization": w["is_organization"],
        }

    def _full_team(self, gid: str, base_url: str) -> dict[str, Any]:
        t = self.teams[gid]
        return {
            "gid": gid,
            "resource_type": "team",
            "name": t["name"],
            "description": t["description"],
            "html_description": f"<body>{t['description']}</body>",
            "organization": self.ref("workspace", t["workspace"]),
            "permalink_url": f"https://app.asana.com/0/team/{gid}",
            "visibility": "request_to_join",
        }

    def _full_section(self, gid: str, base_url: str) -> dict[str, Any]:
        s = self.sections[gid]
        return {
            "gid": gid,
            "resource_type": "section",
            "name": s["name"],
            "created_at": iso(s["created_at"]),
            "project": self.ref("project", s["project"]),
            "projects": [self.ref("project", s["project"])],
        }

    def _full_project(self, gid: str, base_url: str) -> dict[str, Any]:
        p = self.projects[gid]
        return {
            "gid": gid,
            "resource_type": "project",
            "name": p["name"],
            "notes": p["notes"],
            "html_notes": f"<body>{p['notes']}</body>",
            "archived": p["archived"],
            "color": p["color"],
            "completed": False,
            "completed_at": None,
            "created_at": iso(p["created_at"]),
            "modified_at": iso(p["modified_at"]),
            "default_view": "list",
            "due_on": p["due_on"],
            "start_on": p["start_on"],
            "public": True,
            "privacy_setting": "public_to_workspace",
            "owner": self.ref("user", p["owner"]),
            "team": self.ref("team", p["team"]),
            "workspace": self.ref("workspace", p["workspace"]),
            "members": [],
            "followers": [],
            "custom_fields": [],
            "custom_field_settings": [self.field_setting(gid, f) for f in p["fields"]],
            "current_status_update": self.current_status_update(gid),
            "permalink_url": f"https://app.asana.com/0/{gid}/{gid}",
        }

    def _full_task(self, gid: str, base_url: str) -> dict[str, Any]:
        t = self.tasks[gid]
        first_project = t["memberships"][0][0] if t["memberships"] else "0"
        return {
            "gid": gid,
            "resource_type": "task",
            "name": t["name"],
            "resource_subtype": t["resource_subtype"],
            "notes": t["notes"],
            "html_notes": f"<body>{t['notes']}</body>",
            "completed": t["completed"],
            "completed_at": iso(t["completed_at"]),
            "created_at": iso(t["created_at"]),
            "modified_at": iso(t["modified_at"]),
            "due_on": t["due_on"],
            "due_at": iso(t["due_at"]),
            "start_on": t["start_on"],
            "start_at": iso(t["start_at"]),
            "assignee": self.ref("user", t["assignee"]),
            "assignee_status": "upcoming",
            "assignee_section": None,
            "memberships": [
                {"project": self.ref("project", p), "section": self.ref("section", s)} for p, s in t["memberships"]
            ],
            "projects": [self.ref("project", p) for p, _ in t["memberships"]],
            "parent": self.ref("task", t["parent"]),
            "workspace": self.ref("workspace", t["workspace"]),
            "dependencies": [self.ref("task", d) for d in t["dependencies"]],
            "dependents": [self.ref("task", d) for d in t["dependents"]],
            "num_subtasks": len(t["subtasks"]),
            "custom_fields": self.task_values(t),
            "tags": [
                {"gid": g, "resource_type": "tag", "name": n} for n, g in self.tags.items() if g in t.get("tags", ())
            ],
            "followers": [],
            "liked": False,
            "num_likes": 0,
            "likes": [],
            "hearted": False,
            "num_hearts": 0,
            "hearts": [],
            "is_rendered_as_separator": False,
            "permalink_url": f"https://app.asana.com/0/{first_project}/{gid}",
        }

    def field_json(self, fgid: str) -> dict[str, Any]:
        """A custom field as Asana shows it in settings and on tasks."""
        f = self.fields[fgid]
        return {
            "gid": fgid,
            "resource_type": "custom_field",
            "name": f["name"],
            "resource_subtype": "enum",
            "type": "enum",
            "enum_options": [dict(o) for o in f["enum_options"]],
            "enabled": True,
            "description": "",
            "is_global_to_workspace": True,
            "has_notifications_enabled": True,
        }

    def field_setting(self, project: str, fgid: str) -> dict[str, Any]:
        """One custom field setting of a project."""
        return {
            "gid": f"{project}{fgid[-4:]}",
            "resource_type": "custom_field_setting",
            "is_important": True,
            "project": self.ref("project", project),
            "parent": self.ref("project", project),
            "custom_field": self.field_json(fgid),
        }

    def task_values(self, task: dict[str, Any]) -> list[dict[str, Any]]:
        """The custom_fields array of a task: every field of its projects, with the chosen option."""
        seen: list[str] = []
        for project, _ in task["memberships"]:
            seen += [f for f in self.projects[project]["fields"] if f not in seen]
        out = []
        for fgid in seen:
            value = self.field_json(fgid)
            chosen = task["values"].get(fgid)
            option = next((o for o in value["enum_options"] if o["gid"] == chosen), None)
            value["enum_value"] = option
            value["display_value"] = option["name"] if option else None
            out.append(value)
        return out
