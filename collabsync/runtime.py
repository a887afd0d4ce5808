"""One run's wiring: config, home directory, ledger and the provider instances it needs."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from collabsync.config import Config, DepartmentConfig, home_dir
from collabsync.errors import ConfigError
from collabsync.ledger import LEDGER_FILE, Ledger
from collabsync.providers.registry import provider_class

if TYPE_CHECKING:  # the adapters' base is imported by the first adapter: a warm `status` needs none (issue 17)
    from collabsync.providers.base import Provider

__all__ = ["Workspace", "today"]


def today(value: str | dt.date | None = None) -> dt.date:
    """'Today' for overdue checks: an explicit value, then COLLABSYNC_TODAY, then the clock."""
    if isinstance(value, dt.date):
        return value
    raw = value or os.environ.get("COLLABSYNC_TODAY")
    if raw:
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise ConfigError.single("--today/COLLABSYNC_TODAY", f"{raw!r} is not a date; write YYYY-MM-DD") from None
    return dt.date.today()


class Workspace:
    """Opens the ledger and providers lazily and closes them together."""

    def __init__(self, config: Config, home: Path | None = None, *, use_cache: bool = False) -> None:
        self.config = config
        self.home = home or home_dir()
        self.use_cache = use_cache
        self._ledger: Ledger | None = None
        self._providers: dict[str, Provider] = {}

    @property
    def ledger(self) -> Ledger:
        """The ledger of this home directory."""
        if self._ledger is None:
            self._ledger = Ledger(self.home / LEDGER_FILE)
        return self._ledger

    def provider_type(self, name: str) -> type[Provider]:
        """The adapter class of a configured provider (no connection made)."""
        if name not in self.config.providers:
            raise ConfigError.single(
                self.config.source, f"unknown provider {name!r}; configured: {', '.join(self.config.providers)}"
            )
        return provider_class(self.config.providers[name].type, source=self.config.source)

    def provider(self, name: str) -> Provider:
        """The one instance of a configured provider for this run."""
        if name not in self._providers:
            from collabsync.providers.base import ProviderContext

            cls = self.provider_type(name)
            context = ProviderContext(
                home=self.home,
                use_cache=self.use_cache,
                cache_ttl=self.config.cache_ttl,
                config_file=self.config.source,
                people=self.config.people,
            )
            self._providers[name] = cls(name, self.config.provider_settings(name), context)
        return self._providers[name]

    def route(self, department: str) -> DepartmentConfig:
        """Where a department goes."""
        return self.config.route(department)

    def close(self) -> None:
        """Close providers and the ledger."""
        for provider in self._providers.values():
            provider.close()
        self._providers.clear()
        if self._ledger is not None:
            self._ledger.close()
            self._ledger = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
