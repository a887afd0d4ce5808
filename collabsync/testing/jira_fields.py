"""Field selection and expansion of the Jira emulator: `fields=` lists and `expand=names,schema`.

One place decides which fields an issue is rendered with, so GET issue, /search/jql, the old
/search and bulkfetch agree on `*all`, `*navigable`, plain ids and `-id` exclusions.
"""

from __future__ import annotations

from typing import Any

__all__ = ["expand_list", "field_list", "field_schema", "wanted_fields"]


def field_list(values: Any) -> list[str]:
    """A `fields`/`expand` value as sent (repeated params, comma lists or a JSON array) as a flat list."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, (list, tuple)):
        return []
    return [f.strip() for v in values for f in str(v).split(",") if f.strip()]


def expand_list(values: Any) -> set[str]:
    """The expand options asked for, lower-cased for comparison."""
    return {e.lower() for e in field_list(values)}


#: fields that only `*all` or their own id bring (Jira marks them not navigable)
NOT_NAVIGABLE = frozenset({"comment"})


def wanted_fields(fields: list[str], known: set[str], default: str) -> set[str] | None:
    """Field ids to render: None means all; an empty set means none (id only).

    `default` is what an empty list or a list of only exclusions starts from: "*all" (GET issue),
    "*navigable" (old search, bulkfetch) or "id" (/search/jql), as the reference pages say.
    """
    includes = [f for f in fields if not f.startswith("-")]
    excludes = {f[1:] for f in fields if f.startswith("-")}
    if not includes:  # "-description" alone: everything the page would list by default, but that
        includes = ["*all" if default == "*all" else "*navigable" if excludes else default]
    wanted: set[str] = set()
    for f in includes:
        if f in ("*all", "*navigable"):
            wanted |= known | (NOT_NAVIGABLE if f == "*all" else set())
        elif f in known or f in NOT_NAVIGABLE:
            wanted.add(f)
    if not excludes and wanted == known | NOT_NAVIGABLE:
        return None
    return wanted - excludes


def field_schema(fid: str, custom: bool, ftype: str, key: str) -> dict[str, Any]:
    """The `schema` of one field as /field and `expand=schema` show it."""
    schema: dict[str, Any] = {"type": ftype}
    if custom:
        schema.update({"custom": key, "customId": int(fid.split("_")[1])})
        if ftype == "array":
            schema["items"] = "option"
    else:
        schema["system"] = key
        if ftype == "array":
            schema["items"] = "string" if fid == "labels" else "issuelinks"
    return schema


#: fields whose value is a list: they take add/remove as well as set in an `update`
ARRAY_FIELDS = {"labels", "components", "fixVersions", "versions"}
ARRAY_CUSTOM_FIELDS = {"customfield_10021"}  # Flagged, a multi-checkbox


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return any(a.get(k) is not None and a.get(k) == b.get(k) for k in ("id", "value", "name", "key"))
    return bool(a == b)


def update_to_fields(
    update: Any, fields: dict[str, Any], current: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Fold PUT /issue `update` verbs (set/add/remove) into `fields` values, with per-field errors."""
    out: dict[str, Any] = dict(fields)
    errors: dict[str, str] = {}
    if update in (None, {}):
        return out, errors
    if not isinstance(update, dict):
        return out, {"update": "The 'update' property must be an object of field names to operation lists."}
    for name, ops in update.items():
        if name in fields:
            errors[name] = f"Field '{name}' cannot be set in both 'fields' and 'update'."
            continue
        if not isinstance(ops, list) or not all(isinstance(op, dict) and len(op) == 1 for op in ops):
            errors[name] = f"Field '{name}': each operation must be an object with one verb (set, add, remove)."
            continue
        is_array = name in ARRAY_FIELDS or name in ARRAY_CUSTOM_FIELDS
        value: Any = list(current.get(name) or []) if is_array else current.get(name)
        for op in ops:
            verb, arg = next(iter(op.items()))
            if verb == "set":
                value = list(arg) if is_array and isinstance(arg, list) else arg
                if name == "parent" and isinstance(arg, dict) and arg.get("none") is True:
                    value = None
            elif verb in ("add", "remove") and is_array:
                if verb == "add" and not any(_same(v, arg) for v in value):
                    value.append(arg)
                if verb == "remove":
                    value = [v for v in value if not _same(v, arg)]
            else:
                errors[name] = f"Field '{name}' does not support operation '{verb}'."
                break
        else:
            out[name] = value
    return out, errors


def expansions(expand: set[str], field_ids: list[str], table: list[tuple[str, str, bool, str, str]]) -> dict[str, Any]:
    """`names` and `schema` for the rendered field ids when `expand` asks for them."""
    if "names" not in expand and "schema" not in expand:
        return {}
    rows = {row[0]: row for row in table}
    out: dict[str, Any] = {}
    if "names" in expand:
        out["names"] = {fid: rows[fid][1] for fid in field_ids if fid in rows}
    if "schema" in expand:
        out["schema"] = {fid: field_schema(rows[fid][0], *rows[fid][2:]) for fid in field_ids if fid in rows}
    return out
