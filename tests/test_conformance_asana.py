"""The provider conformance kit on Asana: the real `asana` SDK (over our requests session) to the loopback emulator."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from collabsync.model import parse_marker
from collabsync.testing.asana import AsanaEmulator
from collabsync.testing.conformance import ProviderConformance, Subject, describe_task


def inventory(emu: AsanaEmulator, instance: str) -> Counter[str]:
    """The instance's project, its sections, tasks (name, notes lines, section) and dependencies, by content."""
    out: Counter[str] = Counter()
    with emu.lock:
        projects = [g for g, p in emu.store.projects.items() if parse_marker(p["notes"]) == (instance, None)]
        sections = [s["name"] for s in emu.store.sections.values() if s["project"] in projects]
    out["container"] += len(projects)
    out.update(f"section {name}" for name in sections)
    for project in projects:
        tasks = emu.project_tasks(project)
        keys = {t["gid"]: (parse_marker(t["notes"]) or ("", f"?{t['gid']}"))[1] for t in tasks}
        for task in tasks:
            key = keys[task["gid"]]
            section = next((m["section"]["name"] for m in task["memberships"] if m.get("section")), None)
            out.update(describe_task(key, task["name"], task["notes"], section=section))
            out.update(f"link {key} -> {keys.get(d['gid'], 'elsewhere')}" for d in task["dependencies"])
    return out


class TestAsanaConformance(ProviderConformance):
    @pytest.fixture
    def subject(self) -> Iterator[Subject]:
        with AsanaEmulator(per_minute=None) as emu:  # the kit makes hundreds of writes; limits are tested elsewhere
            yield Subject(
                settings_toml=(
                    f'type = "asana"\ntoken = "{emu.token}"\nworkspace = "{emu.workspace_gid}"\n'
                    f'team = "{emu.team_gid}"\nbase_url = "{emu.base_url}"\nmax_retries = 1\nbackoff = 0'
                ),
                destination={"team": emu.team_gid},
                inventory=lambda instance: inventory(emu, instance),
                faults=emu,
                round_trip=frozenset({"title", "status", "start", "due", "section", "depends_on"}),
            )  # no labels in Asana
