"""Trello emulator: auth answers, rate limits, injected faults, the request log, loopback only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from collabsync.testing.core import Faults, RateLimit
from collabsync.testing.trello import DEFAULT_KEY, DEFAULT_TOKEN, TrelloEmulator

AUTH = {"key": DEFAULT_KEY, "token": DEFAULT_TOKEN}


def get(emu: TrelloEmulator, path: str, **params: Any) -> requests.Response:
    """One GET with explicit params (no auth added)."""
    return requests.get(emu.base_url + path, params=params, timeout=5)


@pytest.fixture
def emu() -> Iterator[TrelloEmulator]:
    """A fresh emulator with the default (real) rate limits."""
    with TrelloEmulator() as emulator:
        yield emulator


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "invalid key"),
        ({"key": "wrong", "token": DEFAULT_TOKEN}, "invalid key"),
        ({"key": DEFAULT_KEY}, "invalid token"),
        ({"key": DEFAULT_KEY, "token": "wrong"}, "invalid token"),
    ],
)
def test_missing_or_wrong_credentials_get_plain_text_401(
    emu: TrelloEmulator, params: dict[str, str], message: str
) -> None:
    response = get(emu, "/members/me", **params)
    assert (response.status_code, response.text) == (401, message)
    assert response.headers["Content-Type"].startswith("text/plain")


def test_expired_token_says_so(emu: TrelloEmulator) -> None:
    emu.expire_token(DEFAULT_TOKEN)
    response = get(emu, "/members/me", **AUTH)
    assert (response.status_code, response.text) == (401, "expired token")


def test_another_token_of_the_same_key_is_another_member(emu: TrelloEmulator) -> None:
    bob = emu.add_member("bob")
    emu.add_token("bobs-token-0000", bob["id"])
    response = get(emu, "/members/me", key=DEFAULT_KEY, token="bobs-token-0000")
    assert response.json()["username"] == "bob"


def test_unknown_id_malformed_id_and_unknown_route(emu: TrelloEmulator) -> None:
    assert (get(emu, "/cards/" + "f" * 24, **AUTH).status_code, get(emu, "/cards/" + "f" * 24, **AUTH).text) == (
        404,
        "The requested resource was not found.",
    )
    malformed = get(emu, "/cards/123", **AUTH)
    assert (malformed.status_code, malformed.text) == (400, "invalid id")
    unknown = get(emu, "/nothing/here", **AUTH)
    assert (unknown.status_code, unknown.text) == (404, "Cannot GET /1/nothing/here")


def test_invalid_body_values_are_400_plain_text(emu: TrelloEmulator) -> None:
    board = emu.add_board("B")
    response = requests.post(emu.base_url + "/cards", params={**AUTH, "name": "x"}, timeout=5)
    assert (response.status_code, response.text) == (400, "invalid value for idList")
    response = requests.post(emu.base_url + "/cards", params={**AUTH, "idList": board["id"]}, timeout=5)
    assert (response.status_code, response.text) == (400, "invalid value for idList")
    too_many = get(emu, f"/boards/{board['id']}/cards", limit="1001", **AUTH)
    assert (too_many.status_code, too_many.text) == (400, "invalid value for limit")


def test_default_rate_limits_are_trellos() -> None:
    emu = TrelloEmulator()
    assert [(r.limit, r.window, r.scope) for r in emu.rate_limits] == [(100, 10.0, "token"), (300, 10.0, "key")]


def test_token_limit_answers_429_json_without_retry_after() -> None:
    with TrelloEmulator(rate_limits=[RateLimit(3, 10.0, scope="token"), RateLimit(5, 10.0, scope="key")]) as emu:
        assert [get(emu, "/members/me", **AUTH).status_code for _ in range(3)] == [200, 200, 200]
        limited = get(emu, "/members/me", **AUTH)
        assert limited.status_code == 429
        assert limited.json()["error"] == "API_TOKEN_LIMIT_EXCEEDED"
        assert "Retry-After" not in limited.headers
        emu.add_token("second-token-000")
        other = [get(emu, "/members/me", key=DEFAULT_KEY, token="second-token-000") for _ in range(3)]
        assert [r.status_code for r in other] == [200, 200, 429]  # the key's 5 are spent across both tokens
        assert other[2].json()["error"] == "API_KEY_LIMIT_EXCEEDED"


def test_status_at_injects_a_plain_text_5xx_and_a_bare_429() -> None:
    with TrelloEmulator(faults=Faults(status_at={2: 500, 3: 429})) as emu:
        assert get(emu, "/members/me", **AUTH).status_code == 200
        failed = get(emu, "/members/me", **AUTH)
        assert failed.status_code == 500 and failed.headers["Content-Type"].startswith("text/plain")
        limited = get(emu, "/members/me", **AUTH)
        assert limited.status_code == 429 and "Retry-After" not in limited.headers
        assert get(emu, "/members/me", **AUTH).status_code == 200


def test_reset_and_truncate_faults() -> None:
    with TrelloEmulator(faults=Faults(reset_at={1}, truncate_at={2})) as emu:
        with pytest.raises(requests.ConnectionError):
            get(emu, "/members/me", **AUTH)
        truncated = get(emu, "/members/me", **AUTH)
        with pytest.raises(ValueError):
            truncated.json()


def test_stop_after_writes_refuses_later_writes_but_serves_reads() -> None:
    with TrelloEmulator(faults=Faults(stop_after_writes=2)) as emu:
        board = emu.add_board("B", ["To Do"])
        todo = get(emu, f"/boards/{board['id']}/lists", **AUTH).json()[0]
        statuses = [
            requests.post(
                emu.base_url + "/cards", params={**AUTH, "idList": todo["id"], "name": f"c{i}"}, timeout=5
            ).status_code
            for i in range(3)
        ]
        assert statuses == [200, 200, 503]
        assert len(get(emu, f"/boards/{board['id']}/cards", **AUTH).json()) == 2


def test_request_log_counts_by_method_and_path(emu: TrelloEmulator) -> None:
    board = emu.add_board("B")
    get(emu, f"/boards/{board['id']}/cards", **AUTH)
    get(emu, f"/boards/{board['id']}/lists", **AUTH)
    get(emu, "/members/me")
    assert emu.count() == 3
    assert emu.count("GET", "/cards") == 1
    assert [r.status for r in emu.requests] == [200, 200, 401]
    assert emu.requests[0].endpoint == "get_board_cards"
    emu.reset_log()
    assert emu.count() == 0


def test_serves_on_loopback_only(emu: TrelloEmulator) -> None:
    assert emu.base_url.startswith("http://127.0.0.1:") and emu.base_url.endswith("/1")
    assert emu._server is not None and emu._server.server_address[0] == "127.0.0.1"


def test_board_actions_since_supports_incremental_reads(emu: TrelloEmulator) -> None:
    board = emu.add_board("B")
    card = emu.add_card(board["id"], "To Do", "c")
    last = get(emu, f"/boards/{board['id']}/actions", **AUTH).json()[0]
    emu.move_card(card["id"], "Doing")
    emu.set_due_complete(card["id"])
    newer = get(emu, f"/boards/{board['id']}/actions", since=last["id"], filter="updateCard,createCard", **AUTH).json()
    assert [a["type"] for a in newer] == ["updateCard", "updateCard"]
    assert newer[0]["data"]["old"] == {"dueComplete": False}
    assert newer[1]["data"]["listAfter"]["name"] == "Doing"


def test_board_cards_filters(emu: TrelloEmulator) -> None:
    board = emu.add_board("B")
    emu.add_card(board["id"], "To Do", "open")
    emu.add_card(board["id"], "Done", "archived", closed=True)

    def names(flt: str) -> set[str]:
        return {c["name"] for c in get(emu, f"/boards/{board['id']}/cards", filter=flt, fields="name", **AUTH).json()}

    assert names("open") == names("visible") == {"open"}
    assert names("closed") == {"archived"}
    assert names("all") == {"open", "archived"}
    by_path = get(emu, f"/boards/{board['id']}/cards/closed", **AUTH).json()
    assert [c["name"] for c in by_path] == ["archived"]


def test_seed_bulk_builds_mixed_boards(emu: TrelloEmulator) -> None:
    boards = emu.seed_bulk(2, 60, seed=3)
    assert len(boards) == 2
    cards = emu.cards_of(boards[0]["id"])
    assert len(cards) == 60
    lists = {emu.list_name(c["idList"]) for c in cards}
    assert lists == {"To Do", "Doing", "Blocked", "Done"}
    today = emu.state.now().date().isoformat()
    assert any(c["due"] and c["due"][:10] < today and emu.list_name(c["idList"]) != "Done" for c in cards)
    assert any(lb["name"] == "blocked" for c in cards for lb in c["labels"])
    assert any(c["idMembers"] for c in cards) and any(not c["idMembers"] for c in cards)
    assert emu.seed_bulk(2, 60, seed=3) != boards  # new boards, same shape


def test_checklist_copy_from_source_costs_one_request(emu: TrelloEmulator) -> None:
    board = emu.add_board("B")
    first, second = (emu.add_card(board["id"], "To Do", n) for n in ("one", "two"))
    source = requests.post(
        emu.base_url + f"/cards/{first['id']}/checklists", params={**AUTH, "name": "Steps"}, timeout=5
    ).json()
    for item in ("a", "b"):
        requests.post(emu.base_url + f"/checklists/{source['id']}/checkItems", params={**AUTH, "name": item}, timeout=5)
    copy = requests.post(
        emu.base_url + "/checklists",
        params={**AUTH, "idCard": second["id"], "idChecklistSource": source["id"]},
        timeout=5,
    ).json()
    assert copy["name"] == "Steps" and [i["name"] for i in copy["checkItems"]] == ["a", "b"]
    assert [c["name"] for c in emu.checklists_of(second["id"])] == ["Steps"]


def test_plugin_fixture_and_seed_helper(trello_api: TrelloEmulator) -> None:
    from collabsync.testing.plugin import seed

    boards = seed(trello_api, 2, 5)
    assert [len(trello_api.cards_of(b["id"])) for b in boards] == [5, 5]


def test_unreadable_json_body_is_a_400_not_a_crash(emu: TrelloEmulator) -> None:
    response = requests.post(
        emu.base_url + "/cards", params=AUTH, data="{not json", headers={"Content-Type": "application/json"}, timeout=5
    )
    assert (response.status_code, response.text) == (400, "invalid JSON")
