"""Rendering of the Jira emulator's objects in the vendor's JSON shapes, kept apart from storage and validation."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from .jira_catalog import (
    CATEGORIES,
    EPIC_LINK,
    EPIC_NAME,
    ISSUE_FIELDS,
    ISSUE_TYPES,
    LINK_TYPES,
    Issue,
    jira_time,
)
from .jira_jql import adf_to_text

__all__ = ["JiraRender"]

#: Data Center shows the epic pair after the fields every issue shows.
_SERVER_FIELDS = (*ISSUE_FIELDS, EPIC_NAME, EPIC_LINK)


class JiraRender:
    """Mixin of JiraStore: renders users, statuses, types, projects, issues and links (checked against the spec)."""

    base: str
    server: bool
    users: dict[str, dict[str, Any]]
    issues: dict[str, Issue]
    links: list[tuple[str, str, str, str]]
    _link_index: tuple[tuple[int, str | None], dict[str, list[tuple[str, str, str, str]]]]

    if TYPE_CHECKING:

        def project(self, id_or_key: str) -> dict[str, Any]: ...

        def status(self, id_or_name: str) -> tuple[str, str, int, str]: ...

    # -- rendering -------------------------------------------------------------------------------
    def render_user(self, account_id: str | None, *, server: bool = False) -> dict[str, Any] | None:
        """A user object as embedded in issues and /myself."""
        if account_id is None or account_id not in self.users:
            return None
        u = self.users[account_id]
        out = {
            "self": f"{self.base}/rest/api/3/user?accountId={u['accountId']}",
            "accountId": u["accountId"],
            "accountType": "atlassian",
            "emailAddress": u["emailAddress"],
            "displayName": u["displayName"],
            "active": True,
            "timeZone": u["timeZone"],
            "locale": "en_US",
        }
        if server:
            out.update({"name": u["name"], "key": u["name"]})
            out.pop("accountType")
        elif u.get("hide_email"):  # Cloud privacy settings: the profile hides the address
            out.pop("emailAddress")
        return out

    def render_status(self, status_id: str) -> dict[str, Any]:
        """A status with its statusCategory."""
        sid, name, cat, _ = self.status(status_id)
        key, cname, color = CATEGORIES[cat]
        return {
            "self": f"{self.base}/rest/api/3/status/{sid}",
            "description": "",
            "iconUrl": f"{self.base}/images/icons/statuses/generic.png",
            "name": name,
            "id": sid,
            "statusCategory": {
                "self": f"{self.base}/rest/api/3/statuscategory/{cat}",
                "id": cat,
                "key": key,
                "colorName": color,
                "name": cname,
            },
        }

    def render_type(self, type_id: str) -> dict[str, Any]:
        """An issue type (IssueTypeDetails)."""
        tid, name, level, subtask = next(t for t in ISSUE_TYPES if t[0] == type_id)
        return {
            "self": f"{self.base}/rest/api/3/issuetype/{tid}",
            "id": tid,
            "description": f"A {name.lower()}.",
            "iconUrl": f"{self.base}/images/icons/issuetypes/{name.lower()}.svg",
            "name": name,
            "subtask": subtask,
            "avatarId": 10300 + int(tid) % 100,
            "hierarchyLevel": level,
        }

    def render_project(self, project: dict[str, Any], *, full: bool = True) -> dict[str, Any]:
        """A project (the Project schema); `full` adds issue types and lead."""
        out: dict[str, Any] = {
            "self": f"{self.base}/rest/api/3/project/{project['id']}",
            "id": project["id"],
            "key": project["key"],
            "name": project["name"],
            "projectTypeKey": "software",
            "simplified": False,
            "style": "classic",
            "isPrivate": False,
            "properties": {},
        }
        if full:
            out["description"] = project.get("description", "")
            out["issueTypes"] = [self.render_type(t) for t in project["types"]]
            out["assigneeType"] = "UNASSIGNED"
            lead = self.render_user(project.get("lead"))
            if lead:
                out["lead"] = lead
        return out

    def render_issue(
        self, issue: Issue, wanted: set[str] | None, *, v3: bool, server: bool = False, tz: dt.tzinfo = dt.UTC
    ) -> dict[str, Any]:
        """An IssueBean limited to the wanted field ids (None = all); times in the reader's zone `tz`."""
        order = _SERVER_FIELDS if self.server else ISSUE_FIELDS
        names = order if wanted is None else [n for n in order if n in wanted]
        fields = {n: self._field(n, issue, v3, server, tz) for n in names}
        if "parent" in fields and fields["parent"] is None:
            del fields["parent"]  # Jira omits parent entirely on top-level issues
        return {
            "expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
            "id": issue.id,
            "self": f"{self.base}/rest/api/3/issue/{issue.id}",
            "key": issue.key,
            "fields": fields,
        }

    def _field(self, name: str, issue: Issue, v3: bool, server: bool, tz: dt.tzinfo) -> Any:
        """One field's value; only the asked ones are computed (a bulkfetch renders 100 issues per request)."""
        if name == "summary":
            return issue.summary
        if name == "status":
            return self.render_status(issue.status_id)
        if name == "assignee":
            return self.render_user(issue.assignee, server=server)
        if name == "duedate":
            return issue.duedate
        if name == "labels":
            return list(issue.labels)
        if name == "updated":
            return jira_time(issue.updated, tz)
        if name == "issuelinks":
            return self.render_links(issue)
        if name == "components":
            return [
                {"self": f"{self.base}/rest/api/3/component/{10000 + i}", "id": str(10000 + i), "name": component}
                for i, component in enumerate(issue.components)
            ]
        if name == "description":
            return issue.description if v3 else adf_to_text(issue.description)
        if name == "reporter":
            return self.render_user(issue.reporter, server=server)
        if name == "created":
            return jira_time(issue.created, tz)
        if name == "parent":
            return self.render_ref(self.issues[issue.parent_id]) if issue.parent_id else None
        if name == "project":
            return self.render_project(self.project(issue.project_id), full=False)
        if name == "issuetype":
            return self.render_type(issue.type_id)
        return issue.custom.get(name)  # story points, flagged, start date; epic name and link on Data Center

    def render_ref(self, issue: Issue) -> dict[str, Any]:
        """The short form of an issue used in parent and issuelinks."""
        return {
            "id": issue.id,
            "key": issue.key,
            "self": f"{self.base}/rest/api/3/issue/{issue.id}",
            "fields": {
                "summary": issue.summary,
                "status": self.render_status(issue.status_id),
                "issuetype": self.render_type(issue.type_id),
            },
        }

    def render_links(self, issue: Issue) -> list[dict[str, Any]]:
        """issuelinks: `outwardIssue` on the inward end ("this blocks that"), `inwardIssue` on the other."""
        out = []
        for lid, tid, inward, outward in self._links_of(issue.id):
            t = next(t for t in LINK_TYPES if t[0] == tid)
            entry: dict[str, Any] = {
                "id": lid,
                "self": f"{self.base}/rest/api/3/issueLink/{lid}",
                "type": {
                    "id": t[0],
                    "name": t[1],
                    "inward": t[2],
                    "outward": t[3],
                    "self": f"{self.base}/rest/api/3/issueLinkType/{t[0]}",
                },
            }
            if issue.id == inward:
                entry["outwardIssue"] = self.render_ref(self.issues[outward])
            else:
                entry["inwardIssue"] = self.render_ref(self.issues[inward])
            out.append(entry)
        return out

    def _links_of(self, issue_id: str) -> list[tuple[str, str, str, str]]:
        """The links touching an issue, in creation order, from an index rebuilt when links were added or cut."""
        # link ids only grow: a cut then an add leaves the count but not the last id (a count alone went stale)
        shape = (len(self.links), self.links[-1][0] if self.links else None)
        indexed, index = self._link_index
        if indexed != shape:
            index = {}
            for entry in self.links:
                for end in dict.fromkeys(entry[2:]):
                    index.setdefault(end, []).append(entry)
            self._link_index = (shape, index)
        return index.get(issue_id, [])
