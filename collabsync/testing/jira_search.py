"""Searches of the Jira emulator: /search/jql (Cloud, token paging) and the old /search (Data Center).

A mixin of JiraEmulator: JQL is parsed and resolved for the searcher (time zone, currentUser(), now),
run over the store, and paged through remembered cursors so later pages do not rerun the query.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any
from zoneinfo import ZoneInfo

from werkzeug.wrappers import Request

from .core import ApiError
from .jira_catalog import STATUSES, Issue
from .jira_fields import expand_list, expansions, field_list, wanted_fields
from .jira_jql import parse_jql
from .jira_jql_eval import Context, JqlError
from .jira_routes import JiraHost, int_param

__all__ = ["ID_ONLY_CAP", "MAX_ORDER_BY", "SEARCH_GONE", "UNBOUNDED", "JiraSearchMixin"]

ID_ONLY_CAP = 5000  # /search/jql pages asking only for id or key (the reference page's "max 5000")
MAX_ORDER_BY = 7  # fields in one ORDER BY of /search/jql
SNAPSHOTS_KEPT = 32  # search cursors remembered for their next pages
UNBOUNDED = "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
SEARCH_GONE = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
    "A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"
)


class JiraSearchMixin(JiraHost):
    """GET/POST /search/jql and /search; state: the store plus the cursors of recent searches."""

    max_results_cap: int
    _snapshots: dict[str, list[Issue]]
    _snapshot_seq: int

    def search_jql(self, request: Request, v: str) -> Any:
        v3 = self._version(v)
        if self.server:
            raise ApiError(404, "null for uri: /rest/api/2/search/jql")
        params = self._search_params(request)
        tz = self._tz(request)
        query = self._query(params.get("jql"), request)
        if not query.bounded:
            raise ApiError(400, UNBOUNDED)
        if len(query.order) > MAX_ORDER_BY:
            raise ApiError(400, f"The ORDER BY clause can contain at most {MAX_ORDER_BY} fields.")
        asked = field_list(params.get("fields"))
        wanted = wanted_fields(asked, self._known_fields(), "id")
        keys_only = wanted == set() and "*all" not in asked and "*navigable" not in asked
        size = self._page_size(params.get("maxResults"), default=50, cap=ID_ONLY_CAP if keys_only else None)
        jql = params.get("jql") or ""
        start, snapshot = self._decode_token(params.get("nextPageToken"), jql)
        hits = self._snapshots.get(snapshot) if snapshot else None
        if hits is None:
            hits = self._run(query, tz)
        expand = expand_list(params.get("expand"))
        page = hits[start : start + size]
        if keys_only:
            issues = [{"id": i.id, "key": i.key} if "key" in asked else {"id": i.id} for i in page]
        else:
            issues = [self._render(i, wanted, expand, v3=v3, tz=tz, per_issue=False) for i in page]
        out: dict[str, Any] = {"issues": issues, "isLast": start + size >= len(hits)}
        if not keys_only:
            out.update(expansions(expand, sorted(wanted or self._known_fields()), self.store.fields))
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
        tz = self._tz(request)
        query = self._query(params.get("jql"), request)
        start = int_param(params.get("startAt"), "startAt", 0)
        size = self._page_size(params.get("maxResults"), default=50)
        hits = self._run(query, tz)
        wanted = wanted_fields(field_list(params.get("fields")), self._known_fields(), "*navigable")
        expand = expand_list(params.get("expand"))
        out = {
            "expand": "schema,names",
            "startAt": start,
            "maxResults": size,
            "total": len(hits),
            "issues": [
                self._render(i, wanted, expand, v3=v3, tz=tz, per_issue=False) for i in hits[start : start + size]
            ],
        }
        out.update(expansions(expand, sorted(wanted or self._known_fields()), self.store.fields))
        return out

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

    def _page_size(self, value: Any, *, default: int, cap: int | None = None) -> int:
        """maxResults as served: above the cap the page is silently shorter, as Jira documents."""
        try:
            size = int(value) if value not in (None, "") else default
        except (TypeError, ValueError):
            raise ApiError(400, f"The value '{value}' is invalid for maxResults.") from None
        return max(1, min(size if size > 0 else default, cap or self.max_results_cap))

    def _query(self, jql: str | None, request: Request) -> Any:
        """Parse the JQL and resolve currentUser(), date functions and periods for this searcher, now."""
        try:
            query = parse_jql(jql).resolve(Context(self._tz(request), self.clock(), self._principal(request)))
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

    def _run(self, query: Any, tz: ZoneInfo) -> list[Issue]:
        try:
            hits = [
                i for i in self.store.issues.values() if query.matches(lambda f, i=i: self.store.jql_value(i, f), tz)
            ]
        except JqlError as err:  # a clause the field cannot answer: Jira's 400, never a 500
            raise ApiError(400, str(err)) from None
        hits.sort(key=lambda i: int(i.id))
        for name, desc in reversed(query.order):
            attr = {
                "key": "id",
                "issuekey": "id",
                "id": "id",
                "created": "created",
                "updated": "updated",
                "duedate": "duedate",
            }.get(name)
            if attr is None:  # other fields sort by their shown value (a name, not an id), empty last
                hits.sort(key=lambda i: self._sort_text(i, name), reverse=desc)
                continue
            hits.sort(
                key=lambda i: (getattr(i, attr) is None, int(i.id) if attr == "id" else getattr(i, attr) or ""),
                reverse=desc,
            )
        return hits

    def _sort_text(self, issue: Issue, name: str) -> tuple[bool, str]:
        """Jira sorts status by its place in the status list, other fields by the value shown."""
        if name == "status":
            return False, f"{[s[0] for s in STATUSES].index(issue.status_id):04d}"
        value = self.store.jql_value(issue, name)
        if isinstance(value, list):
            value = (
                value[1] if name in ("assignee", "statuscategory") and len(value) > 1 else (value[0] if value else None)
            )
        return value is None, str(value or "").lower()

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
