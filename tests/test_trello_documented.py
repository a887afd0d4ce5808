"""The Trello emulator does what Trello documents: each test cites the spec path or reference page it follows.

Spec paths are in ../shared/specs/trello/trello-openapi.json; reference pages are under
https://developer.atlassian.com/cloud/trello/. Raw HTTP unless a test says it drives py-trello.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from trello import TrelloClient
from trello.exceptions import ResourceUnavailable, Unauthorized

from collabsync.testing.core import RateLimit
from collabsync.testing.trello import DEFAULT_KEY, DEFAULT_TOKEN, TrelloEmulator
from trello_support import emulator_session

AUTH = {"key": DEFAULT_KEY, "token": DEFAULT_TOKEN}


class Http:
    """Raw calls with the default credentials; returns the requests.Response."""

    def __init__(self, emu: TrelloEmulator, token: str = DEFAULT_TOKEN) -> None:
        self.base, self.auth = emu.base_url, {"key": DEFAULT_KEY, "token": token}

    def __call__(self, method: str, path: str, json: Any = None, **params: Any) -> requests.Response:
        return requests.request(method, self.base + path, params={**params, **self.auth}, json=json, timeout=5)


@pytest.fixture
def emu() -> Iterator[TrelloEmulator]:
    """A fresh emulator."""
    with TrelloEmulator() as emulator:
        yield emulator


@pytest.fixture
def board(emu: TrelloEmulator) -> dict[str, Any]:
    """A board with the seed lists To Do, Doing, Blocked, Done."""
    return emu.add_board("Launch")


@pytest.fixture
def http(emu: TrelloEmulator) -> Http:
    """Raw HTTP as the token's member."""
    return Http(emu)


@pytest.fixture
def client(emu: TrelloEmulator) -> TrelloClient:
    """py-trello 0.20.1 with key + token."""
    return TrelloClient(api_key=DEFAULT_KEY, api_secret=DEFAULT_TOKEN, http_service=emulator_session(emu.base_url))


def _list_id(http: Http, board: dict[str, Any], name: str) -> str:
    return next(x["id"] for x in http("GET", f"/boards/{board['id']}/lists").json() if x["name"] == name)


# -- rate limits -------------------------------------------------------------------------------------
def test_members_routes_have_their_own_100_per_900_seconds_budget() -> None:
    """guides/rest-api/rate-limits: "a limit on requests to /1/members/ of 100 requests per 900 seconds"."""
    with TrelloEmulator(rate_limits=[]) as emu:  # the 10-second budgets lifted: only the members one remains
        http = Http(emu)
        board = emu.add_board("B")
        assert {http("GET", "/members/me").status_code for _ in range(100)} == {200}
        refused = http("GET", "/members/me/boards")
        assert refused.status_code == 429
        assert refused.json()["error"] == "RATE_LIMIT_EXCEEDED" and "Retry-After" not in refused.headers
        assert http("GET", f"/boards/{board['id']}").status_code == 200  # other routes are not on that budget


def test_rate_limit_bodies_name_the_limit() -> None:
    """guides/rest-api/rate-limits: 429 with {"error": "API_TOKEN_LIMIT_EXCEEDED", "message": "Rate limit exceeded"}."""
    with TrelloEmulator(rate_limits=[RateLimit(1, 10.0, scope="token")]) as emu:
        http = Http(emu)
        http("GET", "/members/me")
        limited = http("GET", "/members/me")
        assert (limited.status_code, limited.json()) == (
            429,
            {"error": "API_TOKEN_LIMIT_EXCEEDED", "message": "Rate limit exceeded"},
        )


# -- cards -------------------------------------------------------------------------------------------
def test_board_cards_filter_complete_and_incomplete(emu: TrelloEmulator, board: dict[str, Any], http: Http) -> None:
    """paths./boards/{id}/cards/{filter}.get: all, closed, complete, incomplete, none, open or visible."""
    done = emu.add_card(board["id"], "Done", "shipped", due="2026-12-01", due_complete=True)
    todo = emu.add_card(board["id"], "To Do", "pending", due="2026-12-02")
    emu.add_card(board["id"], "Done", "archived", due_complete=True, closed=True)
    complete = http("GET", f"/boards/{board['id']}/cards/complete")
    incomplete = http("GET", f"/boards/{board['id']}/cards/incomplete")
    assert (complete.status_code, incomplete.status_code) == (200, 200)
    assert [c["id"] for c in complete.json()] == [done["id"]]
    assert [c["id"] for c in incomplete.json()] == [todo["id"]]
    bad = http("GET", f"/boards/{board['id']}/cards/finished")
    assert (bad.status_code, bad.text) == (400, "invalid value for filter")


def test_json_null_due_clears_the_date(emu: TrelloEmulator, board: dict[str, Any], http: Http) -> None:
    """rest/api-group-cards PUT /cards/{id}: "Query parameters may also be replaced with a JSON request body"."""
    card = emu.add_card(board["id"], "To Do", "dated", due="2026-12-01", start="2026-11-20")
    answer = http("PUT", f"/cards/{card['id']}", json={"due": None, "start": None, "desc": "no dates"})
    assert answer.status_code == 200
    assert (answer.json()["due"], answer.json()["start"]) == (None, None)
    assert emu.card(card["id"])["due"] is None and emu.card(card["id"])["desc"] == "no dates"
    nameless = http("PUT", f"/lists/{card['idList']}", json={"name": None})
    assert (nameless.status_code, nameless.text) == (400, "invalid value for name")  # null is a value, not absence


def test_url_source_is_attached_on_creation(emu: TrelloEmulator, board: dict[str, Any], http: Http) -> None:
    """paths./cards.post urlSource: "The URL will be attached to the card upon creation"."""
    created = http(
        "POST",
        "/cards",
        idList=_list_id(http, board, "To Do"),
        name="Spec",
        urlSource="https://example.com/spec.pdf",
        mimeType="application/pdf",
    )
    assert created.status_code == 200
    assert created.json()["badges"]["attachments"] == 1
    (attachment,) = emu.attachments_of(created.json()["id"])
    assert (attachment["url"], attachment["mimeType"]) == ("https://example.com/spec.pdf", "application/pdf")
    bad = http("POST", "/cards", idList=_list_id(http, board, "To Do"), name="x", urlSource="ftp://host/file")
    assert (bad.status_code, bad.text) == (400, "invalid value for urlSource")


def test_card_copy_keeps_what_keep_from_source_names(emu: TrelloEmulator, board: dict[str, Any], http: Http) -> None:
    """paths./cards.post idCardSource + keepFromSource (default `all`; or attachments, checklists, comments, ...)."""
    ann = emu.add_member("ann", "Ann Lee")
    source = emu.add_card(
        board["id"], "Doing", "Template", desc="steps", due="2026-12-01", members=[ann["id"]], labels=["blocked"]
    )
    emu.add_checklist(source["id"], "Steps", ["one", "two"])
    emu.add_comment(source["id"], "remember")
    todo = _list_id(http, board, "To Do")
    full = http("POST", "/cards", idList=todo, idCardSource=source["id"]).json()
    assert (full["name"], full["desc"], full["due"], full["idMembers"]) == (
        "Template",
        "steps",
        "2026-12-01T00:00:00.000Z",
        [ann["id"]],
    )
    assert full["idLabels"] == source["idLabels"] and full["badges"]["checkItems"] == 2
    copied = http("GET", f"/cards/{full['id']}/actions", filter="copyCommentCard").json()
    assert [a["data"]["text"] for a in copied] == ["remember"]
    lean = http(
        "POST", "/cards", idList=todo, idCardSource=source["id"], name="Lean", keepFromSource="checklists"
    ).json()
    assert (lean["name"], lean["due"], lean["idMembers"], lean["idLabels"]) == ("Lean", None, [], [])
    assert lean["badges"]["checkItems"] == 2
    bad = http("POST", "/cards", idList=todo, idCardSource=source["id"], keepFromSource="everything")
    assert (bad.status_code, bad.text) == (400, "invalid value for keepFromSource")


def test_pos_is_top_bottom_or_a_positive_number(emu: TrelloEmulator, board: dict[str, Any], http: Http) -> None:
    """paths./cards.post pos: "`top`, `bottom`, or a positive float"; top puts the card first in its list."""
    todo = _list_id(http, board, "To Do")
    first = http("POST", "/cards", idList=todo, name="first").json()
    pinned = http("POST", "/cards", idList=todo, name="pinned", pos="top").json()
    assert pinned["pos"] < first["pos"]
    listed = http("GET", f"/lists/{todo}/cards").json()
    assert [c["name"] for c in listed] == ["pinned", "first"]
    for bad in ("middle", "-5", "0"):
        answer = http("POST", "/cards", idList=todo, name="x", pos=bad)
        assert (answer.status_code, answer.text) == (400, "invalid value for pos")


def test_board_cards_come_newest_first_with_millisecond_utc_dates(
    emu: TrelloEmulator, board: dict[str, Any], http: Http
) -> None:
    """guides/rest-api/paging: results newest first, paged by `before`; object-definitions: dates as ISO 8601 with Z."""
    for name in ("a", "b", "c"):
        emu.add_card(board["id"], "To Do", name, due="2026-12-01T09:30:00+02:00")
    cards = http("GET", f"/boards/{board['id']}/cards", limit=2).json()
    assert [c["name"] for c in cards] == ["c", "b"]
    assert cards[0]["due"] == "2026-12-01T07:30:00.000Z"
    older = http("GET", f"/boards/{board['id']}/cards", limit=2, before=cards[-1]["id"]).json()
    assert [c["name"] for c in older] == ["a"]
    too_many = http("GET", f"/boards/{board['id']}/cards", limit=1001)
    assert (too_many.status_code, too_many.text) == (400, "invalid value for limit")


def test_errors_are_plain_text(emu: TrelloEmulator, http: Http) -> None:
    """rest/api-group-cards GET /cards/{id}: malformed ids answer 400 `invalid id`, unknown ones 404."""
    malformed = http("GET", "/cards/nope")
    assert (malformed.status_code, malformed.text) == (400, "invalid id")
    assert malformed.headers["Content-Type"].startswith("text/plain")
    missing = http("GET", "/cards/" + "0" * 24)
    assert (missing.status_code, missing.text) == (404, "The requested resource was not found.")


def test_board_and_list_filters_follow_their_enums(emu: TrelloEmulator, board: dict[str, Any], http: Http) -> None:
    """paths./members/{id}/boards.get filter (all, closed, members, open, organization, public, starred);
    paths./boards/{id}/lists.get cards (ViewFilter: all, closed, none, open)."""
    emu.add_card(board["id"], "To Do", "live")
    emu.add_card(board["id"], "To Do", "archived", closed=True)
    lists = http("GET", f"/boards/{board['id']}/lists", cards="closed").json()
    assert [c["name"] for c in lists[0]["cards"]] == ["archived"]
    assert http("GET", f"/boards/{board['id']}/lists", cards="some").status_code == 400
    assert [b["name"] for b in http("GET", "/members/me/boards", filter="members").json()] == ["Launch"]
    assert http("GET", "/members/me/boards", filter="public").json() == []
    assert http("GET", "/members/me/boards", filter="mine").status_code == 400


# -- actions and comments ----------------------------------------------------------------------------
def test_card_actions_default_filter_is_comments_and_list_moves(
    emu: TrelloEmulator, board: dict[str, Any], http: Http
) -> None:
    """paths./cards/{id}/actions.get filter default: `commentCard, updateCard:idList`."""
    card = emu.add_card(board["id"], "To Do", "moving")
    emu.move_card(card["id"], "Doing")
    http("PUT", f"/cards/{card['id']}", name="renamed")
    http("POST", f"/cards/{card['id']}/actions/comments", text="on it")
    default = http("GET", f"/cards/{card['id']}/actions").json()
    assert [(a["type"], sorted(a["data"].get("old", {}))) for a in default] == [
        ("commentCard", []),
        ("updateCard", ["idList"]),
    ]
    everything = http("GET", f"/cards/{card['id']}/actions", filter="all").json()
    assert [a["type"] for a in everything] == ["commentCard", "updateCard", "updateCard", "createCard"]
    assert http("GET", f"/cards/{card['id']}/actions", page=20).status_code == 400  # page maximum 19
    lean = http(
        "GET", f"/boards/{board['id']}/actions", filter="commentCard", fields="type,date", memberCreator="false"
    ).json()
    assert [sorted(a) for a in lean] == [["date", "id", "type"]]


def test_comment_add_edit_both_ways_list_and_delete(emu: TrelloEmulator, board: dict[str, Any], http: Http) -> None:
    """paths./cards/{id}/actions/comments.post, ./actions/{id}.put and
    ./cards/{id}/actions/{idAction}/comments.put|delete."""
    card = emu.add_card(board["id"], "To Do", "discussed")
    posted = http("POST", f"/cards/{card['id']}/actions/comments", text="first")
    assert posted.status_code == 200
    action = posted.json()
    assert (action["type"], action["data"]["text"]) == ("commentCard", "first")
    assert action["data"]["card"]["id"] == card["id"]
    assert emu.card(card["id"])["badges"]["comments"] == 1
    edited = http("PUT", f"/actions/{action['id']}", text="second").json()
    assert edited["data"]["text"] == "second" and edited["data"]["dateLastEdited"].endswith("Z")
    again = http("PUT", f"/cards/{card['id']}/actions/{action['id']}/comments", text="third").json()
    assert again["data"]["text"] == "third"
    listed = http("GET", f"/cards/{card['id']}/actions", filter="commentCard").json()
    assert [a["data"]["text"] for a in listed] == ["third"]
    empty = http("POST", f"/cards/{card['id']}/actions/comments", text="")
    assert (empty.status_code, empty.text) == (400, "invalid value for text")
    create = http("GET", f"/cards/{card['id']}/actions", filter="createCard").json()[0]
    assert http("PUT", f"/actions/{create['id']}", text="x").status_code == 400  # only comments can be edited
    assert http("DELETE", f"/cards/{card['id']}/actions/{action['id']}/comments").status_code == 200
    assert http("GET", f"/actions/{action['id']}").status_code == 404
    assert emu.card(card["id"])["badges"]["comments"] == 0


# -- members and memberships -------------------------------------------------------------------------
def test_card_members_add_and_remove(emu: TrelloEmulator, board: dict[str, Any], http: Http) -> None:
    """paths./cards/{id}/idMembers.post (value) and ./cards/{id}/idMembers/{idMember}.delete."""
    ann = emu.add_member("ann", "Ann Lee")
    card = emu.add_card(board["id"], "To Do", "owned")
    added = http("POST", f"/cards/{card['id']}/idMembers", value=ann["id"])
    assert added.status_code == 200 and [m["username"] for m in added.json()] == ["ann"]
    twice = http("POST", f"/cards/{card['id']}/idMembers", value=ann["id"])
    assert twice.status_code == 400
    assert [m["id"] for m in http("GET", f"/cards/{card['id']}/members").json()] == [ann["id"]]
    removed = http("DELETE", f"/cards/{card['id']}/idMembers/{ann['id']}")
    assert (removed.status_code, removed.json()) == (200, [])
    assert emu.card(card["id"])["idMembers"] == []


def test_board_members_and_memberships_with_types(emu: TrelloEmulator, board: dict[str, Any], http: Http) -> None:
    """paths./boards/{id}/members.get and ./boards/{id}/memberships.get (filter admins|all|none|normal, member=true)."""
    ann, bob = emu.add_member("ann", "Ann Lee"), emu.add_member("bob", "Bob Roe")
    emu.add_board_member(board["id"], ann["id"], "normal")
    emu.add_board_member(board["id"], bob["id"], "observer")
    members = http("GET", f"/boards/{board['id']}/members").json()
    assert [set(m) for m in members] == [{"id", "fullName", "username"}] * 3
    assert [m["username"] for m in members] == ["me", "ann", "bob"]
    memberships = http("GET", f"/boards/{board['id']}/memberships", member="true").json()
    assert [(m["member"]["username"], m["memberType"]) for m in memberships] == [
        ("me", "admin"),
        ("ann", "normal"),
        ("bob", "observer"),
    ]
    admins = http("GET", f"/boards/{board['id']}/memberships", filter="admins").json()
    assert [m["idMember"] for m in admins] == [emu.me_id]
    assert http("GET", f"/boards/{board['id']}/memberships", filter="observers").status_code == 400


def test_an_observer_may_read_but_not_write(emu: TrelloEmulator, board: dict[str, Any]) -> None:
    """guides/rest-api/authorization: a token acts with its member's rights; an observer's writes get 401."""
    bob = emu.add_member("bob", "Bob Roe")
    emu.add_board_member(board["id"], bob["id"], "observer")
    emu.add_token("bobs-token-0000", bob["id"])
    as_bob = Http(emu, token="bobs-token-0000")
    card = emu.add_card(board["id"], "To Do", "watched")
    assert as_bob("GET", f"/cards/{card['id']}").status_code == 200
    for method, path, params in [
        ("PUT", f"/cards/{card['id']}", {"name": "x"}),
        ("POST", "/cards", {"idList": card["idList"], "name": "y"}),
        ("POST", f"/cards/{card['id']}/actions/comments", {"text": "z"}),
    ]:
        refused = as_bob(method, path, **params)
        assert (refused.status_code, refused.text) == (401, "unauthorized permission requested"), path
    assert emu.card(card["id"])["name"] == "watched" and len(emu.cards_of(board["id"])) == 1


def test_members_show_email_only_to_themselves(emu: TrelloEmulator, http: Http) -> None:
    """paths./members/{id}.get (Member schema): `email` is visible to the member's own token only."""
    ann = emu.add_member("ann", "Ann Lee")
    me = http("GET", "/members/me").json()
    assert me["email"] == "me@example.test" and me["username"] == "me"
    other = http("GET", f"/members/{ann['id']}").json()
    assert other["username"] == "ann" and other["email"] is None
    assert http("GET", "/members/ann", fields="fullName").json() == {"id": ann["id"], "fullName": "Ann Lee"}


def test_organization_members(emu: TrelloEmulator, http: Http) -> None:
    """paths./organizations/{id}/members.get: the workspace's members, by id or name."""
    org = emu.add_organization("acme")
    ann = emu.add_member("ann", "Ann Lee")
    emu.add_org_member(org["id"], ann["id"])
    assert [m["username"] for m in http("GET", "/organizations/acme/members").json()] == ["me", "ann"]
    assert "_memberships" not in http("GET", f"/organizations/{org['id']}").json()


# -- batch ---------------------------------------------------------------------------------------------
def test_batch_takes_up_to_ten_routes_and_answers_each(emu: TrelloEmulator, board: dict[str, Any], http: Http) -> None:
    """paths./batch.get urls: "Maximum of 10 routes allowed"; each route answers on its own."""
    card = emu.add_card(board["id"], "To Do", "one")
    answer = http("GET", "/batch", urls=f"/cards/{card['id']}?fields=name,/cards/nope,/boards/{board['id']}/members")
    assert [list(r) for r in answer.json()] == [["200"], ["400"], ["200"]]
    assert answer.json()[1]["400"] == "invalid id"
    eleven = http("GET", "/batch", urls=",".join([f"/cards/{card['id']}"] * 11))
    assert (eleven.status_code, eleven.text) == (400, "invalid value for urls")


# -- py-trello's ordinary calls ------------------------------------------------------------------------
def test_py_trello_comment_edit_and_fetch(emu: TrelloEmulator, board: dict[str, Any], client: TrelloClient) -> None:
    """py-trello card.comment -> paths./cards/{id}/actions/comments.post; update_comment -> ./actions/{id}.put."""
    sdk_card = client.get_card(emu.add_card(board["id"], "To Do", "talk")["id"])
    comment = sdk_card.comment("hello")
    assert comment["data"]["text"] == "hello"
    sdk_card.update_comment(comment["id"], "hello again")
    assert [c["data"]["text"] for c in client.get_card(sdk_card.id).fetch_comments()] == ["hello again"]
    sdk_card.delete_comment(comment)
    assert sdk_card.get_comments() == []


def test_py_trello_assign_and_unassign(emu: TrelloEmulator, board: dict[str, Any], client: TrelloClient) -> None:
    """py-trello card.assign posts `value` to /cards/{id}/members (served with ./cards/{id}/idMembers.post)."""
    ann = emu.add_member("ann", "Ann Lee")
    sdk_card = client.get_card(emu.add_card(board["id"], "To Do", "owned")["id"])
    sdk_card.assign(ann["id"])
    assert emu.card(sdk_card.id)["idMembers"] == [ann["id"]]
    sdk_card.unassign(ann["id"])
    assert emu.card(sdk_card.id)["idMembers"] == []
    with pytest.raises(ResourceUnavailable, match="invalid value for value"):
        sdk_card.assign("0" * 24)


def test_py_trello_board_get_members(emu: TrelloEmulator, board: dict[str, Any], client: TrelloClient) -> None:
    """py-trello board.get_members -> paths./boards/{id}/members.get."""
    ann = emu.add_member("ann", "Ann Lee")
    emu.add_board_member(board["id"], ann["id"], "admin")
    members = client.get_board(board["id"]).get_members()
    assert [(m.username, m.full_name) for m in members] == [("me", "Emulated Me"), ("ann", "Ann Lee")]
    observer = emu.add_member("obs", "Obs Erver")
    emu.add_board_member(board["id"], observer["id"], "observer")
    emu.add_token("observer-token-0", observer["id"])
    watcher = TrelloClient(
        api_key=DEFAULT_KEY, api_secret="observer-token-0", http_service=emulator_session(emu.base_url)
    )
    with pytest.raises(Unauthorized):
        watcher.get_board(board["id"]).add_list("Nope")
