"""Trello's form of a published status: a comment on a status card pinned at the top of the board's first list."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from collabsync.errors import ProviderError
from collabsync.model import Container
from collabsync.providers.base import Published

if TYPE_CHECKING:
    from collabsync.report.publish_entry import StatusEntry

    from .trello import TrelloProvider

__all__ = ["STATUS_CARD", "edit_status", "find_status", "is_status_card", "publish_status"]

#: The marker line of the status card's description; read_tasks leaves such cards out of the report.
STATUS_CARD = "collabsync-status-card:"


def is_status_card(desc: str | None) -> bool:
    """A card collabsync made to carry status comments, not a task."""
    return bool(desc) and any(line.strip().startswith(STATUS_CARD) for line in str(desc).splitlines())


def publish_status(provider: TrelloProvider, container: Container, entry: StatusEntry) -> Published:
    """POST /cards/{status card}/actions/comments (the card found by its marker, or created at pos=top)."""
    card = status_card(provider, container, entry.instance, create=True)
    assert card is not None
    action = provider._fetch(
        "POST", f"/cards/{card['id']}/actions/comments", f"status card {card['id']}", body={"text": entry.markdown()}
    )
    return _published(card, action)


def edit_status(provider: TrelloProvider, container: Container, ref: str, entry: StatusEntry) -> Published:
    """PUT /cards/{card}/actions/{action}/comments: the day's comment edited in place."""
    card_id, _, action_id = ref.partition("/")
    action = provider._fetch(
        "PUT",
        f"/cards/{card_id}/actions/{action_id}/comments",
        f"status comment {action_id}",
        body={"text": entry.markdown()},
    )
    card = provider._fetch("GET", f"/cards/{card_id}", f"status card {card_id}", query={"fields": "url"})
    return _published(card, action)


def find_status(provider: TrelloProvider, container: Container, entry: StatusEntry) -> Published | None:
    """The status card's newest comments searched for the entry's marker."""
    card = status_card(provider, container, entry.instance, create=False)
    if card is None:
        return None
    with provider._fresh():
        actions = provider._fetch(
            "GET",
            f"/cards/{card['id']}/actions",
            f"comments of card {card['id']}",
            query={"filter": "commentCard", "limit": 100},
        )
    for action in actions or []:
        if entry.marker in str((action.get("data") or {}).get("text") or ""):
            return _published(card, action)
    return None


def status_card(
    provider: TrelloProvider, container: Container, instance: str, *, create: bool
) -> dict[str, Any] | None:
    """The instance's status card on its board, or (create=True) a new one pinned at the top of the first list."""
    board = provider._board(container)
    mark = f"{STATUS_CARD}{instance}"
    with provider._fresh():
        cards = provider._fetch(
            "GET",
            f"/boards/{board}/cards",
            f"cards of board {board}",
            query={"filter": "open", "fields": "name,desc,url,idList"},
        )
    for card in cards or []:
        if mark in [line.strip() for line in str(card.get("desc") or "").splitlines()]:
            return dict(card)
    if not create:
        return None
    lists = provider._open_lists(board)
    if not lists:
        raise ProviderError(provider.name, f"board {board}", "the board has no open list to pin a status card in")
    body: dict[str, Any] = {
        "name": f"Status: {instance} (published by collabsync)",
        "idList": lists[0]["id"],
        "pos": "top",
        "desc": f"The joint status of {instance}, one comment per day.\n\n{mark}",
    }
    if container.extra.get("label"):
        body["idLabels"] = str(container.extra["label"])
    return dict(provider._fetch("POST", "/cards", f"status card of {instance}", body=body))


def _published(card: dict[str, Any], action: dict[str, Any]) -> Published:
    aid = str(action.get("id") or "")
    url = str(card.get("url") or "")
    return Published(f"{card['id']}/{aid}", f"{url}#comment-{aid}" if url and aid else url)
