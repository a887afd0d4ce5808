"""Publishing the joint status into each department's tool, once per day, journaled like every other write.

One row per (instance, department, day) in the ledger's `publications` table: `pending` before the
request, `done` with the tool's ref after. A second run the same day edits that row's entry; a row
left `pending` (the reply was lost) is settled by looking for the entry's marker in the tool first,
so a lost reply never becomes a second entry. Rows of earlier days are the history.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from collabsync.errors import CollabsyncError, LedgerError, NotFoundError
from collabsync.ledger import ObjectState
from collabsync.model import Container
from collabsync.providers.base import Capability
from collabsync.redact import redact
from collabsync.report.publish_entry import StatusEntry, compose

if TYPE_CHECKING:
    from collabsync.ledger import Ledger
    from collabsync.providers.base import Published
    from collabsync.report.rollup_model import Report
    from collabsync.runtime import Workspace

__all__ = ["Publication", "Target", "Outcome", "plan", "publish", "history"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS publications (
    instance TEXT NOT NULL, department TEXT NOT NULL, day TEXT NOT NULL, provider TEXT NOT NULL,
    ref TEXT, url TEXT NOT NULL DEFAULT '', state TEXT NOT NULL, health TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL DEFAULT '', edits INTEGER NOT NULL DEFAULT 0, updated_at TEXT NOT NULL,
    PRIMARY KEY (instance, department, day)
);
"""


@dataclass(frozen=True)
class Publication:
    """One department's entry of one day as the ledger knows it."""

    instance: str
    department: str
    day: str
    provider: str
    ref: str | None
    url: str
    state: ObjectState
    health: str
    text: str
    edits: int
    updated_at: str


@dataclass(frozen=True)
class Target:
    """Where one department's entry goes and what the run will do there (`add`, `edit`, `settle`, `skip`)."""

    department: str
    provider: str
    container: Container
    action: str
    entry: StatusEntry
    why: str = ""


@dataclass(frozen=True)
class Outcome:
    """What happened to one department's entry."""

    department: str
    provider: str
    action: str
    ref: str | None = None
    url: str = ""
    error: str | None = None


def _table(ledger: Ledger) -> sqlite3.Connection:
    try:
        ledger.db.executescript(_SCHEMA)
    except sqlite3.Error as exc:
        raise LedgerError(f"cannot prepare the publications table in {ledger.path}: {exc}") from None
    return ledger.db


def _row(ledger: Ledger, instance: str, department: str, day: dt.date) -> Publication | None:
    row = (
        _table(ledger)
        .execute(
            "SELECT * FROM publications WHERE instance = ? AND department = ? AND day = ?",
            (instance, department, day.isoformat()),
        )
        .fetchone()
    )
    return _publication(row) if row else None


def history(ledger: Ledger, instance: str) -> list[Publication]:
    """Every entry published for an instance, newest day first."""
    rows = (
        _table(ledger)
        .execute("SELECT * FROM publications WHERE instance = ? ORDER BY day DESC, department", (instance,))
        .fetchall()
    )
    return [_publication(r) for r in rows]


def _publication(row: tuple[Any, ...]) -> Publication:
    data = list(row)
    data[6] = ObjectState(data[6])
    return Publication(*data)


def plan(ws: Workspace, report: Report, *, report_url: str = "") -> list[Target]:
    """Per department of the report: its tool, container and whether today's entry is added or edited."""
    out: list[Target] = []
    names = {g.name for g in report.departments}
    for department, provider_name, container in ws.ledger.containers(report.instance):
        if department not in names:
            continue
        entry = compose(report, department, report_url=report_url)
        if Capability.PUBLISH not in ws.provider_type(provider_name).capabilities:
            out.append(Target(department, provider_name, container, "skip", entry, "the tool cannot take a status"))
            continue
        row = _row(ws.ledger, report.instance, department, report.today)
        action = "add" if row is None else ("settle" if row.state != ObjectState.DONE or not row.ref else "edit")
        out.append(Target(department, provider_name, container, action, entry))
    return out


def publish(ws: Workspace, targets: list[Target]) -> Iterator[Outcome]:
    """Write each target's entry; one department failing does not stop the others."""
    for target in targets:
        if target.action == "skip":
            yield Outcome(target.department, target.provider, "skip", error=None)
            continue
        try:
            yield _one(ws, target)
        except CollabsyncError as exc:
            yield Outcome(target.department, target.provider, target.action, error=redact(str(exc)))


def _one(ws: Workspace, target: Target) -> Outcome:
    entry = target.entry
    provider = ws.provider(target.provider)
    row = _row(ws.ledger, entry.instance, entry.department, entry.day)
    _journal(ws.ledger, entry, target.provider)  # pending before the request
    done: Published
    if row is not None and row.state == ObjectState.DONE and row.ref:
        try:
            done, action = provider.edit_status(target.container, row.ref, entry), "edit"
        except NotFoundError:  # someone deleted the day's entry in the tool: add it again
            done, action = provider.publish_status(target.container, entry), "add"
    else:  # first write of the day, or an earlier one whose reply was lost: look before writing
        found = provider.find_status(target.container, entry) if row is not None else None
        if found is not None:
            done, action = provider.edit_status(target.container, found.ref, entry), "edit"
        else:
            done, action = provider.publish_status(target.container, entry), "add"
    _confirm(ws.ledger, entry, done, edited=action == "edit")
    return Outcome(entry.department, target.provider, action, done.ref, done.url)


def _journal(ledger: Ledger, entry: StatusEntry, provider: str) -> None:
    _table(ledger).execute(
        "INSERT INTO publications (instance, department, day, provider, state, health, text, updated_at)"
        f" VALUES (?,?,?,?, '{ObjectState.PENDING}', ?, ?, ?) ON CONFLICT(instance, department, day) DO UPDATE SET"
        f" state = '{ObjectState.PENDING}', provider = excluded.provider, updated_at = excluded.updated_at",
        (entry.instance, entry.department, entry.day.isoformat(), provider, entry.health, entry.markdown(), _now()),
    )


def _confirm(ledger: Ledger, entry: StatusEntry, done: Published, *, edited: bool) -> None:
    _table(ledger).execute(
        f"UPDATE publications SET state = '{ObjectState.DONE}', ref = ?, url = ?, health = ?, text = ?, edits = edits + ?,"
        " updated_at = ? WHERE instance = ? AND department = ? AND day = ?",
        (
            done.ref,
            done.url,
            entry.health,
            entry.markdown(),
            1 if edited else 0,
            _now(),
            entry.instance,
            entry.department,
            entry.day.isoformat(),
        ),
    )


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
