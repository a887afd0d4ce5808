"""Comments, assignment, user search and bulkfetch of the Jira emulator, to the reference pages' shapes.

A mixin of JiraEmulator kept apart so the core module stays small: the features that post comments,
assign people and read issues by key build on these routes.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from .core import ApiError, json_response
from .jira_adf import adf_to_text, is_adf, text_to_adf
from .jira_catalog import Issue, jira_time
from .jira_fields import expand_list, field_list, wanted_fields
from .jira_store import JiraStore

__all__ = [
    "BULKFETCH_MAX",
    "COMMENT_MAX_CHARS",
    "JiraHost",
    "JiraRoutesMixin",
    "ROUTE_RULES",
    "empty_response",
    "int_param",
]

_V = '/rest/api/<any("2","3","latest"):v>'
BULKFETCH_MAX = 100  # issueIdsOrKeys per bulkfetch request
COMMENT_MAX_CHARS = 32767  # Jira's text-field limit, which a comment body may not exceed
COMMENTS_PER_ISSUE = 5000  # the per-issue limit whose breach answers 413
USER_SEARCH_WINDOW = 1000  # user search pages stop at the thousandth match
NOT_FOUND = "Issue does not exist or you do not have permission to see it."

ROUTE_RULES = [
    Rule(_V + "/issue/<ref>/comment", endpoint="comment_list", methods=["GET"]),
    Rule(_V + "/issue/<ref>/comment", endpoint="comment_add", methods=["POST"]),
    Rule(_V + "/issue/<ref>/comment/<cid>", endpoint="comment_get", methods=["GET"]),
    Rule(_V + "/issue/<ref>/comment/<cid>", endpoint="comment_update", methods=["PUT"]),
    Rule(_V + "/issue/<ref>/assignee", endpoint="assignee_put", methods=["PUT"]),
    Rule(_V + "/user/search", endpoint="user_search", methods=["GET"]),
    Rule(_V + "/issue/bulkfetch", endpoint="issue_bulkfetch", methods=["POST"]),
]


@dataclass
class Comment:
    """One stored comment; bodies are kept as ADF like descriptions."""

    id: str
    issue_id: str
    author: str | None
    body: dict[str, Any]
    created: dt.datetime
    updated: dt.datetime
    update_author: str | None
    visibility: dict[str, Any] | None = None


class JiraHost:
    """What JiraEmulator gives its route mixins (declared once, for type checkers)."""

    store: JiraStore
    clock: Callable[[], dt.datetime]
    _version: Callable[[str], bool]
    _body: Callable[[Request], Any]
    _principal: Callable[[Request], str | None]
    _tz: Callable[[Request], Any]
    _render: Callable[..., dict[str, Any]]
    _known_fields: Callable[[], set[str]]

    if TYPE_CHECKING:  # JiraEmulator's read-only property

        @property
        def server(self) -> bool: ...


class JiraRoutesMixin(JiraHost):
    """Handlers for comments, assignee, user search and bulkfetch; state lives beside the store."""

    lock: threading.RLock
    admin: str
    root_url: str

    @property
    def comments(self) -> dict[str, list[Comment]]:
        """Comments per issue id, oldest first (created on first use so the mixin needs no __init__)."""
        if not hasattr(self, "_comments"):
            self._comments: dict[str, list[Comment]] = {}
        return self._comments

    # -- comments --------------------------------------------------------------------------------
    def add_comment(self, issue_key: str, text: str, *, author: str | None = None) -> str:
        """Seed a comment (plain text, stored as ADF) without a request; returns its id."""
        with self.lock:
            issue, now = self.store.issue(issue_key), self.clock()
            who = author or self.admin
            comment = Comment(self._next_comment_id(), issue.id, who, text_to_adf(text) or {}, now, now, who)
            self.comments.setdefault(issue.id, []).append(comment)
            return comment.id

    def _next_comment_id(self) -> str:
        return str(10000 + sum(map(len, self.comments.values())))

    def _comment_body(self, request: Request, v3: bool) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """The body as ADF plus visibility, or Jira's 400 naming what is wrong."""
        data = self._body(request)
        if not isinstance(data, dict):
            raise ApiError(400, "", errors={"comment": "Comment body can not be empty!"})
        visibility = data.get("visibility")
        if visibility is not None and not (
            isinstance(visibility, dict)
            and visibility.get("type") in ("group", "role")
            and (visibility.get("value") or visibility.get("identifier"))
        ):
            raise ApiError(
                400, "", errors={"commentLevel": "The visibility must have a type (group or role) and a value."}
            )
        return self._valid_body(data.get("body"), v3), visibility

    def _valid_body(self, body: Any, v3: bool) -> dict[str, Any]:
        """A comment body as ADF, or the 400 Jira answers for an empty, wrongly typed or too long one."""
        if body in (None, "") or (is_adf(body) and not (adf_to_text(body) or "").strip()):
            raise ApiError(400, "", errors={"comment": "Comment body can not be empty!"})
        if v3 and not is_adf(body):
            raise ApiError(
                400,
                "",
                errors={"comment": "Comment body must be an Atlassian Document (see the Atlassian Document Format)."},
            )
        if not v3 and not isinstance(body, str):
            raise ApiError(400, "", errors={"comment": "Comment body must be a string in API version 2."})
        text = adf_to_text(body) if v3 else body
        if len(text or "") > COMMENT_MAX_CHARS:
            raise ApiError(
                400,
                "",
                errors={
                    "comment": "The entered text is too long. It exceeds the allowed limit "
                    f"of {COMMENT_MAX_CHARS:,} characters."
                },
            )
        return (body if v3 else text_to_adf(body)) or {}

    def split_comment_update(self, body: Any, v3: bool) -> tuple[Any, list[dict[str, Any]]]:
        """An edit or transition body without `update.comment`, and the validated bodies its `add` verbs post."""
        update = body.get("update") if isinstance(body, dict) else None
        if not isinstance(update, dict) or "comment" not in update:
            return body, []
        ops = update["comment"]
        if not isinstance(ops, list) or not all(isinstance(op, dict) and set(op) == {"add"} for op in ops):
            raise ApiError(400, "", errors={"comment": "Field 'comment' supports only the 'add' operation."})
        adds = [
            self._valid_body((op["add"] or {}).get("body") if isinstance(op["add"], dict) else None, v3) for op in ops
        ]
        rest = {k: val for k, val in update.items() if k != "comment"}
        return {**body, "update": rest}, adds

    def post_comments(self, issue: Issue, bodies: list[dict[str, Any]], who: str | None) -> None:
        """Store comments an edit or a transition added (after the edit itself was accepted)."""
        existing = self.comments.setdefault(issue.id, [])
        if len(existing) + len(bodies) > COMMENTS_PER_ISSUE:
            raise ApiError(413, f"The issue has reached the limit of {COMMENTS_PER_ISSUE} comments.")
        now = self.clock()
        for body in bodies:
            existing.append(Comment(self._next_comment_id(), issue.id, who, body, now, now, who))
        if bodies:
            issue.updated = now  # a comment counts as an update of the issue, as in Jira

    def _user_details(self, account_id: str | None) -> dict[str, Any] | None:
        """UserDetails, the short user form of comment authors (no locale)."""
        user = self.store.render_user(account_id, server=self.server)
        if user is not None:
            user.pop("locale", None)
        return user

    def comment_field(self, issue_id: str, v: str, tz: Any) -> dict[str, Any]:
        """The `comment` field of an issue (not navigable: only `*all` or asking for it by name shows it)."""
        listed = self.comments.get(issue_id, [])
        return {
            "comments": [self._render_comment(c, v, tz) for c in listed],
            "self": f"{self.root_url}/rest/api/{'2' if v == '2' else '3'}/issue/{issue_id}/comment",
            "maxResults": len(listed),
            "total": len(listed),
            "startAt": 0,
        }

    def _render_comment(self, c: Comment, v: str, tz: Any) -> dict[str, Any]:
        issue_id = c.issue_id
        out: dict[str, Any] = {
            "self": f"{self.root_url}/rest/api/{'2' if v == '2' else '3'}/issue/{issue_id}/comment/{c.id}",
            "id": c.id,
            "author": self._user_details(c.author),
            "body": c.body if v == "3" else adf_to_text(c.body),
            "updateAuthor": self._user_details(c.update_author),
            "created": jira_time(c.created, tz),
            "updated": jira_time(c.updated, tz),
            "jsdPublic": True,
        }
        if c.visibility:
            out["visibility"] = c.visibility
        return {k: val for k, val in out.items() if val is not None}

    def _comment(self, ref: str, cid: str) -> Comment:
        issue = self.store.issue(ref)
        found = next((c for c in self.comments.get(issue.id, []) if c.id == cid), None)
        if found is None:
            raise ApiError(404, f"Can not find a comment for the id: {cid}.")
        return found

    def comment_add(self, request: Request, v: str, ref: str) -> Any:
        v3 = self._version(v)
        issue = self.store.issue(ref)
        body, visibility = self._comment_body(request, v3)
        self.post_comments(issue, [body], self._principal(request))
        comment = self.comments[issue.id][-1]
        comment.visibility = visibility
        return json_response(self._render_comment(comment, v, self._tz(request)), 201)

    def comment_list(self, request: Request, v: str, ref: str) -> Any:
        self._version(v)
        issue = self.store.issue(ref)
        start = int_param(request.args.get("startAt"), "startAt", 0)
        size = int_param(request.args.get("maxResults"), "maxResults", 100)
        order = request.args.get("orderBy") or "created"
        if order not in ("created", "-created", "+created"):
            raise ApiError(400, f"The orderBy value '{order}' is not valid: use created, +created or -created.")
        listed = sorted(self.comments.get(issue.id, []), key=lambda c: int(c.id), reverse=order == "-created")
        page = listed[start : start + size]
        return {
            "comments": [self._render_comment(c, v, self._tz(request)) for c in page],
            "maxResults": size,
            "total": len(listed),
            "startAt": start,
        }

    def comment_get(self, request: Request, v: str, ref: str, cid: str) -> Any:
        self._version(v)
        return self._render_comment(self._comment(ref, cid), v, self._tz(request))

    def comment_update(self, request: Request, v: str, ref: str, cid: str) -> Any:
        v3 = self._version(v)
        comment = self._comment(ref, cid)
        comment.body, visibility = self._comment_body(request, v3)
        comment.visibility = visibility or comment.visibility
        comment.updated, comment.update_author = self.clock(), self._principal(request)
        return self._render_comment(comment, v, self._tz(request))

    # -- assignment and users --------------------------------------------------------------------
    def assignee_put(self, request: Request, v: str, ref: str) -> Any:
        self._version(v)
        issue = self.store.issue(ref)
        data = self._body(request)
        given = [k for k in ("accountId", "name", "key") if isinstance(data, dict) and k in data]
        if len(given) != 1:
            raise ApiError(
                400,
                "Exactly one of accountId, name or key must be given."
                if given
                else "The accountId (or name on Data Center) of the assignee is required.",
            )
        if not self.server and given[0] != "accountId":
            raise ApiError(400, "'accountId' must be the only user identifying query parameter in GDPR strict mode.")
        value = data[given[0]]
        if value == "-1":  # the project's default assignee: its lead when the project assigns to the lead
            project = self.store.project(issue.project_id)
            issue.assignee = project.get("lead") if project.get("assigneeType") == "PROJECT_LEAD" else None
        else:
            issue.assignee = self.store.user(None if value is None else {given[0]: value})
        issue.updated = self.clock()
        return empty_response(204)

    def user_search(self, request: Request, v: str) -> Any:
        self._version(v)
        args = request.args
        start, size = (
            int_param(request.args.get("startAt"), "startAt", 0),
            int_param(request.args.get("maxResults"), "maxResults", 50),
        )
        if self.server:
            needle = args.get("username")
            if not needle:
                raise ApiError(400, "The username query parameter was not provided")
            fields: tuple[str, ...] = ("name", "displayName", "emailAddress")
        else:
            needle = args.get("query")
            if args.get("accountId") and needle:
                raise ApiError(400, "Only one of 'query' and 'accountId' may be given.")
            if not needle and not args.get("accountId"):
                raise ApiError(400, "One of 'query', 'accountId' or 'property' parameters must be provided.")
            fields = ("displayName", "emailAddress")
        users = sorted(self.store.users.values(), key=lambda u: (u["displayName"].lower(), u["accountId"]))
        if needle:
            low = needle.lower()
            hits = [
                u
                for u in users
                if any(
                    low == (u.get(f) or "").lower()
                    or any(w.startswith(low) for w in (u.get(f) or "").lower().split())
                    or (u.get(f) or "").lower().startswith(low)
                    for f in fields
                )
            ]
        else:
            hits = [u for u in users if u["accountId"] == args.get("accountId")]
        hits = hits[:USER_SEARCH_WINDOW]
        return [self.store.render_user(u["accountId"], server=self.server) for u in hits[start : start + size]]

    # -- bulkfetch -------------------------------------------------------------------------------
    def issue_bulkfetch(self, request: Request, v: str) -> Any:
        v3 = self._version(v)
        if self.server:
            raise ApiError(404, f"null for uri: {request.url}")
        data = self._body(request)
        refs = data.get("issueIdsOrKeys") if isinstance(data, dict) else None
        if not isinstance(refs, list) or not refs or not all(isinstance(r, (str, int)) for r in refs):
            raise ApiError(400, "At least one issue ID or key must be provided in issueIdsOrKeys.")
        if len(refs) > BULKFETCH_MAX:
            raise ApiError(400, f"A maximum of {BULKFETCH_MAX} issues can be fetched in one request; got {len(refs)}.")
        wanted = wanted_fields(field_list(data.get("fields")), self._known_fields(), "*navigable")
        expand, tz = expand_list(data.get("expand")), self._tz(request)
        found, errors = {}, []
        for ref in refs:
            try:
                issue = self.store.issue(str(ref))
            except ApiError:
                errors.append({"id": str(ref), "errorMessage": NOT_FOUND})
                continue
            found[issue.id] = issue
        issues = [self._render(found[i], wanted, expand, v3=v3, tz=tz) for i in sorted(found, key=int)]
        return {"issues": issues, "issueErrors": errors}


def empty_response(status: int) -> Response:
    """A bodiless success (204 edit, 201 link) without werkzeug's default text/plain Content-Type."""
    response = Response(status=status)
    response.headers.remove("Content-Type")
    return response


def int_param(raw: Any, name: str, default: int, *, minimum: int = 0) -> int:
    """An integer query/body parameter, or Jira's 400 naming it (never a 500 for "abc" or -1)."""
    try:
        value = int(raw) if raw not in (None, "") else default
    except (TypeError, ValueError):
        raise ApiError(400, f"The value '{raw}' is invalid for {name}.") from None
    if value < minimum:
        raise ApiError(400, f"The value '{raw}' is invalid for {name}: it must be at least {minimum}.")
    return value
