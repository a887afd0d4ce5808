"""The Asana emulator's seed API: build workspaces, projects and tasks directly, no HTTP."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from .asana_store import DEFAULT_STATUS_OPTIONS, AsanaStore

__all__ = ["AsanaSeedMixin", "BULK_SECTIONS"]

BULK_SECTIONS = ("To Do", "In Progress", "Blocked", "Done")
_PEOPLE = ("Grace Hopper", "Alan Turing", "Katherine Johnson")


class AsanaSeedMixin:
    """Seed helpers; every method takes the emulator lock, so tests may call them while it serves."""

    store: AsanaStore
    lock: Any
    token: str
    base_url: str

    def _seed_defaults(self) -> None:
        """One organisation, team and user owning the default PAT, plus a 'Status' enum field."""
        self.workspace_gid = self.store.new_workspace("Acme Corp")
        self.user_gid = self.store.new_user("Ada Lovelace", "ada@example.com", [self.workspace_gid], self.token)
        self.team_gid = self.store.new_team(self.workspace_gid, "Marketing")
        self.status_field_gid = self.store.new_field(self.workspace_gid, "Status", DEFAULT_STATUS_OPTIONS)

    def provider_settings(self) -> dict[str, str]:
        """The settings an Asana provider needs to reach the default account (token, workspace, team, base URL)."""
        return {"token": self.token, "workspace": self.workspace_gid, "team": self.team_gid, "base_url": self.base_url}

    def add_workspace(self, name: str, *, is_organization: bool = True) -> str:
        """A new workspace the default user belongs to."""
        with self.lock:
            gid = self.store.new_workspace(name, is_organization)
            self.store.users[self.user_gid]["workspaces"].append(gid)
            return gid

    def add_team(self, name: str, workspace: str | None = None) -> str:
        """A new team in a workspace (default: the default one)."""
        with self.lock:
            return self.store.new_team(workspace or self.workspace_gid, name)

    def add_user(
        self, name: str, email: str | None = None, *, token: str | None = None, workspaces: list[str] | None = None
    ) -> str:
        """A user of the default workspace; with `token`, that PAT authenticates as them."""
        with self.lock:
            email = email or name.lower().replace(" ", ".") + "@example.com"
            return self.store.new_user(name, email, workspaces or [self.workspace_gid], token)

    def add_project(
        self,
        name: str,
        *,
        team: str | None = None,
        workspace: str | None = None,
        notes: str = "",
        sections: tuple[str, ...] | list[str] | None = None,
        status_field: bool = True,
    ) -> str:
        """A project (with sections and, by default, the workspace's 'Status' enum field)."""
        with self.lock:
            team = team or (self.team_gid if workspace is None else None)
            workspace = workspace or self.store.teams[team]["workspace"] if team else workspace
            gid = self.store.new_project(
                name,
                workspace or self.workspace_gid,
                team,
                notes,
                owner=self.user_gid,
                sections=tuple(sections) if sections is not None else None,
            )
            if status_field:
                self.store.projects[gid]["fields"].append(self.status_field_gid)
            return gid

    def add_section(self, project_gid: str, name: str) -> str:
        """A section at the end of a project."""
        with self.lock:
            return self.store.new_section(project_gid, name)

    def add_task(
        self,
        project_gid: str,
        name: str,
        *,
        section: str | None = None,
        completed: bool = False,
        assignee: str | None = None,
        due_on: dt.date | str | None = None,
        start_on: dt.date | str | None = None,
        notes: str = "",
        status: str | None = None,
        parent: str | None = None,
        tags: list[str] | tuple[str, ...] = (),
    ) -> str:
        """A task in a project's section (by name or gid; default the first), bypassing validation."""
        with self.lock:
            project = self.store.project(project_gid)
            section_gid = self._section_gid(project_gid, section) if section else project["sections"][0]
            values = {}
            if status is not None:
                values[self.status_field_gid] = self.store.option_gid(self.status_field_gid, status)
            return self.store.new_task(
                name=name,
                workspace=project["workspace"],
                memberships=[] if parent else [(project_gid, section_gid)],
                notes=notes,
                assignee=self._user_gid(assignee),
                due_on=_iso(due_on),
                start_on=_iso(start_on),
                completed=completed,
                values=values,
                parent=parent,
                tags=tags,
            )

    def add_dependency(self, blocked_gid: str, blocking_gid: str) -> None:
        """blocked_gid depends on blocking_gid, as set in the Asana UI."""
        with self.lock:
            blocked, blocking = self.store.task(blocked_gid), self.store.task(blocking_gid)
            if blocking_gid not in blocked["dependencies"]:
                blocked["dependencies"].append(blocking_gid)
                blocking["dependents"].append(blocked_gid)

    def add_comment(self, task_gid: str, text: str, *, author: str | None = None) -> str:
        """A comment story on a task, by a user (name, e-mail or gid; default the token's owner)."""
        with self.lock:
            self.store.task(task_gid)
            return self.store.new_story(task_gid, self._user_gid(author) or self.user_gid, text)

    def add_status_update(self, project_gid: str, status_type: str, text: str, *, title: str = "") -> str:
        """A project status update (on_track, at_risk, off_track, on_hold or complete)."""
        with self.lock:
            self.store.project(project_gid)
            return self.store.new_status_update(project_gid, self.user_gid, status_type, title, text)

    def move_task(self, task_gid: str, section_name: str) -> None:
        """Move a task to a section (by name or gid) of its first project, like a drag in the UI."""
        with self.lock:
            task = self.store.task(task_gid)
            project_gid = task["memberships"][0][0]
            self.place(task, project_gid, self._section_gid(project_gid, section_name))  # type: ignore[attr-defined]

    def complete(self, task_gid: str, completed: bool = True) -> None:
        """Mark a task complete (or not), stamping completed_at and modified_at."""
        with self.lock:
            task = self.store.task(task_gid)
            if task["completed"] != completed:
                task["completed"] = completed
                task["completed_at"] = self.store.clock() if completed else None
            self.store.touch(task)

    def set_status_option(self, task_gid: str, option: str | None) -> None:
        """Set the 'Status' enum field of a task by option name (None clears it)."""
        with self.lock:
            task = self.store.task(task_gid)
            task["values"][self.status_field_gid] = (
                self.store.option_gid(self.status_field_gid, option) if option else None
            )
            self.store.touch(task)

    def task(self, task_gid: str) -> dict[str, Any]:
        """The full JSON representation of a task, for assertions."""
        with self.lock:
            self.store.task(task_gid)
            return self.store.full("task", task_gid, "")

    def project_tasks(self, project_gid: str) -> list[dict[str, Any]]:
        """Full representations of every task of a project, in project order."""
        with self.lock:
            return [self.store.full("task", g, "") for g in self.store.project(project_gid)["tasks"]]

    def projects_named(self, name: str) -> list[str]:
        """Gids of projects with this name."""
        with self.lock:
            return [g for g, p in self.store.projects.items() if p["name"] == name]

    def seed_bulk(self, containers: int, tasks: int, *, seed: int = 7) -> list[str]:
        """`containers` projects x `tasks` tasks: mixed sections, completion, assignees, due dates."""
        rng = random.Random(seed)
        today = dt.date.today()
        with self.lock:
            people = [self.user_gid] + [self.add_user(f"{n} {seed}") for n in _PEOPLE]
            projects = []
            for c in range(containers):
                pgid = self.add_project(f"Bulk project {c + 1}", sections=BULK_SECTIONS)
                projects.append(pgid)
                for t in range(tasks):
                    roll = rng.random()
                    section = (
                        "Done"
                        if roll < 0.25
                        else "Blocked"
                        if roll < 0.35
                        else "In Progress"
                        if roll < 0.6
                        else "To Do"
                    )
                    due = today + dt.timedelta(days=rng.randint(-20, 40)) if rng.random() < 0.85 else None
                    self.add_task(
                        pgid,
                        f"Task {c + 1}.{t + 1}",
                        section=section,
                        completed=section == "Done",
                        assignee=rng.choice(people + [None]),
                        due_on=due,
                        status="Blocked" if section == "Blocked" else None,
                    )
            return projects

    # -- helpers -------------------------------------------------------------------------------------
    def _section_gid(self, project_gid: str, section: str) -> str:
        project = self.store.project(project_gid)
        if section in project["sections"]:
            return section
        for gid in project["sections"]:
            if self.store.sections[gid]["name"] == section:
                return gid
        raise KeyError(f"project {project_gid} has no section {section!r}")

    def _user_gid(self, who: str | None) -> str | None:
        if who is None:
            return None
        for gid, user in self.store.users.items():
            if who in (gid, user["name"], user["email"]):
                return gid
        raise KeyError(f"no user {who!r}")


def _iso(value: dt.date | str | None) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)
