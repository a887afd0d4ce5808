"""Jira Cloud and Data Center through the `jira` SDK: an epic per instance, tasks as its children.

Writes go in bulk (POST /issue/bulk, 50 per request) with ids resolved once; dependencies become
"Blocks" links; every object carries the marker line and the label ``collabsync-<instance>`` so
one JQL search rebuilds a lost ledger. Reads list ids with /search/jql and fetch the issues by
bulkfetch on Cloud, and fetch /search startAt pages in parallel on Data Center (providers/jira_read.py).
The SDK's own retries and sleeps are replaced by the collabsync HTTP policy. Descriptions are written
through REST v2 (plain text) on both deployments.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from collabsync.errors import (
    AuthError,
    NotFoundError,
    UnsupportedError,
)
from collabsync.model import Container, Status, Task, marker, parse_marker, with_marker
from collabsync.providers.base import Capability, Changes, TextLimits, ToolUser

from .jira_read import read_changes, read_hits
from .jira_support import (
    DESTINATION_SCHEMA,
    SECTION_PREFIX,
    SETTINGS_SCHEMA,
    jql_time,
    json_body,
    label_safe,
    parse_source,
    split_order,
    to_task,
)
from .jira_writes import JiraIssueWrites

if TYPE_CHECKING:  # preflight's, the workflow's, people's and publishing's modules are imported where used: a read
    # needs none of them (issue 17)
    from collabsync.findings import Finding, Needs
    from collabsync.model_specs import Created, SectionSpec, TaskChange
    from collabsync.providers.published import Published
    from collabsync.report.publish_entry import StatusEntry

__all__ = ["JiraProvider"]

BASE_FIELDS = ("summary", "status", "assignee", "duedate", "labels", "issuelinks", "updated", "description", "parent")
#: A tracked source needs no marker (no description) and takes its sections from components.
TRACKED_FIELDS = ("summary", "status", "assignee", "duedate", "labels", "components", "issuelinks", "updated")


class JiraProvider(JiraIssueWrites):
    """One Jira site and account; a department's destination is a project key."""

    type_name = "jira"
    # Summary: 255 characters (Jira rejects longer with "Summary must be less than 255 characters", Cloud and Data
    # Center); description and other text areas: 32,767 characters ("The maximum length is 32767 characters",
    # CustomFieldContextDefaultValueTextArea in Atlassian's swagger-v3.v3.json). The epic's summary is the container title.
    text_limits = TextLimits(title=255, description=32_767, container_title=255, source="Jira REST API reference")
    capabilities = frozenset(
        {
            Capability.BULK_CREATE,
            Capability.DEPENDENCIES,
            Capability.MARKER_SEARCH,
            Capability.INCREMENTAL_READ,
            Capability.STATUS_UPDATE,
            Capability.ANNOTATE,
            Capability.CHECKLISTS,  # checklists as sub-tasks
            Capability.PUBLISH,
            Capability.READ_CHANGES,  # read_changes: Cloud; Data Center reads in full
        }
    )
    settings_schema = SETTINGS_SCHEMA
    destination_schema = DESTINATION_SCHEMA

    # -- account -------------------------------------------------------------------------------
    def check(self) -> str:
        """One GET /myself; on refusal, name the setting that is wrong."""
        response = self._send("GET", "myself")
        if response.status_code == 401:
            who = f"api_token refused for email {self.email}" if self.email else "token (Data Center PAT) refused"
            raise AuthError(self.name, "credentials", f"{who} at {self.url}", status=401)
        if response.status_code == 403:
            who = f"email {self.email}" if self.email else "the token's user"
            raise AuthError(self.name, "credentials", f"{who} may not use the REST API at {self.url}", status=403)
        if response.status_code == 404:
            raise NotFoundError(self.name, "url", f"no Jira REST API at {self.url} (check url)", status=404)
        me = json_body(self.name, "GET /myself", response) or {}
        self._time_zone = me.get("timeZone")
        return f"{me.get('displayName', '?')} <{me.get('emailAddress') or me.get('name', '?')}> on {self.url}"

    def describe(self, destination: Mapping[str, Any]) -> str:
        """Project and container kind for plans."""
        kind = destination.get("epic_issue_type") or self.settings.get("epic_issue_type") or "Epic"
        return f"Jira project {destination.get('project', '?')} ({kind} per instance) at {self.url}"

    def preflight(
        self, destination: Mapping[str, Any], needs: Needs, container: Container | None = None
    ) -> list[Finding]:
        """Screens, required fields, permissions, link type and workflow of the project (providers/jira_preflight.py)."""
        from .jira_preflight import preflight

        return preflight(self, destination, needs, container)

    # -- stamping ------------------------------------------------------------------------------
    def ensure_container(
        self, instance: str, title: str, description: str, destination: Mapping[str, Any]
    ) -> Container:
        """The instance's epic in the project (found by label + marker), else a new one; a label when no epic type."""
        key = str(destination.get("project") or "")
        if not key:
            raise self.config_error(f"a department routed to {self.name} needs `project`")
        project = json_body(self.name, f"project {key}", self._send("GET", f"project/{key}"))
        types = {t["name"]: str(t["id"]) for t in project.get("issueTypes", [])}
        epic_type = self._option(destination, "epic_issue_type", "Epic")
        task_type = self._option(destination, "issue_type", "Task")
        if task_type not in types:
            raise NotFoundError(
                self.name, f"project {key}", f"has no issue type {task_type!r} (has {', '.join(types)})"
            )
        label = label_safe(f"collabsync-{instance}")
        from .jira_subtasks import subtask_type_id

        extra: dict[str, Any] = {
            "project": key,
            "project_id": str(project["id"]),
            "issue_type_id": types[task_type],
            "label": label,
            "subtask_type_id": subtask_type_id(project),
            "instance": instance,
            "deployment": self._deployment_type(),
            "fields": self._field_ids(destination),
            "labels": [label_safe(x) for x in self._option(destination, "labels", [])],
        }
        if epic_type not in types:
            return Container(
                f"{key}/{label}", title, f"{self.url}/issues/?jql=labels%3D{label}", {**extra, "mode": "label"}
            )
        for hit in self._search(
            f'project = {key} AND labels = "{label}" AND issuetype = "{epic_type}"',
            ["summary", "description"],
            cached=False,
        ):
            if parse_marker((hit.get("fields") or {}).get("description")) == (instance, None):
                return self._epic(hit, title, extra, created=False)
        fields = {
            "project": {"id": extra["project_id"]},
            "issuetype": {"id": types[epic_type]},
            "summary": title,
            "description": with_marker(description or "", marker(instance)),
            "labels": [label],
        }
        if extra["fields"].get("epic_name"):  # Data Center requires it on epics
            fields[extra["fields"]["epic_name"]] = title[:255]
        fields.update(self.screens[key].values if key in self.screens else {})  # field_values the doctor resolved
        made = json_body(self.name, f"epic of {instance}", self._send("POST", "issue", json={"fields": fields}))
        return self._epic(made, title, extra, created=True)

    def ensure_sections(self, container: Container, sections: Sequence[SectionSpec]) -> dict[str, str]:
        """Sections become labels `section-<key>` on each task; nothing to create in Jira."""
        return {s.key: label_safe(SECTION_PREFIX + s.key) for s in sections}

    def find_marked(self, container: Container, instance: str) -> dict[str, Created]:
        """One JQL search on the instance label; the marker line gives each issue's template key."""
        from collabsync.model_specs import Created

        out: dict[str, Created] = {}
        jql = f'project = {container.extra["project"]} AND labels = "{label_safe("collabsync-" + instance)}"'
        for hit in self._search(jql, ["description"], cached=False):
            found = parse_marker((hit.get("fields") or {}).get("description"))
            if found and found[0] == instance and found[1]:
                out[found[1]] = Created(found[1], str(hit["id"]), f"{self.url}/browse/{hit['key']}")
        return out

    # -- reading and updating --------------------------------------------------------------------
    def resolve_source(self, source: str) -> Container:
        """A project key, a browse URL (project or issue) or a JQL query, checked by one GET; plus GET /field once."""
        kind, value = parse_source(source, self.url)
        deployment = self._deployment_type()
        extra: dict[str, Any] = {"mode": "tracked", "deployment": deployment, "fields": self._field_ids({})}
        if kind == "project":
            project = json_body(self.name, f"project {value}", self._send("GET", f"project/{value}"))
            key = str(project["key"])
            return Container(
                key,
                str(project.get("name") or key),
                f"{self.url}/browse/{key}",
                {**extra, "project": key, "jql": f"project = {key}"},
            )
        if kind == "issue":
            issue = json_body(
                self.name, f"issue {value}", self._send("GET", f"issue/{value}", params={"fields": "summary"})
            )
            key = str(issue["key"])
            return Container(
                key,
                str((issue.get("fields") or {}).get("summary") or key),
                f"{self.url}/browse/{key}",
                {**extra, "jql": f"key = {key} OR parent = {key}"},
            )
        where, _order = split_order(value)
        params = {"jql": where, "maxResults": 1, "fields": "id"}
        if deployment == "Server":
            json_body(self.name, f"search {value!r}", self._send("GET", "search", params=params))
        else:
            json_body(self.name, f"search {value!r}", self._send("GET", "search/jql", params=params))
        digest = hashlib.sha256(value.encode()).hexdigest()[:10]
        return Container(f"jql:{digest}", value, f"{self.url}/issues/?jql={quote(value)}", {**extra, "jql": value})

    def read_tasks(self, container: Container, since: dt.datetime | None = None) -> list[Task]:
        """Every child of the epic (or labelled issue, or tracked query), only the fields needed, de-duplicated by id."""
        jql, fields = self.read_query(container, since)
        convert, converted = self._converter(container), dict[str, Task]()

        def on_chunk(hits: list[dict[str, Any]]) -> None:  # in the read threads, while other chunks are in flight
            converted.update((str(hit["id"]), convert(hit)) for hit in hits)

        hits = read_hits(self, jql, fields, container.extra.get("deployment"), on_chunk=on_chunk)
        return self.to_tasks(container, hits, converted)

    def read_changes(
        self, container: Container, since: dt.datetime, known: Mapping[str, Task], cursor: str | None = None
    ) -> Changes | None:
        """An id-only listing plus the issues updated since `since` (providers/jira_read.py); None on Data Center."""
        return read_changes(self, container, since, known)

    def read_query(
        self, container: Container, since: dt.datetime | None = None, *, relative: str | None = None
    ) -> tuple[str, list[str]]:
        """The JQL (with its order) and fields of a container's read; `relative` is a JQL duration such as -90m."""
        extra = container.extra
        tracked = extra.get("mode") == "tracked"
        order = " ORDER BY key ASC"
        if tracked:
            jql, own_order = split_order(str(extra["jql"]))
            order = f" {own_order}" if own_order else order
            jql = f"({jql})" if since is not None or relative else jql
        elif extra.get("mode") == "label":
            jql = f'project = {extra["project"]} AND labels = "{extra["label"]}"'
        elif extra.get("deployment") == "Server":  # DC keeps epic children in "Epic Link", not `parent`
            jql = f'project = {extra["project"]} AND labels = "{extra["label"]}" AND issuekey != {extra["epic_key"]}'
        else:
            jql = f"parent = {extra['epic_key']}"
        if since is not None:
            jql += f' AND updated >= "{jql_time(since, self._user_time_zone())}"'
        if relative:
            jql += f' AND updated >= "{relative}"'
        ids = extra.get("fields") or {}
        fields = [
            *(TRACKED_FIELDS if tracked else BASE_FIELDS),
            *(i for i in (ids.get("story_points"), ids.get("flagged"), ids.get("start")) if i),
        ]
        return jql + order, fields

    def to_tasks(
        self, container: Container, hits: Iterable[Mapping[str, Any]], converted: Mapping[str, Task] | None = None
    ) -> list[Task]:
        """Search or bulkfetch hits as neutral tasks; "A blocks B" read on A also lands on B.

        `converted`: tasks already made from some hits (by id) while later requests were in flight.
        """
        convert, done = self._converter(container), converted or {}
        seen: dict[str, Task] = {}
        hits = list(hits)
        for hit in hits:
            key = str(hit["id"])
            seen[key] = done.get(key) or convert(hit)
        for blocked, blocking in self.blocks_of(hits):  # "A blocks B" read on A counts even if B's links were cut short
            task = seen.get(blocked)
            if task is not None and blocking not in task.depends_on:
                task.depends_on.append(blocking)
        return list(seen.values())

    def _converter(self, container: Container) -> Callable[[Mapping[str, Any]], Task]:
        """One hit as a neutral task, with what every hit of this container shares looked up once."""
        extra = container.extra
        tracked = extra.get("mode") == "tracked"
        ids, browse = extra.get("fields") or {}, f"{self.url}/browse"

        def convert(hit: Mapping[str, Any]) -> Task:
            return to_task(
                hit,
                instance=extra.get("instance"),
                browse=browse,
                field_ids=ids,
                blocked=self.blocked,
                cancelled=self.cancelled,
                link_type=self.link_type,
                person_of=self.person_of,
                section_from_components=tracked,
            )

        return convert

    def blocks_of(self, hits: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
        """(blocked id, blocking id) of the dependency links seen from the blocking end."""
        return [
            (str(link["outwardIssue"]["id"]), str(hit["id"]))
            for hit in hits
            for link in (hit.get("fields") or {}).get("issuelinks") or []
            if (link.get("type") or {}).get("name") == self.link_type and "outwardIssue" in link
        ]

    def set_status(self, container: Container, ref: str, status: Status) -> None:
        """Pick a transition by its target's category and configured names; Flagged stands in for a Blocked status."""
        status = Status(status)
        flagged = (container.extra.get("fields") or {}).get("flagged")
        obj = f"issue {ref}"
        got = json_body(
            self.name,
            obj,
            self._send(
                "GET",
                f"issue/{ref}",
                params={"fields": ",".join(["status", *([flagged] if flagged else [])]), "expand": "transitions"},
            ),
        )
        fields = got.get("fields") or {}
        is_flagged = bool(flagged and fields.get(flagged))
        if flagged and is_flagged and status is not Status.BLOCKED:
            self._set_flag(ref, flagged, False)
        if self._target_matches(fields.get("status") or {}, status):
            return
        chosen = self._transition_for(got.get("transitions") or [], status)
        if chosen is None and status is Status.BLOCKED and flagged:
            if not is_flagged:
                self._set_flag(ref, flagged, True)
            return
        if chosen is None:  # not one transition away: walk the workflow (providers/jira_workflow.py)
            from .jira_workflow import read_graph, walk

            chosen = walk(
                self,
                ref,
                status,
                fields.get("status") or {},
                got.get("transitions") or [],
                read_graph(self, container.extra),
            )
        if chosen is None:
            name = (fields.get("status") or {}).get("name", "?")
            raise UnsupportedError(self.name, obj, f"no transition from {name!r} to a {status.value} status")
        self._take_transition(ref, chosen)

    def update_tasks(self, container: Container, changes: Sequence[TaskChange]) -> Iterator[Created]:
        """Bulk edit where a group shares its dates (Cloud), else one PUT per issue; see providers/lifecycle.py."""
        from .lifecycle import jira_update

        return jira_update(self, container, changes)

    def archive_container(self, container: Container) -> str:
        """Resolve the instance's epic through the workflow."""
        from .lifecycle import jira_archive

        return jira_archive(self, container)

    def resolve_person(self, email: str) -> ToolUser | None:
        """User search by e-mail (providers/people_tools.py)."""
        from collabsync.providers.people_tools import jira_user

        return jira_user(self, email)

    def set_assignee(self, container: Container, ref: str, user: ToolUser | None) -> None:
        """PUT the issue's assignee (providers/people_tools.py)."""
        from collabsync.providers.people_tools import jira_assign

        jira_assign(self, ref, user)

    # The joint status in the tool's own form, a comment on the epic: providers/jira_publish.py.
    def publish_status(self, container: Container, entry: StatusEntry) -> Published:
        """POST the day's comment on the epic."""
        from .jira_publish import publish_status

        return publish_status(self, container, entry)

    def edit_status(self, container: Container, ref: str, entry: StatusEntry) -> Published:
        """PUT the day's comment in place."""
        from .jira_publish import edit_status

        return edit_status(self, container, ref, entry)

    def find_status(self, container: Container, entry: StatusEntry) -> Published | None:
        """The day's comment already on the epic (the reply to a write was lost), or None."""
        from .jira_publish import find_status

        return find_status(self, container, entry)

    def _epic(self, issue: Mapping[str, Any], title: str, extra: dict[str, Any], *, created: bool) -> Container:
        return Container(
            str(issue["key"]),
            title,
            f"{self.url}/browse/{issue['key']}",
            {**extra, "mode": "epic", "epic_key": issue["key"], "epic_id": str(issue["id"])},
            created=created,
        )
