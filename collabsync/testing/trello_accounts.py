"""Board membership for the Trello emulator: who is admin, normal member or only an observer.

Adds ``GET /1/boards/{id}/memberships`` and refuses every write that touches a board where the
token's member is an observer, with Trello's plain-text 401 ``unauthorized permission requested``.
Seed with ``emu.set_membership(board_id, member_id, "observer")`` or the ``observer-trello`` preset.
"""

from __future__ import annotations

from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from .core import WRITE_METHODS, ApiError

__all__ = ["MEMBERSHIP_RULES", "TrelloAccountsMixin"]

MEMBERSHIP_RULES = [Rule("/1/boards/<bid>/memberships", endpoint="get_board_memberships", methods=["GET"])]
REFUSED = "unauthorized permission requested"


class TrelloAccountsMixin:
    """Membership types per board, and the refusal of observers' writes."""

    state: Any
    lock: Any

    def set_membership(self, board_id: str, member_id: str, member_type: str) -> None:
        """Make a member admin, normal or observer of a board (seed API; no request logged)."""
        if member_type not in ("admin", "normal", "observer"):
            raise ValueError("member_type must be admin, normal or observer")
        with self.lock:
            board = self.state.boards[board_id]
            if member_id not in board["_members"]:
                board["_members"].append(member_id)
                self.state.members[member_id]["idBoards"].append(board_id)
            self._types().setdefault(board_id, {})[member_id] = member_type

    def _types(self) -> dict[str, dict[str, str]]:
        return self.__dict__.setdefault("member_types", {})

    def member_type(self, board: dict[str, Any], member_id: str) -> str | None:
        """admin for the board's creator unless seeded otherwise, normal for other members, None for strangers."""
        seeded = self._types().get(board["id"], {}).get(member_id)
        if seeded:
            return seeded
        if member_id not in board["_members"]:
            return None
        return "admin" if board.get("idMemberCreator") == member_id else "normal"

    def get_board_memberships(self, request: Request, bid: str) -> Any:
        board = self._board(bid)  # type: ignore[attr-defined]
        return [{"id": f"{board['id'][:12]}{m[-12:]}", "idMember": m, "memberType": self.member_type(board, m),
                 "unconfirmed": False, "deactivated": False} for m in board["_members"]]

    def _call(self, endpoint: str, request: Request, args: dict[str, Any]) -> Response:
        """Refuse writes on a board where the token's member is an observer."""
        if request.method in WRITE_METHODS:
            try:
                with self.lock:
                    board = self._board_of(request, args)
            except (ApiError, KeyError):
                board = None  # the handler answers bad ids in its own way
            member = request.environ.get("trello.member")
            if board is not None and member and self.member_type(board, member) == "observer":
                return self.error_response(ApiError(401, REFUSED))  # type: ignore[attr-defined]
        return super()._call(endpoint, request, args)  # type: ignore[misc]

    def _board_of(self, request: Request, args: dict[str, Any]) -> dict[str, Any] | None:
        """The board a write touches: from the path (board, list, card, checklist) or the body's idList/idBoard."""
        state = self.state
        if "bid" in args:
            return self._board(args["bid"])  # type: ignore[attr-defined]
        if "lid" in args:
            return state.boards.get(state.lists[args["lid"].lower()]["idBoard"])
        if "cid" in args:
            return state.boards.get(state.cards[args["cid"].lower()]["idBoard"])
        params = self._params(request)  # type: ignore[attr-defined]
        if params.get("idList"):
            return state.boards.get(state.lists[str(params["idList"]).lower()]["idBoard"])
        if params.get("idBoard"):
            return self._board(str(params["idBoard"]))  # type: ignore[attr-defined]
        if params.get("idCard"):
            return state.boards.get(state.cards[str(params["idCard"]).lower()]["idBoard"])
        return None
