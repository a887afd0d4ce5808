"""The read's fast paths give what the general code gives: a one-line marker, dependencies the ledger cannot name."""

from __future__ import annotations

import pytest

from collabsync.model import Status, Task, _marker_in_lines, marker, parse_marker
from collabsync.reading.query import _link, _place

_TEXTS = [
    marker("nova"),
    marker("nova", "t1"),
    marker("nova", "a/b"),
    "collabsync:",
    "collabsync:/t1",
    "collabsync:  nova / t1  ",
    "collabsync:nova/t1   ",
    "collabsync:nova/t1\x85collabsync:mars/t2",
    "collabsync:nova/t1\u2028collabsync:mars/t2",
    "collabsync:nova/t1\x1ccollabsync:mars/t2",
    "collabsync:nova\u00a0/t1",
    "collabsync:nova/t1\t",
    "collabsync:nova/t1\nmore",
    "collabsync:/x\ncollabsync:nova/k",
    "collabsync:nova/t1\r\ncollabsync:",
    "collabsync: \u3000/k",
    "text\n\ncollabsync:nova/t1",
    "collabsync:nova/é ü",
    "collabsync:nova/t1 \u200b",
]


@pytest.mark.parametrize("text", _TEXTS)
def test_one_line_marker_agrees_with_the_general_parse(text: str) -> None:
    assert parse_marker(text) == _marker_in_lines(text)


def _task(ref: str, key: str | None, deps: list[str]) -> Task:
    return Task(ref, f"task {ref}", Status.TODO, key=key, depends_on=deps, provider="local")


def test_dependencies_the_ledger_cannot_name_take_the_first_read_key() -> None:
    tasks = [_task("1", "a", []), _task("2", None, ["1", "3", "9"]), _task("3", "c", ["4"]), _task("3", "c2", [])]
    tasks.append(_task("4", "d", ["2"]))
    cross = _link(tasks, {"local": (["4"], ["ledger-d"])}.__getitem__, [("a", "c")], {"a": "a", "c": "c"})
    assert cross == [("a", "c")]
    assert [t.depends_on for t in tasks] == [["c"], ["a", "c", "9"], ["ledger-d"], [], ["2"]]


def test_keys_and_dependencies_become_the_plan_strings() -> None:
    plan = {"".join(["t", "1"]): 0, "".join(["t", "2"]): 1}
    tasks = [_task("1", "".join(["t", "1"]), []), _task("2", "".join(["t", "2"]), ["1"])]
    own = {k: k for k in plan}
    _place(tasks, None, ["eng"], "local", None, {}, own.get)
    _link(tasks, {"local": (["1"], ["".join(["t", "1"])])}.__getitem__, [], own)
    assert tasks[0].key is own["t1"] and tasks[1].key is own["t2"] and tasks[1].depends_on[0] is own["t1"]


def test_the_local_read_takes_the_key_parse_marker_finds() -> None:
    from collabsync.providers.local_plumbing import tasks_from_rows

    texts = [*_TEXTS, "", "plain text", "collabsync:nova"]
    rows = [
        (i, "t", "todo", None, None, None, None, None, None, "2026-01-01T00:00:00+00:00", text, None)
        for i, text in enumerate(texts)
    ]
    tasks = tasks_from_rows(rows, {}, {}, "u/", [])
    assert [t.key for t in tasks] == [(found[1] if (found := parse_marker(text)) else None) for text in texts]
