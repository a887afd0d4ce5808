"""A stateful in-memory Jira Cloud (or Data Center) emulator for tests and benchmarks.

Routes live under both /rest/api/3 (ADF descriptions) and /rest/api/2 (plain text); see
README-jira.md for the list. ``deployment="Server"`` answers like Data Center: no v3, no
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
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from .core import ApiError, Emulator, Faults, RateLimit, json_response
from .jira_accounts import ACCOUNT_RULES, JiraAccountsMixin
from .jira_jql import JqlError, parse_jql
from .jira_seed import JiraSeedMixin
from .jira_store import (
    EPIC_LINK,
    EPIC_NAME,
    FIELDS,
    FLAGGED,
    ISSUE_TYPES,
    LINK_TYPES,
    START_DATE,
    STATUSES,
    STORY_POINTS,
    Issue,
    JiraStore,
    jira_time,
)

__all__ = ["FLAGGED", "START_DATE", "STORY_POINTS", "JiraEmulator"]

_V = '/rest/api/<any("2","3","latest"):v>'
SNAPSHOTS_KEPT = 32  # search cursors remembered for their next pages
UNBOUNDED = "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
SEARCH_GONE = ("The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
               "A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046")


def _rule(path: str, endpoint: str, methods: list[str]) -> Rule:
    return Rule(_V + path, endpoint=endpoint, methods=methods)


class JiraEmulator(JiraAccountsMixin, JiraSeedMixin, Emulator):
    """Jira Cloud REST v2/v3 subset with Jira's auth, error, paging and rate-limit behaviour."""

    name = "jira"
    prefix = ""
    _rules: ClassVar[list[Rule]] = [
        _rule("/serverInfo", "server_info", ["GET"]),
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
        *ACCOUNT_RULES,  # screens, permissions, workflows: collabsync/testing/jira_accounts.py
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

    def start(self) -> JiraEmulator:
        super().start()
        self.store.base = self.root_url
        return self

    def read_only_posts(self) -> frozenset[str]:
        return frozenset({"search_jql", "search_old"})

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
            {"errorMessages": ["Client must be authenticated to access this resource."], "errors": {}}, 401,
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
        messages = {500: "Internal server error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}
        return json_response({"errorMessages": [messages.get(status, f"HTTP {status}")], "errors": {}}, status)

    def not_found(self, request: Request) -> Response:
        return json_response({"errorMessages": [f"null for uri: {request.url}"], "errors": {}}, 404)

    def _jira_429(self, retry_after: Any, limit: int, window: float, reason: str) -> Response:
        headers = {
            "X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": "0", "X-RateLimit-NearLimit": "true",
            "X-RateLimit-FillRate": str(limit), "X-RateLimit-Interval-Seconds": str(max(1, round(window))),
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

    @staticmethod
    def _field_list(values: Any) -> list[str]:
        if values is None:
            return []
        if isinstance(values, str):
            values = [values]
        return [f.strip() for v in values for f in str(v).split(",") if f.strip()]

    @staticmethod
    def _wanted(fields: list[str], default_all: bool) -> set[str] | None:
        """Field ids to render: None means all; an empty set means none (id only)."""
        ids = {f[0] for f in FIELDS} | {EPIC_NAME, EPIC_LINK}
        if not fields:
            return None if default_all else set()
        wanted: set[str] = set()
        for f in fields:
            if f in ("*all", "*navigable"):
                wanted |= ids
        wanted |= {f for f in fields if f in ids}
        wanted -= {f[1:] for f in fields if f.startswith("-")}
        return wanted

    # -- handlers ------------------------------------------------------------------------------
    def server_info(self, request: Request, v: str) -> Any:
        self._version(v)
        version = [9, 12, 0] if self.server else [1001, 0, 0]
        return {
            "baseUrl": self.root_url, "version": ".".join(map(str, version)) + ("" if self.server else "-SNAPSHOT"),
            "versionNumbers": version, "deploymentType": self.deployment, "buildNumber": 100250,
            "buildDate": "2026-11-20T00:00:00.000+0000", "serverTime": jira_time(self.clock()),
            "scmInfo": "0123456789abcdef0123456789abcdef01234567", "serverTitle": "Jira",
        }

    def myself(self, request: Request, v: str) -> Any:
        self._version(v)
        return self.store.render_user(self._principal(request), server=self.server)

    def fields(self, request: Request, v: str) -> Any:
        self._version(v)
        out = []
        for fid, name, custom, ftype, key in self.store.fields:
            schema: dict[str, Any] = {"type": ftype}
            if custom:
                schema.update({"custom": key, "customId": int(fid.split("_")[1])})
                if ftype == "array":
                    schema["items"] = "option"
            else:
                schema["system"] = key
                if ftype == "array":
                    schema["items"] = "string" if fid == "labels" else "issuelinks"
            out.append({"id": fid, "key": fid, "name": name, "custom": custom, "orderable": True, "navigable": True,
                        "searchable": True, "clauseNames": [f"cf[{fid.split('_')[1]}]", name] if custom else [fid],
                        "schema": schema})
        return out

    def project_list(self, request: Request, v: str) -> Any:
        self._version(v)
        return [self.store.render_project(p, full=False) for p in self.store.projects.values()]

    def project_search(self, request: Request, v: str) -> Any:
        self._version(v)
        keys = {k.upper() for k in self._field_list(request.args.getlist("keys"))}
        query = (request.args.get("query") or "").lower()
        start = int(request.args.get("startAt", 0))
        size = min(int(request.args.get("maxResults", 50)), 100)
        hits = [p for p in self.store.projects.values()
                if (not keys or p["key"] in keys) and (query in p["key"].lower() or query in p["name"].lower())]
        page = hits[start:start + size]
        return {"self": f"{self.root_url}{request.full_path}", "maxResults": size, "startAt": start, "total": len(hits),
                "isLast": start + size >= len(hits), "values": [self.store.render_project(p) for p in page]}

    def project_get(self, request: Request, v: str, ref: str) -> Any:
        self._version(v)
        return self.store.render_project(self.store.project(ref))

    def issuetypes(self, request: Request, v: str) -> Any:
        self._version(v)
        return [self.store.render_type(t[0]) for t in ISSUE_TYPES]

    def issuetypes_project(self, request: Request, v: str) -> Any:
        self._version(v)
        pid = request.args.get("projectId")
        if not pid:
            raise ApiError(400, "The projectId parameter is required.")
        project = next((p for p in self.store.projects.values() if p["id"] == pid), None)
        if project is None:
            raise ApiError(404, f"No project could be found with id '{pid}'.")
        return [self.store.render_type(t) for t in project["types"]]

    def statuses(self, request: Request, v: str) -> Any:
        self._version(v)
        return [self.store.render_status(s[0]) for s in STATUSES]

    def issue_create(self, request: Request, v: str) -> Any:
        v3 = self._version(v)
        issue = self.store.create(self._body(request), v3=v3, now=self.clock(), reporter=self._principal(request))
        return json_response(self._created(issue), 201)

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
                issues.append(self._created(self.store.create(item, v3=v3, now=self.clock(), reporter=self._principal(request))))
            except ApiError as err:
                errors.append({"status": err.status, "failedElementNumber": number, "elementErrors": {
                    "errorMessages": [err.message] if err.message else [], "errors": dict(err.extra.get("errors", {}))}})
        return json_response({"issues": issues, "errors": errors}, 201 if issues or not updates else 400)

    def issue_get(self, request: Request, v: str, ref: str) -> Any:
        v3 = self._version(v)
        wanted = self._wanted(self._field_list(request.args.getlist("fields")), default_all=True)
        issue = self.store.issue(ref)
        out = self.store.render_issue(issue, wanted, v3=v3, server=self.server)
        if "transitions" in self._field_list(request.args.getlist("expand")):
            out["transitions"] = self._transitions(issue)
        return out

    def issue_edit(self, request: Request, v: str, ref: str) -> Any:
        v3 = self._version(v)
        self.store.edit(self.store.issue(ref), self._body(request), v3=v3, now=self.clock())
        return Response(status=204)

    def transitions_get(self, request: Request, v: str, ref: str) -> Any:
        self._version(v)
        issue = self.store.issue(ref)
        return {"expand": "transitions", "transitions": self._transitions(issue)}

    def transitions_post(self, request: Request, v: str, ref: str) -> Any:
        v3 = self._version(v)
        issue = self.store.issue(ref)
        body = self._body(request) or {}
        tid = str((body.get("transition") or {}).get("id", ""))
        chosen = next((t for t in self._transitions(issue) if t["id"] == tid), None)
        if chosen is None:
            raise ApiError(400, f"Transition id '{tid}' is not valid for this issue.")
        if body.get("fields") or body.get("update"):
            self.store.edit(issue, {"fields": body.get("fields") or {}, "update": body.get("update") or {}}, v3=v3, now=self.clock())
        issue.status_id = chosen["to"]["id"]
        issue.updated = self.clock()
        return Response(status=204)

    def _transitions(self, issue: Issue) -> list[dict[str, Any]]:
        configured = self.workflow_transitions(issue)  # a project with its own workflow (jira_accounts.py)
        if configured is not None:
            return configured
        return [{"id": str(11 + 10 * i), "name": s[3], "to": self.store.render_status(s[0]), "hasScreen": False,
                 "isGlobal": True, "isInitial": False, "isAvailable": True, "isConditional": False, "isLooped": False}
                for i, s in enumerate(STATUSES) if s[0] != issue.status_id]

    def issue_link(self, request: Request, v: str) -> Any:
        self._version(v)
        body = self._body(request) or {}
        self.store.link(body.get("type"), body.get("inwardIssue"), body.get("outwardIssue"))
        return Response(status=201)

    def issue_link_types(self, request: Request, v: str) -> Any:
        self._version(v)
        return {"issueLinkTypes": [{"id": t[0], "name": t[1], "inward": t[2], "outward": t[3],
                                    "self": f"{self.root_url}/rest/api/{v}/issueLinkType/{t[0]}"} for t in LINK_TYPES]}

    def search_jql(self, request: Request, v: str) -> Any:
        v3 = self._version(v)
        if self.server:
            raise ApiError(404, "null for uri: /rest/api/2/search/jql")
        params = self._search_params(request)
        query = self._query(params.get("jql"))
        if not query.bounded:
            raise ApiError(400, UNBOUNDED)
        size = self._page_size(params.get("maxResults"), default=50)
        jql = params.get("jql") or ""
        start, snapshot = self._decode_token(params.get("nextPageToken"), jql)
        hits = self._snapshots.get(snapshot) if snapshot else None
        if hits is None:
            hits = self._run(query)
        wanted = self._wanted(self._field_list(params.get("fields")), default_all=False)
        page = hits[start:start + size]
        issues = [{"id": i.id} if wanted == set() else self.store.render_issue(i, wanted, v3=v3) for i in page]
        out: dict[str, Any] = {"issues": issues, "isLast": start + size >= len(hits)}
        if not out["isLast"]:
            out["nextPageToken"] = self._encode_token(start + size, jql, self._snapshot(snapshot, hits))
        return out

    def _snapshot(self, snapshot: str | None, hits: list[Issue]) -> str:
        """Keep a search's hits for its next pages (a cursor), so paging does not rerun the JQL per page."""
        if snapshot and snapshot in self._snapshots:
            return snapshot
        self._snapshot_seq += 1
        key = str(self._snapshot_seq)
        self._snapshots[key] = hits
        while len(self._snapshots) > SNAPSHOTS_KEPT:
            del self._snapshots[next(iter(self._snapshots))]
        return key

    def search_old(self, request: Request, v: str) -> Any:
        v3 = self._version(v)
        if not self.server:
            raise ApiError(410, SEARCH_GONE)
        params = self._search_params(request)
        query = self._query(params.get("jql"))
        start = int(params.get("startAt") or 0)
        size = self._page_size(params.get("maxResults"), default=50)
        hits = self._run(query)
        wanted = self._wanted(self._field_list(params.get("fields")) or ["*navigable"], default_all=True)
        return {"expand": "schema,names", "startAt": start, "maxResults": size, "total": len(hits),
                "issues": [self.store.render_issue(i, wanted, v3=v3, server=True) for i in hits[start:start + size]]}

    # -- search helpers ------------------------------------------------------------------------
    def _search_params(self, request: Request) -> dict[str, Any]:
        if request.method == "POST":
            body = self._body(request)
            if not isinstance(body, dict):
                raise ApiError(400, "Request body must be a JSON object.")
            return body
        params: dict[str, Any] = {k: request.args.get(k) for k in request.args}
        params["fields"] = request.args.getlist("fields")
        return params

    def _page_size(self, value: Any, *, default: int) -> int:
        try:
            size = int(value) if value not in (None, "") else default
        except (TypeError, ValueError):
            raise ApiError(400, f"The value '{value}' is invalid for maxResults.") from None
        return max(1, min(size if size > 0 else default, self.max_results_cap))

    def _query(self, jql: str | None) -> Any:
        try:
            query = parse_jql(jql)
        except JqlError as err:
            raise ApiError(400, str(err)) from None
        for clause in query.clauses():
            values = clause.value if isinstance(clause.value, list) else [clause.value]
            if clause.field == "project":
                for value in values:
                    try:
                        self.store.project(str(value))
                    except ApiError:
                        raise ApiError(400, f"The value '{value}' does not exist for the field 'project'.") from None
            if clause.field in ("issuekey", "parent") and clause.op in ("=", "in"):
                for value in values:
                    if str(value).upper() not in self.store.by_key and str(value) not in self.store.issues:
                        raise ApiError(400, f"An issue with key '{value}' does not exist for field '{clause.field}'.")
        return query

    def _run(self, query: Any) -> list[Issue]:
        tz = ZoneInfo(self.store.users[self.admin]["timeZone"])
        hits = [i for i in self.store.issues.values() if query.matches(lambda f, i=i: self.store.jql_value(i, f), tz)]
        hits.sort(key=lambda i: int(i.id))
        for name, desc in reversed(query.order):
            attr = {"key": "id", "issuekey": "id", "created": "created", "updated": "updated", "duedate": "duedate"}.get(name, "id")
            hits.sort(key=lambda i: (getattr(i, attr) is None, int(i.id) if attr == "id" else getattr(i, attr) or ""),
                      reverse=desc)
        return hits

    @staticmethod
    def _encode_token(offset: int, jql: str, snapshot: str | None = None) -> str:
        raw = json.dumps({"o": offset, "q": abs(hash(jql)) % 10**9, "s": snapshot}).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @staticmethod
    def _decode_token(token: str | None, jql: str) -> tuple[int, str | None]:
        """(offset, snapshot id) of a nextPageToken issued for this JQL."""
        if not token:
            return 0, None
        try:
            data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            if data["q"] != abs(hash(jql)) % 10**9:
                raise ValueError
            return int(data["o"]), data.get("s")
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise ApiError(400, "The provided next page token is invalid or expired.") from None

    def _created(self, issue: Issue) -> dict[str, Any]:
        return {"id": issue.id, "key": issue.key, "self": f"{self.root_url}/rest/api/3/issue/{issue.id}"}
