"""Ledger states are enums, stored as the strings earlier versions wrote: an existing ledger reads back."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from collabsync.ledger import InstanceState, Ledger, ObjectState

#: The ledger as version 0.1.0 wrote it (the tables collabsync reads states from).
OLD_LEDGER = """
CREATE TABLE instances (name TEXT PRIMARY KEY, template TEXT, source TEXT, variables TEXT NOT NULL DEFAULT '{}',
    spec TEXT, state TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE objects (instance TEXT NOT NULL, department TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL,
    provider TEXT NOT NULL, ref TEXT, url TEXT NOT NULL DEFAULT '', state TEXT NOT NULL, error TEXT,
    updated_at TEXT NOT NULL, PRIMARY KEY (instance, kind, key));
CREATE TABLE links (instance TEXT NOT NULL, blocked TEXT NOT NULL, blocking TEXT NOT NULL, kind TEXT NOT NULL,
    state TEXT NOT NULL, error TEXT, updated_at TEXT NOT NULL, PRIMARY KEY (instance, blocked, blocking));
CREATE TABLE subwrites (instance TEXT NOT NULL, owner TEXT NOT NULL, kind TEXT NOT NULL, item TEXT NOT NULL,
    state TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (instance, owner, kind, item));
INSERT INTO instances VALUES ('nova', 'product-launch', NULL, '{}', NULL, 'stamping', 't0', 't0');
INSERT INTO instances VALUES ('old', NULL, NULL, '{}', NULL, 'archived', 't0', 't0');
INSERT INTO objects VALUES ('nova', 'sales', 'task', 'brief', 'local', '7', 'u7', 'done', NULL, 't0');
INSERT INTO objects VALUES ('nova', 'sales', 'task', 'deck', 'local', NULL, '', 'pending', NULL, 't0');
INSERT INTO objects VALUES ('nova', 'it', 'task', 'vpn', 'jira', NULL, '', 'failed', 'HTTP 400', 't0');
INSERT INTO links VALUES ('nova', 'deck', 'brief', 'native', 'pending', NULL, 't0');
INSERT INTO subwrites VALUES ('nova', 'brief', 'checklist', '0:draft', 'pending', 't0');
"""


def test_an_existing_ledger_reads_back_as_enums_and_keeps_its_strings(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    with sqlite3.connect(path) as db:
        db.executescript(OLD_LEDGER)
    with Ledger(path) as ledger:
        nova = ledger.instance("nova")
        assert nova is not None and nova.state is InstanceState.STAMPING
        assert [r.state for r in ledger.instances()] == [InstanceState.STAMPING, InstanceState.ARCHIVED]
        objects = ledger.objects("nova")
        assert {k: r.state for k, r in objects.items()} == {
            "brief": ObjectState.DONE,
            "deck": ObjectState.PENDING,
            "vpn": ObjectState.FAILED,
        }
        assert all(type(r.state) is ObjectState for r in objects.values())
        assert ledger.links("nova")[("deck", "brief")].state is ObjectState.PENDING
        assert ledger.unconfirmed("nova") == {"brief": [("checklist", "0:draft")]}
        # Writes keep the stored strings, so an older collabsync still reads this ledger.
        ledger.mark_pending("nova", "sales", "local", "task", ["deck", "brief"])  # a done row stays done
        ledger.record("nova", "sales", "local", "task", "deck", ref="8", url="u8")
        ledger.record_link("nova", "deck", "brief", "native")
        ledger.confirm_subwrites("nova", "brief")
        ledger.set_state("nova", InstanceState.STAMPED)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT key, state FROM objects ORDER BY key").fetchall() == [
            ("brief", "done"),
            ("deck", "done"),
            ("vpn", "failed"),
        ]
        assert db.execute("SELECT state FROM links").fetchall() == [("done",)]
        assert db.execute("SELECT state FROM subwrites").fetchall() == [("done",)]
        assert db.execute("SELECT name, state FROM instances ORDER BY name").fetchall() == [
            ("nova", "stamped"),
            ("old", "archived"),
        ]
