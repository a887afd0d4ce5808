"""Trello's published OpenAPI file as the emulator tests use it: errata, our own response schemas, known deviations.

One place for what the file gets wrong or leaves out, read by the fidelity tests and the schemathesis run;
docs/emulators-trello.md explains each entry.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from collabsync.testing.trello import TrelloEmulator

_ARRAY = "array"


def _items(name: str) -> dict[str, Any]:
    return {"type": _ARRAY, "items": {"$ref": f"#/components/schemas/{name}"}}


def _one(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


#: Routes the file leaves without a 200 schema (or with a wrong one): ours, built from the file's own components.
OWN_SCHEMAS: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/boards/"): _one("Board"),
    ("put", "/boards/{id}"): _one("Board"),
    ("get", "/boards/{id}/cards"): _items("Card"),
    ("get", "/boards/{id}/cards/{filter}"): _items("Card"),
    ("get", "/boards/{id}/lists/{filter}"): _items("TrelloList"),
    ("get", "/boards/{id}/labels"): _items("Label"),
    ("post", "/boards/{id}/labels"): _one("Label"),
    ("get", "/boards/{id}/checklists"): _items("Checklist"),
    ("get", "/boards/{id}/members"): _items("Member"),
    ("put", "/boards/{id}/members/{idMember}"): _one("Board"),
    ("post", "/labels"): _one("Label"),
    ("get", "/labels/{id}"): _one("Label"),
    ("post", "/lists"): _one("TrelloList"),
    ("get", "/lists/{id}"): _one("TrelloList"),
    ("put", "/lists/{id}"): _one("TrelloList"),
    ("post", "/checklists"): _one("Checklist"),
    ("get", "/checklists/{id}"): _one("Checklist"),
    ("post", "/cards/{id}/checklists"): _one("Checklist"),
    ("get", "/cards/{id}/checklists"): _items("Checklist"),
    ("post", "/checklists/{id}/checkItems"): _one("CheckItem"),
    ("get", "/cards/{id}/members"): _items("Member"),
    ("post", "/cards/{id}/idMembers"): _items("Member"),
    ("delete", "/cards/{id}/idMembers/{idMember}"): _items("Member"),
    ("post", "/cards/{id}/idLabels"): {"type": _ARRAY, "items": _one("TrelloID")},
    ("get", "/actions/{id}"): _one("Action"),
    ("put", "/actions/{id}"): _one("Action"),
    ("put", "/cards/{id}/actions/{idAction}/comments"): _one("Action"),
    ("get", "/boards/{boardId}/actions"): _items("Action"),
    ("get", "/batch"): {
        "type": _ARRAY,
        "items": {
            "type": "object",
            "minProperties": 1,
            "maxProperties": 1,
            "propertyNames": {"pattern": "^[1-5][0-9][0-9]$"},
        },
    },
    # The file says POST /cards/{id}/attachments answers an array; Trello answers the one attachment.
    ("post", "/cards/{id}/attachments"): _one("Attachment"),
    # The file's Memberships is one object with an id; the route answers an array of memberships.
    ("get", "/boards/{id}/memberships"): _items("BoardMembership"),
}

#: What py-trello's from_json reads without .get(): a response lacking these breaks the SDK.
REQUIRED = {
    "Card": [
        "id",
        "name",
        "dueComplete",
        "closed",
        "url",
        "pos",
        "shortUrl",
        "idMembers",
        "idLabels",
        "idBoard",
        "idList",
        "idShort",
        "badges",
        "idChecklists",
        "labels",
        "dateLastActivity",
    ],
    "Board": ["id", "name", "closed", "url"],
    "TrelloList": ["id", "name", "closed", "pos"],
    "Label": ["id", "name", "color"],
    "Checklist": ["id", "name", "checkItems"],
    "CheckItem": ["id", "name", "state"],
    "Attachment": ["id", "name", "url"],
    "Member": ["id", "fullName"],
}

#: Where the emulator knowingly differs from the published file, with the reason. Keys: (method, route or topic).
KNOWN_DEVIATIONS: dict[tuple[str, str], str] = {
    ("post", "/cards/{cid}/members"): "served though not in the file: py-trello 0.20.1's card.assign posts here; "
    "same handler as POST /cards/{id}/idMembers",
    ("put", "/cards/{cid}/{field}"): "served though not in the file: py-trello's single-field setters "
    "(change_list, set_closed, set_due...) PUT /cards/{id}/{field} with `value`",
    ("*", "4xx responses"): "the file documents only 200; Trello answers refusals in plain text "
    "(`invalid id`, `invalid value for <param>`, `The requested resource was not found.`, "
    "`unauthorized permission requested`): added as text/plain 400/401/404 to every route",
    ("*", "errata"): "Card.labels holds Label objects, Card.start exists, Board.idOrganization and "
    "TrelloList.softLimit may be null, permissionLevel includes org/public, Checklist and "
    "CheckItem have their documented fields, Memberships is an array, date* timestamps are "
    "date-times not dates, Member.email is null for others, Board.memberships is an array of "
    "membership objects (the file says string): patched in errata()",
    ("post", "/cards fileSource"): "not emulated: no file uploads, only URL attachments (urlSource, url)",
    ("post", "/cards keepFromSource=stickers"): "accepted and ignored: the emulator has no stickers",
    ("*", "nested resources"): "only the nested resources our callers use are served (cards/lists on boards, "
    "attachments/checklists/customFieldItems on cards); others are ignored",
    ("*", "non-members"): "any valid token may read and write every board; only observers are refused writes",
}


def errata(comps: dict[str, Any]) -> None:
    """Patch the published file's components where they contradict the real API (see KNOWN_DEVIATIONS)."""
    comps["Card"]["properties"]["labels"]["items"] = _one("Label")
    comps["Card"]["properties"]["start"] = {"type": "string", "nullable": True}
    comps["Board"]["properties"]["idOrganization"] = {"$ref": "#/components/schemas/TrelloID", "nullable": True}
    comps["Prefs"]["properties"]["permissionLevel"]["enum"] = ["private", "org", "public", "board"]
    comps["Checklist"]["properties"].update(
        {
            "name": {"type": "string"},
            "idCard": _one("TrelloID"),
            "idBoard": _one("TrelloID"),
            "pos": {"type": "number"},
            "checkItems": _items("CheckItem"),
        }
    )
    comps["TrelloList"]["properties"]["softLimit"] = {"type": "string", "nullable": True}
    comps["CheckItem"]["properties"]["pos"] = {"type": "number"}
    for schema in comps.values():  # timestamps are documented as `date` but are ISO date-times (...T..:..:...sssZ)
        _dates_are_datetimes(schema)
    comps["BoardMembership"] = {  # not in the file: the objects of Board.memberships and GET .../memberships
        "type": "object",
        "required": ["id", "idMember", "memberType"],
        "properties": {
            "id": _one("TrelloID"),
            "idMember": _one("TrelloID"),
            "memberType": {"enum": ["admin", "normal", "observer"]},
            "unconfirmed": {"type": "boolean"},
            "deactivated": {"type": "boolean"},
            "member": _one("Member"),
            "orgMemberType": {"type": "string", "nullable": True},
        },
    }
    comps["Board"]["properties"]["memberships"] = _items("BoardMembership")  # the file says string
    comps["Board"]["properties"]["members"] = _items("Member")
    member = comps["Member"]["properties"]
    member["email"] = {"type": "string", "nullable": True}  # null for anyone but the token's member
    for key in ("idBoards", "idOrganizations"):
        member[key] = {"type": _ARRAY, "items": _one("TrelloID")}


def _dates_are_datetimes(schema: dict[str, Any]) -> None:
    """date*/due/start properties, at any depth, as `date-time` (Trello answers 2026-12-01T00:00:00.000Z)."""
    for name, prop in schema.get("properties", {}).items():
        if not isinstance(prop, dict):
            continue
        if prop.get("format") == "date" and (name.startswith("date") or name in ("due", "start")):
            prop["format"] = "date-time"
        _dates_are_datetimes(prop)


def to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 `nullable` to JSON Schema (anyOf with null); $ref siblings stay ignored (draft 7)."""
    if isinstance(node, list):
        return [to_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: to_json_schema(v) for k, v in node.items() if k not in ("nullable", "example", "description")}
    if node.get("nullable") is True:
        return {"anyOf": [out, {"type": "null"}]}
    return out


def response_schema(spec: dict[str, Any], method: str, path: str) -> dict[str, Any] | None:
    """The file's own 200 JSON schema of an operation, if it gives one."""
    op = spec["paths"].get(path, {}).get(method, {})
    return op.get("responses", {}).get("200", {}).get("content", {}).get("application/json", {}).get("schema")


def served_operations(spec: dict[str, Any]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(spec operations the emulator serves, served routes the file lacks), from the emulator's own route table."""
    served, missing = [], []
    for rule in TrelloEmulator().rules:
        path = rule.rule[len("/1") :]
        pattern = re.compile("^" + re.sub(r"<[^>]+>", r"\\{[^}]+\\}", path) + "/?$")
        for method in sorted(m.lower() for m in rule.methods or () if m not in ("HEAD", "OPTIONS")):
            hits = [p for p in spec["paths"] if pattern.match(p) and method in spec["paths"][p]]
            if hits:
                served.extend((method, p) for p in hits if (method, p) not in served)
            else:
                missing.append((method, re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path)))
    return served, missing


def patched_spec(spec: dict[str, Any], ids: dict[str, list[str]]) -> dict[str, Any]:
    """The file cut down to the served operations, errata applied, our schemas and plain-text 4xx added.

    Path parameters and id-valued query parameters are pinned to `ids[kind]` (seeded ids plus malformed
    and unknown ones) so generated requests reach real objects as well as refusals.
    """
    out = copy.deepcopy(spec)
    errata(out["components"]["schemas"])
    served, _ = served_operations(spec)
    paths: dict[str, Any] = {}
    for method, path in served:
        item = paths.setdefault(path, {k: v for k, v in out["paths"][path].items() if k == "parameters"})
        op = copy.deepcopy(out["paths"][path][method])
        schema = OWN_SCHEMAS.get((method, path)) or response_schema(spec, method, path)
        ok = (
            {"description": "Success", "content": {"application/json": {"schema": schema}}}
            if schema
            else {"description": "Success"}
        )
        text = {"content": {"text/plain": {"schema": {"type": "string"}}}}
        op["responses"] = {
            "200": ok,
            **{
                code: {"description": why, **text}
                for code, why in (("400", "invalid id or parameter"), ("401", "unauthorized"), ("404", "not found"))
            },
        }
        for param in op.get("parameters", []) + item.get("parameters", []):
            kind = (
                _query_kind(path, param["name"])
                if param.get("in") == "query"
                else _kind(path, param["name"])
                if param.get("in") == "path" and param["name"] != "filter"
                else None
            )
            if kind is not None:
                param["schema"] = {"type": "string", "enum": ids[kind]}
        item[method] = op
    out["paths"] = paths
    return out


_KIND_BY_NAME = {
    "idMember": "member",
    "idAction": "comment",
    "idLabel": "label",
    "idCustomField": "field",
    "idCard": "card",
    "boardId": "board",
}
_KIND_BY_SEGMENT = {
    "members": "member",
    "organizations": "org",
    "boards": "board",
    "lists": "list",
    "cards": "card",
    "checklists": "checklist",
    "labels": "label",
    "actions": "comment",
}


_QUERY_KINDS = {
    "idList": "list",
    "idBoard": "board",
    "idCard": "card",
    "idOrganization": "org",
    "idChecklistSource": "checklist",
    "idCardSource": "card",
}


def _query_kind(path: str, name: str) -> str | None:
    """Which seeded object a query parameter names, if any (`value` of idMembers/idLabels routes too)."""
    if name == "value" and path.endswith(("/idMembers", "/idLabels")):
        return "member" if path.endswith("/idMembers") else "label"
    return _QUERY_KINDS.get(name)


def _kind(path: str, name: str) -> str:
    """Which seeded object a path parameter names: by its name, else by the segment before it."""
    if name in _KIND_BY_NAME:
        return _KIND_BY_NAME[name]
    parts = path.strip("/").split("/")
    return _KIND_BY_SEGMENT[parts[parts.index("{" + name + "}") - 1]]
