"""Several Trello boards tracked by one instance share one GET /batch (ten routes: five boards)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from collabsync.cli import main
from collabsync.testing.stack import Stack, running_stack

LISTS = ("To Do", "Doing", "Done")
STATUS = {"To Do": "todo", "Doing": "in_progress", "Done": "done"}


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def stack(isolated_home: Path) -> Iterator[Stack]:
    with running_stack() as s:
        s.write_config(Path("collabsync.toml"))
        yield s


def seed(stack: Stack, boards: int, cards: int) -> dict[str, dict[str, int]]:
    """Boards tracked under one instance, one department each; the expected status counts per department."""
    expected: dict[str, dict[str, int]] = {}
    for b in range(boards):
        board = stack.trello.add_board(f"Board {b}", LISTS)
        for i in range(cards):
            stack.trello.add_card(board["id"], LISTS[(i + b) % 3], f"Card {b}.{i}")
        cli("track", "pipeline", board["shortLink"], "--provider", "trello", "--department", f"team{b}")
        statuses = [STATUS[LISTS[(i + b) % 3]] for i in range(cards)]
        expected[f"team{b}"] = {s: statuses.count(s) for s in STATUS.values()}
    return expected


def read(stack: Stack) -> dict[str, Any]:
    stack.trello.reset_log()
    return json.loads(cli("status", "pipeline", "--format", "json", "--fresh"))


def test_five_boards_of_200_cards_are_read_in_one_batch(stack: Stack) -> None:
    expected = seed(stack, 5, 200)
    data = read(stack)
    assert stack.trello.count() == 1 and stack.trello.count("GET", "/batch") == 1
    assert stack.trello.requests[0].query.count("%2Fboards%2F") == 10  # lists and cards of each board
    for dept, want in expected.items():
        assert {s: data["departments"][dept][s] for s in want} == want and data["departments"][dept]["total"] == 200


def test_seven_boards_take_two_batches(stack: Stack) -> None:
    expected = seed(stack, 7, 20)
    data = read(stack)
    assert stack.trello.count("GET", "/batch") == 2 and stack.trello.count() == 2  # 5 boards, then 2
    assert all(data["departments"][d]["total"] == 20 for d in expected)
