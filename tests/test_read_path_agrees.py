"""`status` and `tasks` through the lean read path agree with the tools' own rows, counted here by hand (issue 17).

A generated plan on two local tools (two departments sharing one container, one on its own, dependencies within
and across tools), every status set in the tools' files, and a tracked board mapped by label: the summary and the
task list are recomputed straight from the SQLite files and the plan, never through collabsync's read.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import click
from click.testing import CliRunner

from collabsync.cli import main
from collabsync.config import home_dir, load_config
from collabsync.ledger_plan import PlanOutline, outline_from_json, outline_to_json
from collabsync.ledger_rows import spec_from_json
from collabsync.model import NewTask, TaskSpec
from collabsync.runtime import Workspace

TODAY = "2027-02-15"
DEPARTMENTS = ("sales", "eng", "ops")
STATUSES = ("todo", "in_progress", "blocked", "done", "cancelled")
N = 210


def run(*args: str) -> click.testing.Result:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def template() -> str:
    """N tasks over three departments in turn, dated around TODAY, each depending on the one before it."""
    lines = [
        "template: agree",
        "title: Agree",
        "variables:",
        "  launch: {type: date, description: Launch day}",
        f"departments: [{', '.join(DEPARTMENTS)}]",
        "sections:",
        "  - {key: one, title: One}",
        "  - {key: two, title: Two}",
        "tasks:",
    ]
    for i in range(N):
        lines += [
            f"  - key: k{i}",
            f"    title: Task {i}",
            f"    department: {DEPARTMENTS[i % 3]}",
            f"    section: {'one' if i < N // 2 else 'two'}",
            f"    due: launch {'-' if i * 120 < 60 * N else '+'} {abs(60 - i * 120 // N)}d",
        ]
        if i:
            lines.append(f"    depends_on: [k{i - 1}]")  # ops (beta) waits on eng (alpha): a link across tools
    return "\n".join(lines) + "\n"


def setup(home: Path) -> None:
    Path("collabsync.toml").write_text(
        '[defaults]\nprovider = "alpha"\n\n'
        f'[providers.alpha]\ntype = "local"\npath = "{home / "alpha.sqlite"}"\n\n'
        f'[providers.beta]\ntype = "local"\npath = "{home / "beta.sqlite"}"\n\n'
        '[departments.ops]\nprovider = "beta"\nspace = "ops"\n'
    )
    Path("agree.yaml").write_text(template())
    with Workspace(load_config(None), home_dir()) as ws:  # beta's ids from 1001: no ref is in both tools
        beta = ws.provider("beta")
        other = beta.create_container("Elsewhere")  # type: ignore[attr-defined]
        (made,) = beta.create_tasks(other, [NewTask(TaskSpec("", "Not ours", ""), "")])
        beta.db.execute("UPDATE tasks SET id = 1000 WHERE id = ?", (int(made.ref or 0),))  # type: ignore[attr-defined]
    run("stamp", "agree.yaml", "--name", "nova", "--var", "launch=2027-03-01", "--yes")
    for name in ("alpha", "beta"):  # every status, in the tools' own files
        with sqlite3.connect(home / f"{name}.sqlite") as db:
            db.execute(
                "UPDATE tasks SET status = CASE id % 5 WHEN 0 THEN 'todo' WHEN 1 THEN 'in_progress'"
                " WHEN 2 THEN 'blocked' WHEN 3 THEN 'done' ELSE 'cancelled' END"
            )
    with Workspace(load_config(None), home_dir()) as ws:  # a board kept by hand, tracked by label
        alpha = ws.provider("alpha")
        board = alpha.create_container("Support board")  # type: ignore[attr-defined]
        hand = [NewTask(TaskSpec("", f"Ticket {i}", "", labels=(("sup", "other")[i % 2],)), "") for i in range(12)]
        assert all(c.ref for c in alpha.create_tasks(board, hand))
    run("track", "nova", "Support board", "--provider", "alpha", "--map-by", "label", "--map", "sup=support")


def tool_rows(home: Path) -> list[dict[str, Any]]:
    """Every task of both tools as stored, with its tool, key (from the marker line) and dependencies."""
    out = []
    for name in ("alpha", "beta"):
        with sqlite3.connect(home / f"{name}.sqlite") as db:
            db.row_factory = sqlite3.Row
            deps: dict[int, list[int]] = {}
            for row in db.execute("SELECT task_id, depends_on_id FROM dependencies ORDER BY task_id, depends_on_id"):
                deps.setdefault(row[0], []).append(row[1])
            for row in db.execute("SELECT * FROM tasks WHERE title != 'Not ours' ORDER BY id"):
                last = row["description"].strip().splitlines()[-1] if row["description"].strip() else ""
                key = last.split("/", 1)[1] if last.startswith("collabsync:nova/") else None
                out.append({**dict(row), "tool": name, "key": key, "deps": deps.get(row["id"], [])})
    return out


def test_status_and_tasks_agree_with_the_tools_rows(isolated_home: Path) -> None:
    setup(isolated_home)
    rows = tool_rows(isolated_home)
    plan_dept = {f"k{i}": DEPARTMENTS[i % 3] for i in range(N)}

    def department(row: dict[str, Any]) -> str:
        if row["key"]:
            return plan_dept[row["key"]]
        return "support" if json.loads(row["labels"]) == ["sup"] else "unmapped"

    expected: dict[str, dict[str, Any]] = {}
    for row in rows:
        counts = expected.setdefault(department(row), {k: 0 for k in ("total", *STATUSES, "overdue")})
        counts["total"] += 1
        counts[row["status"]] += 1
        if row["due"] and row["due"] < TODAY and row["status"] not in ("done", "cancelled"):
            counts["overdue"] += 1
    for counts in expected.values():
        live = counts["total"] - counts["cancelled"]
        counts["percent_done"] = round(counts["done"] * 100.0 / live, 1) if live else 0.0
    status = json.loads(run("status", "nova", "--format", "json", "--today", TODAY).stdout)
    # the plan's departments, then the ledger's (the board's fallback), then those only its tasks name
    assert list(status["departments"]) == [*DEPARTMENTS, "unmapped", "support"]
    assert {n: {k: v for k, v in c.items() if k != "provider"} for n, c in status["departments"].items()} == expected
    assert {n: c["provider"] for n, c in status["departments"].items()} == {
        "sales": "alpha",
        "eng": "alpha",
        "ops": "beta",
        "support": "alpha",
        "unmapped": "alpha",
    }
    overall = {k: sum(c[k] for c in expected.values()) for k in ("total", *STATUSES, "overdue")}
    assert {k: v for k, v in status["overall"].items() if k != "percent_done"} == overall
    assert all(expected[d]["overdue"] and expected[d]["cancelled"] for d in DEPARTMENTS)  # the data covers them

    # tasks --format json: plan order first, then the tracked board by ref; tool links as keys, cross links added
    key_of = {(row["tool"], row["id"]): row["key"] for row in rows}
    listed = json.loads(run("tasks", "nova", "--format", "json").stdout)
    planned = sorted((r for r in rows if r["key"]), key=lambda r: int(r["key"][1:]))
    by_hand = sorted((r for r in rows if not r["key"]), key=lambda r: str(r["id"]))
    wanted, across = [], 0
    for row in planned + by_hand:
        deps = [key_of[(row["tool"], d)] or str(d) for d in row["deps"]]
        i = int(row["key"][1:]) if row["key"] else 0
        if i and f"k{i - 1}" not in deps:  # a link across the tools lives in the ledger, not in a tool
            assert {plan_dept[f"k{i}"], plan_dept[f"k{i - 1}"]} & {"ops"}
            deps.append(f"k{i - 1}")
            across += 1
        wanted.append(
            {
                "key": row["key"] or str(row["id"]),
                "title": row["title"],
                "department": department(row),
                "provider": row["tool"],
                "status": row["status"],
                "start": row["start"],
                "due": row["due"],
                "assignee": row["assignee"],
                "url": f"collabsync-local://{row['tool']}/tasks/{row['id']}",
                "depends_on": deps,
            }
        )
    assert listed == wanted
    assert across == 2 * N // 3 - 1  # every link into or out of ops crosses the tools (k0 waits on none)


def outline_row(home: Path) -> str | None:
    with sqlite3.connect(home / "ledger.sqlite") as db:
        row = db.execute("SELECT outline FROM plan_outlines WHERE instance = 'nova'").fetchone()
    return row[0] if row else None


def test_a_ledger_from_before_outlines_reads_the_same_and_gains_one(isolated_home: Path) -> None:
    setup(isolated_home)
    status = run("status", "nova", "--format", "json", "--today", TODAY).stdout
    tasks = run("tasks", "nova", "--format", "json").stdout
    stored = outline_row(isolated_home)
    assert stored is not None
    with sqlite3.connect(isolated_home / "ledger.sqlite") as db:  # the file as an older collabsync left it
        for trigger in ("plan_outline_new", "plan_outline_changed", "plan_outline_gone"):
            db.execute(f"DROP TRIGGER {trigger}")
        db.execute("DROP TABLE plan_outlines")
    assert run("tasks", "nova", "--format", "json").stdout == tasks
    assert outline_row(isolated_home) == stored  # the plan was parsed once and its outline kept
    again = run("status", "nova", "--format", "json", "--today", TODAY).stdout
    assert json.loads(again) | {"generated_at": ""} == json.loads(status) | {"generated_at": ""}


def test_a_plan_rewritten_by_an_older_version_drops_its_outline(isolated_home: Path) -> None:
    setup(isolated_home)
    assert outline_row(isolated_home) is not None
    with sqlite3.connect(isolated_home / "ledger.sqlite") as db:  # an older collabsync re-stamps: the plan only
        spec = json.loads(db.execute("SELECT spec FROM instances WHERE name = 'nova'").fetchone()[0])
        spec["departments"] = ["ops", "eng", "sales"]
        for task in spec["tasks"]:
            task["department"] = "eng" if task["department"] == "sales" else task["department"]
        db.execute("UPDATE instances SET spec = ? WHERE name = 'nova'", (json.dumps(spec),))
    assert outline_row(isolated_home) is None
    status = json.loads(run("status", "nova", "--format", "json", "--today", TODAY).stdout)
    assert list(status["departments"])[:3] == ["ops", "eng", "sales"]
    assert status["departments"]["sales"]["total"] == 0 and status["departments"]["eng"]["total"] == 2 * N // 3
    assert outline_from_json(outline_row(isolated_home) or "") == PlanOutline.of_spec(spec_from_json(json.dumps(spec)))


def test_an_outline_reads_back_as_its_plan_gives_it() -> None:
    spec = spec_from_json(
        json.dumps(
            {
                "instance": "i",
                "template": "t",
                "title": "T",
                "description": "",
                "departments": ["a", "b"],
                "sections": [],
                "variables": {},
                "tasks": [
                    {"key": k, "title": k, "department": d, "start": None, "due": None, "depends_on": [], "labels": []}
                    for k, d in (("x", "b"), ("y", "a"), ("z", "b"))
                ],
            }
        )
    )
    outline = outline_from_json(outline_to_json(spec))
    assert outline == PlanOutline.of_spec(spec)
    assert outline is not None and outline.position == {"x": 0, "y": 1, "z": 2} and outline.department("y") == "a"
    assert outline.department("w") is None and outline.department(None) is None
    assert outline_from_json('{"version": 2}') is None and outline_from_json("not json") is None
