"""`collabsync doctor` and the stamp's preflight against emulators set up like real, configured accounts.

Every finding kind comes from an emulator preset or seed, names what to change, and a stamp onto
the locked-down presets either completes exactly as the plan says or writes nothing at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from collabsync.cli import main
from collabsync.config import load_config
from collabsync.doctor import DoctorReport, check
from collabsync.findings import Severity
from collabsync.ledger import Ledger
from collabsync.runtime import Workspace
from collabsync.templating import find_template
from collabsync.testing.jira_store import FLAGGED
from collabsync.testing.plugin import preset
from collabsync.testing.stack import Stack, running_stack

VARS = ["--var", "product=Nova", "--var", "launch=2027-03-01"]
KINDS_TEMPLATE = """\
template: kinds
title: "Kinds check {{ name }}"
description: "Every capability a tool may lack."
variables:
  name: {type: string, description: "A name"}
  day: {type: date, description: "Start day"}
departments: [engineering, marketing]
sections:
  - {key: plan, title: Plan}
tasks:
  - key: build
    title: "Build {{ name }}"
    department: engineering
    section: plan
    start: day
    due: day + 5bd
    estimate: 3
    assignee: ada
    checklist: ["design", "code"]
  - key: ship
    title: "Ship {{ name }}"
    department: engineering
    section: plan
    due: day + 8bd
    depends_on: [build]
  - key: announce
    title: "Announce {{ name }}"
    department: marketing
    section: plan
    start: day + 8bd
    due: day + 8bd
    estimate: 1
    checklist: ["post"]
"""


def cli(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture
def stack(isolated_home: Path) -> Iterator[Stack]:
    with running_stack() as s:
        s.write_config(Path("collabsync.toml"))
        yield s


def write_config(stack: Stack, departments: dict[str, tuple[str, dict[str, str]]], **settings: str) -> Path:
    """A config routing departments to destinations, with extra provider settings as raw TOML lines."""
    text = stack.providers_toml()
    for provider, lines in settings.items():
        text = text.replace(f"[providers.{provider}]\n", f"[providers.{provider}]\n{lines}\n")
    for dept, (provider, dest) in departments.items():
        text += f"\n[departments.{dept}]\nprovider = \"{provider}\"\n" + "".join(f'{k} = "{v}"\n' for k, v in dest.items())
    path = Path("collabsync.toml")
    path.write_text(text)
    return path


def doctor(template: str = "product-launch", variables: dict[str, str] | None = None) -> DoctorReport:
    tmpl = find_template(template, [Path(".")])
    spec = tmpl.render("nova", variables or {"product": "Nova", "launch": "2027-03-01"})
    with Workspace(load_config("collabsync.toml")) as ws:
        return check(spec, ws)


def kinds(report: DoctorReport) -> dict[str, Severity]:
    assert all(f.fix for f in report.findings), "every finding says what to change"
    assert all(f.instead and f.capability for f in report.degradations), "every degradation says what happens instead"
    return {f.kind: f.severity for f in report.findings}


def writes(stack: Stack) -> int:
    """Write requests seen by the three emulators (searches sent as POST are reads)."""
    reads = {"search_jql", "search_old"}
    return sum(1 for emu in (stack.jira, stack.trello, stack.asana) for r in emu.requests
               if r.method in ("POST", "PUT", "DELETE", "PATCH") and r.endpoint not in reads)


def test_locked_down_jira_doctor_reports_degradations_with_fixes(stack: Stack) -> None:
    preset(stack.jira, "locked-down-jira")
    stack.jira.reset_log()
    out = cli("doctor", "product-launch", "--name", "nova", *VARS)
    assert "0 blocking" in out and "| jira | due dates | set by an edit right after create |" in out
    found = kinds(doctor())
    assert found["field-not-on-create-screen"] is Severity.DEGRADE
    assert found["field-unmapped"] is Severity.DEGRADE
    assert found["link-type-missing"] is Severity.DEGRADE
    assert found["status-unreachable"] is Severity.DEGRADE  # no Blocked status: Flagged instead
    assert found["status-multi-step"] is Severity.INFO      # Done is two transitions from To Do
    assert found["required-field-default"] is Severity.INFO
    assert writes(stack) == 0  # the doctor only reads


def test_stamp_onto_locked_down_jira_completes_as_planned(stack: Stack, isolated_home: Path) -> None:
    preset(stack.jira, "locked-down-jira")
    out = cli("stamp", "product-launch", "--name", "nova", *VARS, "--yes")
    assert "nova: created 37 tasks and 62 dependencies" in out
    assert "Planned degradations" in out
    with Ledger(isolated_home / "ledger.sqlite") as ledger:
        refs = {k: r.ref for k, r in ledger.objects("nova").items()}
    release = stack.jira.issue(refs["release"])
    assert release.duedate == "2027-03-01"  # set by the edit after create
    text = json.dumps(release.description)
    assert "Start date: 2027-02-26" in text and "Estimate: 2" in text  # written into the description
    assert "Depends on: ENG-" in json.dumps(stack.jira.issue(refs["feature-complete"]).description)
    assert "Blocks: ENG-" in json.dumps(stack.jira.issue(refs["scope-freeze"]).description)  # no Blocks link type
    assert stack.jira.store.links == []
    # Done is not one transition away from To Do: the update walks To Do -> In Progress -> Done.
    stack.jira.reset_log()
    cli("update", "nova", "release", "--status", "done")
    assert stack.jira.store.status(stack.jira.issue(refs["release"]).status_id)[1] == "Done"
    assert stack.jira.count("POST", "/transitions") == 2
    cli("update", "nova", "hypercare", "--status", "blocked")  # no Blocked status: Flagged, as planned
    assert stack.jira.issue(refs["hypercare"]).custom.get(FLAGGED)


@pytest.mark.parametrize("name, kind", [("required-field-jira", "required-field"), ("no-create-jira", "permission-create")])
def test_blocking_finding_means_no_write_at_all(stack: Stack, name: str, kind: str) -> None:
    preset(stack.jira, name)
    stack.jira.reset_log()
    out = cli("doctor", "product-launch", "--name", "nova", *VARS, code=1)
    assert f"BLOCKING jira" in out
    found = kinds(doctor())
    assert found[kind] is Severity.BLOCKING
    result = CliRunner().invoke(main, ["stamp", "product-launch", "--name", "nova", *VARS, "--yes"])
    assert result.exit_code == 1
    assert "refused before any write" in result.output
    assert writes(stack) == 0  # not in Jira, and not in Trello or Asana either


def test_plan_carries_the_findings(stack: Stack) -> None:
    preset(stack.jira, "required-field-jira")
    table = cli("stamp", "product-launch", "--name", "nova", *VARS, "--plan")
    assert "BLOCKING jira: Jira project ENG, issue type Task: Team (customfield_10050) is required" in table
    assert "fix: give Team a default value" in table
    data = json.loads(cli("stamp", "product-launch", "--name", "nova", *VARS, "--plan", "--format", "json"))
    assert data["doctor"]["blocking"] == 1
    assert {"required-field"} <= {f["kind"] for f in data["doctor"]["findings"]}
    assert writes(stack) == 0


def test_team_managed_jira(stack: Stack) -> None:
    preset(stack.jira, "team-managed-jira")
    found = kinds(doctor())
    assert found["team-managed"] is Severity.INFO
    assert found["workflow-unreadable"] is Severity.INFO
    write_config(stack, {"engineering": ("jira", {"project": "ENG", "issue_type": "Bug", "epic_issue_type": "Initiative"})})
    found = kinds(doctor())
    assert found["issue-type-missing"] is Severity.BLOCKING


def test_jira_permissions_screens_and_missing_project(stack: Stack) -> None:
    stack.jira.add_issue("ENG", "Existing")
    stack.jira.configure_project("ENG", denied={"LINK_ISSUES", "ASSIGN_ISSUES", "TRANSITION_ISSUES"},
                                 not_on_create={"labels", "assignee"}, not_on_edit={"assignee"})
    Path("kinds.yaml").write_text(KINDS_TEMPLATE)
    write_config(stack, {"engineering": ("jira", {"project": "ENG"})}, jira='epic_issue_type = "Initiative"')
    found = kinds(doctor("kinds.yaml", {"name": "Kite", "day": "2027-01-04"}))
    for kind in ("permission-link", "permission-transition", "permission-assign", "epic-type-missing", "no-checklists"):
        assert found[kind] is Severity.DEGRADE, kind
    assert found["marker-field-off-screen"] is Severity.BLOCKING
    write_config(stack, {"engineering": ("jira", {"project": "NOPE"})})
    assert kinds(doctor())["project-missing"] is Severity.BLOCKING


def test_observer_trello_board_blocks_and_the_emulator_refuses_writes(stack: Stack) -> None:
    dest = preset(stack.trello, "observer-trello")
    write_config(stack, {"sales": ("trello", dest)})
    found = kinds(doctor())
    assert found["permission-observer"] is Severity.BLOCKING
    assert found["no-estimates"] is Severity.DEGRADE
    stack.trello.reset_log()
    result = CliRunner().invoke(main, ["stamp", "product-launch", "--name", "nova", *VARS, "--yes"])
    assert result.exit_code == 1 and "make @me a normal member" in result.output
    assert writes(stack) == 0


def test_trello_board_lists_labels_membership_and_workspace(stack: Stack) -> None:
    board = stack.trello.add_board("Sales board", lists=["Backlog"])
    write_config(stack, {"sales": ("trello", {"board": board["id"]})})
    found = kinds(doctor())
    assert found["lists-missing"] is Severity.INFO and found["labels-missing"] is Severity.INFO
    other = stack.trello.add_member("someone", "Someone Else")
    stack.trello.state.boards[board["id"]]["_members"].remove(stack.trello.me_id)
    stack.trello.set_membership(board["id"], other["id"], "admin")
    assert kinds(doctor())["not-a-member"] is Severity.BLOCKING
    write_config(stack, {"sales": ("trello", {"workspace": "no-such-workspace"})})
    assert kinds(doctor())["workspace-missing"] is Severity.BLOCKING
    write_config(stack, {"sales": ("trello", {"board": "5f0c0ffee0c0ffee0c0ffee0"})})
    assert kinds(doctor())["board-missing"] is Severity.BLOCKING


def test_asana_status_field_options_differ(stack: Stack) -> None:
    dest = preset(stack.asana, "asana-status-field")
    write_config(stack, {"marketing": ("asana", dest)}, asana='status_field = "Status"')
    report = doctor()
    found = kinds(report)
    assert found["status-options-differ"] is Severity.DEGRADE
    finding = next(f for f in report.findings if f.kind == "status-options-differ")
    assert "in_progress, blocked, cancelled" in finding.what and "status_options" in finding.fix
    bare = stack.asana.add_project("No fields", status_field=False)
    write_config(stack, {"marketing": ("asana", {"project": bare})}, asana='status_field = "Status"')
    assert kinds(doctor())["status-field-missing"] is Severity.DEGRADE
    Path("kinds.yaml").write_text(KINDS_TEMPLATE)
    write_config(stack, {"marketing": ("asana", {"team": "No Such Team"})})
    assert kinds(doctor("kinds.yaml", {"name": "Kite", "day": "2027-01-04"}))["team-missing"] is Severity.BLOCKING
    write_config(stack, {"marketing": ("asana", {"project": "12345"})})
    assert kinds(doctor("kinds.yaml", {"name": "Kite", "day": "2027-01-04"}))["project-missing"] is Severity.BLOCKING


def test_asana_start_on_due_day_and_checklists(stack: Stack) -> None:
    Path("kinds.yaml").write_text(KINDS_TEMPLATE)
    write_config(stack, {"marketing": ("asana", {"team": stack.asana.team_gid})}, asana='status_field = "Status"')
    found = kinds(doctor("kinds.yaml", {"name": "Kite", "day": "2027-01-04"}))
    assert found["start-not-before-due"] is Severity.DEGRADE and found["no-checklists"] is Severity.DEGRADE
    assert found["status-field-new-project"] is Severity.INFO


def test_refused_credentials_are_a_blocking_finding_not_a_traceback(stack: Stack) -> None:
    Path("collabsync.toml").write_text(Path("collabsync.toml").read_text().replace(stack.jira.api_token, "wrong-token"))
    out = cli("doctor", "product-launch", "--name", "nova", *VARS, code=1)
    assert "BLOCKING jira" in out and "fix the credentials of [providers.jira]" in out
    assert "wrong-token" not in out


def test_doctor_for_a_stamped_instance(stack: Stack) -> None:
    cli("stamp", "product-launch", "--name", "nova", *VARS, "--yes")
    data = json.loads(cli("doctor", "--instance", "nova", "--format", "json"))
    assert data["blocking"] == 0 and {d["provider"] for d in data["destinations"]} == {"jira", "trello", "asana", "local"}
    assert "give TEMPLATE" in cli("doctor", code=2)
