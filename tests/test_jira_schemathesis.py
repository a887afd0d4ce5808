"""Property-based check of the Jira emulator against Atlassian's v3 OpenAPI spec, with schemathesis.

Every operation the emulator serves (read from its routing table, no more) gets a bounded, derandomized
number of generated requests. Each answer must use a status the operation documents, match its schema, and
every refusal must be Jira's ErrorCollection (``{"errorMessages": [...], "errors": {...}}``). Path ids are
swapped for real ones half the time, so not every answer is a 404. Known deviations: ``KNOWN_DEVIATIONS``
in jira_support.py.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from collabsync.testing.jira import JiraEmulator
from jira_support import served_operations, served_spec, skipped_checks

MAX_EXAMPLES = 10
try:  # the spec decides the parameters: without it (outside CI) the whole module skips, saying where to put it
    OPERATIONS = served_operations()
except pytest.skip.Exception as missing:
    pytest.skip(str(missing), allow_module_level=True)


def error_collection(ctx: Any, response: Any, case: Any) -> bool | None:
    """Jira answers a 4xx with an ErrorCollection JSON body unless the operation documents another shape."""
    documented = case.operation.definition.raw.get("responses", {}).get(str(response.status_code), {})
    if (
        400 <= response.status_code < 500
        and response.content
        and not documented.get("content", {}).get("application/json", {}).get("schema")
    ):
        body = response.json()
        assert (
            isinstance(body, dict)
            and isinstance(body.get("errorMessages"), list)
            and isinstance(body.get("errors"), dict)
        ), f"{response.status_code} body is not an ErrorCollection: {body!r:.200}"
        assert body["errorMessages"] or body["errors"], "an error without any message"
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    error_collection,
]


@pytest.fixture(scope="module")
def emulator() -> Iterator[JiraEmulator]:
    with JiraEmulator() as running:
        running.add_project("ENG", "Engineering")
        yield running


@pytest.fixture(scope="module")
def jira_schema() -> Any:
    return schemathesis.openapi.from_dict(served_spec())


def _seed(emu: JiraEmulator) -> dict[str, str]:
    """Fresh objects for one example, so edits in one example do not decide the next."""
    key = emu.add_issue("ENG", "generated", description="text", labels=["x"])
    return {
        "issueIdOrKey": key,
        "projectIdOrKey": "ENG",
        "projectId": emu.store.project("ENG")["id"],
        "accountId": emu.admin,
        "id": emu.add_comment(key, "seeded"),
    }


def _real_ids(case: Any, ids: dict[str, str]) -> None:
    """Half the generated ids (chosen by a checksum of the value, so runs repeat) become real ones."""
    for container in (case.path_parameters, case.query):
        for name, value in list((container or {}).items()):
            if name in ids and zlib.crc32(repr(value).encode()) % 2 == 0:
                container[name] = ids[name]


@pytest.mark.parametrize(("method", "template"), OPERATIONS)
def test_served_operation_conforms(method: str, template: str, jira_schema: Any, emulator: JiraEmulator) -> None:
    operation = jira_schema[template][method]

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def generated(case: Any) -> None:
        _real_ids(case, _seed(emulator))
        response = case.call(base_url=emulator.root_url, timeout=10, auth=(emulator.email, emulator.api_token))
        skipped = skipped_checks(method, template, response.status_code)
        case.validate_response(response, checks=[c for c in CHECKS if c.__name__ not in skipped])

    generated()
