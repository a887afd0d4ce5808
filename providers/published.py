"""Where a published status entry lives in a tool: the publishing path's record, apart from the adapters' base.

A read builds it never, so it is not compiled before a status's first request (issue 17);
`collabsync.providers.base` still exports `Published`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Published"]


@dataclass(frozen=True)
class Published:
    """Where a status entry lives in the tool: its ref (what edit_status needs) and a link to it."""

    ref: str
    url: str = ""
