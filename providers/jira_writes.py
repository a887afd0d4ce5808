"""Jira's issue writes (bulk create, checklists as sub-tasks, links, description lines) apart from jira.py."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from collabsync.errors import ProviderError, refused_item
from collabsync.model import Container, insert_above_marker, with_marker

from .jira_plumbing import JiraPlumbing
from .jira_support import json_body, label_safe

if TYPE_CHECKING:  # the write path's records: a read builds none of them (issue 17)
    from collabsync.model_specs import Created, Linked, NewTask

BULK_LIMIT = 50
_LATER = "_collabsync_after_create"  # fields set by an edit after create; removed before the payload is sent


class JiraIssueWrites(JiraPlumbing):
    """Writes to issues: POST /issue/bulk per 50, then sub-tasks, links and lines above the marker."""

    def create_tasks(self, container: Container, tasks: Sequence[NewTask]) -> Iterator[Created]:
        """POST /issue/bulk per 50 tasks; every per-item error is yielded against its task key."""
        from collabsync.model_specs import Created

        extra = container.extra
        for start in range(0, len(tasks), BULK_LIMIT):
            chunk = list(tasks[start : start + BULK_LIMIT])
            built = [self._issue_fields(container, item) for item in chunk]
            later = [fields.pop(_LATER, None) for fields in built]  # never sent: set by an edit after create
            payload = {"issueUpdates": [{"fields": fields} for fields in built]}
            obj = f"bulk create of {len(chunk)} tasks in {extra['project']}"
            response = self._send("POST", "issue/bulk", json=payload)
            # 400 with per-item errors means "none created"; any other failure is about the whole request
            body = self._loads(response, obj) if response.status_code == 400 else json_body(self.name, obj, response)
            failed = {int(e.get("failedElementNumber", -1)): e for e in (body or {}).get("errors") or []}
            if response.status_code == 400 and not failed:
                json_body(self.name, obj, response)  # raises the precise error
            issues = iter((body or {}).get("issues") or [])
            outcomes: list[Created] = []
            for number, item in enumerate(chunk):
                if number in failed:
                    outcomes.append(Created(item.spec.key, error=self._element_error(failed[number])))
                    continue
                issue = next(issues, None)
                if issue is None:
                    outcomes.append(Created(item.spec.key, error="jira returned fewer issues than it accepted"))
                else:
                    from .jira_preflight import edit_after_create  # the write path's: not imported by a read

                    edit_after_create(self, str(issue["id"]), later[number])
                    outcomes.append(Created(item.spec.key, str(issue["id"]), f"{self.url}/browse/{issue['key']}"))
            yield from self._with_checklists(extra, chunk, outcomes)

    def _with_checklists(
        self, extra: Mapping[str, Any], chunk: Sequence[NewTask], outcomes: list[Created]
    ) -> Iterator[Created]:
        """Checklist items as sub-tasks of the issues just made (providers/jira_subtasks.py); errors on the parent."""
        made = [
            (o.ref, item.spec.checklist)
            for item, o in zip(chunk, outcomes, strict=True)
            if o.ref and item.spec.checklist
        ]
        from .jira_subtasks import create_subtasks

        errors = create_subtasks(self, extra, made) if made and extra.get("subtask_type_id") else {}
        for outcome in outcomes:
            yield replace(outcome, error=errors[outcome.ref]) if outcome.ref in errors else outcome

    def link_dependencies(self, container: Container, pairs: Sequence[tuple[str, str]]) -> Iterator[Linked]:
        """One POST /issueLink per pair (Jira has no bulk link); the link type is checked once per run."""
        from collabsync.model_specs import Linked

        plan = self.screens.get(str(container.extra.get("project")))
        if plan is not None and plan.link_fallback:  # the doctor planned it: no link type or no permission
            from .jira_preflight import links_as_text

            yield from links_as_text(self, pairs)
            return
        self._check_link_type()
        for blocked, blocking in pairs:
            body = {"type": {"name": self.link_type}, "inwardIssue": {"id": blocking}, "outwardIssue": {"id": blocked}}
            try:
                json_body(self.name, f"link {blocking} blocks {blocked}", self._send("POST", "issueLink", json=body))
            except ProviderError as exc:
                if not refused_item(exc):
                    raise  # outcome unknown or nothing more will work: the stamp links again on resume
                yield Linked(blocked, blocking, error=exc.cause)
                continue
            yield Linked(blocked, blocking)

    def annotate(self, ref: str, lines: Sequence[str]) -> None:
        """Insert lines above the marker of one issue (GET description, PUT it back when changed)."""
        got = json_body(self.name, f"issue {ref}", self._send("GET", f"issue/{ref}", params={"fields": "description"}))
        old = (got.get("fields") or {}).get("description") or ""
        new = insert_above_marker(old, list(lines))
        if new != old:
            json_body(
                self.name, f"issue {ref}", self._send("PUT", f"issue/{ref}", json={"fields": {"description": new}})
            )

    def _issue_fields(self, container: Container, item: NewTask) -> dict[str, Any]:
        extra, spec = container.extra, item.spec
        ids = extra.get("fields") or {}
        labels = [extra["label"], *(extra.get("labels") or []), *(label_safe(x) for x in spec.labels)]
        if item.section_ref:
            labels.append(item.section_ref)
        description = item.description or ""
        if spec.checklist and not extra.get("subtask_type_id"):  # no sub-task type: the checklist as text
            description = "\n\n".join(p for p in (description, "\n".join(f"- [ ] {c}" for c in spec.checklist)) if p)
        fields: dict[str, Any] = {
            "project": {"id": extra["project_id"]},
            "issuetype": {"id": extra["issue_type_id"]},
            "summary": spec.title[:255],
            "description": with_marker(description, item.marker),
            "labels": list(dict.fromkeys(labels)),
        }
        if extra.get("mode") == "epic" and extra.get("deployment") != "Server":
            fields["parent"] = {"id": extra["epic_id"]}
        elif extra.get("mode") == "epic" and ids.get("epic_link"):
            fields[ids["epic_link"]] = extra["epic_key"]
        if spec.due:
            fields["duedate"] = spec.due.isoformat()
        if spec.start and ids.get("start"):
            fields[ids["start"]] = spec.start.isoformat()
        if spec.estimate is not None and ids.get("story_points"):
            fields[ids["story_points"]] = spec.estimate
        account = self.person_id(spec.assignee)
        if account:
            fields["assignee"] = {"name": account} if extra.get("deployment") == "Server" else {"accountId": account}
        plan = self.screens.get(str(extra.get("project")))
        if plan is not None:  # what the create screen refuses: an edit after create, or the description
            fields.update(plan.values)
            fields, later = plan.split(fields, spec)
            if later:
                fields[_LATER] = later
        return fields
