"""The JSON shapes of the Trello emulator's objects, as the API returns them (a mixin of TrelloState)."""

from __future__ import annotations

import datetime as dt
from typing import Any

__all__ = ["TrelloJson", "iso"]

_DEFAULT_CARD_FIELDS = (
    "id",
    "address",
    "badges",
    "checkItemStates",
    "closed",
    "coordinates",
    "creationMethod",
    "dueComplete",
    "dateLastActivity",
    "desc",
    "descData",
    "due",
    "dueReminder",
    "idBoard",
    "idChecklists",
    "idLabels",
    "idList",
    "idMembers",
    "idMembersVoted",
    "idShort",
    "idAttachmentCover",
    "labels",
    "limits",
    "locationName",
    "manualCoverAttachment",
    "name",
    "pos",
    "shortLink",
    "shortUrl",
    "start",
    "subscribed",
    "url",
    "cover",
    "isTemplate",
)
_BOARD_FIELDS = (
    "id",
    "name",
    "desc",
    "closed",
    "idMemberCreator",
    "idOrganization",
    "pinned",
    "url",
    "shortUrl",
    "prefs",
    "labelNames",
    "limits",
    "starred",
    "shortLink",
    "subscribed",
    "dateLastActivity",
    "dateLastView",
    "creationMethod",
    "enterpriseOwned",
)


def iso(when: dt.datetime) -> str:
    """Trello's timestamp format: milliseconds and a literal Z."""
    return when.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class TrelloJson:
    """Renders members, cards, boards, lists, labels and checklists; TrelloState holds the data."""

    labels: dict[str, dict[str, Any]]
    checklists: dict[str, dict[str, Any]]

    def member_json(self, member: dict[str, Any], fields: list[str] | None, viewer: str) -> dict[str, Any]:
        """A member as others see it: `email` only for the token's own member, null for anyone else."""
        full = {k: (list(v) if isinstance(v, list) else v) for k, v in member.items() if not k.startswith("_")}
        if member["id"] != viewer:
            full["email"] = None
        return {k: v for k, v in full.items() if fields is None or k == "id" or k in fields}

    def card_json(self, card: dict[str, Any], fields: list[str] | None = None) -> dict[str, Any]:
        """A card as the API returns it, restricted to `fields` (id always included)."""
        checklists = [self.checklists[c] for c in card["idChecklists"]]
        items = [i for cl in checklists for i in cl["checkItems"]]
        due, start = card["due"], card["start"]
        full: dict[str, Any] = {
            "id": card["id"],
            "address": None,
            "checkItemStates": [],
            "closed": card["closed"],
            "coordinates": None,
            "creationMethod": None,
            "dueComplete": card["dueComplete"],
            "dateLastActivity": iso(card["dateLastActivity"]),
            "desc": card["desc"],
            "descData": {"emoji": {}},
            "due": iso(due) if due else None,
            "dueReminder": None,
            "idBoard": card["idBoard"],
            "idChecklists": list(card["idChecklists"]),
            "idLabels": list(card["idLabels"]),
            "idList": card["idList"],
            "idMembers": list(card["idMembers"]),
            "idMembersVoted": [],
            "idShort": card["idShort"],
            "idAttachmentCover": None,
            "labels": [self.label_json(self.labels[i]) for i in card["idLabels"] if i in self.labels],
            "limits": {"attachments": {"perBoard": {"status": "ok", "disableAt": 1000, "warnAt": 800}}},
            "locationName": None,
            "manualCoverAttachment": False,
            "name": card["name"],
            "pos": card["pos"],
            "shortLink": card["shortLink"],
            "shortUrl": card["shortUrl"],
            "start": iso(start) if start else None,
            "subscribed": False,
            "url": card["url"],
            "isTemplate": False,
            "cover": {
                "idAttachment": None,
                "color": None,
                "idUploadedBackground": None,
                "size": "normal",
                "brightness": "dark",
                "isTemplate": False,
            },
            "badges": {
                "attachmentsByType": {"trello": {"board": 0, "card": 0}},
                "location": False,
                "votes": 0,
                "viewingMemberVoted": False,
                "subscribed": False,
                "fogbugz": "",
                "checkItems": len(items),
                "checkItemsChecked": sum(i["state"] == "complete" for i in items),
                "comments": card.get("_comments", 0),
                "attachments": len(card["attachments"]),
                "description": bool(card["desc"]),
                "due": iso(due) if due else None,
                "start": iso(start) if start else None,
                "dueComplete": card["dueComplete"],
            },
        }
        if fields is None:
            return full
        return {k: full[k] for k in ("id", *fields) if k in full}

    def board_json(self, board: dict[str, Any], fields: list[str] | None = None) -> dict[str, Any]:
        """A board as the API returns it."""
        names = ("id", *fields) if fields is not None else _BOARD_FIELDS
        return {k: board[k] for k in names if k in board and not k.startswith("_")}

    @staticmethod
    def list_json(lst: dict[str, Any], fields: list[str] | None = None) -> dict[str, Any]:
        """A list as the API returns it."""
        return {k: v for k, v in lst.items() if fields is None or k == "id" or k in fields}

    @staticmethod
    def label_json(label: dict[str, Any], fields: list[str] | None = None) -> dict[str, Any]:
        """A label as the API returns it."""
        return {k: v for k, v in label.items() if fields is None or k == "id" or k in fields}

    def checklist_json(self, checklist: dict[str, Any]) -> dict[str, Any]:
        """A checklist with its items."""
        return {k: (list(v) if k == "checkItems" else v) for k, v in checklist.items()}

    @staticmethod
    def default_card_fields() -> tuple[str, ...]:
        """The card fields `fields=all` (the default) returns."""
        return _DEFAULT_CARD_FIELDS
