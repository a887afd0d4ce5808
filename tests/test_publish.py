"""`collabsync publish` on the emulators: one entry per tool and department per day, edited on a re-run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from collabsync.cli import main
from collabsync.ledger import Ledger
from collabsync.providers.base import ProviderContext
from collabsync.providers.local import LocalProvider
from collabsync.report.publishing import history
from collabsync.testing.stack import Stack, running_stack

VARS = ["--var", "product=Nova", "--var", "launch=2027-03-01"]
DAY = "2026-12-16"


def cli(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture
def stack(isolated_home: Path) -> Iterator[Stack]:
    with running_stack() as s:
        s.write_config(Path("collabsync.toml"))
        cli("stamp", "product-launch", "--name", "nova", *VARS, "--yes")
        yield s


def jira_comments(stack: Stack) -> list[Any]:
    epic = stack.jira.store.issue(_container("nova", "engineering"))
    return list(stack.jira.comments.get(epic.id, []))


def trello_comments(stack: Stack) -> list[dict[str, Any]]:
    return [a for a in stack.trello.state.actions if a["type"] == "commentCard"]


def asana_updates(stack: Stack) -> list[dict[str, Any]]:
    return list(stack.asana.store.status_updates.values())


def local_entries(home: Path) -> list[dict[str, Any]]:
    with Ledger(home / "ledger.sqlite") as ledger:
        containers = [c for d, p, c in ledger.containers("nova") if p == "local"]
    with LocalProvider("local", {}, ProviderContext(home=home)) as local:
        return [e for c in {c.ref: c for c in containers}.values() for e in local.status_entries(c)]


def _container(instance: str, department: str) -> str:
    from collabsync.config import home_dir

    with Ledger(home_dir() / "ledger.sqlite") as ledger:
        found = ledger.container(instance, department)
    assert found is not None
    return found[1].ref


def test_publish_adds_one_entry_per_department_then_edits_it(stack: Stack, isolated_home: Path) -> None:
    stack.jira.set_status(_ref(isolated_home, "feature-complete"), "Blocked")
    plan = cli("publish", "nova", "--plan", "--today", DAY)
    assert "nova: engineering -> jira" in plan and "add today's entry" in plan
    assert stack.jira.count("POST", "/comment") == 0  # --plan writes nothing
    cli("publish", "nova", "--yes", "--today", DAY)
    comments, cards, updates = jira_comments(stack), trello_comments(stack), asana_updates(stack)
    assert len(comments) == 1 and len(cards) == 1 and len(updates) == 1
    # Jira Cloud: an ADF comment on the epic, naming engineering's blocked work with a link.
    body = json.dumps(comments[0].body)
    assert '"type": "doc"' in body and "Blocked in engineering (1)" in body
    assert "collabsync-status:nova/engineering/2026-12-16" in body
    # Trello: the comment is on a card pinned at the top of the first list, left out of the report's tasks.
    card = next(c for c in stack.trello.state.cards.values() if c["id"] == cards[0]["data"]["card"]["id"])
    siblings = [c["pos"] for c in stack.trello.state.cards.values() if c["idList"] == card["idList"]]
    assert card["pos"] == min(siblings) and "**nova status 2026-12-16:" in cards[0]["data"]["text"]
    # Asana: a project status update whose status_type follows the health.
    assert updates[0]["status_type"] in {"on_track", "at_risk", "off_track"}
    assert updates[0]["html_text"].startswith("<body><strong>nova status")
    assert len(local_entries(isolated_home)) == 4  # finance, hr, it, legal share the local tool: one each

    again = cli("publish", "nova", "--yes", "--today", DAY)
    assert "engineering (jira): edited" in again
    assert len(jira_comments(stack)) == 1 and len(trello_comments(stack)) == 1 and len(asana_updates(stack)) == 1
    assert len(local_entries(isolated_home)) == 4
    assert stack.jira.count("PUT", "/comment/") == 1 and stack.trello.count("PUT", "/comments") == 1
    shown = cli("publish", "nova", "--history")
    assert shown.count("2026-12-16") == 7 and "edited 1x" in shown

    # Someone deleted the day's Jira comment: the next run adds it again instead of failing.
    epic = stack.jira.store.issue(_container("nova", "engineering"))
    stack.jira.comments[epic.id].clear()
    assert "engineering (jira): published" in cli("publish", "nova", "--yes", "--today", DAY)
    assert len(jira_comments(stack)) == 1

    # The next day adds a new entry and keeps the first one.
    cli("publish", "nova", "--yes", "--today", "2026-12-17")
    assert len(jira_comments(stack)) == 2 and len(asana_updates(stack)) == 2
    with Ledger(isolated_home / "ledger.sqlite") as ledger:
        days = {row.day for row in history(ledger, "nova")}
    assert days == {"2026-12-16", "2026-12-17"}
    report = json.loads(cli("report", "nova", "--format", "json", "--no-save", "--today", DAY))
    assert not any(t["title"].startswith("Status: nova") for t in report["tasks"])

    # Every reply of the 17th was lost: the entries are found again by their marker and edited, not doubled.
    with Ledger(isolated_home / "ledger.sqlite") as ledger:
        ledger.db.execute("UPDATE publications SET state = 'pending', ref = NULL WHERE day = '2026-12-17'")
    out = cli("publish", "nova", "--yes", "--today", "2026-12-17")
    assert out.count("): edited") == 7
    assert len(jira_comments(stack)) == 2 and len(trello_comments(stack)) == 2 and len(asana_updates(stack)) == 2
    assert len(local_entries(isolated_home)) == 8


def _ref(home: Path, key: str) -> str:
    with Ledger(home / "ledger.sqlite") as ledger:
        ref = ledger.objects("nova")[key].ref
    assert ref
    return ref
