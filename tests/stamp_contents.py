"""What a stamp leaves in the local tool and the ledger, timestamps aside: the stamping fast paths must leave
exactly what they left before (tests/data/stamp_contents.json was written by the code before them)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from click.testing import CliRunner

#: Each case: template (a shipped name, or "generated"), instance name, then --var/--role options.
CASES: dict[str, list[str]] = {
    "product-launch": ["--var", "product=Nova", "--var", "launch=2027-03-01", "--role", "eng_lead=eng@example.com"],
    "customer-onboarding": ["--var", "customer=Acme", "--var", "kickoff=2027-02-01", "--var", "seats=250"],
    "collaboration-program": ["--var", "program=Bridge", "--var", "start=2027-01-11"],
    "generated": ["--var", "product=Vega", "--var", "launch=2027-12-01"],
}

_QUERIES = {
    "local.sqlite": {
        "containers": "SELECT id, space, name, description FROM containers ORDER BY id",
        "sections": "SELECT id, container_id, name, position FROM sections ORDER BY id",
        "tasks": "SELECT id, container_id, section_id, title, description, status, assignee, start, due, estimate,"
        " labels, checklist FROM tasks ORDER BY id",
        "dependencies": "SELECT task_id, depends_on_id FROM dependencies ORDER BY 1, 2",
    },
    "ledger.sqlite": {
        "instances": "SELECT name, template, source, variables, spec, state FROM instances ORDER BY name",
        "ledger_containers": "SELECT instance, department, provider, ref, name, url, extra FROM containers"
        " ORDER BY rowid",
        "objects": "SELECT instance, department, kind, key, provider, ref, url, state, error FROM objects ORDER BY rowid",
        "links": "SELECT instance, blocked, blocking, kind, state, error FROM links ORDER BY rowid",
        "subwrites": "SELECT instance, owner, kind, item, state FROM subwrites ORDER BY rowid",
        "written": "SELECT instance, key, title, start, due, assignee, pending FROM written ORDER BY rowid",
        "template_stamps": "SELECT instance, template, content_hash, version FROM template_stamps ORDER BY instance",
    },
}


def generated_template(n: int = 60) -> str:
    """A template using what the shipped ones use little: checklists, labels, notes, weeks, cross-department
    dependencies, milestones and several dependencies per task."""
    departments = ["sales", "engineering", "finance", "support"]
    lines = [
        "template: generated",
        'title: "{{ product }} rollout"',
        'description: "Everything for {{ product }}"',
        "variables:",
        "  product: {type: string, description: Product}",
        "  launch: {type: date, description: Launch day}",
        "calendar: {country: US}",
        f"departments: [{', '.join(departments)}]",
        "sections:",
        "  - {key: early, title: Early}",
        "  - {key: late, title: Late}",
        "tasks:",
    ]
    for i in range(n):
        unit = ("bd", "d", "w")[i % 3]
        back = (n - i) * (1 if unit == "w" else 3)
        lines += [
            f"  - key: k{i}",
            f'    title: "{"Ship {{ product }} part " if i % 2 else "Part "}{i}"',
            f"    department: {departments[i % len(departments)]}",
            f"    start: launch - {back + 2}{unit}",
            f"    due: launch - {back}{unit}",
        ]
        if i % 4:
            lines.append(f"    section: {'early' if i < n // 2 else 'late'}")
        if i % 5 == 0:
            lines.append(f"    estimate: {i % 7 + 0.5}")
        if i % 6 == 1:
            lines.append('    notes: "Check {{ product }} with finance"')
        if i % 7 == 2:
            lines.append("    checklist: [draft, review, 'sign off']")
        if i % 8 == 3:
            lines.append("    labels: [urgent, q4]")
        if i % 9 == 4:
            lines.append("    milestone: true")
        deps = [f"k{j}" for j in (i - 1, i - 5) if j >= 0]
        if deps:
            lines.append(f"    depends_on: [{', '.join(deps)}]")
    return "\n".join(lines) + "\n"


def stamp_case(name: str, workdir: Path) -> None:
    """Stamp one case into the home the environment names."""
    from collabsync.cli import main

    template = name
    if name == "generated":
        template = str(workdir / "generated.yaml")
        Path(template).write_text(generated_template(), encoding="utf-8")
    result = CliRunner().invoke(main, ["stamp", template, "--name", f"i-{name}", *CASES[name], "--yes"])
    assert result.exit_code == 0, result.output


def contents(home: Path) -> dict[str, Any]:
    """Every row a stamp writes, as JSON values, timestamps left out."""
    out: dict[str, Any] = {}
    for filename, queries in _QUERIES.items():
        with sqlite3.connect(home / filename) as db:
            for table, sql in queries.items():
                out[table] = [list(row) for row in db.execute(sql)]
    return json.loads(json.dumps(out))
