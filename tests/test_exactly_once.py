"""Issue 11's reproductions on Trello, through the CLI: a fault inside a card's checklist, a lost attachment reply."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from collabsync.cli import main
from collabsync.ledger import Ledger
from collabsync.model import parse_marker
from collabsync.testing.trello import DEFAULT_KEY, DEFAULT_TOKEN, TrelloEmulator

ARGS = [
    "stamp",
    "customer-onboarding",
    "--name",
    "globex",
    "--var",
    "customer=Globex",
    "--var",
    "kickoff=2026-12-07",
    "--yes",
]


def emulator() -> TrelloEmulator:
    emu = TrelloEmulator(rate_limits=[]).start()
    emu.add_organization("acme-sales")
    return emu


def configure(emu: TrelloEmulator) -> None:
    Path("collabsync.toml").write_text(
        '[defaults]\nprovider = "local"\n\n[providers.local]\ntype = "local"\n\n'
        f'[providers.trello]\ntype = "trello"\napi_key = "{DEFAULT_KEY}"\ntoken = "{DEFAULT_TOKEN}"\n'
        f'base_url = "{emu.base_url}"\nmax_retries = 1\nbackoff = 0\n\n'
        '[departments.sales]\nprovider = "trello"\nworkspace = "acme-sales"\n'
    )


@pytest.fixture(scope="module")
def clean_writes(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The write endpoints of a fault-free stamp, in order (to aim a fault at one of them)."""
    emu, cwd = emulator(), Path.cwd()
    home = tmp_path_factory.mktemp("clean")
    mp = pytest.MonkeyPatch()
    try:
        mp.chdir(home)
        mp.setenv("COLLABSYNC_HOME", str(home))
        configure(emu)
        assert CliRunner().invoke(main, ARGS).exit_code == 0
        return emu.write_log()
    finally:
        mp.undo()
        emu.stop()
        assert Path.cwd() == cwd


@pytest.fixture
def emu() -> Iterator[TrelloEmulator]:
    emu = emulator()
    configure(emu)
    yield emu
    emu.stop()


def cards(emu: TrelloEmulator) -> dict[str, dict]:
    (board,) = [b for b in emu.state.boards.values() if parse_marker(b["desc"]) == ("globex", None)]
    found = Counter(parse_marker(c["desc"])[1] for c in emu.cards_of(board["id"]))  # type: ignore[index]
    assert max(found.values()) == 1, found
    return {parse_marker(c["desc"])[1]: c for c in emu.cards_of(board["id"])}  # type: ignore[index]


def test_a_fault_before_a_cards_last_checklist_item_is_repaired(
    emu: TrelloEmulator, clean_writes: list[str], isolated_home: Path
) -> None:
    last_item = min(
        i for i, e in enumerate(clean_writes) if e == "post_check_item" and clean_writes[i + 1] == "post_card"
    )
    emu.fail_writes_after(last_item)
    first = CliRunner().invoke(main, ARGS)
    assert first.exit_code == 1 and "checklist incomplete" in first.output
    emu.fail_writes_after(None)
    second = CliRunner().invoke(main, ARGS)
    assert second.exit_code == 0 and "up to date" not in second.output, second.output
    items = {
        k: [i["name"] for cl in emu.checklists_of(c["id"]) for i in cl["checkItems"]] for k, c in cards(emu).items()
    }
    assert items["handover-doc"] == [
        "Signed order form and any side letters attached",
        "Stakeholders: executive sponsor, champion, IT admin, billing contact",
        "Success criteria agreed during the sales cycle",
        "Commitments made (roadmap items, custom terms) listed explicitly",
        "Known risks and competitors still in the account",
    ]
    assert all(len(emu.checklists_of(c["id"])) <= 1 for c in cards(emu).values())
    with Ledger(isolated_home / "ledger.sqlite") as ledger:
        assert ledger.unconfirmed("globex") == {}
    assert "up to date" in CliRunner().invoke(main, ARGS).output


def test_a_lost_reply_on_a_dependency_attachment_attaches_it_once(emu: TrelloEmulator, clean_writes: list[str]) -> None:
    first_attachment = clean_writes.index("post_card_attachment")
    emu.fail_writes_after(first_attachment, lose_reply=True)
    assert CliRunner().invoke(main, ARGS).exit_code == 1
    emu.fail_writes_after(None)
    second = CliRunner().invoke(main, ARGS)
    assert second.exit_code == 0, second.output
    attached = Counter((k, a["url"]) for k, c in cards(emu).items() for a in emu.attachments_of(c["id"]))
    assert attached and max(attached.values()) == 1
    assert sum(attached.values()) == clean_writes.count("post_card_attachment")
