"""Day-two writes of the SaaS adapters: field updates of created tasks and closing an instance's container.

Kept beside the adapters (which are already long) and called from their `update_tasks`/`archive_container`;
each function takes the adapter so it uses the adapter's own session, error mapping and cache invalidation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from collabsync.errors import ProviderError, refused_item
from collabsync.model import Container, Created, Status, TaskChange

if TYPE_CHECKING:  # pragma: no cover
    from .asana import AsanaProvider
    from .jira import JiraProvider
    from .trello import TrelloProvider

__all__ = ["trello_update", "trello_archive", "asana_update", "asana_archive", "jira_update", "jira_archive"]


def _guarded(change: TaskChange, write: Callable[[], Any]) -> Created:
    """One task's write: the tool refusing this task (4xx) is its outcome; an outage or an unknown outcome raises."""
    try:
        write()
    except ProviderError as exc:
        if not refused_item(exc):
            raise
        return Created(change.key, change.ref, error=exc.cause)
    return Created(change.key, change.ref)


def trello_update(p: TrelloProvider, container: Container, changes: Sequence[TaskChange]) -> Iterator[Created]:
    """Trello has no bulk card edit: one PUT /cards/{id} per card with every changed field."""
    from .trello_support import write_date

    for change in changes:
        body: dict[str, Any] = {}
        if change.title is not None:
            body["name"] = change.title
        if change.due is not None:
            body["due"] = write_date(change.due, p.tz)
        if change.start is not None:
            body["start"] = write_date(change.start, p.tz)
        yield _guarded(change, partial(p._fetch, "PUT", f"/cards/{change.ref}", f"card {change.ref}", body=body))


def trello_archive(p: TrelloProvider, container: Container, instance_refs: Sequence[str]) -> str:
    """Own board: close (archive) it; a board shared with other instances: archive only this instance's cards."""
    board = str(container.extra.get("board") or container.ref)
    if not container.extra.get("label"):
        p._fetch("PUT", f"/boards/{board}", f"board {board}", body={"closed": True})
        return f"trello board {board} archived"
    for ref in instance_refs:
        p._fetch("PUT", f"/cards/{ref}", f"card {ref}", body={"closed": True})
    return f"{len(instance_refs)} cards archived on shared trello board {board}"


def asana_update(p: AsanaProvider, container: Container, changes: Sequence[TaskChange]) -> Iterator[Created]:
    """POST /batch with up to 10 task PUTs a request; each action's own status is its outcome."""
    from .asana_writes import BATCH_SIZE, _action_error, _chunks

    for chunk in _chunks(list(changes), BATCH_SIZE):
        actions = []
        for change in chunk:
            data: dict[str, Any] = {}
            if change.title is not None:
                data["name"] = change.title
            if change.due is not None:
                data["due_on"] = change.due.isoformat()
                # Asana refuses a start date on or after the due date: clear it rather than fail
                data["start_on"] = change.start.isoformat() if change.start and change.start < change.due else None
            elif change.start is not None:
                data["start_on"] = change.start.isoformat()
            actions.append(
                {
                    "method": "put",
                    "relative_path": f"/tasks/{change.ref}",
                    "data": data,
                    "options": {"fields": ["name"]},
                }
            )
        results = p._batch(f"tasks of project {container.ref}", actions)
        for change, result in zip(chunk, results, strict=True):
            ok = 200 <= int(result.get("status_code") or 0) < 300
            yield Created(change.key, change.ref, error=None if ok else _action_error(result))


def asana_archive(p: AsanaProvider, container: Container) -> str:
    """PUT /projects/{gid} archived=true: the project stays readable, out of everyone's lists."""
    from .asana_writes import _action_error

    result = p._batch(
        f"project {container.ref}",
        [
            {
                "method": "put",
                "relative_path": f"/projects/{container.ref}",
                "data": {"archived": True},
                "options": {"fields": ["archived"]},
            }
        ],
    )
    if not 200 <= int(result[0].get("status_code") or 0) < 300:
        raise ProviderError(
            p.name, f"project {container.ref}", _action_error(result[0]), status=result[0].get("status_code")
        )
    return f"asana project {container.ref} archived"


def jira_update(p: JiraProvider, container: Container, changes: Sequence[TaskChange]) -> Iterator[Created]:
    """Cloud: one bulk edit per group of issues getting the same dates (providers/jira_bulk_edit.py); the rest,
    and everything on Data Center, one PUT /issue/{id} each. The start field only where configured."""
    from .jira_bulk_edit import bulk_edit_dates, bulk_groups
    from .jira_support import raise_for

    start_field = (container.extra.get("fields") or {}).get("start")
    bulk: list[list[TaskChange]] = []
    single = list(changes)
    if (container.extra.get("deployment") or p._deployment_type()) != "Server":
        bulk, single = bulk_groups(changes, start_field)
    for group in bulk:
        left = None if p.bulk_edit_refused else bulk_edit_dates(p, group, start_field)
        single += group if left is None else left
        yield from (Created(c.key, c.ref) for c in group if left is not None and c not in left)
    for change in single:
        fields: dict[str, Any] = {}
        if change.title is not None:
            fields["summary"] = change.title[:255]
        if change.due is not None:
            fields["duedate"] = change.due.isoformat()
        if change.start is not None and start_field:
            fields[start_field] = change.start.isoformat()
        if not fields:
            yield Created(change.key, change.ref)
            continue
        response = p._send("PUT", f"issue/{change.ref}", json={"fields": fields}, timeout=p.policy.timeout)
        yield _guarded(change, partial(raise_for, p.name, f"issue {change.ref}", response))


def jira_archive(p: JiraProvider, container: Container) -> str:
    """Resolve the epic by walking the workflow to a done status; a label-mode instance has no epic to close."""
    if container.extra.get("mode") != "epic":
        return f"jira: no epic to resolve for label {container.extra.get('label')!r} (issues left as they are)"
    p.set_status(container, str(container.extra.get("epic_key") or container.ref), Status.DONE)
    return f"jira epic {container.ref} resolved"
