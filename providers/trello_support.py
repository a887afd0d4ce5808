"""What the Trello adapter needs around py-trello: config schemas, the session, error mapping, mappers.

Kept apart from providers/trello.py so that module holds only the adapter's public behaviour.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import requests
from trello.exceptions import ResourceUnavailable, Unauthorized

from collabsync.errors import AuthError, ConfigError, NotFoundError, ProviderError, RateLimitError, TransportError
from collabsync.http import POLICY_SETTINGS_SCHEMA, error_for_status
from collabsync.model import Status
from collabsync.redact import RedactingFilter, redact

__all__ = [
    "SETTINGS_SCHEMA",
    "DESTINATION_SCHEMA",
    "SDK_BASE",
    "DEFAULT_BASE",
    "DEFAULT_COLUMNS",
    "CARD_FIELDS",
    "rewriting_session_class",
    "sdk_errors",
    "list_status",
    "card_status",
    "parse_date",
    "write_date",
    "dependency_urls",
    "depends_line",
    "short_link",
    "zone",
    "guard_library_logs",
    "STATUS_NAMES",
    "board_ref",
    "batch_body",
]

SDK_BASE = "https://api.trello.com/1"  # hard-coded in py-trello's fetch_json
DEFAULT_BASE = SDK_BASE
DEFAULT_COLUMNS = ("To Do", "Doing", "Blocked", "Done")
#: The card fields a read asks for: enough for a Task, nothing more.
CARD_FIELDS = (
    "name,desc,idList,idLabels,labels,idMembers,due,start,dueComplete,closed,dateLastActivity,url,shortUrl,shortLink"
)
STATUS_NAMES = [s.value for s in Status]

_DEFAULT_BY_NAME = {
    "done": Status.DONE,
    "complete": Status.DONE,
    "completed": Status.DONE,
    "doing": Status.IN_PROGRESS,
    "in progress": Status.IN_PROGRESS,
    "in-progress": Status.IN_PROGRESS,
    "blocked": Status.BLOCKED,
    "cancelled": Status.CANCELLED,
    "canceled": Status.CANCELLED,
    "won't do": Status.CANCELLED,
}
_URL_RE = re.compile(r"https?://[^\s()<>]+")
_CARD_URL_RE = re.compile(r"^https?://(?:www\.)?trello\.com/c/([A-Za-z0-9]+)")
_BOARD_URL_RE = re.compile(r"^https?://(?:www\.)?trello\.com/b/([A-Za-z0-9]+)(?:[/?#]|$)")
_BOARD_REF_RE = re.compile(r"^(?:[0-9a-fA-F]{24}|[A-Za-z0-9]{8})$")

_MODE_KEYS: dict[str, Any] = {
    "mode": {
        "enum": ["columns", "sections"],
        "description": "columns: lists are workflow columns, sections become labels (default); "
        "sections: template sections become lists, status from dueComplete/closed/labels",
    },
    "columns": {
        "type": "array",
        "items": {"type": "string", "minLength": 1},
        "minItems": 1,
        "description": "Lists of a new board in columns mode (default To Do, Doing, Blocked, Done)",
    },
    "status_map": {
        "type": "object",
        "additionalProperties": {"enum": STATUS_NAMES},
        "description": "List name -> status (todo, in_progress, blocked, done, cancelled)",
    },
    "blocked_label": {
        "type": "string",
        "minLength": 1,
        "description": "Label that marks a card blocked (default blocked)",
    },
    "in_progress_label": {
        "type": "string",
        "minLength": 1,
        "description": "sections mode: label that marks a card in progress (default in progress)",
    },
}
SETTINGS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["api_key", "token"],
    "properties": {
        "api_key": {"type": "string", "minLength": 1, "description": "API key (https://trello.com/power-ups/admin)"},
        "token": {"type": "string", "minLength": 1, "description": "API token of the member collabsync acts as"},
        "base_url": {"type": "string", "pattern": "^https?://", "description": "Default https://api.trello.com/1"},
        "timezone": {"type": "string", "description": "IANA zone in which due/start dates are days (default UTC)"},
        "requests_per_10s": {
            "type": "integer",
            "minimum": 1,
            "maximum": 100,
            "description": "Client-side limit per token (default 90; Trello allows 100)",
        },
        **POLICY_SETTINGS_SCHEMA,
        **_MODE_KEYS,
    },
}
DESTINATION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "workspace": {
            "type": "string",
            "minLength": 1,
            "description": "Workspace (organization) id or name: each instance becomes a new board there",
        },
        "board": {
            "type": "string",
            "minLength": 1,
            "description": "Existing board id or short link: each instance becomes a label on it",
        },
        **_MODE_KEYS,
    },
    "not": {"required": ["workspace", "board"]},
}


def rewriting_session_class(base_url: str) -> type[requests.Session]:
    """A requests.Session subclass that sends py-trello's hard-coded api.trello.com URLs to base_url."""
    base = base_url.rstrip("/")

    class TrelloSession(requests.Session):
        """Rewrites the SDK's URL prefix; everything else is requests."""

        def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
            if url.startswith(SDK_BASE) and base != SDK_BASE:
                url = base + url[len(SDK_BASE) :]
            return super().request(method, url, *args, **kwargs)

    return TrelloSession


@contextmanager
def sdk_errors(provider: str, obj: str) -> Iterator[None]:
    """Turn py-trello and requests failures into collabsync errors naming provider, object and cause."""
    try:
        yield
    except (AuthError, NotFoundError, RateLimitError, TransportError, ProviderError):
        raise
    except Unauthorized as exc:
        raise AuthError(provider, obj, _auth_cause(_body(exc)), status=401) from None
    except ResourceUnavailable as exc:
        status, body = int(getattr(exc, "_status", 0) or 0), _body(exc)
        if status == 400 and body.strip().lower() == "invalid id":
            raise NotFoundError(provider, obj, "invalid id (no such object)", status=400) from None
        raise error_for_status(provider, obj, status, body or f"HTTP {status}") from None
    except (json.JSONDecodeError, requests.exceptions.JSONDecodeError):
        raise TransportError(provider, obj, "unreadable response (not JSON)") from None
    except requests.RequestException as exc:
        raise TransportError(provider, obj, redact(type(exc).__name__ + ": " + str(exc))[:300]) from None


def _body(exc: ResourceUnavailable) -> str:
    """The response text py-trello put in its message (it appends ' at <url>')."""
    text = str(getattr(exc, "_msg", "") or "")
    text = text.rsplit(" at http", 1)[0]
    return redact(text.strip())[:300]


def _auth_cause(body: str) -> str:
    low = body.lower()
    if "expired" in low:
        return "token expired; create a new token for this key and set it as the provider's token in the config file"
    if "invalid key" in low:
        return "invalid key (check api_key)"
    if "invalid token" in low:
        return "invalid token (revoked, expired or not made for this key)"
    return body or "unauthorized"


def list_status(name: str, status_map: Mapping[str, str]) -> Status:
    """A list's status: the configured map (case-insensitive), else by name, else todo."""
    wanted = name.strip().lower()
    for key, value in status_map.items():
        if key.strip().lower() == wanted:
            return Status(value)
    return _DEFAULT_BY_NAME.get(wanted, Status.TODO)


def card_status(card: Mapping[str, Any], list_name: str | None, extra: Mapping[str, Any]) -> Status:
    """The neutral status of a card (rules in README-trello.md, "Status")."""
    labels = {str(lb.get("name", "")).lower() for lb in card.get("labels") or []}
    blocked = str(extra.get("blocked_label") or "blocked").lower()
    if extra.get("mode") == "sections":  # no workflow lists: only the in-progress label says more than todo
        in_progress = str(extra.get("in_progress_label") or "in progress").lower() in labels
        by_list = Status.IN_PROGRESS if in_progress else Status.TODO
    else:
        by_list = list_status(list_name or "", extra.get("status_map") or {})
        if by_list is Status.DONE:  # a card in a done list stays done even when archived
            return Status.DONE
    if card.get("closed"):
        return Status.CANCELLED
    if card.get("dueComplete"):
        return Status.DONE
    if blocked in labels:
        return Status.BLOCKED
    return by_list


def zone(name: str | None, config_file: str = "collabsync.toml") -> dt.tzinfo:
    """The configured timezone (UTC by default); a name that is no zone is a ConfigError, never a silent UTC."""
    if not name or name.upper() == "UTC":
        return dt.UTC
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # here: a configured zone is rare (issue 17: start-up)

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        from collabsync.dates import validate_zone

        raise ConfigError.single(config_file, f"timezone: {validate_zone(name)}") from None


def write_date(day: dt.date | None, tz: dt.tzinfo) -> str | None:
    """A day as Trello's datetime: noon in the configured zone, so no viewer sees it shift a day."""
    if day is None:
        return None
    noon = dt.datetime.combine(day, dt.time(12), tzinfo=tz).astimezone(dt.UTC)
    return noon.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def parse_date(value: str | None, tz: dt.tzinfo) -> dt.date | None:
    """Trello's datetime back to the day it falls on in the configured zone."""
    when = parse_datetime(value)
    return when.astimezone(tz).date() if when else None


def parse_datetime(value: str | None) -> dt.datetime | None:
    """An ISO timestamp with a Z."""
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def depends_line(name: str, url: str) -> str:
    """The description line that records an in-Trello dependency (read back by dependency_urls)."""
    return f"Depends on: {name} ({url})"


def dependency_urls(desc: str) -> list[str]:
    """URLs named on `Depends on:` lines of a description, in order."""
    urls: list[str] = []
    for line in (desc or "").splitlines():
        if line.strip().lower().startswith("depends on:"):
            urls.extend(u.rstrip(".,;") for u in _URL_RE.findall(line))
    return urls


def short_link(url: str) -> str | None:
    """The short link of a Trello card URL (stable across renames), or None for other URLs."""
    found = _CARD_URL_RE.search(url or "")
    return found.group(1) if found else None


def board_ref(source: str) -> str:
    """A board id or short link from what `collabsync track` was given (id, short link or board URL)."""
    text = source.strip()
    found = _BOARD_URL_RE.match(text)
    if found:
        return found.group(1)
    if _BOARD_REF_RE.match(text):
        return text
    raise ConfigError.single(
        "track", f"{source!r} is not a Trello board id, short link or https://trello.com/b/<shortLink>/... URL"
    )


def batch_body(provider: str, obj: str, answer: Any) -> Any:
    """The body of one GET /batch answer ({"200": body}); other statuses raise the precise error."""
    if not isinstance(answer, dict) or len(answer) != 1:
        raise TransportError(provider, obj, "unexpected /batch answer shape")
    ((status, body),) = answer.items()
    if str(status) == "200":
        return body
    text = body if isinstance(body, str) else json.dumps(body)[:300]
    if str(status) == "400" and text.strip().lower() == "invalid id":
        raise NotFoundError(provider, obj, "invalid id (no such object)", status=400)
    code = int(status) if str(status).isdigit() else 0
    raise error_for_status(provider, obj, code, redact(text) or f"HTTP {status}")


def guard_library_logs() -> None:
    """Redact records of the libraries that log full request URLs (with key and token in the query).

    Logger filters only see records created on that very logger, so every existing urllib3 and
    requests-cache module logger gets one; call this after those libraries are imported.
    """
    names = [
        n for n in list(logging.root.manager.loggerDict) if n.split(".")[0] in ("urllib3", "requests_cache", "trello")
    ] + ["collabsync.http"]
    for name in names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())


def checklist_gap(checklists: Sequence[Mapping[str, Any]], wanted: Sequence[str]) -> tuple[str | None, list[str]]:
    """The checklist to extend (the first one) and the wanted items no checklist of the card holds yet."""
    have: dict[str, int] = {}
    for checklist in checklists:
        for item in checklist.get("checkItems") or []:
            have[item.get("name", "")] = have.get(item.get("name", ""), 0) + 1
    missing = []
    for item in wanted:  # an item wanted twice must be there twice
        if have.get(item, 0) > 0:
            have[item] -= 1
        else:
            missing.append(item)
    return (str(checklists[0]["id"]) if checklists else None), missing


def attached_pairs(cards: Sequence[Mapping[str, Any]], urls: Mapping[str, str]) -> set[tuple[str, str]]:
    """(card id, linked card ref) for each attachment that points at one of `urls` (ref -> card URL)."""
    by_link = {short_link(url): ref for ref, url in urls.items() if short_link(url)}
    out: set[tuple[str, str]] = set()
    for card in cards:
        for attachment in card.get("attachments") or []:
            other = by_link.get(short_link(attachment.get("url", "")))
            if other and other != card["id"]:
                out.add((str(card["id"]), other))
    return out
