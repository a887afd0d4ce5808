"""State files are private: they hold tool data (titles, people, URLs) and must not leak to other users.

COLLABSYNC_HOME is 0700; the ledger, the local tool, HTTP caches, history snapshots and reports are
0600 from the moment they exist (SQLite gives its -wal and -shm files the mode of the database).
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from collabsync.errors import ConfigError

__all__ = ["private_dir", "private_file", "config_exposure_warning", "DIR_MODE", "FILE_MODE"]

DIR_MODE = 0o700
FILE_MODE = 0o600
_LITERAL_SECRET_RE = re.compile(
    r"""^\s*["']?(?:api_token|api_key|token|password|secret|access_token)["']?\s*=\s*["'](?!\$\{)[^"']+["']""",
    re.MULTILINE | re.IGNORECASE,
)


def private_dir(path: Path, *, what: str = "directory") -> Path:
    """Create a directory readable by its owner only (and tighten one we own); a file in the way is a ConfigError."""
    if path.exists() and not path.is_dir():
        raise ConfigError.single(
            str(path), f"{what} is a file, not a directory; point it at a directory or move the file away"
        )
    try:
        path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        _tighten(path, DIR_MODE)
    except OSError as exc:
        raise ConfigError.single(
            str(path), f"cannot create {what}: {exc.strerror}; check the path and its permissions"
        ) from None
    return path


def private_file(path: Path) -> Path:
    """Create the file (empty) at 0600 before anyone writes it, or tighten it to 0600."""
    if path.is_dir():
        raise ConfigError.single(str(path), "is a directory, not a file; give a file path")
    if path.parent.exists() and not path.parent.is_dir():
        raise ConfigError.single(str(path.parent), "is a file, not a directory; give a path inside a directory")
    try:
        path.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_APPEND, FILE_MODE)
        os.close(fd)
        _tighten(path, FILE_MODE)
    except OSError as exc:
        raise ConfigError.single(
            str(path), f"cannot create: {exc.strerror}; check the path and its permissions"
        ) from None
    return path


def _tighten(path: Path, mode: int) -> None:
    """chmod to mode when the path is ours and more open than that."""
    st = path.stat()
    if st.st_uid == os.getuid() and stat.S_IMODE(st.st_mode) & ~mode:
        os.chmod(path, mode)


def config_exposure_warning(path: Path, text: str) -> str | None:
    """A warning when a config holding a literal secret can be read by the group or by everyone."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None
    if not mode & 0o077:
        return None
    m = _LITERAL_SECRET_RE.search(text)
    if not m:
        return None
    line = text.count("\n", 0, m.start()) + 1
    who = "everyone" if mode & 0o007 else "its group"
    return (
        f"{path}:{line}: holds a literal secret and is readable by {who} (mode {mode:03o}); "
        f"run `chmod 600 {path}` or use ${{ENV_VAR}} instead"
    )
