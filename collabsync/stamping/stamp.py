"""Stamping: turn a rendered template into objects in every department's tool, exactly once.

The plan is computed from the ledger and the config alone (no network, no writes). Applying it
records every object in the ledger the moment it exists; a run cut short resumes where it stopped,
asking the tool by marker about any write whose outcome was never heard. What a task needs after
its own creation (checklist items) is journaled per task and confirmed by content on resume; a link
whose outcome is unknown is looked up in the tool before it is written again (docs/exactly-once.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from collabsync.errors import CollabsyncError, StampError
from collabsync.ledger import InstanceState, ObjectState
from collabsync.ledger_cache import LedgerCache
from collabsync.model import Container, NewTask, ProjectSpec, TaskSpec, marker
from collabsync.providers.base import Capability, Provider
from collabsync.runtime import Workspace
from collabsync.stamping.stamp_links import note_outage, write_links

__all__ = ["DepartmentPlan", "Plan", "build_plan", "apply_plan", "Progress"]

#: Called with (steps done now, what is being done).
Progress = Callable[[int, str], None]


@dataclass
class DepartmentPlan:
    """What a stamp will do in one department's tool."""

    department: str
    provider: str
    provider_type: str
    destination: dict[str, Any]
    where: str
    container: str | None
    tasks: list[TaskSpec]
    to_create: list[str]
    native_links: list[tuple[str, str]] = field(default_factory=list)
    to_complete: list[str] = field(default_factory=list)  # created, but sub-writes not confirmed

    def to_dict(self) -> dict[str, Any]:
        """JSON view for `stamp --plan --format json`."""
        return {
            "department": self.department,
            "provider": self.provider,
            "type": self.provider_type,
            "destination": self.where,
            "container": self.container,
            "tasks": len(self.tasks),
            "to_create": list(self.to_create),
            "to_complete": list(self.to_complete),
            "dependencies": [list(p) for p in self.native_links],
        }


@dataclass
class Plan:
    """The whole stamp: per department, plus the dependencies that cross tools."""

    spec: ProjectSpec
    departments: list[DepartmentPlan]
    cross_links: list[tuple[str, str]]
    links_to_write: int
    checked: bool = False  # precheck found nothing: apply_plan need not check again

    @property
    def steps(self) -> int:
        """Units of work for a progress bar: one per task to create or complete and per link to write."""
        return sum(len(d.to_create) + len(d.to_complete) for d in self.departments) + self.links_to_write

    @property
    def up_to_date(self) -> bool:
        """True when a re-run has nothing left to do."""
        return self.steps == 0

    def to_dict(self) -> dict[str, Any]:
        """JSON view of the plan."""
        return {
            "instance": self.spec.instance,
            "template": self.spec.template,
            "title": self.spec.title,
            "departments": [d.to_dict() for d in self.departments],
            "cross_tool_dependencies": [list(p) for p in self.cross_links],
            "steps": self.steps,
        }


def build_plan(spec: ProjectSpec, ws: Workspace) -> Plan:
    """Work out what a stamp would create where: the ledger and config only, no request, no write to a tool."""
    known = LedgerCache(ws.ledger, spec.instance)
    done = {k for k, r in known.objects.items() if r.state == ObjectState.DONE}
    links_done = {k for k, r in known.links.items() if r.state == ObjectState.DONE}
    unconfirmed = known.unconfirmed
    provider_of: dict[str, str] = {}
    plans: list[DepartmentPlan] = []
    for dept in spec.departments:
        tasks = spec.tasks_of(dept)
        route = ws.route(dept)
        cls = ws.provider_type(route.provider)
        recorded = known.container(dept)
        for t in tasks:
            provider_of[t.key] = route.provider
        plans.append(
            DepartmentPlan(
                department=dept,
                provider=route.provider,
                provider_type=cls.type_name,
                destination=dict(route.destination),
                where=ws.provider(route.provider).describe(route.destination),
                container=(recorded[1].url or recorded[1].name) if recorded else None,
                tasks=tasks,
                to_create=[t.key for t in tasks if t.key not in done],
                to_complete=[t.key for t in tasks if t.key in done and t.key in unconfirmed],
            )
        )
    by_dept = {p.department: p for p in plans}
    cross: list[tuple[str, str]] = []
    pending_links = 0
    links_natively = {p: Capability.DEPENDENCIES in ws.provider_type(p).capabilities for p in set(provider_of.values())}
    for t in spec.tasks:
        for dep in t.depends_on:
            native = provider_of[t.key] == provider_of[dep] and links_natively[provider_of[t.key]]
            if native:
                by_dept[t.department].native_links.append((t.key, dep))
            else:
                cross.append((t.key, dep))
            if (t.key, dep) not in links_done:
                pending_links += 1
    return Plan(spec, plans, cross, pending_links)


def apply_plan(plan: Plan, ws: Workspace, progress: Progress | None = None) -> dict[str, Any]:
    """Create what the plan lists; StampError names whatever is still missing at the end."""
    spec, ledger = plan.spec, ws.ledger
    step = progress or (lambda n, what: None)
    from collabsync.stamping.precheck import precheck  # late: precheck builds on this module

    if not plan.checked:
        precheck(plan, ws)  # every tool's limits, before the first write in any of them
    ledger.save_instance(
        spec.instance,
        template=spec.template,
        source=None,
        variables=spec.variables,
        spec=spec,
        state=InstanceState.STAMPING,
    )
    known = LedgerCache(ledger, spec.instance)  # the one read of the ledger in this apply
    failures: list[str] = []
    placed: dict[str, tuple[Provider, Container]] = {}
    shared: dict[str, Container] = {}
    for dp in plan.departments:  # departments routed to one destination share one container
        recorded = known.container(dp.department)
        if recorded:
            shared.setdefault(_dest_key(dp), recorded[1])
    created = 0
    fresh: set[str] = set()  # destinations whose container this run created: nothing of ours can be there yet
    created_now: set[str] = set()  # task keys this run created
    down: dict[str, str] = {}  # provider -> why: a tool that refused us or is unreachable is not asked again
    for dp in plan.departments:
        if dp.provider in down:
            failures.append(f"{dp.department} ({dp.provider}): skipped, {dp.provider} failed earlier in this run")
            continue
        try:
            provider = ws.provider(dp.provider)
            container = _container(spec, dp, provider, known, shared, fresh)
            placed[dp.department] = (provider, container)
            _complete_tasks(spec, dp, provider, container, known, step)
            created += _create_tasks(
                spec, dp, provider, container, known, step, failures, _dest_key(dp) in fresh, created_now
            )
        except CollabsyncError as exc:
            failures.append(f"{dp.department} ({dp.provider}): {exc}")
            note_outage(down, dp.provider, exc)
    links = write_links(plan, known, placed, step, failures, down, created_now)
    if failures:
        raise StampError(spec.instance, failures)
    ledger.set_state(spec.instance, InstanceState.STAMPED)
    return {"instance": spec.instance, "created": created, "links": links}


def _dest_key(dp: DepartmentPlan) -> str:
    """Identity of a destination: provider plus its settings."""
    return dp.provider + repr(sorted(dp.destination.items()))


def _container(
    spec: ProjectSpec,
    dp: DepartmentPlan,
    provider: Provider,
    known: LedgerCache,
    shared: dict[str, Container],
    fresh: set[str],
) -> Container:
    """The department's container: recorded, shared with a department of the same destination, or ensured."""
    recorded = known.container(dp.department)
    if recorded:
        return recorded[1]
    key = _dest_key(dp)
    if key in shared:
        known.save_container(dp.department, dp.provider, shared[key])
        return shared[key]
    container = provider.ensure_container(spec.instance, spec.title, spec.description, dp.destination)
    known.save_container(dp.department, dp.provider, container)
    shared[key] = container
    if container.created:
        fresh.add(key)
    return container


def _reconcile(
    spec: ProjectSpec, dp: DepartmentPlan, provider: Provider, container: Container, known: LedgerCache
) -> int:
    """Adopt tasks that exist in the tool (by marker) but are not recorded as done; their sub-writes get checked."""
    if Capability.MARKER_SEARCH not in provider.capabilities:
        return 0
    keys = {t.key for t in spec.tasks}
    adopted: list[TaskSpec] = []
    for key, found in provider.find_marked(container, spec.instance).items():
        if key in keys and found.ref and not known.done(key):
            known.record(spec.task(key).department, dp.provider, key, ref=found.ref, url=found.url)
            adopted.append(spec.task(key))
    known.plan_subwrites([row for t in adopted for row in _subwrites(t, provider)])
    return len(adopted)


def _subwrites(task: TaskSpec, provider: Provider) -> list[tuple[str, str, str]]:
    """The journal rows of what a task needs written after the task itself: native checklist items."""
    if not task.checklist or Capability.CHECKLISTS not in provider.capabilities:
        return []
    return [(task.key, "checklist", f"{i}:{item}") for i, item in enumerate(task.checklist)]


def _complete_tasks(
    spec: ProjectSpec, dp: DepartmentPlan, provider: Provider, container: Container, known: LedgerCache, step: Progress
) -> None:
    """Finish created tasks whose sub-writes were never confirmed: the adapter checks by content, adds the rest."""
    recorded = known.objects_of(dp.department)
    keys = {t.key for t in dp.tasks}
    for key in list(known.unconfirmed):
        rec = recorded.get(key)
        if key in keys and rec is not None and rec.state == ObjectState.DONE and rec.ref:
            provider.complete_task(container, rec.ref, spec.task(key))
            known.confirm_subwrites(key)
            step(1, f"{dp.department}: {key} (completed)")


def _create_tasks(
    spec: ProjectSpec,
    dp: DepartmentPlan,
    provider: Provider,
    container: Container,
    known: LedgerCache,
    step: Progress,
    failures: list[str],
    fresh: bool,
    created_now: set[str],
) -> int:
    """Create the department's missing tasks; any task the ledger cannot vouch for is looked up by marker first."""
    missing = any(not known.done(t.key) for t in dp.tasks)
    if any(r.state == ObjectState.PENDING for r in known.objects_of(dp.department).values()) or (missing and not fresh):
        if _reconcile(spec, dp, provider, container, known):
            _complete_tasks(spec, dp, provider, container, known, step)
    todo = [t for t in dp.tasks if not known.done(t.key)]
    if not todo:
        return 0
    section_refs = _sections(spec, dp, provider, container, todo)
    native_checklists = Capability.CHECKLISTS in provider.capabilities
    new = [
        NewTask(t, marker(spec.instance, t.key), section_refs.get(t.section or ""), _description(t, native_checklists))
        for t in todo
    ]
    known.plan_subwrites([row for t in todo for row in _subwrites(t, provider)])
    known.mark_pending(dp.department, dp.provider, [t.key for t in todo])
    made = 0
    with known.ledger.grouped():
        for outcome in provider.create_tasks(container, new):
            known.record(dp.department, dp.provider, outcome.key, ref=outcome.ref, url=outcome.url, error=outcome.error)
            if outcome.ref:
                made += 1
                created_now.add(outcome.key)
            if outcome.ref and not outcome.error:
                known.confirm_subwrites(outcome.key)
            elif outcome.error:  # with a ref: the task exists but a sub-write failed; the journal keeps it pending
                failures.append(f"{dp.department}/{outcome.key} ({dp.provider}): {outcome.error}")
            step(1, f"{dp.department}: {outcome.key}")
    return made


def _sections(
    spec: ProjectSpec, dp: DepartmentPlan, provider: Provider, container: Container, todo: list[TaskSpec]
) -> dict[str, str]:
    """Ensure the sections these tasks use, in template order."""
    used = {t.section for t in todo if t.section}
    wanted = [s for s in spec.sections if s.key in used]
    return provider.ensure_sections(container, wanted) if wanted else {}


def _description(task: TaskSpec, native_checklists: bool) -> str:
    """The body written into the tool: notes, plus the checklist where the tool has none."""
    parts = [task.notes.strip()] if task.notes.strip() else []
    if task.checklist and not native_checklists:
        parts.append("\n".join(f"- [ ] {item}" for item in task.checklist))
    return "\n\n".join(parts)
