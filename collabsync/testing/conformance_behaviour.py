"""The conformance kit's behaviour checks after a clean stamp: status moves, annotations, tracking, capabilities.

Mixed into `ProviderConformance` (collabsync/testing/conformance.py); each check reads the tool back
through the adapter under test, so a provider passes by doing, not by declaring.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collabsync.model import Container
    from collabsync.providers.base import Provider

    from .conformance import Kit

#: The neutral statuses a status move is checked through, in a task's usual order.
MOVES = ("in_progress", "blocked", "done", "todo", "cancelled")


@contextmanager
def stamped(kit: Kit) -> Iterator[tuple[Provider, Container, dict[str, str]]]:
    """The subject's adapter, the clean instance's container and its task refs by key."""
    from collabsync.config import load_config
    from collabsync.runtime import Workspace

    kit.clean()
    with Workspace(load_config(kit.config), kit.root / "home") as ws:
        placed = ws.ledger.container("clean", "team")
        assert placed is not None
        refs = {k: r.ref for k, r in ws.ledger.objects("clean").items() if k in ("brief", "design", "ship") and r.ref}
        yield ws.provider("subject"), placed[1], refs


class BehaviourChecks:
    """Behaviour every adapter shows through its own reads, or refuses with UnsupportedError when undeclared."""

    def test_status_moves_read_back(self, kit: Kit) -> None:
        """Each neutral status set on a task is the status read back (or the move is refused, undeclared)."""
        from collabsync.errors import UnsupportedError
        from collabsync.model import Status
        from collabsync.providers.base import Capability

        with stamped(kit) as (provider, container, refs):
            if Capability.STATUS_UPDATE not in provider.capabilities:
                with pytest.raises(UnsupportedError):
                    provider.set_status(container, refs["brief"], Status.DONE)
                return
            seen = []
            for status in MOVES:
                provider.set_status(container, refs["brief"], Status(status))
                read = {t.ref: t for t in provider.read_tasks(container)}
                seen.append(read[refs["brief"]].status.value)
                assert read[refs["ship"]].status is Status.TODO  # only the task moved
        assert seen == list(MOVES)

    def test_annotation_is_written_once(self, kit: Kit) -> None:
        """Lines annotated twice appear once in the tool (a re-run never repeats a cross-tool line)."""
        from collabsync.providers.base import Capability

        with stamped(kit) as (provider, _container, refs):
            if Capability.ANNOTATE not in provider.capabilities:
                pytest.skip(f"{provider.type_name} does not declare {Capability.ANNOTATE.value}")
            before = kit.inventory("clean")
            line = "Also see: the launch checklist in the shared drive"
            provider.annotate(refs["design"], [line])
            once = kit.inventory("clean")
            provider.annotate(refs["design"], [line])
            assert kit.inventory("clean") == once
        added = once - before
        assert sum(added.values()) == 1 and line in next(iter(added)), added

    def test_tracking_reads_the_stamped_work(self, kit: Kit) -> None:
        """The container's own address, tracked as a source, reads back every task the stamp made."""
        from collabsync.errors import CollabsyncError

        with stamped(kit) as (provider, container, refs):
            source: Container | None = None
            for address in (container.url, container.ref):
                try:
                    source = provider.resolve_source(address) if address else None
                except CollabsyncError:
                    continue
                if source is not None:
                    break
            assert source is not None, f"neither {container.url!r} nor {container.ref!r} resolves as a source"
            tracked = {t.ref: t.title for t in provider.read_tasks(source)}
        assert set(refs.values()) <= set(tracked), (refs, tracked)
        assert tracked[refs["brief"]] == "Write the brief"

    def test_declared_capabilities_hold(self, kit: Kit) -> None:
        """Sections and marker search do what the declaration promises; undeclared writes are refused."""
        from collabsync.errors import UnsupportedError
        from collabsync.model import SectionSpec, Status
        from collabsync.providers.base import Capability

        with stamped(kit) as (provider, container, refs):
            declared = provider.capabilities
            if Capability.MARKER_SEARCH in declared:
                found = provider.find_marked(container, "clean")
                assert {k: c.ref for k, c in found.items() if k in refs} == refs
            if Capability.SECTIONS in declared:
                specs = [SectionSpec("plan", "Plan"), SectionSpec("build", "Build")]
                first = provider.ensure_sections(container, specs)
                assert set(first) == {"plan", "build"} and provider.ensure_sections(container, specs) == first
            refused: dict[Capability, Any] = {
                Capability.STATUS_UPDATE: lambda: provider.set_status(container, refs["brief"], Status.DONE),
            }
            for capability, call in refused.items():
                if capability not in declared:
                    with pytest.raises(UnsupportedError):
                        call()
        assert kit.inventory("clean") == kit.clean()["inventory"]  # sections found again, not made twice
