"""The Asana emulator's HTTP plumbing: request bodies, representations with opt_fields, paging, batch."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from .asana_store import (
    HELP,
    AsanaStore,
    FieldTree,
    compact,
    decode_offset,
    encode_offset,
    parse_opt_fields,
    select_fields,
)
from .core import WRITE_METHODS, ApiError, json_response

__all__ = ["AsanaHttpMixin", "PREFIX", "error_body", "resource_path"]

PREFIX = "/api/1.0"
MAX_BATCH = 10
_COMPACT_KEYS = ("gid", "resource_type", "name")
_COMPACT_BY_KIND = {  # the spec's *Compact schemas, where they are not gid + resource_type + name
    "task": (*_COMPACT_KEYS, "resource_subtype"),
    "story": ("gid", "resource_type", "created_at", "created_by", "resource_subtype", "text"),
    "status_update": ("gid", "resource_type", "title", "resource_subtype"),
}
_FULL_IN_LISTS = frozenset({"custom_field", "custom_field_setting"})  # the spec lists *Response items
_NOT_COMPACTED = frozenset({"custom_field_settings", "enum_options"})  # shown whole by default
_COLLECTIONS = {"story": "stories", "status_update": "status_updates"}
_BATCH_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"})
_QUERY_OPTIONS = frozenset({"opt_fields", "opt_pretty", "opt_expand", "limit", "offset"})


def resource_path(kind: str, gid: str) -> str:
    """Where a created object lives, relative to the API base (the Location of a 201)."""
    return f"/{_COLLECTIONS.get(kind, kind + 's')}/{gid}"


def error_body(message: str, **extra: Any) -> dict[str, Any]:
    """Asana's error envelope."""
    return {"errors": [{"message": message, "help": HELP, **extra}]}


class AsanaHttpMixin:
    """Shared by every route handler of AsanaEmulator."""

    store: AsanaStore
    base_url: str
    root_url: str
    _server: Any
    _url_map: Any

    # -- request helpers -------------------------------------------------------------------------------
    def _me(self, request: Request) -> str:
        return request.environ["asana.user"]

    def _payload(self, request: Request) -> dict[str, Any]:
        """The JSON body, parsed once per request ({} for a bodiless GET or DELETE)."""
        cached = request.environ.get("asana.payload")
        if cached is not None:
            return cached
        try:
            payload = json.loads(request.get_data(as_text=True) or "{}")
        except json.JSONDecodeError:
            raise ApiError(400, "Could not parse request data, invalid JSON") from None
        if not isinstance(payload, dict):
            raise ApiError(400, "Request data must be a JSON object with a data envelope")
        request.environ["asana.payload"] = payload
        return payload

    def _data(self, request: Request) -> dict[str, Any]:
        data = self._payload(request).get("data")
        if not isinstance(data, dict):
            raise ApiError(400, "data: Missing input")
        return data

    def _field_tree(self, request: Request) -> FieldTree | None:
        """opt_fields from the query or, as documented for JSON bodies, from ``options.fields``."""
        raw = request.args.get("opt_fields")
        if raw is None and request.method in WRITE_METHODS:
            options = self._payload(request).get("options")
            fields = options.get("fields") if isinstance(options, dict) else None
            if isinstance(fields, list):
                raw = ",".join(str(f) for f in fields)
            elif isinstance(fields, str):
                raw = fields
        return parse_opt_fields(raw)

    def _one(self, request: Request, kind: str, gid: str, status: int = 200) -> Any:
        full = self.store.full(kind, gid, self.base_url)
        tree = self._field_tree(request)
        if tree is None:
            rep = {
                k: compact(v) if isinstance(v, (dict, list)) and k not in _NOT_COMPACTED else v for k, v in full.items()
            }
            if kind == "task":
                rep["custom_fields"] = full["custom_fields"]
        else:
            rep = select_fields(full, tree, kind.capitalize())
        if status != 201:
            return {"data": rep} if status == 200 else json_response({"data": rep}, status)
        return json_response({"data": rep}, 201, {"Location": self.base_url + resource_path(kind, gid)})

    def _list(self, request: Request, kind: str, gids: list[str], listing: str) -> dict[str, Any]:
        """A list with Asana's paging: all items without `limit`, pages and next_page with it."""
        limit_raw, offset = request.args.get("limit"), request.args.get("offset")
        paged = limit_raw is not None or offset is not None
        start, limit = 0, len(gids)
        if paged:
            try:
                limit = int(limit_raw) if limit_raw is not None else 100
            except ValueError:
                raise ApiError(400, "limit: Must be between 1 and 100") from None
            if not 1 <= limit <= 100:
                raise ApiError(400, "limit: Must be between 1 and 100")
            start = decode_offset(offset, listing) if offset else 0
        chunk = gids[start : start + limit]
        tree = self._field_tree(request)
        items = []
        for gid in chunk:
            full = self.store.full(kind, gid, self.base_url)
            if tree is not None:
                items.append(select_fields(full, tree, kind.capitalize()))
            elif kind in _FULL_IN_LISTS:
                items.append(full)
            else:
                keys = _COMPACT_BY_KIND.get(kind, _COMPACT_KEYS)
                items.append({k: compact(full[k]) for k in keys if k in full})
        body: dict[str, Any] = {"data": items}
        if paged:
            body["next_page"] = None
            if start + limit < len(gids):
                token = encode_offset(listing, start + limit)
                query = [(k, v) for k, v in request.args.items(multi=True) if k != "offset"]
                query.append(("offset", token))
                path = request.path.removeprefix(PREFIX) + "?" + urlencode(query, safe=",")
                body["next_page"] = {"offset": token, "path": path, "uri": self.base_url + path}
        return body

    # -- batch --------------------------------------------------------------------------------------
    def batch(self, request: Request) -> Any:
        actions = self._data(request).get("actions")
        if not isinstance(actions, list) or not actions:
            raise ApiError(400, "actions: Missing input")
        if len(actions) > MAX_BATCH:
            raise ApiError(400, f"actions: Too many actions; a batch request may contain at most {MAX_BATCH} actions")
        return {"data": [self._run_action(request, a) for a in actions]}

    def _run_action(self, request: Request, action: Any) -> dict[str, Any]:
        """Run one action through the routing table, as its own request with its own status."""
        if not isinstance(action, dict) or not action.get("relative_path") or not action.get("method"):
            return _action_result(400, error_body("relative_path and method are required"))
        method = str(action["method"]).upper()
        path = str(action["relative_path"])
        if method not in _BATCH_METHODS:
            return _action_result(400, error_body(f"method: Not a valid HTTP method: {action['method']}"))
        if "?" in path:
            return _action_result(
                400, error_body("relative_path: Query parameters are not accepted here; put them in data instead")
            )
        data = action.get("data") or {}
        options = action.get("options") or {}
        if not isinstance(data, dict) or not isinstance(options, dict):
            return _action_result(400, error_body("data and options must be JSON objects"))
        args: list[tuple[str, str]] = []
        if method in ("GET", "HEAD"):  # a read's query parameters travel in data, as documented
            misplaced = sorted(_QUERY_OPTIONS & set(data))
            if misplaced:
                return _action_result(
                    400,
                    error_body(
                        f"data: Options and pagination are not accepted here; put {', '.join(misplaced)} in options"
                    ),
                )
            args += [(k, _query_value(v)) for k, v in data.items()]
        fields = options.get("fields")
        if fields:
            args.append(("opt_fields", ",".join(fields) if isinstance(fields, list) else str(fields)))
        for key in ("limit", "offset"):
            if key in options:
                args.append((key, str(options[key])))
        builder = EnvironBuilder(
            path=PREFIX + path,
            method=method,
            query_string=MultiDict(args),
            json={"data": data} if method in WRITE_METHODS else None,
            base_url=self.root_url if self._server else "http://127.0.0.1",
        )
        try:
            sub = builder.get_request()
        except (UnicodeError, ValueError) as err:  # e.g. a lone surrogate cannot go into a query string
            return _action_result(400, error_body(f"data: Not a valid query parameter value: {type(err).__name__}"))
        sub.environ["asana.user"] = request.environ["asana.user"]
        try:
            endpoint, params = self._url_map.bind_to_environ(sub.environ).match()
        except Exception:
            return _action_result(404, error_body("No matching route for request"))
        if endpoint == "batch":
            return _action_result(400, error_body("Nested batch requests are not allowed"))
        try:
            result = getattr(self, endpoint)(sub, **params)
        except ApiError as err:
            return _action_result(err.status, error_body(err.message))
        if isinstance(result, Response):
            location = result.headers.get("Location")
            headers = {"location": location.removeprefix(self.base_url)} if location else {}
            return _action_result(result.status_code, json.loads(result.get_data(as_text=True)), headers)
        return _action_result(200, result)


def _query_value(value: Any) -> str:
    """A JSON value as it would be written in a query string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(map(str, value))
    return str(value)


def _action_result(status: int, body: Any, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return {"status_code": status, "headers": headers or {}, "body": body}
