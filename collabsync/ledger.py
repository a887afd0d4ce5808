"""The ledger: what collabsync created where, written the moment it exists, so re-runs never duplicate.

One SQLite file ($COLLABSYNC_HOME/ledger.sqlite). Rows for tasks go `pending` before the request that
creates them and `done` (with the tool's ref) as soon as the tool answers; a row still `pending` after
a crash means "outcome unknown", and the stamper asks the tool (by marker) before writing again.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import time
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from collabsync.errors import LedgerError
from collabsync.lazy import lazy_exports
from collabsync.ledger_group import GroupedCommits
from collabsync.ledger_records import InstanceRecord, InstanceState, ObjectState
from collabsync.ledger_rows import (
    COLUMNS_SCHEMA,
    OUTLINE_SCHEMA,
    SCHEMA,
    spec_from_json,
    spec_to_json,
    stored_container,
    stored_extra,
)
from collabsync.model import Container
from collabsync.private import private_file

if TYPE_CHECKING:  # a plan's and the journal's records, built on first use: a tracked read needs none (issue 17)
    from collabsync.ledger_objects import LinkRecord, ObjectRecord
    from collabsync.model_specs import ProjectSpec

__all__ = [
    "Ledger",
    "InstanceRecord",
    "ObjectRecord",
    "LinkRecord",
    "RECOVER",
    "ObjectState",
    "InstanceState",
    "LEDGER_FILE",
]


__getattr__ = lazy_exports(__name__, dict.fromkeys(("ObjectRecord", "LinkRecord"), "collabsync.ledger_objects"))


#: The ledger's file name in a collabsync home.
LEDGER_FILE = "ledger.sqlite"

#: What to do about a damaged ledger (docs/input-checks.md, "Corrupt files").
RECOVER = (
    "restore it from a backup, or move it away and stamp again with the same --name "
    "(the tools' markers tell collabsync what already exists)"
)


_clock: list[Any] = [None, ""]  # (second, its ISO text) last formatted: outcome rows come thousands a second


def _now() -> str:
    second = int(time.time())
    if second != _clock[0]:
        _clock[:] = [second, dt.datetime.fromtimestamp(second, dt.UTC).isoformat(timespec="seconds")]
    return str(_clock[1])


class Ledger(GroupedCommits):
    """Access to the ledger file; every write commits at once, or within a `grouped()` block's bounds."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._group: list[float] | None = None  # [rows, monotonic start, max rows, max seconds] of a grouped() block
        try:
            private_file(path)
            self.db = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA + OUTLINE_SCHEMA + COLUMNS_SCHEMA)
        except sqlite3.Error as exc:
            raise LedgerError(f"cannot open ledger {path}: {exc}; {RECOVER}") from None

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- instances ------------------------------------------------------------------------------
    def instance(self, name: str, *, lean: bool = False) -> InstanceRecord | None:
        """One instance, or None; `lean` (read paths) leaves the plan in the ledger until it is used.

        A write path keeps the default: the plan it gets is the one of this moment, whatever it writes next.
        """
        if not lean:
            row = self.db.execute("SELECT * FROM instances WHERE name = ?", (name,)).fetchone()
            return self._to_instance(row) if row else None
        row = self.db.execute(
            "SELECT i.name, i.template, i.source, i.variables, i.spec IS NOT NULL, i.state, i.created_at,"
            " i.updated_at, o.outline FROM instances i LEFT JOIN plan_outlines o ON o.instance = i.name"
            " WHERE i.name = ?",
            (name,),
        ).fetchone()
        if row is None:
            return None
        has_plan, outline = row[4], row[8]
        plan = None
        if has_plan:  # the plan's modules: imported for a stamped instance only (a tracked read needs none)
            from collabsync.ledger_plan import StoredPlan, outline_from_json

            plan = StoredPlan(self.path, name, outline_from_json(outline) if outline else None)
        return self._to_instance((*row[:4], plan, *row[5:8]))

    def instance_names(self) -> list[str]:
        """Every instance's name, oldest first, without reading their plans."""
        return [r[0] for r in self.db.execute("SELECT name FROM instances ORDER BY created_at, name").fetchall()]

    def instances(self, *, lean: bool = False) -> list[InstanceRecord]:
        """Every instance, oldest first; `lean` as for instance()."""
        if lean:
            return [r for r in map(partial(self.instance, lean=True), self.instance_names()) if r is not None]
        rows = self.db.execute("SELECT * FROM instances ORDER BY created_at, name").fetchall()
        return [self._to_instance(r) for r in rows]

    def save_instance(
        self,
        name: str,
        *,
        template: str | None,
        source: str | None,
        variables: dict[str, Any],
        spec: ProjectSpec | None,
        state: InstanceState,
    ) -> None:
        """Create or update an instance row (its plan is kept for the rollup)."""
        now = _now()
        self.db.execute("SAVEPOINT save_instance")  # the plan and its outline are written together
        try:
            self.db.execute(
                "INSERT INTO instances (name, template, source, variables, spec, state, created_at, updated_at)"
                " VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(name) DO UPDATE SET template=excluded.template,"
                " source=excluded.source, variables=excluded.variables, spec=excluded.spec,"
                " state=excluded.state, updated_at=excluded.updated_at",
                (
                    name,
                    template,
                    source,
                    json.dumps(variables, default=str),
                    spec_to_json(spec) if spec else None,
                    InstanceState(state).value,
                    now,
                    now,
                ),
            )
            if spec is not None:  # the triggers of ledger_plan and plan_columns dropped the old outline and columns
                from collabsync.ledger_plan import outline_to_json
                from collabsync.plan_columns import columns_of

                self.db.execute(
                    "INSERT INTO plan_outlines (instance, outline) VALUES (?,?)", (name, outline_to_json(spec))
                )
                columns = columns_of(spec)
                if columns is not None:
                    self.db.execute(
                        "INSERT INTO plan_columns VALUES (?,?,?,?,?)",
                        (name, columns.head, columns.keys, columns.depends_on, columns.ints),
                    )
        except BaseException:
            self.db.execute("ROLLBACK TO save_instance")
            raise
        finally:
            self.db.execute("RELEASE save_instance")

    def set_state(self, name: str, state: InstanceState) -> None:
        """Mark an instance stamping/stamped/tracked/archiving/archived."""
        self.db.execute(
            "UPDATE instances SET state = ?, updated_at = ? WHERE name = ?", (InstanceState(state).value, _now(), name)
        )

    # -- containers -----------------------------------------------------------------------------
    def containers(self, instance: str) -> list[tuple[str, str, Container]]:
        """(department, provider, container) for every container of an instance."""
        rows = self.db.execute(
            "SELECT department, provider, ref, name, url, extra FROM containers WHERE instance = ? ORDER BY rowid",
            (instance,),
        ).fetchall()
        return [(d, p, stored_container(ref, n, u, json.loads(e))) for d, p, ref, n, u, e in rows]

    def container(self, instance: str, department: str) -> tuple[str, Container] | None:
        """The (provider, container) of one department, if recorded."""
        for dept, provider, container in self.containers(instance):
            if dept == department:
                return provider, container
        return None

    def save_container(self, instance: str, department: str, provider: str, container: Container) -> None:
        """Record a container the moment it is known."""
        extra = stored_extra(container)
        self.db.execute(
            "INSERT OR REPLACE INTO containers (instance, department, provider, ref, name, url, extra) VALUES (?,?,?,?,?,?,?)",
            (instance, department, provider, container.ref, container.name, container.url, json.dumps(extra)),
        )

    def remove_container(self, instance: str, department: str, ref: str) -> int:
        """Forget a tracked container; returns rows removed."""
        cur = self.db.execute(
            "DELETE FROM containers WHERE instance = ? AND department = ? AND ref = ?", (instance, department, ref)
        )
        return cur.rowcount

    # -- objects --------------------------------------------------------------------------------
    def objects(self, instance: str, kind: str = "task", department: str | None = None) -> dict[str, ObjectRecord]:
        """Objects of a kind by key (optionally one department's)."""
        from collabsync.ledger_objects import ObjectRecord

        sql = "SELECT department, kind, key, provider, ref, url, state, error FROM objects WHERE instance = ? AND kind = ?"
        args: list[Any] = [instance, kind]
        if department is not None:
            sql += " AND department = ?"
            args.append(department)
        return {
            r[2]: ObjectRecord(r[0], r[1], r[2], r[3], r[4], r[5], ObjectState(r[6]), r[7])
            for r in self.db.execute(sql, args).fetchall()
        }

    def mark_pending(self, instance: str, department: str, provider: str, kind: str, keys: Iterable[str]) -> None:
        """Say, before the request, that these objects may come into existence."""
        now = _now()
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany(
                "INSERT INTO objects (instance, department, kind, key, provider, state, updated_at)"
                f" VALUES (?,?,?,?,?, '{ObjectState.PENDING}', ?) ON CONFLICT(instance, kind, key) DO UPDATE SET"
                f" state='{ObjectState.PENDING}', error=NULL, updated_at=excluded.updated_at"
                f" WHERE objects.state != '{ObjectState.DONE}'",
                [(instance, department, kind, k, provider, now) for k in keys],
            )

    def record(
        self,
        instance: str,
        department: str,
        provider: str,
        kind: str,
        key: str,
        *,
        ref: str | None,
        url: str = "",
        error: str | None = None,
    ) -> None:
        """Record an outcome: done with a ref, or failed with the tool's reason."""
        state = (ObjectState.DONE if ref else ObjectState.FAILED).value
        self._write(
            "INSERT INTO objects (instance, department, kind, key, provider, ref, url, state, error, updated_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT(instance, kind, key) DO UPDATE SET ref=excluded.ref,"
            " url=excluded.url, state=excluded.state, error=excluded.error, updated_at=excluded.updated_at,"
            " department=excluded.department, provider=excluded.provider",
            (instance, department, kind, key, provider, ref, url, state, error, _now()),
        )

    def keys_by_ref(self, instance: str, provider: str) -> tuple[list[str], list[str]]:
        """One tool's refs and their template keys, pair by pair, for turning its dependencies into keys (refs are
        unique per tool only); a repeated ref's last pair is the one that counts, as in a dict made of them.

        Two JSON arrays from SQLite rather than a row per task: 100,000 rows cost 0.2 s, the arrays 0.09 s (a JSON
        object 0.13 s, and a dict of them 5 MB more)."""
        refs, keys = self.db.execute(
            "SELECT json_group_array(ref), json_group_array(key) FROM objects"
            " WHERE instance = ? AND kind = 'task' AND provider = ? AND ref IS NOT NULL",
            (instance, provider),
        ).fetchone()
        return json.loads(refs), json.loads(keys)

    # -- links ----------------------------------------------------------------------------------
    def links(self, instance: str) -> dict[tuple[str, str], LinkRecord]:
        """Every recorded dependency of an instance."""
        from collabsync.ledger_objects import LinkRecord

        rows = self.db.execute(
            "SELECT blocked, blocking, kind, state, error FROM links WHERE instance = ?", (instance,)
        )
        return {(r[0], r[1]): LinkRecord(r[0], r[1], r[2], ObjectState(r[3]), r[4]) for r in rows.fetchall()}

    def cross_links(self, instance: str) -> list[tuple[str, str]]:
        """The (blocked, blocking) pairs recorded between tools, without reading every native link; in the pairs'
        order (as the links table's key gave them before the partial index), not the order they were written in.
        Sorted here: an ORDER BY makes SQLite walk the key's index over every native link instead."""
        return sorted(
            self.db.execute("SELECT blocked, blocking FROM links WHERE instance = ? AND kind = 'cross'", (instance,))
        )

    def record_link(self, instance: str, blocked: str, blocking: str, kind: str, *, error: str | None = None) -> None:
        """Record a dependency written (or failed) in the tools."""
        self._write(
            "INSERT OR REPLACE INTO links (instance, blocked, blocking, kind, state, error, updated_at) VALUES (?,?,?,?,?,?,?)",
            (
                instance,
                blocked,
                blocking,
                kind,
                (ObjectState.FAILED if error else ObjectState.DONE).value,
                error,
                _now(),
            ),
        )

    def mark_links_pending(self, instance: str, pairs: Iterable[tuple[str, str]], kind: str) -> None:
        """Say, before the request, that these links may come into existence (a done row stays done)."""
        now = _now()
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany(
                "INSERT INTO links (instance, blocked, blocking, kind, state, updated_at)"
                f" VALUES (?,?,?,?, '{ObjectState.PENDING}', ?)"
                f" ON CONFLICT(instance, blocked, blocking) DO UPDATE SET state='{ObjectState.PENDING}', error=NULL,"
                f" updated_at=excluded.updated_at WHERE links.state != '{ObjectState.DONE}'",
                [(instance, a, b, kind, now) for a, b in pairs],
            )

    # -- sub-writes: the parts of a task written after it (checklist items), journaled per task ----
    def plan_subwrites(self, instance: str, rows: Iterable[tuple[str, str, str]]) -> None:
        """Journal (task key, kind, item) writes still needed; rows already there keep their state."""
        now = _now()
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany(
                "INSERT OR IGNORE INTO subwrites (instance, owner, kind, item, state, updated_at)"
                f" VALUES (?,?,?,?, '{ObjectState.PENDING}', ?)",
                [(instance, o, k, i, now) for o, k, i in rows],
            )

    def confirm_subwrites(self, instance: str, owner: str) -> None:
        """Every sub-write of a task is confirmed in the tool."""
        self._write(
            f"UPDATE subwrites SET state = '{ObjectState.DONE}', updated_at = ? WHERE instance = ? AND owner = ?",
            (_now(), instance, owner),
        )

    def unconfirmed(self, instance: str) -> dict[str, list[tuple[str, str]]]:
        """Task key -> its (kind, item) sub-writes not yet confirmed."""
        out: dict[str, list[tuple[str, str]]] = {}
        rows = self.db.execute(
            f"SELECT owner, kind, item FROM subwrites WHERE instance = ? AND state != '{ObjectState.DONE}'"
            " ORDER BY rowid",
            (instance,),
        )
        for owner, kind, item in rows.fetchall():
            out.setdefault(owner, []).append((kind, item))
        return out

    def forget_instance(self, name: str) -> None:
        """Remove every row of an instance (the tools are left untouched)."""
        with self.db:
            self.db.execute("BEGIN")
            for table in ("objects", "links", "containers", "subwrites"):
                self.db.execute(f"DELETE FROM {table} WHERE instance = ?", (name,))
            self.db.execute("DELETE FROM instances WHERE name = ?", (name,))

    def _to_instance(self, row: tuple[Any, ...]) -> InstanceRecord:
        name, template, source, variables, spec, state, created, updated = row
        try:
            return InstanceRecord(
                name,
                template,
                source,
                json.loads(variables or "{}"),
                spec_from_json(spec) if isinstance(spec, str) and spec else spec or None,
                InstanceState(state),
                created,
                updated,
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise LedgerError(
                f"ledger {self.path}: the row of instance {name!r} is unreadable ({type(exc).__name__}); {RECOVER}"
            ) from None
