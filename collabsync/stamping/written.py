"""What collabsync last wrote per task, and which template content an instance was stamped from.

Drift, reschedule and template upgrades must tell a hand edit in a tool from a change of the template:
a field whose tool value differs from what we last wrote was edited by a person. A field update is
journaled `pending` (with its target) before the request, so a run cut short recognises its own write
on resume instead of calling it a hand edit. Tables live in the ledger file, created on first use.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from collabsync.model import ProjectSpec, TaskChange

if TYPE_CHECKING:  # pragma: no cover
    from collabsync.ledger import Ledger
    from collabsync.templating.template import Template

__all__ = ["Written", "WrittenLog", "fingerprint"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS template_stamps (
    instance TEXT PRIMARY KEY, template TEXT NOT NULL, content_hash TEXT NOT NULL, version TEXT NOT NULL,
    path TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS written (
    instance TEXT NOT NULL, key TEXT NOT NULL, title TEXT, start TEXT, due TEXT, assignee TEXT,
    pending TEXT, updated_at TEXT NOT NULL, PRIMARY KEY (instance, key)
);
CREATE TABLE IF NOT EXISTS closed_containers (
    instance TEXT NOT NULL, provider TEXT NOT NULL, ref TEXT NOT NULL, outcome TEXT NOT NULL,
    updated_at TEXT NOT NULL, PRIMARY KEY (instance, provider, ref)
);
"""

_FIELDS = ("title", "start", "due", "assignee")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else value


def fingerprint(template: Template) -> tuple[str, str]:
    """(content hash, version) of a template: the hash of its parsed content; its `version`, else the hash's head."""
    digest = hashlib.sha256(json.dumps(template.data, sort_keys=True, default=str).encode()).hexdigest()
    return digest, str(template.data.get("version") or digest[:12])


@dataclass(frozen=True)
class Written:
    """One task's fields as collabsync last wrote them, plus the target of a write whose outcome is unknown."""

    key: str
    title: str | None
    start: dt.date | None
    due: dt.date | None
    assignee: str | None
    pending: dict[str, Any] | None

    def value(self, name: str) -> Any:
        """A field by neutral name."""
        return getattr(self, name)


class WrittenLog:
    """The day-two journal inside the ledger file."""

    def __init__(self, ledger: Ledger) -> None:
        self.db = ledger.db
        self.db.executescript(_SCHEMA)

    # -- template content ------------------------------------------------------------------------
    def record_template(self, instance: str, template: Template) -> None:
        """Say which template content (hash, version, file) the instance now follows."""
        content_hash, version = fingerprint(template)
        self.db.execute(
            "INSERT OR REPLACE INTO template_stamps VALUES (?,?,?,?,?,?)",
            (instance, template.name, content_hash, version, template.path, _now()),
        )

    def stamped(self, instance: str, template: Template, spec: ProjectSpec) -> None:
        """After a stamp or upgrade: the template it followed, and the values of tasks not journaled yet."""
        self.record_template(instance, template)
        self.seed(instance, spec)

    def template_of(self, instance: str) -> dict[str, str] | None:
        """The content hash, version and file the instance was last stamped or upgraded from, when recorded."""
        row = self.db.execute(
            "SELECT content_hash, version, path FROM template_stamps WHERE instance = ?", (instance,)
        ).fetchone()
        return {"hash": row[0], "version": row[1], "path": row[2]} if row else None

    # -- per-task values ---------------------------------------------------------------------------
    def seed(self, instance: str, spec: ProjectSpec) -> None:
        """Record a stamped spec's values for tasks not journaled yet (instances stamped before this journal)."""
        now = _now()
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany(
                "INSERT OR IGNORE INTO written (instance, key, title, start, due, assignee, updated_at)"
                " VALUES (?,?,?,?,?,?,?)",
                [(instance, t.key, t.title, _iso(t.start), _iso(t.due), t.assignee, now) for t in spec.tasks],
            )

    def of(self, instance: str) -> dict[str, Written]:
        """Every journaled task of an instance."""
        rows = self.db.execute(
            "SELECT key, title, start, due, assignee, pending FROM written WHERE instance = ?", (instance,)
        ).fetchall()
        return {
            k: Written(k, title, _day(start), _day(due), assignee, json.loads(p) if p else None)
            for k, title, start, due, assignee, p in rows
        }

    def mark_pending(self, instance: str, changes: list[TaskChange]) -> None:
        """Before the requests: the targets of these updates, so a lost reply is recognised on resume."""
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany(
                "UPDATE written SET pending = ?, updated_at = ? WHERE instance = ? AND key = ?",
                [(json.dumps({k: _iso(v) for k, v in c.fields().items()}), _now(), instance, c.key) for c in changes],
            )

    def confirm(self, instance: str, change: TaskChange) -> None:
        """The tool holds the change: it becomes what we last wrote."""
        values = {k: _iso(v) for k, v in change.fields().items()}
        sets = "".join(f", {k} = ?" for k in values)
        self.db.execute(
            f"UPDATE written SET pending = NULL, updated_at = ?{sets} WHERE instance = ? AND key = ?",
            (_now(), *values.values(), instance, change.key),
        )

    def record_task(self, instance: str, key: str, values: dict[str, Any]) -> None:
        """Journal a task created after the first stamp (upgrade), or re-adopt a field as ours."""
        self.db.execute(
            "INSERT OR IGNORE INTO written (instance, key, updated_at) VALUES (?,?,?)", (instance, key, _now())
        )
        for name, value in values.items():
            if name in _FIELDS:
                self.db.execute(
                    f"UPDATE written SET {name} = ? WHERE instance = ? AND key = ?", (_iso(value), instance, key)
                )

    # -- closing -----------------------------------------------------------------------------------
    def closed(self, instance: str) -> dict[tuple[str, str], str]:
        """(provider, container ref) -> what archiving did, for containers already closed."""
        rows = self.db.execute("SELECT provider, ref, outcome FROM closed_containers WHERE instance = ?", (instance,))
        return {(p, r): o for p, r, o in rows.fetchall()}

    def record_closed(self, instance: str, provider: str, ref: str, outcome: str) -> None:
        """A container is archived in its tool."""
        self.db.execute(
            "INSERT OR REPLACE INTO closed_containers VALUES (?,?,?,?,?)", (instance, provider, ref, outcome, _now())
        )

    def forget(self, instance: str) -> None:
        """Remove an instance's rows."""
        with self.db:
            self.db.execute("BEGIN")
            for table in ("template_stamps", "written", "closed_containers"):
                self.db.execute(f"DELETE FROM {table} WHERE instance = ?", (instance,))


def _day(value: str | None) -> dt.date | None:
    """A stored ISO date back as a date."""
    return dt.date.fromisoformat(value) if value else None
