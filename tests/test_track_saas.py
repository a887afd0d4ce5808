"""Tracking existing Jira projects and queries, Trello boards and Asana projects (issue #8).

Each source is seeded in its emulator as a person would have made it (no markers); expected
numbers are worked out from the seeded attributes, never copied from a run.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from collabsync.cli import main
from collabsync.config import load_config
from collabsync.errors import ConfigError, NotFoundError, ProviderError
from collabsync.report.render.jsonout import validate_report
from collabsync.runtime import Workspace
from collabsync.testing.stack import Stack, running_stack

TODAY = dt.date.today()
JIRA_STATUS = {"To Do": "todo", "In Progress": "in_progress", "Done": "done", "Blocked": "blocked"}
LISTS = ("To Do", "Doing", "Blocked", "Done")
LIST_STATUS = {"To Do": "todo", "Doing": "in_progress", "Blocked": "blocked", "Done": "done"}
ASANA_SECTIONS = ("To Do", "In Progress", "Blocked", "Done")


def cli(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == code, result.output
    return result.stdout  # a stale tool adds a warning on stderr


def status(instance: str) -> dict[str, Any]:
    return json.loads(cli("status", instance, "--format", "json", "--fresh", "--today", TODAY.isoformat()))


def tally(rows: list[dict[str, Any]]) -> dict[str, int]:
    """Expected counts of seeded rows (each with status and due) in the shape `status` prints."""
    got = Counter(r["status"] for r in rows)
    overdue = sum(1 for r in rows if r["due"] and r["due"] < TODAY and r["status"] not in ("done", "cancelled"))
    return {"total": len(rows), **{s: got[s] for s in ("todo", "in_progress", "blocked", "done")}, "overdue": overdue}


def counts(group: dict[str, Any]) -> dict[str, int]:
    return {k: group[k] for k in ("total", "todo", "in_progress", "blocked", "done", "overdue")}


@pytest.fixture
def stack(isolated_home: Path) -> Iterator[Stack]:
    with running_stack() as s:
        s.write_config(Path("collabsync.toml"))
        yield s


def seed_jira(stack: Stack, n: int, project: str = "ENG") -> list[dict[str, Any]]:
    """n issues: statuses in turn, labels web/api, components Frontend/Backend/none, dues around today."""
    rows = []
    for i in range(n):
        name = list(JIRA_STATUS)[i % 4]
        due = TODAY + dt.timedelta(days=i % 9 - 4) if i % 5 else None
        label = "web" if i % 2 else "api"
        component = ("Frontend", "Backend", None)[i % 3]
        key = stack.jira.add_issue(
            project, f"Issue {i}", status=name, labels=[label], due=due, components=[component] if component else []
        )
        rows.append({"key": key, "status": JIRA_STATUS[name], "due": due, "label": label, "component": component})
    return rows


def seed_trello(stack: Stack, n: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    board = stack.trello.add_board("Sales pipeline", LISTS)
    rows = []
    for i in range(n):
        list_name = LISTS[i % 4]
        due = TODAY + dt.timedelta(days=i % 7 - 3) if i % 3 else None
        label = ("Sales", "Marketing", "Ops")[i % 3]
        card = stack.trello.add_card(
            board["id"], list_name, f"Card {i}", due=due and f"{due.isoformat()}T12:00:00.000Z", labels=[label]
        )
        rows.append(
            {
                "id": card["id"],
                "short": card["shortLink"],
                "url": card["url"],
                "status": LIST_STATUS[list_name],
                "due": due,
                "label": label,
                "list": list_name,
            }
        )
    return board, rows


def seed_asana(stack: Stack, n: int) -> tuple[str, list[dict[str, Any]]]:
    project = stack.asana.add_project("Campaigns", sections=ASANA_SECTIONS)
    rows = []
    for i in range(n):
        section = ASANA_SECTIONS[i % 4]
        due = TODAY + dt.timedelta(days=i % 11 - 5) if i % 4 != 1 else None
        tag = ("brand", "events")[i % 2]
        gid = stack.asana.add_task(
            project, f"Task {i}", section=section, completed=section == "Done", due_on=due, tags=[tag]
        )
        state = {"To Do": "todo", "In Progress": "in_progress", "Blocked": "blocked", "Done": "done"}[section]
        rows.append({"gid": gid, "status": state, "due": due, "tag": tag, "section": section})
    return project, rows


# -- Jira ------------------------------------------------------------------------------------------
def test_jira_project_key_reads_every_issue_in_one_id_search_and_three_bulkfetches(stack: Stack) -> None:
    rows = seed_jira(stack, 250)
    out = cli("track", "eng", "ENG", "--department", "engineering")
    assert "eng: tracking Engineering (jira)" in out
    stack.jira.reset_log()
    data = status("eng")
    assert data["template"] is None
    assert counts(data["departments"]["engineering"]) == tally(rows)
    assert stack.jira.count("GET", "/search/jql") == 1 and stack.jira.count("POST", "/issue/bulkfetch") == 3
    assert stack.jira.count() == 4
    search = stack.jira.requests[0].query
    assert "fields=id&" in search  # ids only; the lean fields (no description, components) go in the bulkfetch body


def test_jira_query_with_section_mapping_by_component(stack: Stack) -> None:
    rows = seed_jira(stack, 30)
    cli(
        "track",
        "web",
        "project = ENG AND labels = web",
        "--provider",
        "jira",
        "--department",
        "engineering",
        "--map-by",
        "section",
        "--map",
        "Frontend=design",
        "--map",
        "Backend=platform",
    )
    web = [r for r in rows if r["label"] == "web"]
    data = status("web")
    by_component = {c: [r for r in web if r["component"] == c] for c in ("Frontend", "Backend", None)}
    assert counts(data["departments"]["design"]) == tally(by_component["Frontend"])
    assert counts(data["departments"]["platform"]) == tally(by_component["Backend"])
    assert counts(data["departments"]["engineering"]) == tally(by_component[None])
    tasks = json.loads(cli("tasks", "web", "--format", "json", "--fresh"))
    assert sorted(t["title"] for t in tasks) == sorted(f"Issue {int(r['key'].split('-')[1]) - 1}" for r in web)
    assert all(t["provider"] == "jira" and t["url"].endswith(tuple(r["key"] for r in web)) for t in tasks)


def test_jira_label_mapping_browse_url_and_untrack(stack: Stack) -> None:
    rows = seed_jira(stack, 12)
    url = f"{stack.jira.root_url}/browse/ENG"
    cli("track", "lbl", url, "--provider", "jira", "--map-by", "label", "--map", "api=backend", "--map", "web=frontend")
    data = status("lbl")
    assert counts(data["departments"]["backend"]) == tally([r for r in rows if r["label"] == "api"])
    assert counts(data["departments"]["frontend"]) == tally([r for r in rows if r["label"] == "web"])
    cli("untrack", "lbl", url)
    assert status("lbl")["overall"]["total"] == 0


def test_jira_sources_are_checked_when_tracked(stack: Stack) -> None:
    with Workspace(load_config()) as ws:
        jira = ws.provider("jira")
        with pytest.raises(NotFoundError):
            jira.resolve_source("NOPE")
        with pytest.raises(ConfigError, match="not on this provider's site"):
            jira.resolve_source("https://elsewhere.atlassian.net/browse/ENG")
        with pytest.raises(ProviderError, match="'NOPE' does not exist for the field 'project'") as err:
            jira.resolve_source("project = NOPE")
        assert err.value.status == 400


# -- Trello ----------------------------------------------------------------------------------------
def test_trello_board_url_with_label_and_list_mapping(stack: Stack) -> None:
    board, rows = seed_trello(stack, 24)
    url = f"https://trello.com/b/{board['shortLink']}/sales-pipeline"
    cli(
        "track",
        "deals",
        url,
        "--provider",
        "trello",
        "--department",
        "ops",
        "--map-by",
        "label",
        "--map",
        "Sales=sales",
        "--map",
        "Marketing=marketing",
    )
    data = status("deals")
    for label, dept in (("Sales", "sales"), ("Marketing", "marketing"), ("Ops", "ops")):
        assert counts(data["departments"][dept]) == tally([r for r in rows if r["label"] == label])
    cli(
        "track",
        "lists",
        board["shortLink"],
        "--provider",
        "trello",
        "--department",
        "ops",
        "--map-by",
        "section",
        "--map",
        "Doing=sales",
        "--map",
        "Blocked=support",
    )
    data = status("lists")
    assert counts(data["departments"]["sales"]) == tally([r for r in rows if r["list"] == "Doing"])
    assert counts(data["departments"]["support"]) == tally([r for r in rows if r["list"] == "Blocked"])
    assert data["departments"]["ops"]["total"] == sum(1 for r in rows if r["list"] in ("To Do", "Done"))


def test_trello_1500_cards_take_two_requests(stack: Stack) -> None:
    (board,) = stack.trello.seed_bulk(1, 1500, seed=3)
    cli("track", "bulk", board["id"], "--department", "sales")
    stack.trello.reset_log()
    data = status("bulk")
    assert data["departments"]["sales"]["total"] == 1500
    assert [r.endpoint for r in stack.trello.requests] == ["get_batch", "get_board_cards"]
    assert "before=" in stack.trello.requests[1].query


def test_trello_bad_sources(stack: Stack) -> None:
    with Workspace(load_config()) as ws:
        trello = ws.provider("trello")
        with pytest.raises(ConfigError, match="not a Trello board"):
            trello.resolve_source("https://example.com/b/x")
        with pytest.raises(NotFoundError):
            trello.resolve_source("f" * 24)


# -- Asana -----------------------------------------------------------------------------------------
def test_asana_project_url_by_tag_and_section_in_three_pages(stack: Stack) -> None:
    project, rows = seed_asana(stack, 250)
    url = f"https://app.asana.com/0/{project}/list"
    cli(
        "track",
        "camp",
        url,
        "--provider",
        "asana",
        "--department",
        "marketing",
        "--map-by",
        "label",
        "--map",
        "events=events",
    )
    stack.asana.reset_log()
    data = status("camp")
    assert counts(data["departments"]["events"]) == tally([r for r in rows if r["tag"] == "events"])
    assert counts(data["departments"]["marketing"]) == tally([r for r in rows if r["tag"] == "brand"])
    assert stack.asana.count("GET", f"/projects/{project}/tasks") == 3 and stack.asana.count() == 3
    assert "notes" not in stack.asana.requests[0].query
    cli(
        "track",
        "sect",
        project,
        "--provider",
        "asana",
        "--department",
        "marketing",
        "--map-by",
        "section",
        "--map",
        "Blocked=legal",
    )
    data = status("sect")
    assert counts(data["departments"]["legal"]) == tally([r for r in rows if r["section"] == "Blocked"])
    assert data["departments"]["marketing"]["total"] == sum(1 for r in rows if r["section"] != "Blocked")


def test_asana_bad_source(stack: Stack) -> None:
    with Workspace(load_config()) as ws:
        with pytest.raises(ConfigError, match="not an Asana project"):
            ws.provider("asana").resolve_source("https://app.asana.com/0/home")
        with pytest.raises(NotFoundError):
            ws.provider("asana").resolve_source("999999")


# -- together --------------------------------------------------------------------------------------
def test_tracked_and_stamped_sources_mix_in_one_instance(stack: Stack) -> None:
    stack.jira.add_project("PRD", "Product")  # not ENG, where the stamped engineering work goes
    jira_rows = seed_jira(stack, 9, "PRD")
    project, asana_rows = seed_asana(stack, 8)
    cli(
        "stamp",
        "customer-onboarding",
        "--name",
        "acme",
        "--var",
        "customer=Acme",
        "--var",
        "kickoff=2027-01-11",
        "--yes",
    )
    stamped = status("acme")
    # Departments the template does not have (it now plans engineering and marketing work itself).
    cli("track", "acme", "PRD", "--provider", "jira", "--department", "product")
    cli("track", "acme", project, "--provider", "asana", "--department", "brand")
    data = status("acme")
    assert data["template"] == "customer-onboarding"
    assert counts(data["departments"]["product"]) == tally(jira_rows)
    assert counts(data["departments"]["brand"]) == tally(asana_rows)
    assert data["overall"]["total"] == stamped["overall"]["total"] + len(jira_rows) + len(asana_rows)
    for dept, group in stamped["departments"].items():
        assert counts(data["departments"][dept]) == counts(group)


def test_dependencies_in_the_tools_drive_waiting_and_the_critical_path(stack: Stack, tmp_path: Path) -> None:
    jira = [stack.jira.add_issue("ENG", f"Step {i}") for i in range(3)]
    stack.jira.link_issues(jira[0], jira[1])  # step 0 blocks step 1
    stack.jira.link_issues(jira[1], jira[2])
    project = stack.asana.add_project("Launch", sections=ASANA_SECTIONS)
    first = stack.asana.add_task(project, "Brief")
    second = stack.asana.add_task(project, "Campaign")
    stack.asana.add_dependency(second, first)
    board = stack.trello.add_board("Deals", LISTS)
    a = stack.trello.add_card(board["id"], "To Do", "Pricing")
    b = stack.trello.add_card(board["id"], "To Do", "Quote", desc=f"Depends on: Pricing ({a['shortUrl']})")
    c = stack.trello.add_card(board["id"], "Doing", "Contract")
    stack.trello.state.cards[c["id"]]["attachments"].append({"id": "a" * 24, "name": "needs quote", "url": b["url"]})
    cli("track", "dep", "ENG", "--department", "engineering")
    cli("track", "dep", project, "--department", "marketing")
    cli("track", "dep", board["url"], "--department", "sales")
    out = tmp_path / "out"
    cli("report", "dep", "--format", "json", "--out", str(out), "--today", TODAY.isoformat())
    report = json.loads((out / "dep.json").read_text())
    validate_report(report)
    ids = {t["title"]: t["id"] for t in report["tasks"]}
    waiting = {t["title"]: t["waiting_on"] for t in report["waiting"]}
    assert waiting == {
        "Step 1": [ids["Step 0"]],
        "Step 2": [ids["Step 1"]],
        "Campaign": [ids["Brief"]],
        "Quote": [ids["Pricing"]],
        "Contract": [ids["Quote"]],
    }
    path = [step["task"]["title"] for step in report["critical_path"]]
    assert path == ["Step 0", "Step 1", "Step 2"] or path == ["Pricing", "Quote", "Contract"]
    assert report["critical_path_days"] == 3
    assert all(t["key"] is None for t in report["tasks"]) and not report["warnings"]


def test_jira_issue_url_tracks_the_issue_and_its_children(stack: Stack) -> None:
    epic = stack.jira.add_issue("ENG", "Checkout revamp", issue_type="Epic")
    children = [
        stack.jira.add_issue("ENG", f"Part {i}", parent=epic, status="Done" if i == 0 else "To Do") for i in range(3)
    ]
    stack.jira.add_issue("ENG", "Unrelated")
    cli("track", "epic", f"{stack.jira.root_url}/browse/{epic}", "--provider", "jira", "--department", "engineering")
    rows = json.loads(cli("tasks", "epic", "--format", "json", "--fresh"))
    assert sorted(r["url"].rsplit("/", 1)[1] for r in rows) == sorted([epic, *children])
    assert counts(status("epic")["departments"]["engineering"]) == {
        "total": 4,
        "todo": 3,
        "in_progress": 0,
        "blocked": 0,
        "done": 1,
        "overdue": 0,
    }


def test_a_tracked_board_that_disappears_is_reported_stale(stack: Stack) -> None:
    board, _rows = seed_trello(stack, 4)
    seed_jira(stack, 3)
    cli("track", "gone", board["id"], "--provider", "trello", "--department", "sales")
    cli("track", "gone", "ENG", "--department", "engineering")
    with stack.trello.lock:
        del stack.trello.state.boards[board["id"]]
    out = cli("status", "gone", "--format", "json", "--fresh", code=3)
    data = json.loads(out)
    assert (
        data["departments"]["sales"]["stale"] == f"trello: board {board['id']}: The requested resource was not found."
    )
    assert data["departments"]["engineering"]["total"] == 3 and "stale" not in data["departments"]["engineering"]
