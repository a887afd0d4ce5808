"""The faster rollup body (groups, lists, contributions, hand-offs, task lines, HTML) gives what the old one gave.

On generated 5,000-task instances (several tools and departments, every status, late and blocked work, cross-department
links, a stale department, odd weights and dates), build_report and the renderers are compared with the code as it
was before (tests/rollup_body_reference.py), which the golden reports do not exercise at this scale.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from collabsync.model import ProjectSpec, SectionSpec, Status, Task, TaskSpec
from collabsync.report.render import render
from collabsync.report.rollup import build_report
from collabsync.report.rollup_groups import sorted_by_due
from collabsync.report.rollup_lines import task_lines
from collabsync.report.rollup_model import TaskLine
from rollup_body_reference import build_report as reference_report
from rollup_body_reference import task_lines as reference_lines

TODAY = dt.date(2027, 3, 10)
DEPARTMENTS = ("sales", "engineering", "finance", "hr", "it", "support")


def _instance(
    seed: int, *, weights: tuple[float | None, ...], one_tool: bool, links: float = 0.6, today: dt.date = TODAY
) -> dict[str, Any]:
    """A plan of 5,000 keyed tasks in four sections and the tools' tasks for it (plus tracked ones without a key)."""
    rng = random.Random(seed)
    day = TODAY - dt.timedelta(days=90)
    specs = []
    for i in range(5000):
        start = day + dt.timedelta(days=rng.randrange(150))
        deps = (f"k{i - 1}",) if i and rng.random() < links else ()
        if i > 10 and rng.random() < 0.1:
            deps += (f"k{rng.randrange(i - 1)}",)
        specs.append(
            TaskSpec(
                f"k{i}",
                f"Step {i % 700}",  # titles repeat: ties in the lists' order are broken by position
                DEPARTMENTS[(i // 40) % len(DEPARTMENTS)],
                section=f"s{i * 4 // 5000}",
                start=start,
                due=start + dt.timedelta(days=rng.randrange(1, 20)) if rng.random() < 0.95 else None,
                estimate=rng.choice(weights),
                depends_on=deps,
                milestone=i % 97 == 0,
            )
        )
    plan = ProjectSpec(
        "big",
        "scale",
        "Big",
        "",
        DEPARTMENTS,
        tuple(SectionSpec(f"s{n}", f"Phase {n}") for n in range(4)),
        tuple(specs),
    )
    tools = ("local",) if one_tool else ("jira", "trello", "local")
    tasks = []
    for i, spec in enumerate(specs):
        if rng.random() < 0.03:
            continue  # not (yet) in any tool
        status = rng.choice(list(Status))
        tool = tools[(i // 40 + (i % 7 == 0)) % len(tools)]  # most departments in one tool, some in two
        tasks.append(
            Task(
                ref=f"R{i % 4990}",  # a few refs twice in one tool: ids get a #2
                title=spec.title,
                status=status if i % 2 else status.value,  # type: ignore[arg-type]
                key=spec.key if rng.random() < 0.97 else None,
                section=spec.section,
                department=None if i % 11 == 0 else spec.department,
                assignee=rng.choice([None, "ann", "ben", "chen", "dev", "eve", "fay"]),
                start=spec.start if rng.random() < 0.8 else None,
                due=(spec.due + dt.timedelta(days=rng.choice([0, 0, 0, 2, -3]))) if spec.due else None,
                estimate=rng.choice(weights) if rng.random() < 0.3 else None,
                depends_on=[f"R{i - 3}"] if i > 3 and rng.random() < 0.05 else [],
                url=rng.choice([f"https://{tool}.example.com/R{i}", "javascript:alert(1)", "", f"http://x.test/{i}"]),
                updated=dt.datetime(2027, 3, 1, 9, tzinfo=dt.UTC) + dt.timedelta(days=rng.randrange(20)),
                provider=tool,
            )
        )
    for i in range(150):  # tracked work: no key, some with no department at all
        tasks.append(
            Task(
                ref=f"T{i}",
                title=f"Tracked {i}",
                status=rng.choice(list(Status)),
                department=rng.choice([None, "ops", "sales"]),
                assignee=rng.choice([None, "gus"]),
                due=TODAY + dt.timedelta(days=rng.randrange(-20, 20)) if i % 3 else None,
                provider=tools[i % len(tools)],
            )
        )
    extra = [(f"k{rng.randrange(5000)}", f"k{rng.randrange(5000)}") for _ in range(60)]
    return {
        "tasks": tasks,
        "today": today,
        "instance": "big",
        "plan": plan,
        "extra_deps": extra,
        "stale": {"finance": dt.datetime(2027, 3, 9, 8, 0, tzinfo=dt.UTC)},
        "departments": ("legal",),
        "warnings": ("finance could not be read: timeout",),
        "generated_at": dt.datetime(2027, 3, 10, 7, 0, tzinfo=dt.UTC),
    }


CASES = {
    "whole-days": dict(seed=1, weights=(None, 1, 2, 3, 5), one_tool=False),
    # little overdue, blocked or waiting work: the lists are sorted one by one
    "halves": dict(
        seed=2, weights=(None, 0.5, 1.5, 2.5), one_tool=True, links=0.02, today=TODAY - dt.timedelta(days=80)
    ),
    "tenths": dict(seed=3, weights=(None, 0.1, 0.7, 1.3, 2), one_tool=False),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_report_matches_the_old_rollup(case: str) -> None:
    kw = _instance(**CASES[case])  # type: ignore[arg-type]
    new = build_report(**kw)
    old = reference_report(**kw)  # the tasks are only read
    assert len(new.tasks) > 4900 and new.overdue and new.blocked and new.waiting and new.due_soon
    assert new.handoffs and any(line.late_days for line in new.tasks) and any(line.late_because for line in new.tasks)
    assert new.to_dict() == old.to_dict()  # what the JSON format holds
    for fmt in ("html", "md", "csv"):
        assert render(new, fmt) == render(old, fmt), fmt


def test_sorted_by_due_is_the_old_sort_even_with_the_last_day() -> None:
    rng = random.Random(4)
    days = [None, dt.date.max, dt.date(2027, 1, 1), dt.date(2027, 1, 2)]
    lines = [
        TaskLine(f"p:{i}", str(i), None, rng.choice("abc"), rng.choice(("x", "y")), "p", "todo", due=rng.choice(days))
        for i in range(400)
    ]

    def by_due(line: TaskLine) -> tuple[dt.date, str, str]:
        return (line.due or dt.date.max, line.department, line.title)

    assert [line.id for line in sorted_by_due(lines)] == [line.id for line in sorted(lines, key=by_due)]
    lines = [line for line in lines if line.due != dt.date.max]
    assert [line.id for line in sorted_by_due(lines)] == [line.id for line in sorted(lines, key=by_due)]


def test_repeated_ids_are_numbered_as_before() -> None:
    refs = ["a", "a", "a#2", "a", "b", "a#2", "a#3", "b"]
    tasks = [Task(ref=r, title=r, status=Status.TODO, provider=p) for r in refs for p in ("jira", None)]
    new = [line.id for line, _ in task_lines(tasks, {}, TODAY, {})]
    assert new == [line.id for line, _ in reference_lines(tasks, {}, TODAY, {})]
    assert len(set(new)) == len(new)
