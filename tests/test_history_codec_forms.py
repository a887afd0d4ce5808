"""The column encoder's shortcuts (strings joined before any look at their kinds, lists of nothing, a derived url
column) write the very bytes the format wrote before them, so digests stored by earlier runs still match."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from collabsync.model import Status, Task
from collabsync.report.history_codec import Bases, decode, encode
from collabsync.report.history_columns import COLUMNS_SCHEMA, TaskColumns, save_columns, stored_columns

#: sha256 over the encodings of _cases() as the encoder wrote them before the shortcuts (commit d323d9f).
_BEFORE = "808f3b32502f2fb4cfa095c5e80663da189de302042e221bc02c2a08ba776a3b"


def _cases() -> list[tuple[list[Any], Bases | None]]:
    day = dt.date(2027, 3, 1)
    return [
        ([f"t{i}" for i in range(50)], None),
        (["a", "b\x1fc"], None),
        (["a", "\x1e"], None),
        (["a", None, "b"], None),
        ([None, "a"], None),
        (["", ""], None),
        ([f"x/{i}" for i in range(9)], {0: [str(i) for i in range(9)]}),
        ([f"x/{i}" for i in range(9)], {0: [str(i) for i in range(8)] + [None]}),
        ([[], [], []], None),
        ([[], ["a"], []], None),
        ([[]] * 3 + [["q"] * 300], None),
        ([[] for _ in range(3)] + [[str(i) for i in range(256)]], None),
        ([(), []], None),
        ([[], "ab"], None),
        ([{"description": f"m:t{i}", "checklist": []} for i in range(5)], {3: [f"t{i}" for i in range(5)]}),
        ([day.isoformat(), None], None),
        ([1.0, 2.5], None),
        (["é", "x\ud800y"], None),
    ]


def test_the_shortcuts_write_the_bytes_written_before_them() -> None:
    digest = hashlib.sha256()
    for column, bases in _cases():
        digest.update(encode(column, bases) + b"\0")
    assert digest.hexdigest() == _BEFORE


def test_the_shortcuts_read_back_what_json_gives() -> None:
    for column, bases in _cases():
        given = dict(bases or {})
        data = encode(column, given)
        assert decode(data, len(column), lambda at, given=given: list(given[at])) == json.loads(json.dumps(column))


def _tasks(urls: Sequence[str | None]) -> list[Task]:
    return [
        Task(ref=str(i), key=f"t{i}", title=f"Step {i}", status=Status.TODO, url=url, provider="local")  # type: ignore[arg-type]
        for i, url in enumerate(urls)
    ]


def test_a_missing_url_still_keeps_the_diff_off_the_digests() -> None:
    db = sqlite3.connect(":memory:")
    db.executescript(COLUMNS_SCHEMA)
    for snapshot_id, urls in enumerate(([None, "u"], [f"collabsync-local://local/tasks/{i}" for i in range(2)]), 1):
        tasks = _tasks(urls)
        save_columns(db, snapshot_id, tasks)
        stored = stored_columns(db, snapshot_id)
        assert stored is not None
        # a None url reads back as "": only a column without one may be taken as unchanged from its digest
        assert TaskColumns(tasks).states_match(stored) is (None not in urls)
