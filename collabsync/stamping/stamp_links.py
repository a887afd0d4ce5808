"""Writing an instance's dependencies, native inside a tool and noted across tools, once the tasks exist."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from collabsync.errors import AuthError, CollabsyncError, RateLimitError, TransportError
from collabsync.ledger import ObjectState
from collabsync.ledger_cache import LedgerCache
from collabsync.model import Container
from collabsync.providers.base import Capability, Provider

if TYPE_CHECKING:  # stamp.py imports this module
    from collabsync.stamping.stamp import Plan, Progress

__all__ = ["note_outage", "write_links", "confirm_links"]


def note_outage(down: dict[str, str], provider: str, exc: CollabsyncError) -> bool:
    """Remember a provider whose credentials were refused or that could not be reached."""
    if isinstance(exc, (AuthError, TransportError, RateLimitError)):
        down[provider] = str(exc)
        return True
    return False


def write_links(
    plan: Plan,
    known: LedgerCache,
    placed: dict[str, tuple[Provider, Container]],
    step: Progress,
    failures: list[str],
    down: dict[str, str],
    created_now: set[str],
) -> int:
    """Native links inside a tool in bulk; across tools, a line in both descriptions."""
    spec = plan.spec
    objects, recorded = known.objects, dict(known.links)
    done = {k for k, r in recorded.items() if r.state == ObjectState.DONE}
    written = 0

    def ref(key: str) -> str | None:
        rec = objects.get(key)
        return rec.ref if rec and rec.state == ObjectState.DONE else None

    for dp in plan.departments:
        pairs = [(a, b) for a, b in dp.native_links if (a, b) not in done and ref(a) and ref(b)]
        if not pairs or dp.department not in placed or dp.provider in down:
            continue
        provider, container = placed[dp.department]
        by_refs = {(ref(a), ref(b)): (a, b) for a, b in pairs}
        try:
            pairs = confirm_links(pairs, recorded, created_now, provider, container, known, ref, step)
            known.mark_links_pending(pairs, "native")
            with known.ledger.grouped():
                for linked in provider.link_dependencies(container, [(ref(a), ref(b)) for a, b in pairs]):  # type: ignore[misc]
                    a, b = by_refs[(linked.blocked_ref, linked.blocking_ref)]
                    known.record_link(a, b, "native", error=linked.error)
                    if linked.error:
                        failures.append(f"dependency {a} -> {b} ({dp.provider}): {linked.error}")
                    else:
                        written += 1
                    step(1, f"link {a} -> {b}")
        except CollabsyncError as exc:
            failures.append(f"dependencies of {dp.department} ({dp.provider}): {exc}")
            note_outage(down, dp.provider, exc)
    todo = [
        (a, b)
        for a, b in plan.cross_links
        if (a, b) not in done
        and ref(a)
        and ref(b)
        and spec.task(a).department in placed
        and spec.task(b).department in placed
    ]
    notes: dict[str, list[str]] = {}  # one annotate call per task, however many links it has
    for a, b in todo:
        ta, tb = spec.task(a), spec.task(b)
        pa, pb = placed[ta.department][0], placed[tb.department][0]
        notes.setdefault(a, []).append(f"Depends on: {tb.title} ({tb.department}, {pb.name}) {objects[b].url}")
        notes.setdefault(b, []).append(f"Blocks: {ta.title} ({ta.department}, {pa.name}) {objects[a].url}")
    annotated: set[str] = set()
    for key, lines in notes.items():
        provider = placed[spec.task(key).department][0]
        if provider.name in down:
            continue
        try:
            if Capability.ANNOTATE in provider.capabilities:
                provider.annotate(ref(key), lines)  # type: ignore[arg-type]
            annotated.add(key)
        except CollabsyncError as exc:
            if note_outage(down, provider.name, exc):
                failures.append(f"cross-tool links in {provider.name} not written: {exc}")
            else:
                failures.append(f"cross-tool links of {key} ({provider.name}): {exc}")
    with known.ledger.grouped():
        for a, b in todo:
            if a in annotated and b in annotated:
                known.record_link(a, b, "cross")
                written += 1
            step(1, f"link {a} -> {b}")
    return written


def confirm_links(
    pairs: list[tuple[str, str]],
    recorded: dict[tuple[str, str], Any],
    created_now: set[str],
    provider: Provider,
    container: Container,
    known: LedgerCache,
    ref: Callable[[str], str | None],
    step: Progress,
) -> list[tuple[str, str]]:
    """Links whose outcome is unknown (pending, failed, or no row for tasks made earlier) are looked up first."""
    unsure = [(a, b) for a, b in pairs if (a, b) in recorded or not (a in created_now and b in created_now)]
    if not unsure:
        return pairs
    found = provider.find_links(container, sorted({ref(k) for pair in unsure for k in pair}))  # type: ignore[misc]
    there = {(a, b) for a, b in unsure if (ref(a), ref(b)) in found}
    for a, b in there:
        known.record_link(a, b, "native")
        step(1, f"link {a} -> {b} (found)")
    return [p for p in pairs if p not in there]
