"""List routes of the Trello emulator (board lists, lists, list cards), mixed into TrelloEmulator."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request

from .core import ApiError
from .trello_params import as_bool, as_fields, text_param
from .trello_store import TrelloState

__all__ = ["TrelloListRoutes"]


class TrelloListRoutes:
    """Handlers for the lists of a board and the cards of a list; mixed into TrelloEmulator."""

    state: TrelloState

    if TYPE_CHECKING:  # provided by TrelloEmulator and TrelloCardRoutes

        def _board(self, bid: str) -> dict[str, Any]: ...
        def _params(self, request: Request) -> dict[str, Any]: ...
        def _get(
            self, table: dict[str, dict[str, Any]], object_id: str, *, field: str | None = None
        ) -> dict[str, Any]: ...
        def _page(
            self, items: list[dict[str, Any]], request: Request, default_limit: int = ...
        ) -> list[dict[str, Any]]: ...
        def _card_view(self, card: dict[str, Any], request: Request) -> dict[str, Any]: ...

    def get_board_lists(self, request: Request, bid: str, filt: str | None = None) -> Any:
        """GET /boards/{id}/lists[/{filter}]?filter=open|closed|all|none&fields=&cards=."""
        board = self._board(bid)
        flt = filt or request.args.get("filter", "open")
        lists = sorted(
            (lst for lst in self.state.lists.values() if lst["idBoard"] == board["id"]), key=lambda lst: lst["pos"]
        )
        if flt == "none":
            return []
        if flt in ("open", "closed"):
            lists = [lst for lst in lists if lst["closed"] == (flt == "closed")]
        elif flt != "all":
            raise ApiError(400, "invalid value for filter")
        fields = as_fields(request.args.get("fields"))
        out = [self.state.list_json(lst, fields) for lst in lists]
        card_filter = request.args.get("cards", "none")
        if card_filter not in ("all", "closed", "none", "open"):
            raise ApiError(400, "invalid value for cards")
        if card_filter != "none":
            card_fields = as_fields(request.args.get("card_fields"))
            for view, lst in zip(out, lists, strict=True):
                cards = [
                    c
                    for c in self.state.cards.values()
                    if c["idList"] == lst["id"] and (card_filter == "all" or c["closed"] == (card_filter == "closed"))
                ]
                view["cards"] = [self.state.card_json(c, card_fields) for c in sorted(cards, key=lambda c: c["pos"])]
        return out

    def post_board_list(self, request: Request, bid: str) -> Any:
        """POST /boards/{id}/lists: name, pos."""
        p = self._params(request)
        return self._create_list(self._board(bid), p, request)

    # -- lists -----------------------------------------------------------------------------------
    def post_list(self, request: Request) -> Any:
        """POST /lists: name, idBoard, pos."""
        p = self._params(request)
        if not p.get("idBoard"):
            raise ApiError(400, "invalid value for idBoard")
        return self._create_list(self._board(str(p["idBoard"])), p, request)

    def get_list(self, request: Request, lid: str) -> Any:
        """GET /lists/{id}."""
        return self.state.list_json(self._get(self.state.lists, lid), as_fields(request.args.get("fields")))

    def put_list(self, request: Request, lid: str) -> Any:
        """PUT /lists/{id}: name, closed, pos; logged as an updateList action carrying the old values."""
        lst, p = self._get(self.state.lists, lid), self._params(request)
        old: dict[str, Any] = {}
        if "name" in p:
            old["name"], lst["name"] = lst["name"], text_param(p, "name")
        if "closed" in p:
            old["closed"], lst["closed"] = lst["closed"], as_bool(p["closed"])
        if "pos" in p:
            old["pos"] = lst["pos"]
            lst["pos"] = self.state._pos(
                p["pos"], [x["pos"] for x in self.state.lists.values() if x["idBoard"] == lst["idBoard"]]
            )
        if old:
            self.state.log_action(
                "updateList",
                request.environ["trello.member"],
                board=self.state.boards[lst["idBoard"]],
                lst=lst,
                extra={"old": old},
            )
        return self.state.list_json(lst)

    def get_list_cards(self, request: Request, lid: str) -> Any:
        """GET /lists/{id}/cards?filter=open|closed|all."""
        lst = self._get(self.state.lists, lid)
        flt = request.args.get("filter", "open")
        cards = [
            c
            for c in self.state.cards.values()
            if c["idList"] == lst["id"] and (flt == "all" or c["closed"] == (flt == "closed"))
        ]
        if any(k in request.args for k in ("limit", "before", "since")):
            cards = self._page(cards, request)  # py-trello's list_cards_iter pages newest first
        else:
            cards = sorted(cards, key=lambda c: c["pos"])
        return [self._card_view(c, request) for c in cards]

    def _create_list(self, board: dict[str, Any], p: dict[str, Any], request: Request) -> Any:
        name = text_param(p, "name")
        return self.state.list_json(
            self.state.add_list(board["id"], name, request.environ["trello.member"], p.get("pos"))
        )
