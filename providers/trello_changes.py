"""Trello incremental reads: one look at a board's actions says whether anything on it changed.

Every change Trello makes to a board, its lists, labels and cards (edits, moves between lists and boards,
archiving, deletion, comments, members, attachments, checklists) is logged as a board action, so
`GET /boards/{id}/actions?since=&limit=1` answering nothing means the stored read still holds, deletions
and moves included. Several boards' checks ride one `GET /batch` (ten routes). A board that did change is
read again whole: its lists and first 1,000 cards already cost a single `/batch`, which fetching the
changed cards by id could not beat, and the changed boards share that `/batch` too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from collabsync.errors import CollabsyncError
from collabsync.model import Container, Task
from collabsync.providers.base import Changes

from .trello_support import batch_body

if TYPE_CHECKING:
    from .trello import TrelloProvider

__all__ = ["read_changes", "prefetch_changes", "actions_query"]

BATCH_ROUTES = 10  # GET /batch takes at most ten routes


def actions_query(since: dt.datetime) -> dict[str, Any]:
    """GET /boards/{id}/actions parameters that answer one action of any kind since `since`, or none."""
    moment = since if since.tzinfo else since.replace(tzinfo=dt.UTC)  # naive: UTC, as the store keeps it
    stamp = moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return {"filter": "all", "since": stamp, "limit": 1, "fields": "id", "memberCreator": "false"}


def prefetch_changes(provider: TrelloProvider, wanted: Sequence[tuple[Container, dt.datetime, str | None]]) -> None:
    """Ten boards' action checks per GET /batch; the boards that changed then share their re-read /batch."""
    checks = list({provider._board(c): (c, since) for c, since, _ in wanted}.items())
    changed: list[Container] = []
    for start in range(0, len(checks), BATCH_ROUTES):
        chunk = checks[start : start + BATCH_ROUTES]
        routes = [f"/boards/{board}/actions?{urlencode(actions_query(since))}" for board, (_, since) in chunk]
        try:
            answers = provider._fetch(
                "GET", "/batch", f"actions of {len(chunk)} boards", query={"urls": ",".join(routes)}
            )
        except CollabsyncError:
            continue  # each board's own check then names the board and the cause
        for (board, (container, _)), answer in zip(chunk, answers, strict=False):
            try:
                acted = bool(batch_body(provider.name, f"actions of board {board}", answer))
            except CollabsyncError:
                continue
            provider._changed[board] = acted
            if acted:
                changed.append(container)
    if len(changed) > 1:
        provider.prefetch(changed)


def read_changes(
    provider: TrelloProvider, container: Container, since: dt.datetime, known: Mapping[str, Task]
) -> Changes:
    """Nothing when the board logged no action since `since`; else the board read again (one /batch)."""
    board = provider._board(container)
    acted = provider._changed.pop(board, None)
    if acted is None:
        acted = bool(
            provider._fetch("GET", f"/boards/{board}/actions", f"actions of board {board}", query=actions_query(since))
        )
    if not acted:
        return Changes(list(known), [])
    tasks = provider.read_tasks(container)
    return Changes([t.ref for t in tasks], tasks)
