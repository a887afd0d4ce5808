"""Committing the ledger's outcome rows in groups: a mixin, so when rows commit stays apart from what they say."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

__all__ = ["GroupedCommits"]


class GroupedCommits:
    """Bounds on how far apart outcome rows commit; the Ledger sets `db` and `_group` in its __init__."""

    db: sqlite3.Connection
    _group: list[float] | None
    _queued: dict[str, list[Sequence[Any]]]

    @contextmanager
    def grouped(self, max_rows: int = 500, max_seconds: float = 0.2) -> Iterator[None]:
        """Commit outcome rows (record, record_link, confirm_subwrites) together, at most max_rows or max_seconds apart.

        A commit per row costs more than the row on a fast tool (the local provider writes 10,000 tasks in
        a second); on a slow tool each row still commits on its own, as max_seconds passes between rows.
        Rows lost to a crash inside a group stay `pending`, which the stamper reconciles by marker. Only
        those three writes may run inside (each its own table, so a group's rows go in one executemany per
        statement); whatever happens, what was recorded is committed on exit.
        """
        if self._group is not None:
            yield
            return
        self.db.execute("BEGIN")
        self._group = [0, time.monotonic(), max_rows, max_seconds]
        self._queued = {}
        try:
            yield
        finally:
            self._group = None
            try:
                self._flush()
            finally:
                self.db.execute("COMMIT")

    def _write(self, sql: str, params: Sequence[Any]) -> None:
        """One outcome row: executed at once outside grouped(); inside, queued and committed with its group."""
        group = self._group
        if group is None:
            self.db.execute(sql, params)
            return
        self._queued.setdefault(sql, []).append(params)
        group[0] += 1
        if group[0] >= group[2] or time.monotonic() - group[1] >= group[3]:
            self._flush()
            self.db.execute("COMMIT")
            self.db.execute("BEGIN")
            group[0], group[1] = 0, time.monotonic()

    def _flush(self) -> None:
        """The queued rows into the open transaction, in the order they came per statement."""
        queued, self._queued = self._queued, {}
        for sql, rows in queued.items():
            self.db.executemany(sql, rows)
