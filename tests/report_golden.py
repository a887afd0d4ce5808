"""Reports of the shipped templates (and a plan of long chains) on fixed days, for byte-for-byte comparisons.

Each plan's tasks are spread over three tools with a fixed mix of statuses, assignees and tool-side links;
a first run is stored, a second run three days on (some work done, moved, reassigned, removed, added)
compares with it. `python tests/report_golden.py FILE` writes the SHA-256 of every rendered report into FILE:
tests/data/report-golden.json was written so by the code before the 100k work (issue 17), and
test_report_golden.py checks that today's code renders the same bytes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import sys
import tempfile
from pathlib import Path

from collabsync.dates import Calendar
from collabsync.model import ProjectSpec, Status, Task
from collabsync.report.history import History
from collabsync.report.render import render
from collabsync.report.rollup import build_report
from collabsync.templating.template import find_template, load_template

FORMATS = ("html", "md", "json", "csv")
TOOLS = ("jira", "trello", "asana")
STATUSES = (Status.DONE, Status.IN_PROGRESS, Status.TODO, Status.DONE, Status.BLOCKED, Status.TODO, Status.CANCELLED)
PEOPLE = ("ana", "ben", None, "chen", "dev")
ANCHORS = {
    "product-launch": {"product": "Nova", "launch": "2027-03-01"},
    "customer-onboarding": {"customer": "Acme", "kickoff": "2027-01-11"},
    "collaboration-program": {"program": "Bridges", "start": "2026-11-02"},
}


def _tasks(spec: ProjectSpec) -> list[Task]:
    """One task per planned task, in a tool per department, with a status, person and link by its position."""
    departments = list(spec.departments)
    out = []
    for i, s in enumerate(spec.tasks):
        tool = TOOLS[departments.index(s.department) % len(TOOLS)] if s.department in departments else "jira"
        out.append(
            Task(
                ref=f"R{i}",
                title=s.title,
                status=STATUSES[i % len(STATUSES)],
                key=s.key,
                section=s.section,
                department=s.department,
                assignee=PEOPLE[i % len(PEOPLE)],
                start=s.start,
                due=s.due,
                estimate=None if i % 4 == 0 else s.estimate,
                depends_on=[f"R{i - 2}"] if i % 5 == 3 and i >= 2 else [],
                url=f"https://{tool}.example.com/R{i}",
                updated=dt.datetime(2026, 12, 1 + i % 20, 9, 0, tzinfo=dt.UTC),
                provider=tool,
            )
        )
    return out


def _later(tasks: list[Task], day: dt.date) -> list[Task]:
    """Three days on: every 6th open task done, every 7th slips a week, every 9th reassigned, one gone, one new."""
    out = []
    for i, t in enumerate(tasks):
        t = dataclasses.replace(t, depends_on=list(t.depends_on), extra=dict(t.extra))
        if i == 4:
            continue
        if i % 6 == 1 and not t.status.closed:
            t.status, t.updated = Status.DONE, dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)
        if i % 7 == 2 and t.due:
            t.due += dt.timedelta(days=7)
        if i % 9 == 5:
            t.assignee = "erin"
        out.append(t)
    out.append(dataclasses.replace(tasks[0], ref="NEW1", key=None, title="Late addition", status=Status.TODO, due=day))
    return out


def _chain_template(n: int) -> str:
    """A plan of n tasks in long per-department chains over a US calendar (the shape of bench/scale.py's plans,
    kept here so a change to the benchmark does not change these reports)."""
    departments = ("sales", "marketing", "engineering", "finance")
    lines = ["template: chains", "title: Chains", "variables:", "  launch: {type: date, description: Launch}"]
    lines += ["calendar: {country: US}", f"departments: [{', '.join(departments)}]", "sections:"]
    lines += [f"  - {{key: p{k}, title: Phase {k}}}" for k in range(3)]
    lines.append("tasks:")
    for i in range(n):
        back = 300 - i * 290 // n
        lines += [f"  - key: c{i}", f'    title: "Chain step {i}"', f"    department: {departments[i % 4]}"]
        lines += [f"    section: p{i * 3 // n}", f"    start: launch - {back + 4}bd", f"    due: launch - {back}bd"]
        lines += [f"    estimate: {1 + i % 4}"] + ([f"    depends_on: [c{i - 4}]"] if i >= 4 else [])
        lines += ["    milestone: true"] if i % 50 == 49 else []
    return "\n".join(lines) + "\n"


def plans() -> dict[str, ProjectSpec]:
    """The shipped templates and a 240-task plan of long chains, rendered."""
    out = {name: find_template(name).render(name, values) for name, values in ANCHORS.items()}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "chains.yaml"
        path.write_text(_chain_template(240), encoding="utf-8")
        out["chains-240"] = load_template(path).render("chains-240", {"launch": "2028-06-01"})
    return out


def reports(store_dir: Path) -> dict[str, str]:
    """Every plan's two runs in every format, by file name."""
    texts: dict[str, str] = {}
    with History(store_dir) as store:
        for name, spec in plans().items():
            first = _tasks(spec)
            day = min(t.due for t in first if t.due) + dt.timedelta(days=20)
            runs = ((first, day), (_later(first, day + dt.timedelta(days=3)), day + dt.timedelta(days=3)))
            calendar = find_template(name).calendar if name in ANCHORS else Calendar("US")
            for n, (tasks, today) in enumerate(runs, 1):
                past = store.past(name)
                report = build_report(
                    tasks,
                    today=today,
                    instance=name,
                    plan=spec,
                    extra_deps=[("R5", "R1")],
                    calendar=calendar,
                    generated_at=dt.datetime.combine(today, dt.time(6), tzinfo=dt.UTC),
                    past=past,
                )
                store.save_snapshot(name, report, tasks, snapshot_id=past.id)
                for fmt in FORMATS:
                    texts[f"{name}-{n}.{fmt}"] = render(report, fmt)
    return texts


def digests(texts: dict[str, str]) -> dict[str, str]:
    """SHA-256 of each report's UTF-8 bytes, by file name."""
    return {name: hashlib.sha256(text.encode("utf-8")).hexdigest() for name, text in sorted(texts.items())}


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        found = digests(reports(Path(tmp)))
    Path(sys.argv[1]).write_text(json.dumps(found, indent=1) + "\n", encoding="utf-8")
