"""Keeps tokens out of logs, errors, caches and reports."""

from __future__ import annotations

import logging
import re
import threading

__all__ = ["register_secret", "redact", "RedactingFilter", "SECRET_QUERY_PARAMS"]

#: Query parameters that carry credentials (Trello sends key and token in the URL).
SECRET_QUERY_PARAMS = ("key", "token", "api_key", "apiKey", "access_token", "oauth_token")

_lock = threading.Lock()
_secrets: set[str] = set()
_QUERY_RE = re.compile(r"(?P<name>[?&](?:" + "|".join(SECRET_QUERY_PARAMS) + r"))=(?P<value>[^&#\s'\"]+)")
_AUTH_RE = re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?(?:bearer|basic)\s+)[A-Za-z0-9+/=._\-]+")


def register_secret(value: str | None) -> None:
    """Remember a secret so every later redact() call scrubs it."""
    if value and len(value) >= 4:
        with _lock:
            _secrets.add(value)


def redact(text: str) -> str:
    """Scrub known secrets, credential query parameters and auth headers from text."""
    if not text:
        return text
    text = _QUERY_RE.sub(lambda m: f"{m.group('name')}=***", text)
    text = _AUTH_RE.sub(lambda m: m.group(1) + "***", text)
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


class RedactingFilter(logging.Filter):
    """A logging filter that redacts every record before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True
