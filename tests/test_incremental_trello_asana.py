"""Incremental reads on Trello (board actions) and Asana (modified_since + a lean listing) equal full reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from collabsync.model import Container
from collabsync.providers.asana import AsanaProvider
from collabsync.providers.base import ProviderContext
from collabsync.providers.trello import TrelloProvider
from collabsync.providers.trello_changes import actions_query
from collabsync.reading.incremental import ReadState, ReadStore, prepare, read
from collabsync.testing.asana import AsanaEmulator
from collabsync.testing.trello import TrelloEmulator

OLD = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
LISTS = ("To Do", "Doing", "Done")


def dicts(tasks: list[Any]) -> list[dict[str, Any]]:
    return [t.to_dict() for t in tasks]


# -- Trello ----------------------------------------------------------------------------------------
@pytest.fixture
def trello_emu() -> Iterator[TrelloEmulator]:
    with TrelloEmulator(rate_limits=[]) as emu:
        yield emu


def trello(emu: TrelloEmulator, home: Path, **settings: Any) -> TrelloProvider:
    base = {"api_key": emu.api_key, "token": emu.token, "base_url": emu.base_url, "incremental": True}
    return TrelloProvider("trello", {**base, **settings}, ProviderContext(home=home))


def boards(emu: TrelloEmulator, home: Path, n: int, cards: int) -> list[Container]:
    """n tracked boards of `cards` cards, all created long ago (their actions predate any read)."""
    emu.state.clock = OLD.timestamp()
    try:
        made = []
        for b in range(n):
            board = emu.add_board(f"Board {b}", LISTS)
            for i in range(cards):
                emu.add_card(board["id"], LISTS[i % 3], f"Card {b}.{i}", due=OLD + dt.timedelta(days=i))
            made.append(board)
    finally:
        emu.state.clock = None
    return [trello(emu, home).resolve_source(board["shortLink"]) for board in made]


def trello_equals_full(emu: TrelloEmulator, home: Path, c: Container, store: ReadStore) -> list[dict[str, Any]]:
    got = dicts(read(trello(emu, home), "trello", c, store))
    assert got == dicts(trello(emu, home, incremental=False).read_tasks(c))
    return got


def test_trello_unchanged_boards_cost_one_request_together(trello_emu: TrelloEmulator, tmp_path: Path) -> None:
    cs = boards(trello_emu, tmp_path, 5, 40)
    store = ReadStore(tmp_path / "reads.sqlite")
    first = [dicts(read(trello(trello_emu, tmp_path), "trello", c, store)) for c in cs]
    trello_emu.reset_log()
    p = trello(trello_emu, tmp_path)
    prepare(p, "trello", cs, store)
    again = [dicts(read(p, "trello", c, store)) for c in cs]
    assert again == first
    assert trello_emu.count() == 1 and trello_emu.count("GET", "/batch") == 1  # five action checks, one /batch
    card = trello_emu.cards_of(cs[1].ref)[0]
    trello_emu.move_card(card["id"], "Done")
    trello_emu.add_comment(trello_emu.cards_of(cs[3].ref)[2]["id"], "on it")  # moves dateLastActivity only
    trello_emu.reset_log()
    p = trello(trello_emu, tmp_path)
    prepare(p, "trello", cs, store)
    merged = [dicts(read(p, "trello", c, store)) for c in cs]
    assert trello_emu.count() == 2  # the action checks, then both changed boards in one shared /batch
    assert merged == [dicts(trello(trello_emu, tmp_path, incremental=False).read_tasks(c)) for c in cs]
    assert next(t for t in merged[1] if t["ref"] == card["id"])["status"] == "done"


def test_trello_edits_moves_archive_deletion_and_list_renames_equal_full(
    trello_emu: TrelloEmulator, tmp_path: Path
) -> None:
    (c,) = boards(trello_emu, tmp_path, 1, 30)
    store = ReadStore(tmp_path / "reads.sqlite")
    read(trello(trello_emu, tmp_path), "trello", c, store)
    client = trello(trello_emu, tmp_path).client
    cards = trello_emu.cards_of(c.ref)
    trello_emu.reset_log()
    assert trello_equals_full(trello_emu, tmp_path, c, store)  # nothing changed: one actions request
    assert trello_emu.count("GET", "/actions") == 1 and trello_emu.count("GET", "/batch") == 1  # + the full read
    for change in (
        lambda: trello_emu.move_card(cards[0]["id"], "Done"),  # moved between lists
        lambda: trello_emu.set_closed(cards[1]["id"]),  # archived
        lambda: client.fetch_json(f"/cards/{cards[2]['id']}", http_method="DELETE"),  # deleted
        lambda: trello_emu.add_card(c.ref, "Doing", "Brand new"),  # new
        lambda: client.fetch_json(
            f"/cards/{cards[3]['id']}", http_method="PUT", query_params={"name": "Renamed"}
        ),  # edited
        lambda: client.fetch_json(
            f"/lists/{cards[4]['idList']}", http_method="PUT", query_params={"name": "Blocked"}
        ),  # a list renamed changes its cards' status
    ):
        change()
        got = trello_equals_full(trello_emu, tmp_path, c, store)
        trello_emu.reset_log()
        assert trello_equals_full(trello_emu, tmp_path, c, store) == got
    titles = {t["title"] for t in got}
    assert "Brand new" in titles and "Renamed" in titles and cards[2]["name"] not in titles
    assert next(t for t in got if t["ref"] == cards[4]["id"])["status"] == "blocked"


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_trello_window_is_absolute_whatever_the_zone(trello_emu: TrelloEmulator, tmp_path: Path, zone: str) -> None:
    """A stored read that began just after midnight in a zone far from UTC still sees the edit made after it."""
    (c,) = boards(trello_emu, tmp_path, 1, 12)
    store = ReadStore(tmp_path / "reads.sqlite")
    tasks = read(trello(trello_emu, tmp_path, timezone=zone), "trello", c, store)
    began = dt.datetime.now(ZoneInfo(zone)) - dt.timedelta(seconds=2)  # the same instant, written in the zone
    store.save("trello", c.ref, ReadState(began, 0, tasks))
    assert actions_query(began)["since"].endswith("Z")
    assert dt.datetime.fromisoformat(actions_query(began)["since"]) == began.replace(
        microsecond=began.microsecond // 1000 * 1000
    )
    card = next(x for x in trello_emu.cards_of(c.ref) if trello_emu.list_name(x["idList"]) == "To Do")
    trello_emu.move_card(card["id"], "Done")
    got = dicts(read(trello(trello_emu, tmp_path, timezone=zone, read_overlap_minutes=0), "trello", c, store))
    assert got == dicts(trello(trello_emu, tmp_path, timezone=zone, incremental=False).read_tasks(c))
    assert next(t for t in got if t["ref"] == card["id"])["status"] == "done"


def test_trello_board_actions_since_a_date(trello_emu: TrelloEmulator, tmp_path: Path) -> None:
    """Emulator, as documented (paths./boards/{boardId}/actions since: "a date string ... or a mongo object ID";
    filter: the action-types guide, which lists updateList): list edits are board actions."""
    (c,) = boards(trello_emu, tmp_path, 1, 3)
    client = trello(trello_emu, tmp_path).client
    lst = trello_emu.cards_of(c.ref)[0]["idList"]
    client.fetch_json(f"/lists/{lst}", http_method="PUT", query_params={"name": "Later"})
    since = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).isoformat(timespec="milliseconds")
    actions = client.fetch_json(f"/boards/{c.ref}/actions", query_params={"since": since, "filter": "all"})
    assert [a["type"] for a in actions] == ["updateList"] and actions[0]["data"]["old"] == {"name": LISTS[0]}
    lean = client.fetch_json(f"/boards/{c.ref}/actions", query_params=actions_query(OLD))
    assert len(lean) == 1 and lean[0].keys() == {"id"}


# -- Asana -----------------------------------------------------------------------------------------
@pytest.fixture
def asana_emu() -> Iterator[AsanaEmulator]:
    with AsanaEmulator() as emu:
        yield emu


def asana(emu: AsanaEmulator, home: Path, **settings: Any) -> AsanaProvider:
    base = {**emu.provider_settings(), "backoff": 0, "incremental": True}
    return AsanaProvider("asana", {**base, **settings}, ProviderContext(home=home))


def project(emu: AsanaEmulator, tasks: int) -> tuple[Container, list[str]]:
    """A project of `tasks` tasks over three sections, every fifth blocked by the one before, all long ago."""
    emu.now = OLD
    try:
        gid = emu.add_project("Incremental")
        for name in ("To Do", "In Progress", "Blocked"):
            emu.add_section(gid, name)
        gids = [
            emu.add_task(gid, f"Task {i}", section=("To Do", "In Progress", "Blocked")[i % 3]) for i in range(tasks)
        ]
        for i in range(5, tasks, 5):
            emu.add_dependency(gids[i], gids[i - 1])
    finally:
        emu.now = None
    return Container(gid, "Incremental", extra={"mode": "team"}), gids


def asana_equals_full(emu: AsanaEmulator, home: Path, c: Container, store: ReadStore) -> list[dict[str, Any]]:
    got = dicts(read(asana(emu, home), "asana", c, store))
    assert got == dicts(asana(emu, home, incremental=False).read_tasks(c))
    return got


def test_asana_unchanged_project_costs_one_events_request(asana_emu: AsanaEmulator, tmp_path: Path) -> None:
    c, gids = project(asana_emu, 150)
    store = ReadStore(tmp_path / "reads.sqlite")
    first = dicts(read(asana(asana_emu, tmp_path), "asana", c, store))
    assert asana_emu.count("GET", "/events") == 1  # the full read took a sync token first (a 412 that carries one)
    asana_emu.reset_log()
    again = dicts(read(asana(asana_emu, tmp_path), "asana", c, store))
    assert asana_emu.count() == 1 and asana_emu.count("GET", "/events") == 1 and again == first
    asana_emu.complete(gids[7])  # an edit only: the modified tasks, no listing
    asana_emu.reset_log()
    edited = dicts(read(asana(asana_emu, tmp_path), "asana", c, store))
    assert [r.endpoint for r in asana_emu.requests] == ["get_events", "list_tasks"]  # the feed, then modified_since
    assert edited == dicts(asana(asana_emu, tmp_path, incremental=False).read_tasks(c))
    assert next(t for t in edited if t["ref"] == gids[7])["status"] == "done"


def test_asana_projects_share_one_batch_and_an_expired_token_falls_back(
    asana_emu: AsanaEmulator, tmp_path: Path
) -> None:
    cs = [project(asana_emu, 20)[0] for _ in range(3)]
    store = ReadStore(tmp_path / "reads.sqlite")
    asana_emu.reset_log()
    p = asana(asana_emu, tmp_path)
    prepare(p, "asana", cs, store)
    first = [dicts(read(p, "asana", c, store)) for c in cs]
    assert asana_emu.count("POST", "/batch") == 1 and asana_emu.count("GET", "/events") == 0  # three tokens at once
    assert asana_emu.count() == 4  # and one page of 20 tasks per project
    asana_emu.reset_log()
    p = asana(asana_emu, tmp_path)
    prepare(p, "asana", cs, store)
    assert [dicts(read(p, "asana", c, store)) for c in cs] == first
    assert asana_emu.count() == 1 and asana_emu.count("POST", "/batch") == 1  # three event checks, one request
    asana_emu.store.sync_salt = "0" * 12  # every stored token now "invalid or too old": 412 with a fresh one
    asana_emu.add_task(cs[0].ref, "While away", section="To Do")
    got = asana_equals_full(asana_emu, tmp_path, cs[0], store)
    assert "While away" in {t["title"] for t in got}
    asana_emu.reset_log()
    assert asana_equals_full(asana_emu, tmp_path, cs[0], store) == got
    assert asana_emu.count("GET", "/events") == 1  # the fresh token was kept: quiet again


def test_asana_events_follow_the_documented_sync_protocol(asana_emu: AsanaEmulator) -> None:
    """Emulator, as documented (asana_oas.yaml paths./events.get): no token -> 412 with `sync`; then events."""
    import requests

    c, gids = project(asana_emu, 2)
    url, auth = f"{asana_emu.base_url}/events", {"Authorization": f"Bearer {asana_emu.token}"}
    first = requests.get(url, params={"resource": c.ref}, headers=auth, timeout=5)
    assert first.status_code == 412 and first.json()["sync"] and first.json()["errors"][0]["message"]
    token = first.json()["sync"]
    quiet = requests.get(url, params={"resource": c.ref, "sync": token}, headers=auth, timeout=5).json()
    assert quiet["data"] == [] and quiet["has_more"] is False
    asana_emu.move_task(gids[0], "Blocked")
    moved = requests.get(url, params={"resource": c.ref, "sync": quiet["sync"]}, headers=auth, timeout=5).json()
    assert {(e["type"], e["action"]) for e in moved["data"]} == {("task", "changed"), ("task", "added")}
    assert requests.get(url, params={"resource": c.ref, "sync": "nope"}, headers=auth, timeout=5).status_code == 412


def test_asana_edits_section_moves_deletions_and_new_tasks_equal_full(asana_emu: AsanaEmulator, tmp_path: Path) -> None:
    c, gids = project(asana_emu, 40)
    store = ReadStore(tmp_path / "reads.sqlite")
    read(asana(asana_emu, tmp_path), "asana", c, store)
    api = asana(asana_emu, tmp_path)
    for change in (
        lambda: asana_emu.complete(gids[1]),  # edited: modified_at moves
        lambda: asana_emu.move_task(gids[2], "Blocked"),  # a section move leaves modified_at alone
        lambda: api._call("delete", lambda: __import__("asana").TasksApi(api.client).delete_task(gids[4])),
        lambda: asana_emu.add_task(c.ref, "Brand new", section="In Progress"),  # new
    ):
        change()
        got = asana_equals_full(asana_emu, tmp_path, c, store)
    by_ref = {t["ref"]: t for t in got}
    assert by_ref[gids[1]]["status"] == "done" and by_ref[gids[2]]["status"] == "blocked"
    assert gids[4] not in by_ref and gids[4] not in by_ref[gids[5]]["depends_on"]  # the blocker went with it
    assert "Brand new" in {t["title"] for t in got}


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_asana_edit_just_before_midnight_in_a_far_zone(asana_emu: AsanaEmulator, tmp_path: Path, zone: str) -> None:
    """The stored read's start written in a zone 14 h from UTC: modified_since is sent in UTC and still catches it."""
    c, gids = project(asana_emu, 10)
    store = ReadStore(tmp_path / "reads.sqlite")
    tasks = read(asana(asana_emu, tmp_path), "asana", c, store)
    local = dt.datetime.now(ZoneInfo(zone))
    eve = local.replace(hour=23, minute=59, second=0, microsecond=0)
    store.save("asana", c.ref, ReadState(eve - dt.timedelta(minutes=1), 0, tasks))
    asana_emu.now = eve.astimezone(dt.UTC)
    try:
        asana_emu.complete(gids[3])
    finally:
        asana_emu.now = None
    got = dicts(read(asana(asana_emu, tmp_path, read_overlap_minutes=0), "asana", c, store))
    assert got == dicts(asana(asana_emu, tmp_path, incremental=False).read_tasks(c))
    assert next(t for t in got if t["ref"] == gids[3])["status"] == "done"


def test_reports_read_boards_and_projects_incrementally_through_the_cli(isolated_home: Path) -> None:
    """Through the CLI: three boards cost one request, two projects one; the merged report equals --fresh."""
    import json

    from cli_helpers import cli
    from collabsync.testing.stack import running_stack

    with running_stack() as stack:
        config = stack.write_config(Path("collabsync.toml"))
        config.write_text(config.read_text().replace("backoff = 0.01\n", "backoff = 0.01\nincremental = true\n"))
        stack.trello.state.clock = OLD.timestamp()
        boards = [stack.trello.add_board(f"Board {b}", LISTS) for b in range(3)]
        for board in boards:
            for i in range(6):
                stack.trello.add_card(board["id"], LISTS[i % 3], f"Card {i}")
        stack.trello.state.clock = None
        projects = [project(stack.asana, 8) for _ in range(2)]
        for board in boards:
            cli("track", "mix", board["url"], "--provider", "trello", "--department", "sales")
        for c, _ in projects:
            cli(
                "track",
                "mix",
                f"https://app.asana.com/0/{c.ref}/list",
                "--provider",
                "asana",
                "--department",
                "marketing",
            )
        cli("report", "mix", "--format", "json", "--out", "first", "--no-save")
        stack.trello.reset_log()
        stack.asana.reset_log()
        cli("report", "mix", "--format", "json", "--out", "second", "--no-save")
        assert stack.trello.count() == 1 and stack.asana.count() == 1  # one /batch each
        stack.trello.move_card(stack.trello.cards_of(boards[2]["id"])[0]["id"], "Done")
        stack.asana.move_task(projects[1][1][0], "Blocked")
        cli("report", "mix", "--format", "json", "--out", "third", "--no-save")
        merged = json.loads((Path("third") / "mix.json").read_text())["tasks"]
        full = Path("full.toml")
        full.write_text(config.read_text().replace("incremental = true\n", ""))
        cli("--config", str(full), "report", "mix", "--format", "json", "--out", "fourth", "--no-save")
        assert json.loads((Path("fourth") / "mix.json").read_text())["tasks"] == merged  # a full read's report
        fresh = json.loads(cli("status", "mix", "--format", "json", "--fresh"))
        assert fresh["departments"]["sales"]["done"] == 7 and len(merged) == 18 + 16  # 2 done per board, +1 moved
        assert json.loads((Path("first") / "mix.json").read_text())["tasks"] != merged
