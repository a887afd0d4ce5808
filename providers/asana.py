"""The Asana adapter (issue #6): the asana 5.x SDK's API classes over collabsync's HTTP policy.

Destinations: ``project = "<gid>"`` puts each instance into an existing project as sections named
``"<instance>: <section>"``; ``team = "<gid or name>"`` (or the provider's ``team``) makes one new
project per instance, found again by the marker in its notes. Tasks are written with ``POST /batch``
(10 actions a request), each carrying the marker ``collabsync:INSTANCE/KEY`` as the last line of its
notes. Status: completed -> done; in_progress / blocked / cancelled come from section names
(``status_sections``) or from an enum custom field (``status_field`` + ``status_options``).
Subtasks are not counted (Asana lists only top-level tasks of a project); ``Task.extra["num_subtasks"]``
says how many each task has.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import asana

from collabsync.errors import ConfigError, NotFoundError
from collabsync.findings import Finding, Needs
from collabsync.http import POLICY_SETTINGS_SCHEMA
from collabsync.model import (
    Container,
    Created,
    Status,
    Task,
    TaskChange,
    insert_above_marker,
    marker,
    parse_marker,
    with_marker,
)
from collabsync.providers import asana_publish
from collabsync.providers.asana_plumbing import (
    DEFAULT_BASE_URL,
    DEFAULT_STATUS_OPTIONS,
    DEFAULT_STATUS_SECTIONS,
    PAGE,
    SECTION_SEP,
    _section_of,
)
from collabsync.providers.asana_preflight import preflight
from collabsync.providers.asana_writes import AsanaWrites
from collabsync.providers.base import Capability, Changes, TextLimits, ToolUser
from collabsync.providers.people_tools import asana_assign, asana_user

__all__ = ["AsanaProvider", "DEFAULT_STATUS_SECTIONS", "DEFAULT_STATUS_OPTIONS"]

READ_FIELDS = (
    "name",
    "completed",
    "assignee.name",
    "due_on",
    "start_on",
    "memberships.project.gid",
    "memberships.section.name",
    "modified_at",
    "dependencies",
    "notes",
    "num_subtasks",
)
#: A tracked project needs no marker (no notes) and maps departments by tag or section.
TRACKED_FIELDS = tuple(f for f in READ_FIELDS if f != "notes") + ("tags.name",)
_PROJECT_URL = re.compile(r"^https?://app\.asana\.com/(?:0/(\d+)|1/\d+/project/(\d+))(?:[/?#]|$)")
_STATUSES = [s.value for s in Status]
_STATUS_MAP = {"type": "object", "additionalProperties": {"enum": _STATUSES}}


class AsanaProvider(AsanaWrites):
    """One Asana account (a personal access token) in one workspace."""

    type_name = "asana"
    # Asana documents no length limit for a task's name or notes ("This is generally a short sentence fragment
    # ... However, it can be longer", Task schema of asana_oas.yaml); only custom text fields are capped (1,024).
    text_limits = TextLimits(source="Asana API reference")
    capabilities = frozenset(
        {
            Capability.SECTIONS,
            Capability.BULK_CREATE,
            Capability.DEPENDENCIES,
            Capability.MARKER_SEARCH,
            Capability.INCREMENTAL_READ,
            Capability.STATUS_UPDATE,
            Capability.ANNOTATE,
            Capability.PUBLISH,
            Capability.READ_CHANGES,
        }
    )
    settings_schema = {
        "type": "object",
        "additionalProperties": False,
        "required": ["token", "workspace"],
        "properties": {
            "token": {"type": "string", "minLength": 4, "description": "Personal access token (use ${ENV})"},
            "workspace": {"type": ["string", "integer"], "description": "Workspace gid or name"},
            "team": {"type": ["string", "integer"], "description": "Default team (gid or name) for new projects"},
            "base_url": {"type": "string", "pattern": "^https?://", "description": "Default " + DEFAULT_BASE_URL},
            "status_sections": {**_STATUS_MAP, "description": "Section name -> status (replaces the defaults)"},
            "status_field": {"type": "string", "description": "Name of an enum custom field holding the status"},
            "status_options": {**_STATUS_MAP, "description": "Enum option name -> status (replaces the defaults)"},
            "requests_per_minute": {"type": "integer", "minimum": 1, "description": "Client-side budget"},
            **POLICY_SETTINGS_SCHEMA,
        },
    }
    destination_schema = {
        "type": "object",
        "additionalProperties": False,
        "not": {"required": ["project", "team"]},
        "properties": {
            "project": {
                "type": ["string", "integer"],
                "pattern": "^[0-9]+$",
                "description": "Existing project gid: the instance becomes sections in it",
            },
            "team": {
                "type": ["string", "integer"],
                "description": "Team gid or name: the instance becomes a new project",
            },
        },
    }

    # -- account -------------------------------------------------------------------------------
    def check(self) -> str:
        """One GET /users/me: the token works and the workspace is one of the user's."""
        me = self._call(
            "user me", asana.UsersApi(self.client).get_user, "me", {"opt_fields": "name,email,workspaces.name"}
        )
        workspaces = me.get("workspaces") or []
        found = next((w for w in workspaces if self.workspace in (w.get("gid"), w.get("name"))), None)
        if found is None:
            names = ", ".join(f"{w.get('name')} ({w.get('gid')})" for w in workspaces) or "none"
            raise NotFoundError(self.name, f"workspace {self.workspace}", f"not among this token's workspaces: {names}")
        self._workspace_gid = found["gid"]
        return f"{me.get('name')} <{me.get('email')}> in workspace {found.get('name')} ({found['gid']})"

    def describe(self, destination: Mapping[str, Any]) -> str:
        """Where an instance goes, in words."""
        if destination.get("project"):
            return f"sections '<instance>{SECTION_SEP}…' in project {destination['project']}"
        return f"a new project in team {destination.get('team') or self.team or '(none configured)'}"

    def preflight(
        self, destination: Mapping[str, Any], needs: Needs, container: Container | None = None
    ) -> list[Finding]:
        """Workspace, team or project, the status field's options and dates (providers/asana_preflight.py)."""
        return preflight(self, destination, needs, container)

    # -- stamping ------------------------------------------------------------------------------
    def ensure_container(
        self, instance: str, title: str, description: str, destination: Mapping[str, Any]
    ) -> Container:
        """Project mode: the existing project. Team mode: the team's project carrying the marker, or a new one."""
        if destination.get("project"):
            gid = str(destination["project"])
            project = self._call(
                f"project {gid}", asana.ProjectsApi(self.client).get_project, gid, {"opt_fields": "name"}
            )
            return Container(
                gid,
                f"{project.get('name')} / {instance}",
                self._project_url(gid),
                {"mode": "project", "instance": instance, "project": gid},
            )
        team = self._team_gid(destination.get("team") or self.team)
        mark = marker(instance)
        projects_api = asana.ProjectsApi(self.client)
        projects = self._call(
            f"projects of team {team}",
            lambda: list(
                projects_api.get_projects_for_team(
                    team, {"opt_fields": "name,notes", "archived": "false", "limit": PAGE}
                )
            ),
        )
        for project in projects:
            if parse_marker(project.get("notes")) == (instance, None):
                return Container(
                    project["gid"],
                    project.get("name") or title,
                    self._project_url(project["gid"]),
                    {"mode": "team", "instance": instance, "project": project["gid"]},
                )
        body = {"data": {"name": title, "notes": with_marker(description, mark)}}
        self._invalidate_cache()
        made = self._call(
            f"project {title!r} in team {team}",
            asana.ProjectsApi(self.client).create_project_for_team,
            body,
            team,
            {"opt_fields": "name"},
        )
        return Container(
            made["gid"],
            title,
            self._project_url(made["gid"]),
            {"mode": "team", "instance": instance, "project": made["gid"]},
            created=True,
        )

    def annotate(self, ref: str, lines: Sequence[str]) -> None:
        """Insert lines above the marker: one PUT when this process wrote the task, else a read first."""
        tasks = asana.TasksApi(self.client)
        notes = self._notes.get(ref)
        if notes is None:  # not written by this process: read it
            notes = self._call(f"task {ref}", tasks.get_task, ref, {"opt_fields": "notes"}).get("notes") or ""
        new = insert_above_marker(notes, list(lines))
        if new != notes:
            try:
                self._call(f"task {ref}", tasks.update_task, {"data": {"notes": new}}, ref, {"opt_fields": "notes"})
            finally:
                self._invalidate_cache()
        self._notes[ref] = new

    def find_marked(self, container: Container, instance: str) -> dict[str, Created]:
        """Every task of the project whose notes end with this instance's marker."""
        out: dict[str, Created] = {}
        for task in self._list_tasks(container, ("notes",), None):
            found = parse_marker(task.get("notes"))
            if found and found[0] == instance and found[1]:
                out[found[1]] = Created(found[1], task["gid"], self._task_url(container, task["gid"]))
        return out

    # -- reading and updating --------------------------------------------------------------------
    def resolve_source(self, source: str) -> Container:
        """A project gid or URL (https://app.asana.com/0/<gid>/...), checked by one GET /projects/{gid}."""
        text = source.strip()
        found = _PROJECT_URL.match(text)
        gid = (found.group(1) or found.group(2)) if found else text
        if not gid.isdigit():
            raise ConfigError.single(
                "track", f"{source!r} is not an Asana project gid or https://app.asana.com/0/<project gid>/... URL"
            )
        project = self._call(
            f"project {gid}", asana.ProjectsApi(self.client).get_project, gid, {"opt_fields": "name,permalink_url"}
        )
        return Container(
            gid,
            str(project.get("name") or gid),
            project.get("permalink_url") or self._project_url(gid),
            {"mode": "tracked", "instance": None, "project": gid},
        )

    def read_tasks(self, container: Container, since: dt.datetime | None = None) -> list[Task]:
        """GET /projects/{gid}/tasks (or /tasks?modified_since=) with only the fields used, 100 a page."""
        rows = self._list_tasks(container, self._read_fields(container), since)
        return self._in_scope(container, [self._to_task(container, row) for row in rows])

    def read_changes(
        self, container: Container, since: dt.datetime, known: Mapping[str, Task], cursor: str | None = None
    ) -> Changes:
        """The project's events since `cursor`; what they name, or a lean listing (providers/asana_changes.py)."""
        from .asana_changes import read_changes

        return read_changes(self, container, since, known, cursor)

    def change_cursor(self, container: Container) -> str | None:
        """A fresh sync token of the project's events (providers/asana_changes.py)."""
        from .asana_changes import change_cursor

        return change_cursor(self, container)

    def prefetch_changes(self, wanted: Sequence[tuple[Container, dt.datetime, str | None]]) -> None:
        """Ten projects' event checks per POST /batch (providers/asana_changes.py)."""
        from .asana_changes import prefetch_changes

        prefetch_changes(self, wanted)

    def prefetch(self, containers: Sequence[Container]) -> None:
        """Incremental: the sync tokens of projects about to be read in full, ten per POST /batch."""
        if self.settings.get("incremental"):
            from .asana_changes import prefetch_cursors

            prefetch_cursors(self, containers)

    def _read_fields(self, container: Container) -> tuple[str, ...]:
        """The opt_fields a read asks for: what the neutral task needs, nothing more."""
        base = TRACKED_FIELDS if container.extra.get("mode") == "tracked" else READ_FIELDS
        return base + (("custom_fields.name", "custom_fields.enum_value.name") if self.status_field else ())

    def _in_scope(self, container: Container, tasks: list[Task]) -> list[Task]:
        """A shared project's tasks of this instance only (its marker or its sections' prefix)."""
        if container.extra.get("mode") != "project":
            return tasks
        prefix = self._prefix(container)
        return [
            t
            for t in tasks
            if (t.key and t.extra.get("instance") == container.extra.get("instance"))
            or t.extra.get("raw_section", "").startswith(prefix)
        ]

    def update_tasks(self, container: Container, changes: Sequence[TaskChange]) -> Iterator[Created]:
        """Batches of 10 task PUTs; see providers/lifecycle.py."""
        from .lifecycle import asana_update

        return asana_update(self, container, changes)

    def archive_container(self, container: Container) -> str:
        """Archive the project."""
        from .lifecycle import asana_archive

        return asana_archive(self, container)

    def resolve_person(self, email: str) -> ToolUser | None:
        """GET /users/{email} (providers/people_tools.py)."""
        return asana_user(self, email)

    def set_assignee(self, container: Container, ref: str, user: ToolUser | None) -> None:
        """PUT the task's assignee (providers/people_tools.py)."""
        asana_assign(self, ref, user)

    # The joint status in the tool's own form (a project status update): providers/asana_publish.py.
    publish_status = asana_publish.publish_status
    edit_status = asana_publish.edit_status
    find_status = asana_publish.find_status

    # -- mappers ---------------------------------------------------------------------------------
    def _to_task(self, container: Container, row: dict[str, Any]) -> Task:
        found = parse_marker(row.get("notes"))
        raw_section = _section_of(row, container.ref) or ""
        prefix = self._prefix(container)
        section = raw_section.removeprefix(prefix) if prefix and raw_section.startswith(prefix) else raw_section
        return Task(
            ref=row["gid"],
            key=found[1] if found else None,
            title=row.get("name") or "",
            status=self._to_status(row, section),
            section=section or None,
            assignee=self.person_of((row.get("assignee") or {}).get("gid"), (row.get("assignee") or {}).get("name")),
            start=_date(row.get("start_on")),
            due=_date(row.get("due_on")),
            labels=[t["name"] for t in row.get("tags") or [] if t.get("name")],
            depends_on=[d["gid"] for d in row.get("dependencies") or []],
            url=self._task_url(container, row["gid"]),
            updated=_time(row.get("modified_at")),
            extra={
                "num_subtasks": row.get("num_subtasks") or 0,
                "raw_section": raw_section,
                "instance": found[0] if found else None,
            },
        )

    def _to_status(self, row: dict[str, Any], section: str) -> Status:
        mapped: Status | None = None
        if self.status_field:
            for value in row.get("custom_fields") or []:
                named = (value.get("name") or "").casefold() == str(self.status_field).casefold()
                if named and value.get("enum_value"):
                    mapped = self.status_options.get(value["enum_value"]["name"].casefold())
        if mapped is None:
            mapped = self.status_sections.get(section.casefold())
        if mapped == Status.CANCELLED:
            return mapped
        if row.get("completed"):
            return Status.DONE
        return mapped or Status.TODO


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _time(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
