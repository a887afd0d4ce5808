"""The Jira emulator's in-memory state: users, projects, issues, links, and the validation of what is written.

Input validation answers with the per-field messages Jira Cloud uses; the catalogue (fields, statuses, types)
lives in jira_catalog.py and the JSON rendering in jira_render.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .core import ApiError
from .jira_catalog import (
    CATEGORIES,
    EPIC_LINK,
    EPIC_NAME,
    FIELDS,
    FLAGGED,
    IMPEDIMENT,
    ISSUE_TYPES,
    LINK_TYPES,
    NOT_ON_SCREEN,
    SERVER_FIELDS,
    SETTABLE,
    START_DATE,
    STATUSES,
    STORY_POINTS,
    Issue,
)
from .jira_fields import update_to_fields
from .jira_jql import adf_to_text, is_adf, text_to_adf
from .jira_render import JiraRender

__all__ = ["JiraStore"]

_STATUS_BY_ID = {s[0]: s for s in STATUSES}


class JiraStore(JiraRender):
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
        self._link_index: tuple[tuple[int, str | None], dict[str, list[tuple[str, str, str, str]]]] = ((0, None), {})

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
        if id_or_name in _STATUS_BY_ID:  # every rendered issue asks by id; no status is named like an id
            return _STATUS_BY_ID[id_or_name]
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
