"""Card-side routes of the Trello emulator: cards, attachments, custom fields (checklists, labels: trello_checklists.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request

from .core import ApiError
from .trello_checklists import TrelloChecklistRoutes
from .trello_json import iso
from .trello_params import as_bool, as_fields, as_ids, text_param
from .trello_store import TrelloState, parse_when

__all__ = ["TrelloCardRoutes"]

_CARD_FIELDS = frozenset({"name", "desc", "idList", "closed", "due", "start", "dueComplete", "pos", "idMembers"})
_KEEP = frozenset(
    {"attachments", "checklists", "comments", "customFields", "due", "start", "labels", "members", "stickers"}
)


def _keep(value: Any) -> set[str]:
    """keepFromSource: `all` (the default) or a comma-separated subset of _KEEP; anything else is a 400."""
    items = set(as_ids(value)) or {"all"}
    if items == {"all"}:
        return set(_KEEP)
    if not items <= _KEEP:
        raise ApiError(400, "invalid value for keepFromSource")
    return items


def _copied(source: dict[str, Any], p: dict[str, Any], board_id: str) -> dict[str, Any]:
    """A source card's plain fields as POST /cards parameters; the request's own parameters win."""
    keep = _keep(p.get("keepFromSource"))
    fields: dict[str, Any] = {"name": source["name"], "desc": source["desc"]}
    for key in ("due", "start"):
        if key in keep and source[key] is not None:
            fields[key] = source[key].isoformat()
    if "due" in keep:
        fields["dueComplete"] = source["dueComplete"]
    if "members" in keep:
        fields["idMembers"] = list(source["idMembers"])
    if "labels" in keep and source["idBoard"] == board_id:  # labels belong to a board
        fields["idLabels"] = list(source["idLabels"])
    return fields


def _is_link(value: Any) -> bool:
    """Trello takes attachment URLs starting with http:// or https:// only."""
    return isinstance(value, str) and value.startswith(("http://", "https://")) and len(value) > 8


class TrelloCardRoutes(TrelloChecklistRoutes):
    """Handlers for /cards (checklists and labels in the base); mixed into TrelloEmulator."""

    state: TrelloState

    if TYPE_CHECKING:  # provided by TrelloEmulator and TrelloSeedMixin

        def _board(self, bid: str) -> dict[str, Any]: ...
        def _params(self, request: Request) -> dict[str, Any]: ...
        def _get(
            self, table: dict[str, dict[str, Any]], object_id: str, *, field: str | None = None
        ) -> dict[str, Any]: ...
        def set_custom_field(self, card_id: str, field_id: str, value: Any) -> dict[str, Any]: ...

    def post_card(self, request: Request) -> Any:
        """POST /cards: name, desc, idList, due, start, dueComplete, idMembers, idLabels, pos, urlSource, mimeType."""
        p = self._params(request)
        if not p.get("idList"):
            raise ApiError(400, "invalid value for idList")
        lst = self._get(self.state.lists, str(p["idList"]), field="idList")
        url = p.get("urlSource")
        if url not in (None, "") and not _is_link(url):
            raise ApiError(400, "invalid value for urlSource")
        source = (
            self._get(self.state.cards, str(p["idCardSource"]), field="idCardSource") if p.get("idCardSource") else None
        )
        p = {**_copied(source, p, lst["idBoard"]), **p} if source else p
        member = request.environ["trello.member"]
        card = self.state.add_card(
            lst,
            member,
            name=str(p.get("name") or ""),
            desc=str(p.get("desc") or ""),
            due=self._when(p, "due"),
            start=self._when(p, "start"),
            id_members=self._members_of(p.get("idMembers")),
            id_labels=self._labels_of(p.get("idLabels"), lst["idBoard"]),
            pos=p.get("pos"),
            due_complete=as_bool(p.get("dueComplete", False)),
        )
        if source is not None:
            self._copy_parts(source, card, _keep(p.get("keepFromSource")), member)
        if url:  # "The URL will be attached to the card upon creation."
            self._attach(card, str(url), str(url), str(p.get("mimeType") or ""), member)
        return self.state.card_json(card)

    def _copy_parts(self, source: dict[str, Any], card: dict[str, Any], keep: set[str], member: str) -> None:
        """What keepFromSource asks for beyond plain fields: attachments, checklists, custom fields, comments."""
        if "attachments" in keep:
            for a in source["attachments"]:
                self._attach(card, a["url"], a["name"], a["mimeType"], member)
        if "checklists" in keep:
            for cid in source["idChecklists"]:
                original = self.state.checklists[cid]
                copy = self.state.add_checklist(card, original["name"], original["pos"])
                copy["checkItems"] = [
                    dict(i, id=self.state.new_id(), idChecklist=copy["id"]) for i in original["checkItems"]
                ]
        if "customFields" in keep and source["idBoard"] == card["idBoard"]:
            card["customFieldItems"] = [
                dict(i, id=self.state.new_id(), idModel=card["id"]) for i in source["customFieldItems"]
            ]
        if "comments" in keep:  # copies are copyCommentCard actions, as py-trello's fetch_comments expects
            board, lst = self.state.boards[card["idBoard"]], self.state.lists[card["idList"]]
            for action in [
                a
                for a in self.state.actions
                if a["type"] == "commentCard" and a["data"].get("card", {}).get("id") == source["id"]
            ]:
                author = action["idMemberCreator"]
                self.state.log_action(
                    "copyCommentCard",
                    author,
                    board=board,
                    lst=lst,
                    card=card,
                    extra={"text": action["data"]["text"], "idOriginalCommenter": author},
                )

    def get_card(self, request: Request, cid: str) -> Any:
        """GET /cards/{id}?fields=&attachments=&checklists=&customFieldItems=."""
        return self._card_view(self._card(cid), request)

    def put_card(self, request: Request, cid: str) -> Any:
        """PUT /cards/{id}: name, desc, idList, closed, due, start, dueComplete, idMembers, idLabels, pos."""
        return self._update_card(self._card(cid), self._params(request), request.environ["trello.member"])

    def put_card_field(self, request: Request, cid: str, field: str) -> Any:
        """PUT /cards/{id}/{field} with `value` (py-trello's change_list, set_closed, ...)."""
        if field not in _CARD_FIELDS:
            raise ApiError(404, f"Cannot PUT {request.path}")
        p = self._params(request)
        if "value" not in p:
            raise ApiError(400, "invalid value for value")
        return self._update_card(self._card(cid), {field: p["value"]}, request.environ["trello.member"])

    def get_card_plugin_data(self, request: Request, cid: str) -> Any:
        """GET /cards/{id}/pluginData: no Power-Ups here."""
        self._card(cid)
        return []

    def _update_card(self, card: dict[str, Any], p: dict[str, Any], member: str) -> Any:
        before_list = self.state.lists[card["idList"]]
        old: dict[str, Any] = {}
        if "idList" in p and p["idList"] != card["idList"]:
            lst = self._get(self.state.lists, str(p["idList"]), field="idList")
            old["idList"] = card["idList"]
            card["idList"], card["idBoard"] = lst["id"], lst["idBoard"]
        if "name" in p:
            text_param(p, "name")
        for key in ("name", "desc"):
            if key in p and p[key] != card[key]:
                old[key], card[key] = card[key], str(p[key] or "")
        for key in ("closed", "dueComplete"):
            if key in p and as_bool(p[key]) != card[key]:
                old[key], card[key] = card[key], as_bool(p[key])
        for key in ("due", "start"):
            if key in p:
                old[key], card[key] = card[key], self._when(p, key)
        if "idMembers" in p:
            old["idMembers"], card["idMembers"] = card["idMembers"], self._members_of(p["idMembers"])
        if "idLabels" in p:
            old["idLabels"], card["idLabels"] = card["idLabels"], self._labels_of(p["idLabels"], card["idBoard"])
        if "pos" in p:
            old["pos"] = card["pos"]
            card["pos"] = self.state._pos(
                p["pos"], [c["pos"] for c in self.state.cards.values() if c["idList"] == card["idList"]]
            )
        if old:
            self._touch(card, member, old, before_list)
        return self.state.card_json(card)

    def delete_card(self, request: Request, cid: str) -> Any:
        """DELETE /cards/{id}."""
        card = self._card(cid)
        del self.state.cards[card["id"]]
        self.state.log_action(
            "deleteCard",
            request.environ["trello.member"],
            board=self.state.boards[card["idBoard"]],
            lst=self.state.lists[card["idList"]],
            extra={"card": {"id": card["id"], "idShort": card["idShort"]}},
        )
        return {"limits": {}}

    def get_card_attachments(self, request: Request, cid: str) -> Any:
        """GET /cards/{id}/attachments."""
        return [dict(a) for a in self._card(cid)["attachments"]]

    def post_card_attachment(self, request: Request, cid: str) -> Any:
        """POST /cards/{id}/attachments: url, name (links only; no file uploads)."""
        card, p = self._card(cid), self._params(request)
        url = p.get("url")
        if not _is_link(url):
            raise ApiError(400, "invalid value for url")
        return self._attach(
            card, str(url), str(p.get("name") or url), str(p.get("mimeType") or ""), request.environ["trello.member"]
        )

    def _attach(self, card: dict[str, Any], url: str, name: str, mime: str, member: str) -> dict[str, Any]:
        """A link attachment, logged as addAttachmentToCard (POST attachments and urlSource share it)."""
        attachment: dict[str, Any] = {
            "id": self.state.new_id(),
            "bytes": None,
            "date": iso(self.state.now()),
            "edgeColor": None,
            "idMember": member,
            "isUpload": False,
            "mimeType": mime,
            "name": name,
            "previews": [],
            "url": url,
            "pos": float(16384 * (len(card["attachments"]) + 1)),
            "fileName": None,
        }
        card["attachments"].append(attachment)
        self._touch(
            card,
            member,
            None,
            None,
            kind="addAttachmentToCard",
            extra={"attachment": {"id": attachment["id"], "name": attachment["name"], "url": url}},
        )
        return dict(attachment)

    def get_card_custom_field_items(self, request: Request, cid: str) -> Any:
        """GET /cards/{id}/customFieldItems."""
        return [dict(i) for i in self._card(cid)["customFieldItems"]]

    def put_card_custom_field(self, request: Request, cid: str, fid: str) -> Any:
        """PUT /cards/{id}/customField/{idCustomField}/item: value or idValue."""
        card, p = self._card(cid), self._params(request)
        field = self._get(self.state.custom_fields, fid)
        return self.set_custom_field(card["id"], field["id"], p.get("idValue") or p.get("value"))

    def _card(self, cid: str) -> dict[str, Any]:
        for card in self.state.cards.values() if len(cid) == 8 else ():
            if card["shortLink"] == cid:
                return card
        return self._get(self.state.cards, cid)

    def _card_view(self, card: dict[str, Any], request: Request) -> dict[str, Any]:
        view = self.state.card_json(card, as_fields(request.args.get("fields")))
        if as_bool(request.args.get("attachments", False)):
            view["attachments"] = [dict(a) for a in card["attachments"]]
        if request.args.get("checklists", "none") != "none":
            view["checklists"] = [self.state.checklist_json(self.state.checklists[c]) for c in card["idChecklists"]]
        if as_bool(request.args.get("customFieldItems", False)):
            view["customFieldItems"] = [dict(i) for i in card["customFieldItems"]]
        return view

    def _when(self, p: dict[str, Any], key: str) -> Any:
        try:
            return parse_when(p.get(key))
        except ValueError:
            raise ApiError(400, f"invalid value for {key}") from None

    def _members_of(self, value: Any) -> list[str]:
        ids = as_ids(value)
        for mid in ids:
            if mid not in self.state.members:
                raise ApiError(400, "invalid value for idMembers")
        return ids

    def _labels_of(self, value: Any, board_id: str) -> list[str]:
        ids = as_ids(value)
        for lid in ids:
            label = self.state.labels.get(lid)
            if label is None or label["idBoard"] != board_id:
                raise ApiError(400, "invalid value for idLabels")
        return ids

    def _touch(
        self,
        card: dict[str, Any],
        member: str,
        old: dict[str, Any] | None,
        before_list: dict[str, Any] | None,
        *,
        kind: str = "updateCard",
        extra: dict[str, Any] | None = None,
    ) -> None:
        """Bump dateLastActivity and log the action (updateCard carries `old` and list moves)."""
        card["dateLastActivity"] = self.state.now()
        board, lst = self.state.boards[card["idBoard"]], self.state.lists[card["idList"]]
        data = dict(extra or {})
        if old is not None:
            data["old"] = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in old.items()}
        if old and "idList" in old and before_list is not None:
            data["listBefore"] = {"id": before_list["id"], "name": before_list["name"]}
            data["listAfter"] = {"id": lst["id"], "name": lst["name"]}
        action = self.state.log_action(kind, member, board=board, lst=lst, card=card, extra=data)
        if old:
            action["data"]["card"].update({k: self.state.card_json(card).get(k) for k in old})
