"""Asana incremental reads: the tasks modified since the last read, plus a lean listing of the project.

`GET /tasks?project=&modified_since=` (with the read's opt_fields) returns what was edited, completed,
assigned, commented or newly added. Asana's reference says moving a task to another container does not
change `modified_at`, and a deleted task is simply gone, so a listing of the project with only each
task's section (`opt_fields=memberships.project.gid,memberships.section.name`) runs beside it: tasks
gone from it are dropped, and tasks that are new to the stored read or sit in another section than it
says are fetched by gid. Asana pages hold at most 100 tasks, so that listing costs what a full read's
pages cost in requests (a fraction in bytes): an unchanged project of n tasks costs ceil(n/100) + 1.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import asana

from collabsync.errors import NotFoundError
from collabsync.model import Container, Task
from collabsync.providers.base import Changes

if TYPE_CHECKING:
    from .asana import AsanaProvider

__all__ = ["read_changes", "LISTING_FIELDS"]

LISTING_FIELDS = "memberships.project.gid,memberships.section.name"


def read_changes(provider: AsanaProvider, container: Container, since: dt.datetime,
                 known: Mapping[str, Task]) -> Changes:
    """Modified tasks, then the listing; tasks new to the stored read or moved between sections by gid."""
    from .asana import PAGE, _section_of

    fields = provider._read_fields(container)
    tasks_api = asana.TasksApi(provider.client)
    obj = f"tasks of project {container.ref}"
    rows = {row["gid"]: row for row in provider._list_tasks(container, fields, since)}
    listing = provider._call(obj, lambda: list(tasks_api.get_tasks_for_project(
        container.ref, {"opt_fields": LISTING_FIELDS, "limit": PAGE})))
    refs = [str(row["gid"]) for row in listing]
    gone = set(known) - set(refs)
    for row in listing:
        gid = str(row["gid"])
        if gid in rows:
            continue
        stored = known.get(gid)
        if stored is None or stored.extra.get("raw_section") != (_section_of(row, container.ref) or "") \
                or gone.intersection(stored.depends_on):
            fetched = _fetch(provider, tasks_api, gid, fields)
            if fetched is not None:
                rows[gid] = fetched
    fresh = [provider._to_task(container, rows[gid]) for gid in refs if gid in rows]
    kept = provider._in_scope(container, fresh)
    left = {t.ref for t in fresh} - {t.ref for t in kept}  # changed so that they left this instance's scope
    return Changes([r for r in refs if r not in left], kept)


def _fetch(provider: AsanaProvider, tasks_api: Any, gid: str, fields: tuple[str, ...]) -> dict[str, Any] | None:
    """One task by gid with the read's fields; None when it was deleted since the listing."""
    try:
        row = provider._call(f"task {gid}", lambda: tasks_api.get_task(gid, {"opt_fields": ",".join(fields)}))
    except NotFoundError:
        return None
    return dict(row) if row else None
