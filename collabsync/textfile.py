"""Reading a user's text file (template or config): a folder, a huge file or non-UTF-8 bytes is a located problem."""

from __future__ import annotations

from pathlib import Path

__all__ = ["read_utf8", "UnreadableFile"]


class UnreadableFile(Exception):
    """The file cannot be read as text; `line` is where the first bad byte is, when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message, self.line = message, line


def read_utf8(path: Path, *, what: str, max_bytes: int | None = None) -> str:
    """The file's text, or UnreadableFile saying what to fix."""
    try:
        if path.is_dir():
            raise UnreadableFile(f"is a folder, not a {what} file; give a file")
        raw = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"cannot read {what}: {exc.strerror}") from None
    if max_bytes is not None and len(raw) > max_bytes:
        raise UnreadableFile(
            f"{what} is {len(raw):,} bytes; at most {max_bytes:,} are read: split it or remove generated content"
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); save the file as UTF-8",
            raw[: exc.start].count(b"\n") + 1,
        ) from None
