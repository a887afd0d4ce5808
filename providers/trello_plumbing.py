"""The Trello account's plumbing under TrelloProvider: settings read once, the py-trello client on collabsync's
session, requests, board reads shared through /batch, lists, labels and checklists (the adapter's public
methods live in providers/trello.py).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any
from urllib.parse import urlencode

from trello import TrelloClient

from collabsync.errors import CollabsyncError, ProviderError
from collabsync.http import make_session
from collabsync.model import Container, NewTask, Status, marker
from collabsync.providers.base import Provider, ProviderContext
from collabsync.ratelimit import Limit

from .trello_support import (
    CARD_FIELDS,
    DEFAULT_BASE,
    DEFAULT_COLUMNS,
    batch_body,
    guard_library_logs,
    list_status,
    rewriting_session_class,
    sdk_errors,
    zone,
)

__all__ = ["TrelloPlumbing"]

log = logging.getLogger("collabsync.providers.trello")
PAGE = 1000  # Trello's cap per card listing
BATCH_ROUTES = 10  # GET /batch takes at most ten routes
INSTANCE_COLOR = "purple"


class TrelloPlumbing(Provider):
    """What every Trello operation stands on; TrelloProvider adds the neutral methods and the mappers."""

    def __init__(self, name: str, settings: Mapping[str, Any], context: ProviderContext) -> None:
        super().__init__(name, settings, context)
        self.require_settings("api_key", "token")
        self.api_key, self.token = str(settings["api_key"]), str(settings["token"])
        self.base_url = str(settings.get("base_url") or DEFAULT_BASE).rstrip("/")
        self.use_credential(self.base_url, self.api_key, self.token)
        self.tz = zone(settings.get("timezone"), self.context.config_file)
        if "backoff" not in settings:
            self.policy.backoff = 1.0  # waits 2, 4, 8 s: past Trello's 10 s window in three retries
        # Published: 100 requests / 10 s per token and 300 / 10 s per API key; the budget keeps 90% of each.
        self.policy.limits = (Limit(100, 10.0, "per token"), Limit(300, 10.0, "per API key"))
        if settings.get("requests_per_10s"):
            self.policy.rate_limit = (int(settings["requests_per_10s"]), 10.0)
        self.session = make_session(
            self.name,
            self.policy,
            base=rewriting_session_class(self.base_url),
            cache_path=self.cache_file(),
            cache_ttl=context.cache_ttl,
        )
        self.client = TrelloClient(api_key=self.api_key, api_secret=self.token, http_service=self.session)
        guard_library_logs()
        self._cards: dict[str, dict[str, Any]] = {}  # card id -> name, desc, url, shortUrl we know
        self._lists: dict[str, list[dict[str, Any]]] = {}  # board id -> open lists in order
        self._labels: dict[str, list[dict[str, Any]]] = {}  # board id -> labels
        self._checklist_sources: dict[tuple[str, ...], str] = {}  # items -> a checklist to copy
        #: board id -> (lists, first card page) read together with other boards' (see prefetch)
        self._prefetched: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
        #: board id -> whether its actions showed a change, asked together with other boards' (prefetch_changes)
        self._changed: dict[str, bool] = {}

    def close(self) -> None:
        """Close the HTTP session (and its cache file)."""
        self.session.close()

    def open_sessions(self) -> list[Any]:
        """The one session of this account (the base clears its cache after a write)."""
        return [self.session]

    def _fetch(
        self,
        method: str,
        path: str,
        obj: str,
        *,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
    ) -> Any:
        """One call through py-trello's fetch_json, errors mapped and redacted."""
        with sdk_errors(self.name, obj):
            result = self.client.fetch_json(
                path, http_method=method, query_params=dict(query or {}), post_args=body if method != "GET" else None
            )
        if method != "GET":
            self._invalidate_cache()  # our own write: cached reads are stale
        return result

    def _fresh(self) -> AbstractContextManager[Any]:
        """Bypass the response cache (when on) for a read that a write will build on."""
        disabled = getattr(self.session, "cache_disabled", None)
        return disabled() if disabled is not None else nullcontext()

    @staticmethod
    def _board_routes(board: str, tracked: bool) -> list[str]:
        """The /batch routes of a board's lists and first card page (tracked boards: with attachment URLs)."""
        lists_query = {"filter": "all", "fields": "name,closed,pos"}
        cards_query: dict[str, Any] = {"fields": CARD_FIELDS, "filter": "all", "limit": PAGE}
        if tracked:
            cards_query.update(attachments="true", attachment_fields="url")
        return [f"/boards/{board}/lists?{urlencode(lists_query)}", f"/boards/{board}/cards?{urlencode(cards_query)}"]

    def _read_board(self, board: str, *, tracked: bool = True) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Lists and the first 1000 cards in one GET /batch (or from a prefetch); later pages as usual."""
        pre = self._prefetched.pop(board, None)
        if pre is None:
            answers = self._fetch(
                "GET", "/batch", f"board {board}", query={"urls": ",".join(self._board_routes(board, tracked))}
            )
            lists_body, first_body = (batch_body(self.name, f"board {board}", answer) for answer in answers)
            pre = (list(lists_body), list(first_body))
        lists, first = pre
        for card in first:
            if "desc" in card and "url" in card:
                self._remember(card, card["desc"])
        cards = list(first)
        if len(first) == PAGE:
            extra = {"attachments": "true", "attachment_fields": "url"} if tracked else None
            cards += self._read_cards(board, CARD_FIELDS, before=min(c["id"] for c in first), extra=extra)
        return list(lists), cards

    def _read_cards(
        self, board: str, fields: str, *, before: str | None = None, extra: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Every card of a board (archived too), newest first, paging with `before` past 1000."""
        cards: list[dict[str, Any]] = []
        while True:
            query: dict[str, Any] = {"fields": fields, "filter": "all", "limit": PAGE, **(extra or {})}
            if before:
                query["before"] = before
            page = self._fetch("GET", f"/boards/{board}/cards", f"cards of board {board}", query=query)
            cards.extend(page)
            for card in page:
                if "desc" in card and "url" in card:
                    self._remember(card, card["desc"])
            if len(page) < PAGE:
                return cards
            before = min(c["id"] for c in page)

    def _remember(self, card: dict[str, Any], desc: str) -> dict[str, Any]:
        info = {
            "name": card.get("name", ""),
            "desc": desc,
            "url": card.get("shortUrl") or card.get("url", ""),
        }  # the short URL survives renames
        self._cards[card["id"]] = info
        return info

    def _open_lists(self, board: str) -> list[dict[str, Any]]:
        if board not in self._lists:
            self._lists[board] = self._fetch(
                "GET",
                f"/boards/{board}/lists",
                f"lists of board {board}",
                query={"filter": "open", "fields": "name,pos"},
            )
        return self._lists[board]

    def _add_list(self, board: str, name: str) -> dict[str, Any]:
        created = self._fetch(
            "POST", "/lists", f"list {name!r}", body={"name": name, "idBoard": board, "pos": "bottom"}
        )
        self._lists.setdefault(board, []).append(created)
        return created

    def _list_for(self, board: str, extra: Mapping[str, Any], status: Status, *, create: bool = True) -> str | None:
        """The first open list whose status is `status` (columns mode) or the first list at all."""
        lists = self._open_lists(board)
        if extra.get("mode") == "sections":
            return lists[0]["id"] if lists else (self._add_list(board, "To Do")["id"] if create else None)
        for lst in lists:
            if list_status(lst["name"], self._status_map(extra)) is status:
                return lst["id"]
        if not create:
            return None
        column = next(
            (c for c in extra.get("columns") or DEFAULT_COLUMNS if list_status(c, self._status_map(extra)) is status),
            None,
        )
        return self._add_list(board, column)["id"] if column else (lists[0]["id"] if lists else None)

    def _board_labels(self, board: str) -> list[dict[str, Any]]:
        """A board's labels, read once per run (this run's own label writes are added as they happen)."""
        if board not in self._labels:
            self._labels[board] = self._fetch(
                "GET",
                f"/boards/{board}/labels",
                f"labels of board {board}",
                query={"fields": "name,color", "limit": 1000},
            )
        return self._labels[board]

    def _label_id(self, board: str, name: str, color: str | None = None) -> str:
        """A label by name, created (one POST) when the board lacks it."""
        labels = self._board_labels(board)
        found = next((lb for lb in labels if lb["name"] == name), None)
        if found is None:
            found = self._fetch(
                "POST",
                "/labels",
                f"label {name!r}",
                body={"name": name, "color": color or ("red" if name.lower() == "blocked" else None), "idBoard": board},
            )
            labels.append(found)
        return found["id"]

    def _task_labels(self, board: str, tasks: Sequence[NewTask]) -> dict[str, str]:
        """Template labels of the tasks by name: one POST per label the board lacks."""
        wanted = list(dict.fromkeys(n for t in tasks for n in t.spec.labels))
        return {name: self._label_id(board, name) for name in wanted}

    def _add_checklist(self, card: str, key: str, items: Sequence[str]) -> str | None:
        """A copy of an identical checklist made earlier (1 request), else 1 + one per item."""
        wanted = tuple(items)
        try:
            source = self._checklist_sources.get(wanted)
            if source:
                self._fetch(
                    "POST",
                    f"/cards/{card}/checklists",
                    f"checklist of {key!r}",
                    body={"name": "Checklist", "idChecklistSource": source},
                )
                return None
            checklist = self._fetch(
                "POST", f"/cards/{card}/checklists", f"checklist of {key!r}", body={"name": "Checklist"}
            )
            for item in wanted:
                self._fetch(
                    "POST",
                    f"/checklists/{checklist['id']}/checkItems",
                    f"checklist of {key!r}",
                    body={"name": item, "pos": "bottom"},
                )
            self._checklist_sources[wanted] = checklist["id"]
        except ProviderError as exc:
            log.warning("%s: card %s created but its checklist failed: %s", self.name, key, exc.cause)
            return f"card created, checklist incomplete: {exc.cause}"
        return None

    def _ensure_columns(self, board: str, columns: Sequence[str]) -> None:
        """Create the configured columns a board lacks (by name)."""
        have = {x["name"] for x in self._open_lists(board)}
        for column in columns:
            if column not in have:
                self._add_list(board, column)

    def _opt(self, destination: Mapping[str, Any], key: str, default: Any) -> Any:
        return destination.get(key, self.settings.get(key, default))

    def _extra(self, instance: str, destination: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "instance": instance,
            "mode": self._opt(destination, "mode", "columns"),
            "columns": list(self._opt(destination, "columns", DEFAULT_COLUMNS)),
            "status_map": dict(destination.get("status_map", {})),  # the provider's map is merged in at use
            "blocked_label": self._opt(destination, "blocked_label", "blocked"),
            "in_progress_label": self._opt(destination, "in_progress_label", "in progress"),
            "label": None,
        }

    def _status_map(self, extra: Mapping[str, Any]) -> dict[str, str]:
        """The provider's current status_map under the department's (recorded when stamped)."""
        return {**self.settings.get("status_map", {}), **(extra.get("status_map") or {})}

    @staticmethod
    def _board(container: Container) -> str:
        return str(container.extra.get("board") or container.ref)

    def prefetch(self, containers: Sequence[Container]) -> None:
        """Lists and first card pages of several boards, five boards (ten routes) per GET /batch."""
        boards = list({self._board(c): c.extra.get("mode") == "tracked" for c in containers}.items())
        for start in range(0, len(boards), BATCH_ROUTES // 2):
            chunk = boards[start : start + BATCH_ROUTES // 2]
            if len(chunk) < 2:
                continue  # one board: its own read takes the same single /batch
            routes = [route for board, tracked in chunk for route in self._board_routes(board, tracked)]
            try:
                answers = self._fetch("GET", "/batch", f"{len(chunk)} boards", query={"urls": ",".join(routes)})
            except CollabsyncError:
                continue  # each board's own read then names the board and the cause
            for i, (board, _) in enumerate(chunk):
                try:
                    lists, first = (batch_body(self.name, f"board {board}", a) for a in answers[2 * i : 2 * i + 2])
                except CollabsyncError:
                    continue
                self._prefetched[board] = (list(lists), list(first))

    def _ensure_label_container(self, instance: str, board_id: str, extra: dict[str, Any]) -> Container:
        """Board mode: the instance is the label `collabsync <instance>`; the board desc lists instances."""
        board = self._fetch("GET", f"/boards/{board_id}", f"board {board_id}", query={"fields": "name,desc,url"})
        name = f"collabsync {instance}"
        created = not any(lb["name"] == name for lb in self._board_labels(board["id"]))
        label_id = self._label_id(board["id"], name, INSTANCE_COLOR)
        mark = marker(instance)
        desc = board.get("desc") or ""
        if mark not in [line.strip() for line in desc.splitlines()]:
            self._fetch(
                "PUT",
                f"/boards/{board['id']}",
                f"board {board_id}",
                body={"desc": f"{desc.rstrip()}\n{mark}" if desc.strip() else mark},
            )
        if extra["mode"] == "columns":
            self._ensure_columns(board["id"], extra["columns"])
        return self._to_container(board, {**extra, "label": label_id}, created=created)

    @staticmethod
    def _to_container(board: Mapping[str, Any], extra: dict[str, Any], *, created: bool = False) -> Container:
        return Container(
            board["id"], board.get("name", ""), board.get("url", ""), {**extra, "board": board["id"]}, created=created
        )
