"""The Trello provider end to end against the emulator: containers, sections, cards, links, status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from collabsync.errors import AuthError, NotFoundError, ProviderError
from collabsync.model import Container, SectionSpec, Status
from collabsync.providers.base import Capability
from collabsync.providers.registry import provider_class
from collabsync.providers.trello import TrelloProvider
from collabsync.testing.trello import TrelloEmulator
from trello_support import INSTANCE, make_provider, new, spec

SECTIONS = [SectionSpec("kickoff", "Kickoff"), SectionSpec("build", "Build")]


@pytest.fixture
def emu() -> Iterator[TrelloEmulator]:
    """An emulator with a workspace `acme`."""
    with TrelloEmulator() as emulator:
        emulator.add_organization("acme")
        yield emulator


@pytest.fixture
def trello(emu: TrelloEmulator, tmp_path: Path) -> Iterator[TrelloProvider]:
    """A provider on the emulator."""
    provider = make_provider(emu, tmp_path)
    yield provider
    provider.close()


def stamp(
    provider: TrelloProvider, destination: dict[str, object], instance: str = INSTANCE
) -> tuple[Container, dict[str, str]]:
    """Container, sections and three cards (b depends on a); returns key -> card id."""
    container = provider.ensure_container(instance, "ACME onboarding", "Welcome ACME", destination)
    refs = provider.ensure_sections(container, SECTIONS)
    specs = [
        spec("a", section="kickoff", due=dt.date(2026, 12, 1), checklist=("call", "notes")),
        spec("b", section="build", depends_on=("a",), labels=("vip",)),
        spec("c", section="build", start=dt.date(2026, 11, 20), due=dt.date(2026, 11, 30)),
    ]
    created = list(provider.create_tasks(container, [new(s, refs[s.section], instance, "notes") for s in specs]))
    assert all(c.ref and c.error is None for c in created)
    return container, {c.key: c.ref for c in created}  # type: ignore[misc]


def test_registered_by_entry_point_with_its_capabilities() -> None:
    assert provider_class("trello") is TrelloProvider
    assert Capability.DEPENDENCIES in TrelloProvider.capabilities
    assert Capability.BULK_CREATE not in TrelloProvider.capabilities  # one POST per card


def test_check_is_one_get_of_members_me(emu: TrelloEmulator, trello: TrelloProvider) -> None:
    assert trello.check() == "Trello member @me (Emulated Me)"
    assert [(r.method, r.path) for r in emu.requests] == [("GET", "/1/members/me")]


def test_settings_and_destination_schemas() -> None:
    settings = jsonschema.Draft202012Validator(TrelloProvider.settings_schema)
    assert settings.is_valid({"api_key": "k", "token": "t", "status_map": {"QA": "in_progress"}})
    assert not settings.is_valid({"api_key": "k"})
    assert not settings.is_valid({"api_key": "k", "token": "t", "status_map": {"QA": "later"}})
    destination = jsonschema.Draft202012Validator(TrelloProvider.destination_schema)
    assert destination.is_valid({"workspace": "acme", "mode": "sections"})
    assert destination.is_valid({"board": "abcd1234", "columns": ["Todo", "Done"]})
    assert not destination.is_valid({"workspace": "acme", "board": "abcd1234"})
    assert not destination.is_valid({"mode": "kanban"})


def test_workspace_mode_creates_one_board_and_finds_it_again(emu: TrelloEmulator, trello: TrelloProvider) -> None:
    first = trello.ensure_container(INSTANCE, "ACME onboarding", "Welcome", {"workspace": "acme"})
    assert first.created is True
    board = emu.boards_named("ACME onboarding")[0]
    assert board["desc"].splitlines()[-1] == f"collabsync:{INSTANCE}"
    assert [x["name"] for x in emu.state.lists.values() if x["idBoard"] == first.ref] == [
        "To Do",
        "Doing",
        "Blocked",
        "Done",
    ]
    again = make_provider(emu, Path(trello.context.home)).ensure_container(
        INSTANCE, "ACME onboarding", "Welcome", {"workspace": "acme"}
    )
    assert (again.ref, again.created) == (first.ref, False)
    assert len(emu.boards_named("ACME onboarding")) == 1


def test_create_tasks_writes_everything_in_the_card_post(emu: TrelloEmulator, trello: TrelloProvider) -> None:
    container, refs = stamp(trello, {"workspace": "acme"})
    a, b = emu.card(refs["a"]), emu.card(refs["b"])
    assert emu.list_name(a["idList"]) == "To Do"
    assert a["due"] == "2026-12-01T12:00:00.000Z"
    assert a["desc"].splitlines()[-1] == f"collabsync:{INSTANCE}/a" and a["desc"].startswith("notes")
    assert [lb["name"] for lb in a["labels"]] == ["Kickoff"]
    assert sorted(lb["name"] for lb in b["labels"]) == ["Build", "vip"]
    assert f"Depends on: Task a ({a['shortUrl']})" in b["desc"].splitlines()  # a existed when b was written
    assert [[i["name"] for i in c["checkItems"]] for c in emu.checklists_of(refs["a"])] == [["call", "notes"]]
    assert [r.endpoint for r in emu.requests].count("post_card") == 3 and emu.count("GET", "/cards/") == 0


def test_read_tasks_maps_cards(emu: TrelloEmulator, trello: TrelloProvider) -> None:
    container, refs = stamp(trello, {"workspace": "acme"})
    tasks = {t.key: t for t in trello.read_tasks(container)}
    assert set(tasks) == {"a", "b", "c"}
    assert (tasks["a"].section, tasks["a"].due, tasks["a"].status) == ("Kickoff", dt.date(2026, 12, 1), Status.TODO)
    assert (tasks["c"].start, tasks["c"].due) == (dt.date(2026, 11, 20), dt.date(2026, 11, 30))
    assert tasks["b"].labels == ["vip"] and tasks["b"].depends_on == [refs["a"]]
    assert tasks["a"].url.startswith("https://trello.com/c/")


def test_link_dependencies_attaches_and_writes_lines_once(emu: TrelloEmulator, trello: TrelloProvider) -> None:
    container, refs = stamp(trello, {"workspace": "acme"})
    emu.reset_log()
    linked = list(trello.link_dependencies(container, [(refs["b"], refs["a"]), (refs["a"], refs["c"])]))
    assert [x.error for x in linked] == [None, None]
    assert [a["url"] for a in emu.attachments_of(refs["b"])] == [emu.card(refs["a"])["shortUrl"]]
    # b's line was written with the card; a's (forward) dependency costs one description update
    assert (emu.count("POST", "/attachments"), emu.count("PUT", "/cards/")) == (2, 1)
    assert {t.key: t.depends_on for t in trello.read_tasks(container)}["a"] == [refs["c"]]


def test_links_across_two_boards_of_one_account(emu: TrelloEmulator, trello: TrelloProvider) -> None:
    sales, sales_refs = stamp(trello, {"workspace": "acme"}, "deal")
    support = trello.ensure_container("deal", "Support side", "", {})  # a personal board, not the workspace's
    assert support.ref != sales.ref
    (ticket,) = trello.create_tasks(support, [new(spec("ticket"), instance="deal")])
    fresh = make_provider(emu, Path(trello.context.home))  # a resumed run knows neither card
    (linked,) = fresh.link_dependencies(support, [(ticket.ref, sales_refs["a"])])  # type: ignore[list-item]
    assert linked.error is None
    (task,) = fresh.read_tasks(support)
    assert task.depends_on == [] and task.extra["external_depends_on"] == [emu.card(sales_refs["a"])["shortUrl"]]


def test_renamed_cards_keep_their_dependencies(emu: TrelloEmulator, trello: TrelloProvider) -> None:
    container, refs = stamp(trello, {"workspace": "acme"})
    emu.state.cards[refs["a"]]["name"] = "Renamed"
    emu.state.cards[refs["a"]]["url"] = emu.state.cards[refs["a"]]["url"].rsplit("/", 1)[0] + "/1-renamed"
    assert {t.key: t.depends_on for t in trello.read_tasks(container)}["b"] == [refs["a"]]


def test_provider_status_map_applies_to_instances_stamped_before(emu: TrelloEmulator, tmp_path: Path) -> None:
    container = make_provider(emu, tmp_path).ensure_container(
        INSTANCE, "B", "", {"workspace": "acme", "columns": ["To Do", "QA"], "status_map": {"To Do": "todo"}}
    )
    emu.add_card(container.ref, "QA", "x")
    assert make_provider(emu, tmp_path).read_tasks(container)[0].status is Status.TODO
    later = make_provider(emu, tmp_path, status_map={"QA": "in_progress", "To Do": "blocked"})
    assert later.read_tasks(container)[0].status is Status.IN_PROGRESS  # the department's own map still wins
    emu.add_card(container.ref, "To Do", "y")
    assert {t.title: t.status for t in later.read_tasks(container)}["y"] is Status.TODO


def test_annotate_inserts_above_the_marker(emu: TrelloEmulator, trello: TrelloProvider, tmp_path: Path) -> None:
    container, refs = stamp(trello, {"workspace": "acme"})
    fresh = make_provider(emu, tmp_path)  # knows nothing: one GET, one PUT
    emu.reset_log()
    fresh.annotate(refs["c"], ["Depends on: Contract (legal, jira) https://jira.example/browse/L-1"])
    fresh.annotate(refs["c"], ["Depends on: Contract (legal, jira) https://jira.example/browse/L-1"])
    assert (emu.count("GET"), emu.count("PUT")) == (1, 1)
    lines = emu.card(refs["c"])["desc"].splitlines()
    assert lines[-1] == f"collabsync:{INSTANCE}/c" and lines[-3].startswith("Depends on: Contract")
    task = {t.key: t for t in fresh.read_tasks(container)}["c"]
    assert task.depends_on == [] and task.extra["external_depends_on"] == ["https://jira.example/browse/L-1"]


@pytest.mark.parametrize(
    ("list_name", "closed", "due_complete", "label", "status_map", "expected"),
    [
        ("To Do", False, False, None, {}, Status.TODO),
        ("Doing", False, False, None, {}, Status.IN_PROGRESS),
        ("Blocked", False, False, None, {}, Status.BLOCKED),
        ("Done", False, False, None, {}, Status.DONE),
        ("To Do", False, True, None, {}, Status.DONE),  # dueComplete ticked
        ("Doing", True, False, None, {}, Status.CANCELLED),  # archived
        ("Done", True, False, None, {}, Status.DONE),  # archived in a done list stays done
        ("Doing", False, False, "blocked", {}, Status.BLOCKED),  # the blocked label
        ("Review", False, False, None, {}, Status.TODO),  # unknown names are todo
        ("Review", False, False, None, {"review": "in_progress"}, Status.IN_PROGRESS),  # configured, any case
        ("Done", False, False, None, {"Done": "in_progress"}, Status.IN_PROGRESS),  # config beats names
    ],
)
def test_status_mapping(
    emu: TrelloEmulator,
    tmp_path: Path,
    list_name: str,
    closed: bool,
    due_complete: bool,
    label: str | None,
    status_map: dict[str, str],
    expected: Status,
) -> None:
    provider = make_provider(emu, tmp_path)
    container = provider.ensure_container(
        INSTANCE,
        "Board",
        "",
        {"workspace": "acme", "status_map": status_map, "columns": ["To Do", "Doing", "Blocked", "Done", "Review"]},
    )
    card = emu.add_card(
        container.ref, list_name, "x", closed=closed, due_complete=due_complete, labels=[label] if label else []
    )
    (task,) = provider.read_tasks(container)
    assert (task.ref, task.status) == (card["id"], expected)


@pytest.mark.parametrize("status", list(Status))
def test_set_status_round_trips_in_columns_mode(emu: TrelloEmulator, trello: TrelloProvider, status: Status) -> None:
    container, refs = stamp(trello, {"workspace": "acme"})
    emu.label_card(refs["a"], "blocked")
    emu.move_card(refs["a"], "Done")
    trello.set_status(container, refs["a"], status)
    assert {t.key: t.status for t in trello.read_tasks(container)}["a"] is status
    if status is not Status.CANCELLED:
        expected = {"todo": "To Do", "in_progress": "Doing", "blocked": "Blocked", "done": "Done"}[status.value]
        assert emu.list_name(emu.card(refs["a"])["idList"]) == expected


@pytest.mark.parametrize("status", list(Status))
def test_set_status_round_trips_in_sections_mode(emu: TrelloEmulator, trello: TrelloProvider, status: Status) -> None:
    container, refs = stamp(trello, {"workspace": "acme", "mode": "sections"})
    before = emu.card(refs["b"])["idList"]
    trello.set_status(container, refs["b"], Status.BLOCKED)
    trello.set_status(container, refs["b"], status)
    assert {t.key: t.status for t in trello.read_tasks(container)}["b"] is status
    assert emu.card(refs["b"])["idList"] == before  # sections mode never moves cards between lists


def test_sections_mode_makes_sections_lists(emu: TrelloEmulator, trello: TrelloProvider) -> None:
    container, refs = stamp(trello, {"workspace": "acme", "mode": "sections"})
    assert [x["name"] for x in emu.state.lists.values() if x["idBoard"] == container.ref] == ["Kickoff", "Build"]
    assert emu.list_name(emu.card(refs["b"])["idList"]) == "Build"
    assert trello.ensure_sections(container, SECTIONS) == {
        "kickoff": emu.card(refs["a"])["idList"],
        "build": emu.card(refs["b"])["idList"],
    }
    tasks = {t.key: t for t in trello.read_tasks(container)}
    assert (tasks["a"].section, tasks["b"].labels) == ("Kickoff", ["vip"])
    emu.set_due_complete(refs["a"])
    emu.set_closed(refs["c"])
    assert {t.key: t.status for t in trello.read_tasks(container)} == {
        "a": Status.DONE,
        "b": Status.TODO,
        "c": Status.CANCELLED,
    }


def test_board_mode_marks_an_instance_by_label_and_separates_instances(
    emu: TrelloEmulator, trello: TrelloProvider
) -> None:
    shared = emu.add_board("Sales pipeline", ["Backlog", "Doing", "Done"], desc="Team board")
    emu.add_card(shared["id"], "Backlog", "Someone else's card")
    one, refs_one = stamp(trello, {"board": shared["shortLink"]}, "one")
    two, refs_two = stamp(trello, {"board": shared["id"]}, "two")
    assert one.ref == two.ref == shared["id"] and one.extra["label"] != two.extra["label"]
    board = emu.boards_named("Sales pipeline")[0]
    assert board["desc"].splitlines() == ["Team board", "collabsync:one", "collabsync:two"]
    assert emu.list_name(emu.card(refs_one["a"])["idList"]) == "Backlog"  # first todo list of the board
    assert {lb["name"] for lb in emu.card(refs_two["a"])["labels"]} == {"collabsync two", "Kickoff"}
    assert {t.key for t in trello.read_tasks(one)} == {"a", "b", "c"}
    assert set(trello.find_marked(two, "two")) == {"a", "b", "c"}
    again = trello.ensure_container("one", "ignored", "", {"board": shared["id"]})
    assert (again.extra["label"], again.created) == (one.extra["label"], False)
    assert {x["name"] for x in emu.state.lists.values() if x["idBoard"] == shared["id"]} >= {"Blocked", "To Do"}


def test_personal_board_when_no_destination(emu: TrelloEmulator, trello: TrelloProvider) -> None:
    container = trello.ensure_container(INSTANCE, "Mine", "", {})
    assert emu.state.boards[container.ref]["idOrganization"] is None
    assert trello.ensure_container(INSTANCE, "Mine", "", {}).ref == container.ref


def test_assignee_from_people_and_back(emu: TrelloEmulator, tmp_path: Path) -> None:
    ann = emu.add_member("ann")
    provider = make_provider(emu, tmp_path, people={"ann": {"trello": ann["id"]}})
    container = provider.ensure_container(INSTANCE, "B", "", {"workspace": "acme"})
    (created,) = provider.create_tasks(container, [new(spec("a", assignee="ann"))])
    assert emu.card(created.ref)["idMembers"] == [ann["id"]]
    assert provider.read_tasks(container)[0].assignee == "ann"


def test_dates_are_days_in_the_configured_timezone(emu: TrelloEmulator, tmp_path: Path) -> None:
    provider = make_provider(emu, tmp_path, timezone="America/Los_Angeles")
    container = provider.ensure_container(INSTANCE, "B", "", {"workspace": "acme"})
    (created,) = provider.create_tasks(container, [new(spec("a", due=dt.date(2026, 3, 8)))])
    assert emu.card(created.ref)["due"] == "2026-03-08T19:00:00.000Z"  # noon Pacific (DST starts that day)
    assert provider.read_tasks(container)[0].due == dt.date(2026, 3, 8)


def test_incremental_read_asks_actions_first(emu: TrelloEmulator, trello: TrelloProvider) -> None:
    container, refs = stamp(trello, {"workspace": "acme"})
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)
    emu.reset_log()
    assert trello.read_tasks(container, since=later) == []
    assert [r.path.rsplit("/", 1)[-1] for r in emu.requests] == ["actions"]  # nothing changed: one request
    emu.reset_log()
    emu.move_card(refs["b"], "Doing")
    changed = trello.read_tasks(container, since=dt.datetime.now(dt.UTC))
    assert {t.key: t.status for t in changed} == {"a": Status.TODO, "b": Status.IN_PROGRESS, "c": Status.TODO}
    assert emu.count() == 3  # actions + lists + cards; the 5-minute overlap keeps all three


def test_unknown_board_and_workspace_are_not_found(emu: TrelloEmulator, trello: TrelloProvider) -> None:
    with pytest.raises(NotFoundError, match=r"trello: board f{24}: The requested resource was not found"):
        trello.ensure_container(INSTANCE, "x", "", {"board": "f" * 24})
    with pytest.raises(NotFoundError, match="boards of nowhere"):
        trello.ensure_container(INSTANCE, "x", "", {"workspace": "nowhere"})


def test_bad_values_fail_per_card_and_the_rest_is_created(emu: TrelloEmulator, trello: TrelloProvider) -> None:
    container = trello.ensure_container(INSTANCE, "B", "", {"workspace": "acme"})
    bad = new(spec("bad"), section_ref="0" * 24)  # a label id that is not on the board
    outcomes = list(trello.create_tasks(container, [bad, new(spec("good"))]))
    assert outcomes[0].ref is None and outcomes[0].error == "invalid value for idLabels"
    assert outcomes[1].ref and outcomes[1].error is None


def test_expired_token_is_named(emu: TrelloEmulator, trello: TrelloProvider) -> None:
    emu.expire_token(trello.token)
    with pytest.raises(AuthError, match="token expired; create a new token") as err:
        trello.check()
    assert err.value.status == 401


def test_missing_status_list_is_a_clear_error(emu: TrelloEmulator, trello: TrelloProvider) -> None:
    container = trello.ensure_container(INSTANCE, "B", "", {"workspace": "acme", "columns": ["To Do", "Done"]})
    card = emu.add_card(container.ref, "To Do", "x")
    with pytest.raises(ProviderError, match="no list on board .* maps to in_progress"):
        trello.set_status(container, card["id"], Status.IN_PROGRESS)
    trello.set_status(container, card["id"], Status.BLOCKED)  # no Blocked list: the label does it
    assert trello.read_tasks(container)[0].status is Status.BLOCKED
