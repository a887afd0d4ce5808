"""Jira Cloud's asynchronous bulk edit in the emulator: submit, poll the task, read the editable fields.

Shapes from ../shared/specs/jira/swagger-v3.v3.json: `POST /rest/api/3/bulk/issues/fields` (submitBulkEdit,
IssueBulkEditPayload -> 201 SubmittedBulkOperation), `GET /rest/api/3/bulk/queue/{taskId}`
(getBulkOperationProgress -> BulkOperationProgress) and `GET /rest/api/3/bulk/issues/fields`
(getBulkEditableFields -> BulkEditGetFields). Refusals use the documented BulkOperationErrorResponse
(`{"errors": [{"message": ...}]}`). Only v3 serves it and Data Center has none (404). Of the field kinds the
emulator models the date pickers (`duedate` and the start-date custom field); other kinds answer 400 naming it.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from .core import ApiError, json_response
from .jira_catalog import START_DATE, jira_time
from .jira_routes import JiraHost

__all__ = ["BULK_EDIT_MAX_FIELDS", "BULK_EDIT_MAX_ISSUES", "BULK_EDIT_RULES", "JiraBulkEditMixin"]

BULK_EDIT_MAX_ISSUES = 1000  # "A single request can accommodate a maximum of 1000 issues (including subtasks)"
BULK_EDIT_MAX_FIELDS = 200  # "... and 200 fields"
_PAYLOAD_KEYS = {"editedFieldsInput", "selectedActions", "selectedIssueIdsOrKeys", "sendBulkNotification"}
_DATE_FIELDS = {"duedate": "Due date", START_DATE: "Start date"}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

BULK_EDIT_RULES = [
    Rule("/rest/api/3/bulk/issues/fields", endpoint="bulk_edit_fields", methods=["GET"]),
    Rule("/rest/api/3/bulk/issues/fields", endpoint="bulk_edit_submit", methods=["POST"]),
    Rule("/rest/api/3/bulk/queue/<task_id>", endpoint="bulk_edit_progress", methods=["GET"]),
]


@dataclass
class BulkTask:
    """One submitted bulk edit: applied at submission, reported RUNNING for `running_polls` polls first."""

    id: str
    submitter: str | None
    created: dt.datetime
    total: int
    processed: list[int] = field(default_factory=list)
    failed: dict[str, list[str]] = field(default_factory=dict)
    invalid: int = 0
    polls: int = 0


def _refuse(status: int, *messages: str) -> Response:
    """The documented BulkOperationErrorResponse."""
    return json_response({"errors": [{"message": m} for m in messages]}, status)


def parse_formatted_date(text: str) -> str | None:
    """`d/MMM/yy` or `dd-mm-yyyy` (the documented forms), or ISO `yyyy-mm-dd`, as ISO; None when unreadable."""
    try:
        if "/" in text:
            day, month, year = text.split("/")
            return dt.date(
                2000 + int(year) if len(year) == 2 else int(year), _MONTHS.index(month.title()) + 1, int(day)
            ).isoformat()
        parts = text.split("-")
        if len(parts) == 3 and len(parts[0]) == 2:
            return dt.date(int(parts[2]), int(parts[1]), int(parts[0])).isoformat()
        return dt.date.fromisoformat(text).isoformat()
    except (ValueError, TypeError):
        return None


class JiraBulkEditMixin(JiraHost):
    """Handlers for bulk edit; `bulk_change` False takes the global bulk-change permission away (403)."""

    lock: threading.RLock
    bulk_change: bool = True
    bulk_running_polls: int = 0  # polls answering RUNNING before COMPLETE, to exercise the client's polling

    @property
    def bulk_tasks(self) -> dict[str, BulkTask]:
        """Submitted tasks by id (created on first use so the mixin needs no __init__)."""
        if not hasattr(self, "_bulk_tasks"):
            self._bulk_tasks: dict[str, BulkTask] = {}
        return self._bulk_tasks

    def _bulk_allowed(self) -> Response | None:
        if self.server:
            raise ApiError(404, "null for uri: /rest/api/3/bulk")
        if not self.bulk_change:
            return _refuse(403, "You do not have the global Bulk Change permission.")
        return None

    def bulk_edit_fields(self, request: Request) -> Any:
        refused = self._bulk_allowed()
        if refused:
            return refused
        refs = [r.strip() for r in (request.args.get("issueIdsOrKeys") or "").split(",") if r.strip()]
        if not refs:
            return _refuse(400, "issueIdsOrKeys is required.")
        found = [
            self.store.issues[self.store.by_key.get(r.upper(), r)]
            for r in refs
            if self.store.by_key.get(r.upper(), r) in self.store.issues
        ]
        if not found:
            return _refuse(404, "No editable fields were found for the provided issue IDs.")
        text = (request.args.get("searchText") or "").lower()
        fields = [
            {"id": fid, "name": name, "type": "datepicker", "isRequired": False}
            for fid, name in _DATE_FIELDS.items()
            if fid in self.store.settable and text in name.lower()
        ]
        return {"fields": fields}

    def bulk_edit_submit(self, request: Request) -> Any:
        refused = self._bulk_allowed()
        if refused:
            return refused
        body = self._body(request)
        problem = _payload_problem(body)
        if problem:
            return _refuse(400, problem)
        edits: dict[str, str | None] = {}
        for item in body["editedFieldsInput"].get("datePickerFields") or []:
            fid = item.get("fieldId")
            text = ((item.get("date") or {}).get("formattedDate")) if isinstance(item.get("date"), dict) else ""
            value = None if text in ("", None) else parse_formatted_date(str(text))
            if text not in ("", None) and value is None:
                return _refuse(400, f"Invalid date '{text}' for field {fid}: use d/MMM/yy or dd-mm-yyyy.")
            edits[str(fid)] = value
        unknown = [f for f in edits if f not in _DATE_FIELDS or f not in self.store.settable]
        if unknown:
            return _refuse(400, f"The field(s) {', '.join(unknown)} cannot be bulk edited.")
        with self.lock:
            refs = body["selectedIssueIdsOrKeys"]
            task = BulkTask(str(10000 + len(self.bulk_tasks)), self._principal(request), self.clock(), len(refs))
            for ref in dict.fromkeys(refs):
                try:
                    issue = self.store.issue(str(ref))
                except ApiError:
                    task.invalid += 1
                    continue
                try:
                    self.store.edit(issue, {"fields": dict(edits)}, v3=True, now=self.clock())
                except ApiError as err:
                    task.failed[issue.id] = [str(v) for v in err.extra.get("errors", {}).values()] or [err.message]
                    continue
                task.processed.append(int(issue.id))
            self.bulk_tasks[task.id] = task
        return json_response({"taskId": task.id}, 201)

    def bulk_edit_progress(self, request: Request, task_id: str) -> Any:
        if self.server:
            raise ApiError(404, "null for uri: /rest/api/3/bulk")
        with self.lock:
            task = self.bulk_tasks.get(task_id)
            if task is None:
                return _refuse(400, "The task associated with this taskId is not a bulk operation task")
            task.polls += 1
            running = task.polls <= self.bulk_running_polls
        tz = dt.UTC
        out: dict[str, Any] = {
            "taskId": task.id,
            "status": "RUNNING" if running else "COMPLETE",
            "progressPercent": 50 if running else 100,
            "submittedBy": {"accountId": task.submitter or ""},
            "created": jira_time(task.created, tz),
            "started": jira_time(task.created, tz),
            "updated": jira_time(self.clock(), tz),
        }
        if not running:
            out.update(
                processedAccessibleIssues=task.processed,
                failedAccessibleIssues=task.failed,
                invalidOrInaccessibleIssueCount=task.invalid,
                totalIssueCount=task.total,
            )
        return out


def _payload_problem(body: Any) -> str | None:
    """What is wrong with an IssueBulkEditPayload, in Jira's words where the spec gives them."""
    if not isinstance(body, dict):
        return "The request body must be a JSON object."
    extra = set(body) - _PAYLOAD_KEYS
    if extra:
        return f"Unrecognized field(s): {', '.join(sorted(extra))}."
    missing = [k for k in ("editedFieldsInput", "selectedActions", "selectedIssueIdsOrKeys") if k not in body]
    if missing:
        return f"Missing required field(s): {', '.join(missing)}."
    refs, actions, edited = body["selectedIssueIdsOrKeys"], body["selectedActions"], body["editedFieldsInput"]
    if not isinstance(refs, list) or not refs or not all(isinstance(r, str) for r in refs):
        return "selectedIssueIdsOrKeys must be a non-empty list of issue IDs or keys."
    if len(refs) > BULK_EDIT_MAX_ISSUES:
        return f"A bulk edit accepts at most {BULK_EDIT_MAX_ISSUES} issues; {len(refs)} were selected."
    if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
        return "selectedActions must be a list of field IDs."
    if len(actions) > BULK_EDIT_MAX_FIELDS:
        return f"A bulk edit accepts at most {BULK_EDIT_MAX_FIELDS} fields; {len(actions)} were selected."
    if not isinstance(edited, dict):
        return "editedFieldsInput must be an object."
    kinds = {k for k, v in edited.items() if v not in (None, [], {})}
    if kinds - {"datePickerFields"}:
        return f"The emulator does not model bulk edits of {', '.join(sorted(kinds - {'datePickerFields'}))}."
    items = edited.get("datePickerFields") or []
    if not isinstance(items, list) or not all(isinstance(i, dict) and isinstance(i.get("fieldId"), str) for i in items):
        return "datePickerFields must be a list of {fieldId, date: {formattedDate}}."
    ids = [i["fieldId"] for i in items]
    not_selected = [f for f in ids if f not in actions]
    if not_selected:
        return f"The following editedFieldInput values are not listed as selectedActions : {', '.join(not_selected)}"
    not_given = [a for a in actions if a not in ids]
    if not_given:
        return f"The following selectedActions have no editedFieldInput value : {', '.join(not_given)}"
    return None
