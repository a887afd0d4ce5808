"""Names a module exports but imports on first use (PEP 562), so that importing it builds no class it does not need."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(module: str, where: Mapping[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` for `module`: each name from its module in `where` ("pkg.mod", or "pkg.mod:attr" when
    exported under another name), imported when first asked for and kept in the module's namespace after that."""

    def __getattr__(name: str) -> Any:
        place = where.get(name)
        if place is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        source, _, attr = place.partition(":")
        value = getattr(import_module(source), attr or name)
        setattr(sys.modules[module], name, value)
        return value

    return __getattr__
