"""Asana's form of a published status: a project status update (on track / at risk / off track, rich text).

Asana's API cannot edit a status update, so re-publishing the same day deletes that day's update and
adds it again: the project keeps one update per day and its newest is the current status.
"""

from __future__ import annotations

from itertools import islice
from typing import TYPE_CHECKING, Any

import asana

from collabsync.errors import NotFoundError
from collabsync.model import Container
from collabsync.providers.base import Published

from .asana_transport import call

if TYPE_CHECKING:
    from collabsync.report.publish_entry import StatusEntry

    from .asana import AsanaProvider

__all__ = ["edit_status", "find_status", "publish_status"]

_FIELDS = "gid,title,status_type,text,created_at"
#: How many of a project's newest status updates a lost reply is looked for in (a shared project has many).
SEARCH_DEPTH = 200


def publish_status(provider: AsanaProvider, container: Container, entry: StatusEntry) -> Published:
    """POST /status_updates on the instance's project."""
    project = _project(container)
    body = {
        "data": {
            "parent": project,
            "status_type": entry.asana_status_type,
            "title": entry.title,
            "html_text": entry.asana_html(),
        }
    }
    provider._invalidate_cache()
    made = call(
        provider.name,
        f"status update of project {project}",
        asana.StatusUpdatesApi(provider.client).create_status_for_object,
        body,
        {"opt_fields": "gid"},
    )
    return _published(project, made)


def edit_status(provider: AsanaProvider, container: Container, ref: str, entry: StatusEntry) -> Published:
    """DELETE the day's update (already gone is fine), then add it again: a new ref."""
    provider._invalidate_cache()
    try:
        call(provider.name, f"status update {ref}", asana.StatusUpdatesApi(provider.client).delete_status, ref)
    except NotFoundError:
        pass
    return publish_status(provider, container, entry)


def find_status(provider: AsanaProvider, container: Container, entry: StatusEntry) -> Published | None:
    """The project's newest status updates (newest first, at most SEARCH_DEPTH) searched for the entry's marker.

    No created_since filter: the entry's day is the report's day, which need not be the tool's clock.
    """
    project = _project(container)
    api = asana.StatusUpdatesApi(provider.client)
    opts = {"opt_fields": _FIELDS, "limit": 100}
    rows = call(
        provider.name,
        f"status updates of project {project}",
        lambda: list(islice(api.get_statuses_for_object(project, opts), SEARCH_DEPTH)),
    )
    for row in rows:
        if entry.marker in str(row.get("text") or ""):
            return _published(project, row)
    return None


def _project(container: Container) -> str:
    return str(container.extra.get("project") or container.ref)


def _published(project: str, row: Any) -> Published:
    gid = str((row or {}).get("gid") or "")
    return Published(gid, f"https://app.asana.com/0/{project}/overview")
