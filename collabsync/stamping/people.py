"""One person across tools: who each assignee is in every tool, what the plan says when a tool lacks them,
and moving a role's open tasks to another person (`collabsync reassign`), exactly once and resumably.

A reassignment journals one row per task in the ledger's subwrites (owner `assign:KEY`) before writing,
confirms it after; a re-run reads each task's assignee in the tool and writes only where it differs, so
a run cut short (or a lost reply) is finished by running it again.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from collabsync.errors import CollabsyncError, ConfigError
from collabsync.findings import Finding, Severity
from collabsync.ledger import ObjectState
from collabsync.model import ProjectSpec, Task
from collabsync.providers.base import Provider
from collabsync.runtime import Workspace

__all__ = [
    "people_findings",
    "people_rows",
    "stamped_spec",
    "ReassignPlan",
    "ReassignError",
    "plan_reassign",
    "apply_reassign",
]


class ReassignError(CollabsyncError):
    """A reassignment ended with tasks not moved; running it again finishes it."""

    def __init__(self, instance: str, failures: list[str]) -> None:
        self.failures = list(failures)
        head = f"reassign of {instance!r} incomplete ({len(failures)} failed); run it again to resume"
        super().__init__(head + "".join(f"\n  {f}" for f in failures))


def _by_provider(spec: ProjectSpec, ws: Workspace) -> dict[str, dict[str, list[str]]]:
    """provider -> person -> keys of the tasks that person is assigned in that provider."""
    out: dict[str, dict[str, list[str]]] = {}
    for t in spec.tasks:
        if t.assignee:
            out.setdefault(ws.route(t.department).provider, {}).setdefault(t.assignee, []).append(t.key)
    return out


def people_findings(spec: ProjectSpec, ws: Workspace) -> list[Finding]:
    """A degrade finding per person a tool does not know: their tasks there are created unassigned."""
    jobs = [(ws.provider(name), persons) for name, persons in _by_provider(spec, ws).items()]  # opened here
    # one thread per tool: the tools answer in parallel, each provider is used by one thread
    with ThreadPoolExecutor(max_workers=max(1, min(8, len(jobs)))) as pool:
        found = [f for found in pool.map(lambda job: _unknown(*job), jobs) for f in found]
    return _unbound(spec, ws) + found


def _unbound(spec: ProjectSpec, ws: Workspace) -> list[Finding]:
    """One degrade finding per tool for the roles left unbound (`required: false`): their tasks go unassigned."""
    grouped: dict[str, dict[str, int]] = {}
    for t in spec.tasks:
        if t.role and not t.assignee:
            roles = grouped.setdefault(ws.route(t.department).provider, {})
            roles[t.role] = roles.get(t.role, 0) + 1
    out = []
    for tool, roles in grouped.items():
        named = ", ".join(f"{role} ({n})" for role, n in roles.items())
        first = next(iter(roles))
        out.append(
            Finding(
                Severity.DEGRADE,
                "role-not-bound",
                tool,
                f"{len(roles)} role(s) not bound: {named}",
                "no --role, [roles] or [roles.DEPT] entry binds them",
                f'pass --role {first}=EMAIL (one per role), set [roles] {first} = "EMAIL" in collabsync.toml, '
                f"or bind them later: collabsync reassign {spec.instance} --role {first}=EMAIL",
                f"their {sum(roles.values())} task(s) are created unassigned",
                "assignees",
            )
        )
    return out


def _unknown(provider: Provider, persons: dict[str, list[str]]) -> list[Finding]:
    """The findings of one tool, its people looked up one after another."""
    found: list[Finding] = []
    for person, keys in persons.items():
        try:
            user = provider.lookup_person(person)
        except CollabsyncError:
            break  # the tool itself is unreachable or refuses us: its preflight finding says so
        if user is None:
            found.append(
                Finding(
                    Severity.DEGRADE,
                    "person-not-found",
                    provider.name,
                    f"{len(keys)} task(s) of {person}",
                    f"{provider.type_name} has no user with this e-mail visible to the token"
                    if "@" in person
                    else f"{person!r} is not an e-mail address, and [people] names no {provider.name} user for it",
                    f'invite them, or name their id in collabsync.toml: [people."{person}"] {provider.name} = "USER-ID"',
                    "the tasks are created unassigned there: " + ", ".join(keys),
                    "assignees",
                )
            )
    return found


def stamped_spec(ws: Workspace, instance: str) -> ProjectSpec:
    """The plan of a stamped instance, whose assignees `people INSTANCE` lists; a clear error otherwise."""
    record = ws.ledger.instance(instance)
    if record is None or record.spec is None:
        raise ConfigError.single(instance, f"no stamped instance {instance!r}; see `collabsync instances`")
    return record.spec


def people_rows(ws: Workspace, spec: ProjectSpec | None) -> list[dict[str, Any]]:
    """Every person (of an instance, or of the config's [people] and [roles]) with their id in each tool."""
    config = ws.config
    if spec is not None:
        wanted = _by_provider(spec, ws)
        persons = sorted({p for by in wanted.values() for p in by})
        providers = sorted(wanted)
    else:
        persons = sorted(set(config.people) | {v for v in _role_values(config.roles)})
        providers = sorted(config.providers)
    rows = []
    for person in persons:
        ids: dict[str, str | None] = {}
        for name in providers:
            if spec is not None and person not in wanted[name]:
                continue
            user = ws.provider(name).lookup_person(person)
            ids[name] = user.id if user else None
        rows.append({"person": person, "ids": ids, "unresolved": [n for n, i in ids.items() if i is None]})
    return rows


def _role_values(roles: dict[str, Any]) -> list[str]:
    out = []
    for value in roles.values():
        out += [v for v in value.values() if isinstance(v, str)] if isinstance(value, dict) else [str(value)]
    return out


@dataclass
class ReassignPlan:
    """Which open tasks of a role move to whom in which tool; done ones stay with who did them."""

    instance: str
    role: str
    person: str
    spec: ProjectSpec
    moves: list[dict[str, Any]] = field(default_factory=list)  # key, department, provider, ref, from
    kept: list[dict[str, Any]] = field(default_factory=list)  # closed tasks, or already theirs
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON view for `--format json`."""
        return {
            "instance": self.instance,
            "role": self.role,
            "person": self.person,
            "moves": self.moves,
            "kept": self.kept,
            "findings": [f.to_dict() for f in self.findings],
        }


def plan_reassign(ws: Workspace, instance: str, role: str, person: str) -> ReassignPlan:
    """Read each tool once: the role's tasks, which are open, and who holds them now."""
    record = ws.ledger.instance(instance)
    if record is None or record.spec is None:
        raise ConfigError.single(instance, f"no stamped instance {instance!r}; see `collabsync instances`")
    spec = record.spec
    tasks = [t for t in spec.tasks if t.role == role]
    if not tasks:
        roles = sorted({t.role for t in spec.tasks if t.role}) or ["(none)"]
        raise ConfigError.single("--role", f"no task of {instance!r} has role {role!r}; roles: {', '.join(roles)}")
    plan = ReassignPlan(instance, role, person, spec)
    refs = {k: r.ref for k, r in ws.ledger.objects(instance).items() if r.state == ObjectState.DONE and r.ref}
    read: dict[tuple[str, str], dict[str, Task]] = {}
    for t in tasks:
        route = ws.route(t.department)
        recorded = ws.ledger.container(instance, t.department)
        if t.key not in refs or recorded is None:
            plan.kept.append({"key": t.key, "department": t.department, "why": "not created yet"})
            continue
        provider = ws.provider(route.provider)
        if (route.provider, recorded[1].ref) not in read:
            read[(route.provider, recorded[1].ref)] = {x.ref: x for x in provider.read_tasks(recorded[1])}
        now = read[(route.provider, recorded[1].ref)].get(refs[t.key])
        row = {
            "key": t.key,
            "department": t.department,
            "provider": route.provider,
            "ref": refs[t.key],
            "from": now.assignee if now else t.assignee,
        }
        if now is not None and now.status.closed:
            plan.kept.append({**row, "why": f"{now.status.value}: keeps its assignee"})
        elif now is not None and now.assignee == person:
            plan.kept.append({**row, "why": "already assigned to them"})
        elif now is not None and now.assignee is None and provider.lookup_person(person) is None:
            plan.kept.append({**row, "why": f"unassigned: {route.provider} has no user {person}"})
        else:
            plan.moves.append(row)
    plan.findings = people_findings(
        replace(
            spec, tasks=tuple(replace(t, assignee=person) for t in tasks if t.key in {m["key"] for m in plan.moves})
        ),
        ws,
    )
    return plan


def apply_reassign(ws: Workspace, plan: ReassignPlan) -> int:
    """Write each move, journaled; ReassignError lists what is still to move (a re-run finishes it)."""
    ledger = ws.ledger
    ledger.plan_subwrites(plan.instance, [(f"assign:{m['key']}", "assign", plan.person) for m in plan.moves])
    moved, failures, failed = 0, [], set()
    for m in plan.moves:
        provider = ws.provider(m["provider"])
        recorded = ledger.container(plan.instance, m["department"])
        try:
            assert recorded is not None  # plan_reassign moved only tasks with a recorded container
            provider.set_assignee(recorded[1], m["ref"], provider.lookup_person(plan.person))
        except CollabsyncError as exc:  # reported with the task; a re-run resumes
            failures.append(f"{m['department']}/{m['key']} ({m['provider']}): {exc}")
            failed.add(m["key"])
            continue
        ledger.confirm_subwrites(plan.instance, f"assign:{m['key']}")
        moved += 1
    keys = {m["key"] for m in plan.moves} - failed
    spec = replace(
        plan.spec, tasks=tuple(replace(t, assignee=plan.person) if t.key in keys else t for t in plan.spec.tasks)
    )
    record = ledger.instance(plan.instance)
    assert record is not None
    ledger.save_instance(
        plan.instance,
        template=record.template,
        source=record.source,
        variables=record.variables,
        spec=spec,
        state=record.state,
    )
    if failures:
        raise ReassignError(plan.instance, failures)
    return moved
