"""The doctor's reading of Jira's create and edit screens, and the ScreenPlan it leaves for stamping."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from collabsync.findings import Needs, Severity
from collabsync.model import Container, TaskSpec, insert_above_marker

from .jira_support import json_body

B, D, I = Severity.BLOCKING, Severity.DEGRADE, Severity.INFO  # noqa: E741 - one-letter severities keep the add(...) calls short

SCREENS = "Project settings > Screens (or Issue types > Fields on team-managed projects)"


@dataclass
class ScreenPlan:
    """How tasks are written into one project, as the doctor planned it."""

    not_on_create: dict[str, str] = field(default_factory=dict)  # field id -> label, left out of the create
    edit_after: set[str] = field(default_factory=set)  # of those, set by an edit right after the create
    unmapped: set[str] = field(default_factory=set)  # "start"/"estimate" with no field configured
    values: dict[str, Any] = field(default_factory=dict)  # field id -> value from `field_values`, ids resolved
    link_fallback: bool = False  # dependencies as description lines, not links
    no_assign: bool = False  # assignees as description lines

    def split(self, fields: dict[str, Any], spec: TaskSpec) -> tuple[dict[str, Any], dict[str, tuple[Any, str]]]:
        """The create payload without what the screen refuses, plus {field: (value, fallback line)} to edit after."""
        later: dict[str, tuple[Any, str]] = {}
        lines: list[str] = []
        for fid, label in self.not_on_create.items():
            if fid not in fields:
                continue
            value = fields.pop(fid)
            line = f"{label}: {spec.assignee if fid == 'assignee' else value}"
            if fid in self.edit_after:
                later[fid] = (value, line)
            else:
                lines.append(line)
        if "start" in self.unmapped and spec.start:
            lines.append(f"Start date: {spec.start.isoformat()}")
        if "estimate" in self.unmapped and spec.estimate is not None:
            lines.append(f"Estimate: {spec.estimate:g}")
        if self.no_assign and fields.pop("assignee", None) is not None:
            lines.append(f"Assignee: {spec.assignee}")
        if lines:
            fields["description"] = insert_above_marker(fields.get("description") or "", lines)
        return fields, later


def _paged(p: Any, path: str, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """Every item of a startAt-paged createmeta answer (Cloud: issueTypes/fields, Data Center: values)."""
    items: list[dict[str, Any]] = []
    while True:
        body = json_body(p.name, path, p._send("GET", path, params={"startAt": len(items), "maxResults": 50})) or {}
        page: list[dict[str, Any]] = next((body[k] for k in keys if isinstance(body.get(k), list)), [])
        items += page
        if not page or len(items) >= int(body.get("total", len(items))):
            return items


def _screens(
    p: Any,
    key: str,
    type_id: str,
    type_name: str,
    destination: Mapping[str, Any],
    needs: Needs,
    container: Container | None,
    plan: ScreenPlan,
    add: Any,
) -> None:
    """Create metadata of the task type: required fields without defaults, fields off the screen."""
    obj = f"Jira project {key}, issue type {type_name}"
    ids = p._field_ids(destination)
    sent = {
        "summary",
        "project",
        "issuetype",
        "description",
        "labels",
        "duedate",
        "assignee",
        "parent",
        *(i for i in ids.values() if i),
    }
    metas = _required(p, key, type_id, obj, sent, add, plan, p._option(destination, "field_values", {}))
    on_screen = {str(m.get("fieldId") or m.get("key")) for m in metas}
    for fid in ("description", "labels"):
        if fid not in on_screen:
            add(
                B,
                "marker-field-off-screen",
                obj,
                f"{fid} is not on the create screen; collabsync finds its issues by it",
                f"add {fid} to {key}'s create screen ({SCREENS})",
            )
    editable = _editable(p, key, container)
    wanted = [
        ("duedate", "Due date", needs.due, "due dates"),
        ("assignee", "Assignee", needs.assignee, "assignees"),
        (ids.get("start"), "Start date", needs.start, "start dates"),
        (ids.get("story_points"), "Estimate", needs.estimate, "estimates"),
    ]
    for fid, label, needed, capability in wanted:
        if not fid or not needed or fid in on_screen:
            continue
        plan.not_on_create[fid] = label
        on_edit = editable is None or fid in editable
        if on_edit:
            plan.edit_after.add(fid)
        instead = (
            (
                "set by an edit right after create"
                + (" (the description if the edit screen refuses it)" if editable is None else "")
            )
            if on_edit
            else "written into the description"
        )
        add(
            D,
            "field-not-on-create-screen",
            obj,
            f"{label.lower()} ({fid}) is not on the create screen",
            f"add {fid} to {key}'s create screen ({SCREENS})",
            instead,
            capability,
        )
    for role, option, example, needed, capability in (
        ("start", "start_date_field", "Start date", needs.start, "start dates"),
        ("estimate", "story_points_field", "Story Points", needs.estimate, "estimates"),
    ):
        if needed and not ids.get("story_points" if role == "estimate" else "start"):
            plan.unmapped.add(role)
            add(
                D,
                "field-unmapped",
                obj,
                f"the template has {capability} and no {option} is configured",
                f'set {option} = "{example}" (the field\'s name in Jira) under [departments.*] or [providers.{p.name}]',
                "written into the description",
                capability,
            )


def _required(
    p: Any, key: str, type_id: str, obj: str, sent: set[str], add: Any, plan: ScreenPlan, configured: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Create metadata of one issue type; a required field collabsync does not send and Jira cannot fill blocks.

    A value given in `field_values` (by field name or id) is checked against the allowed values and
    resolved to its option id once, here, so every create sends what Jira accepts.
    """
    metas = _paged(p, f"issue/createmeta/{key}/issuetypes/{type_id}", ("fields", "values", "results"))
    for m in metas:
        fid = str(m.get("fieldId") or m.get("key"))
        options = {str(v.get("value") or v.get("name")): v for v in m.get("allowedValues") or []}
        given = configured.get(str(m.get("name")), configured.get(fid))
        if given is not None:
            if options and str(given) not in options:
                add(
                    B,
                    "field-value-not-allowed",
                    obj,
                    f"field_values gives {m.get('name')} = {given!r}, not one of {', '.join(options)}",
                    f"set field_values {m.get('name')} to one of {', '.join(options)}",
                )
            else:
                plan.values[fid] = {"id": str(options[str(given)]["id"])} if options else given
            continue
        if not m.get("required") or fid in sent:
            continue
        allowed = ", ".join(options)
        if m.get("hasDefaultValue"):
            add(
                I,
                "required-field-default",
                obj,
                f"{m.get('name')} ({fid}) is required; Jira fills its default "
                f"{(m.get('defaultValue') or {}).get('value', '')!r}",
                "nothing to change",
            )
        else:
            add(
                B,
                "required-field",
                obj,
                f"{m.get('name')} ({fid}) is required on create and has no default"
                + (f"; allowed values: {allowed}" if allowed else ""),
                f'set field_values = {{ {m.get("name")} = "..." }} under [departments.*] or [providers.{p.name}], '
                f"or give {m.get('name')} a default value in {key}'s field configuration (Project settings > Fields)",
            )
    return metas


def _editable(p: Any, key: str, container: Container | None) -> set[str] | None:
    """Fields on the edit screen, from editmeta of the instance's epic or any issue of the project (None: no issue)."""
    ref = (container.extra.get("epic_key") if container else None) or _any_issue(p, key)
    if not ref:
        return None
    body = json_body(p.name, f"editmeta of {ref}", p._send("GET", f"issue/{ref}/editmeta")) or {}
    return set((body.get("fields") or {}).keys())


def _any_issue(p: Any, key: str) -> str | None:
    for hit in p._search(f"project = {key} ORDER BY key ASC", ["summary"], cached=False):
        return str(hit.get("key") or hit["id"])
    return None
