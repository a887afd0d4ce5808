"""`collabsync doctor` and the stamp's preflight against Jira emulators set up like real, configured accounts.

Every finding kind comes from an emulator preset or seed, names what to change, and a stamp onto
the locked-down presets either completes exactly as the plan says or writes nothing at all.
Trello and Asana findings: test_doctor_trello_asana.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from collabsync.cli import main
from collabsync.findings import Severity
from collabsync.ledger import Ledger
from collabsync.testing.jira_catalog import FLAGGED
from collabsync.testing.plugin import preset
from collabsync.testing.stack import Stack
from doctor_support import KINDS_TEMPLATE, VARS, cli, doctor, kinds, stack_fixture, write_config, writes


@pytest.fixture
def stack(isolated_home: Path) -> Iterator[Stack]:
    yield from stack_fixture(isolated_home)


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
    assert found["status-multi-step"] is Severity.INFO  # Done is two transitions from To Do
    assert found["required-field-default"] is Severity.INFO
    assert writes(stack) == 0  # the doctor only reads


def test_stamp_onto_locked_down_jira_completes_as_planned(stack: Stack, isolated_home: Path) -> None:
    preset(stack.jira, "locked-down-jira")
    out = cli("stamp", "product-launch", "--name", "nova", *VARS, "--yes")
    assert "nova: created 45 tasks and 66 dependencies" in out
    assert "Planned degradations" in out
    with Ledger(isolated_home / "ledger.sqlite") as ledger:
        refs = {k: r.ref for k, r in ledger.objects("nova").items()}
    release = stack.jira.issue(refs["release"])
    assert release.duedate == "2027-02-26"  # set by the edit after create (launch - 1bd)
    text = json.dumps(release.description)
    assert "Start date: 2027-02-26" in text and "Estimate: 1" in text  # written into the description
    assert "Depends on: ENG-" in json.dumps(stack.jira.issue(refs["feature-complete"]).description)
    assert "Blocks: ENG-" in json.dumps(stack.jira.issue(refs["scope-freeze"]).description)  # no Blocks link type
    assert stack.jira.store.links == []
    # Done is not one transition away from To Do: the update walks To Do -> In Progress -> Done.
    stack.jira.reset_log()
    cli("update", "nova", "release", "--status", "done", "--force")
    assert stack.jira.store.status(stack.jira.issue(refs["release"]).status_id)[1] == "Done"
    assert stack.jira.count("POST", "/transitions") == 2
    cli("update", "nova", "hypercare", "--status", "blocked")  # no Blocked status: Flagged, as planned
    assert stack.jira.issue(refs["hypercare"]).custom.get(FLAGGED)


@pytest.mark.parametrize(
    "name, kind", [("required-field-jira", "required-field"), ("no-create-jira", "permission-create")]
)
def test_blocking_finding_means_no_write_at_all(stack: Stack, name: str, kind: str) -> None:
    preset(stack.jira, name)
    stack.jira.reset_log()
    out = cli("doctor", "product-launch", "--name", "nova", *VARS, code=1)
    assert "BLOCKING jira" in out
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
    assert 'fix: set field_values = { Team = "..." }' in table
    data = json.loads(cli("stamp", "product-launch", "--name", "nova", *VARS, "--plan", "--format", "json"))
    assert data["doctor"]["blocking"] == 2  # Team is required on both issue types the stamp creates: Epic and Task
    assert {"required-field"} <= {f["kind"] for f in data["doctor"]["findings"]}
    assert writes(stack) == 0


def test_team_managed_jira(stack: Stack) -> None:
    preset(stack.jira, "team-managed-jira")
    found = kinds(doctor())
    assert found["team-managed"] is Severity.INFO
    assert found["workflow-unreadable"] is Severity.INFO
    write_config(
        stack, {"engineering": ("jira", {"project": "ENG", "issue_type": "Bug", "epic_issue_type": "Initiative"})}
    )
    found = kinds(doctor())
    assert found["issue-type-missing"] is Severity.BLOCKING


def test_jira_permissions_screens_and_missing_project(stack: Stack) -> None:
    stack.jira.add_issue("ENG", "Existing")
    stack.jira.configure_project(
        "ENG",
        denied={"LINK_ISSUES", "ASSIGN_ISSUES", "TRANSITION_ISSUES"},
        not_on_create={"labels", "assignee"},
        not_on_edit={"assignee"},
    )
    Path("kinds.yaml").write_text(KINDS_TEMPLATE)
    write_config(stack, {"engineering": ("jira", {"project": "ENG"})}, jira='epic_issue_type = "Initiative"')
    found = kinds(doctor("kinds.yaml", {"name": "Kite", "day": "2027-01-04"}))
    for kind in (
        "permission-link",
        "permission-transition",
        "permission-assign",
        "epic-type-missing",
        "checklists-as-subtasks",
    ):
        assert found[kind] is Severity.DEGRADE, kind
    assert found["marker-field-off-screen"] is Severity.BLOCKING
    write_config(stack, {"engineering": ("jira", {"project": "NOPE"})})
    assert kinds(doctor())["project-missing"] is Severity.BLOCKING


def test_refused_credentials_are_a_blocking_finding_not_a_traceback(stack: Stack) -> None:
    Path("collabsync.toml").write_text(Path("collabsync.toml").read_text().replace(stack.jira.api_token, "wrong-token"))
    out = cli("doctor", "product-launch", "--name", "nova", *VARS, code=1)
    assert "BLOCKING jira" in out and "fix the credentials of [providers.jira]" in out
    assert "wrong-token" not in out


def test_doctor_for_a_stamped_instance(stack: Stack) -> None:
    cli("stamp", "product-launch", "--name", "nova", *VARS, "--yes")
    data = json.loads(cli("doctor", "--instance", "nova", "--format", "json"))
    assert data["blocking"] == 0 and {d["provider"] for d in data["destinations"]} == {
        "jira",
        "trello",
        "asana",
        "local",
    }
    assert "give TEMPLATE" in cli("doctor", code=2)


def test_jira_checklists_become_subtasks_or_description_lines(stack: Stack) -> None:
    Path("kinds.yaml").write_text(KINDS_TEMPLATE)
    write_config(stack, {"engineering": ("jira", {"project": "ENG"})})
    cli("stamp", "kinds.yaml", "--name", "kite", "--var", "name=Kite", "--var", "day=2027-01-04", "--yes")
    issues = stack.jira.project_issues("ENG")
    build = next(i for i in issues if i.summary == "Build Kite")
    subtasks = sorted(i.summary for i in issues if i.parent_id == build.id)
    assert subtasks == ["code", "design"] and "- [ ]" not in json.dumps(build.description)
    out = cli("tasks", "kite", "--format", "json")
    assert len([t for t in json.loads(out) if t["department"] == "engineering"]) == 2  # sub-tasks are not tasks
    preset(stack.jira, "team-managed-jira", key="TM")  # no sub-task type there
    write_config(stack, {"engineering": ("jira", {"project": "TM"})})
    assert kinds(doctor("kinds.yaml", {"name": "Kite", "day": "2027-01-04"}))["no-checklists"] is Severity.DEGRADE
    cli("stamp", "kinds.yaml", "--name", "kite2", "--var", "name=Kite2", "--var", "day=2027-01-04", "--yes")
    build = next(i for i in stack.jira.project_issues("TM") if i.summary == "Build Kite2")
    assert "- [ ] design" in json.dumps(build.description)


def test_required_field_filled_from_field_values(stack: Stack) -> None:
    preset(stack.jira, "required-field-jira")
    write_config(stack, {"engineering": ("jira", {"project": "ENG"})}, jira='field_values = { Team = "Nope" }')
    assert kinds(doctor())["field-value-not-allowed"] is Severity.BLOCKING
    write_config(stack, {"engineering": ("jira", {"project": "ENG"})}, jira='field_values = { Team = "Payments" }')
    assert "required-field" not in kinds(doctor())
    out = cli("stamp", "product-launch", "--name", "nova", *VARS, "--yes")  # the emulator refuses issues without Team
    assert "nova: created 45 tasks" in out
