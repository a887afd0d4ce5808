"""Checklist and label routes of the Trello emulator, a base of TrelloCardRoutes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request

from .core import ApiError
from .trello_params import NOT_FOUND, as_bool, text_param
from .trello_store import TrelloState

__all__ = ["TrelloChecklistRoutes"]


class TrelloChecklistRoutes:
    """Handlers for /checklists, /labels and a card's checklists and labels; mixed into TrelloEmulator."""

    state: TrelloState

    if TYPE_CHECKING:  # provided by TrelloEmulator and TrelloCardRoutes

        def _board(self, bid: str) -> dict[str, Any]: ...
        def _card(self, cid: str) -> dict[str, Any]: ...
        def _params(self, request: Request) -> dict[str, Any]: ...
        def _get(
            self, table: dict[str, dict[str, Any]], object_id: str, *, field: str | None = None
        ) -> dict[str, Any]: ...
        def _labels_of(self, value: Any, board_id: str) -> list[str]: ...
        def _touch(
            self,
            card: dict[str, Any],
            member: str,
            old: dict[str, Any] | None,
            before_list: dict[str, Any] | None,
            *,
            kind: str = "updateCard",
            extra: dict[str, Any] | None = None,
        ) -> None: ...

    def get_card_checklists(self, request: Request, cid: str) -> Any:
        """GET /cards/{id}/checklists."""
        return [self.state.checklist_json(self.state.checklists[c]) for c in self._card(cid)["idChecklists"]]

    def post_card_checklist(self, request: Request, cid: str) -> Any:
        """POST /cards/{id}/checklists: name, pos."""
        return self._create_checklist(self._card(cid), self._params(request), request)

    def post_card_label(self, request: Request, cid: str) -> Any:
        """POST /cards/{id}/idLabels: value (a label id); answers the card's label ids."""
        card, p = self._card(cid), self._params(request)
        label_id = self._labels_of(p.get("value"), card["idBoard"])
        if not label_id:
            raise ApiError(400, "invalid value for value")
        if label_id[0] in card["idLabels"]:
            raise ApiError(400, "that label is already on the card")
        old = list(card["idLabels"])
        card["idLabels"].append(label_id[0])
        self._touch(card, request.environ["trello.member"], {"idLabels": old}, None)
        return list(card["idLabels"])

    def delete_card_label(self, request: Request, cid: str, label_id: str) -> Any:
        """DELETE /cards/{id}/idLabels/{idLabel}."""
        card = self._card(cid)
        if label_id not in card["idLabels"]:
            raise ApiError(404, NOT_FOUND)
        old = list(card["idLabels"])
        card["idLabels"].remove(label_id)
        self._touch(card, request.environ["trello.member"], {"idLabels": old}, None)
        return []

    def post_checklist(self, request: Request) -> Any:
        """POST /checklists: idCard, name, pos."""
        p = self._params(request)
        if not p.get("idCard"):
            raise ApiError(400, "invalid value for idCard")
        return self._create_checklist(self._card(str(p["idCard"])), p, request)

    def get_checklist(self, request: Request, clid: str) -> Any:
        """GET /checklists/{id}."""
        return self.state.checklist_json(self._get(self.state.checklists, clid))

    def post_check_item(self, request: Request, clid: str) -> Any:
        """POST /checklists/{id}/checkItems: name, pos, checked."""
        checklist, p = self._get(self.state.checklists, clid), self._params(request)
        name = text_param(p, "name")
        item = {
            "id": self.state.new_id(),
            "name": name,
            "nameData": None,
            "idChecklist": checklist["id"],
            "state": "complete" if as_bool(p.get("checked", False)) else "incomplete",
            "pos": self.state._pos(p.get("pos"), [i["pos"] for i in checklist["checkItems"]]),
            "due": None,
            "dueReminder": None,
            "idMember": None,
        }
        checklist["checkItems"].append(item)
        return dict(item, limits={})

    def post_label(self, request: Request) -> Any:
        """POST /labels: name, color, idBoard."""
        p = self._params(request)
        if not p.get("idBoard"):
            raise ApiError(400, "invalid value for idBoard")
        return self._create_label(self._board(str(p["idBoard"])), p)

    def get_label(self, request: Request, label_id: str) -> Any:
        """GET /labels/{id}."""
        return self.state.label_json(self._get(self.state.labels, label_id))

    def _create_label(self, board: dict[str, Any], p: dict[str, Any]) -> Any:
        color = p.get("color")
        color = None if color in (None, "", "null") else str(color)
        if color is not None and color not in self.state.board_json(board)["labelNames"]:
            raise ApiError(400, "invalid value for color")
        return self.state.label_json(self.state.add_label(board["id"], str(p.get("name") or ""), color))

    def _create_checklist(self, card: dict[str, Any], p: dict[str, Any], request: Request) -> Any:
        """A checklist on a card; with idChecklistSource, a copy of that checklist's items (one request)."""
        source = (
            self._get(self.state.checklists, str(p["idChecklistSource"]), field="idChecklistSource")
            if p.get("idChecklistSource")
            else None
        )
        name = str(p.get("name") or (source["name"] if source else "Checklist"))
        checklist = self.state.add_checklist(card, name, p.get("pos"))
        for item in (source or {}).get("checkItems", []):
            checklist["checkItems"].append(
                dict(item, id=self.state.new_id(), idChecklist=checklist["id"], state="incomplete")
            )
        self._touch(
            card,
            request.environ["trello.member"],
            None,
            None,
            kind="addChecklistToCard",
            extra={"checklist": {"id": checklist["id"], "name": checklist["name"]}},
        )
        return dict(self.state.checklist_json(checklist), limits={})
