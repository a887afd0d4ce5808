"""The registry that finds adapters: the built-in ones, entry points of ``collabsync.providers``, run-time registrations."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from importlib import import_module
from typing import TYPE_CHECKING

from collabsync.errors import ConfigError

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

    from collabsync.providers.base import Provider

__all__ = ["BUILT_IN", "ENTRY_POINT_GROUP", "provider_class", "provider_types", "register"]

ENTRY_POINT_GROUP = "collabsync.providers"
#: The adapters shipped in this package (also declared as entry points in pyproject.toml): loaded without the
#: entry-point scan, which imports importlib.metadata and reads every installed package's metadata (issue 17).
BUILT_IN = {
    "local": ("collabsync.providers.local", "LocalProvider"),
    "jira": ("collabsync.providers.jira", "JiraProvider"),
    "trello": ("collabsync.providers.trello", "TrelloProvider"),
    "asana": ("collabsync.providers.asana", "AsanaProvider"),
}

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
    return sorted(set(BUILT_IN) | set(_installed()) | set(_registered))


def provider_class(type_name: str, *, source: str = "collabsync.toml") -> type[Provider]:
    """Load the adapter class for a type, with an error that lists the known types."""
    if type_name in _registered:
        return _registered[type_name]
    load: Callable[[], type[Provider]]
    if type_name in BUILT_IN:
        module, attr = BUILT_IN[type_name]
        where, load = f"{module}:{attr}", lambda: getattr(import_module(module), attr)
    else:
        ep = _installed().get(type_name)
        if ep is None:
            known = ", ".join(provider_types()) or "(none installed)"
            raise ConfigError.single(source, f"unknown provider type {type_name!r}; known types: {known}")
        where, load = ep.value, ep.load
    try:
        return load()
    except Exception as exc:  # an adapter that fails to import must not kill the CLI
        raise ConfigError.single(source, f"provider type {type_name!r} failed to load ({where}): {exc}") from None
