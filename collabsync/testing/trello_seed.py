"""Seeding and inspection helpers of the Trello emulator: build realistic boards from Python."""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any

from .trello_store import TrelloState, parse_when

if TYPE_CHECKING:
    import threading

__all__ = ["TrelloSeedMixin", "SEED_LISTS"]

SEED_LISTS = ("To Do", "Doing", "Blocked", "Done")


class TrelloSeedMixin:
    """Python-side API of the emulator: create members, boards, cards, and change them as users do."""

    state: TrelloState
    lock: threading.RLock
    me_id: str
    keys: set[str]
    tokens: dict[str, str]
    expired: set[str]

    # -- credentials -----------------------------------------------------------------------------
    def add_token(self, token: str, member_id: str | None = None) -> None:
        """Accept another token (for another member, default: me)."""
        with self.lock:
            self.tokens[token] = member_id or self.me_id

    def expire_token(self, token: str) -> None:
        """Make a token answer 401 `expired token` from now on."""
        with self.lock:
            self.expired.add(token)

    # -- objects ---------------------------------------------------------------------------------
    def add_member(self, username: str, full_name: str = "") -> dict[str, Any]:
        """A Trello user that cards can be assigned to."""
        with self.lock:
            return dict(self.state.add_member(username, full_name))

    def add_organization(self, name: str, display_name: str = "") -> dict[str, Any]:
        """A workspace the token's member belongs to."""
        with self.lock:
            org = self.state.add_org(name, display_name)
            self.state.add_membership(org, self.me_id, "admin")
            return {k: v for k, v in org.items() if not k.startswith("_")}

    def add_board_member(self, board_id: str, member_id: str, member_type: str = "normal") -> dict[str, Any]:
        """Make a member admin, normal or observer of a board (an observer's token may only read it)."""
        if member_type not in ("admin", "normal", "observer"):
            raise ValueError(f"member_type must be admin, normal or observer, not {member_type!r}")
        with self.lock:
            return dict(self.state.add_membership(self.state.boards[board_id], member_id, member_type))

    def add_org_member(self, org_id: str, member_id: str, member_type: str = "normal") -> dict[str, Any]:
        """Make a member admin or normal member of a workspace."""
        if member_type not in ("admin", "normal"):
            raise ValueError(f"member_type must be admin or normal, not {member_type!r}")
        with self.lock:
            return dict(self.state.add_membership(self.state.orgs[org_id], member_id, member_type))

    def add_comment(self, card_id: str, text: str, member_id: str | None = None) -> dict[str, Any]:
        """A comment on a card by a member (default: me), as POST /cards/{id}/actions/comments makes it."""
        with self.lock:
            return dict(self.state.add_comment(self.state.cards[card_id], member_id or self.me_id, text))

    def add_checklist(self, card_id: str, name: str, items: list[str] | tuple[str, ...] = ()) -> dict[str, Any]:
        """A checklist with unticked items on a card."""
        with self.lock:
            checklist = self.state.add_checklist(self.state.cards[card_id], name)
            for i, item in enumerate(items):
                checklist["checkItems"].append(
                    {
                        "id": self.state.new_id(),
                        "name": item,
                        "nameData": None,
                        "idChecklist": checklist["id"],
                        "state": "incomplete",
                        "pos": 16384.0 * (i + 1),
                        "due": None,
                        "dueReminder": None,
                        "idMember": None,
                    }
                )
            return self.state.checklist_json(checklist)

    def memberships_of(self, board_id: str) -> list[dict[str, Any]]:
        """A board's memberships (idMember, memberType)."""
        with self.lock:
            return [dict(m) for m in self.state.boards[board_id]["_memberships"]]

    def add_board(
        self,
        name: str,
        lists: list[str] | tuple[str, ...] = SEED_LISTS,
        *,
        desc: str = "",
        org: str | None = None,
        labels: bool = True,
    ) -> dict[str, Any]:
        """A board of the token's member with the given lists, in order."""
        with self.lock:
            board = self.state.add_board(name, self.me_id, desc=desc, org_id=org, default_labels=labels)
            for list_name in lists:
                self.state.add_list(board["id"], list_name, self.me_id)
            return self.state.board_json(board)

    def add_label(self, board_id: str, name: str, color: str | None = "red") -> dict[str, Any]:
        """A named label on a board."""
        with self.lock:
            return dict(self.state.add_label(board_id, name, color))

    def add_card(
        self,
        board_id: str,
        list_name: str,
        name: str,
        *,
        desc: str = "",
        due: Any = None,
        start: Any = None,
        members: list[str] | tuple[str, ...] = (),
        labels: list[str] | tuple[str, ...] = (),
        closed: bool = False,
        due_complete: bool = False,
        created: dt.datetime | None = None,
    ) -> dict[str, Any]:
        """A card in the named list; labels by name (created on the board when missing)."""
        with self.lock:
            lst = self._list_named(board_id, list_name)
            label_ids = [self._label_named(board_id, n)["id"] for n in labels]
            card = self.state.add_card(
                lst,
                self.me_id,
                name=name,
                desc=desc,
                due=parse_when(due),
                start=parse_when(start),
                id_members=list(members),
                id_labels=label_ids,
                due_complete=due_complete,
                created=created,
            )
            card["closed"] = closed
            return self.state.card_json(card)

    def move_card(self, card_id: str, list_name: str) -> dict[str, Any]:
        """Move a card to another list of its board, as a user dragging it would."""
        with self.lock:
            card = self.state.cards[card_id]
            before = self.state.lists[card["idList"]]
            lst = self._list_named(card["idBoard"], list_name)
            card["idList"] = lst["id"]
            self._touch(card, self.me_id, {"idList": before["id"]}, before)  # type: ignore[attr-defined]
            return self.state.card_json(card)

    def set_closed(self, card_id: str, closed: bool = True) -> dict[str, Any]:
        """Archive (or restore) a card."""
        return self._set(card_id, "closed", closed)

    def set_due_complete(self, card_id: str, done: bool = True) -> dict[str, Any]:
        """Tick (or untick) a card's due-date checkbox."""
        return self._set(card_id, "dueComplete", done)

    def label_card(self, card_id: str, label_name: str) -> dict[str, Any]:
        """Put a label (by name, created when missing) on a card."""
        with self.lock:
            card = self.state.cards[card_id]
            label = self._label_named(card["idBoard"], label_name)
            if label["id"] not in card["idLabels"]:
                old = list(card["idLabels"])
                card["idLabels"].append(label["id"])
                self._touch(card, self.me_id, {"idLabels": old}, None)  # type: ignore[attr-defined]
            return self.state.card_json(card)

    def add_custom_field(
        self, board_id: str, name: str, kind: str = "text", options: list[str] | tuple[str, ...] = ()
    ) -> dict[str, Any]:
        """A custom field definition on a board (dropdown options get ids, like the real API)."""
        with self.lock:
            fid = self.state.new_id()
            field = {
                "id": fid,
                "idModel": board_id,
                "modelType": "board",
                "fieldGroup": fid,
                "name": name,
                "type": kind,
                "pos": 16384.0 * (len(self.state.custom_fields) + 1),
                "display": {"cardFront": True},
            }
            if kind == "list":
                field["options"] = [
                    {
                        "id": self.state.new_id(),
                        "idCustomField": fid,
                        "value": {"text": o},
                        "color": "none",
                        "pos": 16384.0 * (i + 1),
                    }
                    for i, o in enumerate(options)
                ]
            self.state.custom_fields[fid] = field
            return dict(field)

    def set_custom_field(self, card_id: str, field_id: str, value: Any) -> dict[str, Any]:
        """Set a card's custom field (text/number/checkbox/date value, or a dropdown option id)."""
        with self.lock:
            card, field = self.state.cards[card_id], self.state.custom_fields[field_id]
            card["customFieldItems"] = [i for i in card["customFieldItems"] if i["idCustomField"] != field_id]
            item: dict[str, Any] = {
                "id": self.state.new_id(),
                "idCustomField": field_id,
                "idModel": card_id,
                "modelType": "card",
            }
            if field["type"] == "list":
                item["idValue"] = value if isinstance(value, str) else None
            elif isinstance(value, dict):
                item["value"] = value
            else:
                item["value"] = {
                    {"number": "number", "checkbox": "checked", "date": "date"}.get(field["type"], "text"): str(value)
                }
            card["customFieldItems"].append(item)
            return dict(item)

    def seed_bulk(self, containers: int, tasks: int, *, seed: int = 7) -> list[dict[str, Any]]:
        """`containers` boards of `tasks` cards over To Do/Doing/Blocked/Done; mixed members and dates.

        About a quarter of the open cards are overdue, a tenth carry the `blocked` label, a few
        are archived; creation times spread over the past 60 days so ids page realistically.
        """
        rng = random.Random(seed)
        with self.lock:
            people = [self.state.add_member(f"user{i}", f"User {i}")["id"] for i in range(5)]
            today = self.state.now().date()
            boards = []
            for b in range(containers):
                board = self.add_board(f"Seeded board {b + 1}", SEED_LISTS)
                self.add_label(board["id"], "blocked", "red")
                for t in range(tasks):
                    list_name = rng.choices(SEED_LISTS, weights=(4, 3, 1, 3))[0]
                    due = today + dt.timedelta(days=rng.randint(-20, 40)) if rng.random() < 0.8 else None
                    created = self.state.now() - dt.timedelta(days=60, seconds=-t * 60)
                    labels = ["blocked"] if rng.random() < 0.1 else []
                    card = self.add_card(
                        board["id"],
                        list_name,
                        f"Task {b + 1}.{t + 1}",
                        desc=f"Seeded task {t + 1}\n\ncollabsync:seed-{b + 1}/t{t + 1}",
                        due=due.isoformat() if due else None,
                        members=[people[rng.randrange(len(people))]] if rng.random() < 0.7 else [],
                        labels=labels,
                        closed=rng.random() < 0.03,
                        due_complete=list_name == "Done" and rng.random() < 0.5,
                        created=created,
                    )
                    del card
                boards.append(board)
            return boards

    # -- inspection ------------------------------------------------------------------------------
    def card(self, card_id: str) -> dict[str, Any]:
        """A card's JSON as GET /cards/{id} would return it."""
        with self.lock:
            return self.state.card_json(self.state.cards[card_id])

    def cards_of(self, board_id: str) -> list[dict[str, Any]]:
        """Every card of a board (any state), oldest first."""
        with self.lock:
            return [
                self.state.card_json(c)
                for c in sorted(self.state.cards.values(), key=lambda c: c["id"])
                if c["idBoard"] == board_id
            ]

    def list_name(self, list_id: str) -> str:
        """The name of a list."""
        return self.state.lists[list_id]["name"]

    def boards_named(self, name: str) -> list[dict[str, Any]]:
        """Boards with a given name."""
        with self.lock:
            return [self.state.board_json(b) for b in self.state.boards.values() if b["name"] == name]

    def attachments_of(self, card_id: str) -> list[dict[str, Any]]:
        """A card's attachments."""
        with self.lock:
            return [dict(a) for a in self.state.cards[card_id]["attachments"]]

    def checklists_of(self, card_id: str) -> list[dict[str, Any]]:
        """A card's checklists with items."""
        with self.lock:
            return [
                self.state.checklist_json(self.state.checklists[c]) for c in self.state.cards[card_id]["idChecklists"]
            ]

    # -- internals -------------------------------------------------------------------------------
    def _set(self, card_id: str, key: str, value: bool) -> dict[str, Any]:
        with self.lock:
            card = self.state.cards[card_id]
            if card[key] != value:
                old = card[key]
                card[key] = value
                self._touch(card, self.me_id, {key: old}, None)  # type: ignore[attr-defined]
            return self.state.card_json(card)

    def _list_named(self, board_id: str, name: str) -> dict[str, Any]:
        for lst in self.state.lists.values():
            if lst["idBoard"] == board_id and lst["name"] == name:
                return lst
        raise KeyError(f"no list {name!r} on board {board_id}")

    def _label_named(self, board_id: str, name: str) -> dict[str, Any]:
        for label in self.state.labels.values():
            if label["idBoard"] == board_id and label["name"] == name:
                return label
        return self.state.add_label(board_id, name, "red" if name == "blocked" else None)
