"""The Jira emulator's in-memory state: users, projects, issue types, statuses, fields, issues, links.

Rendering follows the real JSON shapes (checked against the v3 OpenAPI spec in the tests); input
validation answers with the per-field messages Jira Cloud uses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .core import ApiError
from .jira_fields import update_to_fields
from .jira_jql import adf_to_text, is_adf, text_to_adf

__all__ = [
    "EPIC_LINK",
    "EPIC_NAME",
    "FIELDS",
    "FLAGGED",
    "ISSUE_TYPES",
    "LINK_TYPES",
    "SERVER_FIELDS",
    "START_DATE",
    "STATUSES",
    "STORY_POINTS",
    "Issue",
    "JiraStore",
]

STORY_POINTS = "customfield_10016"
FLAGGED = "customfield_10021"
START_DATE = "customfield_10015"
EPIC_NAME = "customfield_10011"  # Data Center only: required on epics
EPIC_LINK = "customfield_10014"  # Data Center only: an issue's epic (DC has `parent` for sub-tasks only)
IMPEDIMENT = {"self": "", "value": "Impediment", "id": "10019"}

#: status categories: id -> (key, name, colorName)
CATEGORIES = {
    2: ("new", "To Do", "blue-gray"),
    4: ("indeterminate", "In Progress", "yellow"),
    3: ("done", "Done", "green"),
}
#: statuses: (id, name, category id, the transition name that leads there)
STATUSES = [
    ("10000", "To Do", 2, "Reopen"),
    ("3", "In Progress", 4, "Start progress"),
    ("10001", "Blocked", 4, "Block"),
    ("10002", "On Hold", 4, "Put on hold"),
    ("10003", "Done", 3, "Resolve"),
    ("10004", "Won't Do", 3, "Decline"),
    ("10005", "Cancelled", 3, "Cancel"),
]
#: issue types: (id, name, hierarchyLevel, subtask)
ISSUE_TYPES = [
    ("10000", "Epic", 1, False),
    ("10001", "Task", 0, False),
    ("10002", "Story", 0, False),
    ("10004", "Bug", 0, False),
    ("10003", "Sub-task", -1, True),
]
#: fields: (id, name, custom, schema type, system/custom key)
FIELDS = [
    ("summary", "Summary", False, "string", "summary"),
    ("description", "Description", False, "string", "description"),
    ("status", "Status", False, "status", "status"),
    ("assignee", "Assignee", False, "user", "assignee"),
    ("reporter", "Reporter", False, "user", "reporter"),
    ("duedate", "Due date", False, "date", "duedate"),
    ("labels", "Labels", False, "array", "labels"),
    ("components", "Components", False, "array", "components"),
    ("issuelinks", "Linked Issues", False, "array", "issuelinks"),
    ("updated", "Updated", False, "datetime", "updated"),
    ("created", "Created", False, "datetime", "created"),
    ("parent", "Parent", False, "issuelink", "parent"),
    ("project", "Project", False, "project", "project"),
    ("issuetype", "Issue Type", False, "issuetype", "issuetype"),
    (STORY_POINTS, "Story Points", True, "number", "com.atlassian.jira.plugin.system.customfieldtypes:float"),
    (FLAGGED, "Flagged", True, "array", "com.atlassian.jira.plugin.system.customfieldtypes:multicheckboxes"),
    (START_DATE, "Start date", True, "date", "com.atlassian.jira.plugin.system.customfieldtypes:datepicker"),
]
SERVER_FIELDS = [
    (EPIC_NAME, "Epic Name", True, "string", "com.pyxis.greenhopper.jira:gh-epic-label"),
    (EPIC_LINK, "Epic Link", True, "any", "com.pyxis.greenhopper.jira:gh-epic-link"),
]
SETTABLE = {
    "summary",
    "description",
    "assignee",
    "reporter",
    "duedate",
    "labels",
    "parent",
    "project",
    "issuetype",
    STORY_POINTS,
    FLAGGED,
    START_DATE,
}
NOT_ON_SCREEN = "Field '{}' cannot be set. It is not on the appropriate screen, or unknown."
#: link types: (id, name, inward, outward)
LINK_TYPES = [
    ("10000", "Blocks", "is blocked by", "blocks"),
    ("10001", "Cloners", "is cloned by", "clones"),
    ("10002", "Duplicate", "is duplicated by", "duplicates"),
    ("10003", "Relates", "relates to", "relates to"),
]


def jira_time(when: dt.datetime, tz: dt.tzinfo = dt.UTC) -> str:
    """Jira's timestamp format, in the reader's time zone: 2026-11-23T12:41:51.123+0200."""
    local = when.astimezone(tz)
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}" + local.strftime("%z")


@dataclass
class Issue:
    """One stored issue; descriptions are kept as ADF, as Jira Cloud does."""

    id: str
    key: str
    project_id: str
    type_id: str
    summary: str
    status_id: str
    created: dt.datetime
    updated: dt.datetime
    description: dict[str, Any] | None = None
    assignee: str | None = None
    reporter: str | None = None
    duedate: str | None = None
    labels: list[str] = field(default_factory=list)
    components: list[str] = field(default_factory=list)  # names; set by the seed API only
    parent_id: str | None = None
    custom: dict[str, Any] = field(default_factory=dict)


class JiraStore:
    """All objects of one emulated site, plus render/validate helpers; not thread-safe by itself."""

    def __init__(self, base: str = "", *, server: bool = False) -> None:
        self.base = base
        self.server = server
        self.fields = FIELDS + (SERVER_FIELDS if server else [])
        self.settable = SETTABLE | ({EPIC_NAME, EPIC_LINK} if server else set())
        self.users: dict[str, dict[str, Any]] = {}
        self.projects: dict[str, dict[str, Any]] = {}
        self.issues: dict[str, Issue] = {}
        self.by_key: dict[str, str] = {}
        self.links: list[tuple[str, str, str, str]] = []  # (link id, type id, inward issue id, outward issue id)
        self._next_issue = 10000
        self._next_project = 10000
        self._next_link = 10000
        self._link_index: tuple[int, dict[str, list[tuple[str, str, str, str]]]] = (0, {})

    # -- lookups ---------------------------------------------------------------------------------
    def issue(self, id_or_key: str) -> Issue:
        """An issue by id or key, or Jira's 404."""
        issue_id = self.by_key.get(str(id_or_key).upper(), str(id_or_key))
        if issue_id not in self.issues:
            raise ApiError(404, "Issue does not exist or you do not have permission to see it.")
        return self.issues[issue_id]

    def project(self, id_or_key: str) -> dict[str, Any]:
        """A project by id or key, or Jira's 404."""
        for p in self.projects.values():
            if p["id"] == str(id_or_key) or p["key"] == str(id_or_key).upper():
                return p
        raise ApiError(404, f"No project could be found with key '{id_or_key}'.")

    def status(self, id_or_name: str) -> tuple[str, str, int, str]:
        """A status row by id or name (case-insensitive)."""
        for s in STATUSES:
            if s[0] == id_or_name or s[1].lower() == str(id_or_name).lower():
                return s
        raise KeyError(id_or_name)

    def issue_type(self, project: dict[str, Any], ref: dict[str, Any]) -> tuple[str, str, int, bool] | None:
        """The project's issue type named or id'd in a create request, or None."""
        for t in ISSUE_TYPES:
            if t[0] in project["types"] and (str(ref.get("id")) == t[0] or ref.get("name") == t[1]):
                return t
        return None

    def user(self, ref: Any) -> str | None:
        """An accountId from {"accountId"}/{"name"}/{"id"}; ApiError when unknown."""
        if ref is None:
            return None
        if not isinstance(ref, dict):
            raise ApiError(400, "", errors={"assignee": "Specify a valid value for assignee"})
        wanted = ref.get("accountId") or ref.get("id") or ref.get("name")
        if wanted is None:
            return None
        for u in self.users.values():
            if wanted in (u["accountId"], u.get("name"), u.get("emailAddress")):
                return u["accountId"]
        raise ApiError(400, "", errors={"assignee": f"User '{wanted}' does not exist."})

    # -- create / edit ---------------------------------------------------------------------------
    def create(self, data: Any, *, v3: bool, now: dt.datetime, reporter: str | None) -> Issue:
        """Validate a create payload ({"fields": ...}) and store the issue; ApiError(400) lists every problem."""
        if not isinstance(data, dict) or not isinstance(data.get("fields"), dict):
            raise ApiError(400, "", errors={"fields": "Issue fields are required."})
        fields = data["fields"]
        errors: dict[str, str] = {}
        project = None
        pref = fields.get("project")
        if isinstance(pref, (str, int)):
            pref = {"key": str(pref)}
        if not isinstance(pref, dict) or not (pref.get("id") or pref.get("key")):
            errors["project"] = "Specify a valid project ID or key"
        else:
            try:
                project = self.project(str(pref.get("id") or pref.get("key")))
            except ApiError:
                errors["project"] = "Specify a valid project ID or key"
        itype = None
        tref = fields.get("issuetype")
        if not isinstance(tref, dict) or not (tref.get("id") or tref.get("name")):
            errors["issuetype"] = "Specify an issue type"
        elif project is not None:
            itype = self.issue_type(project, tref)
            if itype is None:
                errors["issuetype"] = "Specify a valid issue type"
        if not isinstance(fields.get("summary"), str) or not fields["summary"].strip():
            errors["summary"] = "You must specify a summary of the issue."
        elif len(fields["summary"]) > 255:
            errors["summary"] = "Summary must be less than 255 characters."
        values = self._validate_values(fields, v3=v3, errors=errors)
        parent_id = values.pop("parent_id", None)
        if self.server and itype is not None:
            if itype[1] == "Epic" and not values.get(EPIC_NAME):
                errors[EPIC_NAME] = "Epic Name is required."
            if parent_id is not None and not itype[3]:
                errors["parent"] = NOT_ON_SCREEN.format("parent")
        if itype is not None and "parent" not in errors:
            if itype[3] and parent_id is None:
                errors["parent"] = "Given parent work item does not belong to appropriate hierarchy."
            elif parent_id is not None:
                parent_type = next(t for t in ISSUE_TYPES if t[0] == self.issues[parent_id].type_id)
                if parent_type[2] != itype[2] + 1:
                    errors["parent"] = "Given parent work item does not belong to appropriate hierarchy."
        if errors:
            raise ApiError(400, "", errors=errors)
        assert project is not None and itype is not None
        project["counter"] += 1
        self._next_issue += 1
        issue = Issue(
            id=str(self._next_issue),
            key=f"{project['key']}-{project['counter']}",
            project_id=project["id"],
            type_id=itype[0],
            summary=fields["summary"],
            status_id=STATUSES[0][0],
            created=now,
            updated=now,
            reporter=reporter,
            parent_id=parent_id,
        )
        self._apply(issue, values)
        self.issues[issue.id] = issue
        self.by_key[issue.key] = issue.id
        return issue

    def edit(self, issue: Issue, data: Any, *, v3: bool, now: dt.datetime) -> None:
        """Apply PUT /issue `fields` and `update` verbs (set/add/remove) in one validated step."""
        if not isinstance(data, dict):
            raise ApiError(400, "Request body is not valid JSON.")
        current = {"labels": issue.labels, FLAGGED: issue.custom.get(FLAGGED) or [], "summary": issue.summary}
        fields, errors = update_to_fields(data.get("update"), dict(data.get("fields") or {}), current)
        for name in ("project", "issuetype"):
            if name in fields:
                errors[name] = f"Field '{name}' cannot be set. It is not on the appropriate screen, or unknown."
        if "summary" in fields and (not isinstance(fields["summary"], str) or not fields["summary"].strip()):
            errors["summary"] = "You must specify a summary of the issue."
        values = self._validate_values({k: v for k, v in fields.items() if k not in errors}, v3=v3, errors=errors)
        if errors:
            raise ApiError(400, "", errors=errors)
        if "summary" in fields:
            issue.summary = fields["summary"]
        if "parent_id" in values:
            issue.parent_id = values.pop("parent_id")
        self._apply(issue, values)
        issue.updated = now

    def _validate_values(self, fields: dict[str, Any], *, v3: bool, errors: dict[str, str]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, value in fields.items():
            if name not in self.settable:
                errors[name] = NOT_ON_SCREEN.format(name)
            elif name == "description":
                if value is None:
                    values["description"] = None
                elif v3 and not is_adf(value):
                    errors[name] = "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
                elif not v3 and not isinstance(value, str):
                    errors[name] = "Operation value must be a string"
                else:
                    values["description"] = value if v3 else text_to_adf(value)
            elif name in ("assignee", "reporter"):
                try:
                    values[name] = self.user(value)
                except ApiError as err:
                    errors[name] = str(err.extra["errors"]["assignee"])
            elif name in ("duedate", START_DATE):
                if value is not None:
                    try:
                        dt.date.fromisoformat(str(value))
                    except ValueError:
                        errors[name] = "Error parsing date string: " + str(value)
                        continue
                values[name] = value
            elif name == "labels":
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    errors[name] = "Field 'labels' must be an array of strings."
                elif any(" " in v for v in value):
                    bad = next(v for v in value if " " in v)
                    errors[name] = f"The label '{bad}' contains spaces which is invalid."
                else:
                    values["labels"] = list(dict.fromkeys(value))
            elif name == "parent":
                ref = value if isinstance(value, dict) else {}
                try:
                    values["parent_id"] = self.issue(str(ref.get("key") or ref.get("id"))).id if value else None
                except ApiError:
                    errors[name] = f"Could not find issue by id or key: {ref.get('key') or ref.get('id')}"
            elif name == EPIC_NAME:
                values[name] = value
            elif name == EPIC_LINK:
                epic = self.by_key.get(str(value).upper()) if value else None
                if value and (epic is None or self.issues[epic].type_id != "10000"):
                    errors[name] = f"The issue {value} is not an epic."
                else:
                    values[name] = str(value).upper() if value else None
            elif name == STORY_POINTS:
                if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
                    errors[name] = "Operation value must be a number"
                else:
                    values[name] = value
            elif name == FLAGGED:
                ok = value is None or (
                    isinstance(value, list)
                    and all(
                        isinstance(v, dict) and (v.get("value") == "Impediment" or v.get("id") == "10019")
                        for v in value
                    )
                )
                if not ok:
                    errors[name] = "Option value 'Impediment' is the only valid option for Flagged"
                else:
                    values[name] = [dict(IMPEDIMENT)] if value else None
        return values

    def _apply(self, issue: Issue, values: dict[str, Any]) -> None:
        for name, value in values.items():
            if name == "description":
                issue.description = value
            elif name in ("assignee", "reporter", "duedate", "labels"):
                setattr(issue, name, value)
            else:
                issue.custom[name] = value

    def link(self, type_ref: Any, inward: Any, outward: Any) -> str:
        """Store a link (inward issue <outward verb> outward issue: "A blocks B" for Blocks)."""
        if not isinstance(type_ref, dict):
            raise ApiError(400, "", errors={"issueLinkType": "Issue link type is required."})
        ltype = next((t for t in LINK_TYPES if t[0] == str(type_ref.get("id")) or t[1] == type_ref.get("name")), None)
        if ltype is None:
            raise ApiError(404, f"No issue link type with name '{type_ref.get('name') or type_ref.get('id')}' found.")
        ends = []
        for ref in (inward, outward):
            ref = ref if isinstance(ref, dict) else {}
            ends.append(self.issue(str(ref.get("key") or ref.get("id"))))
        for existing in self.links:
            if existing[1:] == (ltype[0], ends[0].id, ends[1].id):
                return existing[0]  # duplicates are reported as created, like Jira
        self._next_link += 1
        self.links.append((str(self._next_link), ltype[0], ends[0].id, ends[1].id))
        return str(self._next_link)

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
        all_fields = {
            "summary": lambda: issue.summary,
            "description": lambda: issue.description if v3 else adf_to_text(issue.description),
            "status": lambda: self.render_status(issue.status_id),
            "assignee": lambda: self.render_user(issue.assignee, server=server),
            "reporter": lambda: self.render_user(issue.reporter, server=server),
            "duedate": lambda: issue.duedate,
            "labels": lambda: list(issue.labels),
            "components": lambda: [
                {"self": f"{self.base}/rest/api/3/component/{10000 + i}", "id": str(10000 + i), "name": name}
                for i, name in enumerate(issue.components)
            ],
            "issuelinks": lambda: self.render_links(issue),
            "updated": lambda: jira_time(issue.updated, tz),
            "created": lambda: jira_time(issue.created, tz),
            "parent": lambda: self.render_ref(self.issues[issue.parent_id]) if issue.parent_id else None,
            "project": lambda: self.render_project(self.project(issue.project_id), full=False),
            "issuetype": lambda: self.render_type(issue.type_id),
            STORY_POINTS: lambda: issue.custom.get(STORY_POINTS),
            FLAGGED: lambda: issue.custom.get(FLAGGED),
            START_DATE: lambda: issue.custom.get(START_DATE),
            **(
                {EPIC_NAME: lambda: issue.custom.get(EPIC_NAME), EPIC_LINK: lambda: issue.custom.get(EPIC_LINK)}
                if self.server
                else {}
            ),
        }
        names = all_fields.keys() if wanted is None else [n for n in all_fields if n in wanted]
        fields = {n: all_fields[n]() for n in names}
        if "parent" in fields and fields["parent"] is None:
            del fields["parent"]  # Jira omits parent entirely on top-level issues
        return {
            "expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
            "id": issue.id,
            "self": f"{self.base}/rest/api/3/issue/{issue.id}",
            "key": issue.key,
            "fields": fields,
        }

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
        """The links touching an issue, in creation order, from an index rebuilt when links were added."""
        size, index = self._link_index
        if size != len(self.links):
            index = {}
            for entry in self.links:
                for end in dict.fromkeys(entry[2:]):
                    index.setdefault(end, []).append(entry)
            self._link_index = (len(self.links), index)
        return index.get(issue_id, [])

    def jql_value(self, issue: Issue, name: str) -> Any:
        """The value a JQL clause on `name` compares against."""
        if name == "project":
            p = self.project(issue.project_id)
            return [p["key"], p["id"], p["name"]]
        if name == "parent":
            parent = self.issues.get(issue.parent_id or "")
            return [parent.key, parent.id] if parent else None
        if name == "issuekey":
            return [issue.key, issue.id]
        if name == "id":
            return issue.id
        if name == "epic link":
            return issue.custom.get(EPIC_LINK)
        if name == "status":
            s = self.status(issue.status_id)
            return [s[1], s[0]]
        if name == "statuscategory":
            cat = self.status(issue.status_id)[2]
            return [CATEGORIES[cat][0], CATEGORIES[cat][1], str(cat)]
        if name == "issuetype":
            t = next(t for t in ISSUE_TYPES if t[0] == issue.type_id)
            return [t[1], t[0]]
        if name == "assignee":
            u = self.users.get(issue.assignee or "")
            return [u["accountId"], u["displayName"], u["emailAddress"]] if u else None
        if name in ("summary",):
            return issue.summary
        if name == "description":
            return adf_to_text(issue.description)
        if name == "text":
            return issue.summary + "\n" + (adf_to_text(issue.description) or "")
        if name in ("updated", "created"):
            return getattr(issue, name)
        if name == "duedate":
            return dt.date.fromisoformat(issue.duedate) if issue.duedate else None
        return getattr(issue, name, None)
