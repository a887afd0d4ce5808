"""People and conversation routes of the Trello emulator: memberships, card members, comments, actions."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request

from .core import ApiError
from .trello_json import iso
from .trello_params import NOT_FOUND, as_bool, as_fields, as_ids, bounded_int
from .trello_store import ID_RE, TrelloState

__all__ = ["TrelloPeopleRoutes", "UNAUTHORIZED", "MEMBER_TYPES"]

UNAUTHORIZED = "unauthorized permission requested"
MEMBER_TYPES = ("admin", "normal", "observer")
#: Nested member fields Trello returns by default (boards/{id}/members, organizations/{id}/members).
_NESTED_MEMBER_FIELDS = ["fullName", "username"]
#: Member fields of a card's members and of POST/DELETE idMembers answers.
_CARD_MEMBER_FIELDS = [
    "activityBlocked",
    "avatarHash",
    "avatarUrl",
    "fullName",
    "idMemberReferrer",
    "initials",
    "nonPublic",
    "nonPublicAvailable",
    "username",
]
_DEFAULT_CARD_ACTIONS = "commentCard,updateCard:idList"
_ACTIONS_PER_PAGE = 50
_MAX_ACTION_PAGE = 19
_MAX_COMMENT = 16384


class TrelloPeopleRoutes:
    """Handlers for members, memberships, card members and comment actions; mixed into TrelloEmulator."""

    state: TrelloState

    if TYPE_CHECKING:  # provided by TrelloEmulator and TrelloCardRoutes

        def _board(self, bid: str) -> dict[str, Any]: ...
        def _org(self, oid: str) -> dict[str, Any]: ...
        def _card(self, cid: str) -> dict[str, Any]: ...
        def _params(self, request: Request) -> dict[str, Any]: ...
        def _get(
            self, table: dict[str, dict[str, Any]], object_id: str, *, field: str | None = None
        ) -> dict[str, Any]: ...
        def _limit(self, value: Any, default: int) -> int: ...
        def _id_bound(self, value: str | None) -> str | None: ...
        def _page(
            self, items: list[dict[str, Any]], request: Request, default_limit: int = ...
        ) -> list[dict[str, Any]]: ...
        def _touch(
            self,
            card: dict[str, Any],
            member: str,
            old: dict[str, Any] | None,
            before_list: dict[str, Any] | None,
            *,
            kind: str = ...,
            extra: dict[str, Any] | None = None,
        ) -> None: ...

    # -- board and workspace members -------------------------------------------------------------
    def get_board_members(self, request: Request, bid: str) -> Any:
        """GET /boards/{id}/members: id, fullName, username (or `fields`) of each member."""
        board = self._board(bid)
        return self._members_view(board, request, _NESTED_MEMBER_FIELDS)

    def get_board_memberships(self, request: Request, bid: str) -> Any:
        """GET /boards/{id}/memberships?filter=admins|all|none|normal&member=&member_fields=&orgMemberType=."""
        board = self._board(bid)
        flt = request.args.get("filter", "all")
        if flt not in ("admins", "all", "none", "normal"):
            raise ApiError(400, "invalid value for filter")
        rows = (
            []
            if flt == "none"
            else [
                m
                for m in board["_memberships"]
                if flt == "all" or m["memberType"] == {"admins": "admin", "normal": "normal"}[flt]
            ]
        )
        out = [dict(m) for m in rows]
        if as_bool(request.args.get("member", False)):
            fields = as_fields(request.args.get("member_fields", "fullName,username"))
            for view in out:
                view["member"] = self.state.member_json(
                    self.state.members[view["idMember"]], fields, request.environ["trello.member"]
                )
        if as_bool(request.args.get("orgMemberType", False)):
            org = self.state.orgs.get(board["idOrganization"] or "")
            for view in out:
                view["orgMemberType"] = self.state.member_type(org, view["idMember"]) if org else None
        return out

    def put_board_member(self, request: Request, bid: str, mid: str) -> Any:
        """PUT /boards/{id}/members/{idMember}?type=admin|normal|observer: add or retype a member."""
        board, p = self._board(bid), self._params(request)
        member = self._get(self.state.members, mid)
        kind = str(p.get("type") or "")
        if kind not in MEMBER_TYPES:
            raise ApiError(400, "invalid value for type")
        self.state.add_membership(board, member["id"], kind)
        view = self.state.board_json(board)
        view["members"] = self._members_view(board, request, _NESTED_MEMBER_FIELDS)
        view["memberships"] = [dict(m) for m in board["_memberships"]]
        return view

    def get_org_members(self, request: Request, oid: str) -> Any:
        """GET /organizations/{id}/members: id, fullName, username (or `fields`) of each member."""
        org = self._org(oid)
        return self._members_view(org, request, _NESTED_MEMBER_FIELDS)

    # -- card members ----------------------------------------------------------------------------
    def get_card_members(self, request: Request, cid: str) -> Any:
        """GET /cards/{id}/members?fields=."""
        card = self._card(cid)
        fields = as_fields(request.args.get("fields")) if "fields" in request.args else _CARD_MEMBER_FIELDS
        return self._card_members(card, fields, request)

    def post_card_member(self, request: Request, cid: str) -> Any:
        """POST /cards/{id}/idMembers (and py-trello's /members alias) with `value`: the card's members."""
        card, p = self._card(cid), self._params(request)
        ids = as_ids(p.get("value"))
        if len(ids) != 1:
            raise ApiError(400, "invalid value for value")
        member = self._get(self.state.members, ids[0], field="value")
        if member["id"] in card["idMembers"]:
            raise ApiError(400, "member is already assigned to the card")
        card["idMembers"].append(member["id"])
        self._touch(
            card,
            request.environ["trello.member"],
            None,
            None,
            kind="addMemberToCard",
            extra={"idMember": member["id"], "member": {"id": member["id"], "name": member["fullName"]}},
        )
        return self._card_members(card, _CARD_MEMBER_FIELDS, request)

    def delete_card_member(self, request: Request, cid: str, mid: str) -> Any:
        """DELETE /cards/{id}/idMembers/{idMember}: the card's remaining members."""
        card = self._card(cid)
        member = self._get(self.state.members, mid)
        if member["id"] not in card["idMembers"]:
            raise ApiError(400, "member is not on the card")
        card["idMembers"].remove(member["id"])
        self._touch(
            card,
            request.environ["trello.member"],
            None,
            None,
            kind="removeMemberFromCard",
            extra={"idMember": member["id"], "member": {"id": member["id"], "name": member["fullName"]}},
        )
        return self._card_members(card, _CARD_MEMBER_FIELDS, request)

    # -- comments and actions --------------------------------------------------------------------
    def get_board_actions(self, request: Request, bid: str) -> Any:
        """GET /boards/{id}/actions?filter=&fields=&since=&before=&limit= (default 50, max 1000), newest first."""
        board = self._board(bid)
        wanted = action_filter(request.args.get("filter", "all"))
        actions = [
            a
            for a in self.state.actions
            if a["data"].get("board", {}).get("id") == board["id"] and action_matches(a, wanted)
        ]
        return [_action_view(a, request) for a in self._page(actions, request, default_limit=50)]

    def get_card_actions(self, request: Request, cid: str) -> Any:
        """GET /cards/{id}/actions?filter=(default commentCard,updateCard:idList)&page=&limit=&before=&since=."""
        card = self._card(cid)
        wanted = action_filter(request.args.get("filter", _DEFAULT_CARD_ACTIONS))
        page = bounded_int(request.args.get("page"), 0, "page", _MAX_ACTION_PAGE)
        actions = [
            a
            for a in self.state.actions
            if a["data"].get("card", {}).get("id") == card["id"] and action_matches(a, wanted)
        ]
        limit = self._limit(request.args.get("limit"), _ACTIONS_PER_PAGE)
        before = self._id_bound(request.args.get("before"))
        since = self._id_bound(request.args.get("since"))
        newest = [
            a
            for a in sorted(actions, key=lambda a: a["id"], reverse=True)
            if (not before or a["id"] < before) and (not since or a["id"] > since)
        ]
        return [_action_view(a, request) for a in newest[page * limit : (page + 1) * limit]]

    def post_card_comment(self, request: Request, cid: str) -> Any:
        """POST /cards/{id}/actions/comments?text=: a commentCard action."""
        card, p = self._card(cid), self._params(request)
        action = self.state.add_comment(card, request.environ["trello.member"], self._comment_text(p))
        return json.loads(json.dumps(action))

    def get_action(self, request: Request, aid: str) -> Any:
        """GET /actions/{id}?fields=."""
        return _action_view(self._action(aid), request)

    def put_action(self, request: Request, aid: str) -> Any:
        """PUT /actions/{id}?text=: edit a comment (only comment actions can be updated)."""
        return self._edit_comment(request, self._action(aid))

    def delete_action(self, request: Request, aid: str) -> Any:
        """DELETE /actions/{id}: only comment actions can be deleted."""
        return self._delete_comment(request, self._action(aid))

    def put_card_comment(self, request: Request, cid: str, aid: str) -> Any:
        """PUT /cards/{id}/actions/{idAction}/comments?text=."""
        return self._edit_comment(request, self._card_comment(cid, aid))

    def delete_card_comment(self, request: Request, cid: str, aid: str) -> Any:
        """DELETE /cards/{id}/actions/{idAction}/comments."""
        return self._delete_comment(request, self._card_comment(cid, aid))

    # -- internals -------------------------------------------------------------------------------
    def _members_view(self, holder: dict[str, Any], request: Request, default: list[str]) -> list[dict[str, Any]]:
        fields = as_fields(request.args.get("fields")) if "fields" in request.args else default
        viewer = request.environ["trello.member"]
        return [
            self.state.member_json(self.state.members[m["idMember"]], fields, viewer)
            for m in holder["_memberships"]
            if m["idMember"] in self.state.members
        ]

    def _card_members(self, card: dict[str, Any], fields: list[str] | None, request: Request) -> list[dict[str, Any]]:
        viewer = request.environ["trello.member"]
        out = []
        for mid in card["idMembers"]:
            member = dict(
                self.state.members[mid],
                activityBlocked=False,
                idMemberReferrer=None,
                nonPublic={},
                nonPublicAvailable=True,
            )
            out.append(self.state.member_json(member, fields, viewer))
        return out

    def _action(self, aid: str) -> dict[str, Any]:
        if not ID_RE.match(aid):
            raise ApiError(400, "invalid id")
        for action in self.state.actions:
            if action["id"] == aid.lower():
                return action
        raise ApiError(404, NOT_FOUND)

    def _card_comment(self, cid: str, aid: str) -> dict[str, Any]:
        card, action = self._card(cid), self._action(aid)
        if action["data"].get("card", {}).get("id") != card["id"]:
            raise ApiError(404, NOT_FOUND)
        return action

    def _comment_text(self, p: dict[str, Any]) -> str:
        text = p.get("text")
        if not isinstance(text, str) or not text.strip() or len(text) > _MAX_COMMENT:
            raise ApiError(400, "invalid value for text")
        return text

    def _edit_comment(self, request: Request, action: dict[str, Any]) -> Any:
        if action["type"] != "commentCard":
            raise ApiError(400, "invalid value for type")
        if action["idMemberCreator"] != request.environ["trello.member"]:
            raise ApiError(401, UNAUTHORIZED)
        action["data"]["text"] = self._comment_text(self._params(request))
        action["data"]["dateLastEdited"] = iso(self.state.now())
        return json.loads(json.dumps(action))

    def _delete_comment(self, request: Request, action: dict[str, Any]) -> Any:
        if action["type"] != "commentCard":
            raise ApiError(400, "invalid value for type")
        if action["idMemberCreator"] != request.environ["trello.member"]:
            raise ApiError(401, UNAUTHORIZED)
        self.state.actions.remove(action)
        card = self.state.cards.get(action["data"].get("card", {}).get("id", ""))
        if card is not None:
            card["_comments"] = max(0, card.get("_comments", 0) - 1)
        return {"_value": None}


def _action_view(action: dict[str, Any], request: Request) -> dict[str, Any]:
    """An action as returned: `fields` picks its fields (id always), `memberCreator=false` drops that object."""
    fields = as_fields(request.args.get("fields"))
    view = {
        k: v
        for k, v in json.loads(json.dumps(action)).items()
        if fields is None or k in ("id", "memberCreator") or k in fields
    }
    if not as_bool(request.args.get("memberCreator", True)):
        view.pop("memberCreator", None)
    return view


def action_filter(value: str) -> list[tuple[str, str | None]] | None:
    """`all`, or action types with an optional `:field` (updateCard:idList = list moves only)."""
    if value.strip() == "all":
        return None
    out: list[tuple[str, str | None]] = []
    for item in as_ids(value):
        kind, _, field = item.partition(":")
        out.append((kind, field or None))
    return out


def action_matches(action: dict[str, Any], wanted: list[tuple[str, str | None]] | None) -> bool:
    if wanted is None:
        return True
    old = action["data"].get("old") or {}
    return any(action["type"] == kind and (field is None or field in old) for kind, field in wanted)
