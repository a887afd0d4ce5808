"""End to end through the CLI: product-launch with marketing on Asana (the emulator), the rest local."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from collabsync.cli import main
from collabsync.model import parse_marker
from collabsync.testing.asana import AsanaEmulator
from collabsync.testing.core import Faults

VARS = ["--var", "product=Nova", "--var", "launch=2027-03-01"]


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def write_config(emu: AsanaEmulator, monkeypatch: pytest.MonkeyPatch, destination: str = "") -> None:
    monkeypatch.setenv("ASANA_TEST_PAT", emu.token)
    Path("collabsync.toml").write_text(f"""
[defaults]
provider = "local"

[providers.local]
type = "local"

[providers.asana]
type = "asana"
token = "${{ASANA_TEST_PAT}}"
workspace = "Acme Corp"
team = "Marketing"
base_url = "{emu.base_url}"
max_retries = 1
backoff = 0

[departments.marketing]
provider = "asana"
{destination}
""")


def marked_tasks(emu: AsanaEmulator) -> dict[str, str]:
    """template key -> task gid, from the marker line of every task in every project."""
    out = {}
    with emu.lock:
        gids = list(emu.store.tasks)
    for gid in gids:
        found = parse_marker(emu.task(gid)["notes"])
        if found and found[0] == "nova" and found[1]:
            assert found[1] not in out, f"{found[1]} created twice"
            out[found[1]] = gid
    return out


def marketing_keys() -> set[str]:
    rows = json.loads(run("tasks", "nova", "--department", "marketing", "--format", "json").output)
    assert rows and all(r["provider"] == "asana" for r in rows)
    return {r["key"] for r in rows}


def test_stamp_then_status_follows_asana(monkeypatch: pytest.MonkeyPatch) -> None:
    with AsanaEmulator() as emu:
        write_config(emu, monkeypatch)
        checked = run("config", "check")
        assert checked.exit_code == 0, checked.output
        stamped = run("stamp", "product-launch", "--name", "nova", *VARS, "--yes")
        assert stamped.exit_code == 0, stamped.output
        tasks = marked_tasks(emu)
        keys = set(tasks)
        assert len(keys) >= 4
        assert emu.count("POST", "/batch") >= 2 and emu.count("POST", "/tasks") == 0
        first, second, third, fourth = sorted(keys)[:4]
        emu.complete(tasks[first])
        emu.add_section(emu.task(tasks[second])["memberships"][0]["project"]["gid"], "In Progress")
        emu.move_task(tasks[second], "In Progress")
        emu.add_section(emu.task(tasks[third])["memberships"][0]["project"]["gid"], "Blocked")
        emu.move_task(tasks[third], "Blocked")
        status = json.loads(run("status", "nova", "--format", "json", "--today", "2027-01-01").output)
        marketing = status["departments"]["marketing"]
        assert marketing["provider"] == "asana" and marketing["total"] == len(keys)
        assert (marketing["done"], marketing["in_progress"], marketing["blocked"]) == (1, 1, 1)
        assert marketing_keys() == keys
        updated = run("update", "nova", fourth, "--status", "done", "--force")
        assert updated.exit_code == 0, updated.output
        assert emu.task(tasks[fourth])["completed"] is True
        after = json.loads(run("status", "nova", "--format", "json", "--today", "2027-01-01").output)
        assert after["departments"]["marketing"]["done"] == 2  # the update's write dropped the cached read
        again = run("stamp", "product-launch", "--name", "nova", *VARS, "--yes")
        assert again.exit_code == 0 and len(marked_tasks(emu)) == len(keys)
        verbose = run("-v", "status", "nova", "--format", "json")
        assert "GET" in verbose.output and emu.token not in verbose.output
        home = Path(os.environ["COLLABSYNC_HOME"])
        for path in home.rglob("*"):
            if path.is_file():
                assert emu.token.encode() not in path.read_bytes(), path


def test_stamp_resumes_after_asana_lost_a_reply(monkeypatch: pytest.MonkeyPatch) -> None:
    with AsanaEmulator(faults=Faults(stop_after_writes=2, lose_reply_after_stop=True)) as emu:
        write_config(emu, monkeypatch)
        first = run("stamp", "product-launch", "--name", "nova", *VARS, "--yes")
        assert first.exit_code != 0 and "marketing" in first.output
        emu.faults.stop_after_writes = None
        second = run("stamp", "product-launch", "--name", "nova", *VARS, "--yes")
        assert second.exit_code == 0, second.output
        assert set(marked_tasks(emu)) == marketing_keys()
        assert len(emu.projects_named(emu.store.projects[next(iter(emu.store.projects))]["name"])) == 1
