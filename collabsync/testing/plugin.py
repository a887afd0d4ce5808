"""pytest plugin (entry point pytest11): running emulators as fixtures.

Fixtures: ``asana_api``, ``trello_api``, ``jira_api`` give a started emulator (stopped after the
test) with its seed helpers and request log; ``seed(emulator, containers, tasks)`` fills one with
realistic data for benchmarks; ``preset(emulator, name)`` configures one like a real account
(``locked-down-jira``, ``team-managed-jira``, ``observer-trello``, ``asana-status-field``, ...).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

__all__ = ["seed", "preset"]


def seed(emulator: Any, containers: int, tasks: int, *, seed: int = 7) -> list[Any]:
    """Fill an emulator with `containers` x `tasks` of mixed status, assignee and due date."""
    return emulator.seed_bulk(containers, tasks, seed=seed)


def preset(emulator: Any, name: str, **options: Any) -> dict[str, Any]:
    """Configure an emulator like a real, messy account (collabsync.testing.presets); returns its destination keys."""
    from collabsync.testing.presets import seed_preset

    return seed_preset(emulator, name, **options)


@pytest.fixture
def asana_api() -> Iterator[Any]:
    """A running Asana emulator."""
    from collabsync.testing.asana import AsanaEmulator

    with AsanaEmulator() as emu:
        yield emu


@pytest.fixture
def trello_api() -> Iterator[Any]:
    """A running Trello emulator."""
    from collabsync.testing.trello import TrelloEmulator

    with TrelloEmulator() as emu:
        yield emu


@pytest.fixture
def jira_api() -> Iterator[Any]:
    """A running Jira Cloud emulator."""
    from collabsync.testing.jira import JiraEmulator

    with JiraEmulator() as emu:
        yield emu
