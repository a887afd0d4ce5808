"""The registry that finds adapters: entry points of ``collabsync.providers`` plus run-time registrations."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from collabsync.errors import ConfigError

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

    from collabsync.providers.base import Provider

__all__ = ["ENTRY_POINT_GROUP", "provider_class", "provider_types", "register"]

ENTRY_POINT_GROUP = "collabsync.providers"

_registered: dict[str, type[Provider]] = {}


def register(type_name: str, cls: type[Provider]) -> None:
    """Register an adapter at run time (tests, plugins loaded by hand)."""
    _registered[type_name] = cls


@lru_cache(maxsize=1)
def _installed() -> dict[str, EntryPoint]:
    """The group's entry points, scanned once per process (a scan reads every installed package's metadata)."""
    from importlib.metadata import entry_points  # not at import: a warm run whose config passed never scans

    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def provider_types() -> list[str]:
    """Every known provider type: entry points plus run-time registrations."""
    return sorted(set(_installed()) | set(_registered))


def provider_class(type_name: str, *, source: str = "collabsync.toml") -> type[Provider]:
    """Load the adapter class for a type, with an error that lists the known types."""
    if type_name in _registered:
        return _registered[type_name]
    ep = _installed().get(type_name)
    if ep is not None:
        try:
            return ep.load()
        except Exception as exc:  # an adapter that fails to import must not kill the CLI
            raise ConfigError.single(
                source, f"provider type {type_name!r} failed to load ({ep.value}): {exc}"
            ) from None
    known = ", ".join(provider_types()) or "(none installed)"
    raise ConfigError.single(source, f"unknown provider type {type_name!r}; known types: {known}")
