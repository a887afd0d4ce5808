"""One instance's ledger rows, read once per apply and kept current as the run writes (issue 18).

Stamping used to ask the ledger again for every department (containers, objects, sub-writes) and once
more for the links; the rows only change by this run's own writes (the instance lock keeps other runs
out), so each write goes to the ledger at once and to this copy, and every read comes from the copy.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from collabsync.ledger import Ledger, LinkRecord, ObjectRecord, ObjectState
from collabsync.model import Container

__all__ = ["LedgerCache"]


class LedgerCache:
    """The ledger of one instance as the stamper needs it; writes pass through to the ledger."""

    def __init__(self, ledger: Ledger, instance: str) -> None:
        self.ledger, self.instance = ledger, instance
        self.containers: dict[str, tuple[str, Container]] = {}
        for department, provider, container in ledger.containers(instance):
            self.containers.setdefault(department, (provider, container))  # the first row, as Ledger.container
        self.objects: dict[str, ObjectRecord] = ledger.objects(instance)
        self.links: dict[tuple[str, str], LinkRecord] = ledger.links(instance)
        self.unconfirmed: dict[str, list[tuple[str, str]]] = ledger.unconfirmed(instance)

    def container(self, department: str) -> tuple[str, Container] | None:
        """The (provider, container) of one department, if recorded."""
        return self.containers.get(department)

    def objects_of(self, department: str) -> dict[str, ObjectRecord]:
        """The tasks recorded for one department, by key."""
        return {k: r for k, r in self.objects.items() if r.department == department}

    def done(self, key: str) -> bool:
        """The task exists in its tool and the ledger has its ref."""
        rec = self.objects.get(key)
        return rec is not None and rec.state == ObjectState.DONE

    def save_container(self, department: str, provider: str, container: Container) -> None:
        """Record a container the moment it is known."""
        self.ledger.save_container(self.instance, department, provider, container)
        self.containers.setdefault(department, (provider, replace(container, created=False)))

    def mark_pending(self, department: str, provider: str, keys: Iterable[str]) -> None:
        """Tasks about to be requested: pending unless already done."""
        keys = list(keys)
        self.ledger.mark_pending(self.instance, department, provider, "task", keys)
        for key in keys:
            rec = self.objects.get(key)
            if rec is None:
                self.objects[key] = ObjectRecord(department, "task", key, provider, None, "", ObjectState.PENDING, None)
            elif rec.state != ObjectState.DONE:
                self.objects[key] = ObjectRecord(
                    rec.department, rec.kind, key, rec.provider, rec.ref, rec.url, ObjectState.PENDING, None
                )

    def record(
        self, department: str, provider: str, key: str, *, ref: str | None, url: str = "", error: str | None = None
    ) -> None:
        """A task's outcome: done with a ref, or failed with the tool's reason."""
        self.ledger.record(self.instance, department, provider, "task", key, ref=ref, url=url, error=error)
        state = ObjectState.DONE if ref else ObjectState.FAILED
        self.objects[key] = ObjectRecord(department, "task", key, provider, ref, url, state, error)

    def plan_subwrites(self, rows: Iterable[tuple[str, str, str]]) -> None:
        """Journal what tasks need written after them; rows already journaled keep their state."""
        rows = list(rows)
        self.ledger.plan_subwrites(self.instance, rows)
        for owner, kind, item in rows:  # only tasks not yet done get here, and their sub-writes are never confirmed
            pending = self.unconfirmed.setdefault(owner, [])
            if (kind, item) not in pending:
                pending.append((kind, item))

    def confirm_subwrites(self, owner: str) -> None:
        """Every sub-write of a task is confirmed in the tool (a task with none journaled has no row to change)."""
        if self.unconfirmed.pop(owner, None) is not None:
            self.ledger.confirm_subwrites(self.instance, owner)

    def mark_links_pending(self, pairs: list[tuple[str, str]], kind: str) -> None:
        """Links about to be requested (a done row stays done)."""
        self.ledger.mark_links_pending(self.instance, pairs, kind)
        for a, b in pairs:
            rec = self.links.get((a, b))
            if rec is None or rec.state != ObjectState.DONE:
                self.links[(a, b)] = LinkRecord(a, b, kind, ObjectState.PENDING, None)

    def record_link(self, blocked: str, blocking: str, kind: str, *, error: str | None = None) -> None:
        """A dependency written (or failed) in the tools."""
        self.ledger.record_link(self.instance, blocked, blocking, kind, error=error)
        state = ObjectState.FAILED if error else ObjectState.DONE
        self.links[(blocked, blocking)] = LinkRecord(blocked, blocking, kind, state, error)
