"""A stateful in-memory Jira Cloud (or Data Center) emulator for tests and benchmarks.

Routes live under both /rest/api/3 (ADF descriptions) and /rest/api/2 (plain text); see
docs/emulators-jira.md for the list. ``deployment="Server"`` answers like Data Center: no v3, no
/search/jql, the old /rest/api/2/search with startAt paging. Seed data with add_user/add_project/
add_issue/set_status/seed_bulk; count requests with ``emu.count()``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
from collections.abc import Callable
from typing import Any, ClassVar, Self
from zoneinfo import ZoneInfo

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from .core import ApiError, Emulator, Faults, RateLimit, json_response
from .jira_accounts import ACCOUNT_RULES, JiraAccountsMixin
from .jira_bulkedit import BULK_EDIT_RULES, JiraBulkEditMixin
from .jira_catalog import FLAGGED, LINK_TYPES, START_DATE, STATUSES, STORY_POINTS, Issue
from .jira_fields import expand_list, expansions, field_list, wanted_fields
from .jira_routes import ROUTE_RULES, JiraRoutesMixin, empty_response
from .jira_search import JiraSearchMixin
from .jira_seed import JiraSeedMixin
from .jira_site import JiraSiteRoutes
from .jira_store import JiraStore
from .jira_workflows import WORKFLOW_RULES, JiraWorkflowRoutes

__all__ = ["FLAGGED", "START_DATE", "STORY_POINTS", "JiraEmulator"]

_V = '/rest/api/<any("2","3","latest"):v>'


def _rule(path: str, endpoint: str, methods: list[str]) -> Rule:
    return Rule(_V + path, endpoint=endpoint, methods=methods)


class JiraEmulator(
    JiraAccountsMixin,
    JiraWorkflowRoutes,
    JiraBulkEditMixin,
    JiraSeedMixin,
    JiraSiteRoutes,
    JiraRoutesMixin,
    JiraSearchMixin,
    Emulator,
):
    """Jira Cloud REST v2/v3 subset with Jira's auth, error, paging and rate-limit behaviour."""

    name = "jira"
    prefix = ""
    _rules: ClassVar[list[Rule]] = [
        _rule("/serverInfo", "server_info", ["GET"]),  # through /status: collabsync/testing/jira_site.py
        _rule("/myself", "myself", ["GET"]),
        _rule("/field", "fields", ["GET"]),
        _rule("/project", "project_list", ["GET"]),
        _rule("/project/search", "project_search", ["GET"]),
        _rule("/project/<ref>", "project_get", ["GET"]),
        _rule("/issuetype", "issuetypes", ["GET"]),
        _rule("/issuetype/project", "issuetypes_project", ["GET"]),
        _rule("/status", "statuses", ["GET"]),
        _rule("/issue", "issue_create", ["POST"]),
        _rule("/issue/bulk", "issue_bulk", ["POST"]),
        _rule("/issue/<ref>", "issue_get", ["GET"]),
        _rule("/issue/<ref>", "issue_edit", ["PUT"]),
        _rule("/issue/<ref>/transitions", "transitions_get", ["GET"]),
        _rule("/issue/<ref>/transitions", "transitions_post", ["POST"]),
        _rule("/issueLink", "issue_link", ["POST"]),
        _rule("/issueLinkType", "issue_link_types", ["GET"]),
        _rule("/search/jql", "search_jql", ["GET", "POST"]),
        _rule("/search", "search_old", ["GET", "POST"]),
        *ROUTE_RULES,
        *BULK_EDIT_RULES,  # Cloud's async bulk edit: collabsync/testing/jira_bulkedit.py
        *ACCOUNT_RULES,  # screens, permissions: collabsync/testing/jira_accounts.py
        *WORKFLOW_RULES,  # project statuses, workflows: collabsync/testing/jira_workflows.py
    ]

    @property
    def rules(self) -> list[Rule]:  # type: ignore[override]
        """Fresh copies per instance: a werkzeug Rule can be bound to one Map only."""
        return [r.empty() for r in self._rules]

    def __init__(
        self,
        *,
        deployment: str = "Cloud",
        max_results_cap: int = 100,
        email: str = "admin@example.com",
        api_token: str = "emu-api-token",
        pat: str = "emu-pat",
        time_zone: str = "UTC",
        faults: Faults | None = None,
        rate_limits: list[RateLimit] | None = None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        super().__init__(faults=faults, rate_limits=rate_limits)
        if deployment not in ("Cloud", "Server"):
            raise ValueError("deployment must be 'Cloud' or 'Server'")
        self.deployment = deployment
        self.max_results_cap = max_results_cap
        self.email, self.api_token, self.pat = email, api_token, pat
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.store = JiraStore(server=deployment == "Server")
        self._snapshots: dict[str, list[Issue]] = {}  # search cursors: snapshot id -> hits, oldest first
        self._snapshot_seq = 0
        self._basic: dict[tuple[str, str], str] = {}
        self._bearer: dict[str, str] = {}
        self.admin = self.add_user("Emu Admin", email, api_token=api_token, pat=pat, time_zone=time_zone)

    @property
    def server(self) -> bool:
        """True when emulating Data Center."""
        return self.deployment == "Server"

    def start(self) -> Self:
        super().start()
        self.store.base = self.root_url
        return self

    def read_only_posts(self) -> frozenset[str]:
        return frozenset({"search_jql", "search_old", "issue_bulkfetch"})

    # -- Jira's auth, errors and 429 -------------------------------------------------------------
    def authenticate(self, request: Request) -> dict[str, str] | None:
        """Basic email:api_token (Cloud) or username:password, or Bearer PAT; None when refused."""
        header = request.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "basic":
            try:
                user, _, secret = base64.b64decode(value.strip()).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return None
            account = self._basic.get((user, secret))
            return {"token": f"basic:{user}", "user": account} if account else None
        if scheme.lower() == "bearer":
            account = self._bearer.get(value.strip())
            return {"token": f"bearer:{account}", "user": account} if account else None
        return None

    def unauthorized(self, request: Request) -> Response:
        return json_response(
            {"errorMessages": ["Client must be authenticated to access this resource."], "errors": {}},
            401,
            {"WWW-Authenticate": 'Basic realm="protected-area"', "X-Seraph-LoginReason": "AUTHENTICATED_FAILED"},
        )

    def error_response(self, err: ApiError) -> Response:
        return json_response(
            {"errorMessages": [err.message] if err.message else [], "errors": dict(err.extra.get("errors", {}))},
            err.status,
        )

    def rate_limited(self, retry_after: float, rule: RateLimit) -> Response:
        reason = "jira-per-issue-on-write" if rule.writes_only else "jira-burst-based"
        return self._jira_429(max(1, math.ceil(retry_after)), rule.limit, rule.window, reason)

    def fault_response(self, status: int) -> Response:
        if status == 429:
            return self._jira_429(self.faults.retry_after, 100, 1.0, "jira-quota-tenant-based")
        messages = {
            500: "Internal server error",
            502: "Bad Gateway",
            503: "Service Unavailable",
            504: "Gateway Timeout",
        }
        return json_response({"errorMessages": [messages.get(status, f"HTTP {status}")], "errors": {}}, status)

    def not_found(self, request: Request) -> Response:
        return json_response({"errorMessages": [f"null for uri: {request.url}"], "errors": {}}, 404)

    def _jira_429(self, retry_after: Any, limit: int, window: float, reason: str) -> Response:
        headers = {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-NearLimit": "true",
            "X-RateLimit-FillRate": str(limit),
            "X-RateLimit-Interval-Seconds": str(max(1, round(window))),
            "X-RateLimit-Reset": (self.clock() + dt.timedelta(seconds=window)).strftime("%Y-%m-%dT%H:%MZ"),
            "RateLimit-Reason": reason,
        }
        if retry_after not in (None, ""):
            headers["Retry-After"] = str(retry_after)
        return json_response({"errorMessages": ["Rate limit exceeded."], "errors": {}}, 429, headers)

    # -- helpers ---------------------------------------------------------------------------------
    def _version(self, v: str) -> bool:
        """True for v3 (ADF); Data Center has no v3 at all."""
        if self.server and v == "3":
            raise ApiError(404, "null for uri: /rest/api/3")
        return v == "3"

    def _body(self, request: Request) -> Any:
        try:
            return json.loads(request.get_data(as_text=True) or "null")
        except ValueError:
            raise ApiError(400, "Unexpected character in request body: not valid JSON.") from None

    def _principal(self, request: Request) -> str | None:
        p = self.authenticate(request)
        return p.get("user") if p else None

    def _tz(self, request: Request) -> ZoneInfo:
        """The searching user's time zone: JQL dates are read in it and timestamps are shown in it."""
        user = self.store.users.get(self._principal(request) or "", {})
        return ZoneInfo(user.get("timeZone") or "UTC")

    def _known_fields(self) -> set[str]:
        return {f[0] for f in self.store.fields}

    # -- handlers ------------------------------------------------------------------------------
    def issue_create(self, request: Request, v: str) -> Any:
        v3 = self._version(v)
        issue = self.store.create(self._body(request), v3=v3, now=self.clock(), reporter=self._principal(request))
        return json_response(self._created(issue, v), 201)

    def issue_bulk(self, request: Request, v: str) -> Any:
        v3 = self._version(v)
        body = self._body(request)
        updates = body.get("issueUpdates") if isinstance(body, dict) else None
        if not isinstance(updates, list):
            raise ApiError(400, "issueUpdates is required.")
        if len(updates) > 50:
            raise ApiError(400, "The number of issues to create exceeds the maximum allowed (50).")
        issues, errors = [], []
        for number, item in enumerate(updates):
            try:
                created = self.store.create(item, v3=v3, now=self.clock(), reporter=self._principal(request))
                issues.append(self._created(created, v))
            except ApiError as err:
                errors.append(
                    {
                        "status": err.status,
                        "failedElementNumber": number,
                        "elementErrors": {
                            "errorMessages": [err.message] if err.message else [],
                            "errors": dict(err.extra.get("errors", {})),
                        },
                    }
                )
        return json_response({"issues": issues, "errors": errors}, 201 if issues or not updates else 400)

    def issue_get(self, request: Request, v: str, ref: str) -> Any:
        v3 = self._version(v)
        wanted = wanted_fields(field_list(request.args.getlist("fields")), self._known_fields(), "*all")
        issue = self.store.issue(ref)
        return self._render(issue, wanted, expand_list(request.args.getlist("expand")), v3=v3, tz=self._tz(request))

    def _render(
        self,
        issue: Issue,
        wanted: set[str] | None,
        expand: set[str],
        *,
        v3: bool,
        tz: dt.tzinfo,
        per_issue: bool = True,
    ) -> dict[str, Any]:
        """An issue with the asked expansions (names and schema sit on each issue unless a search lists them once)."""
        out = self.store.render_issue(issue, wanted, v3=v3, server=self.server, tz=tz)
        if wanted is None or "comment" in wanted:
            out["fields"]["comment"] = self.comment_field(issue.id, "3" if v3 else "2", tz)
        if per_issue:
            out.update(expansions(expand, list(out["fields"]), self.store.fields))
        if "transitions" in expand:
            out["transitions"] = self._transitions(issue)
        return out

    def issue_edit(self, request: Request, v: str, ref: str) -> Any:
        v3 = self._version(v)
        issue = self.store.issue(ref)
        body, comments = self.split_comment_update(self._body(request), v3)
        self.store.edit(issue, body, v3=v3, now=self.clock())
        self.post_comments(issue, comments, self._principal(request))
        if request.args.get("returnIssue", "").lower() == "true":  # the edited issue, as GET issue shows it
            return self._render(issue, None, expand_list(request.args.getlist("expand")), v3=v3, tz=self._tz(request))
        return empty_response(204)

    def transitions_get(self, request: Request, v: str, ref: str) -> Any:
        self._version(v)
        issue = self.store.issue(ref)
        wanted = request.args.get("transitionId")
        return {
            "expand": "transitions",
            "transitions": [t for t in self._transitions(issue) if wanted in (None, "", t["id"])],
        }

    def transitions_post(self, request: Request, v: str, ref: str) -> Any:
        v3 = self._version(v)
        issue = self.store.issue(ref)
        body, comments = self.split_comment_update(self._body(request) or {}, v3)
        tid = str((body.get("transition") or {}).get("id", ""))
        chosen = next((t for t in self._transitions(issue) if t["id"] == tid), None)
        if chosen is None:
            raise ApiError(400, f"Transition id '{tid}' is not valid for this issue.")
        if body.get("fields") or body.get("update"):
            self.store.edit(
                issue, {"fields": body.get("fields") or {}, "update": body.get("update") or {}}, v3=v3, now=self.clock()
            )
        issue.status_id = chosen["to"]["id"]
        issue.updated = self.clock()
        self.post_comments(issue, comments, self._principal(request))
        return empty_response(204)

    def _transitions(self, issue: Issue) -> list[dict[str, Any]]:
        configured = self.workflow_transitions(issue)  # a project with its own workflow (jira_accounts.py)
        if configured is not None:
            return configured
        return [
            {
                "id": str(11 + 10 * i),
                "name": s[3],
                "to": self.store.render_status(s[0]),
                "hasScreen": False,
                "isGlobal": True,
                "isInitial": False,
                "isAvailable": True,
                "isConditional": False,
                "isLooped": False,
            }
            for i, s in enumerate(STATUSES)
            if s[0] != issue.status_id
        ]

    def issue_link(self, request: Request, v: str) -> Any:
        self._version(v)
        body = self._body(request) or {}
        self.store.link(body.get("type"), body.get("inwardIssue"), body.get("outwardIssue"))
        return empty_response(201)

    def issue_link_types(self, request: Request, v: str) -> Any:
        self._version(v)
        return {
            "issueLinkTypes": [
                {
                    "id": t[0],
                    "name": t[1],
                    "inward": t[2],
                    "outward": t[3],
                    "self": f"{self.root_url}/rest/api/{v}/issueLinkType/{t[0]}",
                }
                for t in LINK_TYPES
            ]
        }

    def _created(self, issue: Issue, v: str) -> dict[str, Any]:
        return {"id": issue.id, "key": issue.key, "self": f"{self.root_url}/rest/api/{v}/issue/{issue.id}"}
