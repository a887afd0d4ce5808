"""Day two on the emulators: product-launch across Jira, Trello, Asana and local is rescheduled by 15 business
days, upgraded to a template with two new tasks and one removed, diffed after hand edits, and archived."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from collabsync.cli import main
from collabsync.config import load_config
from collabsync.dates import Calendar
from collabsync.ledger import Ledger
from collabsync.model import Status, TaskChange
from collabsync.runtime import Workspace
from collabsync.templating.template import shipped_dir
from collabsync.testing.stack import Stack, running_stack

VARS = ["--var", "product=Nova", "--var", "launch=2027-03-01"]
NEW_LAUNCH = Calendar("US").add_business_days(dt.date(2027, 3, 1), 15)


def cli(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture
def stack(isolated_home: Path) -> Iterator[Stack]:
    with running_stack() as s:
        s.write_config(Path("collabsync.toml"))
        yield s


def workspace(home: Path) -> Workspace:
    return Workspace(load_config("collabsync.toml"), home)


def by_key(home: Path) -> dict[str, Any]:
    """Every stamped task as its tool holds it now, by template key."""
    from collabsync.stamping.tooltasks import read_stamped

    ws = workspace(home)
    try:
        return read_stamped(ws, "nova")[0]
    finally:
        ws.close()


def hand_edit(home: Path, key: str, due: dt.date | None = None, title: str | None = None) -> None:
    """A person changes a date or title in the tool (through the tool's API, not through collabsync's journal)."""
    ws = workspace(home)
    try:
        rec = ws.ledger.objects("nova")[key]
        placed = ws.ledger.container("nova", rec.department)
        assert placed is not None and rec.ref
        change = TaskChange(key, rec.ref, title=title, due=due)
        outcomes = list(ws.provider(rec.provider).update_tasks(placed[1], [change]))
        assert [o.error for o in outcomes] == [None]
    finally:
        ws.close()


def upgraded_template(tmp_path: Path) -> Path:
    """product-launch v2: two new tasks (Trello, Jira), `customer-outreach` removed, the `docs` title changed."""
    data = yaml.safe_load((shipped_dir() / "product-launch.yaml").read_text(encoding="utf-8"))
    data["version"] = "2"
    data["tasks"] = [t for t in data["tasks"] if t["key"] != "customer-outreach"]
    for t in data["tasks"]:
        if "depends_on" in t:
            t["depends_on"] = [d for d in t["depends_on"] if d != "customer-outreach"]
        if t["key"] == "docs":
            t["title"] = "Write and review the {{ product }} documentation"
    data["tasks"] += [
        {
            "key": "partner-briefing",
            "title": "Brief channel partners on {{ product }}",
            "department": "sales",
            "due": "launch - 5bd",
            "depends_on": ["sales-deck"],
        },
        {
            "key": "load-test",
            "title": "Load-test {{ product }} at launch traffic",
            "department": "engineering",
            "due": "launch - 8bd",
            "depends_on": ["feature-complete"],
        },
    ]
    path = tmp_path / "product-launch.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def planned(launch: dt.date) -> dict[str, Any]:
    """The shipped template's tasks for a launch day."""
    from collabsync.templating.template import find_template

    spec = find_template("product-launch").render("nova", {"product": "Nova", "launch": launch.isoformat()})
    return {t.key: t for t in spec.tasks}


DONE = {"market-sizing": "asana", "win-loss-review": "trello", "scope-freeze": "jira", "business-case": "local"}
EDITED = {
    "launch-brief": dt.date(2027, 1, 4),
    "beta-program": dt.date(2027, 2, 1),
    "feature-complete": dt.date(2027, 2, 3),
    "pricing": dt.date(2027, 1, 6),
}


def test_day_two_across_four_tools(stack: Stack, isolated_home: Path, tmp_path: Path) -> None:
    cli("stamp", "product-launch", "--name", "nova", *VARS, "--yes")
    ref = {k: r.ref for k, r in Ledger(isolated_home / "ledger.sqlite").objects("nova").items()}
    stack.asana.complete(ref["market-sizing"])
    stack.trello.move_card(ref["win-loss-review"], "Done")
    stack.jira.set_status(ref["scope-freeze"], "Done")
    cli("update", "nova", "business-case", "--status", "done")
    for key, due in EDITED.items():  # one date changed by hand in each tool
        hand_edit(isolated_home, key, due)
    before = by_key(isolated_home)

    # Reschedule by 15 business days: the plan lists what is kept, then the tools move.
    shown = cli("reschedule", "nova", "--var", f"launch={NEW_LAUNCH}", "--plan")
    for key in EDITED:
        assert f"keep  {key}: edited in the tool" in shown
    assert by_key(isolated_home) == before  # --plan wrote nothing
    writes = (
        stack.asana.count("POST", "/batch"),
        stack.trello.count("PUT", "/cards/"),
        stack.jira.count("PUT", "/issue/"),
    )
    out = cli("reschedule", "nova", "--var", f"launch={NEW_LAUNCH}", "--yes")
    assert "kept 4 closed and 4 hand-edited" in out
    moved = json.loads(cli("reschedule", "nova", "--var", "launch=2027-03-01", "--plan", "--format", "json"))["moves"]
    per_tool = {d: sum(1 for m in moved if m["department"] == d) for d in ("marketing", "sales", "engineering")}
    # as few requests as each tool allows: Asana 10 updates per /batch, Trello one PUT per card; Jira one PUT per
    # issue here, as no 3 engineering issues share their new dates (a bulk edit costs a POST and a poll)
    assert stack.jira.count("POST", "/bulk/issues/fields") == 0
    assert (
        stack.asana.count("POST", "/batch") - writes[0],
        stack.trello.count("PUT", "/cards/") - writes[1],
        stack.jira.count("PUT", "/issue/") - writes[2],
    ) == (-(-per_tool["marketing"] // 10), per_tool["sales"], per_tool["engineering"])
    after, target = by_key(isolated_home), planned(NEW_LAUNCH)
    for key, task in after.items():
        if key in DONE or key in EDITED:
            assert (task.start, task.due) == (before[key].start, before[key].due), key
        else:
            assert task.due == target[key].due, key
    assert after["release"].due == Calendar("US").add_business_days(before["release"].due, 15)
    assert "nothing to move" in cli("reschedule", "nova", "--var", f"launch={NEW_LAUNCH}", "--yes")
    assert Ledger(isolated_home / "ledger.sqlite").instance("nova").variables["launch"] == NEW_LAUNCH.isoformat()

    # Upgrade to v2: two tasks created, `docs` retitled in Jira, `customer-outreach` listed, then pruned.
    v2 = str(upgraded_template(tmp_path))
    new_vars = ["--var", "product=Nova", "--var", f"launch={NEW_LAUNCH}"]
    plan = json.loads(cli("stamp", v2, "--name", "nova", *new_vars, "--plan", "--format", "json"))
    assert plan["upgrade"]["new"] == ["partner-briefing", "load-test"]
    assert plan["upgrade"]["removed"] == ["customer-outreach"]
    assert [u["key"] for u in plan["upgrade"]["updates"]] == ["docs"], plan["upgrade"]["updates"]
    out = cli("stamp", v2, "--name", "nova", *new_vars, "--yes")
    assert "created 2 tasks, updated 1" in out
    now = by_key(isolated_home)
    assert now["docs"].title == "Write and review the Nova documentation"
    assert {"partner-briefing", "load-test"} <= set(now) and not now["customer-outreach"].status.closed
    cli("stamp", v2, "--name", "nova", *new_vars, "--prune", "--yes")
    assert by_key(isolated_home)["customer-outreach"].status is Status.CANCELLED
    assert "up to date" in cli("stamp", v2, "--name", "nova", *new_vars, "--yes")

    # Drift: people retitle one task in each tool; diff lists those and the dates kept from the reschedule.
    retitled = {
        "messaging": "Messaging (legal review)",
        "sales-enablement": "Enablement, round 2",
        "release": "Release 1.0",
        "sku-setup": "SKUs and price books",
    }
    for key, title in retitled.items():
        hand_edit(isolated_home, key, title=title)
    ws = workspace(isolated_home)
    rec = ws.ledger.objects("nova")["partner-briefing"]
    ws.provider("trello").set_status(ws.ledger.container("nova", "sales")[1], str(rec.ref), Status.CANCELLED)
    ws.close()  # a person archived the new card
    drift = json.loads(cli("diff", "nova", "--format", "json", code=4))
    seen = {(d["key"], d["what"]): (d["stamped"], d["now"]) for d in drift["in_tools"]}
    assert set(seen) == (
        {(k, "title") for k in retitled} | {(k, "due") for k in EDITED} | {("partner-briefing", "task")}
    )  # nothing else: a reschedule or upgrade is not drift
    for key, title in retitled.items():
        assert seen[(key, "title")][1] == title
    for key, due in EDITED.items():
        assert seen[(key, "due")][1] == due.isoformat()
    assert seen[("partner-briefing", "task")] == ("open", "cancelled or archived")
    assert ("customer-outreach", "task") not in seen  # pruned by the upgrade: not drift
    assert {d["provider"] for d in drift["in_tools"]} == {"asana", "trello", "jira", "local"}
    assert drift["from_template"] == [] and drift["template"]["version"] == "2"

    # Close out: a final snapshot, then each tool closes the instance its own way.
    assert "trello" in cli("archive", "nova", "--plan")
    out = cli("archive", "nova", "--yes", "--today", "2027-05-01")
    assert "archived" in out and (isolated_home / "archived" / "nova.md").is_file()
    ledger = Ledger(isolated_home / "ledger.sqlite")
    assert ledger.instance("nova").state == "archived"
    placed = {d: c for d, _, c in ledger.containers("nova")}
    assert stack.asana.store.projects[placed["marketing"].ref]["archived"] is True
    assert stack.trello.state.boards[placed["sales"].ref]["closed"] is True
    assert stack.jira.issue(placed["engineering"].ref).status_id == "10003"  # Done
    ws = workspace(isolated_home)
    try:
        local = ws.provider("local")
        assert all(local.is_archived(placed[d]) for d in ("finance", "it", "hr", "support"))  # type: ignore[attr-defined]
    finally:
        ws.close()
    assert "archived" in out
    assert len(json.loads(cli("history", "nova", "--format", "json"))["snapshots"]) == 1
    cli("report", "nova", "--format", "json", "--out", str(tmp_path / "after"), "--today", "2027-05-02")
    final = json.loads((tmp_path / "after" / "nova.json").read_text())
    assert final["overall"]["counts"]["total"] == 47  # 45 stamped + 2 new; the pruned one counts as cancelled
    assert "archived" in cli("reschedule", "nova", "--var", f"launch={NEW_LAUNCH}", "--yes", code=1)
    assert "archived" in cli("stamp", v2, "--name", "nova", *VARS, "--yes", code=1)
