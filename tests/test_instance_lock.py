"""The per-instance lock: two runs of one instance never write at once (two real processes race here)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from collabsync.cli import main
from collabsync.errors import LedgerError
from collabsync.lock import instance_lock
from collabsync.model import parse_marker
from collabsync.testing.stack import running_stack

VARS = ["--var", "product=Nova", "--var", "launch=2027-03-01"]


def collabsync(*args: str) -> subprocess.Popen[str]:
    """A real `collabsync` process in this test's cwd and COLLABSYNC_HOME."""
    return subprocess.Popen(
        [sys.executable, "-m", "collabsync", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )


def test_a_second_run_waits_then_names_the_holder(isolated_home: Path) -> None:
    with instance_lock(isolated_home, "nova", "stamp"):
        result = CliRunner().invoke(
            main, ["stamp", "product-launch", "--name", "nova", *VARS, "--yes", "--wait", "0.2"]
        )
    assert result.exit_code == 1
    message = result.output
    assert "instance 'nova' is busy: collabsync stamp (pid " + str(os.getpid()) in message
    assert socket.gethostname() in message and "waited 0.2s" in message and "--wait SECONDS" in message
    assert not (isolated_home / "local.sqlite").exists()  # nothing written


def test_update_track_and_untrack_take_the_same_lock(isolated_home: Path) -> None:
    with instance_lock(isolated_home, "nova", "stamp"):
        updated = CliRunner().invoke(main, ["update", "nova", "pricing", "--status", "done", "--wait", "0"])
        tracked = CliRunner().invoke(main, ["track", "nova", "ENG", "--department", "it", "--wait", "0"])
        untracked = CliRunner().invoke(main, ["untrack", "nova", "ENG", "--wait", "0"])
    for result in (updated, tracked, untracked):
        assert result.exit_code == 1 and "instance 'nova' is busy" in result.output, result.output


def test_the_lock_is_free_again_after_a_run_and_after_a_crash(isolated_home: Path) -> None:
    with pytest.raises(RuntimeError):
        with instance_lock(isolated_home, "nova", "stamp"):
            raise RuntimeError("the run failed")
    with instance_lock(isolated_home, "nova", "stamp", wait=0):
        with pytest.raises(LedgerError, match=r"instance 'nova' is busy: collabsync stamp \(pid \d+ on "):
            with instance_lock(isolated_home, "nova", "update", wait=0):
                pass
    killed = subprocess.run(
        [
            sys.executable,
            "-c",
            (
                "import os, signal, pathlib; from collabsync.lock import instance_lock\n"
                f"with instance_lock(pathlib.Path({str(isolated_home)!r}), 'nova', 'stamp'):\n"
                "    os.kill(os.getpid(), signal.SIGKILL)"
            ),
        ],
        timeout=60,
    )
    assert killed.returncode == -9
    with instance_lock(isolated_home, "nova", "stamp", wait=0):  # the OS released the dead holder's lock
        pass
    assert (isolated_home / "locks" / "nova.lock").stat().st_mode & 0o777 == 0o600
    assert (isolated_home / "locks" / "nova.lock").read_text() == ""  # a free lock names nobody


def test_two_concurrent_cross_tool_stamps_create_everything_once(isolated_home: Path) -> None:
    with running_stack(latency_ms=5) as stack:
        stack.write_config(Path("collabsync.toml"))
        Path("collabsync.toml").write_text(
            Path("collabsync.toml").read_text() + '\n[providers.local]\ntype = "local"\n'
        )
        args = ("stamp", "product-launch", "--name", "nova", *VARS, "--yes", "--wait", "120")
        runs = [collabsync(*args), collabsync(*args)]
        outputs = [run.communicate(timeout=180) for run in runs]
        assert [run.returncode for run in runs] == [0, 0], outputs
        assert sum("up to date" in out for out, _ in outputs) == 1  # the second waited, then found it all there
        issues = stack.jira.project_issues("ENG")
        marks = Counter(parse_marker(stack.jira.issue_json(i.key)["fields"]["description"] or "") for i in issues)
        assert marks[("nova", None)] == 1 and max(marks.values()) == 1  # one epic, every task once
        boards = [b for b in stack.trello.state.boards.values() if parse_marker(b["desc"]) == ("nova", None)]
        assert len(boards) == 1
        cards = Counter(parse_marker(c["desc"]) for c in stack.trello.cards_of(boards[0]["id"]))
        assert cards and max(cards.values()) == 1
        projects = [g for g, p in stack.asana.store.projects.items() if parse_marker(p["notes"]) == ("nova", None)]
        assert len(projects) == 1
        tasks = Counter(parse_marker(t["notes"]) for t in stack.asana.project_tasks(projects[0]))
        assert tasks and max(tasks.values()) == 1
