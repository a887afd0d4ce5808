"""The normalized tasks of each source's last read, so a warm `status` maps no HTTP again (issue 17).

One JSON file per instance, ``$COLLABSYNC_HOME/snapshots/<instance>.json`` (0600)::

    {"schema": 2, "fields": [model.ROW_FIELDS], "sources": {"<provider>\\t<container ref>": {
        "provider": ..., "container": ..., "read_at": ISO-8601 UTC, "tasks": [Task.to_row()]}}}

Each task is one row of values in ``fields`` order, not a dict with every key repeated: the file is a
third smaller and loads about twice as fast (docs/snapshots.md, "Start-up"). Schema 1 files, whose
tasks are ``Task.to_dict()`` objects, are still read, and a save converts their other sources' entries.
A file whose ``fields`` differ from this version's (a Task field added or removed) is read again from the tools.

Tasks are stored as the provider returned them (before departments are placed), so a run that uses a
snapshot computes exactly what a run that reads the tool computes. A source's entry expires with the
HTTP cache's `cache.ttl`; `--fresh` bypasses it (and refreshes it); every writing verb drops the
instance's file when it takes the instance lock (collabsync/lock.py), so collabsync never shows its
own stale writes. Incremental reads can load a source's entry of any age with `max_age=None` and
save the merged result through the same `save`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from collabsync.lock import _file_name
from collabsync.model import ROW_FIELDS, Task
from collabsync.private import private_dir, private_file

__all__ = ["SCHEMA", "SourceSnapshot", "SnapshotStore", "SourceKey"]

SCHEMA = 2
#: Schema 1 stored each task as Task.to_dict(); still read (users upgrade with snapshots on disk).
_DICT_SCHEMA = 1
#: (provider name, container ref): one read of one source.
SourceKey = tuple[str, str]


@dataclass(frozen=True)
class SourceSnapshot:
    """One source's tasks as of one read."""

    provider: str
    container: str
    read_at: dt.datetime
    tasks: list[Task]


class SnapshotStore:
    """Load and save the per-source snapshots of one instance."""

    def __init__(self, home: Path, instance: str) -> None:
        self.path = home / "snapshots" / f"{_file_name(instance)}.json"

    def load(self, max_age: float | None, now: dt.datetime | None = None) -> dict[SourceKey, SourceSnapshot]:
        """The sources read at most max_age seconds ago (any age when None); {} when none or unreadable."""
        data = self._read()
        if data is None:
            return {}
        parse = Task.from_row if data["schema"] == SCHEMA else Task.from_dict
        now = now or dt.datetime.now(dt.UTC)
        out: dict[SourceKey, SourceSnapshot] = {}
        for entry in data["sources"].values():
            try:
                read_at = dt.datetime.fromisoformat(entry["read_at"])
                if max_age is not None and not 0 <= (now - read_at).total_seconds() <= max_age:
                    continue
                snap = SourceSnapshot(
                    entry["provider"], entry["container"], read_at, [parse(t) for t in entry["tasks"]]
                )
            except (KeyError, TypeError, ValueError):
                continue  # a damaged entry is read again from the tool
            out[(snap.provider, snap.container)] = snap
        return out

    def _read(self) -> dict[str, Any] | None:
        """The file's JSON when it is a snapshot this version can read (schema 2 of these fields, or schema 1)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or not isinstance(data.get("sources"), dict):
            return None
        if data.get("schema") == SCHEMA and data.get("fields") == list(ROW_FIELDS):
            return data
        return data if data.get("schema") == _DICT_SCHEMA else None

    def save(
        self, reads: Mapping[SourceKey, Sequence[Task]], read_at: dt.datetime | None = None, *, replace: bool = False
    ) -> None:
        """Record these sources' tasks as read now, keeping the other sources' entries unless `replace`."""
        if not reads:
            return
        stamp = (read_at or dt.datetime.now(dt.UTC)).isoformat()
        data = None if replace else self._read()
        sources = data["sources"] if data else {}
        if data and data["schema"] == _DICT_SCHEMA:
            sources = {key: _as_rows(entry) for key, entry in sources.items()}
        for (provider, container), tasks in reads.items():
            sources[f"{provider}\t{container}"] = {
                "provider": provider,
                "container": container,
                "read_at": stamp,
                "tasks": [t.to_row() for t in tasks],
            }
        private_dir(self.path.parent, what="the snapshot directory")
        tmp = private_file(self.path.with_name(self.path.name + f".{os.getpid()}.tmp"))
        body = {"schema": SCHEMA, "fields": list(ROW_FIELDS), "sources": sources}
        tmp.write_text(json.dumps(body, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, self.path)  # readers see the old file or the new one, never half of one

    def forget(self) -> None:
        """Drop every snapshot of the instance (a write is about to change what the tools hold)."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass


def _as_rows(entry: Any) -> Any:
    """A schema-1 entry with its tasks as rows; a damaged one is kept as it is (load skips it)."""
    try:
        return {**entry, "tasks": [Task.from_dict(t).to_row() for t in entry["tasks"]]}
    except (KeyError, TypeError, ValueError):
        return entry
