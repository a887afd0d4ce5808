"""The provider conformance kit on the example third-party provider (tests/example_provider.py)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from collabsync.model import parse_marker
from collabsync.testing.conformance import ProviderConformance, Subject, describe_task


def inventory(path: Path, instance: str) -> Counter[str]:
    """Containers, sections, tasks and dependencies of one instance in the JSON file, by content."""
    out: Counter[str] = Counter()
    if not path.exists():
        return out
    data = json.loads(path.read_text(encoding="utf-8"))
    mine = {r for r, c in data["containers"].items() if parse_marker(c["description"]) == (instance, None)}
    out["container"] += len(mine)
    out.update(f"section {s['title']}" for s in data["sections"].values() if s["container"] in mine)
    tasks = {r: t for r, t in data["tasks"].items() if t["container"] in mine}
    keys = {r: (parse_marker(t["description"]) or ("", f"?{r}"))[1] for r, t in tasks.items()}
    for ref, task in tasks.items():
        out.update(describe_task(keys[ref], task["title"], task["description"], labels=task["labels"]))
        out.update(f"link {keys[ref]} -> {keys.get(d, 'elsewhere')}" for d in task["depends_on"])
    return out


class TestExampleProviderConformance(ProviderConformance):
    @pytest.fixture
    def subject(self, tmp_path: Path) -> Subject:
        path = tmp_path / "tasks.json"
        return Subject(
            settings_toml=f'type = "example-json"\npath = "{path}"',
            destination={"folder": "kit"},
            inventory=lambda instance: inventory(path, instance),
            plugins={"example-json": "example_provider:JsonFileProvider"},
        )
