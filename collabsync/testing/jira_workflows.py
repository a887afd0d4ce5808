"""Workflow read routes of the Jira emulator: project statuses, workflow scheme and workflow search (Cloud)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request

from .core import ApiError
from .jira_accounts import AccountConfig
from .jira_catalog import ISSUE_TYPES, STATUSES

__all__ = ["WORKFLOW_RULES", "JiraWorkflowRoutes"]

_V = '/rest/api/<any("2","3","latest"):v>'
WORKFLOW_RULES = [
    Rule(_V + "/project/<ref>/statuses", endpoint="project_statuses", methods=["GET"]),
    Rule(_V + "/workflowscheme/project", endpoint="workflow_scheme_project", methods=["GET"]),
    Rule(_V + "/workflow/search", endpoint="workflow_search", methods=["GET"]),
]


class JiraWorkflowRoutes:
    """Handlers for a project's statuses and workflows, as a configured account (AccountConfig) shows them."""

    store: Any
    root_url: str

    if TYPE_CHECKING:  # JiraEmulator's read-only property and JiraAccountsMixin's table

        @property
        def server(self) -> bool: ...

        def _accounts(self) -> dict[str, AccountConfig]: ...

    def project_statuses(self, request: Request, v: str, ref: str) -> Any:
        p = self.store.project(ref)
        config = self._accounts().get(p["key"]) or AccountConfig()
        statuses = [self.store.render_status(self.store.status(n)[0]) for n in config.statuses()]
        return [
            {
                "self": f"{self.root_url}/rest/api/{v}/issuetype/{t}",
                "id": t,
                "name": next(x[1] for x in ISSUE_TYPES if x[0] == t),
                "subtask": next(x[3] for x in ISSUE_TYPES if x[0] == t),
                "statuses": statuses,
            }
            for t in p["types"]
        ]

    def workflow_scheme_project(self, request: Request, v: str) -> Any:
        self._cloud_only(request)
        ids = request.args.getlist("projectId")
        if not ids:
            raise ApiError(400, "projectId is required.")
        values = []
        for pid in ids:
            try:
                p = self.store.project(pid)
            except ApiError:
                continue  # a bulk lookup: ids of projects that do not exist are left out (200, not 404)
            self._admin(p["key"])
            values.append(
                {
                    "projectIds": [p["id"]],
                    "workflowScheme": {
                        "id": 10000 + int(p["id"]) % 1000,
                        "name": f"{p['key']}: Software Simplified Workflow Scheme",
                        "description": "",
                        "defaultWorkflow": self._workflow_name(p["key"]),
                        "issueTypeMappings": {},
                    },
                }
            )
        return {"values": values}

    def workflow_search(self, request: Request, v: str) -> Any:
        self._cloud_only(request)
        names = request.args.getlist("workflowName")
        keys = [p["key"] for p in self.store.projects.values() if not names or self._workflow_name(p["key"]) in names]
        values = []
        for key in keys:
            self._admin(key)
            config = self._accounts().get(key) or AccountConfig()
            ids = {n: self.store.status(n)[0] for n in config.statuses()}
            graph = config.workflow or {n: [m for m in ids if m != n] for n in ids}
            transitions = [
                {
                    "id": str(11 + 10 * STATUSES.index(self.store.status(to))),
                    "name": self.store.status(to)[3],
                    "description": "",
                    "from": [ids[src] for src, tos in graph.items() if to in tos],
                    "to": ids[to],
                    "type": "directed",
                }
                for to in ids
            ]
            values.append(
                {
                    "id": {"name": self._workflow_name(key), "entityId": f"wf-{key.lower()}"},
                    "description": "",
                    "transitions": transitions,
                    "statuses": [{"id": i, "name": n} for n, i in ids.items()],
                }
            )
        return {"isLast": True, "maxResults": 50, "startAt": 0, "total": len(values), "values": values}

    def _cloud_only(self, request: Request) -> None:
        """Data Center has neither workflow route (its admin API differs): answer like an unknown route."""
        if self.server:
            raise ApiError(404, f"null for uri: {request.url}")

    def _admin(self, key: str) -> None:
        config = self._accounts().get(key)
        if config is not None and config.admin_denied:
            raise ApiError(403, "You are not authorized to perform this action. Administrator privileges are required.")

    @staticmethod
    def _workflow_name(key: str) -> str:
        return f"Software Simplified Workflow for Project {key}"
