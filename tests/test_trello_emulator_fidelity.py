"""The Trello emulator answers in the shapes of Trello's published OpenAPI file.

Where the file gives a response schema we validate against it; where it gives none (about half
the operations, GET /boards/{id}/cards among them) we validate against schemas built from its own
components (`Card`, `TrelloList`, `Board`, `Label`, `Checklist`, `CheckItem`, `Attachment`,
`Action`), with the fields py-trello reads made required. Known errors of the file are patched in
`trello_spec.errata`, each with the evidence; everything else is the file as published.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import requests

from collabsync.testing.trello import DEFAULT_KEY, DEFAULT_TOKEN, TrelloEmulator
from specs import spec_file
from trello_spec import OWN_SCHEMAS, REQUIRED, errata, response_schema, to_json_schema

#: Routes whose 200 response the published file describes; validated against it as published.
SPEC_CHECKED = [
    ("get", "/members/{id}"),
    ("get", "/members/{id}/boards"),
    ("get", "/organizations/{id}/boards"),
    ("get", "/boards/{id}"),
    ("get", "/boards/{id}/lists"),
    ("post", "/boards/{id}/lists"),
    ("post", "/cards"),
    ("get", "/cards/{id}"),
    ("put", "/cards/{id}"),
    ("get", "/cards/{id}/attachments"),
    ("get", "/boards/{id}/customFields"),
    ("get", "/cards/{id}/customFieldItems"),
]


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    """The published file, loaded once."""
    return json.loads(spec_file("trello", "trello-openapi.json").read_text())


@pytest.fixture(scope="session")
def validate(spec: dict[str, Any]) -> Any:
    """validate(method, path, body, trimmed=False): check a response against the route's schema.

    trimmed=True (a `fields=` request) drops the fields py-trello requires from the check.
    """
    comps = copy.deepcopy(spec["components"]["schemas"])
    errata(comps)
    loose = {"schemas": to_json_schema(comps)}
    for name, fields in REQUIRED.items():
        comps[name]["required"] = sorted(set(comps[name].get("required", [])) | set(fields))
    strict = {"schemas": to_json_schema(comps)}

    def check(method: str, path: str, body: Any, trimmed: bool = False) -> None:
        schema = OWN_SCHEMAS.get((method, path)) or response_schema(spec, method, path)
        assert schema is not None, f"no schema for {method} {path}"
        full = {**to_json_schema(schema), "components": loose if trimmed else strict}
        error = jsonschema.exceptions.best_match(jsonschema.Draft7Validator(full).iter_errors(body))
        assert error is None, f"{method} {path}: {error.message} at {list(error.absolute_path)}"

    return check


class Api:
    """A thin client that returns parsed JSON (and the status) for validation."""

    def __init__(self, emu: TrelloEmulator) -> None:
        self.base, self.auth = emu.base_url, {"key": DEFAULT_KEY, "token": DEFAULT_TOKEN}

    def __call__(self, method: str, path: str, **params: Any) -> Any:
        response = requests.request(method, self.base + path, params={**params, **self.auth}, timeout=5)
        assert response.status_code == 200, (method, path, response.status_code, response.text)
        return response.json()


@pytest.fixture
def world() -> Any:
    """A seeded emulator with a workspace, a board with lists, labels, a card with everything."""
    with TrelloEmulator() as emu:
        org = emu.add_organization("acme")
        board = emu.add_board("Launch", org=org["id"])
        ann = emu.add_member("ann", "Ann Lee")
        card = emu.add_card(
            board["id"],
            "Doing",
            "Draft plan",
            desc="Plan it",
            due="2026-12-01",
            start="2026-11-20",
            members=[ann["id"]],
            labels=["blocked"],
        )
        field = emu.add_custom_field(board["id"], "Priority", "list", ["High", "Low"])
        emu.set_custom_field(card["id"], field["id"], field["options"][0]["id"])
        yield emu, Api(emu), board, card


def test_the_file_lacks_schemas_exactly_where_we_write_our_own(spec: dict[str, Any]) -> None:
    for method, path in SPEC_CHECKED:
        assert response_schema(spec, method, path) is not None, (method, path)
    for method, path in OWN_SCHEMAS:
        if path not in ("/cards/{id}/attachments", "/boards/{id}/memberships"):  # the file's schema is wrong
            assert response_schema(spec, method, path) is None, (method, path)
    assert response_schema(spec, "post", "/cards/{id}/attachments")["type"] == "array"


def test_member_board_and_list_reads_match_the_spec(world: Any, validate: Any) -> None:
    emu, api, board, _card = world
    validate("get", "/members/{id}", api("GET", "/members/me"))
    boards = api("GET", "/members/me/boards", filter="open")
    assert [b["name"] for b in boards] == ["Launch"]
    validate("get", "/members/{id}/boards", boards)
    validate("get", "/organizations/{id}/boards", api("GET", "/organizations/acme/boards"))
    validate("get", "/boards/{id}", api("GET", f"/boards/{board['id']}"))
    lists = api("GET", f"/boards/{board['id']}/lists", filter="open")
    assert [x["name"] for x in lists] == ["To Do", "Doing", "Blocked", "Done"]
    validate("get", "/boards/{id}/lists", lists)
    validate("get", "/boards/{id}/lists", api("GET", f"/boards/{board['id']}/lists", fields="name"), trimmed=True)


def test_card_routes_match_the_spec(world: Any, validate: Any) -> None:
    emu, api, board, card = world
    todo = api("GET", f"/boards/{board['id']}/lists")[0]
    created = api(
        "POST", "/cards", idList=todo["id"], name="New", desc="x", due="2026-12-24", idLabels=card["idLabels"][0]
    )
    validate("post", "/cards", created)
    assert created["labels"][0]["name"] == "blocked"
    validate("get", "/cards/{id}", api("GET", f"/cards/{card['id']}"))
    validate("put", "/cards/{id}", api("PUT", f"/cards/{card['id']}", dueComplete="true", closed="true"))
    cards = api("GET", f"/boards/{board['id']}/cards", filter="all")
    assert {c["name"] for c in cards} == {"Draft plan", "New"}
    validate("get", "/boards/{id}/cards", cards)
    validate(
        "get", "/boards/{id}/cards", api("GET", f"/boards/{board['id']}/cards", fields="name,idList,due"), trimmed=True
    )
    attachment = api("POST", f"/cards/{card['id']}/attachments", url="https://trello.com/c/abc", name="dep")
    validate("post", "/cards/{id}/attachments", attachment)
    validate("get", "/cards/{id}/attachments", api("GET", f"/cards/{card['id']}/attachments"))


def test_label_list_checklist_and_custom_field_routes_match(world: Any, validate: Any) -> None:
    emu, api, board, card = world
    validate("get", "/boards/{id}/labels", api("GET", f"/boards/{board['id']}/labels"))
    validate("post", "/boards/{id}/labels", api("POST", f"/boards/{board['id']}/labels", name="x", color="green"))
    validate("post", "/labels", api("POST", "/labels", idBoard=board["id"], name="y", color="null"))
    validate("post", "/lists", api("POST", "/lists", idBoard=board["id"], name="Review"))
    validate("post", "/boards/{id}/lists", api("POST", f"/boards/{board['id']}/lists", name="QA"))
    checklist = api("POST", "/checklists", idCard=card["id"], name="Steps")
    validate("post", "/checklists", checklist)
    validate(
        "post",
        "/checklists/{id}/checkItems",
        api("POST", f"/checklists/{checklist['id']}/checkItems", name="one", checked="true"),
    )
    validate("post", "/cards/{id}/checklists", api("POST", f"/cards/{card['id']}/checklists", name="More"))
    checklists = api("GET", f"/cards/{card['id']}/checklists")
    assert [c["name"] for c in checklists] == ["Steps", "More"]
    validate("get", "/cards/{id}/checklists", checklists)
    validate("get", "/boards/{id}/customFields", api("GET", f"/boards/{board['id']}/customFields"))
    validate("get", "/cards/{id}/customFieldItems", api("GET", f"/cards/{card['id']}/customFieldItems"))


def test_actions_and_batch_match_their_schemas(world: Any, validate: Any) -> None:
    emu, api, board, card = world
    emu.move_card(card["id"], "Done")
    actions = api("GET", f"/boards/{board['id']}/actions", filter="updateCard,createCard")
    validate("get", "/boards/{boardId}/actions", actions)
    assert [a["type"] for a in actions] == ["updateCard", "createCard"]
    assert actions[0]["data"]["listAfter"]["name"] == "Done"
    batch = api("GET", "/batch", urls=f"/boards/{board['id']},/cards/{card['id']}?fields=name,/cards/nope")
    validate("get", "/batch", batch)
    assert [list(b) for b in batch] == [["200"], ["200"], ["400"]]
    assert batch[1]["200"] == {"id": card["id"], "name": "Draft plan"}
    eleven = ",".join([f"/cards/{card['id']}"] * 11)
    too_many = requests.get(api.base + "/batch", params={"urls": eleven, **api.auth}, timeout=5)
    assert (too_many.status_code, too_many.text) == (400, "invalid value for urls")


def test_board_create_and_update_match_their_schemas(world: Any, validate: Any) -> None:
    emu, api, _board, _card = world
    org = api("GET", "/members/me/organizations")[0]
    created = api("POST", "/boards", name="Fresh", desc="d", idOrganization=org["id"], defaultLists="false")
    validate("post", "/boards/", created)
    assert created["idOrganization"] == org["id"]
    assert api("GET", f"/boards/{created['id']}/lists") == []
    validate("put", "/boards/{id}", api("PUT", f"/boards/{created['id']}", desc="changed"))


def test_ids_encode_creation_time_and_sort_by_creation(world: Any) -> None:
    emu, api, board, card = world
    todo = api("GET", f"/boards/{board['id']}/lists")[0]
    later = api("POST", "/cards", idList=todo["id"], name="Later")
    assert later["id"] > card["id"]
    created = int(later["id"][:8], 16)
    assert abs(created - emu.state.now().timestamp()) < 5


#: Operations whose parameters the file does not list at all; the provider's use of them is checked against the API docs by hand.
PARAMS_UNLISTED = {("get", "/boards/{id}/cards")}


def _spec_operation(spec: dict[str, Any], method: str, path: str) -> tuple[str, dict[str, Any]]:
    """The spec path template matching a concrete path, preferring the most literal segments."""
    parts = path.strip("/").split("/")
    best: tuple[int, str] | None = None
    for template, item in spec["paths"].items():
        tparts = template.strip("/").split("/")
        if len(tparts) != len(parts) or method not in item:
            continue
        if all(t.startswith("{") or t == p for t, p in zip(tparts, parts, strict=True)):
            literal = sum(not t.startswith("{") for t in tparts)
            if best is None or literal > best[0]:
                best = (literal, template)
    assert best is not None, f"{method} {path} is not in the spec"
    return best[1], spec["paths"][best[1]]


def test_the_provider_only_sends_query_parameters_the_spec_lists(spec: dict[str, Any], tmp_path: Path) -> None:
    import datetime as dt
    from urllib.parse import parse_qsl

    from collabsync.model import Container, SectionSpec, Status
    from trello_support import INSTANCE, make_provider, new, tasks

    with TrelloEmulator() as emu:
        emu.add_organization("acme")
        provider = make_provider(emu, tmp_path)
        provider.check()
        container = provider.ensure_container(INSTANCE, "B", "", {"workspace": "acme"})
        refs = provider.ensure_sections(container, [SectionSpec("s", "S")])
        created = list(provider.create_tasks(container, [new(t, refs["s"]) for t in tasks(3, deps=True)]))
        fresh = make_provider(emu, tmp_path)
        list(fresh.link_dependencies(container, [(created[2].ref, created[0].ref)]))  # type: ignore[list-item]
        fresh.find_marked(container, INSTANCE)
        fresh.read_tasks(container, since=dt.datetime.now(dt.UTC))
        fresh.set_status(container, created[0].ref, Status.DONE)  # type: ignore[arg-type]
        fresh.ensure_container("other", "Shared", "", {"board": container.ref})
        make_provider(emu, tmp_path).ensure_container("mine", "Mine", "", {})
        assert isinstance(container, Container)
        checked = 0
        for record in emu.requests:
            method = record.method.lower()
            template, item = _spec_operation(spec, method, record.path[len("/1") :])
            if (method, template) in PARAMS_UNLISTED:
                continue
            listed = {
                p.get("name")
                for p in item[method].get("parameters", []) + item.get("parameters", [])
                if p.get("in", "query") == "query"
            }
            sent = {k for k, _ in parse_qsl(record.query)} - {"key", "token"}
            assert sent <= listed, f"{record.method} {template}: {sorted(sent - listed)} not in the spec"
            checked += 1
        assert checked >= 20
