"""Drift: where the tools differ from what collabsync stamped, and where the stamp differs from the template now.

Read-only. "Stamped" is what collabsync last wrote per task (collabsync/stamping/written.py), so a reschedule or an
upgrade is not reported as drift; only what people changed in the tools is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from collabsync.errors import CollabsyncError
from collabsync.ledger import InstanceRecord, ObjectState
from collabsync.model import ProjectSpec
from collabsync.runtime import Workspace
from collabsync.stamping.tooltasks import hand_edited, placements, read_stamped, template_file
from collabsync.stamping.written import WrittenLog, fingerprint

__all__ = ["Difference", "Drift", "diff_instance"]


@dataclass(frozen=True)
class Difference:
    """One field (or a whole task) that differs."""

    department: str
    provider: str
    key: str
    what: str  # title, start, due, assignee, section, status, or "task" for one deleted/archived/new/removed
    stamped: Any
    now: Any

    def to_dict(self) -> dict[str, Any]:
        """JSON view."""

        def show(v: Any) -> Any:
            return v.isoformat() if isinstance(v, dt.date) else v

        return {
            "department": self.department,
            "provider": self.provider,
            "key": self.key,
            "what": self.what,
            "stamped": show(self.stamped),
            "now": show(self.now),
        }


@dataclass
class Drift:
    """Both comparisons of one instance."""

    instance: str
    in_tools: list[Difference] = field(default_factory=list)
    from_template: list[Difference] = field(default_factory=list)
    template: dict[str, Any] = field(default_factory=dict)
    unread: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON view for `diff --format json`."""
        return {
            "instance": self.instance,
            "in_tools": [d.to_dict() for d in self.in_tools],
            "from_template": [d.to_dict() for d in self.from_template],
            "template": self.template,
            "unread": self.unread,
        }


def diff_instance(ws: Workspace, record: InstanceRecord, template_dirs: list[Path] | None = None) -> Drift:
    """Compare the tools with what was written, and the recorded plan with the template as it is now."""
    assert record.spec is not None
    spec = record.spec
    log = WrittenLog(ws.ledger)
    log.seed(record.name, spec)
    written = log.of(record.name)
    drift = Drift(record.name)
    now, drift.unread = read_stamped(ws, record.name)
    places = placements(ws, record.name)
    objects = ws.ledger.objects(record.name)
    sections = {s.key: s.title for s in spec.sections}
    for t in spec.tasks:
        rec = objects.get(t.key)
        if rec is None or rec.state != ObjectState.DONE or t.department in drift.unread or t.department not in places:
            continue
        provider = places[t.department].provider

        def add(
            what: str, stamped: Any, current: Any, dept: str = t.department, provider: str = provider, key: str = t.key
        ) -> None:
            drift.in_tools.append(Difference(dept, provider, key, what, stamped, current))

        task = now.get(t.key)
        if task is None:
            add("task", "created", "deleted or archived")
            continue
        for name, (ours, theirs) in hand_edited(task, written.get(t.key), ("title", "start", "due")).items():
            add(name, ours, theirs)
        if task.status.value == "cancelled":
            add("task", "open", "cancelled or archived")
        wanted = written[t.key].assignee if t.key in written else t.assignee
        if task.assignee and not _same_person(ws, provider, wanted, task.assignee):
            add("assignee", wanted, task.assignee)
        title = sections.get(t.section or "")
        if title and task.section and _section_moved(title, task.section, sections.values()):
            add("section", title, task.section)
    _template_side(ws, drift, record, spec, template_dirs or [], log.template_of(record.name))
    return drift


def _same_person(ws: Workspace, provider: str, person: str | None, shown: str) -> bool:
    """A tool shows a display name or an id; either counts as the person collabsync assigned."""
    names = {x.casefold() for x in (person, ws.provider(provider).person_id(person)) if x}
    return shown.casefold() in names


def _section_moved(stamped: str, now: str, all_titles: Any) -> bool:
    """Moved only to another of the template's sections (a status column is not a section move)."""
    titles = {x.casefold() for x in all_titles}
    base = now.split(" / ")[-1].casefold()
    return base in titles and base != stamped.casefold()


def _template_side(
    ws: Workspace,
    drift: Drift,
    record: InstanceRecord,
    spec: ProjectSpec,
    dirs: list[Path],
    stamped: dict[str, str] | None,
) -> None:
    """What `stamp` of the template file as it is now would change: new, removed and changed tasks."""
    try:
        tmpl = template_file(ws, record, dirs)
        current = tmpl.render(record.name, record.variables)
    except CollabsyncError as exc:
        drift.template = {"error": str(exc)}
        return
    content_hash, version = fingerprint(tmpl)
    drift.template = {
        "name": tmpl.name,
        "path": tmpl.path,
        "version": version,
        "hash": content_hash,
        "stamped_version": stamped["version"] if stamped else None,
        "changed_since_stamp": stamped is not None and stamped["hash"] != content_hash,
    }
    old = {t.key: t for t in spec.tasks}
    for t in current.tasks:
        before = old.get(t.key)
        if before is None:
            drift.from_template.append(Difference(t.department, "", t.key, "task", None, "new in the template"))
            continue
        for name in ("title", "notes", "start", "due", "depends_on", "department"):
            if getattr(before, name) != getattr(t, name):
                drift.from_template.append(
                    Difference(t.department, "", t.key, name, getattr(before, name), getattr(t, name))
                )
    keys = {t.key for t in current.tasks}
    for t in spec.tasks:
        if t.key not in keys:
            drift.from_template.append(
                Difference(t.department, "", t.key, "task", "stamped", "removed from the template")
            )
