"""The local provider's bulk writes: one executemany per batch, each row's outcome as a per-row loop gives it.

A transaction holds a batch (BEGIN IMMEDIATE: the write lock first, so the ids read at its start are the
ones the rows get). A row that cannot be written stops the batch there: the rows before it stay written and
are reported, the failure is raised after them, exactly as one insert per row did.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from collabsync.errors import NotFoundError
from collabsync.model import Created, Linked, NewTask, with_marker

if TYPE_CHECKING:
    from collabsync.providers.local_plumbing import LocalPlumbing

__all__ = ["insert_tasks", "insert_links"]

_INSERT_TASK = (
    "INSERT INTO tasks (id, container_id, section_id, title, description, assignee, start, due, estimate,"
    " labels, checklist, created, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
#: Placeholders per id lookup: under SQLite's oldest bound-variable limit (999).
_CHUNK = 900
T = TypeVar("T")


def _json_list(items: Sequence[str]) -> str:
    """json.dumps(list(items)); the empty list, nearly every task's, without the encoder."""
    return json.dumps(list(items)) if items else "[]"


def insert_tasks(p: LocalPlumbing, cid: int, items: Sequence[NewTask], now: str, made: list[Created]) -> None:
    """Insert the batch's tasks in order; `made` gets each row written, a failure is raised after them."""
    rows: list[tuple[Any, ...]] = []
    failure: Exception | None = None
    try:
        for item in items:
            spec = item.spec
            rows.append(
                (
                    cid,
                    int(item.section_ref) if item.section_ref else None,
                    spec.title,
                    with_marker(item.description, item.marker),
                    spec.assignee,
                    spec.start.isoformat() if spec.start else None,
                    spec.due.isoformat() if spec.due else None,
                    spec.estimate,
                    _json_list(spec.labels),
                    _json_list(spec.checklist),
                    now,
                    now,
                )
            )
    except Exception as exc:  # the rows before it are still written, as one insert per row left them
        failure = exc
    first = (p.db.execute("SELECT max(id) FROM tasks").fetchone()[0] or 0) + 1  # the id SQLite would give
    written = [0]
    try:  # counted as executemany takes them: total_changes also counts rows a trigger in the file writes
        p.db.executemany(_INSERT_TASK, _counted([(first + i, *row) for i, row in enumerate(rows)], written))
    finally:  # on a failed row, the ones before it are in
        for i in range(written[0]):
            ref = str(first + i)
            made.append(Created(items[i].spec.key, ref, p._url(ref)))
    if failure is not None:
        raise failure


def insert_links(p: LocalPlumbing, pairs: Sequence[tuple[str, str]], now: str, made: list[Linked]) -> None:
    """Dependency rows for pairs of task refs, in order; the first pair naming no task stops the batch there."""
    ids = _task_ids(p, {ref for pair in pairs for ref in pair})
    good: list[tuple[int, int]] = []
    failure: NotFoundError | None = None
    for blocked, blocking in pairs:
        missing = next((ref for ref in (blocked, blocking) if ids.get(ref) is None), None)
        if missing is not None:
            failure = NotFoundError(p.name, f"task {missing}", "no such task")
            break
        good.append((ids[blocked], ids[blocking]))  # type: ignore[arg-type]
    written = [0]
    try:  # on a row the tool refused, the ones before it are in: reported and touched
        p.db.executemany(
            "INSERT OR IGNORE INTO dependencies (task_id, depends_on_id) VALUES (?,?)", _counted(good, written)
        )
    finally:
        p.db.executemany("UPDATE tasks SET updated = ? WHERE id = ?", [(now, a) for a, _ in good[: written[0]]])
        made.extend(Linked(a, b) for a, b in pairs[: written[0]])
    if failure is not None:
        raise failure


def _counted(rows: Sequence[T], written: list[int]) -> Iterator[T]:
    """The rows, `written[0]` counting those executemany wrote: it asks for the next row only once one is in."""
    for row in rows:
        yield row
        written[0] += 1


def _task_ids(p: LocalPlumbing, refs: set[str]) -> dict[str, int | None]:
    """Ref -> task id for refs naming an existing task, None for the others (a ref that is no number included)."""
    numbers: dict[str, int] = {}
    for ref in refs:
        try:
            numbers[ref] = int(ref)
        except ValueError:
            pass
    wanted = sorted(set(numbers.values()))
    there: set[int] = set()
    for at in range(0, len(wanted), _CHUNK):
        chunk = wanted[at : at + _CHUNK]
        sql = f"SELECT id FROM tasks WHERE id IN ({','.join('?' * len(chunk))})"
        there.update(r[0] for r in p.db.execute(sql, chunk))
    return {ref: numbers[ref] if numbers.get(ref) in there else None for ref in refs}
