"""Preflight: read-only checks of every destination a stamp will write to, before it writes anything.

Each destination (provider plus destination settings, shared by the departments routed there) is
asked once through ``Provider.preflight``. A provider that cannot be reached or refuses the
credentials becomes a blocking finding instead of an exception, so one run reports every tool.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from collabsync.errors import AuthError, CollabsyncError, ConfigError, NotFoundError
from collabsync.findings import Finding, Needs, Severity, needs_of
from collabsync.model import Container, ProjectSpec
from collabsync.providers.base import Capability
from collabsync.runtime import Workspace
from collabsync.stamping.people import people_findings

__all__ = ["DoctorReport", "PreflightError", "check", "render_text", "connections"]

_ORDER = {Severity.BLOCKING: 0, Severity.DEGRADE: 1, Severity.INFO: 2}


class PreflightError(CollabsyncError):
    """A stamp was refused because a destination has a blocking finding; nothing was written."""

    def __init__(self, instance: str, blocking: list[Finding]) -> None:
        self.instance = instance
        self.findings = list(blocking)
        lines = [f"stamp of {instance!r} refused before any write: {len(blocking)} blocking finding(s)"]
        lines += [f"  {f.provider}: {f.where}: {f.what}\n    fix: {f.fix}" for f in blocking]
        super().__init__("\n".join(lines) + "\nrun `collabsync doctor` after fixing them")


@dataclass
class DoctorReport:
    """Every finding of one check, per destination, worst first."""

    instance: str
    template: str
    destinations: list[dict[str, Any]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def blocking(self) -> list[Finding]:
        """The findings that stop a stamp."""
        return [f for f in self.findings if f.severity is Severity.BLOCKING]

    @property
    def degradations(self) -> list[Finding]:
        """What the stamp will write differently from what the template asks."""
        return [f for f in self.findings if f.severity is Severity.DEGRADE]

    def to_dict(self) -> dict[str, Any]:
        """JSON view for `collabsync doctor --format json` and `stamp --plan --format json`."""
        return {
            "instance": self.instance,
            "template": self.template,
            "destinations": self.destinations,
            "blocking": len(self.blocking),
            "findings": [f.to_dict() for f in self.findings],
        }


def check(spec: ProjectSpec, ws: Workspace, *, existing: bool = False) -> DoctorReport:
    """Run every destination's preflight for a rendered template (or a stamped instance); no writes."""
    report = DoctorReport(spec.instance, spec.template)
    groups: dict[str, list[str]] = {}
    first: dict[str, tuple[str, dict[str, Any]]] = {}
    for dept in spec.departments:
        if not spec.tasks_of(dept):
            continue
        route = ws.route(dept)
        key = route.provider + repr(sorted(route.destination.items()))
        groups.setdefault(key, []).append(dept)
        first.setdefault(key, (route.provider, dict(route.destination)))
    jobs = []
    for key, departments in groups.items():
        name, destination = first[key]
        container = _recorded(ws, spec.instance, departments) if existing else None
        where = _describe(ws, name, destination)  # opens the provider here, in this thread
        jobs.append((name, destination, needs_of(spec, departments), container, where, departments))
    # one thread per destination: the tools answer in parallel, each provider is used by one thread
    with ThreadPoolExecutor(max_workers=max(1, min(8, len(jobs)))) as pool:
        results = list(pool.map(lambda job: _preflight(ws, *job[:4]), jobs))
    for (name, _dest, _needs, _container, where, departments), found in zip(jobs, results, strict=True):
        report.destinations.append(
            {
                "provider": name,
                "destination": where,
                "departments": departments,
                "blocking": sum(f.severity is Severity.BLOCKING for f in found),
            }
        )
        report.findings.extend(found)
    report.findings.extend(people_findings(spec, ws))
    report.findings.sort(key=lambda f: _ORDER[f.severity])
    return report


def _recorded(ws: Workspace, instance: str, departments: list[str]) -> Container | None:
    """The container a stamped instance already has in this destination, if the ledger knows it."""
    for dept in departments:
        recorded = ws.ledger.container(instance, dept)
        if recorded:
            return recorded[1]
    return None


def _describe(ws: Workspace, name: str, destination: dict[str, Any]) -> str:
    try:
        return ws.provider(name).describe(destination)
    except CollabsyncError:
        return f"{name} {destination}"


def _preflight(
    ws: Workspace, name: str, destination: dict[str, Any], needs: Needs, container: Container | None
) -> list[Finding]:
    """One provider's findings; a refusal or outage is itself a blocking finding, not a crash."""
    where = _describe(ws, name, destination)
    try:
        provider = ws.provider(name)
        found = list(provider.preflight(destination, needs, container))
    except AuthError as exc:
        return [
            Finding(
                Severity.BLOCKING,
                "credentials",
                name,
                where,
                exc.cause,
                f"fix the credentials of [providers.{name}] in collabsync.toml",
            )
        ]
    except NotFoundError as exc:
        return [
            Finding(
                Severity.BLOCKING,
                "not-found",
                name,
                where,
                f"{exc.object}: {exc.cause}",
                f"check the destination settings of the departments routed to {name}",
            )
        ]
    except ConfigError as exc:
        return [
            Finding(Severity.BLOCKING, "config", name, where, str(exc), "correct collabsync.toml as the message says")
        ]
    except CollabsyncError as exc:
        return [
            Finding(
                Severity.BLOCKING,
                "unreachable",
                name,
                where,
                str(exc),
                f"make {name} reachable (url, network) and run `collabsync doctor` again",
            )
        ]
    if needs.checklist and Capability.CHECKLISTS not in provider.capabilities:  # the stamp's own fallback
        found.append(
            Finding(
                Severity.DEGRADE,
                "no-checklists",
                name,
                where,
                f"{provider.type_name} has no checklists",
                "nothing to change, or route checklist tasks to a tool that has them",
                "checklists are written into the description as '- [ ] item' lines",
                "checklists",
            )
        )
    return found


def connections(ws: Workspace) -> Iterator[tuple[str, str, str | None, str | None]]:
    """`config check`: each configured provider signs in, in config order, as (name, type, who, redacted error)."""
    from collabsync.redact import redact

    for name, pc in ws.config.providers.items():
        try:
            yield name, pc.type, ws.provider(name).check(), None
        except CollabsyncError as exc:
            yield name, pc.type, None, redact(str(exc))


def render_text(report: DoctorReport, *, title: bool = True) -> Iterable[str]:
    """Plain lines for the terminal and the docs: findings worst first, then the degradation table."""
    counts = {s: sum(f.severity is s for f in report.findings) for s in Severity}
    if title:
        yield (
            f"Doctor for {report.instance} ({report.template}): {counts[Severity.BLOCKING]} blocking, "
            f"{counts[Severity.DEGRADE]} degrade, {counts[Severity.INFO]} info"
        )
    for d in report.destinations:
        yield f"  {d['provider']}: {d['destination']} <- {', '.join(d['departments'])}"
    for f in report.findings:
        yield f"{f.severity.value.upper():8} {f.provider}: {f.where}: {f.what}"
        if f.instead:
            yield f"{'':8}   instead: {f.instead}"
        yield f"{'':8}   fix: {f.fix}"
    if report.degradations:
        yield "Planned degradations (what the stamp writes instead):"
        yield "| tool | capability | instead |"
        yield "|---|---|---|"
        for f in report.degradations:
            yield f"| {f.provider} | {f.capability or f.kind} | {f.instead} |"
    if not report.findings:
        yield "No findings: every destination can hold this template as it is."
