"""The Trello adapter (issue #5): an instance becomes a board in a workspace, or a label on a board.

Requests go through py-trello's ``fetch_json`` only (its object layer refetches everything: see
SDK-NOTES.md), over a collabsync session that rate-limits below Trello's 100 requests / 10 s per
token, retries 429s (which carry no Retry-After) with bounded back-off, and rewrites the SDK's
hard-coded base URL when `base_url` is set. Modes, status rules and request counts:
README-trello.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from collabsync.errors import ProviderError
from collabsync.findings import Finding, Needs
from collabsync.model import (
    Container,
    Created,
    SectionSpec,
    Status,
    Task,
    TaskChange,
    marker,
    parse_marker,
    with_marker,
)
from collabsync.providers.base import Capability, Changes, TextLimits, ToolUser
from collabsync.providers.people_tools import trello_assign, trello_user

from . import trello_changes, trello_publish
from .trello_cards import TrelloCardWrites
from .trello_preflight import preflight
from .trello_support import (
    CARD_FIELDS,
    DESTINATION_SCHEMA,
    SETTINGS_SCHEMA,
    board_ref,
    card_status,
    dependency_urls,
    list_status,
    parse_date,
    parse_datetime,
    short_link,
)

__all__ = ["TrelloProvider"]

SECTION_COLOR = "sky"  # columns mode: section labels carry this colour so reads can tell them apart
_CARD_ACTIONS = "createCard,updateCard,deleteCard,moveCardToBoard,moveCardFromBoard,addAttachmentToCard,addLabelToCard,removeLabelFromCard"
_SINCE_OVERLAP = dt.timedelta(minutes=5)


class TrelloProvider(TrelloCardWrites):
    """One Trello member (api_key + token) seen through the neutral model."""

    type_name = "trello"
    # Trello caps every name and description at 16,384 characters: "1 to 16384 characters long" for boards, lists,
    # labels, checklists and check items in Atlassian's Trello OpenAPI (trello-openapi.json); cards share the limit.
    text_limits = TextLimits(
        title=16_384,
        description=16_384,
        checklist_item=16_384,
        container_title=16_384,
        source="Trello REST API reference",
    )
    capabilities = frozenset(
        {
            Capability.SECTIONS,
            Capability.DEPENDENCIES,
            Capability.MARKER_SEARCH,
            Capability.INCREMENTAL_READ,
            Capability.STATUS_UPDATE,
            Capability.ANNOTATE,
            Capability.CHECKLISTS,
            Capability.PUBLISH,
            Capability.READ_CHANGES,
        }
    )
    settings_schema = SETTINGS_SCHEMA
    destination_schema = DESTINATION_SCHEMA

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

    def preflight(
        self, destination: Mapping[str, Any], needs: Needs, container: Container | None = None
    ) -> list[Finding]:
        """Workspace or board, membership (observers cannot write), lists and labels (providers/trello_preflight.py)."""
        return preflight(self, destination, needs, container)

    # -- stamping ------------------------------------------------------------------------------
    def ensure_container(
        self, instance: str, title: str, description: str, destination: Mapping[str, Any]
    ) -> Container:
        """A board found by the marker in its description, else created; or a label on a given board."""
        extra = self._extra(instance, destination)
        if destination.get("board"):
            return self._ensure_label_container(instance, str(destination["board"]), extra)
        workspace = destination.get("workspace")
        path = f"/organizations/{workspace}/boards" if workspace else "/members/me/boards"
        boards = self._fetch(
            "GET",
            path,
            f"boards of {workspace or 'me'}",
            query={"filter": "open", "fields": "name,desc,url,closed,idOrganization"},
        )
        for board in boards:
            if not workspace and board.get("idOrganization"):
                continue  # personal destination: the member's boards in workspaces belong to other destinations
            if parse_marker(board.get("desc")) == (instance, None):
                if extra["mode"] == "columns":  # a stamp cut short may have left columns missing
                    self._ensure_columns(board["id"], extra["columns"])
                return self._to_container(board, extra)
        args: dict[str, Any] = {
            "name": title,
            "desc": with_marker(description, marker(instance)),
            "defaultLists": False,
            "defaultLabels": False,
        }
        if workspace:
            args["idOrganization"] = workspace
        board = self._fetch("POST", "/boards", f"board {title!r}", body=args)
        self._lists[board["id"]], self._labels[board["id"]] = [], []  # a new board has neither
        if extra["mode"] == "columns":
            for column in extra["columns"]:
                self._add_list(board["id"], column)
        return self._to_container(board, extra, created=True)

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
        extra: dict[str, Any] = {
            "instance": None,
            "mode": "tracked",
            "columns": [],
            "status_map": {},
            "blocked_label": "blocked",
            "in_progress_label": "in progress",
            "label": None,
        }
        return self._to_container(board, extra)

    def read_tasks(self, container: Container, since: dt.datetime | None = None) -> list[Task]:
        """All cards in ceil(n/1000) requests plus one for the lists (tracked boards: both in one /batch)."""
        board = self._board(container)
        tracked = container.extra.get("mode") == "tracked"
        if since is not None:
            window = since - _SINCE_OVERLAP
            actions = self._fetch(
                "GET",
                f"/boards/{board}/actions",
                f"actions of board {board}",
                query={
                    "since": window.astimezone(dt.UTC).isoformat(),
                    "filter": _CARD_ACTIONS,
                    "limit": 1000,
                    "fields": "type,date",
                },
            )
            if not actions:
                return []
        if tracked or board in self._prefetched:
            lists, cards = self._read_board(board, tracked=tracked)
        else:
            lists = self._fetch(
                "GET",
                f"/boards/{board}/lists",
                f"lists of board {board}",
                query={"filter": "all", "fields": "name,closed,pos"},
            )
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

    def read_changes(
        self, container: Container, since: dt.datetime, known: Mapping[str, Task], cursor: str | None = None
    ) -> Changes:
        """The board's actions since `since`; unchanged boards cost nothing more (providers/trello_changes.py)."""
        return trello_changes.read_changes(self, container, since, known)

    def prefetch_changes(self, wanted: Sequence[tuple[Container, dt.datetime, str | None]]) -> None:
        """Ten boards' action checks per GET /batch (providers/trello_changes.py)."""
        trello_changes.prefetch_changes(self, wanted)

    def set_status(self, container: Container, ref: str, status: Status) -> None:
        """Columns mode: move to the status's list; sections mode: dueComplete/closed/labels. One PUT."""
        board, extra, status = self._board(container), container.extra, Status(status)
        with self._fresh():  # read-modify-write: never from the cache
            card = self._fetch(
                "GET", f"/cards/{ref}", f"card {ref}", query={"fields": "idList,idLabels,labels,closed,dueComplete"}
            )
        labels = {lb["name"].lower(): lb["id"] for lb in card.get("labels") or []}
        ids = list(card.get("idLabels") or [])
        blocked_name = str(extra.get("blocked_label") or "blocked")
        progress_name = str(extra.get("in_progress_label") or "in progress")
        drop = {labels.get(blocked_name.lower()), labels.get(progress_name.lower())} - {None}
        body: dict[str, Any] = {
            "closed": status is Status.CANCELLED,
            "dueComplete": status is Status.DONE if extra.get("mode") == "sections" else False,
        }
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
                raise ProviderError(
                    self.name,
                    f"card {ref}",
                    f"no list on board {board} maps to {status.value}; add one or set status_map",
                )
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

        refs = [
            c.ref for c in self.find_marked(container, str(container.extra.get("instance") or "")).values() if c.ref
        ]
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

    # -- mappers ---------------------------------------------------------------------------------
    def _to_task(
        self, card: Mapping[str, Any], list_name: str | None, container: Container, by_link: Mapping[str | None, str]
    ) -> Task | None:
        """A card as a Task; None when it belongs to another instance (board mode)."""
        extra = container.extra
        if trello_publish.is_status_card(card.get("desc")):
            return None  # the card that carries published status comments is not a task
        tracked = extra.get("mode") == "tracked"
        found = None if tracked else parse_marker(card.get("desc"))
        if (
            extra.get("label")
            and extra["label"] not in (card.get("idLabels") or [])
            and (not found or found[0] != extra.get("instance"))
        ):
            return None
        labels = card.get("labels") or []
        sections_mode = extra.get("mode") == "sections" or tracked  # tracked boards: a list is a section
        section = (
            list_name
            if sections_mode
            else next((lb["name"] for lb in labels if lb.get("color") == SECTION_COLOR), None)
        )
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
            ref=card["id"],
            title=card.get("name", ""),
            status=card_status(card, list_name, {**extra, "status_map": self._status_map(extra)}),
            key=found[1] if found else None,
            section=section,
            assignee=self.person_of(members[0]) if members else None,
            start=parse_date(card.get("start"), self.tz),
            due=parse_date(card.get("due"), self.tz),
            labels=[
                lb["name"]
                for lb in labels
                if lb.get("name")
                and lb.get("id") != extra.get("label")
                and (sections_mode or lb.get("color") != SECTION_COLOR)
            ],
            depends_on=deps,
            url=card.get("url", ""),
            updated=parse_datetime(card.get("dateLastActivity")),
            extra={
                "list": list_name,
                "closed": bool(card.get("closed")),
                "dueComplete": bool(card.get("dueComplete")),
                "external_depends_on": external,
            },
        )
