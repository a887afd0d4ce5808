"""The whole product across tools: product-launch with engineering on Jira, sales on Trello,
marketing on Asana and the rest on `local`; work moves in each tool; two reports; a tool goes down.

Every expected number below is worked out by hand from the shipped template (launch 2027-03-01).
"""

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
from collabsync.testing.stack import Stack, running_stack

VARS = ["--var", "product=Nova", "--var", "launch=2027-03-01"]


def cli(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == code, result.output
    return result.output


def report(out: Path, today: str, code: int = 0) -> dict[str, Any]:
    cli("report", "nova", "--format", "json,html", "--out", str(out), "--today", today, code=code)
    return json.loads((out / "nova.json").read_text())


def counts(data: dict[str, Any], dept: str) -> dict[str, Any]:
    group = next(g for g in data["departments"] if g["name"] == dept)
    return {k: group["counts"][k] for k in ("total", "todo", "in_progress", "blocked", "done", "cancelled", "overdue")}


@pytest.fixture
def stack(isolated_home: Path) -> Iterator[Stack]:
    with running_stack() as s:
        s.write_config(Path("collabsync.toml"))
        yield s


def refs(home: Path) -> dict[str, str]:
    with Ledger(home / "ledger.sqlite") as ledger:
        return {k: r.ref for k, r in ledger.objects("nova").items() if r.ref}


def test_product_launch_across_jira_trello_asana_and_local(stack: Stack, isolated_home: Path, tmp_path: Path) -> None:
    out = cli("stamp", "product-launch", "--name", "nova", *VARS, "--yes")
    assert "nova: created 45 tasks and 66 dependencies" in out
    ref = refs(isolated_home)
    # Each department's tasks are in its own tool.
    assert stack.jira.count("POST", "/issue/bulk") == 1
    assert stack.trello.count("POST", "/cards") >= 5
    assert stack.asana.count("POST", "/batch") >= 1

    # Work moves along, partly as people would in each tool, partly through collabsync.
    stack.asana.complete(ref["market-sizing"])  # marketing, Asana UI
    cli("update", "nova", "launch-brief", "--status", "in_progress")  # marketing, via collabsync
    stack.trello.move_card(ref["win-loss-review"], "Done")  # sales, Trello UI
    stack.trello.move_card(ref["beta-program"], "Doing")
    cli("update", "nova", "business-case", "--status", "done")  # finance, local
    stack.jira.set_status(ref["scope-freeze"], "In Progress")  # engineering, Jira UI
    stack.jira.set_status(ref["feature-complete"], "Blocked")
    cli("update", "nova", "headcount-plan", "--status", "blocked")  # hr, local

    first = report(tmp_path / "r1", "2026-12-16")
    # Due before 2026-12-16 and open: launch-brief (12-11, in progress), scope-freeze (12-15).
    assert counts(first, "marketing") == dict(
        total=16, todo=14, in_progress=1, blocked=0, done=1, cancelled=0, overdue=1
    )
    assert counts(first, "sales") == dict(total=5, todo=3, in_progress=1, blocked=0, done=1, cancelled=0, overdue=0)
    assert counts(first, "finance") == dict(total=6, todo=5, in_progress=0, blocked=0, done=1, cancelled=0, overdue=0)
    assert counts(first, "engineering") == dict(
        total=7, todo=5, in_progress=1, blocked=1, done=0, cancelled=0, overdue=1
    )
    assert counts(first, "hr") == dict(total=5, todo=4, in_progress=0, blocked=1, done=0, cancelled=0, overdue=0)
    assert counts(first, "it") == dict(total=4, todo=4, in_progress=0, blocked=0, done=0, cancelled=0, overdue=0)
    overall = first["overall"]["counts"]
    assert (overall["total"], overall["done"], overall["in_progress"], overall["blocked"], overall["overdue"]) == (
        45,
        3,
        3,
        2,
        2,
    )
    assert overall["percent_done"] == 6.7  # 3 / 45
    tools = {g["name"]: g["counts"]["total"] for g in first["providers"]}
    assert tools == {"jira": 7, "trello": 5, "asana": 16, "local": 17}  # marketing: 5 weekly syncs and a milestone
    by_key = {t["key"]: t for t in first["tasks"]}
    assert {t["key"] for t in first["overdue"]} == {"launch-brief", "scope-freeze"}
    assert {t["key"] for t in first["blocked"]} == {"feature-complete", "headcount-plan"}
    # Waiting across tools: scope-freeze (Jira) waits on launch-brief (Asana, in progress);
    # pricing (local) depends only on done work (business-case local, win-loss-review Trello).
    waiting = {t["key"]: t["waiting_on"] for t in first["waiting"]}
    assert by_key["launch-brief"]["id"] in waiting["scope-freeze"]
    assert "pricing" not in waiting
    assert by_key["beta-program"]["provider"] == "trello" and by_key["scope-freeze"]["provider"] == "jira"
    html = (tmp_path / "r1" / "nova.html").read_text()
    assert "engineering" in html and "Nova" in html

    # A week later: more work done, one task blocked, a due date slipped in the local tool.
    stack.asana.complete(ref["launch-brief"])
    stack.jira.set_status(ref["scope-freeze"], "Done")
    cli("update", "nova", "headcount-plan", "--status", "done")
    cli("update", "nova", "sku-setup", "--status", "blocked")
    with LocalProvider("local", {}, ProviderContext(home=isolated_home)) as local:
        local.update_task(ref["pricing"], due="2027-01-06")  # was 2026-12-30
    second = report(tmp_path / "r2", "2026-12-21")
    assert counts(second, "marketing")["done"] == 2 and counts(second, "engineering")["done"] == 1
    assert second["overall"]["counts"]["done"] == 6 and second["overall"]["counts"]["blocked"] == 2
    changes = second["changes"]  # history identifies stamped tasks by their template key
    assert {c["id"] for c in changes["completed"]} == {"launch-brief", "scope-freeze", "headcount-plan"}
    assert {c["id"] for c in changes["newly_blocked"]} == {"sku-setup"}
    assert [(c["id"], c["days"]) for c in changes["slipped"]] == [("pricing", 7)]
    assert changes["added"] == [] and changes["removed"] == []
    assert len(json.loads(cli("history", "nova", "--format", "json"))) == 2

    # Trello goes down: the report still comes out, sales is stale since the last good run, exit 3.
    stack.trello.stop()
    third = report(tmp_path / "r3", "2026-12-22", code=3)
    sales = next(g for g in third["departments"] if g["name"] == "sales")
    assert sales["stale"] is True and sales["stale_since"] == second["generated_at"]
    assert counts(third, "sales") == counts(second, "sales")
    assert third["stale_departments"] == ["sales"]
    assert "stale" in (tmp_path / "r3" / "nova.html").read_text()
    others = [g for g in third["departments"] if g["name"] != "sales"]
    assert all(not g["stale"] for g in others)
