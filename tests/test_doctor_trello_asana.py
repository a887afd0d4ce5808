"""`collabsync doctor` against Trello and Asana emulators: observer boards, missing objects, status fields, dates."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from collabsync.cli import main
from collabsync.findings import Severity
from collabsync.testing.plugin import preset
from collabsync.testing.stack import Stack
from doctor_support import KINDS_TEMPLATE, VARS, doctor, kinds, stack_fixture, write_config, writes


@pytest.fixture
def stack(isolated_home: Path) -> Iterator[Stack]:
    yield from stack_fixture(isolated_home)


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
    seeded = stack.trello.state.boards[board["id"]]
    seeded["_memberships"] = [m for m in seeded["_memberships"] if m["idMember"] != stack.trello.me_id]
    stack.trello.add_board_member(board["id"], other["id"], "admin")
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
