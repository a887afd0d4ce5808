"""Fault at every write of reschedule and of a template upgrade, refused or with its reply lost: the re-run
finishes the job, the tools end as after a fault-free run, nothing is doubled, a lost reply is not a hand edit."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from collabsync.cli import main
from collabsync.config import load_config
from collabsync.model import Status, TaskChange
from collabsync.runtime import Workspace
from collabsync.stamping.tooltasks import read_stamped
from collabsync.testing.conformance_support import BoundaryFaults, wrap_subject
from collabsync.testing.trello import DEFAULT_KEY, DEFAULT_TOKEN, TrelloEmulator

V1 = """template: tiny
title: "{{ product }} tiny"
variables:
  product: {type: string}
  launch: {type: date}
calendar: {country: US}
departments: [sales, ops]
tasks:
  - {key: a, title: "Plan {{ product }}", department: sales, start: launch - 10bd, due: launch - 8bd}
  - {key: b, title: "Pitch {{ product }}", department: sales, due: launch - 5bd, depends_on: [a]}
  - {key: c, title: "Price {{ product }}", department: sales, due: launch - 3bd}
  - {key: d, title: "Ship {{ product }}", department: ops, due: launch}
  - {key: e, title: "Follow up on {{ product }}", department: sales, due: launch + 2bd}
"""
V2 = (
    V1.replace("template: tiny\n", "template: tiny\nversion: 2\n")
    .replace('"Pitch {{ product }}"', '"Pitch {{ product }} to partners"')
    .replace("due: launch - 3bd", "due: launch - 4bd")
    .replace(
        '  - {key: e, title: "Follow up on {{ product }}", department: sales, due: launch + 2bd}\n',
        '  - {key: f, title: "Brief {{ product }} support", department: sales, due: launch - 1bd, depends_on: [b]}\n',
    )
)
VARS = ["--var", "product=Nova", "--var", "launch=2027-03-01"]
LATER = ["--var", "product=Nova", "--var", "launch=2027-03-22"]


def run(*args: str, code: int | None = 0) -> str:
    result = CliRunner().invoke(main, list(args))
    if code is not None:
        assert result.exit_code == code, result.output
    return result.output


@pytest.fixture(params=["local", "trello"])
def faults(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> Iterator[BoundaryFaults]:
    """Sales on the `subject` provider behind the fault gate (local, or Trello on its emulator); ops on local."""
    subject = '[providers.subject]\ntype = "local"\npath = "subject.sqlite"\n'
    emu = None
    if request.param == "trello":
        emu = TrelloEmulator(rate_limits=[]).start()
        emu.add_organization("acme-sales")
        subject = (
            f'[providers.subject]\ntype = "trello"\napi_key = "{DEFAULT_KEY}"\ntoken = "{DEFAULT_TOKEN}"\n'
            f'base_url = "{emu.base_url}"\nmax_retries = 0\nbackoff = 0\n'
        )
    dest = 'workspace = "acme-sales"\n' if emu else ""
    Path("collabsync.toml").write_text(
        '[defaults]\nprovider = "local"\n\n[providers.local]\ntype = "local"\n\n'
        f'{subject}\n[departments.sales]\nprovider = "subject"\n{dest}'
    )
    Path("tiny.yaml").write_text(V1)
    Path("tiny2.yaml").write_text(V2)
    gate = BoundaryFaults()
    gate.WRITE_METHODS = (*BoundaryFaults.WRITE_METHODS, "set_status")
    gate.WRITE_STREAMS = (*BoundaryFaults.WRITE_STREAMS, "update_tasks")
    wrap_subject(monkeypatch, gate)
    yield gate
    if emu:
        emu.stop()


def tools(name: str) -> dict[str, tuple[str, Any, Any, str]]:
    """Key -> (title, start, due, status) as the tools hold the instance now."""
    ws = Workspace(load_config("collabsync.toml"), None)
    try:
        found, unread = read_stamped(ws, name)
        assert not unread
        return {k: (t.title, t.start, t.due, t.status.value) for k, t in found.items()}
    finally:
        ws.close()


def inventory(name: str) -> Counter[tuple[str, str]]:
    """Every task in the instance's containers, by (title, status): a duplicate the ledger never saw counts too."""
    from collabsync.stamping.tooltasks import placements

    ws = Workspace(load_config("collabsync.toml"), None)
    try:
        return Counter(
            (t.title, t.status.value)
            for placed in placements(ws, name).values()
            for t in ws.provider(placed.dest[0]).read_tasks(placed.container)
        )
    finally:
        ws.close()


def prepare(name: str) -> None:
    """A stamped instance where `a` is done and a person moved `c`'s due date in the tool."""
    run("stamp", "tiny.yaml", "--name", name, *VARS, "--yes")
    ws = Workspace(load_config("collabsync.toml"), None)
    try:
        objs = ws.ledger.objects(name)
        sales = ws.ledger.container(name, "sales")[1]
        ws.provider("subject").set_status(sales, str(objs["a"].ref), Status.DONE)
        edit = TaskChange("c", str(objs["c"].ref), due=dt.date(2027, 2, 26))
        assert [o.error for o in ws.provider("subject").update_tasks(sales, [edit])] == [None]
    finally:
        ws.close()


def scenarios(gate: Any, verb: Any, name: str) -> tuple[list[str], dict[str, Any]]:
    """A fault-free run: the kind of each of its writes in the subject, and the tools after it."""
    prepare(name)
    before = gate.writes_seen()
    run(*verb(name))
    return gate.write_log()[before:], tools(name)


def reschedule(name: str) -> list[str]:
    return ["reschedule", name, "--var", "launch=2027-03-22", "--yes"]


def upgrade(name: str) -> list[str]:
    return ["stamp", "tiny2.yaml", "--name", name, *LATER, "--prune", "--yes"]


@pytest.mark.parametrize("verb", [reschedule, upgrade], ids=["reschedule", "upgrade"])
def test_fault_at_every_write(faults: BoundaryFaults, verb: Any) -> None:
    assert "update_tasks" in every_write(faults, verb)


def every_write(faults: Any, verb: Any) -> list[str]:
    """A clean run, then a refused write and a lost reply at each of its writes; returns the writes' kinds."""
    kinds, clean = scenarios(faults, verb, "clean")
    whole = inventory("clean")
    if verb is reschedule:
        assert clean["c"][2] == dt.date(2027, 2, 26) and clean["a"][3] == "done"  # hand edit and done work kept
        assert clean["b"][2] == dt.date(2027, 3, 15)  # moved by 15 business days
    else:
        assert clean["f"][0] == "Brief Nova support" and clean["e"][3] == "cancelled"
        assert clean["b"][0] == "Pitch Nova to partners"
    for n, lose in [(n, lose) for n in range(len(kinds)) for lose in (False, True)]:  # every write, both ways
        name = f"i{n}{'l' if lose else 'r'}"
        prepare(name)
        faults.fail_writes_after(n, lose_reply=lose)
        run(*verb(name), code=1)
        faults.fail_writes_after(None)
        run(*verb(name))
        assert tools(name) == clean, (kinds[n], n, lose)
        assert inventory(name) == whole, (kinds[n], n, lose)  # 0 duplicates, 0 missing
        again = run(*verb(name))
        assert "nothing to move" in again or "up to date" in again, again
    return kinds
