"""The provider-neutral project model: what a template asks for and what a tool returns.

Pure data, no I/O, so the template engine, the providers and the rollup share one vocabulary.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from collabsync.lazy import lazy_exports

if TYPE_CHECKING:  # built on first use (below): a read needs none of them before its first request (issue 17)
    from collabsync.model_specs import Created, Linked, NewTask, ProjectSpec, SectionSpec, TaskSpec
    from collabsync.model_specs import TaskChange as TaskChange

__all__ = [
    "Status",
    "SectionSpec",
    "TaskSpec",
    "ProjectSpec",
    "Container",
    "DepartmentMap",
    "TrackedSource",
    "UNMAPPED",
    "NewTask",
    "Created",
    "Linked",
    "Task",
    "ROW_FIELDS",
    "marker",
    "parse_marker",
    "MARKER_PREFIX",
    "with_marker",
    "insert_above_marker",
]

MARKER_PREFIX = "collabsync:"

#: The template's and the writes' records, exported from here as before but built on first use.
_SPECS = frozenset({"SectionSpec", "TaskSpec", "ProjectSpec", "NewTask", "Created", "TaskChange", "Linked"})


__getattr__ = lazy_exports(__name__, dict.fromkeys(_SPECS, "collabsync.model_specs"))


class Status(StrEnum):
    """The five states every tool's workflow is mapped onto."""

    TODO = "todo"
    IN_PROGRESS = "in_progress"
    BLOCKED = "blocked"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def closed(self) -> bool:
        """Done and cancelled tasks are no longer open work."""
        return self in (Status.DONE, Status.CANCELLED)


#: Department of a tracked task no mapping matched, when no --department fallback was given.
UNMAPPED = "unmapped"


@dataclass
class DepartmentMap:
    """Per-task department of a tracked source, from a label or section value; the fallback for the rest."""

    by: str | None = None
    values: dict[str, str] = field(default_factory=dict)
    fallback: str = UNMAPPED

    def department_of(self, task: Task) -> str:
        """The department a tracked task belongs to."""
        if self.by == "label":
            for label in task.labels:
                if label in self.values:
                    return self.values[label]
        elif self.by == "section" and task.section in self.values:
            return self.values[task.section]
        return self.fallback

    def to_dict(self) -> dict[str, Any]:
        """Stored in the container's ledger row."""
        return {"by": self.by, "values": dict(self.values), "fallback": self.fallback}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> DepartmentMap | None:
        """None for stamped containers."""
        return cls(data.get("by"), dict(data.get("values") or {}), data.get("fallback") or UNMAPPED) if data else None


@dataclass(frozen=True)
class TrackedSource:
    """Existing work added with `collabsync track`: what the user named and how its tasks find their department."""

    source: str
    department_map: DepartmentMap = field(default_factory=DepartmentMap)


@dataclass(frozen=True)
class Container:
    """Where one department's share of an instance lives (a board, an epic, a project).

    The typed fields are what collabsync relies on; ``extra`` is the adapter's own (stored in the ledger as JSON).
    """

    ref: str
    name: str
    url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    #: True only on the Container that ensure_container returns when it made the object just now (never stored):
    #: the stamper then skips searching the fresh container for marked tasks.
    created: bool = False
    #: Set on containers added by `collabsync track` (None: stamped from a template).
    tracked: TrackedSource | None = None


@dataclass
class Task:
    """A task as read back from a tool, normalised."""

    ref: str
    title: str
    status: Status
    key: str | None = None
    section: str | None = None
    department: str | None = None
    assignee: str | None = None
    start: dt.date | None = None
    due: dt.date | None = None
    estimate: float | None = None
    labels: list[str] = field(default_factory=list)
    depends_on: list[str] = field(default_factory=list)
    url: str = ""
    updated: dt.datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: The configured provider (`[providers.NAME]`) the task was read from; set by collabsync when it collects.
    provider: str | None = None

    def is_overdue(self, today: dt.date) -> bool:
        """Open work whose due date has passed."""
        return self.due is not None and self.due < today and not self.status.closed

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly view (dates as ISO strings)."""
        return {
            "ref": self.ref,
            "key": self.key,
            "title": self.title,
            "status": self.status.value,
            "section": self.section,
            "department": self.department,
            "assignee": self.assignee,
            "start": self.start.isoformat() if self.start else None,
            "due": self.due.isoformat() if self.due else None,
            "estimate": self.estimate,
            "labels": list(self.labels),
            "depends_on": list(self.depends_on),
            "url": self.url,
            "updated": self.updated.isoformat() if self.updated else None,
            "provider": self.provider,
            "extra": dict(self.extra),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Task:
        """Inverse of to_dict, for caches and snapshots (older ones kept the provider in extra)."""
        get = data.get
        extra = dict(get("extra") or {})
        provider = get("provider") or extra.pop("provider", None)
        start, due, updated = get("start"), get("due"), get("updated")
        try:
            status = _STATUS_OF[data["status"]]
        except (KeyError, TypeError):  # not a status value: Status() raises its usual ValueError
            status = Status(data["status"])
        return cls(  # positional, in field order: thousands are loaded per run
            data["ref"],
            data["title"],
            status,
            get("key"),
            get("section"),
            get("department"),
            get("assignee"),
            _date(start) if start else None,
            _date(due) if due else None,
            get("estimate"),
            list(get("labels") or []),
            list(get("depends_on") or []),
            get("url") or "",
            _datetime(updated) if updated else None,
            extra,
            provider,
        )

    def to_row(self) -> list[Any]:
        """The fields in ROW_FIELDS order, JSON-friendly: the snapshot's compact form (no key names per task)."""
        return [
            self.ref,
            self.title,
            self.status.value,
            self.key,
            self.section,
            self.department,
            self.assignee,
            self.start.isoformat() if self.start else None,
            self.due.isoformat() if self.due else None,
            self.estimate,
            self.labels,
            self.depends_on,
            self.url,
            self.updated.isoformat() if self.updated else None,
            self.extra,
            self.provider,
        ]

    @classmethod
    def from_row(cls, row: list[Any]) -> Task:
        """Inverse of to_row (the lists and the extra dict are taken as they are: a freshly parsed row owns them)."""
        # A row of the wrong length raises ValueError and an unknown status KeyError, as a damaged entry should.
        (
            ref,
            title,
            status,
            key,
            section,
            department,
            assignee,
            start,
            due,
            estimate,
            labels,
            deps,
            url,
            updated,
            extra,
            provider,
        ) = row
        return cls(
            ref,
            title,
            _STATUS_OF[status],
            key,
            section,
            department,
            assignee,
            _date(start) if start else None,
            _date(due) if due else None,
            estimate,
            labels,
            deps,
            url,
            _datetime(updated) if updated else None,
            extra,
            provider,
        )


#: Task's fields in declaration order: the columns of Task.to_row (a snapshot stores them to check its layout).
ROW_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Task))
_STATUS_OF: dict[str, Status] = {s.value: s for s in Status}
_date = dt.date.fromisoformat
_datetime = dt.datetime.fromisoformat


def marker(instance: str, key: str | None = None) -> str:
    """The line written into every created object so the ledger can be rebuilt from the tools."""
    return f"{MARKER_PREFIX}{instance}" + (f"/{key}" if key else "")


def parse_marker(text: str | None) -> tuple[str, str | None] | None:
    """Find the marker line in a description; returns (instance, key or None)."""
    if not text:
        return None
    if text.startswith(MARKER_PREFIX) and text.isprintable():  # the marker alone, as stamped: 100,000 in a read
        instance, _, key = text[len(MARKER_PREFIX) :].strip().partition("/")  # printable: no line break, tab, NBSP
        return (instance, key or None) if instance else None
    return _marker_in_lines(text)


def _marker_in_lines(text: str) -> tuple[str, str | None] | None:
    """parse_marker for any description: the last marker line wins."""
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith(MARKER_PREFIX):
            body = line[len(MARKER_PREFIX) :].strip()
            instance, _, key = body.partition("/")
            if instance:
                return instance, (key or None)
    return None


def with_marker(description: str, mark: str) -> str:
    """The description with the marker as its last line (every adapter writes it this way)."""
    return f"{description.rstrip()}\n\n{mark}" if description.strip() else mark


def insert_above_marker(description: str, lines: list[str] | tuple[str, ...]) -> str:
    """Add lines just above the marker line (or at the end), skipping lines already there."""
    existing = description.splitlines()
    new = [line for line in lines if line not in existing]
    if not new:
        return description
    if existing and parse_marker(existing[-1]):
        body, mark = existing[:-1], existing[-1]
        while body and not body[-1].strip():
            body.pop()
        return "\n".join([*body, *([""] if body else []), *new, "", mark])
    return "\n".join([*existing, *new])
