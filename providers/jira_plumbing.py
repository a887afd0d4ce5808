"""The Jira account's plumbing under JiraProvider: settings read once, the SDK client on collabsync's session,
REST calls, searches, field ids and transitions (the adapter's public methods live in providers/jira.py).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from collabsync.errors import NotFoundError, ProviderError
from collabsync.http import make_session
from collabsync.model import Status
from collabsync.providers.base import Provider, ProviderContext
from collabsync.ratelimit import Limit

from .jira_support import (
    DEFAULT_BLOCKED,
    DEFAULT_CANCELLED,
    DEFAULT_IN_FLIGHT,
    SDK_HEADERS,
    BearerAuth,
    JiraTransport,
    json_body,
    sdk_errors,
)

if TYPE_CHECKING:  # the doctor's screen plans: imported by preflight, not by a read (issue 17)
    from jira import JIRA  # the SDK: imported when its client is first needed, after a read's first requests

    from .jira_screens import ScreenPlan

__all__ = ["JiraPlumbing"]


class JiraPlumbing(Provider):
    """What every Jira operation stands on; JiraProvider adds the neutral methods and the mappers."""

    def __init__(self, name: str, settings: Mapping[str, Any], context: ProviderContext) -> None:
        super().__init__(name, settings, context)
        self.url = str(self.settings.get("url") or "").rstrip("/")
        self.email = self.settings.get("email")
        self.require_settings(
            "url",
            *(("api_token",) if self.email else ("token",)),
            why="url plus email and api_token (Cloud) or token (Data Center personal access token)",
        )
        self._secret = str(self.settings.get("api_token") if self.email else self.settings.get("token"))
        self.use_credential(self.url, self._secret)
        deployment = self.settings.get("deployment")
        self._deployment: str | None = (
            {"cloud": "Cloud", "datacenter": "Server"}.get(deployment) if deployment else None
        )
        self.blocked = {s.casefold() for s in self.settings.get("blocked_statuses", DEFAULT_BLOCKED)}
        self.cancelled = {s.casefold() for s in self.settings.get("cancelled_statuses", DEFAULT_CANCELLED)}
        self.link_type = str(self.settings.get("link_type", "Blocks"))
        self.page_size = int(self.settings.get("page_size", 100))
        self._client: JIRA | None = None
        self._session: JiraTransport | None = None
        # one session and one client even when parallel checks (the doctor's) send their first requests together:
        # a second JIRA would close the shared session when collected
        self._building = threading.RLock()
        self._fields: dict[str, str] | None = None  # field name -> id, fetched at most once
        self._link_type_checked = False
        self._time_zone: str | None = None
        self.bulk_edit_refused: str | None = None  # why the site refused a bulk edit: PUTs for the rest of the run
        # Atlassian publishes no number for API-token burst limits (per tenant, endpoint and method, per second):
        # keep 90% of 100/s and halve the rate on every 429 (won back slowly). Its rate-limiting page limits the
        # rate, not concurrency: reads keep `max_in_flight` in flight (docs/reading.md says why 10), writes 4.
        self.policy.limits = (Limit(int(self.settings.get("requests_per_second", 100)), 1.0, "burst per second"),)
        self.policy.max_reads = int(self.settings.get("max_in_flight", DEFAULT_IN_FLIGHT))
        self.policy.max_writes = 4
        self.policy.adaptive = True
        #: What the doctor learned per project key and applies when stamping (providers/jira_preflight.py).
        self.screens: dict[str, ScreenPlan] = {}
        self.workflows: dict[str, tuple[dict[str, set[str]], dict[str, Any]] | None] = {}

    def close(self) -> None:
        """Close the HTTP session (the SDK client's, once it exists)."""
        if self._client is not None:
            self._client.close()
        elif self._session is not None:
            self._session.close()
        self._client = self._session = None

    @property
    def session(self) -> JiraTransport:
        """collabsync's policy session with the SDK's headers and auth: a read sends on it before the SDK is loaded."""
        if self._session is None:
            with self._building:
                if self._session is None:
                    cache = self.cache_file()
                    session = make_session(
                        self.name, self.policy, base=JiraTransport, cache_path=cache, cache_ttl=self.context.cache_ttl
                    )
                    assert isinstance(session, JiraTransport)
                    session.take_headers(SDK_HEADERS)
                    session.auth = (self.email, self._secret) if self.email else BearerAuth(self._secret)
                    session.read_only_posts = ("/issue/bulkfetch",)  # type: ignore[attr-defined]  # a read's POST
                    self._session = session
        return self._session

    @property
    def client(self) -> JIRA:
        """The SDK client on collabsync's session (no SDK retries, no request at construction), built on first use."""
        if self._client is None:
            with self._building:
                if self._client is None:
                    self._client = self._new_client()
        return self._client

    def _new_client(self) -> JIRA:
        """`JIRA(...)` as before, its own session's headers, auth and preparation handed to the policy session."""
        from jira import JIRA

        auth: dict[str, Any] = (
            {"basic_auth": (self.email, self._secret)} if self.email else {"token_auth": self._secret}
        )
        client = JIRA(
            self.url,
            get_server_info=False,
            max_retries=0,
            timeout=self.policy.timeout,
            options={"check_update": False, "rest_api_version": "2"},
            **auth,
        )
        session = self.session
        session.adopt_sdk(client._session)
        client._session.close()
        client._session = session  # type: ignore[assignment]
        client.deploymentType = self._deployment
        return client

    @property
    def request_count(self) -> int:
        """Requests sent so far (retries included), for tests and benchmarks."""
        return getattr(self._session, "request_count", 0)

    def _send(self, method: str, path: str, **kwargs: Any) -> Any:
        """One REST v2 call on the policy session; the caller checks the answer (json_body/raise_for)."""
        if method != "GET":
            self._invalidate_cache()
        return self.session.request(method, f"{self.url}/rest/api/2/{path}", **kwargs)

    def open_sessions(self) -> list[Any]:
        """The policy session (the base clears its cache after a write)."""
        return [self.session]

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
        if self._client is not None:  # else set when the client is built
            self._client.deploymentType = self._deployment
        return self._deployment

    def _user_time_zone(self) -> str | None:
        if self._time_zone is None:
            me = json_body(self.name, "GET /myself", self._send("GET", "myself")) or {}
            self._time_zone = me.get("timeZone") or "UTC"
        return self._time_zone

    def _field_ids(self, destination: Mapping[str, Any]) -> dict[str, str | None]:
        """Custom field ids by configured names, from one GET /field per provider."""
        wanted = {
            "story_points": self._option(destination, "story_points_field", None),
            "start": self._option(destination, "start_date_field", None),
            "flagged": self.settings.get("flagged_field", "Flagged"),
        }
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
                raise NotFoundError(
                    self.name, f"field {name!r}", f"no such field (configured as {role.replace('_', ' ')})"
                )
            out[role] = self._fields.get(name) if name else None
        return out

    def _check_link_type(self) -> None:
        """One GET /issueLinkType per provider: fail early, by name, when the configured type is missing."""
        if self._link_type_checked:
            return
        body = json_body(self.name, "issueLinkType", self._send("GET", "issueLinkType"))
        names = [t["name"] for t in body.get("issueLinkTypes", [])]
        if self.link_type not in names:
            raise NotFoundError(self.name, f"link type {self.link_type!r}", f"not defined (have {', '.join(names)})")
        self._link_type_checked = True

    def _search(
        self, jql: str, fields: list[str], *, cached: bool, deployment: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every hit of a JQL query, page by page: nextPageToken on Cloud, startAt on Data Center."""
        obj = f"search {jql!r}"
        session = self.session
        nocache = getattr(session, "cache_disabled", None)
        if self._deployment_type(deployment) == "Server":
            if not self.client._fields_cache_value:  # else the SDK spends a GET /field translating names
                self.client._fields_cache_value = dict(self._fields or {"-": "-"})
            start = 0
            while True:
                with sdk_errors(self.name, obj):
                    page = self.client.search_issues(
                        jql,
                        startAt=start,
                        maxResults=self.page_size,
                        fields=list(fields),
                        validate_query=True,
                        json_result=True,
                    )
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
        json_body(
            self.name,
            f"issue {ref}",
            self._send("PUT", f"issue/{ref}", json={"fields": {field: [{"value": "Impediment"}] if on else None}}),
        )

    def _take_transition(self, ref: str, chosen: Mapping[str, Any]) -> None:
        self._invalidate_cache()
        with sdk_errors(self.name, f"transition of issue {ref}"):
            self.client.transition_issue(ref, str(chosen["id"]))

    def _transitions_of(self, ref: str) -> list[dict[str, Any]]:
        body = json_body(self.name, f"issue {ref}", self._send("GET", f"issue/{ref}/transitions"))
        return list((body or {}).get("transitions") or [])

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

    @staticmethod
    def _element_error(error: Mapping[str, Any]) -> str:
        inner = error.get("elementErrors") or {}
        parts = list(inner.get("errorMessages") or []) + [f"{k}: {v}" for k, v in (inner.get("errors") or {}).items()]
        return "jira refused: " + ("; ".join(parts) or f"HTTP {error.get('status', '?')}")
