"""Parameter parsing and plain-text answers shared by the Trello emulator's route mixins."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from .core import ApiError

__all__ = ["NOT_FOUND", "as_bool", "as_ids", "as_fields", "bounded_int", "text_param", "text_response"]

NOT_FOUND = "The requested resource was not found."


def as_bool(value: Any) -> bool:
    """Trello booleans arrive as JSON booleans or the strings true/false."""
    return value is True or str(value).lower() in ("true", "1", "yes")


def as_ids(value: Any) -> list[str]:
    """Id lists arrive comma-separated or as JSON arrays."""
    if value in (None, "", "null"):
        return []
    items = value if isinstance(value, list) else str(value).split(",")
    return [str(i).strip() for i in items if str(i).strip()]


def as_fields(value: Any) -> list[str] | None:
    """A `fields` parameter; None means all fields."""
    if value in (None, "", "all"):
        return None
    return as_ids(value)


def text_param(p: dict[str, Any], name: str) -> str:
    """A required non-blank text parameter (names); missing, null or blank is `invalid value for <name>`."""
    value = p.get(name)
    if value is None or not str(value).strip():
        raise ApiError(400, f"invalid value for {name}")
    return str(value).strip()


def bounded_int(value: Any, default: int, name: str, maximum: int) -> int:
    """An integer parameter in 0..maximum; anything else is Trello's 400 `invalid value for <name>`."""
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        raise ApiError(400, f"invalid value for {name}") from None
    if not 0 <= number <= maximum:
        raise ApiError(400, f"invalid value for {name}")
    return number


def text_response(message: str, status: int) -> Response:
    """Trello answers most errors in plain text, not JSON."""
    return Response(message, status=status, content_type="text/plain; charset=utf-8")
