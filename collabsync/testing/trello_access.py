"""Who may do what on the Trello emulator: the /1/members/ rate limit and observers' read-only tokens."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from .core import WRITE_METHODS, ApiError, RateLimit, json_response
from .trello_people import UNAUTHORIZED
from .trello_store import TrelloState

__all__ = ["TrelloAccessMixin", "MEMBERS_LIMIT"]

#: "there is a limit on requests to /1/members/ of 100 requests per 900 seconds" (Trello rate-limits guide).
MEMBERS_LIMIT = RateLimit(100, 900.0, scope="token")
_MEMBERS_PATH = "/1/members/"


class TrelloAccessMixin:
    """Checks that run before a Trello handler: the members-route budget and board roles on writes."""

    state: TrelloState
    lock: Any
    members_limit: RateLimit | None

    if TYPE_CHECKING:  # provided by TrelloEmulator and TrelloCardRoutes

        def _board(self, bid: str) -> dict[str, Any]: ...
        def _card(self, cid: str) -> dict[str, Any]: ...
        def _params(self, request: Request) -> dict[str, Any]: ...
        def error_response(self, err: ApiError) -> Response: ...

    def _check_rate(self, request: Request, principal: dict[str, str]) -> Response | None:
        """The per-token and per-key budgets, then the separate budget of /1/members/ routes."""
        limited = super()._check_rate(request, principal)  # type: ignore[misc]
        rule = self.members_limit
        if limited is not None or rule is None or not request.path.startswith(_MEMBERS_PATH):
            return limited
        now = time.monotonic()
        with self.lock:
            windows: dict[str, deque[float]] = self.__dict__.setdefault("_members_windows", {})
            window = windows.setdefault(principal.get(rule.scope, ""), deque())
            while window and now - window[0] >= rule.window:
                window.popleft()
            if len(window) >= rule.limit:
                # The guide names no body for this limit; this is what clients report receiving.
                return json_response(
                    {"error": "RATE_LIMIT_EXCEEDED", "message": "Exceeded rate limit to /1/members"}, 429
                )
            window.append(now)
        return None

    def _call(self, endpoint: str, request: Request, args: Mapping[str, Any]) -> Response:
        """Refuse writes by a board's observers with Trello's 401 before the handler runs."""
        if request.method in WRITE_METHODS:
            with self.lock:
                board = self._board_written(request, args)
                if board is not None and self.state.member_type(board, request.environ["trello.member"]) == "observer":
                    return self.error_response(ApiError(401, UNAUTHORIZED))
        return super()._call(endpoint, request, args)  # type: ignore[misc]

    def _board_written(self, request: Request, args: Mapping[str, Any]) -> dict[str, Any] | None:
        """The board a write lands on, from the path ids or the body's idList/idBoard/idCard; None if unknown."""
        state = self.state
        try:
            if "bid" in args:
                return self._board(args["bid"])
            holder: dict[str, Any] | None = None
            if "cid" in args:
                holder = self._card(args["cid"])
            elif "lid" in args:
                holder = state.lists.get(args["lid"].lower())
            elif "clid" in args:
                holder = state.checklists.get(args["clid"].lower())
            elif "label_id" in args:
                holder = state.labels.get(args["label_id"].lower())
            elif "aid" in args:
                holder = next((a["data"]["board"] for a in state.actions if a["id"] == args["aid"].lower()), None)
                return state.boards.get(holder["id"]) if holder else None
            else:
                p = self._params(request)
                ref = {"idList": state.lists, "idCard": state.cards, "idBoard": state.boards}
                for key, table in ref.items():
                    if isinstance(p.get(key), str) and p[key].lower() in table:
                        holder = table[p[key].lower()]
                        break
                if holder is not None and "idBoard" not in holder:  # a board itself
                    return holder
        except ApiError:
            return None  # the handler answers malformed or unknown ids itself
        return state.boards.get(holder["idBoard"]) if holder else None
