"""The Trello emulator's in-memory state (split from trello.py to stay small; its JSON shapes are in trello_json.py).

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
from .trello_json import TrelloJson, iso

__all__ = ["TrelloState", "ID_RE", "parse_when", "id_from_time", "id_time"]

ID_RE = re.compile(r"^[0-9a-fA-F]{24}$")
_COUNTER = itertools.count(1)
_COLORS = ("green", "yellow", "orange", "red", "purple", "blue", "sky", "lime", "pink", "black")


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


class TrelloState(TrelloJson):
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
