"""The real py-trello 0.20.1 SDK, through its ordinary calls, against the Trello emulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from trello import TrelloClient
from trello.exceptions import ResourceUnavailable, Unauthorized

from collabsync.testing.trello import DEFAULT_KEY, DEFAULT_TOKEN, TrelloEmulator
from trello_support import emulator_session


@pytest.fixture
def emu() -> Iterator[TrelloEmulator]:
    """A fresh emulator."""
    with TrelloEmulator() as emulator:
        yield emulator


@pytest.fixture
def client(emu: TrelloEmulator) -> TrelloClient:
    """py-trello with key + token (api_secret is the token for key/token auth)."""
    return TrelloClient(api_key=DEFAULT_KEY, api_secret=DEFAULT_TOKEN, http_service=emulator_session(emu.base_url))


def test_list_boards_sees_seeded_boards(emu: TrelloEmulator, client: TrelloClient) -> None:
    emu.add_board("Alpha")
    emu.add_board("Beta")
    assert sorted(b.name for b in client.list_boards()) == ["Alpha", "Beta"]
    assert emu.count("GET", "/members/me/boards") == 1


def test_add_board_list_card_round_trip(emu: TrelloEmulator, client: TrelloClient) -> None:
    board = client.add_board("Launch", default_lists=False)
    assert board.list_lists() == []
    todo = board.add_list("To Do")
    label = board.add_label("blocked", "red")
    card = todo.add_card("Write brief", desc="first draft", labels=[label], due="2026-12-01")
    assert card.name == "Write brief"
    assert card.due.startswith("2026-12-01")
    assert [lb.name for lb in card.labels] == ["blocked"]
    stored = emu.card(card.id)
    assert stored["idList"] == todo.id and stored["desc"] == "first draft"
    assert [c.name for c in board.all_cards()] == ["Write brief"]
    assert [lst.name for lst in board.list_lists()] == ["To Do"]
    done = board.add_list("Done")
    card.change_list(done.id)
    card.set_closed(True)
    stored = emu.card(card.id)
    assert (emu.list_name(stored["idList"]), stored["closed"]) == ("Done", True)


def test_add_board_with_default_lists(client: TrelloClient) -> None:
    board = client.add_board("Defaults")
    assert [lst.name for lst in board.open_lists()] == ["To Do", "Doing", "Done"]


def test_checklist_through_the_sdk(emu: TrelloEmulator, client: TrelloClient) -> None:
    board = client.add_board("Checks", default_lists=False)
    card = board.add_list("To Do").add_card("With steps")
    checklist = card.add_checklist("Steps", ["one", "two"], [True])
    assert [i["name"] for i in checklist.items] == ["one", "two"]
    stored = emu.checklists_of(card.id)
    assert [(i["name"], i["state"]) for i in stored[0]["checkItems"]] == [("one", "complete"), ("two", "incomplete")]


def test_card_listing_caps_at_1000_and_pages_with_before(emu: TrelloEmulator, client: TrelloClient) -> None:
    seeded = emu.add_board("Big")
    for i in range(1200):
        emu.add_card(seeded["id"], "To Do", f"card {i}")
    board = client.get_board(seeded["id"])
    assert len(board.all_cards()) == 1000  # the real cap: one call never returns more
    first = board.get_cards({"fields": "all", "limit": 1000})
    lowest = min(c.id for c in first)
    rest = board.get_cards({"fields": "all", "limit": 1000, "before": lowest})
    assert len(rest) == 200
    names = {c.name for c in first} | {c.name for c in rest}
    assert names == {f"card {i}" for i in range(1200)}
    assert [c.name for c in first[:2]] == ["card 1199", "card 1198"]  # newest first


def test_list_cards_iter_pages_through_a_long_list(emu: TrelloEmulator, client: TrelloClient) -> None:
    seeded = emu.add_board("Long")
    for i in range(250):
        emu.add_card(seeded["id"], "Doing", f"c{i}")
    doing = [lst for lst in client.get_board(seeded["id"]).list_lists() if lst.name == "Doing"][0]
    assert len(list(doing.list_cards_iter(batch=100))) == 250


def test_wrong_token_raises_unauthorized(emu: TrelloEmulator) -> None:
    bad = TrelloClient(api_key=DEFAULT_KEY, api_secret="nope" * 8, http_service=emulator_session(emu.base_url))
    with pytest.raises(Unauthorized, match="invalid token"):
        bad.list_boards()


def test_unknown_and_malformed_ids_raise_resource_unavailable(client: TrelloClient) -> None:
    with pytest.raises(ResourceUnavailable, match="The requested resource was not found") as missing:
        client.get_board("0" * 24)
    assert missing.value._status == 404
    with pytest.raises(ResourceUnavailable, match="invalid id") as malformed:
        client.get_board("not-an-id")
    assert malformed.value._status == 400


def test_custom_field_items_reach_the_sdk_card(emu: TrelloEmulator, client: TrelloClient) -> None:
    seeded = emu.add_board("Fields")
    field = emu.add_custom_field(seeded["id"], "Priority", "list", ["High", "Low"])
    card = emu.add_card(seeded["id"], "To Do", "prioritised")
    emu.set_custom_field(card["id"], field["id"], field["options"][1]["id"])
    board = client.get_board(seeded["id"])
    assert [d.name for d in board.get_custom_field_definitions()] == ["Priority"]
    (sdk_card,) = board.all_cards()
    assert sdk_card.customFields[0].value == "Low"
