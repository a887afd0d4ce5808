"""The embedded `local` provider: a SQLite file that behaves like a small task tool, no account needed.

It is the default destination and the reference adapter: it supports every capability, so the whole
main job (stamp, update, status, report) works end to end on a fresh machine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from itertools import islice
from operator import gt
from typing import TYPE_CHECKING, Any

from collabsync.errors import NotFoundError, ProviderError
from collabsync.findings import Finding, Needs
from collabsync.model import (
    Container,
    Created,
    Linked,
    NewTask,
    SectionSpec,
    Status,
    Task,
    TaskChange,
    insert_above_marker,
    marker,
    parse_marker,
)
from collabsync.providers.base import Capability, Published, ToolUser
from collabsync.providers.local_plumbing import _TASK_COLUMNS, LocalPlumbing, _now, tasks_from_rows
from collabsync.providers.local_writes import insert_links, insert_tasks

if TYPE_CHECKING:
    from collabsync.report.publish_entry import StatusEntry

__all__ = ["LocalProvider"]


#: Writes per transaction: a commit per task cost more than the task (issue 17: 10,000 tasks in under 5 s).
_BATCH = 500


class LocalProvider(LocalPlumbing):
    """Tasks in $COLLABSYNC_HOME/local.sqlite (or `path`), one container per instance and space."""

    type_name = "local"
    capabilities = frozenset(Capability) - {Capability.READ_CHANGES}  # a local read costs no requests to save
    settings_schema = {
        "type": "object",
        "additionalProperties": False,
        "properties": {"path": {"type": "string", "description": "SQLite file; default $COLLABSYNC_HOME/local.sqlite"}},
    }
    destination_schema = {
        "type": "object",
        "additionalProperties": False,
        "properties": {"space": {"type": "string", "description": "Group containers by space; default 'default'"}},
    }

    # -- account -------------------------------------------------------------------------------
    def check(self) -> str:
        """The local tool always answers; report its file."""
        count = self.db.execute("SELECT count(*) FROM tasks").fetchone()[0]
        return f"local SQLite at {self.path} ({count} tasks)"

    def describe(self, destination: Mapping[str, Any]) -> str:
        """Where the container goes."""
        return f"space {destination.get('space', 'default')} in {self.path.name}"

    def preflight(
        self, destination: Mapping[str, Any], needs: Needs, container: Container | None = None
    ) -> list[Finding]:
        """The local tool holds everything a template asks for: nothing to report."""
        return []

    # -- stamping ------------------------------------------------------------------------------
    def ensure_container(
        self, instance: str, title: str, description: str, destination: Mapping[str, Any]
    ) -> Container:
        """Find the container by its marker in this space, else create it."""
        space = str(destination.get("space") or "default")
        mark = marker(instance)
        with self._lock:
            for cid, name, desc in self.db.execute(
                "SELECT id, name, description FROM containers WHERE space = ?", (space,)
            ).fetchall():
                if parse_marker(desc) == (instance, None):
                    return self._to_container(cid, name, space)
            body = f"{description}\n\n{mark}" if description else mark
            cur = self.db.execute(
                "INSERT INTO containers (space, name, description, created) VALUES (?,?,?,?)",
                (space, title, body, _now()),
            )
            container = self._to_container(cur.lastrowid, title, space)
        return replace(container, created=True)

    def ensure_sections(self, container: Container, sections: Sequence[SectionSpec]) -> dict[str, str]:
        """Sections by title, created in order when missing."""
        cid = self._cid(container)
        out: dict[str, str] = {}
        with self._lock:
            for pos, section in enumerate(sections):
                row = self.db.execute(
                    "SELECT id FROM sections WHERE container_id = ? AND name = ?", (cid, section.title)
                ).fetchone()
                if row is None:
                    row = (
                        self.db.execute(
                            "INSERT INTO sections (container_id, name, position) VALUES (?,?,?)",
                            (cid, section.title, pos),
                        ).lastrowid,
                    )
                out[section.key] = str(row[0])
        return out

    def create_tasks(self, container: Container, tasks: Sequence[NewTask]) -> Iterator[Created]:
        """One executemany per batch, committed before the batch's outcomes are yielded."""
        cid = self._cid(container)
        for first in range(0, len(tasks), _BATCH):
            made: list[Created] = []
            with self._batch("BEGIN IMMEDIATE") as failed:
                insert_tasks(self, cid, tasks[first : first + _BATCH], _now(), made)
            yield from made
            if failed:
                raise failed[0]

    def link_dependencies(self, container: Container, pairs: Sequence[tuple[str, str]]) -> Iterator[Linked]:
        """Native dependency rows, committed a batch at a time before the batch's outcomes are yielded."""
        for first in range(0, len(pairs), _BATCH):
            made: list[Linked] = []
            with self._batch("BEGIN IMMEDIATE") as failed:
                insert_links(self, pairs[first : first + _BATCH], _now(), made)
            yield from made
            if failed:
                raise failed[0]

    def annotate(self, ref: str, lines: Sequence[str]) -> None:
        """Insert lines above the marker; lines already present are not repeated."""
        with self._lock:
            desc = self._task_row(ref)["description"]
            new = insert_above_marker(desc, list(lines))
            if new != desc:
                self.db.execute("UPDATE tasks SET description = ?, updated = ? WHERE id = ?", (new, _now(), int(ref)))

    def find_marked(self, container: Container, instance: str) -> dict[str, Created]:
        """Every task of the container whose description carries this instance's marker."""
        out: dict[str, Created] = {}
        rows = self.db.execute("SELECT id, description FROM tasks WHERE container_id = ?", (self._cid(container),))
        for tid, desc in rows.fetchall():
            found = parse_marker(desc)
            if found and found[0] == instance and found[1]:
                out[found[1]] = Created(found[1], str(tid), self._url(str(tid)))
        return out

    # -- reading and updating --------------------------------------------------------------------
    def read_tasks(self, container: Container, since: dt.datetime | None = None) -> list[Task]:
        """All tasks (or those updated since a time) with their dependencies, in two queries."""
        return self._read(container, since, links=True)

    def read_tasks_for_counts(self, container: Container) -> list[Task]:
        """All tasks without their dependencies: one query, for `status` (it counts tasks, never follows links)."""
        return self._read(container, None, links=False)

    def _read(self, container: Container, since: dt.datetime | None, *, links: bool) -> list[Task]:
        """The tasks' rows, each task's dependencies when `links`, sections by id; then Tasks from the rows."""
        cid = self._cid(container)
        sql = f"SELECT {_TASK_COLUMNS} FROM tasks t WHERE t.container_id = ?"  # sections by id, not joined per row
        args: list[Any] = [cid]
        if since is not None:
            sql += " AND t.updated >= ?"
            args.append(since.astimezone(dt.UTC).isoformat(timespec="microseconds"))
        deps: dict[int, list[str]] = {}
        ids: list[int] = []
        with self._lock:  # one connection, read from several threads by the rollup
            for tid, dep in self._dependency_rows(cid) if links else ():
                deps.setdefault(tid, []).append(dep)
            sections = dict(self.db.execute("SELECT id, name FROM sections").fetchall())  # a few per container
            # Tasks made as the rows come, each row let go at once (100,000 rows held whole weighed 40 MB more)
            tasks = tasks_from_rows(self.db.execute(sql, args), deps, sections, self._url(""), ids)
        if any(map(gt, ids, islice(ids, 1, None))):  # by id; SQLite sorted every column of every row to do it
            return [tasks[i] for i in sorted(range(len(ids)), key=ids.__getitem__)]
        return tasks

    def _dependency_rows(self, cid: int) -> Iterable[tuple[int, str]]:
        """(task id, dependency ref) of the container's tasks, each task's by dependency id. A file whose tasks are all
        the container's (one instance's tool, as a 100,000-task stamp is) has its rows read without the join to tasks
        (half the time); the order within a task is the index's either way."""
        lo, hi = self.db.execute(
            "SELECT (SELECT min(container_id) FROM tasks), (SELECT max(container_id) FROM tasks)"
        ).fetchone()
        if lo == hi == cid:
            return self.db.execute(
                "SELECT task_id, CAST(depends_on_id AS TEXT) FROM dependencies ORDER BY task_id, depends_on_id"
            )
        return self.db.execute(
            "SELECT d.task_id, CAST(d.depends_on_id AS TEXT) FROM dependencies d"
            " JOIN tasks t ON t.id = d.task_id WHERE t.container_id = ?",
            (cid,),
        )

    def resolve_source(self, source: str) -> Container:
        """A local container by id or by exact name."""
        rows = self.db.execute(
            "SELECT id, name, space FROM containers WHERE CAST(id AS TEXT) = ? OR name = ? ORDER BY id",
            (source, source),
        ).fetchall()
        if not rows:
            raise NotFoundError(self.name, f"container {source!r}", "no local container with that id or name")
        if len(rows) > 1:
            ids = ", ".join(str(r[0]) for r in rows)
            raise NotFoundError(
                self.name, f"container {source!r}", f"several containers have that name (ids {ids}); give the id"
            )
        return self._to_container(*rows[0])

    def create_container(self, name: str, space: str = "default") -> Container:
        """A plain container with no instance marker, as a person would make one (tests, demos)."""
        cur = self.db.execute(
            "INSERT INTO containers (space, name, description, created) VALUES (?,?,?,?)", (space, name, "", _now())
        )
        return self._to_container(cur.lastrowid, name, space)

    def set_status(self, container: Container, ref: str, status: Status) -> None:
        """Move a task to a status."""
        with self._lock:
            self._task_row(ref)
            self.db.execute(
                "UPDATE tasks SET status = ?, updated = ? WHERE id = ?", (Status(status).value, _now(), int(ref))
            )

    def resolve_person(self, email: str) -> ToolUser | None:
        """The local tool stores people by e-mail: everyone exists."""
        return ToolUser(email, email, email)

    def lookup_person(self, person: str) -> ToolUser | None:
        """Any person (an e-mail or a name) is stored as written: no lookup, no cache."""
        return ToolUser(person, person, person if "@" in person else "")

    def set_assignee(self, container: Container, ref: str, user: ToolUser | None) -> None:
        """Store the person's e-mail (or id) as the task's assignee."""
        self.update_task(ref, assignee=(user.email or user.id) if user else None)

    def update_task(self, ref: str, **fields: Any) -> None:
        """Change due/assignee/title directly (for tests and scripting)."""
        allowed = {"title", "due", "start", "assignee", "estimate"}
        bad = set(fields) - allowed
        if bad:
            raise ProviderError(self.name, f"task {ref}", f"cannot set {', '.join(sorted(bad))}")
        with self._lock:
            self._task_row(ref)
            for key, value in fields.items():
                if isinstance(value, dt.date):
                    value = value.isoformat()
                self.db.execute(f"UPDATE tasks SET {key} = ?, updated = ? WHERE id = ?", (value, _now(), int(ref)))

    def update_tasks(self, container: Container, changes: Sequence[TaskChange]) -> Iterator[Created]:
        """One UPDATE per task, committed before its outcome is yielded."""
        cid = self._cid(container)
        for change in changes:
            values = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in change.fields().items()}
            with self._lock:
                row = self.db.execute("SELECT container_id FROM tasks WHERE id = ?", (int(change.ref),)).fetchone()
                if row is None or row[0] != cid:
                    yield Created(change.key, change.ref, self._url(change.ref), error="no such task in the container")
                    continue
                sets = ", ".join(f"{k} = ?" for k in values)
                self.db.execute(
                    f"UPDATE tasks SET {sets}, updated = ? WHERE id = ?", (*values.values(), _now(), int(change.ref))
                )
            yield Created(change.key, change.ref, self._url(change.ref))

    def archive_container(self, container: Container) -> str:
        """Mark the container archived (its tasks stay readable)."""
        with self._lock:
            self.db.execute(
                "UPDATE containers SET archived = COALESCE(archived, ?) WHERE id = ?", (_now(), self._cid(container))
            )
        return f"local container {container.ref} marked archived"

    def is_archived(self, container: Container) -> bool:
        """Whether archive_container ran on this container (tests, diff)."""
        row = self.db.execute("SELECT archived FROM containers WHERE id = ?", (self._cid(container),)).fetchone()
        return bool(row and row[0])

    def publish_status(self, container: Container, entry: StatusEntry) -> Published:
        """A row in status_entries: the local tool's status feed, Markdown text."""
        now = _now()
        rowid = self.db.execute(
            "INSERT INTO status_entries (container_id, health, text, created, updated) VALUES (?,?,?,?,?)",
            (self._cid(container), entry.health, entry.markdown(), now, now),
        )
        return Published(str(rowid.lastrowid), f"collabsync-local://{self.name}/status/{rowid.lastrowid}")

    def edit_status(self, container: Container, ref: str, entry: StatusEntry) -> Published:
        """Rewrite the row in place."""
        cur = self.db.execute(
            "UPDATE status_entries SET health = ?, text = ?, updated = ? WHERE id = ?",
            (entry.health, entry.markdown(), _now(), int(ref)),
        )
        if not cur.rowcount:
            raise NotFoundError(self.name, f"status {ref}", "no such status entry")
        return Published(ref, f"collabsync-local://{self.name}/status/{ref}")

    def find_status(self, container: Container, entry: StatusEntry) -> Published | None:
        """The container's entry whose text ends with the marker."""
        row = self.db.execute(
            "SELECT id FROM status_entries WHERE container_id = ? AND text LIKE ? ORDER BY id DESC",
            (self._cid(container), f"%{entry.marker}"),
        ).fetchone()
        return Published(str(row[0]), f"collabsync-local://{self.name}/status/{row[0]}") if row else None

    def status_entries(self, container: Container) -> list[dict[str, Any]]:
        """Every status entry of a container, oldest first (tests and `collabsync publish --history`)."""
        return [
            dict(r)
            for r in self._rows(
                "SELECT * FROM status_entries WHERE container_id = ? ORDER BY id", (self._cid(container),)
            )
        ]

    def close(self) -> None:
        """Close the database file, if it was opened."""
        if "db" in self.__dict__:
            self.db.close()

    # -- mappers ---------------------------------------------------------------------------------

    def _to_container(self, cid: int | None, name: str, space: str) -> Container:
        return Container(str(cid), name, f"collabsync-local://{self.name}/containers/{cid}", {"space": space})
