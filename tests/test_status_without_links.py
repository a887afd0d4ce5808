"""`status` reads without links (issue 17): the same tasks, departments and counts as a full read, no dependencies."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from collabsync.config import home_dir, load_config
from collabsync.reading.query import collect, resolve_instance
from collabsync.report.reporting import status_summary
from collabsync.runtime import Workspace
from test_read_path_agrees import TODAY
from test_read_path_agrees import setup as make_instance


def test_a_read_without_links_counts_what_a_full_read_counts(isolated_home: Path) -> None:
    """Two local tools, a link across them, a tracked board: only depends_on and the cross-tool pairs differ."""
    make_instance(isolated_home)
    with Workspace(load_config(None), home_dir()) as ws:
        record = resolve_instance(ws, "nova")
        full = collect(ws, record)
        lean = collect(ws, record, links=False)
    assert sum(bool(t.depends_on) for t in full.tasks) > 100 and full.cross_links
    assert not any(t.depends_on for t in lean.tasks) and lean.cross_links == []
    assert lean.tasks == [replace(t, depends_on=[]) for t in full.tasks]  # every other field, in the same order
    assert (lean.departments, lean.providers, lean.stale) == (full.departments, full.providers, full.stale)
    day = dt.date.fromisoformat(TODAY)
    assert status_summary(lean, day) | {"generated_at": ""} == status_summary(full, day) | {"generated_at": ""}


def test_the_local_count_read_is_the_full_read_without_dependencies(isolated_home: Path) -> None:
    """read_tasks_for_counts leaves out the link table's rows and nothing else."""
    make_instance(isolated_home)
    with Workspace(load_config(None), home_dir()) as ws:
        for _dept, provider, container in ws.ledger.containers("nova"):
            adapter = ws.provider(provider)
            full = adapter.read_tasks(container)
            assert adapter.read_tasks_for_counts(container) == [replace(t, depends_on=[]) for t in full]
