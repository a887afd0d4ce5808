"""Text from templates and tools made safe for terminals, reports and spreadsheets.

A task title is written by anyone with access to a tool: an ESC sequence can rewrite a terminal,
NUL truncates readers, C1 controls act as ESC on some terminals and bidi overrides reorder what
a reader sees (CVE-2021-42574, "Trojan Source"). Every output path goes through `clean` (reports,
CSV, JSON, Markdown) or `visible` (the terminal, where the reader should notice something odd).
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["clean", "visible", "clean_tree", "UNSAFE_RE"]

#: C0 controls except TAB and LF, DEL, C1 controls, Arabic letter mark, LRM/RLM,
#: bidi embeddings/overrides (U+202A-U+202E) and isolates (U+2066-U+2069).
UNSAFE_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean(text: str | None) -> str:
    """Drop the characters that can hide, reorder or run anything; CRLF becomes LF."""
    if not text:
        return text or ""
    return UNSAFE_RE.sub("", text.replace("\r\n", "\n"))


def visible(text: str | None) -> str:
    """Show each unsafe character as a harmless escape (`\\x1b`, `\\u202e`) so a terminal reader sees it."""
    if not text:
        return text or ""
    return UNSAFE_RE.sub(lambda m: _escape(m.group()), text)


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean_tree(value: Any) -> Any:
    """`clean` applied to every string of a JSON-like value (dict keys too)."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean_tree(k): clean_tree(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_tree(v) for v in value]
    return value
