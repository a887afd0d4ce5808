"""How the ledger's rows encode what they hold (its tables, plans, containers), apart from the queries that use them."""

from __future__ import annotations

import copy
import datetime as dt
import json
from dataclasses import fields
from functools import cache
from typing import TYPE_CHECKING, Any

from collabsync.model import Container, DepartmentMap, TrackedSource

if TYPE_CHECKING:  # a plan's records, imported where a plan is read or written: a tracked read needs none (issue 17)
    from collabsync.model_specs import ProjectSpec

__all__ = [
    "SCHEMA",
    "OUTLINE_SCHEMA",
    "COLUMNS_SCHEMA",
    "follows_plan",
    "spec_to_json",
    "spec_from_json",
    "stored_extra",
    "stored_container",
]

SCHEMA = """
CREATE TABLE IF NOT EXISTS instances (
    name TEXT PRIMARY KEY, template TEXT, source TEXT, variables TEXT NOT NULL DEFAULT '{}',
    spec TEXT, state TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS containers (
    instance TEXT NOT NULL, department TEXT NOT NULL, provider TEXT NOT NULL, ref TEXT NOT NULL,
    name TEXT NOT NULL, url TEXT NOT NULL DEFAULT '', extra TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (instance, department, ref)
);
CREATE TABLE IF NOT EXISTS objects (
    instance TEXT NOT NULL, department TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL,
    provider TEXT NOT NULL, ref TEXT, url TEXT NOT NULL DEFAULT '', state TEXT NOT NULL,
    error TEXT, updated_at TEXT NOT NULL,
    PRIMARY KEY (instance, kind, key)
);
CREATE INDEX IF NOT EXISTS objects_ref ON objects (instance, ref);
CREATE TABLE IF NOT EXISTS links (
    instance TEXT NOT NULL, blocked TEXT NOT NULL, blocking TEXT NOT NULL, kind TEXT NOT NULL,
    state TEXT NOT NULL, error TEXT, updated_at TEXT NOT NULL,
    PRIMARY KEY (instance, blocked, blocking)
);
CREATE INDEX IF NOT EXISTS links_cross ON links (instance) WHERE kind = 'cross';
CREATE TABLE IF NOT EXISTS subwrites (
    instance TEXT NOT NULL, owner TEXT NOT NULL, kind TEXT NOT NULL, item TEXT NOT NULL,
    state TEXT NOT NULL, updated_at TEXT NOT NULL,
    PRIMARY KEY (instance, owner, kind, item)
);
"""


#: The plan's outline and columns (collabsync.ledger_plan, .plan_columns, which export them too) are created here,
#: so that opening the ledger imports neither module: a tracked read needs no plan (issue 17).


def follows_plan(table: str, trigger: str) -> str:
    """Triggers that delete a table's row of an instance whenever its plan is written or its row goes, whichever
    collabsync version writes: a row kept beside the plan is never older than the plan."""
    return f"""
CREATE TRIGGER IF NOT EXISTS {trigger}_new AFTER INSERT ON instances
BEGIN DELETE FROM {table} WHERE instance = NEW.name; END;
CREATE TRIGGER IF NOT EXISTS {trigger}_changed AFTER UPDATE OF spec, name ON instances
BEGIN DELETE FROM {table} WHERE instance IN (OLD.name, NEW.name); END;
CREATE TRIGGER IF NOT EXISTS {trigger}_gone AFTER DELETE ON instances
BEGIN DELETE FROM {table} WHERE instance = OLD.name; END;
"""


COLUMNS_SCHEMA = """
CREATE TABLE IF NOT EXISTS plan_columns (
    instance TEXT PRIMARY KEY, head TEXT NOT NULL, keys TEXT NOT NULL, depends_on TEXT NOT NULL, ints BLOB NOT NULL
);
""" + follows_plan("plan_columns", "plan_columns")


OUTLINE_SCHEMA = """
CREATE TABLE IF NOT EXISTS plan_outlines (instance TEXT PRIMARY KEY, outline TEXT NOT NULL);
""" + follows_plan("plan_outlines", "plan_outline")


def spec_to_json(spec: ProjectSpec) -> str:
    """Serialise a rendered template (the plan) for the ledger."""
    return json.dumps(_spec_dict(spec), default=lambda v: v.isoformat() if isinstance(v, dt.date) else str(v))


def _spec_dict(spec: ProjectSpec) -> dict[str, Any]:
    """What dataclasses.asdict gives for a spec, field by field without its deep copies (10x faster at 10k tasks)."""
    from collabsync.model_specs import TaskSpec

    out = {f.name: getattr(spec, f.name) for f in fields(spec)}
    out["sections"] = [{f.name: getattr(s, f.name) for f in fields(s)} for s in spec.sections]
    names = [f.name for f in fields(TaskSpec)]
    out["tasks"] = [{n: getattr(t, n) for n in names} for t in spec.tasks]
    out["variables"] = copy.deepcopy(spec.variables)
    return out


def spec_from_json(text: str) -> ProjectSpec:
    """Inverse of spec_to_json."""
    from collabsync.model_specs import ProjectSpec, SectionSpec, TaskSpec

    task_fields = _task_fields()
    days: dict[str, dt.date] = {}  # one date object and one string per distinct day or department, not per task
    names: dict[str, str] = {}

    def task(t: dict[str, Any]) -> Any:
        """A task's dict as json.loads makes it becomes its TaskSpec at once: a 100k plan never holds both."""
        if not ("key" in t and "depends_on" in t and "labels" in t and "due" in t and t.keys() <= task_fields):
            return t
        start, due, dept = t["start"], t["due"], t["department"]
        t["start"] = (days.get(start) or days.setdefault(start, dt.date.fromisoformat(start))) if start else None
        t["due"] = (days.get(due) or days.setdefault(due, dt.date.fromisoformat(due))) if due else None
        t["department"] = names.setdefault(dept, dept) if type(dept) is str else dept
        t["depends_on"], t["labels"] = tuple(t["depends_on"]), tuple(t["labels"])
        t["checklist"] = tuple(t.get("checklist") or ())
        return TaskSpec(**t)

    data = json.loads(text, object_hook=task)
    if _holds_spec(data.get("variables")) or any(not isinstance(t, TaskSpec) for t in data["tasks"]):
        data = json.loads(text)  # a variable shaped like a task: read plainly, so every value stays as written
        for t in data["tasks"]:
            t["start"] = dt.date.fromisoformat(t["start"]) if t["start"] else None
            t["due"] = dt.date.fromisoformat(t["due"]) if t["due"] else None
            t["depends_on"], t["labels"] = tuple(t["depends_on"]), tuple(t["labels"])
            t["checklist"] = tuple(t.get("checklist") or ())
        data["tasks"] = [TaskSpec(**t) for t in data["tasks"]]
    return ProjectSpec(
        instance=data["instance"],
        template=data["template"],
        title=data["title"],
        description=data["description"],
        departments=tuple(data["departments"]),
        sections=tuple(SectionSpec(**s) for s in data["sections"]),
        tasks=tuple(data["tasks"]),
        variables=data.get("variables") or {},
    )


@cache
def _task_fields() -> frozenset[str]:
    """TaskSpec's field names, once: a module-level set would build the dataclass when the ledger is imported."""
    from collabsync.model_specs import TaskSpec

    return frozenset(f.name for f in fields(TaskSpec))


def _holds_spec(value: Any) -> bool:
    """Whether the object hook turned something inside a plan's variables into a TaskSpec."""
    from collabsync.model_specs import TaskSpec

    if isinstance(value, TaskSpec):
        return True
    if isinstance(value, dict):
        return any(_holds_spec(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_spec(v) for v in value)
    return False


#: Keys of a container row's JSON that hold collabsync's typed fields, not the adapter's extra (the stored
#: shape predates the typed fields and is kept, so older and newer versions read each other's ledgers).
_TRACKED_KEYS = ("tracked", "source", "department_map")


def stored_extra(container: Container) -> dict[str, Any]:
    """The JSON of a container's row: the adapter's extra plus a tracked source (`created` is never stored)."""
    extra = {k: v for k, v in container.extra.items() if k not in (*_TRACKED_KEYS, "created")}
    if container.tracked is not None:
        extra.update(
            tracked=True, source=container.tracked.source, department_map=container.tracked.department_map.to_dict()
        )
    return extra


def stored_container(ref: str, name: str, url: str, data: dict[str, Any]) -> Container:
    """A container from its row, typed fields taken out of the stored JSON (old rows may even carry `created`)."""
    extra = {k: v for k, v in data.items() if k not in (*_TRACKED_KEYS, "created")}
    tracked = None
    if data.get("tracked"):
        dmap = DepartmentMap.from_dict(data.get("department_map")) or DepartmentMap()
        tracked = TrackedSource(str(data.get("source") or ref), dmap)
    return Container(ref, name, url, extra, tracked=tracked)
