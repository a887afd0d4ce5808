"""A plan's outline kept beside it in the ledger, so reading an instance back never parses the whole plan (issue 17).

`status` of 100,000 tasks needs of the plan only its departments and, per task key, its position and
department; parsing the plan's JSON into dataclasses cost more than the rest of the command. The outline
is a row of `plan_outlines`, written with the plan by `Ledger.save_instance`. Triggers on `instances`
delete it whenever the plan changes or the row goes, whichever collabsync version writes, so an outline
is never older than its plan; a plan without one (a ledger from before outlines) is parsed once and its
outline stored then.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from collabsync.ledger_rows import OUTLINE_SCHEMA
from collabsync.plan_columns import ReportPlan, StoredColumns, columns_of, lean_plan

if TYPE_CHECKING:  # a template's record, imported where a plan is read: a tracked read builds none (issue 17)
    from collabsync.model_specs import ProjectSpec

__all__ = ["PlanOutline", "StoredPlan", "OUTLINE_SCHEMA", "outline_to_json"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlanOutline:
    """What reading an instance back needs of its plan: departments, and each key's place and department."""

    departments: tuple[str, ...]
    position: dict[str, int]  # the last task of a key, as the read-back's sort always took it
    first: dict[str, int]  # the first task of a key, as ProjectSpec.task finds it (the same dict: keys are unique)
    of: list[str]  # the department of the task at each position

    @classmethod
    def of_spec(cls, spec: ProjectSpec) -> PlanOutline:
        """The outline of a parsed plan."""
        return cls._build(spec.departments, [t.key for t in spec.tasks], [t.department for t in spec.tasks])

    @classmethod
    def _build(cls, departments: tuple[str, ...], keys: list[str], of: list[str]) -> PlanOutline:
        """The lookups from the plan's keys and departments in task order (dict() keeps the last of a key)."""
        position = dict(zip(keys, range(len(keys)), strict=True))
        first = position if len(position) == len(keys) else {k: i for i, k in reversed(list(enumerate(keys)))}
        if len(of) != len(keys):
            raise ValueError("an outline needs a department per key")
        return cls(departments, position, first, of)

    def department(self, key: str | None) -> str | None:
        """The plan's department of a task key, or None."""
        at = self.first.get(key) if key else None
        return None if at is None else self.of[at]


def outline_to_json(spec: ProjectSpec) -> str:
    """The stored outline of a plan: departments, keys in task order, each key's department as an index."""
    names = list(dict.fromkeys(t.department for t in spec.tasks))
    index = {name: i for i, name in enumerate(names)}
    return json.dumps(
        {
            "version": 1,
            "departments": list(spec.departments),
            "keys": [t.key for t in spec.tasks],
            "names": names,
            "of": [index[t.department] for t in spec.tasks],
        },
        separators=(",", ":"),
    )


def outline_from_json(text: str) -> PlanOutline | None:
    """Inverse of outline_to_json; None for a form this version does not know (the plan is parsed instead)."""
    try:
        data = json.loads(text)
        if data.get("version") != 1:
            return None
        names = data["names"]
        return PlanOutline._build(tuple(data["departments"]), data["keys"], [names[i] for i in data["of"]])
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


class StoredPlan:
    """An instance's plan left in the ledger until it is needed: its outline came with the row, the plan comes on use.

    It reads the plan through a connection of its own, so it also works after the Ledger is closed (the CLI
    renders once the workspace is gone). Only read paths get one: a write path reads the plan with the row.
    """

    def __init__(self, path: Path, instance: str, outline: PlanOutline | None) -> None:
        self.path, self.instance = path, instance
        self._outline = outline
        self._spec: ProjectSpec | None = None
        self._text_read: str | None = None  # the plan's text as parsed, until its columns are stored
        self._loaded = False

    def load(self, *, keep_text: bool = False) -> ProjectSpec | None:
        """The plan, parsed once (None when the instance is gone or has none); `keep_text` holds on to the plan's
        text until the report's columns are stored (only then: it is 27 MB for 100,000 tasks)."""
        if not self._loaded:
            text = self._text()
            self._text_read = text if keep_text else None
            self._spec = self._parse(text) if text else None
            self._loaded = True
            if self._spec is not None and self._outline is None and text:
                self._outline = PlanOutline.of_spec(self._spec)
                self._store_outline(text)
        return self._spec

    def report_plan(self) -> ReportPlan | None:
        """What the report reads of the plan: from `plan_columns` (no full parse), else the parsed plan, whose
        columns are then stored for the next run (a ledger from before plan_columns, or one an older version wrote)."""
        if self._loaded:
            return self._spec
        db = self._connect()
        try:
            row = db.execute(
                "SELECT head, keys, depends_on, ints FROM plan_columns WHERE instance = ?", (self.instance,)
            ).fetchone()
        except sqlite3.Error:  # a ledger no version with plan_columns opened for writing: parsed as before
            row = None
        finally:
            db.close()
        known = self._outline.position if self._outline is not None else None  # its key strings, shared with the read's
        lean = lean_plan(StoredColumns(*row), known) if row else None
        if lean is not None:
            return lean
        spec = self.load(keep_text=True)
        if spec is not None:
            self._store_columns(spec)
        return spec

    @property
    def outline(self) -> PlanOutline | None:
        """The outline, from the ledger's row or else from the parsed plan."""
        if self._outline is None and not self._loaded:
            self.load()
        return self._outline

    def _connect(self) -> sqlite3.Connection:
        from collabsync.errors import LedgerError
        from collabsync.ledger import RECOVER

        try:
            return sqlite3.connect(str(self.path), timeout=30, isolation_level=None)
        except sqlite3.Error as exc:
            raise LedgerError(f"cannot open ledger {self.path}: {exc}; {RECOVER}") from None

    def _text(self) -> str | None:
        db = self._connect()
        try:
            row = db.execute("SELECT spec FROM instances WHERE name = ?", (self.instance,)).fetchone()
        finally:
            db.close()
        return row[0] if row else None

    def _parse(self, text: str) -> ProjectSpec:
        from collabsync.errors import LedgerError
        from collabsync.ledger import RECOVER
        from collabsync.ledger_rows import spec_from_json

        try:
            return spec_from_json(text)
        except (ValueError, KeyError, TypeError) as exc:
            raise LedgerError(
                f"ledger {self.path}: the row of instance {self.instance!r} is unreadable ({type(exc).__name__}); "
                f"{RECOVER}"
            ) from None

    def _store_columns(self, spec: ProjectSpec) -> None:
        """Keep the report's columns of a plan read without them, unless the plan changed since it was read."""
        text, self._text_read = self._text_read, None
        columns = columns_of(spec)
        if columns is None or text is None:
            return
        db = self._connect()
        try:
            db.execute(
                "INSERT OR IGNORE INTO plan_columns (instance, head, keys, depends_on, ints)"
                " SELECT name, ?, ?, ?, ? FROM instances WHERE name = ? AND spec = ?",
                (columns.head, columns.keys, columns.depends_on, columns.ints, self.instance, text),
            )
        except sqlite3.Error as exc:  # a read-only home, a busy ledger, no such table: parsed again next time
            log.debug("could not store the plan columns of %s: %s", self.instance, exc)
        finally:
            db.close()

    def _store_outline(self, text: str) -> None:
        """Keep the outline of a plan stored before outlines existed, unless the plan changed since it was read."""
        assert self._spec is not None
        db = self._connect()
        try:
            db.execute(
                "INSERT OR IGNORE INTO plan_outlines (instance, outline)"
                " SELECT name, ? FROM instances WHERE name = ? AND spec = ?",
                (outline_to_json(self._spec), self.instance, text),
            )
        except sqlite3.Error as exc:  # a read-only home, a busy ledger: the plan is parsed again next time
            log.debug("could not store the plan outline of %s: %s", self.instance, exc)
        finally:
            db.close()
