"""Atlassian Document Format for the Jira emulator: v3 rich text to the plain text v2 shows, and back."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["adf_to_text", "is_adf", "text_to_adf"]


def is_adf(value: Any) -> bool:
    """A v3 rich-text value: a dict with type "doc" and version 1."""
    return isinstance(value, dict) and value.get("type") == "doc" and isinstance(value.get("content", []), list)


def text_to_adf(text: str | None) -> dict[str, Any] | None:
    """Plain text to an ADF doc: blank lines separate paragraphs, single newlines become hardBreaks."""
    if text is None:
        return None
    content = []
    for para in re.split(r"\n\s*\n", text.strip("\n")):
        if not para:
            continue
        inline: list[dict[str, Any]] = []
        for i, line in enumerate(para.split("\n")):
            if i:
                inline.append({"type": "hardBreak"})
            if line:
                inline.append({"type": "text", "text": line})
        content.append({"type": "paragraph", "content": inline})
    return {"type": "doc", "version": 1, "content": content}


def adf_to_text(doc: Any) -> str | None:
    """An ADF doc to plain text (what v2 shows): paragraphs split by blank lines, lists as '- '."""
    if doc is None:
        return None
    if isinstance(doc, str):
        return doc
    blocks = [_block_text(node) for node in doc.get("content", [])]
    return "\n\n".join(b for b in blocks if b is not None)


def _block_text(node: dict[str, Any]) -> str | None:
    kind = node.get("type")
    if kind in ("bulletList", "orderedList"):
        items = []
        for n, item in enumerate(node.get("content", []), 1):
            prefix = "- " if kind == "bulletList" else f"{n}. "
            inner = "\n".join(filter(None, (_block_text(c) for c in item.get("content", []))))
            items.append(prefix + inner)
        return "\n".join(items)
    if kind == "rule":
        return "----"
    if kind in ("blockquote", "panel", "expand"):
        return "\n".join(filter(None, (_block_text(c) for c in node.get("content", []))))
    return _inline_text(node.get("content", []))


def _inline_text(nodes: list[dict[str, Any]]) -> str:
    out = []
    for n in nodes:
        kind = n.get("type")
        if kind == "text":
            out.append(n.get("text", ""))
        elif kind == "hardBreak":
            out.append("\n")
        elif kind in ("mention", "emoji"):
            out.append(n.get("attrs", {}).get("text", ""))
        elif kind == "inlineCard":
            out.append(n.get("attrs", {}).get("url", ""))
        elif "content" in n:
            out.append(_inline_text(n["content"]))
    return "".join(out)
