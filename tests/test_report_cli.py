"""`collabsync report` and `collabsync history` end to end on the local provider."""

from __future__ import annotations

import json
from pathlib import Path

import click
from click.testing import CliRunner

from collabsync.cli import main
from collabsync.report.render.jsonout import validate_report

VARS = ["--var", "product=Nova", "--var", "launch=2027-03-01"]


def run(*args: str) -> click.testing.Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_report_and_history_end_to_end(isolated_home: Path, tmp_path: Path) -> None:
    assert run("stamp", "product-launch", "--name", "nova", *VARS, "--yes").exit_code == 0
    run("update", "nova", "pricing", "--status", "done", "--force")
    run("update", "nova", "market-sizing", "--status", "blocked")
    status = json.loads(run("status", "nova", "--format", "json", "--today", "2027-01-01").output)

    first = run("report", "nova", "--format", "json", "--today", "2027-01-01")
    assert first.exit_code == 0, first.output
    data = json.loads(first.output)
    validate_report(data)
    assert data["overall"]["counts"] == status["overall"]  # the same counts as `status`
    assert data["history"][0]["done"] == 1 and data["changes"]["previous_id"] is None
    assert (isolated_home / "history.sqlite").exists()

    run("update", "nova", "market-sizing", "--status", "done")
    out = tmp_path / "out" / "nova.html"
    second = run("report", "nova", "--output", str(out), "--today", "2027-01-02")
    assert second.exit_code == 0 and "nova:" in second.output and str(out) in second.output
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "Completed:</b>" in html

    dry = run("report", "nova", "--format", "md", "--no-save", "--today", "2027-01-02")
    assert dry.exit_code == 0 and dry.output.startswith("# nova (product-launch)")

    heads = json.loads(run("history", "nova", "--format", "json").output)
    assert heads["instance"] == "nova"
    assert [(h["today"], h["done"], h["blocked"]) for h in heads["snapshots"]] == [
        ("2027-01-01", 1, 1),
        ("2027-01-02", 2, 0),
    ]
    table = run("history", "nova").output.splitlines()
    assert table[0].split()[:3] == ["id", "taken", "at"] and len(table) == 3


def test_history_without_snapshots(isolated_home: Path) -> None:
    run("stamp", "product-launch", "--name", "nova", *VARS, "--yes")
    assert run("history", "nova").output.strip() == "nova: no snapshots yet; run `collabsync report nova`"


def test_report_unknown_instance_is_a_user_error(isolated_home: Path) -> None:
    result = CliRunner().invoke(main, ["report", "nope"])
    assert result.exit_code == 1 and "no instance named 'nope'" in result.output
