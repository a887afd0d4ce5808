"""What a template asks for and what a write returns: the stamp's half of the model (see collabsync.model).

Kept apart from the read's records so that a read builds none of these dataclasses before its first request (issue
17); `collabsync.model` still exports every name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

__all__ = ["SectionSpec", "TaskSpec", "ProjectSpec", "NewTask", "Created", "TaskChange", "Linked"]


@dataclass(frozen=True)
class SectionSpec:
    """A phase of the project (a Jira component/label, a Trello list, an Asana section)."""

    key: str
    title: str


@dataclass(frozen=True, slots=True)
class TaskSpec:
    """One rendered task of a template, dates already resolved."""

    key: str
    title: str
    department: str
    section: str | None = None
    start: dt.date | None = None
    due: dt.date | None = None
    estimate: float | None = None
    depends_on: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    notes: str = ""
    assignee: str | None = None
    checklist: tuple[str, ...] = ()
    milestone: bool = False
    role: str | None = None  # the template's role; assignee is whoever it was bound to


@dataclass(frozen=True)
class ProjectSpec:
    """A template rendered with its variables: everything a stamp will create."""

    instance: str
    template: str
    title: str
    description: str
    departments: tuple[str, ...]
    sections: tuple[SectionSpec, ...]
    tasks: tuple[TaskSpec, ...]
    variables: dict[str, Any] = field(default_factory=dict)

    def tasks_of(self, department: str) -> list[TaskSpec]:
        """The tasks routed to one department, in template order."""
        return [t for t in self.tasks if t.department == department]

    def task(self, key: str) -> TaskSpec:
        """Look a task up by its template key (a dict: a lookup per task must not make rollups quadratic)."""
        return self._by_key[key]

    @cached_property
    def _by_key(self) -> dict[str, TaskSpec]:
        """Tasks by key, built once per spec (the first of a duplicated key wins, as the linear scan did)."""
        index: dict[str, TaskSpec] = {}
        for t in self.tasks:
            index.setdefault(t.key, t)
        return index


@dataclass(frozen=True)
class NewTask:
    """A task ready to be written: the spec plus what the stamper resolved for it."""

    spec: TaskSpec
    marker: str
    section_ref: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Created:
    """The outcome of creating one task: a ref, or the tool's reason it was not created."""

    key: str
    ref: str | None = None
    url: str = ""
    error: str | None = None


@dataclass(frozen=True)
class TaskChange:
    """A field update of one created task (reschedule, template upgrade); None leaves a field as it is."""

    key: str
    ref: str
    title: str | None = None
    start: dt.date | None = None
    due: dt.date | None = None

    def fields(self) -> dict[str, Any]:
        """The fields this change sets, by neutral name (the journal and the plan print these)."""
        out: dict[str, Any] = {"title": self.title, "start": self.start, "due": self.due}
        return {k: v for k, v in out.items() if v is not None}


@dataclass(frozen=True)
class Linked:
    """The outcome of one dependency link inside a tool."""

    blocked_ref: str
    blocking_ref: str
    error: str | None = None
