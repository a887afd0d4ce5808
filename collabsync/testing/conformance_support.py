"""What the conformance kit runs on: write faults at the adapter boundary, inventories by content, the SIGKILL child.

Split from conformance.py (which holds the test base) so each stays small; everything here is re-exported there.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, Protocol

import pytest

from collabsync.errors import ProviderError, TransportError
from collabsync.model import parse_marker

__all__ = [
    "WriteFaults",
    "BoundaryFaults",
    "local_inventory",
    "describe_task",
    "register_plugins",
    "wrap_subject",
    "child_main",
]

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S+")


class WriteFaults(Protocol):
    """Write faults of the tool under test (an emulator's, or `BoundaryFaults` at the adapter's methods)."""

    def writes_seen(self) -> int:
        """Writes so far."""

    def fail_writes_after(self, n: int | None, *, lose_reply: bool = False) -> None:
        """Let n more writes through, then refuse all (the first applied with its reply lost); None heals."""


class BoundaryFaults:
    """Write faults at the adapter boundary: each call of a write method (or each yielded outcome) is a write."""

    WRITE_METHODS: ClassVar[tuple[str, ...]] = (
        "ensure_container",
        "ensure_sections",
        "annotate",
        "complete_task",
        "set_assignee",
    )
    WRITE_STREAMS: ClassVar[tuple[str, ...]] = ("create_tasks", "link_dependencies")

    def __init__(self, kill_at: int | None = None) -> None:
        self.log: list[str] = []
        self.count = 0
        self.stop: int | None = None
        self.lose = False
        self.kill_at = kill_at

    def writes_seen(self) -> int:
        """Writes so far."""
        return self.count

    def write_log(self) -> list[str]:
        """The method of every write so far (its kind)."""
        return list(self.log)

    def fail_writes_after(self, n: int | None, *, lose_reply: bool = False) -> None:
        """Let n more writes through, then refuse every write; with lose_reply, apply the first and raise."""
        self.stop = None if n is None else self.count + n
        self.lose = lose_reply

    def wrap(self, provider: Any) -> Any:
        """Route the provider's write methods through the fault gate (instance attributes, class untouched)."""
        for name in self.WRITE_METHODS:
            setattr(provider, name, self._call(provider.name, getattr(provider, name)))
        for name in self.WRITE_STREAMS:
            setattr(provider, name, self._stream(provider.name, getattr(provider, name)))
        return provider

    def _before(self, provider: str, what: str) -> None:
        if self.stop is not None and self.count >= self.stop and not self.lose:
            raise ProviderError(provider, what, "injected: write refused", status=503)

    def _after(self, provider: str, what: str) -> None:
        self.count += 1
        self.log.append(what)
        if self.kill_at is not None and self.count >= self.kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        if self.stop is not None and self.count > self.stop and self.lose:
            self.lose = False
            raise TransportError(provider, what, "injected: reply lost")

    def _call(self, provider: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def gated(*args: Any, **kwargs: Any) -> Any:
            self._before(provider, method.__name__)
            result = method(*args, **kwargs)
            self._after(provider, method.__name__)
            return result

        return gated

    def _stream(self, provider: str, method: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
        def gated(*args: Any, **kwargs: Any) -> Iterator[Any]:
            outcomes = method(*args, **kwargs)
            while True:
                self._before(provider, method.__name__)
                try:
                    outcome = next(outcomes)
                except StopIteration:
                    return
                self._after(provider, method.__name__)
                yield outcome

        return gated


def local_inventory(path: Path, instance: str) -> Counter[str]:
    """What a `local` SQLite file holds for an instance, by content (also the model for other tools)."""
    out: Counter[str] = Counter()
    if not path.exists():
        return out
    db = sqlite3.connect(str(path))
    try:
        keys: dict[int, str] = {}
        for cid, desc in db.execute("SELECT id, description FROM containers").fetchall():
            if parse_marker(desc) != (instance, None):
                continue
            out["container"] += 1
            for tid, title, body, checklist, labels, section in db.execute(
                "SELECT t.id, t.title, t.description, t.checklist, t.labels, s.name FROM tasks t"
                " LEFT JOIN sections s ON s.id = t.section_id WHERE t.container_id = ?",
                (cid,),
            ).fetchall():
                found = parse_marker(body)
                key = found[1] if found and found[0] == instance and found[1] else f"?{tid}"
                keys[tid] = key
                out.update(
                    describe_task(
                        key, title, body, items=_json_list(checklist), labels=_json_list(labels), section=section
                    )
                )
        for blocked, blocking in db.execute("SELECT task_id, depends_on_id FROM dependencies").fetchall():
            if blocked in keys and blocking in keys:
                out[f"link {keys[blocked]} -> {keys[blocking]}"] += 1
    finally:
        db.close()
    return out


def describe_task(
    key: str,
    title: str,
    body: str,
    *,
    items: Sequence[str] = (),
    labels: Sequence[str] = (),
    section: str | None = None,
) -> Counter[str]:
    """The content strings of one task: itself, its description lines (URLs masked), checklist, labels."""
    out: Counter[str] = Counter({f"task {key}: {title}": 1})
    for line in (body or "").splitlines():
        if line.strip() and not parse_marker(line):
            out[f"line {key}: {_URL.sub('<url>', line.strip())}"] += 1
    out.update(f"check {key}: {item}" for item in items)
    out.update(f"label {key}: {label}" for label in labels)
    if section:
        out[f"section {key}: {section}"] += 1
    return out


def _json_list(text: str | None) -> list[str]:
    return list(json.loads(text or "[]"))


def register_plugins(plugins: Mapping[str, str]) -> None:
    """Register provider types given as "module:Class" (a plugin not installed as an entry point)."""
    import importlib

    from collabsync.providers.registry import register

    for type_name, target in plugins.items():
        module, _, attr = target.partition(":")
        register(type_name, getattr(importlib.import_module(module), attr))


def wrap_subject(monkeypatch: pytest.MonkeyPatch, faults: BoundaryFaults) -> None:
    """Make every Workspace hand out the `subject` provider behind the fault gate."""
    from collabsync.runtime import Workspace

    original = Workspace.provider

    def provider(self: Workspace, name: str) -> Any:
        fresh = name not in self._providers
        made = original(self, name)
        return faults.wrap(made) if fresh and name == "subject" else made

    monkeypatch.setattr(Workspace, "provider", provider)


def child_main() -> None:
    """Entry of the SIGKILL child: `SCOPE N CLI-ARGS...`; kills itself after its Nth write, then never returns."""
    scope, n, args = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    register_plugins(json.loads(os.environ.get("COLLABSYNC_KIT_PLUGINS") or "{}"))
    if scope == "http":
        import requests.adapters

        send = requests.adapters.HTTPAdapter.send
        seen = [0]

        def counting(self: Any, request: Any, *a: Any, **kw: Any) -> Any:
            response = send(self, request, *a, **kw)
            if request.method not in ("GET", "HEAD", "OPTIONS"):
                seen[0] += 1
                if seen[0] >= n:
                    os.kill(os.getpid(), signal.SIGKILL)  # the write is done, its reply never read
            return response

        requests.adapters.HTTPAdapter.send = counting  # type: ignore[method-assign]
    else:
        mp = pytest.MonkeyPatch()
        wrap_subject(mp, BoundaryFaults(kill_at=n))
    from collabsync.cli import main

    main(args)
