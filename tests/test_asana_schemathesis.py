"""Property-based check of the Asana emulator against Asana's OpenAPI spec, with schemathesis.

Every operation the emulator serves (read from its routing table, no more) gets a bounded number of
valid and invalid requests; each response must use a status the operation documents and match its
schema (errors included: ``{"errors": [{"message", "help"}]}``). Valid requests get real, freshly
seeded gids so the answers are not only refusals. Known deviations: ``KNOWN_DEVIATIONS`` in
asana_support.py.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from asana_support import served_operations, served_spec, skipped_checks
from collabsync.testing.asana import AsanaEmulator

MAX_EXAMPLES = 8
ALL_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
CHECKS = [c for c in ALL_CHECKS if c.__name__ not in skipped_checks()]


@pytest.fixture(scope="module")
def emulator() -> Iterator[AsanaEmulator]:
    """No per-minute budget: volume is not under test here (429 and Retry-After: test_asana_documented.py)."""
    with AsanaEmulator(per_minute=None) as running:
        yield running


@pytest.fixture(scope="module")
def asana_schema() -> Any:
    return schemathesis.openapi.from_dict(served_spec())


def _seed(emu: AsanaEmulator) -> dict[str, str]:
    """Fresh objects for one example (deletes in one example must not starve the next)."""
    project = emu.add_project("Generated")
    task = emu.add_task(project, "generated task", due_on="2027-01-02")
    story = emu.add_comment(task, "hello")
    status = emu.add_status_update(project, "on_track", "fine", title="S")
    return {
        "workspace": emu.workspace_gid,
        "team": emu.team_gid,
        "project": project,
        "task": task,
        "section": emu.store.projects[project]["sections"][0],
        "user": emu.user_gid,
        "story": story,
        "status_update": status,
        "custom_field": emu.status_field_gid,
        "parent": project,
    }


def _real_ids(case: Any, gids: dict[str, str], valid: bool) -> None:
    """In a valid request every id is a real one and no made-up ``offset`` (a token only the server
    issues) is sent; in an invalid one half the ids (by a checksum of the value, so runs repeat) are."""
    for container in (case.path_parameters, case.query):
        for name, value in list((container or {}).items()):
            kind = name.removesuffix("_gid")
            if valid and name == "offset":
                del container[name]
            elif kind in gids and (valid or zlib.crc32(repr(value).encode()) % 2 == 0):
                container[name] = gids[kind]


@pytest.mark.parametrize(("method", "template"), served_operations())
def test_served_operation_conforms(method: str, template: str, asana_schema: Any, emulator: AsanaEmulator) -> None:
    operation = asana_schema[template][method.upper()]

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        drawn=operation.as_strategy().map(lambda c: (c, True))
        | operation.as_strategy(GenerationMode.NEGATIVE).map(lambda c: (c, False))
    )
    def generated(drawn: tuple[Any, bool]) -> None:
        case, valid = drawn
        _real_ids(case, _seed(emulator), valid)
        response = case.call(
            base_url=emulator.base_url, timeout=10, headers={"Authorization": f"Bearer {emulator.token}"}
        )
        case.validate_response(response, checks=CHECKS)

    generated()
