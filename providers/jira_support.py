"""What the Jira adapter needs around the SDK: config schemas, the HTTP session, error mapping, mappers.

Kept apart from providers/jira.py so that module holds only the adapter's public behaviour.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlparse

import requests
from requests.auth import AuthBase

from collabsync.errors import ConfigError, ProviderError, TransportError
from collabsync.http import POLICY_SETTINGS_SCHEMA, error_for_status
from collabsync.model import Status, Task, parse_marker

if TYPE_CHECKING:  # the SDK: loaded by the client, after a read's first requests (issue 17)
    from jira.exceptions import JIRAError

__all__ = [
    "DEFAULT_BLOCKED",
    "DEFAULT_CANCELLED",
    "DEFAULT_IN_FLIGHT",
    "DESTINATION_SCHEMA",
    "SECTION_PREFIX",
    "SETTINGS_SCHEMA",
    "SDK_HEADERS",
    "BearerAuth",
    "JiraTransport",
    "jira_messages",
    "jql_time",
    "label_safe",
    "parse_source",
    "raise_for",
    "sdk_errors",
    "split_order",
    "status_of",
    "to_task",
]

DEFAULT_BLOCKED = ("Blocked", "On Hold")
DEFAULT_CANCELLED = ("Won't Do", "Cancelled")
#: Reads in flight at once: Atlassian limits requests per second, not concurrency (docs/reading.md, "Jira").
DEFAULT_IN_FLIGHT = 10
SECTION_PREFIX = "section-"

_ISSUE_KEYS = {
    "epic_issue_type": {"type": "string", "description": "Issue type of the per-instance container (default Epic)"},
    "issue_type": {"type": "string", "description": "Issue type of tasks (default Task)"},
    "story_points_field": {"type": "string", "description": "Name of the custom field that takes estimates"},
    "start_date_field": {"type": "string", "description": "Name of the custom date field that takes start dates"},
    "labels": {"type": "array", "items": {"type": "string"}, "description": "Extra labels on every task"},
    "field_values": {
        "type": "object",
        "additionalProperties": {"type": ["string", "number"]},
        "description": 'Values for required fields by name, e.g. {Team = "Platform"} (see docs/doctor.md)',
    },
}
SETTINGS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["url"],
    "properties": {
        "url": {"type": "string", "pattern": "^https?://", "description": "Site URL, e.g. https://acme.atlassian.net"},
        "email": {"type": "string", "description": "Cloud: account email (with api_token)"},
        "api_token": {"type": "string", "description": "Cloud: API token (with email)"},
        "token": {"type": "string", "description": "Data Center: personal access token (Bearer)"},
        "deployment": {"enum": ["cloud", "datacenter"], "description": "Skip detection via /serverInfo"},
        "flagged_field": {"type": "string", "description": "Name of the Flagged field (default Flagged)"},
        "blocked_statuses": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Status names read as blocked",
        },
        "cancelled_statuses": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Status names read as cancelled",
        },
        "link_type": {"type": "string", "description": "Issue link type for dependencies (default Blocks)"},
        "page_size": {
            "type": "integer",
            "minimum": 1,
            "maximum": 5000,
            "description": "Search page size (default 100)",
        },
        "max_in_flight": {
            "type": "integer",
            "minimum": 1,
            "maximum": 16,
            "description": "Read requests in flight at once (default 10, see docs/reading.md)",
        },
        "requests_per_second": {
            "type": "integer",
            "minimum": 1,
            "description": "The site's burst limit; collabsync keeps 90% of it (default 100)",
        },
        "status_issue": {
            "type": "string",
            "pattern": "^[A-Z][A-Z0-9_]+-[0-9]+$",
            "description": "Issue that instances tracked by project or JQL get `collabsync publish` on",
        },
        **POLICY_SETTINGS_SCHEMA,
        **_ISSUE_KEYS,
    },
    # no oneOf/anyOf/not here: their messages quote the whole table, secrets included
    "dependentRequired": {"email": ["api_token"], "api_token": ["email"]},
    "if": {"not": {"required": ["token"]}},
    "then": {"required": ["email", "api_token"]},
}
DESTINATION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["project"],
    "properties": {
        "project": {"type": "string", "pattern": "^[A-Z][A-Z0-9_]+$", "description": "Project key"},
        **_ISSUE_KEYS,
    },
}


#: The headers `JIRA(...)` gives its session, in its order: requests' defaults, ResilientSession's Accept, then
#: `JIRA.DEFAULT_OPTIONS["headers"]`. Written out so a read needs no SDK import; a test compares them with the SDK's.
SDK_HEADERS: dict[str, str] = {
    "Accept": "application/json,*/*;q=0.9",
    "Cache-Control": "no-cache",
    "Content-Type": "application/json",
    "X-Atlassian-Token": "no-check",
}


class BearerAuth(AuthBase):
    """The SDK's TokenAuth (Data Center personal access token), for the requests sent before the SDK is loaded."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["authorization"] = f"Bearer {self._token}"
        return r


class JiraTransport(requests.Session):
    """The session under the SDK without its hidden retries and sleeps; collabsync's PolicyMixin retries.

    Until the SDK client exists (a read sends its first requests without it, issue 17) requests go out as plain
    `requests.Session` ones; once `adopt_sdk` ran, each goes through the SDK's own `ResilientSession._jira_prepare`,
    as every SDK call always did. A read's calls (params or json, no headers or data) come out the same either way.
    """

    sdk_prepare: Callable[..., dict[str, Any]] | None = None

    def adopt_sdk(self, sdk_session: requests.Session) -> None:
        """Take the headers, auth and request preparation of the session `JIRA(...)` built for itself."""
        from jira.resilientsession import ResilientSession

        self.take_headers(sdk_session.headers)
        self.auth = sdk_session.auth
        self.sdk_prepare = ResilientSession._jira_prepare

    def take_headers(self, headers: Mapping[str, str | bytes]) -> None:
        """The SDK's headers, less its no-cache one on a cached session (it would defeat the HTTP cache)."""
        self.headers.update(headers)
        if getattr(self, "cache", None) is not None:
            self.headers.pop("Cache-Control", None)

    def request(self, method: str, url: str | bytes, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.pop("_prepare_retry_class", None)
        if self.sdk_prepare is not None:
            kwargs = self.sdk_prepare(self, **kwargs)
        return super().request(method, url, **kwargs)


def jira_messages(response: requests.Response | None) -> str:
    """Jira's errorMessages and per-field errors as one line."""
    if response is None:
        return ""
    try:
        body = response.json()
    except ValueError:
        return (response.text or "").strip()[:200]
    if not isinstance(body, dict):
        return str(body)[:200]
    parts = list(body.get("errorMessages") or [])
    parts += [f"{k}: {v}" for k, v in (body.get("errors") or {}).items()]
    if body.get("message"):
        parts.append(str(body["message"]))
    return "; ".join(str(p) for p in parts)


def raise_for(provider: str, obj: str, response: requests.Response) -> None:
    """Raise the precise collabsync error for a non-2xx Jira answer."""
    if response.status_code < 400:
        return
    raise error_for_status(provider, obj, response.status_code, jira_messages(response) or response.reason or "")


@contextmanager
def sdk_errors(provider: str, obj: str) -> Iterator[None]:
    """Turn what the SDK raises into collabsync errors naming provider, object and cause."""
    try:
        yield
    except _jira_error() as exc:
        cause = jira_messages(exc.response) or (exc.text or "")
        if exc.status_code:
            raise error_for_status(provider, obj, exc.status_code, cause) from None
        raise ProviderError(provider, obj, cause or "the jira SDK failed") from None
    except ValueError as exc:  # JSONDecodeError: a 2xx answer that is not JSON
        raise TransportError(provider, obj, f"unreadable response body ({type(exc).__name__})") from None
    except KeyError as exc:
        raise TransportError(provider, obj, f"unexpected response shape (missing {exc})") from None


def _jira_error() -> type[JIRAError] | tuple[()]:
    """The SDK's error class once the SDK is loaded; before that nothing can have raised it (none to catch)."""
    module = sys.modules.get("jira.exceptions")
    return module.JIRAError if module is not None else ()


def json_body(provider: str, obj: str, response: requests.Response) -> Any:
    """The JSON of a 2xx answer, or TransportError for a truncated / non-JSON body."""
    raise_for(provider, obj, response)
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        raise TransportError(provider, obj, "unreadable response body (not JSON)") from None


# Patterns, compiled on first use by re's own cache: `track` needs the first two, a read only the last (issue 17).
_KEY_RE = r"^[A-Za-z][A-Za-z0-9_]+(?:-\d+)?$"
_URL_KEY_RE = r"/(?:browse|projects)/([A-Z][A-Z0-9_]+(?:-\d+)?)(?:[/?#]|$)"
_ORDER_RE = r"\s+order\s+by\s+.*$"


def parse_source(source: str, site: str) -> tuple[str, str]:
    """What `collabsync track` was given: ("project", KEY), ("issue", KEY-1) or ("jql", query)."""
    text = source.strip()
    if re.match(r"^https?://", text):
        url, home = urlparse(text), urlparse(site)
        if url.netloc.lower() != home.netloc.lower():
            raise ConfigError.single("track", f"{text} is not on this provider's site {site}")
        found = re.search(_URL_KEY_RE, url.path)
        if found:
            key = found.group(1)
            return ("issue" if "-" in key else "project"), key
        jql = parse_qs(url.query).get("jql")
        if jql:
            return "jql", jql[0]
        raise ConfigError.single("track", f"{text}: not a Jira project, issue or search URL")
    if re.match(_KEY_RE, text):
        return ("issue" if "-" in text else "project"), text.upper()
    return "jql", text


def split_order(jql: str) -> tuple[str, str]:
    """A query's condition and its ORDER BY clause (empty when it has none)."""
    found = re.search(_ORDER_RE, jql, re.IGNORECASE | re.DOTALL)
    return (jql[: found.start()].strip(), found.group(0).strip()) if found else (jql.strip(), "")


def label_safe(text: str) -> str:
    """Jira labels cannot hold spaces."""
    return re.sub(r"\s+", "-", text.strip())


def jql_time(since: dt.datetime, time_zone: str | None) -> str:
    """A JQL datetime literal in the Jira user's zone (JQL reads datetimes that way), one minute early."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # here: only an incremental read asks (issue 17: start-up)

    try:
        zone: dt.tzinfo = ZoneInfo(time_zone) if time_zone else dt.UTC
    except (ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC
    if since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)
    return (since - dt.timedelta(minutes=1)).astimezone(zone).strftime("%Y-%m-%d %H:%M")


def status_of(fields: Mapping[str, Any], blocked: set[str], cancelled: set[str], flagged_id: str | None) -> Status:
    """Neutral status from statusCategory, with configured names for blocked/cancelled and Flagged as blocked."""
    status = fields.get("status") or {}
    name = str(status.get("name", "")).casefold()
    category = (status.get("statusCategory") or {}).get("key", "new")
    if name in cancelled:
        return Status.CANCELLED
    if name in blocked:
        return Status.BLOCKED
    if category == "done":
        return Status.DONE
    if flagged_id and fields.get(flagged_id):
        return Status.BLOCKED
    return Status.IN_PROGRESS if category == "indeterminate" else Status.TODO


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _datetime(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value))  # 2026-11-23T10:41:51.000+0000, much faster than strptime
        if parsed.tzinfo is not None:
            return parsed
    except ValueError:
        pass
    try:
        return dt.datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%S.%f%z")
    except ValueError:
        return None


def to_task(
    raw: Mapping[str, Any],
    *,
    instance: str | None,
    browse: str,
    field_ids: Mapping[str, str | None],
    blocked: set[str],
    cancelled: set[str],
    link_type: str,
    person_of: Callable[[str | None, str | None], str | None],
    section_from_components: bool = False,
) -> Task:
    """One search hit (v2 JSON) as a neutral Task; depends_on lists the ids of issues blocking it.

    Tracked issues (not stamped) take their section from their first component, not a label.
    """
    fields = raw.get("fields") or {}
    description = fields.get("description")
    if isinstance(description, dict):  # an ADF doc (v3); the adapter reads v2, but be lenient
        description = json.dumps(description)
    found = parse_marker(description)
    key = found[1] if found and (instance is None or found[0] == instance) else None
    labels = list(fields.get("labels") or [])
    section = next((lab[len(SECTION_PREFIX) :] for lab in labels if lab.startswith(SECTION_PREFIX)), None)
    if section_from_components:
        section = next((str(c.get("name")) for c in fields.get("components") or [] if c.get("name")), None)
    assignee = fields.get("assignee") or {}
    account = assignee.get("accountId") or assignee.get("name")
    depends = [
        str(link["inwardIssue"]["id"])
        for link in fields.get("issuelinks") or []
        if (link.get("type") or {}).get("name") == link_type and "inwardIssue" in link
    ]
    estimate = fields.get(field_ids["story_points"]) if field_ids.get("story_points") else None
    start = fields.get(field_ids["start"]) if field_ids.get("start") else None
    status = status_of(fields, blocked, cancelled, field_ids.get("flagged"))
    return Task(
        ref=str(raw["id"]),
        key=key,
        title=str(fields.get("summary") or ""),
        status=status,
        section=section,
        assignee=person_of(account, assignee.get("displayName")),
        start=_date(start),
        due=_date(fields.get("duedate")),
        estimate=float(estimate) if isinstance(estimate, (int, float)) else None,
        labels=labels,
        depends_on=depends,
        url=f"{browse}/{raw.get('key')}",
        updated=_datetime(fields.get("updated")),
        extra={"jira_key": raw.get("key"), "jira_status": (fields.get("status") or {}).get("name")},
    )
