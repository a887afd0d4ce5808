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
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jira import JIRA

from collabsync.errors import (
    AuthError,
    ConfigError,
    NotFoundError,
    ProviderError,
    RateLimitError,
    UnsupportedError,
)
from collabsync.findings import Finding, Needs
from collabsync.http import make_session
from collabsync.model import (
    Container,
    Created,
    Linked,
    NewTask,
    SectionSpec,
    Status,
    Task,
    TaskChange,
    insert_above_marker,
    marker,
    parse_marker,
    with_marker,
)
from collabsync.providers.base import Capability, Changes, Provider, ProviderContext, TextLimits, ToolUser
from collabsync.providers.people_tools import jira_assign, jira_user
from collabsync.ratelimit import Limit
from collabsync.redact import register_secret

from . import jira_publish
from .jira_preflight import ScreenPlan, edit_after_create, links_as_text, preflight
from .jira_read import read_changes, read_hits
from .jira_subtasks import create_subtasks, subtask_type_id
from .jira_support import (
    DEFAULT_BLOCKED,
    DEFAULT_CANCELLED,
    DESTINATION_SCHEMA,
    SECTION_PREFIX,
    SETTINGS_SCHEMA,
    JiraTransport,
    jql_time,
    json_body,
    label_safe,
    parse_source,
    sdk_errors,
    split_order,
    to_task,
)
from .jira_workflow import read_graph, walk

__all__ = ["JiraProvider"]

BULK_LIMIT = 50
_LATER = "_collabsync_after_create"  # fields set by an edit after create; removed before the payload is sent
BASE_FIELDS = ("summary", "status", "assignee", "duedate", "labels", "issuelinks", "updated", "description", "parent")
#: A tracked source needs no marker (no description) and takes its sections from components.
TRACKED_FIELDS = ("summary", "status", "assignee", "duedate", "labels", "components", "issuelinks", "updated")


class JiraProvider(Provider):
    """One Jira site and account; a department's destination is a project key."""

    type_name = "jira"
    # Summary: 255 characters (Jira rejects longer with "Summary must be less than 255 characters", Cloud and Data
    # Center); description and other text areas: 32,767 characters ("The maximum length is 32767 characters",
    # CustomFieldContextDefaultValueTextArea in Atlassian's swagger-v3.v3.json). The epic's summary is the container title.
    text_limits = TextLimits(title=255, description=32_767, container_title=255,
                             source="Jira REST API reference")
    capabilities = frozenset({
        Capability.BULK_CREATE, Capability.DEPENDENCIES, Capability.MARKER_SEARCH, Capability.INCREMENTAL_READ,
        Capability.STATUS_UPDATE, Capability.ANNOTATE, Capability.CHECKLISTS,  # checklists as sub-tasks
        Capability.PUBLISH,
    })
    settings_schema = SETTINGS_SCHEMA
    destination_schema = DESTINATION_SCHEMA

    def __init__(self, name: str, settings: Mapping[str, Any], context: ProviderContext) -> None:
        super().__init__(name, settings, context)
        self.url = str(self.settings.get("url") or "").rstrip("/")
        self.email = self.settings.get("email")
        secret = self.settings.get("api_token") if self.email else self.settings.get("token")
        if not self.url or not secret or (self.email and not self.settings.get("api_token")):
            raise ConfigError.single("collabsync.toml", f"providers.{name}: jira needs url plus email and api_token "
                                     "(Cloud) or token (Data Center personal access token)")
        register_secret(secret)
        self._secret = str(secret)
        self._credential_id = hashlib.sha256(self._secret.encode()).hexdigest()[:12]
        deployment = self.settings.get("deployment")
        self._deployment: str | None = {"cloud": "Cloud", "datacenter": "Server"}.get(deployment) if deployment else None
        self.blocked = {s.casefold() for s in self.settings.get("blocked_statuses", DEFAULT_BLOCKED)}
        self.cancelled = {s.casefold() for s in self.settings.get("cancelled_statuses", DEFAULT_CANCELLED)}
        self.link_type = str(self.settings.get("link_type", "Blocks"))
        self.page_size = int(self.settings.get("page_size", 100))
        self._client: JIRA | None = None
        self._fields: dict[str, str] | None = None  # field name -> id, fetched at most once
        self._link_type_checked = False
        self._time_zone: str | None = None
        self.bulk_edit_refused: str | None = None  # why the site refused a bulk edit: PUTs for the rest of the run
        # Atlassian publishes no number for API-token burst limits (per tenant, endpoint and method, per second):
        # keep 90% of 100/s, at most 4 requests in flight, and halve the rate on every 429 (won back slowly).
        self.policy.limits = (Limit(int(self.settings.get("requests_per_second", 100)), 1.0, "burst per second"),)
        self.policy.max_reads = self.policy.max_writes = 4
        self.policy.adaptive = True
        #: What the doctor learned per project key and applies when stamping (providers/jira_preflight.py).
        self.screens: dict[str, ScreenPlan] = {}
        self.workflows: dict[str, tuple[dict[str, set[str]], dict[str, Any]] | None] = {}

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

    def preflight(self, destination: Mapping[str, Any], needs: Needs, container: Container | None = None) -> list[Finding]:
        """Screens, required fields, permissions, link type and workflow of the project (providers/jira_preflight.py)."""
        return preflight(self, destination, needs, container)

    # -- stamping ------------------------------------------------------------------------------
    def ensure_container(self, instance: str, title: str, description: str, destination: Mapping[str, Any]) -> Container:
        """The instance's epic in the project (found by label + marker), else a new one; a label when no epic type."""
        key = str(destination.get("project") or "")
        if not key:
            raise ConfigError.single("collabsync.toml", f"a department routed to {self.name} needs `project`")
        project = json_body(self.name, f"project {key}", self._send("GET", f"project/{key}"))
        types = {t["name"]: str(t["id"]) for t in project.get("issueTypes", [])}
        epic_type = self._option(destination, "epic_issue_type", "Epic")
        task_type = self._option(destination, "issue_type", "Task")
        if task_type not in types:
            raise NotFoundError(self.name, f"project {key}", f"has no issue type {task_type!r} (has {', '.join(types)})")
        label = label_safe(f"collabsync-{instance}")
        extra: dict[str, Any] = {
            "project": key, "project_id": str(project["id"]), "issue_type_id": types[task_type], "label": label,
            "subtask_type_id": subtask_type_id(project),
            "instance": instance, "deployment": self._deployment_type(), "fields": self._field_ids(destination),
            "labels": [label_safe(x) for x in self._option(destination, "labels", [])],
        }
        if epic_type not in types:
            return Container(f"{key}/{label}", title, f"{self.url}/issues/?jql=labels%3D{label}",
                             {**extra, "mode": "label", "created": False})
        for hit in self._search(f'project = {key} AND labels = "{label}" AND issuetype = "{epic_type}"',
                                ["summary", "description"], cached=False):
            if parse_marker((hit.get("fields") or {}).get("description")) == (instance, None):
                return self._epic(hit, title, extra, created=False)
        fields = {"project": {"id": extra["project_id"]}, "issuetype": {"id": types[epic_type]}, "summary": title,
                  "description": with_marker(description or "", marker(instance)), "labels": [label]}
        if extra["fields"].get("epic_name"):  # Data Center requires it on epics
            fields[extra["fields"]["epic_name"]] = title[:255]
        fields.update(self.screens[key].values if key in self.screens else {})  # field_values the doctor resolved
        made = json_body(self.name, f"epic of {instance}", self._send("POST", "issue",
                                                                      json={"fields": fields}))
        return self._epic(made, title, extra, created=True)

    def ensure_sections(self, container: Container, sections: Sequence[SectionSpec]) -> dict[str, str]:
        """Sections become labels `section-<key>` on each task; nothing to create in Jira."""
        return {s.key: label_safe(SECTION_PREFIX + s.key) for s in sections}

    def create_tasks(self, container: Container, tasks: Sequence[NewTask]) -> Iterator[Created]:
        """POST /issue/bulk per 50 tasks; every per-item error is yielded against its task key."""
        extra = container.extra
        for start in range(0, len(tasks), BULK_LIMIT):
            chunk = list(tasks[start:start + BULK_LIMIT])
            built = [self._issue_fields(container, item) for item in chunk]
            later = [fields.pop(_LATER, None) for fields in built]  # never sent: set by an edit after create
            payload = {"issueUpdates": [{"fields": fields} for fields in built]}
            obj = f"bulk create of {len(chunk)} tasks in {extra['project']}"
            response = self._send("POST", "issue/bulk", json=payload)
            # 400 with per-item errors means "none created"; any other failure is about the whole request
            body = self._loads(response, obj) if response.status_code == 400 else json_body(self.name, obj, response)
            failed = {int(e.get("failedElementNumber", -1)): e for e in (body or {}).get("errors") or []}
            if response.status_code == 400 and not failed:
                json_body(self.name, obj, response)  # raises the precise error
            issues = iter((body or {}).get("issues") or [])
            outcomes: list[Created] = []
            for number, item in enumerate(chunk):
                if number in failed:
                    outcomes.append(Created(item.spec.key, error=self._element_error(failed[number])))
                    continue
                issue = next(issues, None)
                if issue is None:
                    outcomes.append(Created(item.spec.key, error="jira returned fewer issues than it accepted"))
                else:
                    edit_after_create(self, str(issue["id"]), later[number])
                    outcomes.append(Created(item.spec.key, str(issue["id"]), f"{self.url}/browse/{issue['key']}"))
            yield from self._with_checklists(extra, chunk, outcomes)

    def _with_checklists(self, extra: Mapping[str, Any], chunk: Sequence[NewTask],
                         outcomes: list[Created]) -> Iterator[Created]:
        """Checklist items as sub-tasks of the issues just made (providers/jira_subtasks.py); errors on the parent."""
        made = [(o.ref, item.spec.checklist) for item, o in zip(chunk, outcomes, strict=True) if o.ref and item.spec.checklist]
        errors = create_subtasks(self, extra, made) if made and extra.get("subtask_type_id") else {}
        for outcome in outcomes:
            yield replace(outcome, error=errors[outcome.ref]) if outcome.ref in errors else outcome

    def link_dependencies(self, container: Container, pairs: Sequence[tuple[str, str]]) -> Iterator[Linked]:
        """One POST /issueLink per pair (Jira has no bulk link); the link type is checked once per run."""
        plan = self.screens.get(str(container.extra.get("project")))
        if plan is not None and plan.link_fallback:  # the doctor planned it: no link type or no permission
            yield from links_as_text(self, pairs)
            return
        self._check_link_type()
        for blocked, blocking in pairs:
            body = {"type": {"name": self.link_type}, "inwardIssue": {"id": blocking}, "outwardIssue": {"id": blocked}}
            try:
                json_body(self.name, f"link {blocking} blocks {blocked}",
                          self._send("POST", "issueLink", json=body))
            except (AuthError, RateLimitError):
                raise
            except ProviderError as exc:
                yield Linked(blocked, blocking, error=exc.cause)
                continue
            yield Linked(blocked, blocking)

    def annotate(self, ref: str, lines: Sequence[str]) -> None:
        """Insert lines above the marker of one issue (GET description, PUT it back when changed)."""
        got = json_body(self.name, f"issue {ref}", self._send("GET", f"issue/{ref}",
                                                              params={"fields": "description"}))
        old = (got.get("fields") or {}).get("description") or ""
        new = insert_above_marker(old, list(lines))
        if new != old:
            json_body(self.name, f"issue {ref}", self._send("PUT", f"issue/{ref}",
                                                            json={"fields": {"description": new}}))

    def find_marked(self, container: Container, instance: str) -> dict[str, Created]:
        """One JQL search on the instance label; the marker line gives each issue's template key."""
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
            return Container(key, str(project.get("name") or key), f"{self.url}/browse/{key}",
                             {**extra, "project": key, "jql": f"project = {key}"})
        if kind == "issue":
            issue = json_body(self.name, f"issue {value}", self._send("GET", f"issue/{value}",
                                                                      params={"fields": "summary"}))
            key = str(issue["key"])
            return Container(key, str((issue.get("fields") or {}).get("summary") or key), f"{self.url}/browse/{key}",
                             {**extra, "jql": f"key = {key} OR parent = {key}"})
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
        return self.to_tasks(container, read_hits(self, jql, fields, container.extra.get("deployment")))

    def read_changes(self, container: Container, since: dt.datetime, known: Collection[str]) -> Changes | None:
        """An id-only listing plus the issues updated since `since` (providers/jira_read.py); None on Data Center."""
        return read_changes(self, container, since, known)

    def read_query(self, container: Container, since: dt.datetime | None = None,
                   *, relative: str | None = None) -> tuple[str, list[str]]:
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
        fields = [*(TRACKED_FIELDS if tracked else BASE_FIELDS),
                  *(i for i in (ids.get("story_points"), ids.get("flagged"), ids.get("start")) if i)]
        return jql + order, fields

    def to_tasks(self, container: Container, hits: Iterable[Mapping[str, Any]]) -> list[Task]:
        """Search or bulkfetch hits as neutral tasks; "A blocks B" read on A also lands on B."""
        extra = container.extra
        tracked = extra.get("mode") == "tracked"
        ids = extra.get("fields") or {}
        people = self.people_by_id()
        seen: dict[str, Task] = {}
        hits = list(hits)
        for hit in hits:
            seen[str(hit["id"])] = to_task(hit, instance=extra.get("instance"), browse=f"{self.url}/browse",
                                           field_ids=ids, blocked=self.blocked, cancelled=self.cancelled,
                                           link_type=self.link_type, people=people, section_from_components=tracked)
        for blocked, blocking in self.blocks_of(hits):  # "A blocks B" read on A counts even if B's links were cut short
            task = seen.get(blocked)
            if task is not None and blocking not in task.depends_on:
                task.depends_on.append(blocking)
        return list(seen.values())

    def blocks_of(self, hits: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
        """(blocked id, blocking id) of the dependency links seen from the blocking end."""
        return [(str(link["outwardIssue"]["id"]), str(hit["id"])) for hit in hits
                for link in (hit.get("fields") or {}).get("issuelinks") or []
                if (link.get("type") or {}).get("name") == self.link_type and "outwardIssue" in link]

    def set_status(self, container: Container, ref: str, status: Status) -> None:
        """Pick a transition by its target's category and configured names; Flagged stands in for a Blocked status."""
        status = Status(status)
        flagged = (container.extra.get("fields") or {}).get("flagged")
        obj = f"issue {ref}"
        got = json_body(self.name, obj, self._send("GET", f"issue/{ref}", params={
            "fields": ",".join(["status", *([flagged] if flagged else [])]), "expand": "transitions"}))
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
            chosen = walk(self, ref, status, fields.get("status") or {}, got.get("transitions") or [],
                          read_graph(self, container.extra))
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

    def _take_transition(self, ref: str, chosen: Mapping[str, Any]) -> None:
        self._invalidate_cache()
        with sdk_errors(self.name, f"transition of issue {ref}"):
            self.client.transition_issue(ref, str(chosen["id"]))

    def _transitions_of(self, ref: str) -> list[dict[str, Any]]:
        body = json_body(self.name, f"issue {ref}", self._send("GET", f"issue/{ref}/transitions"))
        return list((body or {}).get("transitions") or [])

    def resolve_person(self, email: str) -> ToolUser | None:
        """User search by e-mail (providers/people_tools.py)."""
        return jira_user(self, email)

    def set_assignee(self, container: Container, ref: str, user: ToolUser | None) -> None:
        """PUT the issue's assignee (providers/people_tools.py)."""
        jira_assign(self, ref, user)

    # The joint status in the tool's own form (a comment on the epic): providers/jira_publish.py.
    publish_status = jira_publish.publish_status
    edit_status = jira_publish.edit_status
    find_status = jira_publish.find_status

    def close(self) -> None:
        """Close the HTTP session."""
        if self._client is not None:
            self._client.close()
            self._client = None

    # -- plumbing --------------------------------------------------------------------------------
    @property
    def client(self) -> JIRA:
        """The SDK client on collabsync's session (no SDK retries, no request at construction)."""
        if self._client is None:
            auth: dict[str, Any] = ({"basic_auth": (self.email, self._secret)} if self.email
                                    else {"token_auth": self._secret})
            client = JIRA(self.url, get_server_info=False, max_retries=0, timeout=self.policy.timeout,
                          options={"check_update": False, "rest_api_version": "2"}, **auth)
            old = client._session
            cache = self.context.cache_path("jira", self._credential_id)
            session = make_session(self.name, self.policy, base=JiraTransport, cache_path=cache,
                                   cache_ttl=self.context.cache_ttl)
            session.headers.update(old.headers)
            if cache is not None:
                session.headers.pop("Cache-Control", None)  # the SDK's no-cache header defeats the cache
            session.auth = old.auth
            session.read_only_posts = ("/issue/bulkfetch",)  # type: ignore[attr-defined]  # retried, budgeted as a read
            old.close()
            client._session = session  # type: ignore[assignment]
            client.deploymentType = self._deployment
            self._client = client
        return self._client

    @property
    def request_count(self) -> int:
        """Requests sent so far (retries included), for tests and benchmarks."""
        return getattr(self.client._session, "request_count", 0)

    def _send(self, method: str, path: str, **kwargs: Any) -> Any:
        """One REST v2 call on the policy session; the caller checks the answer (json_body/raise_for)."""
        if method != "GET":
            self._invalidate_cache()
        return self.client._session.request(method, f"{self.url}/rest/api/2/{path}", **kwargs)

    def _invalidate_cache(self) -> None:
        """A write makes cached reads of this credential stale, in this process and in later CLI runs."""
        session = self.client._session
        if hasattr(session, "cache"):
            session.cache.clear()
            return
        path = replace(self.context, use_cache=True).cache_path("jira", self._credential_id)
        if path is not None and path.exists():
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)

    def _loads(self, response: Any, obj: str) -> Any:
        try:
            return response.json()
        except ValueError:
            return json_body(self.name, obj, response)

    def _option(self, destination: Mapping[str, Any], name: str, default: Any) -> Any:
        return destination.get(name, self.settings.get(name, default))

    def _deployment_type(self, hint: str | None = None) -> str:
        """Cloud or Server: configured, remembered in the container, or asked once via /serverInfo."""
        if self._deployment is None and hint:
            self._deployment = hint
        if self._deployment is None:
            with sdk_errors(self.name, "serverInfo"):
                self._deployment = str(self.client.server_info().get("deploymentType") or "Server")
        self.client.deploymentType = self._deployment
        return self._deployment

    def _user_time_zone(self) -> str | None:
        if self._time_zone is None:
            me = json_body(self.name, "GET /myself", self._send("GET", "myself")) or {}
            self._time_zone = me.get("timeZone") or "UTC"
        return self._time_zone

    def _field_ids(self, destination: Mapping[str, Any]) -> dict[str, str | None]:
        """Custom field ids by configured names, from one GET /field per provider."""
        wanted = {"story_points": self._option(destination, "story_points_field", None),
                  "start": self._option(destination, "start_date_field", None),
                  "flagged": self.settings.get("flagged_field", "Flagged")}
        optional = {"flagged"}
        if self._deployment == "Server":  # Data Center links tasks to epics through these two fields
            wanted.update(epic_name="Epic Name", epic_link="Epic Link")
            optional |= {"epic_name", "epic_link"}
        if self._fields is None:
            with sdk_errors(self.name, "fields"):
                self._fields = {f["name"]: f["id"] for f in self.client.fields()}
        out: dict[str, str | None] = {}
        for role, name in wanted.items():
            if name and name not in self._fields and role not in optional:
                raise NotFoundError(self.name, f"field {name!r}", f"no such field (configured as {role.replace('_', ' ')})")
            out[role] = self._fields.get(name) if name else None
        return out

    def _epic(self, issue: Mapping[str, Any], title: str, extra: dict[str, Any], *, created: bool) -> Container:
        return Container(str(issue["key"]), title, f"{self.url}/browse/{issue['key']}",
                         {**extra, "mode": "epic", "epic_key": issue["key"], "epic_id": str(issue["id"]),
                          "created": created})

    def _issue_fields(self, container: Container, item: NewTask) -> dict[str, Any]:
        extra, spec = container.extra, item.spec
        ids = extra.get("fields") or {}
        labels = [extra["label"], *(extra.get("labels") or []), *(label_safe(x) for x in spec.labels)]
        if item.section_ref:
            labels.append(item.section_ref)
        description = item.description or ""
        if spec.checklist and not extra.get("subtask_type_id"):  # no sub-task type: the checklist as text
            description = "\n\n".join(p for p in (description, "\n".join(f"- [ ] {c}" for c in spec.checklist)) if p)
        fields: dict[str, Any] = {
            "project": {"id": extra["project_id"]}, "issuetype": {"id": extra["issue_type_id"]},
            "summary": spec.title[:255], "description": with_marker(description, item.marker),
            "labels": list(dict.fromkeys(labels)),
        }
        if extra.get("mode") == "epic" and extra.get("deployment") != "Server":
            fields["parent"] = {"id": extra["epic_id"]}
        elif extra.get("mode") == "epic" and ids.get("epic_link"):
            fields[ids["epic_link"]] = extra["epic_key"]
        if spec.due:
            fields["duedate"] = spec.due.isoformat()
        if spec.start and ids.get("start"):
            fields[ids["start"]] = spec.start.isoformat()
        if spec.estimate is not None and ids.get("story_points"):
            fields[ids["story_points"]] = spec.estimate
        account = self.person_id(spec.assignee)
        if account:
            fields["assignee"] = {"name": account} if extra.get("deployment") == "Server" else {"accountId": account}
        plan = self.screens.get(str(extra.get("project")))
        if plan is not None:  # what the create screen refuses: an edit after create, or the description
            fields.update(plan.values)
            fields, later = plan.split(fields, spec)
            if later:
                fields[_LATER] = later
        return fields

    @staticmethod
    def _element_error(error: Mapping[str, Any]) -> str:
        inner = error.get("elementErrors") or {}
        parts = list(inner.get("errorMessages") or []) + [f"{k}: {v}" for k, v in (inner.get("errors") or {}).items()]
        return "jira refused: " + ("; ".join(parts) or f"HTTP {error.get('status', '?')}")

    def _check_link_type(self) -> None:
        """One GET /issueLinkType per provider: fail early, by name, when the configured type is missing."""
        if self._link_type_checked:
            return
        body = json_body(self.name, "issueLinkType", self._send("GET", "issueLinkType"))
        names = [t["name"] for t in body.get("issueLinkTypes", [])]
        if self.link_type not in names:
            raise NotFoundError(self.name, f"link type {self.link_type!r}", f"not defined (have {', '.join(names)})")
        self._link_type_checked = True

    def _search(self, jql: str, fields: list[str], *, cached: bool, deployment: str | None = None) -> Iterator[dict[str, Any]]:
        """Every hit of a JQL query, page by page: nextPageToken on Cloud, startAt on Data Center."""
        obj = f"search {jql!r}"
        session = self.client._session
        nocache = getattr(session, "cache_disabled", None)
        if self._deployment_type(deployment) == "Server":
            if not self.client._fields_cache_value:  # else the SDK spends a GET /field translating names
                self.client._fields_cache_value = dict(self._fields or {"-": "-"})
            start = 0
            while True:
                with sdk_errors(self.name, obj):
                    page = self.client.search_issues(jql, startAt=start, maxResults=self.page_size, fields=list(fields),
                                                     validate_query=True, json_result=True)
                issues = page.get("issues") or []
                yield from issues
                start += len(issues)
                if not issues or start >= int(page.get("total", 0)):
                    return
        token: str | None = None
        seen_tokens: set[str] = set()
        while True:
            params = {"jql": jql, "fields": ",".join(fields), "maxResults": self.page_size}
            if token:
                params["nextPageToken"] = token
            if cached or nocache is None:
                response = self._send("GET", "search/jql", params=params)
            else:
                with nocache():
                    response = self._send("GET", "search/jql", params=params)
            page = json_body(self.name, obj, response)
            yield from page.get("issues") or []
            token = page.get("nextPageToken")
            if page.get("isLast", token is None) or not token:
                return
            if token in seen_tokens:
                raise ProviderError(self.name, obj, "the server repeated a page token; stopping instead of looping")
            seen_tokens.add(token)

    def _set_flag(self, ref: str, field: str, on: bool) -> None:
        json_body(self.name, f"issue {ref}", self._send("PUT", f"issue/{ref}", json={
            "fields": {field: [{"value": "Impediment"}] if on else None}}))

    def _transition_for(self, transitions: list[dict[str, Any]], status: Status) -> dict[str, Any] | None:
        """The first transition into the target; the status named like the category wins ties."""
        matches = [t for t in transitions if self._target_matches(t.get("to") or {}, status)]
        preferred = {Status.TODO: "to do", Status.IN_PROGRESS: "in progress", Status.DONE: "done"}.get(status)
        matches.sort(key=lambda t: str((t.get("to") or {}).get("name", "")).casefold() != preferred)
        return matches[0] if matches else None

    def _target_matches(self, target: Mapping[str, Any], status: Status) -> bool:
        name = str(target.get("name", "")).casefold()
        category = (target.get("statusCategory") or {}).get("key")
        if status is Status.BLOCKED:
            return name in self.blocked
        if status is Status.CANCELLED:
            return name in self.cancelled
        if name in self.blocked or name in self.cancelled:
            return False
        return category == {Status.TODO: "new", Status.IN_PROGRESS: "indeterminate", Status.DONE: "done"}[status]
