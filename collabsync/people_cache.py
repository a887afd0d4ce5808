"""Who an e-mail address is in each tool, remembered in COLLABSYNC_HOME so a stamp asks each tool once a day.

One JSON file (0600, written whole and renamed into place); an entry expires after `PEOPLE_TTL` seconds,
a "not found" answer too, so a person added to a tool later is found on the next day's run. The file
holds ids, display names and e-mails, never a credential.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from collabsync.private import private_dir, private_file

__all__ = ["ToolUser", "PeopleCache", "PEOPLE_TTL", "MISS"]

#: How long a looked-up person (or their absence) is trusted, in seconds.
PEOPLE_TTL = 24 * 3600.0
#: What `PeopleCache.get` returns when it has no fresh answer (None means "looked up: not in the tool").
MISS: Any = object()
_LOCK = threading.Lock()


@dataclass(frozen=True)
class ToolUser:
    """One person as one tool knows them: the id it assigns work to, and what it shows."""

    id: str
    name: str = ""
    email: str = ""


class PeopleCache:
    """E-mail -> tool user per provider, with expiry."""

    def __init__(self, home: Path, ttl: float = PEOPLE_TTL, clock: Any = time.time) -> None:
        self.path = home / "people-cache.json"
        self.ttl = ttl
        self.clock = clock

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError):
            return {}  # absent or damaged: it is only a cache
        return data if isinstance(data, dict) else {}

    def get(self, provider: str, email: str) -> ToolUser | None:
        """The fresh answer for this provider and e-mail: a ToolUser, None (not in the tool) or MISS."""
        entry = self._load().get(provider, {}).get(email.casefold())
        if not isinstance(entry, dict) or self.clock() - float(entry.get("at", 0)) > self.ttl:
            return MISS
        if not entry.get("id"):
            return None
        return ToolUser(str(entry["id"]), str(entry.get("name") or ""), str(entry.get("email") or email))

    def put(self, provider: str, email: str, user: ToolUser | None) -> None:
        """Remember one answer (a miss too)."""
        with _LOCK:
            data = self._load()
            data.setdefault(provider, {})[email.casefold()] = {
                "id": user.id if user else None,
                "name": user.name if user else "",
                "email": email,
                "at": self.clock(),
            }
            private_dir(self.path.parent)
            tmp = private_file(self.path.with_suffix(f".{os.getpid()}.tmp"))
            tmp.write_text(json.dumps(data, indent=1, sort_keys=True), "utf-8")
            os.replace(tmp, self.path)

    def by_id(self, provider: str) -> dict[str, str]:
        """Tool user id -> e-mail of everyone this provider resolved (expired entries too: ids do not move)."""
        return {
            str(e["id"]): str(e.get("email") or k)
            for k, e in self._load().get(provider, {}).items()
            if isinstance(e, dict) and e.get("id")
        }
