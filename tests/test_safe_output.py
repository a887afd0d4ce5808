"""Output is safe wherever it goes (issue 11 item 6) and state files are private (item 7)."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import stat
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from collabsync.cli import main
from collabsync.safetext import clean, visible

EVIL = "\x1b[2J\x00\x07\x9b31m\u202eevil\u2066"
TEMPLATE = textwrap.dedent("""\
    template: safe
    title: "Safe {{ who }}"
    variables:
      who: {type: string}
      launch: {type: date}
    departments: [ops]
    tasks:
      - {key: formula, title: "=1+1", department: ops, due: launch}
      - {key: plus, title: "+cmd|' /C calc'!A0", department: ops, due: launch}
      - {key: evil, title: "plain", department: ops, due: launch}
    """)


def run(*args: str) -> object:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture()
def stamped(isolated_home: Path, tmp_path: Path) -> Path:
    """An instance in the local tool whose third task's title was changed in the tool to hold control characters."""
    path = tmp_path / "safe.yaml"
    path.write_text(TEMPLATE)
    result = run("stamp", str(path), "--name", "s1", "--var", "who=X", "--var", "launch=2027-03-01", "--yes")
    assert result.exit_code == 0, result.output
    db = sqlite3.connect(isolated_home / "local.sqlite")
    db.execute("UPDATE tasks SET title = ? WHERE title = 'plain'", (EVIL,))
    db.commit()
    db.close()
    return isolated_home


def test_clean_and_visible_cover_c0_c1_and_bidi() -> None:
    assert clean(EVIL) == "[2J31mevil"
    assert clean("a\r\nb\tc\n") == "a\nb\tc\n"
    assert visible("\x1b[0m\u202e") == "\\x1b[0m\\u202e"


def test_tasks_csv_goes_through_the_protected_writer(stamped: Path) -> None:
    result = run("tasks", "s1", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.output)))
    titles = {r["key"]: r["title"] for r in rows}
    assert titles == {"formula": "'=1+1", "plus": "'+cmd|' /C calc'!A0", "evil": "[2J31mevil"}


def test_terminal_table_shows_control_characters_escaped(stamped: Path) -> None:
    out = run("tasks", "s1").output
    assert "\x1b" not in out and "\u202e" not in out and "\x00" not in out
    assert "\\x1b" in out and "\\u202e" in out


def test_json_outputs_stay_valid_and_clean(stamped: Path) -> None:
    rows = json.loads(run("tasks", "s1", "--format", "json").output)
    assert {r["title"] for r in rows} >= {"[2J31mevil"}
    status = json.loads(run("status", "s1", "--format", "json").output)
    assert status["overall"]["total"] == 3


@pytest.mark.parametrize("fmt", ["html", "md", "csv", "json"])
def test_every_report_format_drops_control_characters(stamped: Path, fmt: str) -> None:
    result = run("report", "s1", "--format", fmt, "--no-save", "--today", "2027-04-01")
    assert result.exit_code == 0, result.output
    text = result.output
    for ch in ("\x1b", "\x00", "\x07", "\x9b", "\u202e", "\u2066"):
        assert ch not in text
    assert "evil" in text
    if fmt == "json":
        titles = {t["title"] for t in json.loads(text)["tasks"]}
        assert "[2J31mevil" in titles and "=1+1" in titles
    if fmt == "csv":
        assert "'=1+1" in text


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_state_files_are_private(stamped: Path, tmp_path: Path) -> None:
    os.chmod(stamped, 0o755)
    out = tmp_path / "reports"
    result = run("report", "s1", "--format", "html,csv", "--out", str(out), "--today", "2027-04-01")
    assert result.exit_code == 0, result.output
    run("status", "s1")  # tightens the home again
    assert _mode(stamped) == 0o700
    for name in ("ledger.sqlite", "local.sqlite", "history.sqlite"):
        path = stamped / name
        assert path.exists() and _mode(path) == 0o600, name
    for extra in stamped.glob("*.sqlite-*"):
        assert _mode(extra) == 0o600, extra.name
    reports = sorted(out.iterdir())
    assert [p.name for p in reports] == ["s1.csv", "s1.html"]
    assert all(_mode(p) == 0o600 for p in reports)


def test_http_cache_file_is_private(isolated_home: Path) -> None:
    from collabsync.http import HttpPolicy, make_session

    cache = isolated_home / "cache" / "trello-abc.sqlite"
    session = make_session("trello", HttpPolicy(), cache_path=cache)
    session.close()
    assert _mode(cache) == 0o600 and _mode(cache.parent) == 0o700


def test_readable_config_with_a_literal_secret_warns(isolated_home: Path) -> None:
    cfg = Path("collabsync.toml")
    cfg.write_text('[providers.t]\ntype = "trello"\napi_key = "k" \ntoken = "literal-secret-value"\n')
    os.chmod(cfg, 0o644)
    result = run("config", "check", "--offline")
    assert result.exit_code == 0
    where = cfg.resolve()
    assert (
        f"warning: {where}:3: holds a literal secret and is readable by everyone (mode 644); "
        f"run `chmod 600 {where}` or use ${{ENV_VAR}} instead\n"
    ) == result.stderr
    assert "literal-secret-value" not in result.output
    os.chmod(cfg, 0o600)
    assert "warning" not in run("config", "check", "--offline").stderr
    cfg.write_text('[providers.t]\ntype = "trello"\napi_key = "${K}"\ntoken = "${T}"\n')
    os.chmod(cfg, 0o644)
    assert (
        "warning" not in CliRunner(env={"K": "kkkk", "T": "tttt"}).invoke(main, ["config", "check", "--offline"]).stderr
    )
