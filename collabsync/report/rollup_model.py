"""The report's data classes: what the rollup computes and every renderer reads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import Any

__all__ = [
    "SCHEMA_VERSION",
    "TaskLine",
    "Schedule",
    "Group",
    "PathStep",
    "Contribution",
    "Handoff",
    "Phase",
    "Milestone",
    "Report",
    "jsonable",
    "field_names",
]

SCHEMA_VERSION = 1


_SCALARS = frozenset({str, int, float, bool, type(None)})
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def field_names(cls: type) -> tuple[str, ...]:
    """A dataclass's field names in order, looked up once per class (jsonable and the JSON writer ask per value)."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


def jsonable(value: Any) -> Any:
    """Dates as ISO strings, dataclasses as dicts, recursively."""
    cls = type(value)
    if cls in _SCALARS:  # most values of a 100k-task report: answered before any isinstance
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(cls, "__dataclass_fields__"):
        return {name: jsonable(getattr(value, name)) for name in field_names(cls)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


@dataclass(slots=True)
class TaskLine:
    """One task as the report shows it, with what the rollup worked out about it."""

    id: str
    ref: str
    key: str | None
    title: str
    department: str
    provider: str
    status: str
    assignee: str | None = None
    start: dt.date | None = None
    due: dt.date | None = None
    planned_due: dt.date | None = None
    estimate: float | None = None
    weight: float = 1.0
    url: str = ""
    overdue: bool = False
    waiting_on: list[str] = field(default_factory=list)
    critical: bool = False
    stale: bool = False
    projected_finish: dt.date | None = None
    late_days: int = 0
    late_because: str | None = None
    done_on: dt.date | None = None

    @property
    def open(self) -> bool:
        """Not done and not cancelled."""
        return self.status not in ("done", "cancelled")


@dataclass
class Schedule:
    """Planned against actual for one group of tasks."""

    scheduled_weight: float = 0.0
    planned_share: float | None = None
    actual_share: float | None = None
    variance_days: float | None = None
    target: dt.date | None = None
    projected_finish: dt.date | None = None
    slip_days: int | None = None


@dataclass
class Group:
    """The rollup of one department, one provider (tool) or the whole instance."""

    name: str
    kind: str
    counts: dict[str, Any]
    weight_total: float = 0.0
    weight_done: float = 0.0
    percent_done_estimate: float = 0.0
    schedule: Schedule = field(default_factory=Schedule)
    health: str = "green"
    reasons: list[str] = field(default_factory=list)
    stale: bool = False
    stale_since: dt.datetime | None = None
    providers: list[str] = field(default_factory=list)
    cause: str = ""
    waits_on: list[str] = field(default_factory=list)


@dataclass
class PathStep:
    """One task on the critical path of the remaining work."""

    task: TaskLine
    duration_days: int
    finish: dt.date


@dataclass
class Share:
    """One person's (or department's) done and open tasks in one tool and department."""

    provider: str
    department: str
    done: int = 0
    open: int = 0


@dataclass
class Contribution:
    """What one assignee or department has delivered and still holds."""

    name: str
    done_tasks: int = 0
    done_estimate: float = 0.0
    open_tasks: int = 0
    done_on_time: int = 0
    on_time_rate: float | None = None
    done_for_others: int = 0
    by_tool: list[Share] = field(default_factory=list)  # per tool and department, so one person is one row


@dataclass
class Handoff:
    """One department waiting on another: its open tasks that wait, and how many are late because of it."""

    waiting: str
    on: str
    tasks: int = 0
    late_tasks: int = 0
    worst_late_days: int = 0


@dataclass
class Milestone:
    """A checkpoint of the plan with its date and whether it is reached."""

    key: str
    title: str
    due: dt.date | None
    status: str
    projected: dt.date | None = None


@dataclass
class Phase:
    """A section of the plan as a phase: its planned dates, progress and projected end."""

    key: str
    title: str
    start: dt.date | None = None
    end: dt.date | None = None
    projected_end: dt.date | None = None
    done: int = 0
    total: int = 0
    late: int = 0
    milestones: list[Milestone] = field(default_factory=list)


@dataclass
class Report:
    """Everything a renderer needs, whole when build_report returns (`changes`, `history` from its `past`)."""

    instance: str
    template: str | None
    today: dt.date
    generated_at: dt.datetime | None
    overall: Group
    departments: list[Group]
    providers: list[Group]
    tasks: list[TaskLine]
    overdue: list[TaskLine]
    due_soon: list[TaskLine]
    blocked: list[TaskLine]
    waiting: list[TaskLine]
    critical_path: list[PathStep]
    critical_path_days: int
    plan_curve: list[dict[str, Any]]
    assignees: list[Contribution]
    contributions: list[Contribution]
    stale_departments: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    summary: str = ""
    handoffs: list[Handoff] = field(default_factory=list)
    phases: list[Phase] = field(default_factory=list)
    trends: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    changes: dict[str, Any] | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    schema_version: int = SCHEMA_VERSION

    def department(self, name: str) -> Group:
        """One department's group by name."""
        for group in self.departments:
            if group.name == name:
                return group
        raise KeyError(name)

    def provider(self, name: str) -> Group:
        """One provider's group by name."""
        for group in self.providers:
            if group.name == name:
                return group
        raise KeyError(name)

    def task(self, task_id: str) -> TaskLine:
        """A task line by its report id (`provider:ref`); KeyError if unknown."""
        return self._task_index[task_id]

    @cached_property
    def _task_index(self) -> dict[str, TaskLine]:
        return {line.id: line for line in self.tasks}

    def share_task_index(self, by_id: dict[str, TaskLine]) -> None:
        """Let `task` use a map of these lines by id that the caller already holds (the rollup's dependency index):
        a second 100,000-entry dict is not built."""
        vars(self)["_task_index"] = by_id

    def to_dict(self) -> dict[str, Any]:
        """The JSON view (schema: collabsync/schemas/report.schema.json); schema_version first."""
        data = jsonable(self)
        return {"schema_version": data.pop("schema_version"), **data}
