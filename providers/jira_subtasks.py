"""Checklists on Jira: Jira has none, so each checklist item becomes a sub-task of its task.

Created in bulk (50 a request) right after their parents; a failure is reported against the
parent task, never lost. Projects without a sub-task issue type get the checklist as
``- [ ] item`` lines in the description instead (decided in ``JiraIssueWrites._issue_fields``, providers/jira_writes.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from collabsync.errors import ProviderError

from .jira_support import json_body

__all__ = ["create_subtasks", "subtask_type_id"]

PER_REQUEST = 50  # Jira's bulk-create maximum


def subtask_type_id(project: Mapping[str, Any]) -> str | None:
    """The project's sub-task issue type ("Sub-task" company-managed, "Subtask" team-managed), if any."""
    return next((str(t["id"]) for t in project.get("issueTypes", []) if t.get("subtask")), None)


def create_subtasks(p: Any, extra: Mapping[str, Any], made: Sequence[tuple[str, Sequence[str]]]) -> dict[str, str]:
    """One sub-task per checklist item of each (parent id, items); returns parent id -> why some were not made."""
    rows = [(parent, item) for parent, items in made for item in items]
    errors: dict[str, str] = {}
    for start in range(0, len(rows), PER_REQUEST):
        chunk = rows[start : start + PER_REQUEST]
        payload = {
            "issueUpdates": [
                {
                    "fields": {
                        "project": {"id": extra["project_id"]},
                        "issuetype": {"id": extra["subtask_type_id"]},
                        "parent": {"id": parent},
                        "summary": item[:255],
                    }
                }
                for parent, item in chunk
            ]
        }
        obj = f"bulk create of {len(chunk)} checklist sub-tasks in {extra['project']}"
        try:
            response = p._send("POST", "issue/bulk", json=payload)
            body = p._loads(response, obj) if response.status_code == 400 else json_body(p.name, obj, response)
        except ProviderError as exc:  # the parents exist: record why their checklists do not
            for parent, _ in chunk:
                errors.setdefault(parent, f"checklist not written as sub-tasks: {exc.cause}")
            continue
        for e in (body or {}).get("errors") or []:
            number = int(e.get("failedElementNumber", -1))
            if 0 <= number < len(chunk):
                parent, item = chunk[number]
                errors.setdefault(parent, f"checklist item {item!r} not written: {p._element_error(e)}")
    return errors
