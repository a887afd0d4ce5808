"""End to end through the CLI: customer-onboarding with sales on Trello (the emulator), the rest local."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from collabsync.cli import main
from collabsync.model import parse_marker
from collabsync.testing.trello import DEFAULT_KEY, DEFAULT_TOKEN, TrelloEmulator

SALES = {"handover-doc", "handover-meeting", "exec-intro", "account-review", "reference-ask"}


@pytest.fixture
def emu(monkeypatch: pytest.MonkeyPatch) -> Iterator[TrelloEmulator]:
    """An emulator with the `acme-sales` workspace and a collabsync.toml (in the test's cwd) routing sales to it."""
    monkeypatch.setenv("TRELLO_KEY", DEFAULT_KEY)
    monkeypatch.setenv("TRELLO_TOKEN", DEFAULT_TOKEN)
    with TrelloEmulator() as emulator:
        emulator.add_organization("acme-sales")
        Path("collabsync.toml").write_text(
            '[defaults]\nprovider = "local"\n\n[providers.local]\ntype = "local"\n\n'
            '[providers.trello]\ntype = "trello"\napi_key = "${TRELLO_KEY}"\ntoken = "${TRELLO_TOKEN}"\n'
            f'base_url = "{emulator.base_url}"\n\n'
            '[departments.sales]\nprovider = "trello"\nworkspace = "acme-sales"\n'
        )
        yield emulator


def run(*args: str) -> str:
    """Invoke the CLI in-process; fail with its output when it fails."""
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_stamp_move_cards_and_status(emu: TrelloEmulator) -> None:
    run(
        "stamp",
        "customer-onboarding",
        "--name",
        "globex",
        "--var",
        "customer=Globex",
        "--var",
        "kickoff=2026-12-07",
        "--yes",
    )
    (board,) = emu.boards_named("Onboarding Globex")
    cards = {parse_marker(c["desc"])[1]: c for c in emu.cards_of(board["id"])}  # type: ignore[index]
    assert set(cards) == SALES
    assert all(emu.list_name(c["idList"]) == "To Do" for c in cards.values())
    assert "Depends on: Review the signed order form" in cards["handover-meeting"]["desc"]  # cross-tool line

    emu.move_card(cards["handover-doc"]["id"], "Done")
    emu.move_card(cards["exec-intro"]["id"], "Doing")
    emu.label_card(cards["handover-meeting"]["id"], "blocked")
    emu.set_closed(cards["reference-ask"]["id"])
    emu.set_due_complete(cards["account-review"]["id"])
    report = json.loads(run("status", "globex", "--format", "json", "--today", "2026-12-01"))
    sales = report["departments"]["sales"]
    assert {k: sales[k] for k in ("total", "todo", "in_progress", "blocked", "done", "cancelled")} == {
        "total": 5,
        "todo": 0,
        "in_progress": 1,
        "blocked": 1,
        "done": 2,
        "cancelled": 1,
    }
    assert sales["provider"] == "trello"

    run("update", "globex", "exec-intro", "--status", "done", "--force")
    assert emu.list_name(emu.card(cards["exec-intro"]["id"])["idList"]) == "Done"


def test_restamp_creates_nothing_and_no_secret_is_left_behind(emu: TrelloEmulator) -> None:
    args = (
        "stamp",
        "customer-onboarding",
        "--name",
        "globex",
        "--var",
        "customer=Globex",
        "--var",
        "kickoff=2026-12-07",
        "--yes",
    )
    outputs = [run(*args)]
    writes = sum(r.method in ("POST", "PUT") for r in emu.requests)
    outputs.append(run(*args))
    assert sum(r.method in ("POST", "PUT") for r in emu.requests) == writes
    assert len(emu.boards_named("Onboarding Globex")) == 1
    outputs.append(run("status", "globex", "--format", "json"))
    outputs.append(run("config", "check"))
    home = Path(os.environ["COLLABSYNC_HOME"])
    files = [p for p in home.rglob("*") if p.is_file()]
    assert files
    for secret in (DEFAULT_KEY, DEFAULT_TOKEN):
        assert all(secret not in out for out in outputs)
        assert all(secret.encode() not in p.read_bytes() for p in files)
