"""The Asana account's plumbing under AsanaProvider: settings read once, the process-wide SDK client on
collabsync's session, calls and batches, task listing, teams, sections and the status field (the adapter's
public methods live in providers/asana.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import asana

from collabsync.errors import NotFoundError, ProviderError
from collabsync.http import make_session
from collabsync.model import Container, SectionSpec, Status
from collabsync.providers.asana_transport import api_client, cached_sessions, call
from collabsync.providers.base import Provider, ProviderContext
from collabsync.ratelimit import Limit

__all__ = ["AsanaPlumbing", "DEFAULT_STATUS_SECTIONS", "DEFAULT_STATUS_OPTIONS"]

DEFAULT_BASE_URL = "https://app.asana.com/api/1.0"
PAGE = 100
SINCE_OVERLAP = dt.timedelta(seconds=60)
SECTION_SEP = ": "
DEFAULT_STATUS_SECTIONS = {
    "In Progress": "in_progress",
    "Doing": "in_progress",
    "Blocked": "blocked",
    "Cancelled": "cancelled",
}
DEFAULT_STATUS_OPTIONS = {
    "Not started": "todo",
    "On track": "in_progress",
    "In progress": "in_progress",
    "At risk": "in_progress",
    "Off track": "blocked",
    "Blocked": "blocked",
    "Done": "done",
    "Cancelled": "cancelled",
}


class AsanaPlumbing(Provider):
    """What every Asana operation stands on; AsanaProvider adds the neutral methods and the mappers."""

    def __init__(self, name: str, settings: Mapping[str, Any], context: ProviderContext) -> None:
        super().__init__(name, settings, context)
        self.require_settings("token")
        self.token = str(self.settings["token"])
        self.workspace = str(self.settings.get("workspace") or "")
        self.team = str(self.settings["team"]) if self.settings.get("team") else None
        self.base_url = str(self.settings.get("base_url") or DEFAULT_BASE_URL).rstrip("/")
        self.use_credential(self.base_url, self.token)
        self.status_sections = {
            k.casefold(): Status(v)
            for k, v in dict(self.settings.get("status_sections") or DEFAULT_STATUS_SECTIONS).items()
        }
        self.status_field = self.settings.get("status_field")
        self.status_options = {
            k.casefold(): Status(v)
            for k, v in dict(self.settings.get("status_options") or DEFAULT_STATUS_OPTIONS).items()
        }
        # Published: 150 requests/min (free) or 1,500 (paid) per token, 50 concurrent reads, 15 concurrent writes.
        # The plan cannot be asked, so the default budget fits the free one; paid workspaces set requests_per_minute.
        self.policy.max_reads, self.policy.max_writes = 45, 13
        if self.settings.get("requests_per_minute"):
            self.policy.rate_limit = (int(self.settings["requests_per_minute"]), 60.0)
        else:
            self.policy.limits = (Limit(150, 60.0, "free plan, per token"),)
        self._workspace_gid: str | None = self.workspace if self.workspace.isdigit() else None
        self._teams: dict[str, str] = {}
        self._sections: dict[str, dict[str, str]] = {}
        self._fields: dict[str, tuple[str, dict[str, str]] | None] = {}
        self._client: Any = None
        self._notes: dict[str, str] = {}  # notes this process wrote, so annotate needs no read
        #: project gid -> its events since the stored sync token, asked with other projects' (prefetch_changes)
        self._events: dict[str, Any] = {}

    @property
    def client(self) -> Any:
        """The process-wide ApiClient for this credential, on a collabsync session."""
        if self._client is None:
            cache = self.cache_file()
            self._client = api_client(
                self.base_url,
                self.token,
                f"|{cache}|{self.policy}",
                lambda: make_session(self.name, self.policy, cache_path=cache, cache_ttl=self.context.cache_ttl),
                self.name,
            )
        return self._client

    def _call(self, obj: str, fn: Any, *args: Any) -> Any:
        return call(self.name, obj, fn, *args)

    def _batch(self, obj: str, actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """One POST /batch (at most 10 actions); results in action order."""
        body = {"data": {"actions": actions}}
        api = asana.BatchAPIApi(self.client)
        try:
            result = self._call(obj, lambda: api.create_batch_request(body, {}, full_payload=True))
        finally:
            self._invalidate_cache()
        results = list(result.get("data") or []) if isinstance(result, dict) else []
        if len(results) != len(actions):
            raise ProviderError(self.name, obj, f"batch answered {len(results)} results for {len(actions)} actions")
        return results

    def open_sessions(self) -> list[Any]:
        """Every cached session of this credential in the process (clients are shared per credential)."""
        return cached_sessions(self.base_url, self.token)

    def _list_tasks(
        self, container: Container, fields: Sequence[str], since: dt.datetime | None
    ) -> list[dict[str, Any]]:
        tasks_api = asana.TasksApi(self.client)
        opts: dict[str, Any] = {"opt_fields": ",".join(fields), "limit": PAGE}
        if since is None:
            return self._call(
                f"tasks of project {container.ref}", lambda: list(tasks_api.get_tasks_for_project(container.ref, opts))
            )
        moment = (since if since.tzinfo else since.replace(tzinfo=dt.UTC)) - SINCE_OVERLAP
        stamp = moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        opts.update(project=container.ref, modified_since=stamp)
        return self._call(f"tasks of project {container.ref}", lambda: list(tasks_api.get_tasks(opts)))

    def _team_gid(self, team: Any) -> str:
        if not team:
            raise self.config_error(
                f"providers.{self.name}: an Asana destination needs "
                "'project' or 'team' (or a 'team' in the provider settings)"
            )
        team = str(team)
        if team.isdigit():
            return team
        if team not in self._teams:
            workspace = self._workspace()
            teams = self._call(
                f"teams of workspace {workspace}",
                lambda: list(
                    asana.TeamsApi(self.client).get_teams_for_workspace(
                        workspace, {"opt_fields": "name", "limit": PAGE}
                    )
                ),
            )
            self._teams.update({t["name"]: t["gid"] for t in teams})
            if team not in self._teams:
                raise NotFoundError(self.name, f"team {team!r}", f"no such team in workspace {workspace}")
        return self._teams[team]

    def _workspace(self) -> str:
        if self._workspace_gid is None:
            self.check()
        assert self._workspace_gid is not None
        return self._workspace_gid

    def _prefix(self, container: Container) -> str:
        return f"{container.extra.get('instance')}{SECTION_SEP}" if container.extra.get("mode") == "project" else ""

    def _section_name(self, container: Container, title: str) -> str:
        return self._prefix(container) + title

    def _section_map(self, container: Container, refresh: bool = False) -> dict[str, str]:
        """casefolded section name -> gid, read once per project."""
        if refresh or container.ref not in self._sections:
            api = asana.SectionsApi(self.client)
            sections = self._call(
                f"sections of project {container.ref}",
                lambda: list(api.get_sections_for_project(container.ref, {"opt_fields": "name", "limit": PAGE})),
            )
            self._sections[container.ref] = {s["name"].casefold(): s["gid"] for s in sections}
        return self._sections[container.ref]

    def _status_section(self, container: Container, ref: str, status: Status) -> str | None:
        """The section a status lives in (created when missing); TODO leaves status sections for the first other one."""
        existing = self._section_map(container)
        prefix = self._prefix(container)
        if status in (Status.DONE,):
            return None
        if status == Status.TODO:
            task = self._call(
                f"task {ref}",
                asana.TasksApi(self.client).get_task,
                ref,
                {"opt_fields": "memberships.project.gid,memberships.section.name"},
            )
            current = _section_of(task, container.ref) or ""
            if current.removeprefix(prefix).casefold() not in self.status_sections:
                return None
            mine = [
                gid
                for name, gid in existing.items()
                if name.startswith(prefix.casefold())
                and name.removeprefix(prefix.casefold()) not in self.status_sections
                and name != "untitled section"
            ]
            return mine[0] if mine else None
        names = [n for n, s in self.status_sections.items() if s == status]
        if not names:
            raise ProviderError(self.name, f"task {ref}", f"no section maps to {status.value}; set status_sections")
        for name in names:
            if (prefix.casefold() + name) in existing:
                return existing[prefix.casefold() + name]
        title = next(
            k
            for k, v in dict(self.settings.get("status_sections") or DEFAULT_STATUS_SECTIONS).items()
            if k.casefold() == names[0]
        )
        return self.ensure_sections(container, [SectionSpec(f"status:{status.value}", title)])[f"status:{status.value}"]

    def _status_field(self, container: Container) -> tuple[str, dict[str, str]]:
        """(field gid, casefolded option name -> option gid) of the configured enum field on this project."""
        if container.ref not in self._fields:
            settings = self._call(
                f"custom fields of project {container.ref}",
                lambda: list(
                    asana.CustomFieldSettingsApi(self.client).get_custom_field_settings_for_project(
                        container.ref, {"opt_fields": "custom_field.name,custom_field.enum_options.name", "limit": PAGE}
                    )
                ),
            )
            wanted = str(self.status_field).casefold()
            found = next(
                (
                    s["custom_field"]
                    for s in settings
                    if (s.get("custom_field") or {}).get("name", "").casefold() == wanted
                ),
                None,
            )
            self._fields[container.ref] = (
                None
                if found is None
                else (found["gid"], {o["name"].casefold(): o["gid"] for o in found.get("enum_options") or []})
            )
        value = self._fields[container.ref]
        if value is None:
            raise NotFoundError(
                self.name,
                f"custom field {self.status_field!r}",
                f"not on project {container.ref}; add it to the project or unset status_field",
            )
        return value

    def _project_url(self, gid: str) -> str:
        return f"https://app.asana.com/0/{gid}/list"

    def _task_url(self, container: Container, gid: str) -> str:
        return f"https://app.asana.com/0/{container.ref}/{gid}"


def _section_of(row: dict[str, Any], project: str) -> str | None:
    for m in row.get("memberships") or []:
        if (m.get("project") or {}).get("gid") in (project, None) and m.get("section"):
            return m["section"].get("name")
    return None
