"""Site metadata routes of the Jira emulator: server info, myself, fields, projects, issue types, statuses."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request

from .core import ApiError
from .jira_catalog import ISSUE_TYPES, STATUSES, jira_time
from .jira_fields import field_list, field_schema
from .jira_routes import JiraHost, int_param

__all__ = ["JiraSiteRoutes"]


class JiraSiteRoutes(JiraHost):
    """Read-only handlers describing the site and its projects; mixed into JiraEmulator."""

    root_url: str
    deployment: str

    def server_info(self, request: Request, v: str) -> Any:
        self._version(v)
        version = [9, 12, 0] if self.server else [1001, 0, 0]
        return {
            "baseUrl": self.root_url,
            "version": ".".join(map(str, version)) + ("" if self.server else "-SNAPSHOT"),
            "versionNumbers": version,
            "deploymentType": self.deployment,
            "buildNumber": 100250,
            "buildDate": "2026-11-20T00:00:00.000+0000",
            "serverTime": jira_time(self.clock()),
            "scmInfo": "0123456789abcdef0123456789abcdef01234567",
            "serverTitle": "Jira",
        }

    def myself(self, request: Request, v: str) -> Any:
        self._version(v)
        return self.store.render_user(self._principal(request), server=self.server)

    def fields(self, request: Request, v: str) -> Any:
        self._version(v)
        out = []
        for fid, name, custom, ftype, key in self.store.fields:
            schema = field_schema(fid, custom, ftype, key)
            out.append(
                {
                    "id": fid,
                    "key": fid,
                    "name": name,
                    "custom": custom,
                    "orderable": True,
                    "navigable": True,
                    "searchable": True,
                    "clauseNames": [f"cf[{fid.split('_')[1]}]", name] if custom else [fid],
                    "schema": schema,
                }
            )
        return out

    def project_list(self, request: Request, v: str) -> Any:
        self._version(v)
        return [self.store.render_project(p, full=False) for p in self.store.projects.values()]

    def project_search(self, request: Request, v: str) -> Any:
        self._version(v)
        keys = {k.upper() for k in field_list(request.args.getlist("keys"))}
        query = (request.args.get("query") or "").lower()
        start = int_param(request.args.get("startAt"), "startAt", 0)
        size = min(int_param(request.args.get("maxResults"), "maxResults", 50), 100)
        hits = [
            p
            for p in self.store.projects.values()
            if (not keys or p["key"] in keys) and (query in p["key"].lower() or query in p["name"].lower())
        ]
        page = hits[start : start + size]
        return {
            "self": f"{self.root_url}{request.full_path}",
            "maxResults": size,
            "startAt": start,
            "total": len(hits),
            "isLast": start + size >= len(hits),
            "values": [self.store.render_project(p) for p in page],
        }

    def project_get(self, request: Request, v: str, ref: str) -> Any:
        self._version(v)
        return self.store.render_project(self.store.project(ref))

    def issuetypes(self, request: Request, v: str) -> Any:
        self._version(v)
        return [self.store.render_type(t[0]) for t in ISSUE_TYPES]

    def issuetypes_project(self, request: Request, v: str) -> Any:
        self._version(v)
        pid = request.args.get("projectId")
        if not pid:
            raise ApiError(400, "The projectId parameter is required.")
        project = next((p for p in self.store.projects.values() if p["id"] == pid), None)
        if project is None:
            raise ApiError(404, f"No project could be found with id '{pid}'.")
        return [self.store.render_type(t) for t in project["types"]]

    def statuses(self, request: Request, v: str) -> Any:
        self._version(v)
        return [self.store.render_status(s[0]) for s in STATUSES]
