"""Committing the ledger's outcome rows in groups: a mixin, so when rows commit stays apart from what they say."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["GroupedCommits"]


class GroupedCommits:
    """Bounds on how far apart outcome rows commit; the Ledger sets `db` and `_group` in its __init__."""

    db: sqlite3.Connection
    _group: list[float] | None

    @contextmanager
    def grouped(self, max_rows: int = 500, max_seconds: float = 0.2) -> Iterator[None]:
        """Commit outcome rows (record, record_link, confirm_subwrites) together, at most max_rows or max_seconds apart.

        A commit per row costs more than the row on a fast tool (the local provider writes 10,000 tasks in
        a second); on a slow tool each row still commits on its own, as max_seconds passes between rows.
        Rows lost to a crash inside a group stay `pending`, which the stamper reconciles by marker. Only
        those three writes may run inside; whatever happens, what was recorded is committed on exit.
        """
        if self._group is not None:
            yield
            return
        self.db.execute("BEGIN")
        self._group = [0, time.monotonic(), max_rows, max_seconds]
        try:
            yield
        finally:
            self._group = None
            self.db.execute("COMMIT")

    def _wrote(self) -> None:
        """Inside grouped(): commit when the group is full or old enough."""
        group = self._group
        if group is None:
            return
        group[0] += 1
        if group[0] >= group[2] or time.monotonic() - group[1] >= group[3]:
            self.db.execute("COMMIT")
            self.db.execute("BEGIN")
            group[0], group[1] = 0, time.monotonic()
