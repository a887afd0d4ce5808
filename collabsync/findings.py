"""What a preflight check reports about one destination, and what a template needs from it.

Shared by `collabsync doctor`, `stamp --plan` and every provider's ``preflight``, so third-party
adapters can report findings without importing the doctor engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from collabsync.model import ProjectSpec, Status

__all__ = ["Severity", "Finding", "Findings", "Needs", "needs_of"]


class Severity(StrEnum):
    """How a finding affects a stamp: stop it, change what is written, or nothing."""

    BLOCKING = "blocking"  # stamp refuses to write anything until it is fixed
    DEGRADE = "degrade"  # stamp proceeds; the tool gets something else instead (see `instead`)
    INFO = "info"  # worth knowing; no effect on what is written


@dataclass(frozen=True)
class Finding:
    """One fact about a destination: what is wrong, what happens instead, and what to change where."""

    severity: Severity
    kind: str  # stable identifier, e.g. "field-not-on-create-screen"
    provider: str  # configured provider name
    where: str  # the object in the tool: "Jira project ENG, issue type Task"
    what: str  # what the tool is like
    fix: str  # what to change and where to make it go away
    instead: str = ""  # for degrade findings: what the stamp does instead
    capability: str = ""  # for degrade findings: the capability affected ("due dates", "checklists")

    def to_dict(self) -> dict[str, Any]:
        """JSON view for `--format json`."""
        return {
            "severity": self.severity.value,
            "kind": self.kind,
            "provider": self.provider,
            "where": self.where,
            "what": self.what,
            "fix": self.fix,
            "instead": self.instead,
            "capability": self.capability,
        }


class Findings(list[Finding]):
    """One provider's findings, each added in one call (what preflight checks build up)."""

    def __init__(self, provider: str) -> None:
        super().__init__()
        self.provider = provider

    def add(
        self, severity: Severity, kind: str, where: str, what: str, fix: str, instead: str = "", capability: str = ""
    ) -> None:
        """Record one finding of this provider."""
        self.append(Finding(severity, kind, self.provider, where, what, fix, instead, capability))


@dataclass(frozen=True)
class Needs:
    """What the tasks routed to one destination ask of it; a check reports only what matters here."""

    tasks: int = 0
    due: bool = False
    start: bool = False
    start_equals_due: bool = False
    estimate: bool = False
    assignee: bool = False
    checklist: bool = False
    dependencies: bool = False
    sections: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    statuses: tuple[Status, ...] = field(default=(Status.TODO, Status.IN_PROGRESS, Status.BLOCKED, Status.DONE))


def needs_of(spec: ProjectSpec, departments: list[str]) -> Needs:
    """Summarise the tasks of some departments (those sharing one destination) as Needs."""
    tasks = [t for t in spec.tasks if t.department in departments]
    keys = {t.key for t in tasks}
    used = {t.section for t in tasks if t.section}
    return Needs(
        tasks=len(tasks),
        due=any(t.due for t in tasks),
        start=any(t.start for t in tasks),
        start_equals_due=any(t.start and t.start == t.due for t in tasks),
        estimate=any(t.estimate is not None for t in tasks),
        assignee=any(t.assignee for t in tasks),
        checklist=any(t.checklist for t in tasks),
        dependencies=any(d in keys for t in tasks for d in t.depends_on),
        sections=tuple(s.title for s in spec.sections if s.key in used),
        labels=tuple(sorted({lab for t in tasks for lab in t.labels})),
    )
