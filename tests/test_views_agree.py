"""`status`, `tasks` and `report` agree: last good data for a tool that is down, the same format names,
forgiving but strict filters, full CSV headers, and no raw HTML on a terminal."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from collabsync.cli import main
from collabsync.reading.task_list import TASK_COLUMNS
from collabsync.testing.trello import DEFAULT_KEY, DEFAULT_TOKEN, TrelloEmulator
from trello_support import route_sales_to

GLOBEX = ["customer-onboarding", "--name", "globex", "--var", "customer=Globex", "--var", "kickoff=2026-12-07"]
NOVA = ["product-launch", "--name", "nova", "--var", "product=Nova", "--var", "launch=2027-03-01"]


def run(*args: str) -> click.testing.Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def trello(monkeypatch: pytest.MonkeyPatch, isolated_home: Path) -> Iterator[TrelloEmulator]:
    """Sales on the Trello emulator (a dead tool fails at once), the rest local; globex stamped."""
    monkeypatch.setenv("TRELLO_KEY", DEFAULT_KEY)
    monkeypatch.setenv("TRELLO_TOKEN", DEFAULT_TOKEN)
    with TrelloEmulator() as emulator:
        emulator.add_organization("acme-sales")
        route_sales_to(emulator, max_retries=0, backoff=0, timeout=5)
        assert run("stamp", *GLOBEX, "--yes").exit_code == 0
        yield emulator


def test_status_and_tasks_use_the_last_good_data_of_a_tool_that_is_down(trello: TrelloEmulator) -> None:
    good = json.loads(run("status", "globex", "--format", "json", "--today", "2026-12-01").output)
    assert run("report", "globex", "--format", "json", "--today", "2026-12-01").exit_code == 0  # a snapshot
    trello.stop()
    down = run("status", "globex", "--format", "json", "--today", "2026-12-01", "--fresh")
    assert down.exit_code == 3
    data = json.loads(down.stdout)
    sales = data["departments"]["sales"]
    assert sales["total"] == good["departments"]["sales"]["total"] > 0  # not 0: the last good tasks
    assert sales["stale_since"] and sales["stale"]
    assert data["overall"]["total"] == good["overall"]["total"]
    assert "warning: globex: sales could not be read, shown from its last good snapshot of " in down.stderr
    listed = run("tasks", "globex", "--department", "SALES", "--format", "json", "--fresh")
    assert listed.exit_code == 0 and len(json.loads(listed.stdout)) == sales["total"]
    assert "sales could not be read, shown from its last good snapshot" in listed.stderr
    table = run("status", "globex", "--today", "2026-12-01", "--fresh")
    assert "sales (stale, from " in table.stdout and table.exit_code == 3


def test_formats_filters_and_empty_csv(isolated_home: Path) -> None:
    assert run("stamp", *NOVA, "--role", "finance_partner=Fay@acme.example", "--yes").exit_code == 0
    md = run("status", "nova", "--format", "md").stdout
    assert md == run("status", "nova", "--format", "markdown").stdout and md.startswith("## nova (product-launch)")
    tasks_md = run("tasks", "nova", "--department", "Finance", "--format", "md").stdout
    assert tasks_md.startswith("| key | title |") and tasks_md.count("| finance |") == 6
    assert run("report", "nova", "--format", "markdown", "--no-save").stdout.startswith("# nova (product-launch)")
    # Case does not matter; an unknown value is an error naming the known ones.
    assert len(json.loads(run("tasks", "nova", "--department", "FINANCE", "--format", "json").stdout)) == 6
    assert len(json.loads(run("tasks", "nova", "--assignee", "fay@ACME.example", "--format", "json").stdout)) == 6
    unknown = run("tasks", "nova", "--department", "legal")
    assert unknown.exit_code == 1
    assert (
        "unknown department 'legal'; known: sales, marketing, engineering, finance, it, hr, support" in unknown.output
    )
    nobody = run("tasks", "nova", "--assignee", "zoe")
    assert nobody.exit_code == 1 and "no task is assigned to 'zoe'; assignees: " in nobody.output
    # No match: the CSV still has its whole header.
    empty = run("tasks", "nova", "--blocked", "--format", "csv").stdout
    assert list(csv.reader(io.StringIO(empty))) == [TASK_COLUMNS]


def test_report_without_format_is_a_terminal_summary_not_html(isolated_home: Path, tmp_path: Path) -> None:
    assert run("stamp", *NOVA, "--yes").exit_code == 0
    glance = run("report", "nova", "--today", "2026-11-20")
    assert glance.exit_code == 0 and "<html" not in glance.stdout.lower()
    lines = glance.stdout.splitlines()
    assert lines[0] == "nova (product-launch): GREEN as of 2026-11-20"
    assert lines[1].startswith("On track: every department's work fits its dates")
    assert "Full report: collabsync report nova --format html --output nova.html" in glance.stdout
    assert "no snapshots yet" in run("history", "nova").stdout  # a glance stores nothing
    out = tmp_path / "nova.md"
    assert run("report", "nova", "--output", str(out)).exit_code == 0  # format from the extension
    assert out.read_text(encoding="utf-8").startswith("# nova (product-launch)")
    odd = run("report", "nova", "--output", str(tmp_path / "nova.txt"))
    assert odd.exit_code == 2 and "cannot tell the format of" in odd.output
    table_file = run("report", "nova", "--format", "table", "--output", str(tmp_path / "x.html"))
    assert table_file.exit_code == 2 and "table is the terminal summary" in table_file.output
