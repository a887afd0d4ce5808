"""The Asana doctor: workspace, team or project, the status custom field and its enum options, dates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import asana

from collabsync.errors import NotFoundError
from collabsync.findings import Finding, Findings, Needs, Severity
from collabsync.model import Container, Status

__all__ = ["preflight"]

B, D, I = Severity.BLOCKING, Severity.DEGRADE, Severity.INFO  # noqa: E741 - one-letter severities keep the add(...) calls short


def preflight(p: Any, destination: Mapping[str, Any], needs: Needs, container: Container | None) -> list[Finding]:
    """Read-only checks of one Asana destination (GETs only)."""
    out = Findings(p.name)
    add = out.add

    p.check()  # the token and the workspace (NotFoundError names the workspaces it has)
    project = str(destination.get("project") or (container.ref if container else "") or "")
    if project:
        where = f"Asana project {project}"
        try:
            got = p._call(
                f"project {project}", asana.ProjectsApi(p.client).get_project, project, {"opt_fields": "name"}
            )
        except NotFoundError:
            add(
                B,
                "project-missing",
                where,
                "no such project is visible to this token",
                f"set `project` of the departments routed to {p.name} to a project gid this token can see",
            )
            return out
        where = f"Asana project {got.get('name')} ({project})"
        if p.status_field:
            _status_field(p, project, where, add)
    else:
        team = destination.get("team") or p.team
        where = f"Asana team {team}"
        try:
            gid = p._team_gid(team)
            p._call(f"team {gid}", asana.TeamsApi(p.client).get_team, gid, {"opt_fields": "name"})
        except NotFoundError as exc:
            add(
                B,
                "team-missing",
                where,
                exc.cause,
                f"set `team` of the departments routed to {p.name} (or "
                f"[providers.{p.name}] team) to a team of workspace {p.workspace}",
            )
            return out
        if p.status_field:
            add(
                I,
                "status-field-new-project",
                where,
                f"new projects do not carry the custom field {p.status_field!r}",
                "add it to the project after the stamp (Customize > Fields) for statuses beyond sections",
            )
    if needs.start_equals_due or (needs.start and not needs.due):
        add(
            D,
            "start-not-before-due",
            where,
            "Asana refuses a start date on or after the due date (or without one)",
            "give those tasks a start before their due date in the template",
            "start date dropped for those tasks",
            "start dates",
        )
    if needs.estimate:
        add(
            D,
            "no-estimates",
            where,
            "the adapter writes no estimate field to Asana",
            "track estimates in another tool",
            "not written to Asana (they stay in the template and the plan)",
            "estimates",
        )
    return out


def _status_field(p: Any, project: str, where: str, add: Any) -> None:
    """The configured enum field on the project, and which statuses none of its options maps to."""
    try:
        field_gid, options = p._status_field(Container(project, project))
    except NotFoundError:
        add(
            D,
            "status-field-missing",
            where,
            f"the custom field {p.status_field!r} is not on the project",
            f"add {p.status_field!r} to the project (Customize > Fields) or unset status_field in [providers.{p.name}]",
            "status read from sections and completion only",
            "status field",
        )
        return
    mapped = {p.status_options.get(name) for name in options}
    unmapped = [s for s in (Status.IN_PROGRESS, Status.BLOCKED, Status.CANCELLED) if s not in mapped]
    if unmapped:
        names = ", ".join(sorted(options)) or "none"
        add(
            D,
            "status-options-differ",
            where,
            f"no option of {p.status_field!r} ({field_gid}) maps to "
            f"{', '.join(s.value for s in unmapped)} (options: {names})",
            f'map the options with status_options under [providers.{p.name}], e.g. "Working on it" = "in_progress"',
            f"`collabsync update --status {unmapped[0].value}` is refused in this project",
            "status changes",
        )
