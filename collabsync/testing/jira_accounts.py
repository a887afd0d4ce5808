"""How a real Jira account is configured, for the emulator: screens, required fields, workflows, permissions.

A project without an ``AccountConfig`` behaves as before (everything on every screen, every
transition from everywhere, every permission). Configure one with ``emu.configure_project(KEY, ...)``
or a named preset (``collabsync.testing.presets``). Routes added here: createmeta (the paged
per-project shape of Cloud, ``values`` on Data Center), editmeta, mypermissions (project statuses,
workflow scheme and workflow search: jira_workflows.py). Refusals are enforced on writes with Jira's own messages.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from .core import ApiError, json_response
from .jira_catalog import DEFAULT_SCREEN, EPIC_LINK, EPIC_NAME, NOT_ON_SCREEN, STATUSES

__all__ = ["ACCOUNT_RULES", "AccountConfig", "JiraAccountsMixin", "PERMISSIONS", "RequiredField"]

_V = '/rest/api/<any("2","3","latest"):v>'
ACCOUNT_RULES = [
    Rule(_V + "/issue/createmeta/<project>/issuetypes", endpoint="createmeta_types", methods=["GET"]),
    Rule(_V + "/issue/createmeta/<project>/issuetypes/<type_id>", endpoint="createmeta_fields", methods=["GET"]),
    Rule(_V + "/issue/<ref>/editmeta", endpoint="editmeta", methods=["GET"]),
    Rule(_V + "/mypermissions", endpoint="my_permissions", methods=["GET"]),
]
PERMISSIONS = {
    "CREATE_ISSUES": "Create issues",
    "LINK_ISSUES": "Link issues",
    "TRANSITION_ISSUES": "Transition issues",
    "ASSIGN_ISSUES": "Assign issues",
    "EDIT_ISSUES": "Edit issues",
    "BROWSE_PROJECTS": "Browse projects",
    "ADMINISTER_PROJECTS": "Administer projects",
}


@dataclass
class RequiredField:
    """A required custom select field (e.g. Team) with its allowed values and optional default."""

    field_id: str
    name: str
    allowed: list[str]
    default: str | None = None

    def option_ids(self) -> list[str]:
        """The ids of the allowed values, as createmeta lists them."""
        return [str(100 + i) for i in range(len(self.allowed))]


@dataclass
class AccountConfig:
    """One project's configuration as an admin left it."""

    team_managed: bool = False
    not_on_create: set[str] = field(default_factory=set)
    not_on_edit: set[str] = field(default_factory=set)
    required: list[RequiredField] = field(default_factory=list)
    workflow: dict[str, list[str]] | None = None  # status name -> statuses one transition away
    denied: set[str] = field(default_factory=set)
    admin_denied: bool = False  # workflow scheme/search need admin rights

    def statuses(self) -> list[str]:
        """The workflow's statuses, in the site's order."""
        if self.workflow is None:
            return [s[1] for s in STATUSES]
        names = set(self.workflow) | {t for ts in self.workflow.values() for t in ts}
        return [s[1] for s in STATUSES if s[1] in names]


class JiraAccountsMixin:
    """Handlers for the account routes, and the checks on writes that a configured project makes."""

    accounts: dict[str, AccountConfig]
    removed_link_types: set[str]
    lock: Any
    store: Any
    root_url: str

    if TYPE_CHECKING:  # JiraEmulator's read-only property

        @property
        def server(self) -> bool: ...

    # -- seed API -------------------------------------------------------------------------------
    def configure_project(self, key: str, **settings: Any) -> AccountConfig:
        """Give a project an account configuration (see AccountConfig for the settings)."""
        with self.lock:
            self._accounts()[key.upper()] = config = AccountConfig(**settings)
            for req in config.required:
                if req.field_id not in {f[0] for f in self.store.fields}:
                    self.store.fields.append(
                        (
                            req.field_id,
                            req.name,
                            True,
                            "option",
                            "com.atlassian.jira.plugin.system.customfieldtypes:select",
                        )
                    )
                    self.store.settable.add(req.field_id)
            return config

    def remove_link_type(self, name: str) -> None:
        """Delete an issue link type site-wide (e.g. an admin removed "Blocks")."""
        with self.lock:
            self.__dict__.setdefault("removed_link_types", set()).add(name)

    def _accounts(self) -> dict[str, AccountConfig]:
        return self.__dict__.setdefault("accounts", {})

    def account_of(self, project_ref: str) -> AccountConfig | None:
        """The configuration of a project by id or key, or None when it is the clean default."""
        try:
            project = self.store.project(project_ref)
        except ApiError:
            return None
        return self._accounts().get(project["key"])

    # -- dispatch hook ----------------------------------------------------------------------------
    def _call(self, endpoint: str, request: Request, args: Mapping[str, Any]) -> Response:
        """Enforce the project's configuration around the plain handlers."""
        try:
            with self.lock:
                early = self._account_write(endpoint, request, args)
        except ApiError as err:
            return self.error_response(err)  # type: ignore[attr-defined]
        if early is not None:
            return early
        response: Response = super()._call(endpoint, request, args)  # type: ignore[misc]
        if response.status_code == 200 and endpoint in ("issue_link_types", "project_get"):
            body = json.loads(response.get_data(as_text=True))
            if endpoint == "issue_link_types":
                gone = self.__dict__.get("removed_link_types", set())
                body["issueLinkTypes"] = [t for t in body["issueLinkTypes"] if t["name"] not in gone]
            elif (config := self.account_of(body["id"])) is not None and config.team_managed:
                body.update(style="next-gen", simplified=True)
            response = json_response(body)
        return response

    def _account_write(self, endpoint: str, request: Request, args: Mapping[str, Any]) -> Response | None:
        """Raise Jira's refusal for a write the configuration forbids; answer bulk creates item by item."""
        if endpoint == "issue_create":
            self._check_create(self._json(request))
        elif endpoint == "issue_bulk":
            return self._bulk(request, args["v"])
        elif endpoint == "issue_edit":
            issue = self.store.issue(args["ref"])
            config = self._accounts().get(self.store.projects[issue.project_id]["key"])
            fields = (self._json(request) or {}).get("fields") or {}
            if config is not None:
                errors = {f: NOT_ON_SCREEN.format(f) for f in fields if f in config.not_on_edit}
                if "assignee" in fields and "ASSIGN_ISSUES" in config.denied:
                    errors["assignee"] = "You do not have permission to assign issues."
                if errors:
                    raise ApiError(400, "", errors=errors)
        elif endpoint in ("transitions_post", "issue_link"):
            body = self._json(request) or {}
            if endpoint == "issue_link":
                gone = self.__dict__.get("removed_link_types", set())
                name = (body.get("type") or {}).get("name")
                if name in gone:
                    raise ApiError(404, f"No issue link type with name '{name}' found.")
                refs = [body.get("inwardIssue") or {}, body.get("outwardIssue") or {}]
                issues = [self.store.issue(str(r.get("key") or r.get("id"))) for r in refs]
                need, message = "LINK_ISSUES", "You do not have the permission to link issues."
            else:
                issues = [self.store.issue(args["ref"])]
                need, message = "TRANSITION_ISSUES", "You do not have permission to transition this issue."
            for issue in issues:
                config = self._accounts().get(self.store.projects[issue.project_id]["key"])
                if config is not None and need in config.denied:
                    raise ApiError(403, message)
        return None

    def _json(self, request: Request) -> Any:
        try:
            return json.loads(request.get_data(as_text=True) or "null")
        except ValueError:
            raise ApiError(400, "Unexpected character in request body: not valid JSON.") from None

    def _check_create(self, data: Any) -> None:
        """Screens, required fields, allowed values and the create permission of the target project."""
        fields = (data or {}).get("fields") if isinstance(data, dict) else None
        if not isinstance(fields, dict):
            return  # the store answers the shape error
        pref = fields.get("project") or {}
        config = self.account_of(str(pref.get("id") or pref.get("key") or "")) if isinstance(pref, dict) else None
        if config is None:
            return
        if "CREATE_ISSUES" in config.denied:
            raise ApiError(400, "", errors={"project": "You do not have permission to create issues in this project."})
        errors = {f: NOT_ON_SCREEN.format(f) for f in fields if f in config.not_on_create}
        if "assignee" in fields and fields["assignee"] and "ASSIGN_ISSUES" in config.denied:
            errors["assignee"] = "You do not have permission to assign issues."
        for req in config.required:
            value = fields.get(req.field_id)
            if value is None and req.default is None:
                errors[req.field_id] = f"{req.name} is required."
            elif value is not None and (
                not isinstance(value, dict)
                or (value.get("value") not in req.allowed and value.get("id") not in req.option_ids())
            ):
                errors[req.field_id] = f"Specify a valid 'id' or 'name' for {req.name}"
        if errors:
            raise ApiError(400, "", errors=errors)

    def _bulk(self, request: Request, v: str) -> Response:
        """POST /issue/bulk with per-item refusals, like Jira: the valid items are created."""
        body = self._json(request)
        updates = body.get("issueUpdates") if isinstance(body, dict) else None
        if not isinstance(updates, list) or len(updates) > 50:
            return super()._call("issue_bulk", request, {"v": v})  # type: ignore[misc]
        issues, errors = [], []
        for number, item in enumerate(updates):
            try:
                self._check_create(item)
                issue = self.store.create(item, v3=v == "3", now=self.clock(), reporter=self._principal(request))  # type: ignore[attr-defined]
                issues.append(self._created(issue, v))  # type: ignore[attr-defined]
            except ApiError as err:
                errors.append(
                    {
                        "status": err.status,
                        "failedElementNumber": number,
                        "elementErrors": {
                            "errorMessages": [err.message] if err.message else [],
                            "errors": dict(err.extra.get("errors", {})),
                        },
                    }
                )
        return json_response({"issues": issues, "errors": errors}, 201 if issues or not updates else 400)

    # -- workflow ---------------------------------------------------------------------------------
    def workflow_transitions(self, issue: Any) -> list[dict[str, Any]] | None:
        """Transitions from the issue's current status only, when its project has a workflow (else None)."""
        config = self._accounts().get(self.store.projects[issue.project_id]["key"])
        if config is None or (config.workflow is None and "TRANSITION_ISSUES" not in config.denied):
            return None
        if "TRANSITION_ISSUES" in config.denied:
            return []
        current = self.store.status(issue.status_id)[1]
        return [self._transition(self.store.status(target)) for target in config.workflow.get(current, [])]  # type: ignore[union-attr]

    def _transition(self, status: tuple[str, str, int, str]) -> dict[str, Any]:
        return {
            "id": str(11 + 10 * STATUSES.index(status)),
            "name": status[3],
            "to": self.store.render_status(status[0]),
            "hasScreen": False,
            "isGlobal": False,
            "isInitial": False,
            "isAvailable": True,
            "isConditional": False,
            "isLooped": False,
        }

    # -- handlers -----------------------------------------------------------------------------------
    def createmeta_types(self, request: Request, v: str, project: str) -> Any:
        p = self.store.project(project)
        start, size = int(request.args.get("startAt", 0)), min(int(request.args.get("maxResults", 50)), 200)
        types = [self.store.render_type(t) for t in p["types"]]
        page = types[start : start + size]
        return {
            "maxResults": size,
            "startAt": start,
            "total": len(types),
            ("values" if self.server else "issueTypes"): page,
        }

    def createmeta_fields(self, request: Request, v: str, project: str, type_id: str) -> Any:
        p = self.store.project(project)
        if type_id not in p["types"]:
            raise ApiError(
                404, f"Issue type with id '{type_id}' does not exist or is not visible in project {p['key']}."
            )
        config = self._accounts().get(p["key"]) or AccountConfig()
        if "CREATE_ISSUES" in config.denied:
            metas: list[dict[str, Any]] = []
        else:
            metas = [
                self._meta(f, required=f in ("summary", "project", "issuetype"))
                for f in self._screen()
                if f not in config.not_on_create
            ]
            metas += [
                self._meta(r.field_id, required=True, allowed=r.allowed, default=r.default) for r in config.required
            ]
        start, size = int(request.args.get("startAt", 0)), min(int(request.args.get("maxResults", 50)), 200)
        return {
            "maxResults": size,
            "startAt": start,
            "total": len(metas),
            ("values" if self.server else "fields"): metas[start : start + size],
        }

    def editmeta(self, request: Request, v: str, ref: str) -> Any:
        issue = self.store.issue(ref)
        config = self._accounts().get(self.store.projects[issue.project_id]["key"]) or AccountConfig()
        shown = [f for f in self._screen() if f not in ("project", "issuetype") and f not in config.not_on_edit]
        metas = {f: self._meta(f, required=f == "summary") for f in shown}
        return {
            "fields": {f: {k: v for k, v in m.items() if k != "fieldId"} for f, m in metas.items()}
        }  # FieldMetadata

    def my_permissions(self, request: Request, v: str) -> Any:
        wanted = [p.strip() for p in (request.args.get("permissions") or "").split(",") if p.strip()]
        if not wanted:
            raise ApiError(400, "The permissions query parameter is required.")
        key = request.args.get("projectKey") or request.args.get("projectId")
        config = self.account_of(key) if key else None
        out = {}
        for perm in wanted:
            if perm not in PERMISSIONS:
                raise ApiError(400, f"Invalid permission key: {perm}")
            out[perm] = {
                "id": str(10 + list(PERMISSIONS).index(perm)),
                "key": perm,
                "name": PERMISSIONS[perm],
                "type": "PROJECT",
                "description": f"Ability to {PERMISSIONS[perm].lower()}.",
                "havePermission": config is None or perm not in config.denied,
            }
        return {"permissions": out}

    # -- helpers -------------------------------------------------------------------------------------

    def _screen(self) -> list[str]:
        return [*DEFAULT_SCREEN, *([EPIC_NAME, EPIC_LINK] if self.server else [])]

    def _meta(
        self, fid: str, *, required: bool, allowed: list[str] | None = None, default: str | None = None
    ) -> dict[str, Any]:
        row = next(f for f in self.store.fields if f[0] == fid)
        schema: dict[str, Any] = {"type": row[3], ("custom" if row[2] else "system"): row[4]}
        if row[2]:
            schema["customId"] = int(fid.split("_")[1])
        out: dict[str, Any] = {
            "fieldId": fid,
            "key": fid,
            "name": row[1],
            "required": required,
            "schema": schema,
            "hasDefaultValue": default is not None,
            "operations": ["set"],
        }
        if allowed is not None:
            out["allowedValues"] = [
                {"self": f"{self.root_url}/rest/api/2/customFieldOption/{100 + i}", "value": a, "id": str(100 + i)}
                for i, a in enumerate(allowed)
            ]  # RequiredField.option_ids
        if default is not None:
            out["defaultValue"] = {"value": default}
        return out
