"""Asana incremental reads: the project's event feed says what changed; a lean listing covers the rest.

Asana's own way to keep a copy in sync is `GET /events?resource={project}&sync={token}`: the first call
answers 412 with a sync token, later calls the events since it (100 per call, `has_more`). collabsync
takes a token before each full read and keeps it beside the stored read, so an unchanged project costs
one request, and several projects' checks ride one `POST /batch` (ten actions). When the events only
name edits of known tasks, `GET /tasks?project=&modified_since=` (the read's opt_fields) fetches them;
when tasks were added, moved, deleted or the token expired, a lean listing of the project
(`opt_fields=memberships.project.gid,memberships.section.name`) runs beside it: tasks gone from it are
dropped, tasks new to the stored read or in another section than it says are fetched by gid.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import asana
from asana.rest import ApiException

from collabsync.errors import CollabsyncError, NotFoundError
from collabsync.model import Container, Task
from collabsync.providers.base import Changes

if TYPE_CHECKING:
    from .asana import AsanaProvider

__all__ = ["read_changes", "change_cursor", "prefetch_changes", "prefetch_cursors", "LISTING_FIELDS"]

LISTING_FIELDS = "memberships.project.gid,memberships.section.name"
BATCH_ACTIONS = 10  # POST /batch takes at most ten actions


def change_cursor(provider: AsanaProvider, container: Container) -> str | None:
    """A fresh sync token: Asana answers a first events request with 412 and one."""
    fetched = provider._events.pop(container.ref, None)
    if fetched is not None and fetched[2]:  # asked together with other projects' (prefetch_cursors)
        return fetched[1]
    return _events(provider, container.ref, None)[1]


def prefetch_cursors(provider: AsanaProvider, containers: Sequence[Container]) -> None:
    """Fresh sync tokens of several projects about to be read in full, ten per POST /batch."""
    _batch_events(provider, [(c.ref, None) for c in containers])


def prefetch_changes(provider: AsanaProvider, wanted: Sequence[tuple[Container, dt.datetime, str | None]]) -> None:
    """Ten projects' event checks per POST /batch; read_changes takes each answer."""
    _batch_events(provider, [(c.ref, cursor) for c, _, cursor in wanted if cursor])


def _batch_events(provider: AsanaProvider, checks: list[tuple[str, str | None]]) -> None:
    """GET /events of several projects in shared POST /batch requests; answers kept for each project's read."""
    api = asana.BatchAPIApi(provider.client)
    for start in range(0, len(checks), BATCH_ACTIONS):
        chunk = checks[start : start + BATCH_ACTIONS]
        if len(chunk) < 2:
            continue  # one project: its own events request costs the same
        actions = [
            {"relative_path": "/events", "method": "get", "data": {"resource": gid, **({"sync": sync} if sync else {})}}
            for gid, sync in chunk
        ]
        body = {"data": {"actions": actions}}
        try:
            answer = provider._call(
                f"events of {len(chunk)} projects", lambda b=body: api.create_batch_request(b, {}, full_payload=True)
            )
        except CollabsyncError:
            continue  # each project's own request then names the project and the cause
        results = list(answer.get("data") or []) if isinstance(answer, dict) else []
        for (gid, _), result in zip(chunk, results, strict=False):
            status, payload = result.get("status_code"), result.get("body") or {}
            if status in (200, 412) and isinstance(payload, dict):
                provider._events[gid] = _feed(payload, expired=status == 412)


def read_changes(
    provider: AsanaProvider, container: Container, since: dt.datetime, known: Mapping[str, Task], cursor: str | None
) -> Changes:
    """Nothing when the feed is quiet; the edited tasks when it names only edits; else the listing route."""
    if cursor is None:  # stored before sync tokens were kept: start the feed now, then list
        return _listed(provider, container, since, known, change_cursor(provider, container))
    events, token, expired = provider._events.pop(container.ref, None) or _events(provider, container.ref, cursor)
    if expired:
        return _listed(provider, container, since, known, token)
    if not events:
        return Changes(list(known), [], cursor=token)
    edits = {str((e.get("resource") or {}).get("gid")) for e in events if e.get("type") == "task"}
    if any(e.get("type") != "task" or e.get("action") != "changed" for e in events):
        return _listed(provider, container, since, known, token, edits)  # added, moved, removed or deleted
    fields = _changed_fields(provider, container)
    rows = provider._list_tasks(container, fields, since)
    if not edits <= set(known) or any(str(r["gid"]) not in known for r in rows):
        return _listed(provider, container, since, known, token, edits)
    # the feed is clock-free, modified_since is not: an edit stamped before `since` by a clock behind ours
    tasks_api = asana.TasksApi(provider.client)
    for gid in sorted(edits - {str(r["gid"]) for r in rows}):
        row = _fetch(provider, tasks_api, gid, fields)
        if row is not None:
            rows.append(row)
    fresh = [provider._to_task(container, row) for row in rows]
    kept = provider._in_scope(container, fresh)
    left = {t.ref for t in fresh} - {t.ref for t in kept}
    return Changes([r for r in known if r not in left], kept, _blocks(rows), cursor=token)


def _events(provider: AsanaProvider, project: str, sync: str | None) -> tuple[list[dict[str, Any]], str | None, bool]:
    """(events, next token, expired) of the project's feed since `sync`, following has_more."""
    api = asana.EventsApi(provider.client)
    events: list[dict[str, Any]] = []
    obj = f"events of project {project}"

    def fetch(token: str | None) -> dict[str, Any]:
        try:
            return dict(api.get_events(project, {"sync": token} if token else {}, full_payload=True))
        except ApiException as exc:
            if exc.status != 412:
                raise
            return {**json.loads(exc.body or "{}"), "expired": True}  # the body carries a fresh token

    for _ in range(1000):  # 100 events a call; a feed past 100,000 events is read by listing instead
        page = provider._call(obj, fetch, sync)
        feed = _feed(page, expired=bool(page.get("expired")))
        events += feed[0]
        sync = feed[1]
        if feed[2] or not page.get("has_more"):
            return events, sync, feed[2]
    return [], sync, True


def _feed(payload: Mapping[str, Any], *, expired: bool) -> tuple[list[dict[str, Any]], str | None, bool]:
    token = payload.get("sync")
    return list(payload.get("data") or []) if not expired else [], str(token) if token else None, expired


def _listed(
    provider: AsanaProvider,
    container: Container,
    since: dt.datetime,
    known: Mapping[str, Task],
    token: str | None,
    named: Collection[str] = (),
) -> Changes:
    """Modified tasks, then the listing; tasks new to the stored read, moved between sections or named by the
    feed (`named`) but not modified since `since` by the tool's clock, by gid."""
    from .asana import PAGE, _section_of

    fields = _changed_fields(provider, container)
    tasks_api = asana.TasksApi(provider.client)
    obj = f"tasks of project {container.ref}"
    rows = {row["gid"]: row for row in provider._list_tasks(container, fields, since)}
    listing = provider._call(
        obj, lambda: list(tasks_api.get_tasks_for_project(container.ref, {"opt_fields": LISTING_FIELDS, "limit": PAGE}))
    )
    refs = [str(row["gid"]) for row in listing]
    gone = set(known) - set(refs)
    for row in listing:
        gid = str(row["gid"])
        if gid in rows:
            continue
        stored = known.get(gid)
        if (
            stored is None
            or gid in named
            or stored.extra.get("raw_section") != (_section_of(row, container.ref) or "")
            or gone.intersection(stored.depends_on)
        ):
            fetched = _fetch(provider, tasks_api, gid, fields)
            if fetched is not None:
                rows[gid] = fetched
    fresh = [provider._to_task(container, rows[gid]) for gid in refs if gid in rows]
    kept = provider._in_scope(container, fresh)
    left = {t.ref for t in fresh} - {t.ref for t in kept}  # changed so that they left this instance's scope
    return Changes([r for r in refs if r not in left], kept, _blocks(rows.values()), cursor=token)


def _changed_fields(provider: AsanaProvider, container: Container) -> tuple[str, ...]:
    """The read's opt_fields plus `dependents`: a re-read task then says what it blocks, as the merge expects."""
    return (*provider._read_fields(container), "dependents")


def _blocks(rows: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """(blocked gid, blocking gid) seen from the blocking end of re-read tasks."""
    return [(str(d["gid"]), str(row["gid"])) for row in rows for d in row.get("dependents") or []]


def _fetch(provider: AsanaProvider, tasks_api: Any, gid: str, fields: tuple[str, ...]) -> dict[str, Any] | None:
    """One task by gid with the read's fields; None when it was deleted since the listing."""
    try:
        row = provider._call(f"task {gid}", lambda: tasks_api.get_task(gid, {"opt_fields": ",".join(fields)}))
    except NotFoundError:
        return None
    return dict(row) if row else None
