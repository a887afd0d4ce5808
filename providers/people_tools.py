"""Each tool's user lookup by e-mail and its assignee write, kept out of the (long) adapter modules.

Jira Cloud: GET /rest/api/2/user/search?query= (accountId; a profile that hides its e-mail cannot be
matched, so `[people]` names it); Jira Data Center: ?username= (the user's `name`); Asana: GET
/users/{email} (Asana takes an e-mail wherever a user gid goes); Trello: the token's own member, matched
by its e-mail, the only address Trello shows (everyone else is named in `[people]`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from collabsync.errors import NotFoundError
from collabsync.people_cache import ToolUser

if TYPE_CHECKING:
    from collabsync.providers.asana import AsanaProvider
    from collabsync.providers.jira import JiraProvider
    from collabsync.providers.trello import TrelloProvider

__all__ = ["jira_user", "jira_assign", "asana_user", "asana_assign", "trello_user", "trello_assign"]


def _same(a: Any, b: str) -> bool:
    return isinstance(a, str) and a.casefold() == b.casefold()


def jira_user(p: JiraProvider, email: str) -> ToolUser | None:
    """The Jira user whose visible e-mail is this one."""
    from collabsync.providers.jira_support import json_body

    server = p._deployment_type() == "Server"
    params = {"username" if server else "query": email, "maxResults": 50}
    rows = json_body(p.name, f"user {email}", p._send("GET", "user/search", params=params)) or []
    for u in rows if isinstance(rows, list) else []:
        if _same(u.get("emailAddress"), email):
            return ToolUser(str(u["name"] if server else u["accountId"]), str(u.get("displayName") or ""), email)
    return None


def jira_assign(p: JiraProvider, ref: str, user: ToolUser | None) -> None:
    """PUT /issue/{ref}/assignee (by accountId on Cloud, by name on Data Center); repeating it changes nothing."""
    from collabsync.providers.jira_support import raise_for

    server = p._deployment_type() == "Server"
    body = {"name": user.id if user else None} if server else {"accountId": user.id if user else None}
    raise_for(p.name, f"issue {ref}", p._send("PUT", f"issue/{ref}/assignee", json=body))


def asana_user(p: AsanaProvider, email: str) -> ToolUser | None:
    """GET /users/{email}: Asana resolves the address itself; a 404 means no such user."""
    import asana

    try:
        u = p._call(f"user {email}", asana.UsersApi(p.client).get_user, email, {"opt_fields": "name,email"})
    except NotFoundError:
        return None
    return ToolUser(str(u["gid"]), str(u.get("name") or ""), str(u.get("email") or email)) if u else None


def asana_assign(p: AsanaProvider, ref: str, user: ToolUser | None) -> None:
    """PUT /tasks/{gid} with the assignee (null: nobody)."""
    import asana

    body = {"data": {"assignee": user.id if user else None}}
    try:
        p._call(f"task {ref}", asana.TasksApi(p.client).update_task, body, ref, {"opt_fields": "assignee"})
    finally:
        p._invalidate_cache()


def trello_user(p: TrelloProvider, email: str) -> ToolUser | None:
    """The token's own member when its e-mail is this one: Trello shows no one else's address."""
    me = p._fetch("GET", "/members/me", "member me", query={"fields": "username,fullName,email"})
    if isinstance(me, dict) and _same(me.get("email"), email):
        return ToolUser(str(me["id"]), str(me.get("fullName") or me.get("username") or ""), email)
    return None


def trello_assign(p: TrelloProvider, ref: str, user: ToolUser | None) -> None:
    """PUT /cards/{id} idMembers: the card's members become exactly this one (or none)."""
    p._fetch("PUT", f"/cards/{ref}", f"card {ref}", body={"idMembers": user.id if user else ""})
