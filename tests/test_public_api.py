"""`collabsync.__all__` names the CLI's verbs, each importable, none loaded by `import collabsync`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import collabsync

PACKAGE = Path(collabsync.__file__).parent
VERBS = {
    "find_template",
    "build_plan",
    "apply_plan",
    "track_source",
    "untrack_source",
    "collect",
    "status_summary",
    "filter_tasks",
    "update_status",
    "make_report",
    "build_report",
    "render_report",
    "History",
}


def test_every_exported_name_resolves_and_the_verbs_are_there() -> None:
    assert VERBS <= set(collabsync.__all__)
    missing = [name for name in collabsync.__all__ if getattr(collabsync, name, None) is None]
    assert missing == []
    assert collabsync.track_source.__module__ == "collabsync.reading.track"
    assert collabsync.render_report.__module__ == "collabsync.report.render"


def test_no_verb_is_shadowed_by_a_submodule_of_the_same_name() -> None:
    """`import collabsync.report.render` sets the package attribute `render` to the module: a verb may not share it."""
    submodules = {p.stem for p in PACKAGE.glob("*.py")} | {p.name for p in PACKAGE.iterdir() if p.is_dir()}
    assert sorted(set(collabsync.__all__) & submodules) == []


def test_import_collabsync_loads_no_verb_module() -> None:
    code = (
        "import sys, collabsync; print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'jinja2', 'jsonschema', 'yaml', 'rich', 'requests', 'asana', 'trello', 'jira'} "
        "or m in {'collabsync.stamping.stamp', 'collabsync.reading.query', 'collabsync.report.reporting', 'collabsync.report.rollup'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"
