"""Fault at every HTTP write of reschedule and upgrade on Jira Cloud (the bulk edit included) and Asana (/batch):
the emulator refuses the write (503) or applies it and drops the connection; the re-run ends as a fault-free
run does, with nothing doubled and nothing missing (scenario and checks: tests/test_day_two_faults.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from collabsync.testing.core import Emulator
from collabsync.testing.jira import JiraEmulator
from day_two_saas_support import EmulatorGate, saas_subject
from test_day_two_faults import every_write, reschedule, upgrade


@pytest.fixture(params=["jira", "asana"])
def saas(request: pytest.FixtureRequest, isolated_home: Path) -> Iterator[Emulator]:
    yield from saas_subject(request.param)


@pytest.mark.parametrize("verb", [reschedule, upgrade], ids=["reschedule", "upgrade"])
def test_http_fault_at_every_write(saas: Emulator, verb: Any) -> None:
    kinds = every_write(EmulatorGate(saas), verb)
    if isinstance(saas, JiraEmulator):
        assert "bulk_edit_submit" in kinds and "issue_edit" in kinds  # the trio in one bulk edit, the rest PUT
    else:
        assert "batch" in kinds
