"""Small helpers every renderer shares: safe links, signed day counts, labels."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "safe_url",
    "signed_days",
    "variance_text",
    "fmt_date",
    "STATUS_LABELS",
    "HEALTH_MARK",
    "CHANGE_LABELS",
    "change_detail",
]

STATUS_LABELS = {
    "done": "done",
    "in_progress": "in progress",
    "blocked": "blocked",
    "todo": "to do",
    "cancelled": "cancelled",
}
HEALTH_MARK = {"green": "🟢", "amber": "🟠", "red": "🔴"}
#: The kinds of change between two snapshots, in the order every renderer lists them.
CHANGE_LABELS = (
    ("completed", "Completed"),
    ("started", "Started"),
    ("added", "Added"),
    ("removed", "Removed"),
    ("cancelled", "Cancelled"),
    ("newly_overdue", "Newly overdue"),
    ("newly_blocked", "Newly blocked"),
    ("slipped", "Due date slipped"),
    ("redated", "Re-dated"),
    ("reassigned", "Reassigned"),
)


def safe_url(url: str | None) -> str | None:
    """Only http(s) links leave a report; anything else (javascript:, data:, relative) is dropped."""
    if not url:
        return None
    text = url.strip()
    # urlsplit's answer for the common shapes without calling it (it costs a report of thousands of links): it
    # drops leading controls and TAB/CR/LF anywhere first and refuses unbalanced IPv6 brackets, so only text free
    # of those takes the short way
    head = text[:8]
    if head and head[0] > " " and head.isascii() and not _LONG_WAY.search(text):
        if not head.lower().startswith(("http:", "https:")):
            return None  # the scheme urlsplit finds is not http(s)
        rest = text[text.index(":") + 1 :]
        if not rest.startswith("//"):
            return None  # no netloc
        netloc = _NETLOC_END.split(rest[2:], maxsplit=1)[0]
        if netloc.isascii():  # nothing urlsplit checks further
            return text if netloc else None
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return text


_LONG_WAY = re.compile(r"[\t\r\n\[\]]")
_NETLOC_END = re.compile("[/?#]")


def signed_days(days: float | int | None) -> str:
    """+3 / -0.5 / 0 days, '—' when unknown."""
    if days is None:
        return "—"
    value = f"{days:+g}" if days else "0"
    return f"{value} day" + ("" if abs(days) == 1 else "s")


def variance_text(days: float | None) -> str:
    """The schedule variance in words."""
    if days is None:
        return "no planned dates"
    if days == 0:
        return "on plan"
    return f"{abs(days):g} day{'' if abs(days) == 1 else 's'} {'ahead' if days > 0 else 'behind'}"


def fmt_date(value: dt.date | dt.datetime | None) -> str:
    """ISO date, a datetime to the minute, '—' when unknown."""
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    return value.isoformat()


def change_detail(key: str, item: Mapping[str, Any]) -> str:
    """What moved for one change: dates for slipped/re-dated work, names for reassigned work."""
    if key == "reassigned":
        return f" ({item.get('assignee_from') or 'nobody'} → {item.get('assignee_to') or 'nobody'})"
    if key in ("slipped", "redated") and (item.get("from") or item.get("to")):
        days = f", {item['days']:+d} d" if item.get("days") is not None else ""
        return f" ({item.get('from') or 'no date'} → {item.get('to') or 'no date'}{days})"
    return ""
