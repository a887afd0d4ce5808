"""The provider conformance kit on Jira Cloud: the real `jira` SDK over HTTP to the loopback emulator."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from collabsync.model import parse_marker
from collabsync.testing.conformance import ProviderConformance, Subject, describe_task
from collabsync.testing.jira import JiraEmulator


def inventory(emu: JiraEmulator, instance: str) -> Counter[str]:
    """The instance's epic, issues (summary, description lines, labels, parent) and links, by content."""
    out: Counter[str] = Counter()
    keys: dict[str, str] = {}
    epics: set[str] = set()
    for issue in emu.project_issues("ENG"):
        found = parse_marker(emu.issue_json(issue.key)["fields"]["description"] or "")
        if not found or found[0] != instance:
            continue
        if found[1] is None:
            out["container"] += 1
            epics.add(issue.id)
            continue
        keys[issue.id] = found[1]
    for issue in emu.project_issues("ENG"):
        if issue.id in keys:
            key = keys[issue.id]
            out.update(
                describe_task(
                    key,
                    issue.summary,
                    emu.issue_json(issue.key)["fields"]["description"] or "",
                    labels=list(issue.labels),
                )
            )
            out[f"parent {key}: {'epic' if issue.parent_id in epics else issue.parent_id}"] += 1
    with emu.lock:
        links = list(emu.store.links)
    for _, _, inward, outward in links:
        if inward in keys and outward in keys:
            out[f"link {keys[inward]} blocks {keys[outward]}"] += 1
    return out


class TestJiraConformance(ProviderConformance):
    @pytest.fixture
    def subject(self) -> Iterator[Subject]:
        with JiraEmulator() as emu:
            emu.add_project("ENG", "Engineering")
            yield Subject(
                settings_toml=(
                    f'type = "jira"\nurl = "{emu.root_url}"\nemail = "{emu.email}"\n'
                    f'api_token = "{emu.api_token}"\ndeployment = "cloud"\nmax_retries = 1\nbackoff = 0'
                ),
                destination={"project": "ENG"},
                inventory=lambda instance: inventory(emu, instance),
                faults=emu,
                round_trip=frozenset({"title", "status", "due", "labels", "section", "depends_on"}),
            )  # no start field
