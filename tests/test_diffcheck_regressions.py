"""Answers the differential run (bench/diffcheck.py) found changed by issue 17's rewrites, pinned to the old code's."""

from __future__ import annotations

from pathlib import Path

from collabsync.ledger import Ledger


def test_cross_links_come_in_key_order_not_write_order(tmp_path: Path) -> None:
    """Before the partial index (ae3a7dc) the pairs came by the table's key; the report's warnings and each task's
    depends_on follow this order, so a link written again (INSERT OR REPLACE) must not move it."""
    written = [("t8", "t3"), ("t10", "t9"), ("t8", "t0"), ("t2", "t1")]
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        for blocked, blocking in written:
            ledger.record_link("inst", blocked, blocking, "cross")
        ledger.record_link("inst", "a", "b", "native")
        ledger.record_link("other", "a0", "b0", "cross")
        ledger.record_link("inst", "t10", "t9", "cross")  # written again: last by rowid
        assert ledger.cross_links("inst") == sorted(written)
