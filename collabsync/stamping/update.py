"""`collabsync update`: move one stamped task to a new status in whichever tool holds it."""

from __future__ import annotations

from collections.abc import Callable

from collabsync.errors import ConfigError
from collabsync.model import Status
from collabsync.runtime import Workspace

__all__ = ["update_status"]


def update_status(
    ws: Workspace,
    instance: str | None,
    key: str,
    status: Status | str,
    *,
    force: bool = False,
    warn: Callable[[str], None] = lambda line: None,
) -> tuple[str, str]:
    """Set a created task's status; done while prerequisites are open is refused unless `force` (the
    report would count finished work ahead of plan). Returns (instance, provider); `warn` hears the open work."""
    from collabsync.ledger import ObjectState
    from collabsync.reading.query import collect, open_prerequisites, resolve_instance

    new = Status(status)
    record = resolve_instance(ws, instance)
    objects = ws.ledger.objects(record.name)
    obj_rec = objects.get(key)
    if obj_rec is None or obj_rec.state != ObjectState.DONE or not obj_rec.ref:
        known = ", ".join(sorted(k for k, r in objects.items() if r.state == ObjectState.DONE))
        raise ConfigError.single("TASK_KEY", f"no created task {key!r} in {record.name}; known: {known}")
    placed = ws.ledger.container(record.name, obj_rec.department)
    if placed is None:
        raise ConfigError.single("TASK_KEY", f"the container of {key!r} is not in the ledger")
    if new == Status.DONE:
        waiting = open_prerequisites(collect(ws, record), key)
        if waiting:
            names = ", ".join(f"{t.key or t.ref} ({t.department}, {t.status.value})" for t in waiting)
            warn(f"warning: {record.name}/{key} waits on open work: {names}")
            if not force:
                raise ConfigError.single("--status", "not changed: finish those first, or pass --force")
    ws.provider(obj_rec.provider).set_status(placed[1], obj_rec.ref, new)
    return record.name, obj_rec.provider
