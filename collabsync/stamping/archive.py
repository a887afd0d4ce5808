"""Close out: take a final report snapshot, then close the instance in every tool the way that tool does it.

The snapshot comes first (an archived Trello card leaves the board's reads), so `history` keeps the instance's
last state; each closed container is journaled, so a run cut short resumes with the containers still open.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from collabsync.errors import CollabsyncError
from collabsync.ledger import InstanceRecord, InstanceState
from collabsync.runtime import Workspace
from collabsync.stamping.tooltasks import IncompleteError, Placed, Step, placements
from collabsync.stamping.written import WrittenLog

__all__ = ["ArchivePlan", "plan_archive", "apply_archive", "final_report_path"]


@dataclass
class ArchivePlan:
    """Containers to close, grouped where departments share one."""

    record: InstanceRecord
    to_close: list[tuple[list[str], Placed]] = field(default_factory=list)
    already: dict[tuple[str, str], str] = field(default_factory=dict)
    snapshot_taken: bool = False

    @property
    def steps(self) -> int:
        """One per container still open."""
        return len(self.to_close)

    def to_dict(self) -> dict[str, Any]:
        """JSON view for `archive --plan --format json`."""
        return {
            "instance": self.record.name,
            "snapshot_taken": self.snapshot_taken,
            "to_close": [
                {
                    "departments": d,
                    "provider": p.provider,
                    "url": p.container.url,
                    "container": p.container.name or p.container.ref,
                }
                for d, p in self.to_close
            ],
            "closed": [{"provider": k[0], "container": k[1], "outcome": v} for k, v in self.already.items()],
        }


def final_report_path(home: Path, instance: str) -> Path:
    """Where the final Markdown report of an archived instance is written."""
    return home / "archived" / f"{instance}.md"


def plan_archive(ws: Workspace, record: InstanceRecord) -> ArchivePlan:
    """From the ledger alone: which containers are still open."""
    plan = ArchivePlan(
        record,
        already=WrittenLog(ws.ledger).closed(record.name),
        snapshot_taken=record.state == InstanceState.ARCHIVING,
    )
    groups: dict[tuple[str, str], tuple[list[str], Placed]] = {}
    for placed in placements(ws, record.name).values():
        if placed.dest not in plan.already:
            groups.setdefault(placed.dest, ([], placed))[0].append(placed.department)
    plan.to_close = list(groups.values())
    return plan


def apply_archive(plan: ArchivePlan, ws: Workspace, today: dt.date, step: Step | None = None) -> list[str]:
    """Snapshot (once), close each open container, mark the instance archived; returns what each tool did."""
    record, log, step = plan.record, WrittenLog(ws.ledger), step or (lambda n, what: None)
    if not plan.snapshot_taken:
        _final_snapshot(ws, record, today)
        ws.ledger.set_state(record.name, InstanceState.ARCHIVING)
    outcomes, failures = [], []
    for departments, placed in plan.to_close:
        try:
            done = ws.provider(placed.provider).archive_container(placed.container)
        except CollabsyncError as exc:
            failures.append(f"{', '.join(departments)} ({placed.provider}): {exc}")
            continue
        log.record_closed(record.name, placed.provider, placed.container.ref, done)
        outcomes.append(done)
        step(1, f"{placed.provider}: {placed.container.name}")
    if failures:
        raise IncompleteError("archive", record.name, failures)
    ws.ledger.set_state(record.name, InstanceState.ARCHIVED)
    return outcomes


def _final_snapshot(ws: Workspace, record: InstanceRecord, today: dt.date) -> None:
    """The report as the tools stand before closing: saved to history and written as Markdown."""
    from collabsync.private import private_dir
    from collabsync.report.history import History
    from collabsync.report.nightly import report_instance, write_atomically
    from collabsync.report.reporting import history_path

    with History(history_path(ws.home)) as store:
        run = report_instance(ws, record, ["md"], today=today, store=store, save=True)
    path = final_report_path(ws.home, record.name)
    private_dir(path.parent)
    write_atomically(path, run.texts["md"])
