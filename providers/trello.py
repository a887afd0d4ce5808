"""The Trello adapter (issue #5): an instance becomes a board in a workspace, or a label on a board.

Requests go through py-trello's ``fetch_json`` only (its object layer refetches everything: see
SDK-NOTES.md), over a collabsync session that rate-limits below Trello's 100 requests / 10 s per
token, retries 429s (which carry no Retry-After) with bounded back-off, and rewrites the SDK's
hard-coded base URL when `base_url` is set. Modes, status rules and request counts:
README-trello.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any
from urllib.parse import urlencode

from trello import TrelloClient

from collabsync.errors import AuthError, CollabsyncError, ConfigError, ProviderError, RateLimitError, TransportError
from collabsync.findings import Finding, Needs
from collabsync.http import make_session
from collabsync.model import (
    Container,
    Created,
    Linked,
    NewTask,
    SectionSpec,
    Status,
    Task,
    TaskChange,
    TaskSpec,
    insert_above_marker,
    marker,
    parse_marker,
    with_marker,
)
from collabsync.providers.base import Capability, Changes, Provider, ProviderContext, TextLimits, ToolUser
from collabsync.providers.people_tools import trello_assign, trello_user
from collabsync.ratelimit import Limit
from collabsync.redact import register_secret

from . import trello_changes, trello_publish
from .trello_preflight import preflight
from .trello_support import (
    CARD_FIELDS,
    DEFAULT_BASE,
    DEFAULT_COLUMNS,
    DESTINATION_SCHEMA,
    SETTINGS_SCHEMA,
    attached_pairs,
    batch_body,
    board_ref,
    card_status,
    checklist_gap,
    dependency_urls,
    depends_line,
    guard_library_logs,
    list_status,
    parse_date,
    parse_datetime,
    rewriting_session_class,
    sdk_errors,
    short_link,
    write_date,
    zone,
)

__all__ = ["TrelloProvider"]

log = logging.getLogger("collabsync.providers.trello")

PAGE = 1000  # Trello's cap per card listing
BATCH_ROUTES = 10  # GET /batch takes at most ten routes
SECTION_COLOR = "sky"  # columns mode: section labels carry this colour so reads can tell them apart
INSTANCE_COLOR = "purple"
_CARD_ACTIONS = "createCard,updateCard,deleteCard,moveCardToBoard,moveCardFromBoard,addAttachmentToCard,addLabelToCard,removeLabelFromCard"
_SINCE_OVERLAP = dt.timedelta(minutes=5)


class TrelloProvider(Provider):
    """One Trello member (api_key + token) seen through the neutral model."""

    type_name = "trello"
    # Trello caps every name and description at 16,384 characters: "1 to 16384 characters long" for boards, lists,
    # labels, checklists and check items in Atlassian's Trello OpenAPI (trello-openapi.json); cards share the limit.
    text_limits = TextLimits(title=16_384, description=16_384, checklist_item=16_384, container_title=16_384,
                             source="Trello REST API reference")
    capabilities = frozenset({
        Capability.SECTIONS, Capability.DEPENDENCIES, Capability.MARKER_SEARCH, Capability.INCREMENTAL_READ,
        Capability.STATUS_UPDATE, Capability.ANNOTATE, Capability.CHECKLISTS, Capability.PUBLISH,
        Capability.READ_CHANGES,
    })
    settings_schema = SETTINGS_SCHEMA
    destination_schema = DESTINATION_SCHEMA

    def __init__(self, name: str, settings: Mapping[str, Any], context: ProviderContext) -> None:
        super().__init__(name, settings, context)
        self.api_key, self.token = str(settings.get("api_key") or ""), str(settings.get("token") or "")
        if not self.api_key or not self.token:
            raise ConfigError.single("collabsync.toml", f"providers.{name}: trello needs api_key and token")
        register_secret(self.api_key)
        register_secret(self.token)
        self.base_url = str(settings.get("base_url") or DEFAULT_BASE).rstrip("/")
        self.tz = zone(settings.get("timezone"))
        if "backoff" not in settings:
            self.policy.backoff = 1.0  # waits 2, 4, 8 s: past Trello's 10 s window in three retries
        # Published: 100 requests / 10 s per token and 300 / 10 s per API key; the budget keeps 90% of each.
        self.policy.limits = (Limit(100, 10.0, "per token"), Limit(300, 10.0, "per API key"))
        if settings.get("requests_per_10s"):
            self.policy.rate_limit = (int(settings["requests_per_10s"]), 10.0)
        credential = hashlib.sha256(f"{self.base_url}\0{self.api_key}\0{self.token}".encode()).hexdigest()[:16]
        self.session = make_session(self.name, self.policy, base=rewriting_session_class(self.base_url),
                                    cache_path=context.cache_path(self.type_name, credential),
                                    cache_ttl=context.cache_ttl)
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

    # -- account -------------------------------------------------------------------------------
    def check(self) -> str:
        """One GET /members/me."""
        me = self._fetch("GET", "/members/me", "member me", query={"fields": "username,fullName"})
        return f"Trello member @{me.get('username')} ({me.get('fullName')})"

    def describe(self, destination: Mapping[str, Any]) -> str:
        """Where an instance goes."""
        mode = self._opt(destination, "mode", "columns")
        if destination.get("board"):
            return f"label on board {destination['board']} ({mode} mode)"
        where = f"workspace {destination['workspace']}" if destination.get("workspace") else "personal boards"
        return f"new board in {where} ({mode} mode)"

    def preflight(self, destination: Mapping[str, Any], needs: Needs, container: Container | None = None) -> list[Finding]:
        """Workspace or board, membership (observers cannot write), lists and labels (providers/trello_preflight.py)."""
        return preflight(self, destination, needs, container)

    # -- stamping ------------------------------------------------------------------------------
    def ensure_container(self, instance: str, title: str, description: str, destination: Mapping[str, Any]) -> Container:
        """A board found by the marker in its description, else created; or a label on a given board."""
        extra = self._extra(instance, destination)
        if destination.get("board"):
            return self._ensure_label_container(instance, str(destination["board"]), extra)
        workspace = destination.get("workspace")
        path = f"/organizations/{workspace}/boards" if workspace else "/members/me/boards"
        boards = self._fetch("GET", path, f"boards of {workspace or 'me'}",
                             query={"filter": "open", "fields": "name,desc,url,closed,idOrganization"})
        for board in boards:
            if not workspace and board.get("idOrganization"):
                continue  # personal destination: the member's boards in workspaces belong to other destinations
            if parse_marker(board.get("desc")) == (instance, None):
                if extra["mode"] == "columns":  # a stamp cut short may have left columns missing
                    self._ensure_columns(board["id"], extra["columns"])
                return self._to_container(board, extra)
        args: dict[str, Any] = {"name": title, "desc": with_marker(description, marker(instance)),
                                "defaultLists": False, "defaultLabels": False}
        if workspace:
            args["idOrganization"] = workspace
        board = self._fetch("POST", "/boards", f"board {title!r}", body=args)
        self._lists[board["id"]], self._labels[board["id"]] = [], []  # a new board has neither
        if extra["mode"] == "columns":
            for column in extra["columns"]:
                self._add_list(board["id"], column)
        return self._to_container(board, {**extra, "created": True})

    def ensure_sections(self, container: Container, sections: Sequence[SectionSpec]) -> dict[str, str]:
        """Sections mode: lists by title; columns mode: labels by title (coloured sky)."""
        board = self._board(container)
        out: dict[str, str] = {}
        if container.extra.get("mode") == "sections":
            lists = self._open_lists(board)
            for section in sections:
                found = next((x for x in lists if x["name"] == section.title), None)
                out[section.key] = (found or self._add_list(board, section.title))["id"]
            return out
        for section in sections:
            out[section.key] = self._label_id(board, section.title, SECTION_COLOR)
        return out

    def create_tasks(self, container: Container, tasks: Sequence[NewTask]) -> Iterator[Created]:
        """One POST /cards per task with everything in it; checklists right after; yield each outcome."""
        if not tasks:
            return
        board, extra = self._board(container), container.extra
        sections_mode = extra.get("mode") == "sections"
        default_list = None if sections_mode and all(t.section_ref for t in tasks) else self._list_for(board, extra, Status.TODO)
        task_labels = self._task_labels(board, tasks)
        made: dict[str, dict[str, Any]] = {}
        for item in tasks:
            spec = item.spec
            labels = [task_labels[n] for n in spec.labels if n in task_labels]
            if extra.get("label"):
                labels.insert(0, extra["label"])
            if item.section_ref and not sections_mode:
                labels.insert(0, item.section_ref)
            desc = with_marker(item.description, item.marker)
            deps = [depends_line(made[k]["name"], made[k]["url"]) for k in spec.depends_on if k in made]
            if deps:
                desc = insert_above_marker(desc, deps)
            body: dict[str, Any] = {
                "name": spec.title, "desc": desc, "pos": "bottom",
                "idList": item.section_ref if sections_mode and item.section_ref else default_list,
                "idLabels": ",".join(dict.fromkeys(labels)),
            }
            member = self.person_id(spec.assignee)
            if member:
                body["idMembers"] = member
            if spec.due:
                body["due"] = write_date(spec.due, self.tz)
            if spec.start:
                body["start"] = write_date(spec.start, self.tz)
            try:
                card = self._fetch("POST", "/cards", f"card {spec.key!r}", body=body)
            except (AuthError, RateLimitError, TransportError):
                raise  # stop: outcome unknown or nothing more will work; the stamp resumes by marker
            except ProviderError as exc:
                if exc.status is None or exc.status >= 500:
                    raise
                yield Created(spec.key, error=exc.cause)
                continue
            made[spec.key] = self._remember(card, desc)
            error = self._add_checklist(card["id"], spec.key, spec.checklist) if spec.checklist else None
            yield Created(spec.key, card["id"], card.get("url", ""), error=error)

    def link_dependencies(self, container: Container, pairs: Sequence[tuple[str, str]]) -> Iterator[Linked]:
        """Per link an attachment to the blocking card on the blocked one, plus a `Depends on:` line."""
        board = self._board(container)
        if any(r not in self._cards for pair in pairs for r in pair):
            self._read_cards(board, "name,desc,url,shortUrl")
        for ref in dict.fromkeys(r for pair in pairs for r in pair if r not in self._cards):
            try:  # a card of another board of this account (another department on Trello)
                card = self._fetch("GET", f"/cards/{ref}", f"card {ref}", query={"fields": "name,desc,url,shortUrl"})
            except ProviderError as exc:
                if exc.status is None or exc.status >= 500 or exc.status in (401, 403, 429):
                    raise
                continue
            self._remember(card, card.get("desc", ""))
        pending: dict[str, list[str]] = {}
        for blocked, blocking in pairs:
            if blocked not in self._cards or blocking not in self._cards:
                yield Linked(blocked, blocking, error="no such card")
                continue
            other = self._cards[blocking]
            try:
                self._fetch("POST", f"/cards/{blocked}/attachments", f"link {blocked} -> {blocking}",
                            body={"url": other["url"], "name": f"Depends on: {other['name']}"})
            except (AuthError, RateLimitError, TransportError):
                raise
            except ProviderError as exc:
                if exc.status is None or exc.status >= 500:
                    raise  # outcome unknown: the stamp records nothing and links again on resume
                yield Linked(blocked, blocking, error=exc.cause)
                continue
            line = depends_line(other["name"], other["url"])
            if line not in self._cards[blocked]["desc"].splitlines():
                pending.setdefault(blocked, []).append(line)
            yield Linked(blocked, blocking)
        for blocked, lines in pending.items():  # one description update per blocked card
            self.annotate(blocked, lines)

    def complete_task(self, container: Container, ref: str, task: TaskSpec) -> None:
        """Add the checklist items a card lacks (one GET; a POST per missing item), reusing its checklist."""
        if not task.checklist:
            return
        with self._fresh():
            have = self._fetch("GET", f"/cards/{ref}/checklists", f"checklist of {task.key!r}",
                               query={"fields": "name", "checkItems": "all", "checkItem_fields": "name"})
        checklist, missing = checklist_gap(have, task.checklist)
        if not missing:
            return
        if checklist is None:
            checklist = self._fetch("POST", f"/cards/{ref}/checklists", f"checklist of {task.key!r}",
                                    body={"name": "Checklist"})["id"]
        for item in missing:
            self._fetch("POST", f"/checklists/{checklist}/checkItems", f"checklist of {task.key!r}",
                        body={"name": item, "pos": "bottom"})

    def find_links(self, container: Container, refs: Sequence[str]) -> set[tuple[str, str]]:
        """Dependency attachments already on the board's cards (one read of cards with attachment URLs)."""
        with self._fresh():
            cards = self._read_cards(self._board(container), "name,desc,url,shortUrl",
                                     extra={"attachments": "true", "attachment_fields": "url"})
        for ref in dict.fromkeys(r for r in refs if r not in self._cards):  # a card of another board of this account
            with self._fresh():
                card = self._fetch("GET", f"/cards/{ref}", f"card {ref}", query={"fields": "name,desc,url,shortUrl"})
            self._remember(card, card.get("desc", ""))
        wanted = {r for r in refs if r in self._cards}
        return {p for p in attached_pairs(cards, {r: self._cards[r]["url"] for r in wanted}) if p[0] in wanted}

    def annotate(self, ref: str, lines: Sequence[str]) -> None:
        """Insert lines above the marker (one PUT; one GET first unless this run knows the card)."""
        if ref not in self._cards:
            with self._fresh():
                card = self._fetch("GET", f"/cards/{ref}", f"card {ref}", query={"fields": "name,desc,url,shortUrl"})
            self._remember(card, card.get("desc", ""))
        desc = self._cards[ref]["desc"]
        new = insert_above_marker(desc, list(lines))
        if new != desc:
            self._fetch("PUT", f"/cards/{ref}", f"card {ref}", body={"desc": new})
            self._cards[ref]["desc"] = new

    def find_marked(self, container: Container, instance: str) -> dict[str, Created]:
        """Every card of the board carrying this instance's marker (archived ones too): one read."""
        out: dict[str, Created] = {}
        for card in self._read_cards(self._board(container), "name,desc,url,shortUrl"):
            found = parse_marker(card.get("desc"))
            if found and found[0] == instance and found[1]:
                out[found[1]] = Created(found[1], card["id"], card.get("url", ""))
        return out

    # -- reading and updating --------------------------------------------------------------------
    def resolve_source(self, source: str) -> Container:
        """A board id, short link or board URL, checked by one GET /boards/{id}."""
        ref = board_ref(source)
        board = self._fetch("GET", f"/boards/{ref}", f"board {source}", query={"fields": "name,url,closed"})
        extra: dict[str, Any] = {"instance": None, "mode": "tracked", "columns": [], "status_map": {}, "blocked_label": "blocked",
                 "in_progress_label": "in progress", "label": None}
        return self._to_container(board, extra)

    def read_tasks(self, container: Container, since: dt.datetime | None = None) -> list[Task]:
        """All cards in ceil(n/1000) requests plus one for the lists (tracked boards: both in one /batch)."""
        board = self._board(container)
        tracked = container.extra.get("mode") == "tracked"
        if since is not None:
            window = since - _SINCE_OVERLAP
            actions = self._fetch("GET", f"/boards/{board}/actions", f"actions of board {board}",
                                  query={"since": window.astimezone(dt.UTC).isoformat(),
                                         "filter": _CARD_ACTIONS, "limit": 1000, "fields": "type,date"})
            if not actions:
                return []
        if tracked or board in self._prefetched:
            lists, cards = self._read_board(board, tracked=tracked)
        else:
            lists = self._fetch("GET", f"/boards/{board}/lists", f"lists of board {board}",
                                query={"filter": "all", "fields": "name,closed,pos"})
            cards = self._read_cards(board, CARD_FIELDS)
        names = {x["id"]: x["name"] for x in lists}
        self._lists[board] = [x for x in lists if not x.get("closed")]
        by_link = {card.get("shortLink"): card["id"] for card in cards}
        tasks = []
        for card in cards:
            task = self._to_task(card, names.get(card.get("idList", "")), container, by_link)
            if task is None:
                continue
            if since is not None and task.updated and task.updated < since - _SINCE_OVERLAP:
                continue
            tasks.append(task)
        return tasks

    def read_changes(self, container: Container, since: dt.datetime, known: Mapping[str, Task],
                     cursor: str | None = None) -> Changes:
        """The board's actions since `since`; unchanged boards cost nothing more (providers/trello_changes.py)."""
        return trello_changes.read_changes(self, container, since, known)

    def prefetch_changes(self, wanted: Sequence[tuple[Container, dt.datetime, str | None]]) -> None:
        """Ten boards' action checks per GET /batch (providers/trello_changes.py)."""
        trello_changes.prefetch_changes(self, wanted)

    def set_status(self, container: Container, ref: str, status: Status) -> None:
        """Columns mode: move to the status's list; sections mode: dueComplete/closed/labels. One PUT."""
        board, extra, status = self._board(container), container.extra, Status(status)
        with self._fresh():  # read-modify-write: never from the cache
            card = self._fetch("GET", f"/cards/{ref}", f"card {ref}",
                               query={"fields": "idList,idLabels,labels,closed,dueComplete"})
        labels = {lb["name"].lower(): lb["id"] for lb in card.get("labels") or []}
        ids = list(card.get("idLabels") or [])
        blocked_name = str(extra.get("blocked_label") or "blocked")
        progress_name = str(extra.get("in_progress_label") or "in progress")
        drop = {labels.get(blocked_name.lower()), labels.get(progress_name.lower())} - {None}
        body: dict[str, Any] = {"closed": status is Status.CANCELLED,
                                "dueComplete": status is Status.DONE if extra.get("mode") == "sections" else False}
        want_label = None
        if extra.get("mode") == "sections":
            want_label = {Status.BLOCKED: blocked_name, Status.IN_PROGRESS: progress_name}.get(status)
        else:
            target = self._list_for(board, extra, status, create=False)
            if target is None and status is Status.BLOCKED:
                want_label = blocked_name
            elif target is None and status is Status.DONE:
                body["dueComplete"] = True  # no done list: the due-date tick reads as done
            elif target is None and status is not Status.CANCELLED:
                raise ProviderError(self.name, f"card {ref}", f"no list on board {board} maps to {status.value}; "
                                    "add one or set status_map")
            if status is Status.CANCELLED:
                current = next((x["name"] for x in self._open_lists(board) if x["id"] == card.get("idList")), "")
                if list_status(current, self._status_map(extra)) is Status.DONE:
                    target = self._list_for(board, extra, Status.TODO)  # archived in a done list reads done
            if target:
                body["idList"] = target
        keep = [i for i in ids if i not in drop]
        if want_label:
            keep.append(labels.get(want_label.lower()) or self._label_id(board, want_label))
        if keep != ids:
            body["idLabels"] = ",".join(keep)
        if any(card.get(k) != v for k, v in body.items() if k != "idLabels") or "idLabels" in body:
            self._fetch("PUT", f"/cards/{ref}", f"card {ref}", body=body)

    def update_tasks(self, container: Container, changes: Sequence[TaskChange]) -> Iterator[Created]:
        """One PUT per card (Trello has no bulk edit); see providers/lifecycle.py."""
        from .lifecycle import trello_update

        return trello_update(self, container, changes)

    def archive_container(self, container: Container) -> str:
        """Close the board, or only the instance's cards on a shared board."""
        from .lifecycle import trello_archive

        refs = [c.ref for c in self.find_marked(container, str(container.extra.get("instance") or "")).values() if c.ref]
        return trello_archive(self, container, refs)

    def resolve_person(self, email: str) -> ToolUser | None:
        """The member with this visible e-mail (providers/people_tools.py)."""
        return trello_user(self, email)

    def set_assignee(self, container: Container, ref: str, user: ToolUser | None) -> None:
        """Replace the card's members (providers/people_tools.py)."""
        trello_assign(self, ref, user)

    # The joint status in the tool's own form (a comment on the pinned status card): providers/trello_publish.py.
    publish_status = trello_publish.publish_status
    edit_status = trello_publish.edit_status
    find_status = trello_publish.find_status

    def close(self) -> None:
        """Close the HTTP session (and its cache file)."""
        self.session.close()

    # -- requests --------------------------------------------------------------------------------
    def _fetch(self, method: str, path: str, obj: str, *, query: dict[str, Any] | None = None,
               body: dict[str, Any] | None = None) -> Any:
        """One call through py-trello's fetch_json, errors mapped and redacted."""
        with sdk_errors(self.name, obj):
            result = self.client.fetch_json(path, http_method=method, query_params=dict(query or {}),
                                            post_args=body if method != "GET" else None)
        if method != "GET" and getattr(self.session, "cache", None) is not None:
            self.session.cache.clear()  # type: ignore[attr-defined]  # our own write: cached reads are stale
        return result

    def _fresh(self) -> AbstractContextManager[Any]:
        """Bypass the response cache (when on) for a read that a write will build on."""
        disabled = getattr(self.session, "cache_disabled", None)
        return disabled() if disabled is not None else nullcontext()

    def prefetch(self, containers: Sequence[Container]) -> None:
        """Lists and first card pages of several boards, five boards (ten routes) per GET /batch."""
        boards = list({self._board(c): c.extra.get("mode") == "tracked" for c in containers}.items())
        for start in range(0, len(boards), BATCH_ROUTES // 2):
            chunk = boards[start:start + BATCH_ROUTES // 2]
            if len(chunk) < 2:
                continue  # one board: its own read takes the same single /batch
            routes = [route for board, tracked in chunk for route in self._board_routes(board, tracked)]
            try:
                answers = self._fetch("GET", "/batch", f"{len(chunk)} boards", query={"urls": ",".join(routes)})
            except CollabsyncError:
                continue  # each board's own read then names the board and the cause
            for i, (board, _) in enumerate(chunk):
                try:
                    lists, first = (batch_body(self.name, f"board {board}", a) for a in answers[2 * i:2 * i + 2])
                except CollabsyncError:
                    continue
                self._prefetched[board] = (list(lists), list(first))

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
            answers = self._fetch("GET", "/batch", f"board {board}",
                                  query={"urls": ",".join(self._board_routes(board, tracked))})
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

    def _read_cards(self, board: str, fields: str, *, before: str | None = None,
                    extra: dict[str, Any] | None = None) -> list[dict[str, Any]]:
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
        info = {"name": card.get("name", ""), "desc": desc,
                "url": card.get("shortUrl") or card.get("url", "")}  # the short URL survives renames
        self._cards[card["id"]] = info
        return info

    def _open_lists(self, board: str) -> list[dict[str, Any]]:
        if board not in self._lists:
            self._lists[board] = self._fetch("GET", f"/boards/{board}/lists", f"lists of board {board}",
                                             query={"filter": "open", "fields": "name,pos"})
        return self._lists[board]

    def _add_list(self, board: str, name: str) -> dict[str, Any]:
        created = self._fetch("POST", "/lists", f"list {name!r}", body={"name": name, "idBoard": board, "pos": "bottom"})
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
        column = next((c for c in extra.get("columns") or DEFAULT_COLUMNS
                       if list_status(c, self._status_map(extra)) is status), None)
        return self._add_list(board, column)["id"] if column else (lists[0]["id"] if lists else None)

    def _board_labels(self, board: str) -> list[dict[str, Any]]:
        """A board's labels, read once per run (this run's own label writes are added as they happen)."""
        if board not in self._labels:
            self._labels[board] = self._fetch("GET", f"/boards/{board}/labels", f"labels of board {board}",
                                              query={"fields": "name,color", "limit": 1000})
        return self._labels[board]

    def _label_id(self, board: str, name: str, color: str | None = None) -> str:
        """A label by name, created (one POST) when the board lacks it."""
        labels = self._board_labels(board)
        found = next((lb for lb in labels if lb["name"] == name), None)
        if found is None:
            found = self._fetch("POST", "/labels", f"label {name!r}",
                                body={"name": name, "color": color or ("red" if name.lower() == "blocked" else None),
                                      "idBoard": board})
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
                self._fetch("POST", f"/cards/{card}/checklists", f"checklist of {key!r}",
                            body={"name": "Checklist", "idChecklistSource": source})
                return None
            checklist = self._fetch("POST", f"/cards/{card}/checklists", f"checklist of {key!r}", body={"name": "Checklist"})
            for item in wanted:
                self._fetch("POST", f"/checklists/{checklist['id']}/checkItems", f"checklist of {key!r}",
                            body={"name": item, "pos": "bottom"})
            self._checklist_sources[wanted] = checklist["id"]
        except ProviderError as exc:
            log.warning("%s: card %s created but its checklist failed: %s", self.name, key, exc.cause)
            return f"card created, checklist incomplete: {exc.cause}"
        return None

    def _ensure_label_container(self, instance: str, board_id: str, extra: dict[str, Any]) -> Container:
        """Board mode: the instance is the label `collabsync <instance>`; the board desc lists instances."""
        board = self._fetch("GET", f"/boards/{board_id}", f"board {board_id}", query={"fields": "name,desc,url"})
        name = f"collabsync {instance}"
        created = not any(lb["name"] == name for lb in self._board_labels(board["id"]))
        label_id = self._label_id(board["id"], name, INSTANCE_COLOR)
        mark = marker(instance)
        desc = board.get("desc") or ""
        if mark not in [line.strip() for line in desc.splitlines()]:
            self._fetch("PUT", f"/boards/{board['id']}", f"board {board_id}",
                        body={"desc": f"{desc.rstrip()}\n{mark}" if desc.strip() else mark})
        if extra["mode"] == "columns":
            self._ensure_columns(board["id"], extra["columns"])
        return self._to_container(board, {**extra, "label": label_id, "created": created})

    def _ensure_columns(self, board: str, columns: Sequence[str]) -> None:
        """Create the configured columns a board lacks (by name)."""
        have = {x["name"] for x in self._open_lists(board)}
        for column in columns:
            if column not in have:
                self._add_list(board, column)

    # -- mappers ---------------------------------------------------------------------------------
    def _opt(self, destination: Mapping[str, Any], key: str, default: Any) -> Any:
        return destination.get(key, self.settings.get(key, default))

    def _extra(self, instance: str, destination: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "instance": instance, "mode": self._opt(destination, "mode", "columns"),
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

    @staticmethod
    def _to_container(board: Mapping[str, Any], extra: dict[str, Any]) -> Container:
        return Container(board["id"], board.get("name", ""), board.get("url", ""), {**extra, "board": board["id"]})

    def _to_task(self, card: Mapping[str, Any], list_name: str | None, container: Container,
                 by_link: Mapping[str | None, str]) -> Task | None:
        """A card as a Task; None when it belongs to another instance (board mode)."""
        extra = container.extra
        if trello_publish.is_status_card(card.get("desc")):
            return None  # the card that carries published status comments is not a task
        tracked = extra.get("mode") == "tracked"
        found = None if tracked else parse_marker(card.get("desc"))
        if extra.get("label") and extra["label"] not in (card.get("idLabels") or []) and \
                (not found or found[0] != extra.get("instance")):
            return None
        labels = card.get("labels") or []
        sections_mode = extra.get("mode") == "sections" or tracked  # tracked boards: a list is a section
        section = list_name if sections_mode else \
            next((lb["name"] for lb in labels if lb.get("color") == SECTION_COLOR), None)
        members = card.get("idMembers") or []
        deps, external = [], []
        attached = [a["url"] for a in card.get("attachments") or [] if short_link(a.get("url", ""))]
        for url in dict.fromkeys([*dependency_urls(card.get("desc", "")), *attached]):
            link = short_link(url)
            if link in by_link:
                if by_link[link] not in deps and by_link[link] != card["id"]:
                    deps.append(by_link[link])
            else:
                external.append(url)
        return Task(
            ref=card["id"], title=card.get("name", ""),
            status=card_status(card, list_name, {**extra, "status_map": self._status_map(extra)}),
            key=found[1] if found else None,
            section=section, assignee=self.person_of(members[0]) if members else None,
            start=parse_date(card.get("start"), self.tz), due=parse_date(card.get("due"), self.tz),
            labels=[lb["name"] for lb in labels if lb.get("name") and lb.get("id") != extra.get("label")
                    and (sections_mode or lb.get("color") != SECTION_COLOR)],
            depends_on=deps, url=card.get("url", ""), updated=parse_datetime(card.get("dateLastActivity")),
            extra={"list": list_name, "closed": bool(card.get("closed")), "dueComplete": bool(card.get("dueComplete")),
                   "external_depends_on": external},
        )
