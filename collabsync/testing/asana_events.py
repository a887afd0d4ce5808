"""Asana's events of the emulator: `GET /events?resource=&sync=` on a project or a task (asana_oas.yaml /events).

A first request without `sync`, or with a token the emulator never issued, answers `412 Precondition Failed`
with a fresh token in the body's `sync`; a known token answers the events since it, at most 100, with
`has_more` and the token to use next. Tasks log `added` (created, or placed in a section: `parent` is the
section), `changed` (any edit that moves modified_at) and `deleted` events for every project they are in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request

from .core import ApiError, json_response

if TYPE_CHECKING:
    from .asana_store import AsanaStore

__all__ = ["AsanaEventsMixin", "log_event", "EVENTS_PER_SYNC"]

EVENTS_PER_SYNC = 100  # "Asana limits a single sync token to 100 events"
SYNC_INVALID = (
    "Sync token invalid or too old. If you are attempting to keep resources in sync, you must fetch "
    "the full dataset for this query now and use the new sync token for the next sync."
)


def log_event(store: AsanaStore, task: dict[str, Any], action: str, parent: dict[str, str] | None = None) -> None:
    """Record a task event for the task itself and each project it is in."""
    store.events.append(
        {
            "targets": {task["gid"], *(p for p, _ in task["memberships"])},
            "resource": {"gid": task["gid"], "resource_type": "task", "name": task["name"]},
            "type": "task",
            "action": action,
            "parent": parent,
            "created_at": store.stamp(store.clock()),
            "user": None,
        }
    )


class AsanaEventsMixin:
    """GET /events for AsanaEmulator."""

    store: AsanaStore

    def _token(self, seq: int) -> str:
        return f"{self.store.sync_salt}{seq:010x}"

    def get_events(self, request: Request) -> Any:
        resource = request.args.get("resource")
        if not resource:
            raise ApiError(400, "resource: Missing input")
        if resource not in self.store.projects:
            self.store.task(resource)  # 400/404 in Asana's words when it is neither
        events = self.store.events
        token = request.args.get("sync") or ""
        salt = self.store.sync_salt
        if not token.startswith(salt) or len(token) != len(salt) + 10:
            body = {"errors": [{"message": SYNC_INVALID}], "sync": self._token(len(events))}
            return json_response(body, 412)
        start = int(token[len(salt) :], 16)
        mine = [(i, e) for i, e in enumerate(events) if i >= start and resource in e["targets"]]
        page = mine[:EVENTS_PER_SYNC]
        end = page[-1][0] + 1 if len(mine) > EVENTS_PER_SYNC else len(events)
        data = [{k: v for k, v in e.items() if k != "targets"} for _, e in page]
        return {"data": data, "sync": self._token(end), "has_more": len(mine) > EVENTS_PER_SYNC}
