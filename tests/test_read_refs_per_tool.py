"""A dependency's ref names a task of its own tool: two tools that reuse task ids never swap keys (issue 17, read3).

Ledger refs are unique per tool only; two local tools number their tasks from 1 alike, so ref "1" is a task of
each. A task must depend on its own tool's task "1", whether the ledger names the ref or only the read does.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from cli_helpers import cli
from collabsync.config import home_dir, load_config
from collabsync.model import Status, Task
from collabsync.reading.query import _link, collect, resolve_instance
from collabsync.runtime import Workspace

TEMPLATE = """\
template: twins
title: Twins
departments: [eng, ops]
tasks:
  - {key: e1, title: Eng one, department: eng}
  - {key: e2, title: Eng two, department: eng, depends_on: [e1]}
  - {key: o1, title: Ops one, department: ops}
  - {key: o2, title: Ops two, department: ops, depends_on: [o1]}
"""


def stamp(home: Path) -> None:
    """Eng on tool alpha, ops on tool beta: each tool's tasks get ids 1 and 2."""
    Path("collabsync.toml").write_text(
        '[defaults]\nprovider = "alpha"\n\n'
        f'[providers.alpha]\ntype = "local"\npath = "{home / "alpha.sqlite"}"\n\n'
        f'[providers.beta]\ntype = "local"\npath = "{home / "beta.sqlite"}"\n\n'
        '[departments.ops]\nprovider = "beta"\n'
    )
    Path("twins.yaml").write_text(TEMPLATE)
    cli("stamp", "twins.yaml", "--name", "twins", "--yes")
    for name in ("alpha", "beta"):  # the collision the test is about
        with sqlite3.connect(home / f"{name}.sqlite") as db:
            assert sorted(r[0] for r in db.execute("SELECT id FROM tasks")) == [1, 2]


def dependencies() -> dict[str, list[str]]:
    """Each task's dependencies as collect() gives them."""
    with Workspace(load_config(None), home_dir()) as ws:
        read = collect(ws, resolve_instance(ws, "twins"))
    return {t.key or t.ref: t.depends_on for t in read.tasks}


def test_ledger_names_each_tools_own_task(isolated_home: Path) -> None:
    stamp(isolated_home)
    assert dependencies() == {"e1": [], "e2": ["e1"], "o1": [], "o2": ["o1"]}


def test_the_read_names_each_tools_own_task_when_the_ledger_cannot(isolated_home: Path) -> None:
    stamp(isolated_home)
    with sqlite3.connect(isolated_home / "ledger.sqlite") as db:  # the ledger no longer knows the tools' refs
        db.execute("UPDATE objects SET ref = NULL WHERE kind = 'task'")
    assert dependencies() == {"e1": [], "e2": ["e1"], "o1": [], "o2": ["o1"]}


def _task(ref: str, key: str | None, deps: list[str], provider: str) -> Task:
    return Task(ref, f"task {ref}", Status.TODO, key=key, depends_on=deps, provider=provider)


def test_link_keeps_refs_within_their_tool() -> None:
    tasks = [
        _task("1", "a1", [], "a"),
        _task("2", "a2", ["1", "3"], "a"),
        _task("1", "b1", [], "b"),
        _task("3", "b3", ["1", "2"], "b"),
        _task("2", None, ["3"], "b"),
    ]
    _link(tasks, {"a": (["9"], ["x"]), "b": (["2"], ["ledger-b2"])}.__getitem__, [], {})
    assert [t.depends_on for t in tasks] == [[], ["a1", "3"], [], ["b1", "ledger-b2"], ["b3"]]
