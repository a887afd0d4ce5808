"""Shared by the Jira emulator's spec-driven tests: the served operations, the spec cut to them, known deviations."""

from __future__ import annotations

import functools
import json
import re
from typing import Any

import requests

from collabsync.testing.jira import JiraEmulator
from specs import spec_file

_VERSIONED = '/rest/api/<any("2","3","latest"):v>'

#: (METHOD, spec path, check, status) -> why the emulator answers differently from the v3 spec, on purpose or
#: because the spec is wrong. The schemathesis run skips exactly that check for that operation and status;
#: ("*", "*", "format date-time", 0) rewrites the spec instead. docs/emulators-jira.md explains each entry.
KNOWN_DEVIATIONS: dict[tuple[str, str, str, int], str] = {
    (
        "*",
        "*",
        "format date-time",
        0,
    ): "spec bug: Jira writes timestamps as 2026-11-23T10:41:51.000+0000 (offset without a colon), which the "
    "RFC 3339 `date-time` format refuses; real Jira and the emulator agree, so the format is not checked",
    (
        "GET",
        "/rest/api/3/search",
        "status_code_conformance",
        410,
    ): "removed from Jira Cloud (CHANGE-2046): the emulator answers 410 Gone, which the mirrored spec does not list",
    (
        "POST",
        "/rest/api/3/search",
        "status_code_conformance",
        410,
    ): "removed from Jira Cloud (CHANGE-2046): the emulator answers 410 Gone, which the mirrored spec does not list",
    (
        "POST",
        "/rest/api/3/issue/bulk",
        "response_schema_conformance",
        400,
    ): "a request-level refusal (no issueUpdates list, more than 50 items) answers Jira's ErrorCollection; the "
    "spec documents only the per-item CreatedIssues shape for 400, which has no place for such a message",
}
for _path in (
    "/rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes",
    "/rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes/{issueTypeId}",
):
    KNOWN_DEVIATIONS[("GET", _path, "status_code_conformance", 404)] = (
        "spec gap: a project (or issue type) that does not exist or is not visible answers 404 with errorMessages, "
        "as every project-scoped Jira route does; the spec lists only 200/400/401 for createmeta"
    )
for _method, _path in (
    ("PUT", "/rest/api/3/issue/{issueIdOrKey}"),
    ("POST", "/rest/api/3/issue/{issueIdOrKey}/transitions"),
    ("PUT", "/rest/api/3/issue/{issueIdOrKey}/assignee"),
):
    for _check in ("content_type_conformance", "response_schema_conformance"):
        KNOWN_DEVIATIONS[(_method, _path, _check, 204)] = (
            "spec artefact: 204 No Content is listed with an application/json body (schema {}); Jira sends no body "
            "and so no Content-Type, and so does the emulator"
        )


def skipped_checks(method: str, path: str, status: int) -> set[str]:
    """The check names KNOWN_DEVIATIONS turns off for one operation's answer with this status."""
    return {check for (m, p, check, s) in KNOWN_DEVIATIONS if (m, p, s) == (method, path, status)}


def session(emu: JiraEmulator) -> requests.Session:
    """A requests session signed in as the emulator's admin (email + API token)."""
    s = requests.Session()
    s.auth = (emu.email, emu.api_token)
    s.headers["Accept"] = "application/json"
    return s


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


@functools.cache
def _spec() -> dict[str, Any]:
    return json.loads(spec_file("jira", "swagger-v3.v3.json").read_text())


def served_operations() -> list[tuple[str, str]]:
    """(METHOD, v3 spec path) for every route the emulator's routing table serves, no more."""
    by_shape = {_shape(p): p for p in _spec()["paths"]}
    out: list[tuple[str, str]] = []
    for rule in JiraEmulator._rules:
        shape = re.sub(r"<[^>]+>", "{}", rule.rule.replace(_VERSIONED, "/rest/api/3"))
        path = by_shape.get(shape)
        if path is None:
            raise LookupError(
                f"served route {rule.rule} has no operation in the v3 spec, so the schema-driven "
                "check cannot cover it: serve only documented routes"
            )
        out += [(m, path) for m in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})]
    return out


def served_spec() -> dict[str, Any]:
    """The v3 spec restricted to the served operations (components kept whole for $refs)."""
    spec = _spec()
    served: dict[str, dict[str, Any]] = {}
    for method, path in served_operations():
        item = spec["paths"][path]
        kept = served.setdefault(path, {k: v for k, v in item.items() if k == "parameters"})
        kept[method.lower()] = item[method.lower()]
    out = {**spec, "paths": served}
    return _without_date_time(out) if ("*", "*", "format date-time", 0) in KNOWN_DEVIATIONS else out


def _without_date_time(node: Any) -> Any:
    """A copy of a spec tree with every `format: date-time` dropped (see KNOWN_DEVIATIONS)."""
    if isinstance(node, dict):
        return {k: _without_date_time(v) for k, v in node.items() if not (k == "format" and v == "date-time")}
    if isinstance(node, list):
        return [_without_date_time(v) for v in node]
    return node


def datacenter_toml(dc: JiraEmulator, name: str = "jira") -> str:
    """A `[providers.NAME]` table that points collabsync at a Data Center emulator with its personal access token."""
    return (
        f'[providers.{name}]\ntype = "jira"\nurl = "{dc.root_url}"\ntoken = "{dc.pat}"\n'
        'deployment = "datacenter"\nmax_retries = 1\nbackoff = 0.01\n'
    )
