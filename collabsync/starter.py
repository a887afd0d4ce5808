"""`collabsync init`: the commented starter config, written where the user asked and nowhere else."""

from __future__ import annotations

from pathlib import Path

from collabsync.config import STARTER_CONFIG
from collabsync.errors import ConfigError

__all__ = ["write_starter_config"]


def write_starter_config(path: Path | str, *, force: bool = False) -> Path:
    """Write the starter config; an existing file is kept unless `force`, a bad folder is named."""
    target = Path(path)
    if target.exists() and not force:
        raise ConfigError.single(str(target), "already exists; pass --force to overwrite")
    if not target.parent.is_dir():
        what = "is a file" if target.parent.exists() else "does not exist"
        raise ConfigError.single(str(target.parent), f"{what}; --path must be a file in an existing folder")
    try:
        target.write_text(STARTER_CONFIG, "utf-8")
    except OSError as exc:
        raise ConfigError.single(str(target), f"cannot write: {exc.strerror}") from None
    return target
