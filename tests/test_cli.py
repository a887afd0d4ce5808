"""The CLI: help text with examples on every command, outputs, exit codes, no tracebacks."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from collabsync.cli import main

VARS = ["--var", "product=Nova", "--var", "launch=2027-03-01"]


def run(*args: str, input: str | None = None) -> click.testing.Result:
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):  # the root group loads its commands lazily (commands/lazy.py)
        cmd = group.get_command(ctx, name)
        assert cmd is not None
        out.append((*prefix, name))
        if isinstance(cmd, click.Group):
            out += all_commands(cmd, (*prefix, name))
    return out


@pytest.mark.parametrize("path", all_commands(main), ids=lambda p: " ".join(p))
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    result = run(*path, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.output and "collabsync" in result.output.split("Example:")[1]


def test_stamp_status_update_tasks_end_to_end(isolated_home: Path) -> None:
    plan = run("stamp", "product-launch", "--name", "nova", *VARS, "--plan")
    assert plan.exit_code == 0 and "37 objects" not in plan.output and "objects to write" in plan.output
    assert not (isolated_home / "local.sqlite").exists()
    stamped = run("stamp", "product-launch", "--name", "nova", *VARS, "--yes")
    assert stamped.exit_code == 0, stamped.output
    assert "nova: created 45 tasks and 66 dependencies" in stamped.output
    again = run("stamp", "product-launch", "--name", "nova", *VARS, "--yes")
    assert "nova: up to date, nothing to create" in again.output
    assert (
        run("update", "nova", "pricing", "--status", "done", "--force")
        .output.strip()
        .endswith("nova/pricing: done (local)")
    )
    run("update", "nova", "market-sizing", "--status", "blocked")
    status = json.loads(run("status", "nova", "--format", "json", "--today", "2027-01-01").output)
    assert set(status) == {"instance", "template", "generated_at", "overall", "departments"}
    assert status["instance"] == "nova" and status["template"] == "product-launch"
    finance, marketing = status["departments"]["finance"], status["departments"]["marketing"]
    assert finance["provider"] == "local" and finance["total"] == 6 and finance["done"] == 1
    assert finance["percent_done"] == round(100 / 6, 1)
    assert marketing["blocked"] == 1
    overall = status["overall"]
    assert overall["total"] == 45 and overall["done"] == 1 and overall["blocked"] == 1
    assert set(overall) == {"total", "todo", "in_progress", "blocked", "done", "cancelled", "overdue", "percent_done"}
    rows = json.loads(run("tasks", "nova", "--department", "finance", "--format", "json").output)
    assert len(rows) == 6 and rows[0]["department"] == "finance"
    assert set(rows[0]) == {
        "key",
        "title",
        "department",
        "provider",
        "status",
        "start",
        "due",
        "assignee",
        "url",
        "depends_on",
    }
    pricing = next(r for r in rows if r["key"] == "pricing")
    assert pricing["status"] == "done" and "business-case" in pricing["depends_on"]
    # Overdue: open tasks due before 'today'; pricing is done so it never counts.
    late = json.loads(run("tasks", "--overdue", "--today", "2027-01-01", "--format", "json").output)
    assert late and all(r["due"] < "2027-01-01" and r["status"] not in ("done", "cancelled") for r in late)
    status_then = json.loads(run("status", "--format", "json", "--today", "2027-01-01").output)
    assert status_then["overall"]["overdue"] == len(late)
    csv_out = run("tasks", "--status", "blocked", "--format", "csv").output.splitlines()
    assert csv_out[0].startswith("key,title,department") and csv_out[1].startswith("market-sizing,")
    table = run("status").output
    assert "marketing" in table and "overall" in table
    md = run("status", "--format", "markdown").output
    assert md.startswith("## nova (product-launch)") and "| finance | local | 6 |" in md
    assert "nova" in run("instances").output


def test_broken_template_lists_every_error_and_writes_nothing(isolated_home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        textwrap.dedent("""\
        template: bad
        title: "{{ nope }}"
        departments: [sales]
        tasks:
          - {key: a, title: A, department: sales, depends_on: [b]}
          - {key: b, title: B, department: legal, depends_on: [a]}
        """)
    )
    result = CliRunner().invoke(main, ["stamp", str(bad), "--name", "x", "--yes"])
    assert result.exit_code == 1
    err = result.stderr if hasattr(result, "stderr") else result.output
    assert "problems found; nothing was written" in err
    assert f"{bad}:2: variable 'nope' is used but not declared" in err
    assert f"{bad}:6: task 'b': unknown department 'legal'" in err
    assert "dependency cycle: a -> b -> a" in err
    assert "Traceback" not in result.output
    assert not (isolated_home / "local.sqlite").exists()
    validate = CliRunner().invoke(main, ["templates", "validate", str(bad)])
    assert validate.exit_code == 1 and "dependency cycle" in validate.output


def test_broken_config_exits_1_before_any_write(isolated_home: Path) -> None:
    Path("collabsync.toml").write_text('[departments.sales]\nprovider = "ghost"\n')
    result = CliRunner().invoke(main, ["stamp", "product-launch", "--name", "nova", *VARS, "--yes"])
    assert result.exit_code == 1
    assert "collabsync.toml:2: department 'sales' routes to unknown provider 'ghost'" in result.output
    assert (
        not (isolated_home / "ledger.sqlite").exists()
        or not sqlite3.connect(isolated_home / "ledger.sqlite").execute("SELECT * FROM instances").fetchall()
    )


def test_usage_errors_exit_2() -> None:
    assert CliRunner().invoke(main, ["stamp"]).exit_code == 2
    assert CliRunner().invoke(main, ["stamp", "product-launch", "--name", "bad name!"]).exit_code == 2
    assert CliRunner().invoke(main, ["stamp", "product-launch", "--name", "n", "--var", "novalue"]).exit_code == 2
    assert CliRunner().invoke(main, ["update", "x", "y", "--status", "finished"]).exit_code == 2


def test_user_errors_exit_1_with_one_line() -> None:
    result = CliRunner().invoke(main, ["status", "ghost"])
    assert result.exit_code == 1 and result.output.count("\n") == 1
    assert "no instance named 'ghost'" in result.output
    run("stamp", "product-launch", "--name", "nova", *VARS, "--yes")
    result = CliRunner().invoke(main, ["update", "nova", "no-such-task", "--status", "done"])
    assert result.exit_code == 1 and "no created task 'no-such-task'" in result.output
    other = CliRunner().invoke(
        main,
        [
            "stamp",
            "customer-onboarding",
            "--name",
            "nova",
            "--var",
            "customer=Other",
            "--var",
            "kickoff=2027-03-01",
            "--yes",
        ],
    )
    assert other.exit_code == 1 and "pick another --name" in other.output  # new variables upgrade; another template not
    missing = CliRunner().invoke(main, ["stamp", "product-launch", "--name", "n2", "--yes"])
    assert missing.exit_code == 1 and "pass --var product=..." in missing.output


def test_stamp_without_yes_refuses_when_not_a_terminal() -> None:
    result = CliRunner().invoke(main, ["stamp", "product-launch", "--name", "nova", *VARS])
    assert result.exit_code == 1 and "pass --yes" in result.output


def test_init_and_config_check(isolated_home: Path) -> None:
    assert run("init").output.strip() == "wrote collabsync.toml"
    assert CliRunner().invoke(main, ["init"]).exit_code == 1
    out = run("config", "check").output
    assert "config: " in out and "provider local (local): ok, local SQLite at" in out


def test_templates_list_and_show() -> None:
    listing = run("templates", "list").output
    for name in ("product-launch", "customer-onboarding", "collaboration-program"):
        assert name in listing
    shown = run("templates", "show", "customer-onboarding").output
    assert "kickoff (date)" in shown and "departments: sales, it, finance, support" in shown


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "collabsync", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "collabsync, version 0.1.0"
