"""Jira reads without the page chain: ids first, then the issues themselves, several requests in flight.

Cloud: one id-only `GET /search/jql` page holds up to 5,000 ids (the reference page's cap when only
id/key are asked), then `POST /issue/bulkfetch` takes 100 ids with the rollup's fields; those requests
are independent, so up to `max_in_flight` run at once (inside the session's rate budget). An issue that
vanishes between the two steps comes back in `issueErrors` and is left out, as a later search would.
Data Center: the first `startAt` page gives the total; the remaining pages are fetched in parallel.
Cached CLI reads keep the GET page chain, because the HTTP cache stores GETs only.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from collabsync.errors import ProviderError
from collabsync.model import Container, Task
from collabsync.providers.base import Changes

from .jira_support import DEFAULT_IN_FLIGHT, json_body, sdk_errors

if TYPE_CHECKING:
    from .jira import JiraProvider

__all__ = ["ID_PAGE", "BULKFETCH_SIZE", "read_hits", "read_changes", "list_ids", "bulkfetch", "in_flight"]

ID_PAGE = 5000  # ids per /search/jql page when only id is asked
BULKFETCH_SIZE = 100  # issueIdsOrKeys per POST /issue/bulkfetch

_T = TypeVar("_T")
_R = TypeVar("_R")


def in_flight(provider: JiraProvider) -> int:
    """Requests a read keeps in flight: the `max_in_flight` setting, never above the session's read cap."""
    wanted = int(provider.settings.get("max_in_flight", DEFAULT_IN_FLIGHT))
    cap = provider.policy.max_reads or wanted
    return max(1, min(wanted, cap))


def _parallel(provider: JiraProvider, work: Callable[[_T], _R], items: Sequence[_T]) -> list[_R]:
    """`work` over `items` with at most `in_flight` at once, answers in the order asked."""
    if len(items) <= 1:
        return [work(item) for item in items]
    with ThreadPoolExecutor(
        max_workers=min(in_flight(provider), len(items)), thread_name_prefix="collabsync-jira-read"
    ) as pool:
        return list(pool.map(work, items))


def read_hits(
    provider: JiraProvider,
    jql: str,
    fields: list[str],
    deployment: str | None,
    on_chunk: Callable[[list[dict[str, Any]]], None] | None = None,
) -> list[dict[str, Any]]:
    """Every hit of a JQL query with `fields`, by the cheapest route the deployment and session allow.

    `on_chunk` sees each bulkfetch answer in its read thread, so mapping overlaps the requests still in flight.
    """
    if provider._deployment_type(deployment) == "Server":
        return _server_pages(provider, jql, fields)
    if hasattr(provider.session, "cache"):  # GET pages the HTTP cache can serve again
        return list(provider._search(jql, fields, cached=True, deployment=deployment))
    return bulkfetch(provider, list_ids(provider, jql), fields, on_chunk)


def read_changes(
    provider: JiraProvider, container: Container, since: dt.datetime, known: Mapping[str, Task]
) -> Changes | None:
    """Ids in scope (one request per 5,000) plus issues updated since `since` (one request per 100 changed).

    The window is relative ("updated >= -90m"): Jira resolves it against its own clock, so neither the user's
    time zone nor the local clock's offset can shift it; the minutes are rounded up, one more for JQL's
    minute precision. Ids in scope that neither changed nor were known (moved in), and known issues whose
    blocker vanished (deleted, or left the scope), are bulkfetched.
    """
    if provider._deployment_type(container.extra.get("deployment")) == "Server":
        return None
    scope, fields = provider.read_query(container)
    elapsed = (dt.datetime.now(dt.UTC) - since).total_seconds()
    changed_jql, _ = provider.read_query(container, relative=f"-{max(1, math.ceil(elapsed / 60)) + 1}m")
    ids = list_ids(provider, scope)
    hits = {str(h["id"]): h for h in provider._search(changed_jql, fields, cached=False)}
    orphaned = _orphaned(provider, ids, known)
    moved_in = [i for i in ids if i not in hits and (i not in known or i in orphaned)]
    hits.update((str(h["id"]), h) for h in bulkfetch(provider, moved_in, fields))
    fresh = [hits[i] for i in ids if i in hits]
    return Changes(ids, provider.to_tasks(container, fresh), provider.blocks_of(fresh))


def _orphaned(provider: JiraProvider, ids: Sequence[str], known: Mapping[str, Task]) -> set[str]:
    """Known issues blocked by one that left the scope or no longer exists: deleting an issue cuts its links
    without moving `updated` on the other end, so those are read again (an id-only bulkfetch per 100 blockers
    outside the scope asks which still exist; none when no dependency leaves the container)."""
    scope = set(ids)
    gone = set(known) - scope
    outside = sorted({d for t in known.values() for d in t.depends_on} - scope - gone)
    if outside:
        gone |= set(outside) - {str(h["id"]) for h in bulkfetch(provider, outside, ["id"])}
    return {ref for ref, task in known.items() if ref in scope and gone.intersection(task.depends_on)}


def list_ids(provider: JiraProvider, jql: str) -> list[str]:
    """The ids a JQL query matches, in its order: one request per 5,000."""
    obj = f"search {jql!r}"
    ids: list[str] = []
    token: str | None = None
    seen: set[str] = set()
    while True:
        params: dict[str, Any] = {"jql": jql, "fields": "id", "maxResults": ID_PAGE}
        if token:
            params["nextPageToken"] = token
        page = json_body(provider.name, obj, provider._send("GET", "search/jql", params=params))
        ids += [str(hit["id"]) for hit in page.get("issues") or []]
        token = page.get("nextPageToken")
        if page.get("isLast", token is None) or not token:
            return ids
        if token in seen:
            raise ProviderError(provider.name, obj, "the server repeated a page token; stopping instead of looping")
        seen.add(token)


def bulkfetch(
    provider: JiraProvider,
    ids: Sequence[str],
    fields: list[str],
    on_chunk: Callable[[list[dict[str, Any]]], None] | None = None,
) -> list[dict[str, Any]]:
    """The issues of `ids` with `fields`, in the order of `ids`; ids Jira no longer shows are left out."""
    session = provider.session
    url = f"{provider.url}/rest/api/2/issue/bulkfetch"

    def fetch(chunk: Sequence[str]) -> list[dict[str, Any]]:
        # sent on the session directly: a read must not clear the read cache as a write through _send does
        response = session.request("POST", url, json={"issueIdsOrKeys": list(chunk), "fields": fields})
        body = json_body(provider.name, f"bulkfetch of {len(chunk)} issues", response) or {}
        issues = list(body.get("issues") or [])  # issueErrors: deleted or hidden since the id listing
        if on_chunk is not None:
            on_chunk(issues)
        return issues

    chunks = [ids[i : i + BULKFETCH_SIZE] for i in range(0, len(ids), BULKFETCH_SIZE)]
    found = {str(hit["id"]): hit for page in _parallel(provider, fetch, chunks) for hit in page}
    return [found[i] for i in ids if i in found]


def _server_pages(provider: JiraProvider, jql: str, fields: list[str]) -> list[dict[str, Any]]:
    """Data Center: the first startAt page, then every other page at once now that the total is known."""
    obj = f"search {jql!r}"
    client = provider.client
    if not client._fields_cache_value:  # else the SDK spends a GET /field translating names
        client._fields_cache_value = dict(provider._fields or {"-": "-"})

    def page(start: int) -> dict[str, Any]:
        with sdk_errors(provider.name, obj):
            return dict(
                client.search_issues(
                    jql,
                    startAt=start,
                    maxResults=provider.page_size,
                    fields=list(fields),
                    validate_query=True,
                    json_result=True,
                )
            )

    first = page(0)
    hits = list(first.get("issues") or [])
    size, total = len(hits), int(first.get("total", 0))
    if not hits or size >= total:
        return hits
    for later in _parallel(provider, page, list(range(size, total, size))):
        hits += later.get("issues") or []
    unique: dict[str, dict[str, Any]] = {}
    for hit in hits:  # pages may overlap when issues change between them
        unique.setdefault(str(hit["id"]), hit)
    return list(unique.values())
