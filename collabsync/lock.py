"""One writer per instance: the lock that stops two runs (stamp, update, track, ...) from writing at once.

Two stamps of one instance at the same moment would both see "not created yet" and both create.
The lock is an OS file lock on $COLLABSYNC_HOME/locks/<instance>.lock, so a run that is killed
releases it with its process; the file records who holds it, for the message the next run prints.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

__all__ = ["instance_lock", "DEFAULT_WAIT"]

#: Seconds a run waits for another run of the same instance before giving up.
DEFAULT_WAIT = 5.0
_POLL = 0.1


def _try_lock(handle: IO[str]) -> bool:
    """Take the lock without blocking; False when another process holds it."""
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _file_name(instance: str) -> str:
    """The instance's name when it is a safe file name (it is for every name `stamp` accepts), else a hash."""
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", instance):
        return instance
    import hashlib  # here: `collabsync --help` reads the lock's default wait, not OpenSSL's digests

    return "h-" + hashlib.sha256(instance.encode()).hexdigest()[:16]


def _holder(path: Path) -> str:
    """Who holds the lock, as its holder wrote it (best effort: it may be writing it right now)."""
    try:
        info: dict[str, Any] = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        info = {}
    if not info:
        return "another collabsync run"
    return (
        f"collabsync {info.get('verb', '?')} (pid {info.get('pid', '?')} on {info.get('host', '?')}, "
        f"started {info.get('started', '?')})"
    )


@contextmanager
def instance_lock(home: Path, instance: str, verb: str, wait: float = DEFAULT_WAIT) -> Iterator[None]:
    """Hold the instance's lock for the block; after `wait` seconds of another holder, LedgerError names it."""
    from collabsync.errors import LedgerError  # here: `collabsync --help` reads DEFAULT_WAIT and builds no dataclass

    folder = home / "locks"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = folder / f"{_file_name(instance)}.lock"
        handle = os.fdopen(os.open(path, os.O_RDWR | os.O_CREAT, 0o600), "r+", encoding="utf-8")  # held till the end
    except OSError as exc:
        raise LedgerError(
            f"cannot create the lock of instance {instance!r} in {home / 'locks'}: {exc.strerror}"
        ) from None
    try:
        deadline = time.monotonic() + max(0.0, wait)
        while not _try_lock(handle):
            if time.monotonic() >= deadline:
                raise LedgerError(
                    f"instance {instance!r} is busy: {_holder(path)} holds {path}; waited {wait:g}s. "
                    "Let it finish and run again, or pass --wait SECONDS to wait longer"
                )
            time.sleep(_POLL)
        handle.seek(0)
        handle.truncate()
        handle.write(
            json.dumps(
                {
                    "verb": verb,
                    "pid": os.getpid(),
                    "host": _host(),
                    "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                }
            )
        )
        handle.flush()
        from collabsync.snapshot_store import SnapshotStore

        snapshots = SnapshotStore(home, instance)
        snapshots.forget()  # this verb writes: no later status may show the tools as they were before it
        try:
            yield
        finally:
            snapshots.forget()  # nor a read the verb itself made before its writes
            handle.seek(0)
            handle.truncate()  # a free lock names nobody
            handle.flush()
    finally:
        handle.close()  # closing releases the OS lock


def _host() -> str:
    """This machine's name, for the holder record (socket is imported only by runs that take the lock)."""
    import socket

    return socket.gethostname()
