"""A stateful in-memory emulator of the Trello REST API (prefix /1) for tests and benchmarks.

Auth is `key` + `token` query parameters on every route; 4xx bodies are plain text like the real
API (`invalid key`, `invalid token`, `invalid id`, `The requested resource was not found.`);
lists come back as bare JSON arrays; 429s carry `{"error": "API_TOKEN_LIMIT_EXCEEDED", ...}` and
no Retry-After. Routes, deviations and seeding: docs/emulators-trello.md. Seeding helpers live in
trello_seed.py, state in trello_store.py, JSON shapes in trello_json.py, people and comments in trello_people.py.
"""

from __future__ import annotations

import json
import threading
from typing import Any, Self
from urllib.parse import unquote

from werkzeug.routing import Rule
from werkzeug.serving import make_server
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from .core import LOOPBACK, ApiError, Emulator, Faults, RateLimit, _QuietHandler, json_response
from .trello_access import MEMBERS_LIMIT, TrelloAccessMixin
from .trello_cards import TrelloCardRoutes
from .trello_lists import TrelloListRoutes
from .trello_params import NOT_FOUND, as_bool, as_fields, bounded_int, text_param, text_response
from .trello_people import TrelloPeopleRoutes
from .trello_routes import ROUTES
from .trello_seed import TrelloSeedMixin
from .trello_store import ID_RE, TrelloState, id_from_time, parse_when

__all__ = ["TrelloEmulator", "DEFAULT_KEY", "DEFAULT_TOKEN"]

DEFAULT_KEY = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
DEFAULT_TOKEN = "ATTAfeedc0ffee0123456789abcdef0123456789abcdef0123456789abcdef01234567"
MAX_BATCH = 10
MAX_LIMIT = 1000
_BOARD_FILTERS = ("all", "closed", "members", "open", "organization", "public", "starred")
_BOARD_CARD_FILTERS = ("all", "closed", "complete", "incomplete", "none", "open", "visible")


class TrelloEmulator(
    TrelloAccessMixin, TrelloCardRoutes, TrelloListRoutes, TrelloPeopleRoutes, TrelloSeedMixin, Emulator
):
    """Trello's REST API on 127.0.0.1, seeded through Python methods (see TrelloSeedMixin)."""

    name = "trello"
    prefix = "/1"

    @property
    def rules(self) -> list[Rule]:  # type: ignore[override]  # werkzeug binds a Rule to one Map: fresh copies per emulator
        return [rule.empty() for rule in ROUTES]

    def __init__(
        self,
        *,
        faults: Faults | None = None,
        rate_limits: list[RateLimit] | None = None,
        key: str = DEFAULT_KEY,
        token: str = DEFAULT_TOKEN,
        members_limit: RateLimit | None = MEMBERS_LIMIT,
    ) -> None:
        if rate_limits is None:
            rate_limits = [RateLimit(100, 10.0, scope="token"), RateLimit(300, 10.0, scope="key")]
        super().__init__(faults=faults, rate_limits=rate_limits)
        self.members_limit = members_limit  # the separate /1/members/ budget; None switches it off
        self.state = TrelloState()
        self.api_key, self.token = key, token
        self.keys: set[str] = {key}
        self.tokens: dict[str, str] = {}  # token -> member id
        self.expired: set[str] = set()
        me = self.state.add_member("me", "Emulated Me")
        self.me_id = me["id"]
        self.tokens[token] = self.me_id

    def start(self) -> Self:
        """As Emulator.start, but polling for shutdown every 50 ms so tests tear down fast."""
        self._server = make_server(LOOPBACK, 0, self.wsgi, threaded=True, request_handler=_QuietHandler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"{self.name}-emulator", daemon=True
        )
        self._thread.start()
        return self

    # -- core hooks ----------------------------------------------------------------------------
    def authenticate(self, request: Request) -> dict[str, str] | None:
        """Key and token travel as query parameters (or in the body, as Trello also accepts)."""
        try:
            params = self._params(request)
        except ApiError:  # an unreadable body: credentials can still come from the query
            params = dict(request.args.items())
        key, token = params.get("key"), params.get("token")
        if key not in self.keys:
            request.environ["trello.auth_error"] = "invalid key"
            return None
        if token in self.expired:
            request.environ["trello.auth_error"] = "expired token"
            return None
        if token not in self.tokens:
            request.environ["trello.auth_error"] = "invalid token"
            return None
        request.environ["trello.member"] = self.tokens[token]
        return {"key": str(key), "token": str(token)}

    def unauthorized(self, request: Request) -> Response:
        """401 with a plain-text body, as Trello answers."""
        return text_response(request.environ.get("trello.auth_error", "unauthorized permission requested"), 401)

    def error_response(self, err: ApiError) -> Response:
        """Trello's 4xx bodies are plain text."""
        return text_response(err.message, err.status)

    def rate_limited(self, retry_after: float, rule: RateLimit) -> Response:
        """429 with the body of Trello's rate-limits guide and no Retry-After header."""
        code = "API_TOKEN_LIMIT_EXCEEDED" if rule.scope == "token" else "API_KEY_LIMIT_EXCEEDED"
        return json_response({"error": code, "message": "Rate limit exceeded"}, 429)

    def fault_response(self, status: int) -> Response:
        """Injected faults in Trello's shapes (429 without Retry-After, plain-text 5xx)."""
        if status == 429:
            return json_response({"error": "API_TOKEN_LIMIT_EXCEEDED", "message": "Rate limit exceeded"}, 429)
        return text_response("An unexpected error occurred." if status >= 500 else "invalid request", status)

    def not_found(self, request: Request) -> Response:
        """Unknown routes answer like Trello's Express front end."""
        return text_response(f"Cannot {request.method} {request.path}", 404)

    # -- members and organizations ---------------------------------------------------------------
    def get_member(self, request: Request, mid: str) -> Any:
        """GET /members/{id|me|username}."""
        return self.state.member_json(
            self._member(request, mid), as_fields(request.args.get("fields")), request.environ["trello.member"]
        )

    def get_member_boards(self, request: Request, mid: str) -> Any:
        """GET /members/{id}/boards?filter=&fields=."""
        member = self._member(request, mid)
        boards = [self.state.boards[b] for b in member["idBoards"]]
        return self._boards_view(boards, request)

    def get_member_orgs(self, request: Request, mid: str) -> Any:
        """GET /members/{id}/organizations."""
        member = self._member(request, mid)
        return [_public(self.state.orgs[o]) for o in member["idOrganizations"]]

    def get_org(self, request: Request, oid: str) -> Any:
        """GET /organizations/{id or name}."""
        return _public(self._org(oid))

    def get_org_boards(self, request: Request, oid: str) -> Any:
        """GET /organizations/{id or name}/boards."""
        org = self._org(oid)
        return self._boards_view([self.state.boards[b] for b in org["idBoards"]], request)

    # -- boards ----------------------------------------------------------------------------------
    def post_board(self, request: Request) -> Any:
        """POST /boards: name, desc, idOrganization, defaultLists, defaultLabels."""
        p = self._params(request)
        name = text_param(p, "name")
        org_id = None
        if p.get("idOrganization"):
            org_id = self._org(str(p["idOrganization"]))["id"]
        member = request.environ["trello.member"]
        board = self.state.add_board(
            name,
            member,
            desc=str(p.get("desc") or ""),
            org_id=org_id,
            default_labels=as_bool(p.get("defaultLabels", True)),
            permission=str(p.get("prefs_permissionLevel") or "private"),
        )
        if as_bool(p.get("defaultLists", True)):
            for list_name in ("To Do", "Doing", "Done"):
                self.state.add_list(board["id"], list_name, member)
        return self.state.board_json(board)

    def get_board(self, request: Request, bid: str) -> Any:
        """GET /boards/{id}?fields=."""
        return self.state.board_json(self._board(bid), as_fields(request.args.get("fields")))

    def put_board(self, request: Request, bid: str) -> Any:
        """PUT /boards/{id}: name, desc, closed."""
        board, p = self._board(bid), self._params(request)
        if "name" in p:
            board["name"] = text_param(p, "name")
        if "desc" in p:
            board["desc"] = str(p["desc"] or "")
        if "closed" in p:
            board["closed"] = as_bool(p["closed"])
        return self.state.board_json(board)

    def get_board_cards(self, request: Request, bid: str, filt: str | None = None) -> Any:
        """GET /boards/{id}/cards[/{filter|idCard}]: fields, filter, limit <= 1000, before/since; newest first."""
        board = self._board(bid)
        if filt and ID_RE.match(filt):
            card = self._card(filt)
            if card["idBoard"] != board["id"]:
                raise ApiError(404, NOT_FOUND)
            return self._card_view(card, request)
        flt = filt or request.args.get("filter", "visible")
        if flt not in _BOARD_CARD_FILTERS:
            raise ApiError(400, "invalid value for filter")
        cards = [c for c in self.state.cards.values() if c["idBoard"] == board["id"]]
        if flt == "none":
            cards = []
        elif flt == "open":
            cards = [c for c in cards if not c["closed"]]
        elif flt == "closed":
            cards = [c for c in cards if c["closed"]]
        elif flt == "visible":
            cards = [c for c in cards if not c["closed"] and not self.state.lists[c["idList"]]["closed"]]
        elif flt in ("complete", "incomplete"):  # open cards by their due-date checkbox
            cards = [c for c in cards if not c["closed"] and c["dueComplete"] == (flt == "complete")]
        cards = self._page(cards, request)
        return [self._card_view(c, request) for c in cards]

    def get_board_labels(self, request: Request, bid: str) -> Any:
        """GET /boards/{id}/labels?fields=&limit= (default 50, at most 1000)."""
        board = self._board(bid)
        limit = self._limit(request.args.get("limit"), 50)
        labels = [lb for lb in self.state.labels.values() if lb["idBoard"] == board["id"]]
        return [self.state.label_json(lb, as_fields(request.args.get("fields"))) for lb in labels[:limit]]

    def post_board_label(self, request: Request, bid: str) -> Any:
        """POST /boards/{id}/labels: name, color."""
        return self._create_label(self._board(bid), self._params(request))

    def get_board_custom_fields(self, request: Request, bid: str) -> Any:
        """GET /boards/{id}/customFields."""
        board = self._board(bid)
        return [f for f in self.state.custom_fields.values() if f["idModel"] == board["id"]]

    def get_board_checklists(self, request: Request, bid: str) -> Any:
        """GET /boards/{id}/checklists."""
        board = self._board(bid)
        return [self.state.checklist_json(c) for c in self.state.checklists.values() if c["idBoard"] == board["id"]]

    # -- batch -----------------------------------------------------------------------------------
    def get_batch(self, request: Request) -> Any:
        """GET /batch?urls=/a,/b (at most 10 GET routes); each answer wrapped as {"<status>": body}."""
        urls = [u for u in (request.args.get("urls") or "").split(",") if u.strip()]
        if not urls or len(urls) > MAX_BATCH:
            raise ApiError(400, "invalid value for urls")
        out = []
        for url in urls:
            path, _, query = unquote(url.strip()).partition("?")
            path = "/" + path.lstrip("/")
            if not path.startswith(self.prefix + "/"):
                path = self.prefix + path
            environ = EnvironBuilder(path=path, query_string=query, method="GET").get_environ()
            environ["trello.member"] = request.environ["trello.member"]
            sub = Request(environ)
            try:
                endpoint, args = self._url_map.bind_to_environ(environ).match()
            except Exception:  # unknown route inside a batch
                out.append({"404": f"Cannot GET {path}"})
                continue
            if endpoint == "get_batch":
                out.append({"400": "invalid value for urls"})
                continue
            response = self._call(endpoint, sub, args)
            text = response.get_data(as_text=True)
            body = json.loads(text) if response.mimetype == "application/json" else text
            out.append({str(response.status_code): body})
        return out

    # -- helpers ---------------------------------------------------------------------------------
    @staticmethod
    def _params(request: Request) -> dict[str, Any]:
        """Query, form and JSON body merged: Trello reads parameters from any of them."""
        params: dict[str, Any] = dict(request.args.items())
        params.update(request.form.items())
        if request.mimetype == "application/json" and request.get_data():
            try:
                body = json.loads(request.get_data(as_text=True))
            except ValueError:
                raise ApiError(400, "invalid JSON") from None
            if isinstance(body, dict):  # a JSON null is a value too: {"due": null} clears the date
                params.update(body)
        return params

    @staticmethod
    def _get(table: dict[str, dict[str, Any]], object_id: str, *, field: str | None = None) -> dict[str, Any]:
        """Look up by id: malformed -> 400 invalid id, unknown -> 404 (or 400 for a body field)."""
        if not ID_RE.match(object_id or ""):
            raise ApiError(400, f"invalid value for {field}" if field else "invalid id")
        try:
            return table[object_id.lower()]
        except KeyError:
            raise ApiError(400 if field else 404, f"invalid value for {field}" if field else NOT_FOUND) from None

    def _board(self, bid: str) -> dict[str, Any]:
        for board in self.state.boards.values():
            if board["shortLink"] == bid:
                return board
        return self._get(self.state.boards, bid)

    def _member(self, request: Request, mid: str) -> dict[str, Any]:
        if mid == "me":
            return self.state.members[request.environ["trello.member"]]
        for member in self.state.members.values():
            if member["username"] == mid:
                return member
        return self._get(self.state.members, mid)

    def _org(self, oid: str) -> dict[str, Any]:
        for org in self.state.orgs.values():
            if org["name"] == oid:
                return org
        return self._get(self.state.orgs, oid)

    def _boards_view(self, boards: list[dict[str, Any]], request: Request) -> list[dict[str, Any]]:
        flt = request.args.get("filter", "all")
        if flt not in _BOARD_FILTERS:
            raise ApiError(400, "invalid value for filter")
        if flt in ("open", "closed"):
            boards = [b for b in boards if b["closed"] == (flt == "closed")]
        elif flt in ("organization", "public"):  # by visibility (prefs.permissionLevel org/public)
            boards = [b for b in boards if b["prefs"]["permissionLevel"] == ("org" if flt == "organization" else flt)]
        elif flt == "starred":
            boards = [b for b in boards if b["starred"]]
        return [self.state.board_json(b, as_fields(request.args.get("fields"))) for b in boards]

    @staticmethod
    def _limit(value: Any, default: int) -> int:
        return bounded_int(value, default, "limit", MAX_LIMIT)

    def _page(
        self, items: list[dict[str, Any]], request: Request, default_limit: int = MAX_LIMIT
    ) -> list[dict[str, Any]]:
        """Newest first by id; `before`/`since` take an id or a date; at most `limit` (<= 1000)."""
        limit = self._limit(request.args.get("limit"), default_limit)
        before, since = self._id_bound(request.args.get("before")), self._id_bound(request.args.get("since"))
        items = sorted(items, key=lambda x: x["id"], reverse=True)
        if before:
            items = [x for x in items if x["id"] < before]
        if since:
            items = [x for x in items if x["id"] > since]
        return items[:limit]

    @staticmethod
    def _id_bound(value: str | None) -> str | None:
        if not value or value == "null":
            return None
        if ID_RE.match(value):
            return value.lower()
        try:
            when = parse_when(value)
        except ValueError:
            raise ApiError(400, "invalid date") from None
        return id_from_time(when.timestamp()) if when else None


def _public(obj: dict[str, Any]) -> dict[str, Any]:
    """An object without the emulator's private `_` keys."""
    return {k: (list(v) if isinstance(v, list) else v) for k, v in obj.items() if not k.startswith("_")}
