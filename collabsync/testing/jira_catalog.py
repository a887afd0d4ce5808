"""The fixed catalogue of an emulated Jira site (fields, statuses, types, link types) and its issue record."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CATEGORIES",
    "EPIC_LINK",
    "EPIC_NAME",
    "FIELDS",
    "FLAGGED",
    "IMPEDIMENT",
    "ISSUE_FIELDS",
    "ISSUE_TYPES",
    "LINK_TYPES",
    "NOT_ON_SCREEN",
    "SERVER_FIELDS",
    "SETTABLE",
    "DEFAULT_SCREEN",
    "START_DATE",
    "STATUSES",
    "STORY_POINTS",
    "Issue",
    "jira_time",
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
#: Every field an issue shows, in the order Jira lists them (Data Center adds the epic pair after them).
ISSUE_FIELDS = (
    "summary",
    "description",
    "status",
    "assignee",
    "reporter",
    "duedate",
    "labels",
    "components",
    "issuelinks",
    "updated",
    "created",
    "parent",
    "project",
    "issuetype",
    STORY_POINTS,
    FLAGGED,
    START_DATE,
)
#: The fields on a default create screen, in screen order (project and issuetype are create-only): all but
#: those the workflow, links and Jira itself set.
DEFAULT_SCREEN = tuple(f for f in ISSUE_FIELDS if f not in {"status", "components", "issuelinks", "updated", "created"})
SETTABLE = set(DEFAULT_SCREEN)
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
    text = when.astimezone(tz).strftime("%Y-%m-%dT%H:%M:%S.%f%z")  # one strftime: 100 issues per bulkfetch
    dot = text.rindex(".")
    return text[: dot + 4] + text[dot + 7 :]  # microseconds cut to milliseconds


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
