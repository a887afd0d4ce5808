"""Named emulator set-ups that look like real, configured accounts, for tests and demos.

``seed_preset(emulator, name, **options)`` applies one to a running emulator and returns what a
config needs to route to it (e.g. ``{"board": id}``). Presets:

- ``locked-down-jira``: due date, start date and story points off the create screen (due date still
  editable), a required "Team" select with a default, To Do -> In Progress -> Done only (no Blocked),
  no "Blocks" link type, no permission to assign.
- ``required-field-jira``: as locked-down, but "Team" has no default: creating anything fails.
- ``no-create-jira``: the account may browse the project but not create issues.
- ``team-managed-jira``: a team-managed (next-gen) project with Epic, Task and Story only, whose
  workflow the account may not read.
- ``observer-trello``: a board on which the token's member is only an observer.
- ``asana-status-field``: an Asana project whose "Status" enum has options the defaults do not map.
"""

from __future__ import annotations

from typing import Any

from .jira_accounts import RequiredField
from .jira_catalog import START_DATE, STORY_POINTS

__all__ = ["PRESETS", "seed_preset"]

TEAM_FIELD = "customfield_10050"
LOCKED_WORKFLOW = {"To Do": ["In Progress"], "In Progress": ["To Do", "Done"], "Done": ["To Do"]}


def _jira_project(emu: Any, key: str) -> dict[str, Any]:
    if not any(p["key"] == key for p in emu.store.projects.values()):
        emu.add_project(key, "Engineering")
    if not any(i.project_id == emu.store.project(key)["id"] for i in emu.store.issues.values()):
        emu.add_issue(key, "Existing work item")  # editmeta needs one issue to read the edit screen from
    return emu.store.project(key)


def _locked(emu: Any, key: str = "ENG", *, team_default: str | None = "Platform", **_: Any) -> dict[str, Any]:
    _jira_project(emu, key)
    emu.configure_project(
        key,
        not_on_create={"duedate", START_DATE, STORY_POINTS},
        not_on_edit={START_DATE},
        required=[RequiredField(TEAM_FIELD, "Team", ["Platform", "Payments", "Growth"], team_default)],
        workflow=dict(LOCKED_WORKFLOW),
        denied={"ASSIGN_ISSUES"},
    )
    emu.remove_link_type("Blocks")
    return {"project": key}


def _required(emu: Any, key: str = "ENG", **_: Any) -> dict[str, Any]:
    return _locked(emu, key, team_default=None)


def _no_create(emu: Any, key: str = "ENG", **_: Any) -> dict[str, Any]:
    _jira_project(emu, key)
    emu.configure_project(key, denied={"CREATE_ISSUES", "LINK_ISSUES", "TRANSITION_ISSUES", "ASSIGN_ISSUES"})
    return {"project": key}


def _team_managed(emu: Any, key: str = "ENG", **_: Any) -> dict[str, Any]:
    project = _jira_project(emu, key)
    project["types"] = [t for t in project["types"] if t in ("10000", "10001", "10002")]  # Epic, Task, Story
    emu.configure_project(key, team_managed=True, admin_denied=True)
    return {"project": key}


def _observer(emu: Any, name: str = "Sales pipeline", **_: Any) -> dict[str, Any]:
    board = emu.add_board(name)
    emu.add_board_member(board["id"], emu.me_id, "observer")
    return {"board": board["id"]}


def _asana_status(emu: Any, name: str = "Marketing launches", **_: Any) -> dict[str, Any]:
    with emu.lock:
        field = emu.store.new_field(emu.workspace_gid, "Status", ("Not started", "Working on it", "Stuck", "Done"))
    gid = emu.add_project(name, status_field=False)
    with emu.lock:
        emu.store.projects[gid]["fields"].append(field)
    return {"project": gid}


PRESETS = {
    "locked-down-jira": _locked,
    "required-field-jira": _required,
    "no-create-jira": _no_create,
    "team-managed-jira": _team_managed,
    "observer-trello": _observer,
    "asana-status-field": _asana_status,
}


def seed_preset(emulator: Any, name: str, **options: Any) -> dict[str, Any]:
    """Apply a named preset to a running emulator; returns the destination keys that route to it."""
    if name not in PRESETS:
        raise KeyError(f"unknown preset {name!r}; known: {', '.join(PRESETS)}")
    return PRESETS[name](emulator, **options)
