"""The ledger's plan JSON parsed task by task (json object hook) reads back exactly what was written."""

from __future__ import annotations

import datetime as dt

from collabsync.ledger_rows import spec_from_json, spec_to_json
from collabsync.model import ProjectSpec, SectionSpec, TaskSpec


def _plan(variables: dict) -> ProjectSpec:
    tasks = tuple(
        TaskSpec(
            key=f"t{i}",
            title=f"Step {i}",
            department=("sales", "hr")[i % 2],
            section="plan" if i % 3 else None,
            start=dt.date(2027, 1, 4) + dt.timedelta(days=i) if i % 4 else None,
            due=dt.date(2027, 1, 8) + dt.timedelta(days=i),
            estimate=float(i) if i % 5 else None,
            depends_on=(f"t{i - 1}",) if i else (),
            labels=("x", "y") if i % 2 else (),
            notes="n" * i,
            assignee="ann" if i % 3 == 0 else None,
            checklist=("a",) if i == 7 else (),
            milestone=i == 9,
            role="lead" if i == 3 else None,
        )
        for i in range(12)
    )
    return ProjectSpec("nova", "launch", "Nova", "d", ("sales", "hr"), (SectionSpec("plan", "Plan"),), tasks, variables)


def test_plan_round_trips_with_shared_days() -> None:
    plan = _plan({"owner": "ann", "nested": [{"a": 1}]})
    back = spec_from_json(spec_to_json(plan))
    assert back == plan
    assert back.tasks[1].due == dt.date(2027, 1, 9) and isinstance(back.tasks[1], TaskSpec)


def test_a_variable_shaped_like_a_task_stays_a_mapping() -> None:
    shaped = {"key": "k", "title": "t", "department": "d", "start": None, "due": "2027-01-01", "depends_on": []}
    shaped["labels"] = []
    plan = _plan({"odd": [shaped], "deep": {"again": dict(shaped)}})
    back = spec_from_json(spec_to_json(plan))
    assert back.variables == plan.variables
    assert back.tasks == plan.tasks


def test_old_rows_without_checklist_role_or_milestone_read() -> None:
    text = (
        '{"instance": "n", "template": "t", "title": "N", "description": "", "departments": ["a"],'
        ' "sections": [], "tasks": [{"key": "k", "title": "T", "department": "a", "section": null,'
        ' "start": "2027-01-04", "due": null, "estimate": null, "depends_on": [], "labels": [], "notes": "",'
        ' "assignee": null}]}'
    )
    back = spec_from_json(text)
    assert back.tasks == (TaskSpec("k", "T", "a", start=dt.date(2027, 1, 4)),)
    assert back.variables == {}
