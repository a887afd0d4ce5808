"""The Jira doctor: read-only checks of a project against what a template needs, and the plan it leaves.

Reads the project, create metadata per issue type (the paged createmeta of Cloud and Data Center),
edit metadata of an existing issue, permissions, link types, project statuses and (with admin
rights) the workflow. What it finds is returned as findings and kept on the provider as a
``ScreenPlan`` per project, which `create_tasks` applies: fields off the create screen are set by an
edit after create or written into the description; a missing link type becomes description lines.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from collabsync.errors import AuthError, NotFoundError, ProviderError, RateLimitError
from collabsync.findings import Finding, Findings, Needs
from collabsync.model import Container, Linked, Status

from .jira_screens import B, D, I, ScreenPlan, _required, _screens
from .jira_support import json_body
from .jira_workflow import shortest_path, status_info, workflow_edges

__all__ = ["edit_after_create", "links_as_text", "preflight"]

PERMISSIONS = ("CREATE_ISSUES", "LINK_ISSUES", "TRANSITION_ISSUES", "ASSIGN_ISSUES")


def edit_after_create(p: Any, ref: str, later: dict[str, tuple[Any, str]] | None) -> None:
    """Set what the create screen refused; if the edit screen refuses it too, write it into the description."""
    if not later:
        return
    try:
        json_body(
            p.name,
            f"issue {ref}",
            p._send("PUT", f"issue/{ref}", json={"fields": {f: v for f, (v, _) in later.items()}}),
        )
    except (AuthError, RateLimitError):
        raise
    except ProviderError:
        p.annotate(ref, [line for _, line in later.values()])


def links_as_text(p: Any, pairs: Sequence[tuple[str, str]]) -> Iterator[Linked]:
    """Dependencies as 'Depends on' / 'Blocks' lines in both issues, where links cannot be made."""
    keys: dict[str, str] = {}
    for ref in {r for pair in pairs for r in pair}:
        got = json_body(p.name, f"issue {ref}", p._send("GET", f"issue/{ref}", params={"fields": "summary"}))
        keys[ref] = f"{got['key']} {(got.get('fields') or {}).get('summary', '')}".strip()
    for blocked, blocking in pairs:
        p.annotate(blocked, [f"Depends on: {keys[blocking]} ({p.url}/browse/{keys[blocking].split()[0]})"])
        p.annotate(blocking, [f"Blocks: {keys[blocked]} ({p.url}/browse/{keys[blocked].split()[0]})"])
        yield Linked(blocked, blocking)


def preflight(p: Any, destination: Mapping[str, Any], needs: Needs, container: Container | None) -> list[Finding]:
    """Every check of one Jira project; records the ScreenPlan and workflow graph on the provider."""
    key = str(destination.get("project") or "")
    where = f"Jira project {key} at {p.url}"
    out = Findings(p.name)
    add = out.add
    plan = ScreenPlan()

    p.check()
    try:
        project = json_body(p.name, f"project {key}", p._send("GET", f"project/{key}"))
    except NotFoundError:
        add(
            B,
            "project-missing",
            where,
            f"no project {key} is visible to this account",
            f"set `project` of the departments routed to {p.name} to an existing key, or grant Browse projects",
        )
        return out
    types = {t["name"]: str(t["id"]) for t in project.get("issueTypes", [])}
    task_type, epic_type = (
        p._option(destination, "issue_type", "Task"),
        p._option(destination, "epic_issue_type", "Epic"),
    )
    if project.get("simplified") or project.get("style") == "next-gen":
        add(
            I,
            "team-managed",
            where,
            "team-managed project: issue types, fields and screens are per project; "
            "tasks hang under the epic through `parent` (there is no Epic Link)",
            "nothing to change",
        )
    if task_type not in types:
        add(
            B,
            "issue-type-missing",
            where,
            f"no issue type {task_type!r} (has {', '.join(types)})",
            f"set issue_type to one of {', '.join(types)} under [departments.*] or [providers.{p.name}]",
        )
        return out
    if epic_type not in types:
        add(
            D,
            "epic-type-missing",
            where,
            f"no issue type {epic_type!r}",
            f"set epic_issue_type to one of {', '.join(types)}, or add {epic_type} to the project's issue types",
            f"tasks are grouped by the label collabsync-<instance> instead of an {epic_type}",
            "container",
        )
    if needs.checklist:
        sub = next((t["name"] for t in project.get("issueTypes", []) if t.get("subtask")), None)
        add(
            D,
            "checklists-as-subtasks" if sub else "no-checklists",
            where,
            "Jira has no checklists" + ("" if sub else " and the project has no sub-task type"),
            "nothing to change" if sub else f"add a sub-task issue type to {key} to get checklist items as sub-tasks",
            f"each checklist item becomes a {sub} of its task"
            if sub
            else "checklists are written into the description as '- [ ] item' lines",
            "checklists",
        )
    denied = _permissions(p, key)
    if "CREATE_ISSUES" in denied:
        add(
            B,
            "permission-create",
            where,
            "this account may not create issues",
            f"grant Create issues to the account in {key}'s permission scheme (Project settings > Permissions)",
        )
    if "LINK_ISSUES" in denied and needs.dependencies:
        plan.link_fallback = True
        add(
            D,
            "permission-link",
            where,
            "this account may not link issues",
            f"grant Link issues in {key}'s permission scheme",
            "dependencies are written as lines in both issues' descriptions",
            "dependencies",
        )
    if "TRANSITION_ISSUES" in denied:
        add(
            D,
            "permission-transition",
            where,
            "this account may not transition issues",
            f"grant Transition issues in {key}'s permission scheme",
            "`collabsync update` cannot change statuses here; move issues in Jira",
            "status changes",
        )
    if "ASSIGN_ISSUES" in denied and needs.assignee:
        plan.no_assign = True
        add(
            D,
            "permission-assign",
            where,
            "this account may not assign issues",
            f"grant Assign issues in {key}'s permission scheme",
            "assignees are written into the description",
            "assignees",
        )
    if "CREATE_ISSUES" not in denied:
        _screens(p, key, types[task_type], task_type, destination, needs, container, plan, add)
        if epic_type in types and not container:  # the instance's epic is created first: its screen counts too
            sent = {
                "summary",
                "project",
                "issuetype",
                "description",
                "labels",
                *(i for i in p._field_ids(destination).values() if i),
            }
            _required(
                p,
                key,
                types[epic_type],
                f"Jira project {key}, issue type {epic_type}",
                sent,
                add,
                plan,
                p._option(destination, "field_values", {}),
            )
    if needs.dependencies and not plan.link_fallback:
        names = [
            t["name"]
            for t in (json_body(p.name, "issueLinkType", p._send("GET", "issueLinkType")) or {}).get(
                "issueLinkTypes", []
            )
        ]
        if p.link_type not in names:
            plan.link_fallback = True
            add(
                D,
                "link-type-missing",
                f"Jira site {p.url}",
                f"no issue link type {p.link_type!r} (has {', '.join(names)})",
                f"add the link type {p.link_type!r} (Jira settings > Issues > Issue linking) or set link_type "
                f"under [providers.{p.name}] to one of {', '.join(names)}",
                "dependencies are written as lines in both issues' descriptions",
                "dependencies",
            )
    _statuses(p, key, str(project["id"]), types[task_type], needs, add)
    p.screens[key] = plan
    return out


def _permissions(p: Any, key: str) -> set[str]:
    """The permissions (of the four stamping needs) this account lacks in the project."""
    body = json_body(
        p.name,
        f"permissions in {key}",
        p._send("GET", "mypermissions", params={"projectKey": key, "permissions": ",".join(PERMISSIONS)}),
    )
    perms = (body or {}).get("permissions") or {}
    return {k for k in PERMISSIONS if not (perms.get(k) or {}).get("havePermission", False)}


def _statuses(p: Any, key: str, project_id: str, type_id: str, needs: Needs, add: Any) -> None:
    """Which neutral statuses exist in the project and how many transitions reach them from the start."""
    obj = f"Jira project {key} workflow"
    info = status_info(p, key, type_id)
    try:
        graph: dict[str, set[str]] | None = workflow_edges(p, project_id, type_id)
    except ProviderError as exc:
        graph = None
        add(
            I,
            "workflow-unreadable",
            obj,
            f"the workflow cannot be read ({exc.cause})",
            "run `collabsync doctor` with an admin account to check every status is reachable; until then "
            "a status change walks the offered transitions",
        )
    start = next((sid for sid, s in info.items() if (s.get("statusCategory") or {}).get("key") == "new"), None)
    for status in needs.statuses:
        reach = [sid for sid, s in info.items() if p._target_matches(s, status)]
        path = None
        if graph is not None and start is not None and reach:
            path = shortest_path(graph, start, set(reach).__contains__)
        if not reach or (graph is not None and start is not None and path is None):
            why = (
                f"no transition path from {info[start]['name']!r} reaches one"
                if reach and start is not None
                else "has no such status"
            )
            if status is Status.BLOCKED and p.settings.get("flagged_field", "Flagged") in (p._fields or {}):
                add(
                    D,
                    "status-unreachable",
                    obj,
                    f"{status.value}: the workflow {why}",
                    f"add a Blocked status reachable from {key}'s workflow, or list its name in blocked_statuses",
                    "blocked tasks get the Flagged field set instead",
                    "blocked status",
                )
            else:
                add(
                    D,
                    "status-unreachable",
                    obj,
                    f"{status.value}: the workflow {why}",
                    f"add a transition into a {status.value} status to {key}'s workflow (Project settings > Workflows)",
                    f"`collabsync update --status {status.value}` is refused here; move issues in Jira",
                    "status changes",
                )
        elif path is not None and len(path) > 1:
            names = " -> ".join(info.get(s, {}).get("name", s) for s in [start, *path] if s)
            add(
                I,
                "status-multi-step",
                obj,
                f"{status.value} is {len(path)} transitions from the start ({names})",
                "nothing to change: collabsync walks the workflow one transition at a time",
            )
    if graph is not None:
        p.workflows[key] = (graph, info)
