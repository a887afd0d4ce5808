"""`collabsync report` with sales on Trello (the emulator): fresh reads without cache, then Trello down -> stale, exit 3."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from collabsync.cli import main
from collabsync.report.history import History
from collabsync.report.render.common import fmt_date
from collabsync.report.render.jsonout import validate_report
from collabsync.testing.trello import DEFAULT_KEY, DEFAULT_TOKEN, TrelloEmulator

GLOBEX = ["customer-onboarding", "--name", "globex", "--var", "customer=Globex", "--var", "kickoff=2026-12-07"]
FORMATS = "html,md,json,csv"


@pytest.fixture
def emu(monkeypatch: pytest.MonkeyPatch, isolated_home: Path) -> Iterator[TrelloEmulator]:
    """Sales on the Trello emulator (no retries, no back-off: a dead tool fails at once), the rest local."""
    monkeypatch.setenv("TRELLO_KEY", DEFAULT_KEY)
    monkeypatch.setenv("TRELLO_TOKEN", DEFAULT_TOKEN)
    with TrelloEmulator() as emulator:
        emulator.add_organization("acme-sales")
        Path("collabsync.toml").write_text(
            '[defaults]\nprovider = "local"\n\n[providers.local]\ntype = "local"\n\n'
            '[providers.trello]\ntype = "trello"\napi_key = "${TRELLO_KEY}"\ntoken = "${TRELLO_TOKEN}"\n'
            f'base_url = "{emulator.base_url}"\nmax_retries = 0\nbackoff = 0\ntimeout = 5\n\n'
            '[departments.sales]\nprovider = "trello"\nworkspace = "acme-sales"\n'
        )
        result = run("stamp", *GLOBEX, "--yes")
        assert result.exit_code == 0, result.output
        yield emulator


def run(*args: str) -> click.testing.Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def gets(emu: TrelloEmulator) -> int:
    return sum(r.method == "GET" for r in emu.requests)


def test_report_reads_fresh_and_writes_no_cache(emu: TrelloEmulator, isolated_home: Path, tmp_path: Path) -> None:
    cache = isolated_home / "cache"
    # The same provider does cache for `status`: the report must not.
    assert run("status", "globex", "--format", "json").exit_code == 0
    assert [p for p in cache.rglob("*") if p.is_file()], "status should have used the HTTP cache"
    shutil.rmtree(cache)

    counts = []
    for _ in range(2):
        before = gets(emu)
        result = run("report", "globex", "--format", FORMATS, "--out", str(tmp_path / "out"))
        assert result.exit_code == 0, result.output
        counts.append(gets(emu) - before)
    assert counts[0] == counts[1] > 0  # the second run asked Trello again: nothing came from a cache
    assert not cache.exists() or not any(cache.iterdir())
    data = json.loads((tmp_path / "out" / "globex.json").read_text(encoding="utf-8"))
    assert data["stale_departments"] == [] and "warning" not in result.stderr


def test_a_stopped_tool_is_stale_with_its_last_good_time_and_exits_3(
    emu: TrelloEmulator, isolated_home: Path, tmp_path: Path
) -> None:
    good = run("report", "globex", "--format", FORMATS, "--out", str(tmp_path / "good"), "--today", "2026-12-08")
    assert good.exit_code == 0, good.output
    with History(isolated_home / "history.sqlite") as store:
        (first,) = store.list_snapshots("globex")
        sales_tasks = [t for t in store.snapshot(first.id).tasks if t.department == "sales"]
    assert len(sales_tasks) == 5
    emu.stop()  # Trello stops answering (connection refused)

    out = tmp_path / "stale"
    result = run("report", "--all", "--format", FORMATS, "--out", str(out), "--today", "2026-12-09")
    assert result.exit_code == 3, result.output
    since = first.taken_at
    assert (
        f"warning: globex: sales could not be read, shown from its last good snapshot of "
        f"{since.isoformat(timespec='minutes')}" in result.stderr
    )
    assert "globex: amber (stale data); wrote" in result.stderr or "globex: red (stale data); wrote" in result.stderr
    assert DEFAULT_TOKEN not in result.output and DEFAULT_KEY not in result.output

    data = json.loads((out / "globex.json").read_text(encoding="utf-8"))
    validate_report(data)
    assert data["stale_departments"] == ["sales"]
    depts = {d["name"]: d for d in data["departments"]}
    assert depts["sales"]["stale"] is True and depts["sales"]["stale_since"] == since.isoformat()
    assert depts["sales"]["counts"]["total"] == 5  # shown from the last good snapshot, not dropped
    assert all(not d["stale"] for name, d in depts.items() if name != "sales")
    assert any("sales could not be read" in w for w in data["warnings"])
    assert f"stale · data from {fmt_date(since)}" in (out / "globex.html").read_text(encoding="utf-8")
    assert f"sales ⚠ stale since {fmt_date(since)}" in (out / "globex.md").read_text(encoding="utf-8")
    stale_rows = [line for line in (out / "globex.csv").read_text(encoding="utf-8").splitlines() if ",sales," in line]
    assert len(stale_rows) == 5

    with History(isolated_home / "history.sqlite") as store:
        heads = store.list_snapshots("globex")
        assert len(heads) == 2  # one snapshot per run, the stale one too
        assert store.snapshot(heads[1].id).stale_departments == ["sales"]
        assert store.last_good("globex", "sales") == since  # a stale run does not move the last good time

    again = run("report", "globex", "--format", "json", "--out", str(out), "--today", "2026-12-10")
    assert again.exit_code == 3
    assert (
        json.loads((out / "globex.json").read_text(encoding="utf-8"))["departments"][
            [d["name"] for d in data["departments"]].index("sales")
        ]["stale_since"]
        == since.isoformat()
    )


def test_stale_single_instance_to_stdout_exits_3(emu: TrelloEmulator) -> None:
    emu.stop()
    result = run("report", "globex", "--format", "md", "--no-save")
    assert result.exit_code == 3
    assert "sales ⚠ stale since —" in result.stdout  # never read successfully: no last good time
    assert "warning: globex: sales could not be read, shown from no earlier snapshot" in result.stderr


def test_an_instance_that_cannot_be_read_exits_1_and_the_others_still_come_out(
    emu: TrelloEmulator, tmp_path: Path
) -> None:
    Path("collabsync.toml").write_text('[defaults]\nprovider = "local"\n\n[providers.local]\ntype = "local"\n')
    stamped = run(
        "stamp", "product-launch", "--name", "nova", "--var", "product=Nova", "--var", "launch=2027-03-01", "--yes"
    )
    assert stamped.exit_code == 0, stamped.output
    out = tmp_path / "out"
    result = run("report", "--all", "--format", "md,json", "--out", str(out))
    assert result.exit_code == 1, result.output
    assert "error: globex: " in result.stderr and "unknown provider 'trello'" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "nova.json", "nova.md"]
    portfolio = (out / "index.html").read_text(encoding="utf-8")  # the failed instance is listed with its error
    assert 'href="nova.md"' in portfolio and "report failed: " in portfolio and "globex" in portfolio
    validate_report(json.loads((out / "nova.json").read_text(encoding="utf-8")))
