"""Jira Cloud's bulk edit for date moves: one request for many issues that get the SAME new dates.

`POST /rest/api/3/bulk/issues/fields` sets one value for every selected issue and runs as a task polled at
`GET /rest/api/3/bulk/queue/{taskId}`, so a group costs at least two requests: it only pays from
BULK_EDIT_MIN issues sharing (due, start). Anything the task did not report as processed gets one PUT,
which is idempotent and names its own cause; a site that refuses bulk edit (no permission, Data Center)
falls back to PUTs for the rest of the run. Numbers and the choice: docs/day-two.md.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from collabsync.errors import TransportError
from collabsync.http import error_for_status
from collabsync.model import TaskChange

if TYPE_CHECKING:  # pragma: no cover
    from .jira import JiraProvider

__all__ = ["BULK_EDIT_MAX", "BULK_EDIT_MIN", "bulk_groups", "bulk_edit_dates", "jira_date"]

BULK_EDIT_MIN = 3  # a POST plus at least one poll: two issues are as cheap with two PUTs
BULK_EDIT_MAX = 1000  # issues per request (the spec: "a maximum of 1000 issues (including subtasks)")
POLL_FIRST, POLL_MAX_WAIT = 0.25, 5.0  # seconds between polls, doubling up to the cap
_DONE = {"COMPLETE", "FAILED", "CANCELLED", "DEAD"}
_clock = time.monotonic  # the poll deadline's clock (tests advance a fake one)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def jira_date(day: dt.date) -> str:
    """The documented `d/MMM/yy` form, spelled without the locale so any site reads it."""
    return f"{day.day}/{_MONTHS[day.month - 1]}/{day.year % 100:02d}"


def bulk_groups(
    changes: Sequence[TaskChange], start_field: str | None
) -> tuple[list[list[TaskChange]], list[TaskChange]]:
    """Date-only changes sharing their new dates, in groups worth a bulk edit; every other change alone."""
    groups: dict[tuple[dt.date | None, dt.date | None], list[TaskChange]] = {}
    single: list[TaskChange] = []
    for change in changes:
        start = change.start if start_field else None
        if change.title is not None or (change.due is None and start is None):
            single.append(change)
        else:
            groups.setdefault((change.due, start), []).append(change)
    bulk = [
        g[i : i + BULK_EDIT_MAX]
        for g in groups.values()
        if len(g) >= BULK_EDIT_MIN
        for i in range(0, len(g), BULK_EDIT_MAX)
    ]
    in_bulk = {id(c) for g in bulk for c in g}
    return bulk, [c for c in changes if id(c) not in in_bulk]


def bulk_edit_dates(p: JiraProvider, group: Sequence[TaskChange], start_field: str | None) -> list[TaskChange] | None:
    """Submit one bulk edit and wait for it; the changes it did not apply (to PUT one by one), None if refused."""
    first = group[0]
    dates = [
        (f, d) for f, d in (("duedate", first.due), (start_field, first.start if start_field else None)) if f and d
    ]
    payload = {
        "selectedIssueIdsOrKeys": [c.ref for c in group],
        "selectedActions": [f for f, _ in dates],
        "editedFieldsInput": {
            "datePickerFields": [{"fieldId": f, "date": {"formattedDate": jira_date(d)}} for f, d in dates]
        },
    }
    obj = f"bulk edit of {len(group)} issues"
    response = _v3(p, "POST", "bulk/issues/fields", json=payload)
    if 400 <= response.status_code < 500 and response.status_code not in (401, 429):
        p.bulk_edit_refused = _messages(response) or f"HTTP {response.status_code}"
        return None
    _raise_for(p, obj, response)
    task_id = str((_json(p, obj, response) or {}).get("taskId") or "")
    progress = _wait(p, obj, task_id)
    done = {str(i) for i in progress.get("processedAccessibleIssues") or []}
    return [c for c in group if str(c.ref) not in done]


def _wait(p: JiraProvider, obj: str, task_id: str) -> dict[str, Any]:
    """Poll the task until it ends; past the deadline the outcome is unknown and the run resumes later."""
    session, pause = p.client._session, POLL_FIRST
    deadline = _clock() + max(p.policy.timeout * 4, 60.0)
    while True:
        response = _v3(p, "GET", f"bulk/queue/{task_id}")
        _raise_for(p, f"{obj} (task {task_id})", response)
        progress: dict[str, Any] = _json(p, f"{obj} (task {task_id})", response) or {}
        if progress.get("status") in _DONE:
            return progress
        if _clock() + pause > deadline:
            raise TransportError(
                p.name,
                f"{obj} (task {task_id})",
                f"still {progress.get('status')} at {progress.get('progressPercent')}%; run again to "
                "resume (a date already set is recognised)",
            )
        getattr(session, "sleep", time.sleep)(pause)
        pause = min(pause * 2, POLL_MAX_WAIT)


def _v3(p: JiraProvider, method: str, path: str, **kwargs: Any) -> Any:
    """Bulk operations live under REST v3 only; a write makes cached reads stale."""
    if method != "GET":
        p._invalidate_cache()
    return p.client._session.request(method, f"{p.url}/rest/api/3/{path}", timeout=p.policy.timeout, **kwargs)


def _messages(response: Any) -> str:
    """BulkOperationErrorResponse (`{"errors": [{"message": ...}]}`) or Jira's ErrorCollection, as one line."""
    try:
        body = response.json()
    except ValueError:
        return (response.text or "").strip()[:200]
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list):
        return "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors)
    parts = list(body.get("errorMessages") or []) if isinstance(body, dict) else []
    return "; ".join([*map(str, parts), *(f"{k}: {v}" for k, v in (errors or {}).items())])


def _json(p: JiraProvider, obj: str, response: Any) -> Any:
    """The JSON of a 2xx answer, or TransportError for a truncated / non-JSON body (the outcome is unknown)."""
    _raise_for(p, obj, response)
    try:
        return response.json()
    except ValueError:
        raise TransportError(p.name, obj, "unreadable response body (not JSON)") from None


def _raise_for(p: JiraProvider, obj: str, response: Any) -> None:
    if response.status_code >= 400:
        raise error_for_status(p.name, obj, response.status_code, _messages(response) or response.reason or "")
