"""Small helpers every renderer shares: safe links, signed day counts, labels."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

__all__ = ["safe_url", "signed_days", "variance_text", "fmt_date", "STATUS_LABELS", "HEALTH_MARK"]

STATUS_LABELS = {"done": "done", "in_progress": "in progress", "blocked": "blocked", "todo": "to do",
                 "cancelled": "cancelled"}
HEALTH_MARK = {"green": "🟢", "amber": "🟠", "red": "🔴"}


def safe_url(url: str | None) -> str | None:
    """Only http(s) links leave a report; anything else (javascript:, data:, relative) is dropped."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()


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
