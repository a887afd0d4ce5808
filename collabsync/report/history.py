"""Report snapshots in SQLite, so a report can show a burn-up, what changed and when a tool last answered."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import astuple, dataclass, field, fields
from operator import attrgetter
from pathlib import Path
from typing import Any

from collabsync.errors import LedgerError
from collabsync.model import Task
from collabsync.private import private_file
from collabsync.report.history_columns import COLUMNS_SCHEMA, StoredColumns, TaskColumns, save_columns, stored_columns
from collabsync.report.history_diff import diff
from collabsync.report.history_tasks import TASKS_SCHEMA, load_tasks
from collabsync.report.rollup_model import Report, jsonable

__all__ = [
    "History",
    "Snapshot",
    "Headline",
    "Past",
    "diff",
    "looking_back",
    "HISTORY_FILE",
    "stored_report",
]

HISTORY_FILE = "history.sqlite"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS snapshots (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    instance TEXT NOT NULL,
    taken_at TEXT NOT NULL,
    today TEXT NOT NULL,
    health TEXT NOT NULL,
    total INTEGER NOT NULL,
    done INTEGER NOT NULL,
    overdue INTEGER NOT NULL,
    blocked INTEGER NOT NULL,
    percent_done REAL NOT NULL,
    weight_total REAL NOT NULL,
    weight_done REAL NOT NULL,
    planned_share REAL,
    variance_days REAL,
    projected_finish TEXT,
    target TEXT,
    report TEXT NOT NULL,
    tasks TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS snapshots_instance ON snapshots (instance, id);
CREATE TABLE IF NOT EXISTS snapshot_departments (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
    department TEXT NOT NULL,
    stale INTEGER NOT NULL,
    health TEXT NOT NULL,
    percent_done REAL NOT NULL,
    PRIMARY KEY (snapshot_id, department)
);
"""
_HEADLINE_COLUMNS = (
    "id",
    "taken_at",
    "today",
    "health",
    "total",
    "done",
    "overdue",
    "blocked",
    "percent_done",
    "weight_total",
    "weight_done",
    "planned_share",
    "variance_days",
    "projected_finish",
    "target",
)


@dataclass(frozen=True)
class Headline:
    """The numbers of one snapshot that a list or a burn-up needs."""

    id: int
    taken_at: dt.datetime
    today: dt.date
    health: str
    total: int
    done: int
    overdue: int
    blocked: int
    percent_done: float
    weight_total: float
    weight_done: float
    planned_share: float | None
    variance_days: float | None
    projected_finish: dt.date | None
    target: dt.date | None


@dataclass
class Snapshot:
    """One stored report run: its tasks and which departments were stale (id None until saved)."""

    instance: str
    taken_at: dt.datetime
    today: dt.date
    tasks: Sequence[Task]
    stale_departments: list[str] = field(default_factory=list)
    id: int | None = None

    @classmethod
    def of(cls, instance: str, report: Report, tasks: list[Task], taken_at: dt.datetime | None = None) -> Snapshot:
        """An unsaved snapshot of a report run (for diffs without storing)."""
        when = taken_at or report.generated_at or dt.datetime.now(dt.UTC)
        return cls(instance, when, report.today, list(tasks), list(report.stale_departments))


@dataclass
class Past:
    """What the store holds for an instance before this run: the report's burn-up, trends and changes start here."""

    headlines: list[Headline] = field(default_factory=list)
    previous: Snapshot | None = None
    trends: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    id: int | None = None  # the id this run will be stored under; None when it is not stored
    #: This run's tasks as columns, when the diff made them (the save then stores them without encoding again).
    encoded: TaskColumns | None = field(default=None, repr=False, compare=False)


class History:
    """The snapshot store of one collabsync home (one SQLite file, WAL)."""

    def __init__(self, path: Path) -> None:
        path = Path(path)
        if path.is_dir():
            path = path / HISTORY_FILE
        private_file(path)
        self.path = path
        self._past: Past | None = None  # the last past() given out: its diff's columns serve the save
        try:
            self.db = sqlite3.connect(str(path), timeout=10.0, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.executescript(_SCHEMA + TASKS_SCHEMA + COLUMNS_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise LedgerError(
                f"cannot open report history {path}: {exc}; restore it from a backup, or move it "
                "away to start a new history (earlier snapshots and burn-up are then gone)"
            ) from None

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def past(self, instance: str, *, save: bool = True) -> Past:
        """What a report of this instance needs from earlier runs (build_report's `past`); with save, the id the
        run will be stored under (save_snapshot then uses it, so the report names its own snapshot)."""
        self._past = Past(
            self.list_snapshots(instance),
            self.previous(instance),
            self.trends(instance),
            self._next_id() if save else None,
        )
        return self._past

    def save_snapshot(
        self,
        instance: str,
        report: Report,
        tasks: list[Task],
        taken_at: dt.datetime | None = None,
        snapshot_id: int | None = None,
    ) -> Snapshot:
        """Store a report run with its tasks (under `snapshot_id` when still free); returns the saved snapshot."""
        snap = Snapshot.of(instance, report, tasks, taken_at)
        encoded, self._past = (self._past.encoded if self._past else None), None
        if encoded is not None and not encoded.holds(snap.tasks):
            encoded = None
        # the headline's fields are the table's columns from taken_at to target, in order; dates as ISO text
        numbers = [v.isoformat() if isinstance(v, dt.date) else v for v in astuple(_headline(report, snap))[1:]]
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            if snapshot_id is not None and snapshot_id != self._next_id():
                snapshot_id = None  # another process stored a snapshot since past(): take the next free id
            cur = self.db.execute(
                "INSERT INTO snapshots (id, instance, taken_at, today, health, total, done, overdue, blocked,"
                " percent_done, weight_total, weight_done, planned_share, variance_days, projected_finish, target,"
                " report, tasks) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    snapshot_id,
                    instance,
                    *numbers,
                    json.dumps(stored_report(report)),
                    "",  # the tasks are in snapshot_columns, each column stored once (history_columns)
                ),
            )
            snap.id = int(cur.lastrowid or 0)
            save_columns(self.db, snap.id, snap.tasks, encoded)
            self.db.executemany(
                "INSERT INTO snapshot_departments (snapshot_id, department, stale, health, percent_done)"
                " VALUES (?,?,?,?,?)",
                [(snap.id, g.name, int(g.stale), g.health, g.counts["percent_done"]) for g in report.departments],
            )
        return snap

    def list_snapshots(self, instance: str) -> list[Headline]:
        """Every snapshot of an instance with its headline numbers, oldest first."""
        rows = self.db.execute(
            f"SELECT {', '.join(_HEADLINE_COLUMNS)} FROM snapshots WHERE instance = ? ORDER BY id", (instance,)
        ).fetchall()
        return [self._to_headline(row) for row in rows]

    def previous(self, instance: str, before: int | None = None) -> Snapshot | None:
        """The latest snapshot of an instance (or the latest before snapshot id `before`)."""
        sql = "SELECT id FROM snapshots WHERE instance = ?"
        args: list[str | int] = [instance]
        if before is not None:
            sql += " AND id < ?"
            args.append(before)
        row = self.db.execute(sql + " ORDER BY id DESC LIMIT 1", args).fetchone()
        return self.snapshot(row[0]) if row else None

    def snapshot(self, snapshot_id: int) -> Snapshot:
        """One stored snapshot with its tasks (read from the store while it is open); KeyError if unknown."""
        row = self.db.execute(
            "SELECT instance, taken_at, today, tasks FROM snapshots WHERE id = ?", (snapshot_id,)
        ).fetchone()
        if row is None:
            raise KeyError(snapshot_id)
        stale = [
            r[0]
            for r in self.db.execute(
                "SELECT department FROM snapshot_departments WHERE snapshot_id = ? AND stale = 1 ORDER BY department",
                (snapshot_id,),
            )
        ]
        tasks = None if row[3] else stored_columns(self.db, snapshot_id)
        return Snapshot(
            row[0],
            dt.datetime.fromisoformat(row[1]),
            dt.date.fromisoformat(row[2]),
            tasks if tasks is not None else load_tasks(self.db, row[0], snapshot_id, row[3]),
            stale,
            snapshot_id,
        )

    def report_json(self, snapshot_id: int) -> dict[str, Any]:
        """The stored JSON report of a snapshot (see stored_report); KeyError if unknown."""
        row = self.db.execute("SELECT report FROM snapshots WHERE id = ?", (snapshot_id,)).fetchone()
        if row is None:
            raise KeyError(snapshot_id)
        return json.loads(row[0])

    def last_good(self, instance: str, department: str) -> dt.datetime | None:
        """When a department's tool last answered in a stored report (None if never)."""
        row = self.db.execute(
            "SELECT s.taken_at FROM snapshots s JOIN snapshot_departments d ON d.snapshot_id = s.id"
            " WHERE s.instance = ? AND d.department = ? AND d.stale = 0 ORDER BY s.id DESC LIMIT 1",
            (instance, department),
        ).fetchone()
        return dt.datetime.fromisoformat(row[0]) if row else None

    def last_good_tasks(self, instance: str, department: str) -> list[Task]:
        """A department's tasks from its last fresh snapshot, to show when its tool is down."""
        row = self.db.execute(
            "SELECT s.id FROM snapshots s JOIN snapshot_departments d ON d.snapshot_id = s.id"
            " WHERE s.instance = ? AND d.department = ? AND d.stale = 0 ORDER BY s.id DESC LIMIT 1",
            (instance, department),
        ).fetchone()
        if row is None:
            return []
        return [t for t in self.snapshot(row[0]).tasks if t.department == department]

    def _next_id(self) -> int:
        """The id the next stored snapshot gets (AUTOINCREMENT: one past the highest ever used)."""
        row = self.db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'snapshots'").fetchone()
        return int(row[0]) + 1 if row else 1

    def trends(self, instance: str) -> dict[str, list[dict[str, Any]]]:
        """Per department, the health and percent done of every stored snapshot, oldest first."""
        rows = self.db.execute(
            "SELECT d.department, s.today, d.health, d.percent_done FROM snapshot_departments d"
            " JOIN snapshots s ON s.id = d.snapshot_id WHERE s.instance = ? ORDER BY s.id",
            (instance,),
        ).fetchall()
        out: dict[str, list[dict[str, Any]]] = {}
        for department, today, health, percent_done in rows:
            out.setdefault(department, []).append({"today": today, "health": health, "percent_done": percent_done})
        return out

    def _to_headline(self, row: tuple[Any, ...]) -> Headline:
        data = dict(zip(_HEADLINE_COLUMNS, row, strict=True))
        data["taken_at"] = dt.datetime.fromisoformat(data["taken_at"])
        data["today"] = dt.date.fromisoformat(data["today"])
        for key in ("projected_finish", "target"):
            data[key] = dt.date.fromisoformat(data[key]) if data[key] else None
        return Headline(**data)


_TASK_LISTS = ("tasks", "overdue", "due_soon", "blocked", "waiting")
_ID = attrgetter("id")


def stored_report(report: Report) -> dict[str, Any]:
    """The report as a snapshot keeps it: without history, trends and changes (the store holds those), its task
    lists as task ids and its critical path as ids with their finish (the snapshot's tasks hold the rest)."""
    skip = ("history", "trends", "schema_version", "critical_path", *_TASK_LISTS)
    data = {f.name: getattr(report, f.name) for f in fields(report) if f.name not in skip}
    out: dict[str, Any] = {"schema_version": report.schema_version, **jsonable(data), "changes": None}
    for name in _TASK_LISTS:
        out[name] = list(map(_ID, getattr(report, name)))
    days = {finish: finish.isoformat() for finish in {step.finish for step in report.critical_path}}
    out["critical_path"] = [
        {"task": step.task.id, "duration_days": step.duration_days, "finish": days[step.finish]}
        for step in report.critical_path
    ]  # (14,000 steps of a 100k plan end on a few hundred days)
    return out


def looking_back(
    report: Report, tasks: list[Task], past: Past
) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """A report's burn-up history, changes since the previous snapshot and per-department trends: the earlier
    runs plus this one (called by build_report, so the report is whole when it is returned)."""
    current = Snapshot.of(report.instance, report, tasks)
    current.id = past.id
    if past.previous is not None and isinstance(past.previous.tasks, StoredColumns):
        past.encoded = TaskColumns(current.tasks)  # the diff compares digests; the save stores the same columns
    history = [jsonable(h) for h in [*past.headlines, _headline(report, current)]]
    trends = {name: list(points) for name, points in past.trends.items()}
    for g in report.departments:
        trends.setdefault(g.name, []).append(
            {"today": report.today.isoformat(), "health": g.health, "percent_done": g.counts["percent_done"]}
        )
    return history, diff(past.previous, current, past.encoded).to_dict(), trends


def _headline(report: Report, current: Snapshot) -> Headline:
    o, s = report.overall, report.overall.schedule
    return Headline(
        current.id or 0,
        current.taken_at,
        report.today,
        o.health,
        o.counts["total"],
        o.counts["done"],
        o.counts["overdue"],
        o.counts["blocked"],
        o.counts["percent_done"],
        o.weight_total,
        o.weight_done,
        s.planned_share,
        s.variance_days,
        s.projected_finish,
        s.target,
    )
