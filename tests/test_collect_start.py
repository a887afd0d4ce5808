"""collect() starts each tool's reads as soon as its adapter exists; a later tool's bad config still fails cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest

from collabsync.config import load_config
from collabsync.errors import ConfigError
from collabsync.reading.query import collect, resolve_instance
from collabsync.reading.track import track
from collabsync.runtime import Workspace
from collabsync.testing.stack import Stack, running_stack


def _tracked(stack: Stack, tmp_path: Path, toml: str) -> tuple[Path, Path]:
    """An instance tracking a Jira project of 30 issues and two Trello boards; returns (config file, home)."""
    for i in range(30):
        stack.jira.add_issue(stack.jira_project, f"Issue {i}", status=("To Do", "Done", "Blocked")[i % 3])
    boards = stack.trello.seed_bulk(2, 15, seed=3)
    config, home = tmp_path / "collabsync.toml", tmp_path / "home"
    config.write_text(toml)
    home.mkdir(exist_ok=True)
    with Workspace(load_config(config), home) as ws:
        track(ws, "mixed", stack.jira_project, department="engineering", provider="jira")
        for board in boards:
            track(ws, "mixed", board["url"], department="sales", provider="trello")
    return config, home


def test_reads_started_per_tool_give_what_each_tool_reads_alone(tmp_path: Path) -> None:
    with running_stack() as stack:
        config, home = _tracked(stack, tmp_path, stack.providers_toml())
        with Workspace(load_config(config), home) as ws:
            snap = collect(ws, resolve_instance(ws, "mixed"))
            alone = []
            for _dept, name, container in ws.ledger.containers("mixed"):
                alone += [(name, t.ref, t.status, t.title) for t in ws.provider(name).read_tasks(container)]
        assert not snap.stale and len(snap.tasks) == 60
        assert sorted((t.provider, t.ref, t.status, t.title) for t in snap.tasks) == sorted(alone)


def test_a_later_tools_bad_config_is_an_error_while_an_earlier_tools_read_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_stack(latency_ms=200) as stack:
        toml = stack.providers_toml().replace(f'token = "{stack.trello.token}"', 'token = "${TRELLO_TOKEN_UNSET}"')
        monkeypatch.setenv("TRELLO_TOKEN_UNSET", stack.trello.token)
        config, home = _tracked(stack, tmp_path, toml)
        monkeypatch.delenv("TRELLO_TOKEN_UNSET")
        stack.trello.reset_log()
        with Workspace(load_config(config), home) as ws, pytest.raises(ConfigError, match="TRELLO_TOKEN_UNSET"):
            collect(ws, resolve_instance(ws, "mixed"))
        assert stack.trello.count() == 0  # the bad tool sent nothing; Jira's read had started before (a read only)
