"""The Trello emulator's in-memory state and its JSON shapes (split from trello.py to stay small).

Ids are 24 hex digits whose first 8 encode the creation time in seconds, like the real ones
(MongoDB ObjectIds), followed by a process-wide counter so ids also sort by creation order.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import re
import time
from typing import Any

from .core import ApiError

__all__ = ["TrelloState", "ID_RE", "iso", "parse_when", "id_from_time", "id_time"]

ID_RE = re.compile(r"^[0-9a-fA-F]{24}$")
_COUNTER = itertools.count(1)
_COLORS = ("green", "yellow", "orange", "red", "purple", "blue", "sky", "lime", "pink", "black")
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


def parse_when(value: Any) -> dt.datetime | None:
    """Parse a due/start/since value: ISO date or datetime; None/'null'/'' clear it."""
    if value is None or value in ("", "null"):
        return None
    text = str(value).strip().replace("Z", "+00:00")
    if len(text) == 10:
        return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)
    when = dt.datetime.fromisoformat(text)
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def id_from_time(seconds: float, counter: int = 0) -> str:
    """The smallest-or-given id of a moment, used to compare ids with dates (before/since)."""
    return f"{int(seconds) & 0xFFFFFFFF:08x}{counter:016x}"


def id_time(object_id: str) -> dt.datetime:
    """When an object was created, read from its id."""
    return dt.datetime.fromtimestamp(int(object_id[:8], 16), dt.UTC)


def _short_link(object_id: str) -> str:
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    n = int(hashlib.sha1(object_id.encode()).hexdigest()[:12], 16)
    out = []
    for _ in range(8):
        n, r = divmod(n, 62)
        out.append(alphabet[r])
    return "".join(out)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "card"


class TrelloState:
    """Members, organizations, boards, lists, cards, labels, checklists, attachments, actions."""

    def __init__(self) -> None:
        self.members: dict[str, dict[str, Any]] = {}
        self.orgs: dict[str, dict[str, Any]] = {}
        self.boards: dict[str, dict[str, Any]] = {}
        self.lists: dict[str, dict[str, Any]] = {}
        self.cards: dict[str, dict[str, Any]] = {}
        self.labels: dict[str, dict[str, Any]] = {}
        self.checklists: dict[str, dict[str, Any]] = {}
        self.custom_fields: dict[str, dict[str, Any]] = {}
        self.actions: list[dict[str, Any]] = []
        self.clock: float | None = None  # fixed "now" (epoch seconds) for seeding, else real time

    # -- time and ids --------------------------------------------------------------------------
    def now(self) -> dt.datetime:
        """The emulator's current time (seeding may pin it)."""
        return dt.datetime.fromtimestamp(self.clock if self.clock is not None else time.time(), dt.UTC)

    def new_id(self, created: dt.datetime | None = None) -> str:
        """A fresh id encoding its creation time; ids increase with creation order."""
        seconds = (created or self.now()).timestamp()
        return id_from_time(seconds, next(_COUNTER))

    # -- constructors ----------------------------------------------------------------------------
    def add_member(self, username: str, full_name: str = "", member_id: str | None = None) -> dict[str, Any]:
        """Create a member (a Trello user)."""
        mid = member_id or self.new_id()
        full_name = full_name or username.title()
        member = {
            "id": mid,
            "username": username,
            "fullName": full_name,
            "initials": "".join(p[0] for p in full_name.split()[:2]).upper() or username[:2].upper(),
            "email": f"{username}@example.test",
            "status": "disconnected",
            "memberType": "normal",
            "confirmed": True,
            "bio": "",
            "url": f"https://trello.com/{username}",
            "avatarHash": hashlib.md5(username.encode()).hexdigest(),
            "avatarUrl": f"https://trello-members.s3.amazonaws.com/{mid}/{hashlib.md5(username.encode()).hexdigest()}",
            "idBoards": [],
            "idOrganizations": [],
        }
        self.members[mid] = member
        return member

    def add_org(self, name: str, display_name: str = "") -> dict[str, Any]:
        """Create an organization (a Workspace)."""
        oid = self.new_id()
        org: dict[str, Any] = {
            "id": oid,
            "name": name,
            "displayName": display_name or name,
            "desc": "",
            "url": f"https://trello.com/w/{name}",
            "website": None,
            "idBoards": [],
            "_memberships": [],
        }
        self.orgs[oid] = org
        return org

    def add_board(
        self,
        name: str,
        member_id: str,
        *,
        desc: str = "",
        org_id: str | None = None,
        default_labels: bool = True,
        permission: str = "private",
    ) -> dict[str, Any]:
        """Create a board owned by a member, optionally in a workspace."""
        bid = self.new_id()
        short = _short_link(bid)
        board = {
            "id": bid,
            "name": name,
            "desc": desc,
            "closed": False,
            "idMemberCreator": member_id,
            "idOrganization": org_id,
            "pinned": False,
            "shortLink": short,
            "url": f"https://trello.com/b/{short}/{_slug(name)}",
            "shortUrl": f"https://trello.com/b/{short}",
            "prefs": {
                "permissionLevel": permission,
                "hideVotes": False,
                "voting": "disabled",
                "comments": "members",
                "invitations": "members",
                "selfJoin": True,
                "cardCovers": True,
                "isTemplate": False,
                "calendarFeedEnabled": False,
                "backgroundTile": False,
                "backgroundBrightness": "dark",
                "canBePublic": True,
                "canBeEnterprise": True,
                "canBeOrg": True,
                "canBePrivate": True,
                "canInvite": True,
            },
            "labelNames": {c: "" for c in _COLORS},
            "limits": {"attachments": {"perBoard": {"status": "ok", "disableAt": 36000, "warnAt": 28800}}},
            "starred": False,
            "subscribed": False,
            "creationMethod": None,
            "enterpriseOwned": False,
            "dateLastActivity": iso(self.now()),
            "dateLastView": iso(self.now()),
            "_memberships": [],
            "_short_ids": 0,
        }
        self.boards[bid] = board
        self.add_membership(board, member_id, "admin")
        if org_id:
            self.orgs[org_id]["idBoards"].append(bid)
        if default_labels:
            for color in _COLORS[:6]:
                self.add_label(bid, "", color)
        self.log_action("createBoard", member_id, board=board)
        return board

    def add_membership(self, holder: dict[str, Any], member_id: str, member_type: str = "normal") -> dict[str, Any]:
        """Make a member admin/normal/observer of a board or workspace (idempotent: retypes)."""
        for membership in holder["_memberships"]:
            if membership["idMember"] == member_id:
                membership["memberType"] = member_type
                return membership
        membership = {
            "id": self.new_id(),
            "idMember": member_id,
            "memberType": member_type,
            "unconfirmed": False,
            "deactivated": False,
        }
        holder["_memberships"].append(membership)
        member = self.members.get(member_id)
        ids = "idBoards" if "prefs" in holder else "idOrganizations"
        if member is not None and holder["id"] not in member[ids]:
            member[ids].append(holder["id"])
        return membership

    def member_type(self, holder: dict[str, Any], member_id: str) -> str | None:
        """A member's role on a board or workspace, None when not a member."""
        return next((m["memberType"] for m in holder["_memberships"] if m["idMember"] == member_id), None)

    def member_json(self, member: dict[str, Any], fields: list[str] | None, viewer: str) -> dict[str, Any]:
        """A member as others see it: `email` only for the token's own member, null for anyone else."""
        full = {k: (list(v) if isinstance(v, list) else v) for k, v in member.items() if not k.startswith("_")}
        if member["id"] != viewer:
            full["email"] = None
        return {k: v for k, v in full.items() if fields is None or k == "id" or k in fields}

    def add_list(self, board_id: str, name: str, member_id: str, pos: Any = None) -> dict[str, Any]:
        """Create a list at the bottom of a board (or at a numeric/top/bottom pos)."""
        lid = self.new_id()
        siblings = [lst["pos"] for lst in self.lists.values() if lst["idBoard"] == board_id]
        lst = {
            "id": lid,
            "name": name,
            "closed": False,
            "idBoard": board_id,
            "pos": self._pos(pos, siblings),
            "subscribed": False,
            "softLimit": None,
        }
        self.lists[lid] = lst
        self.log_action("createList", member_id, board=self.boards[board_id], lst=lst)
        return lst

    def add_label(self, board_id: str, name: str, color: str | None) -> dict[str, Any]:
        """Create a label on a board."""
        label: dict[str, Any] = {"id": self.new_id(), "idBoard": board_id, "name": name, "color": color, "uses": 0}
        self.labels[label["id"]] = label
        return label

    def add_card(
        self,
        lst: dict[str, Any],
        member_id: str,
        *,
        name: str,
        desc: str = "",
        due: dt.datetime | None = None,
        start: dt.datetime | None = None,
        id_members: list[str] | None = None,
        id_labels: list[str] | None = None,
        pos: Any = None,
        due_complete: bool = False,
        created: dt.datetime | None = None,
    ) -> dict[str, Any]:
        """Create a card in a list."""
        board = self.boards[lst["idBoard"]]
        cid = self.new_id(created)
        board["_short_ids"] += 1
        short = _short_link(cid)
        siblings = [c["pos"] for c in self.cards.values() if c["idList"] == lst["id"]]
        card = {
            "id": cid,
            "name": name,
            "desc": desc,
            "idList": lst["id"],
            "idBoard": board["id"],
            "idMembers": list(id_members or []),
            "idLabels": list(id_labels or []),
            "due": due,
            "start": start,
            "dueComplete": bool(due_complete),
            "closed": False,
            "pos": self._pos(pos, siblings),
            "idShort": board["_short_ids"],
            "shortLink": short,
            "shortUrl": f"https://trello.com/c/{short}",
            "url": f"https://trello.com/c/{short}/{board['_short_ids']}-{_slug(name)}",
            "dateLastActivity": created or self.now(),
            "idChecklists": [],
            "attachments": [],
            "customFieldItems": [],
            "_comments": 0,
        }
        self.cards[cid] = card
        self.log_action("createCard", member_id, board=board, lst=lst, card=card, when=created)
        return card

    def add_checklist(self, card: dict[str, Any], name: str, pos: Any = None) -> dict[str, Any]:
        """An empty checklist on a card."""
        checklist = {
            "id": self.new_id(),
            "name": name,
            "idBoard": card["idBoard"],
            "idCard": card["id"],
            "pos": self._pos(pos, []),
            "checkItems": [],
        }
        self.checklists[checklist["id"]] = checklist
        card["idChecklists"].append(checklist["id"])
        return checklist

    def add_comment(self, card: dict[str, Any], member_id: str, text: str) -> dict[str, Any]:
        """A commentCard action on a card; counts in the card's badges.comments."""
        action = self.log_action(
            "commentCard",
            member_id,
            board=self.boards[card["idBoard"]],
            lst=self.lists[card["idList"]],
            card=card,
            extra={"text": text, "textData": {"emoji": {}}},
        )
        card["_comments"] = card.get("_comments", 0) + 1
        card["dateLastActivity"] = self.now()
        return action

    # -- actions ---------------------------------------------------------------------------------
    def log_action(
        self,
        kind: str,
        member_id: str,
        *,
        board: dict[str, Any],
        lst: dict[str, Any] | None = None,
        card: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
        when: dt.datetime | None = None,
    ) -> dict[str, Any]:
        """Record an action the way GET /boards/{id}/actions reports it."""
        when = when or self.now()
        data: dict[str, Any] = {"board": {"id": board["id"], "name": board["name"], "shortLink": board["shortLink"]}}
        if lst is not None:
            data["list"] = {"id": lst["id"], "name": lst["name"]}
        if card is not None:
            data["card"] = {
                "id": card["id"],
                "name": card["name"],
                "idShort": card["idShort"],
                "shortLink": card["shortLink"],
            }
        data.update(extra or {})
        member = self.members.get(member_id, {})
        action = {
            "id": self.new_id(when),
            "idMemberCreator": member_id,
            "type": kind,
            "date": iso(when),
            "data": data,
            "appCreator": None,
            "limits": {},
            "memberCreator": {
                "id": member_id,
                "username": member.get("username", ""),
                "fullName": member.get("fullName", ""),
                "initials": member.get("initials", ""),
                "activityBlocked": False,
                "avatarHash": member.get("avatarHash", ""),
                "avatarUrl": member.get("avatarUrl", ""),
                "idMemberReferrer": None,
                "nonPublic": {},
                "nonPublicAvailable": True,
            },
        }
        self.actions.append(action)
        return action

    # -- JSON shapes -----------------------------------------------------------------------------
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
    def _pos(pos: Any, siblings: list[float]) -> float:
        """`top`, `bottom` or a positive number, as Trello documents; anything else is a 400."""
        if pos in (None, "", "bottom"):
            return (max(siblings) if siblings else 0) + 16384
        if pos == "top":
            return (min(siblings) if siblings else 16384) / 2
        try:
            value = float(pos)
        except (TypeError, ValueError):
            raise ApiError(400, "invalid value for pos") from None
        if not value > 0 or value != value or value == float("inf"):
            raise ApiError(400, "invalid value for pos")
        return value

    @staticmethod
    def default_card_fields() -> tuple[str, ...]:
        """The card fields `fields=all` (the default) returns."""
        return _DEFAULT_CARD_FIELDS
