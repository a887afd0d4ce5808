"""Fault at every write of reschedule and upgrade at the Jira and Asana adapters' boundary (each call, each
yielded outcome: inside a bulk edit's group too), refused or with its reply lost; the re-run ends as a
fault-free run does, with nothing doubled and nothing missing (scenario and checks: tests/test_day_two_faults.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from collabsync.testing.conformance_support import BoundaryFaults, wrap_subject
from collabsync.testing.core import Emulator
from day_two_saas_support import saas_subject
from test_day_two_faults import every_write, reschedule, upgrade


@pytest.fixture(params=["jira", "asana"])
def saas(request: pytest.FixtureRequest, isolated_home: Path) -> Iterator[Emulator]:
    yield from saas_subject(request.param)


@pytest.mark.parametrize("verb", [reschedule, upgrade], ids=["reschedule", "upgrade"])
def test_boundary_fault_at_every_write(saas: Emulator, verb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    gate = BoundaryFaults()
    gate.WRITE_METHODS = (*BoundaryFaults.WRITE_METHODS, "set_status")
    gate.WRITE_STREAMS = (*BoundaryFaults.WRITE_STREAMS, "update_tasks")
    wrap_subject(monkeypatch, gate)
    assert "update_tasks" in every_write(gate, verb)
