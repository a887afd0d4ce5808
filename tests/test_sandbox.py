"""`collabsync sandbox` as a user runs it: a separate process serving Jira, Trello and Asana on loopback."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from collabsync.cli import main
from collabsync.commands.sandbox import MARKER

READY = "Press Ctrl-C to stop"


def read_until_ready(proc: subprocess.Popen[str], timeout: float = 30.0) -> list[str]:
    """The sandbox's stdout lines up to its ready line (fails with what it said otherwise)."""
    assert proc.stdout is not None
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line.rstrip("\n"))
            if line.startswith(READY):
                return
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    seen: list[str] = []
    try:
        while (line := lines.get(timeout=timeout)) is not None:
            seen.append(line)
            if line.startswith(READY):
                return seen
    except queue.Empty:
        pass
    proc.kill()
    raise AssertionError("sandbox did not get ready:\n" + "\n".join(seen) + (proc.stderr.read() if proc.stderr else ""))


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path, list[str]]]:
    folder = tmp_path / "sandbox"
    env = {k: v for k, v in os.environ.items() if not k.startswith("COLLABSYNC_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "collabsync", "sandbox", "--dir", str(folder)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield proc, folder, read_until_ready(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def test_stamp_and_status_in_four_tools_then_stop_cleanly(sandbox, isolated_home: Path) -> None:
    proc, folder, lines = sandbox
    urls = re.findall(r"http://([\d.]+):\d+", lines[0])
    assert urls == ["127.0.0.1"] * 3
    env_line = (folder / "env.sh").read_text(encoding="utf-8").strip()
    assert any(line.strip() == f". {folder / 'env.sh'}" for line in lines)
    values = dict(part.split("=", 1) for part in env_line.removeprefix("export ").split())
    env = {"COLLABSYNC_CONFIG": values["COLLABSYNC_CONFIG"], "COLLABSYNC_HOME": values["COLLABSYNC_HOME"]}
    assert Path(env["COLLABSYNC_HOME"]).parent == folder
    config_text = Path(env["COLLABSYNC_CONFIG"]).read_text(encoding="utf-8")
    assert all(h == "127.0.0.1" for h in re.findall(r"https?://([^:/\"]+)", config_text))

    def cli(*args: str) -> str:
        result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    # The exact commands the sandbox printed, with its env file's settings.
    stamp_line = next(line.strip() for line in lines if line.strip().startswith("collabsync stamp"))
    out = cli(*stamp_line.split()[1:])
    assert "nova: created 45 tasks" in out
    status = json.loads(cli("status", "nova", "--format", "json", "--today", "2026-11-20"))
    tools = {d: v["provider"] for d, v in status["departments"].items()}
    assert tools == {
        "sales": "trello",
        "marketing": "asana",
        "engineering": "jira",
        "finance": "local",
        "it": "local",
        "hr": "local",
        "support": "local",
    }
    assert status["overall"]["total"] == 45
    report = json.loads(cli("report", "nova", "--format", "json", "--no-save", "--today", "2026-11-20"))
    assert report["overall"]["health"] == "green"
    assert sorted(p["name"] for p in report["providers"]) == ["asana", "jira", "local", "trello"]

    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=15)
    assert proc.returncode == 0
    assert err.strip().endswith("collabsync sandbox: stopped")
    assert "Traceback" not in err


def test_refuses_a_folder_it_did_not_make(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    result = CliRunner().invoke(main, ["sandbox", "--dir", str(folder)])
    assert result.exit_code == 1
    assert "is not empty and was not made by `collabsync sandbox`" in result.output
    assert (folder / "notes.txt").read_text() == "keep me" and not (folder / MARKER).exists()
