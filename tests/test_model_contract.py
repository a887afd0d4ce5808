"""The typed provider contract: created, tracked source and provider are fields, and older stored rows still read."""

from __future__ import annotations

import json
from pathlib import Path

from collabsync.ledger import Ledger
from collabsync.model import Container, DepartmentMap, Status, Task, TrackedSource


def test_an_old_format_ledger_row_reads_into_typed_fields(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.sqlite")
    ledger.save_instance("web", template=None, source=None, variables={}, spec=None, state="tracked")
    old = {
        "mode": "tracked",
        "board": "b1",
        "created": True,
        "source": "Website relaunch",
        "tracked": True,
        "department_map": {"by": "label", "values": {"Sales": "sales"}, "fallback": "it"},
    }
    ledger.db.execute(
        "INSERT INTO containers (instance, department, provider, ref, name, url, extra) VALUES (?,?,?,?,?,?,?)",
        ("web", "it", "trello", "b1", "Website", "", json.dumps(old)),
    )
    [(dept, provider, container)] = ledger.containers("web")
    assert (dept, provider, container.created) == ("it", "trello", False)
    assert container.extra == {"mode": "tracked", "board": "b1"}
    assert container.tracked == TrackedSource("Website relaunch", DepartmentMap("label", {"Sales": "sales"}, "it"))
    ledger.save_container(
        "web", "it", "trello", container
    )  # written back in the very same stored shape, less `created`
    row = ledger.db.execute("SELECT extra FROM containers WHERE instance = 'web'").fetchone()[0]
    assert json.loads(row) == {k: v for k, v in old.items() if k != "created"}


def test_a_stamped_container_stores_only_the_adapters_extra(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.sqlite")
    ledger.save_instance("i", template=None, source=None, variables={}, spec=None, state="stamping")
    ledger.save_container("i", "eng", "jira", Container("ENG-1", "Epic", extra={"mode": "epic"}, created=True))
    [(_, _, back)] = ledger.containers("i")
    assert (back.extra, back.created, back.tracked) == ({"mode": "epic"}, False, None)


def test_tasks_carry_the_provider_as_a_field_and_old_snapshots_still_read() -> None:
    task = Task("1", "Ship", Status.TODO, provider="jira", extra={"jira_key": "ENG-2"})
    assert Task.from_dict(task.to_dict()) == task
    old = {**task.to_dict(), "extra": {"jira_key": "ENG-2", "provider": "jira"}}
    del old["provider"]
    assert Task.from_dict(old) == task
