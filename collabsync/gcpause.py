"""One way to pause Python's cyclic garbage collector while a big, cycle-free structure is built (issue 17)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused"]


@contextmanager
def gc_paused(*, settle: bool = False) -> Iterator[None]:
    """No collection passes while 100,000-task structures are built: none of it is garbage, and the collector
    walked it over and over (a third of `status`, a quarter of a report, 3-4x a template parse).

    With `settle`, what was built then joins the frozen objects when the process froze some (cli.main does),
    else the oldest generation, so the resumed collector does not rescan it at once."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if settle:
            frozen = gc.get_freeze_count()
            gc.freeze()
            if not frozen:  # not exempted for good unless the process froze its own objects
                gc.unfreeze()
        if enabled:
            gc.enable()
