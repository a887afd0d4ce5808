"""The journal's records of objects and links a stamp wrote, apart from the instance's (collabsync.ledger_records).

Only stamp, doctor and the other write paths read these rows; a status of a tracked instance builds neither
dataclass before its first request (issue 17). `collabsync.ledger` and `.ledger_records` still export both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collabsync.ledger_records import ObjectState

__all__ = ["ObjectRecord", "LinkRecord"]


@dataclass(frozen=True)
class ObjectRecord:
    """One created (or pending) object: a section or a task."""

    department: str
    kind: str
    key: str
    provider: str
    ref: str | None
    url: str
    state: ObjectState
    error: str | None


@dataclass(frozen=True)
class LinkRecord:
    """One dependency as written: `native` inside a tool or `cross` between tools."""

    blocked: str
    blocking: str
    kind: str
    state: ObjectState
    error: str | None
