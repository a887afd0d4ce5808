"""One HTTP policy for every SaaS provider: timeouts, bounded retries, Retry-After, caching, redaction.

The three SDKs each hide a different retry story (see SDK-NOTES.md); collabsync replaces all of
them with this one, mixed into whatever ``requests.Session`` class the SDK expects.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from collabsync.errors import AuthError, NotFoundError, ProviderError, RateLimitError, TransportError
from collabsync.ratelimit import Budget, Limit
from collabsync.redact import SECRET_QUERY_PARAMS, redact

if TYPE_CHECKING:  # requests is imported by the first session, not by every CLI start (issue 17)
    from concurrent.futures import Future

    import requests

    class PolicySession(requests.Session):
        """Built by __getattr__ below on first use: PolicyMixin over requests.Session."""


__all__ = [
    "POLICY_SETTINGS_SCHEMA",
    "HttpPolicy",
    "PolicyMixin",
    "PolicySession",
    "make_session",
    "retry_after_seconds",
    "error_for_status",
    "until_first_request",
]

log = logging.getLogger("collabsync.http")

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

#: Set when the process's first request is about to go out (any session with the policy): see until_first_request.
_first_request = threading.Event()
#: How long until_first_request holds at most (seconds): a read that has not sent by then no longer waits for it.
FIRST_REQUEST_WAIT = 0.25


#: JSON Schema properties of the policy keys every SaaS provider table accepts (merge into settings_schema).
POLICY_SETTINGS_SCHEMA: dict[str, Any] = {
    "timeout": {"type": "number", "exclusiveMinimum": 0, "description": "Seconds per request (default 30)"},
    "max_retries": {
        "type": "integer",
        "minimum": 0,
        "description": "Retries on 429 (any call) and on 5xx/connection errors (reads only); default 3",
    },
    "max_retry_wait": {
        "type": "number",
        "minimum": 0,
        "description": "Longest Retry-After honoured, seconds (default 60); longer fails at once",
    },
    "backoff": {"type": "number", "minimum": 0, "description": "First back-off step, seconds (default 0.5)"},
    "incremental": {"type": "boolean", "description": "Read only what changed since the last read (docs/reading.md)"},
    "full_read_every": {
        "type": "integer",
        "minimum": 1,
        "description": "With incremental: a full read every N reads (default 10)",
    },
    "read_overlap_minutes": {
        "type": "number",
        "minimum": 0,
        "description": "With incremental: minutes re-read before the last read began (default 5)",
    },
}


@dataclass
class HttpPolicy:
    """How patient collabsync is with a tool; every knob is settable per provider in the config."""

    timeout: float = 30.0
    max_retries: int = 3
    max_retry_wait: float = 60.0
    backoff: float = 0.5
    rate_limit: tuple[int, float] | None = None  # (requests, per seconds): a budget the user configured
    limits: tuple[Limit, ...] = ()  # the vendor's published limits; the budget keeps SAFETY of each
    max_reads: int | None = None  # reads in flight at once
    max_writes: int | None = None  # writes in flight at once
    adaptive: bool = False  # halve the rate on a 429, win it back slowly (limits without a published number)

    def budget(self) -> Budget:
        """The run-time budget these settings describe."""
        limits = list(self.limits)
        if self.rate_limit:
            limits.append(Limit(self.rate_limit[0], self.rate_limit[1], "configured", safety=1.0))
        return Budget(limits, max_reads=self.max_reads, max_writes=self.max_writes, adaptive=self.adaptive)

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> HttpPolicy:
        """Read the optional timeout/retry keys of a provider's config table."""
        policy = cls()
        for name in ("timeout", "max_retries", "max_retry_wait", "backoff"):
            if name in settings:
                setattr(policy, name, type(getattr(policy, name))(settings[name]))
        return policy


def retry_after_seconds(value: str | None, default: float) -> float:
    """Parse Retry-After given as seconds or as an HTTP-date; fall back to default."""
    if value is None or value.strip() == "":
        return default
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    import email.utils  # an HTTP-date Retry-After is rare: not imported at start-up

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(when.timestamp() - time.time(), 0.0)


def error_for_status(provider: str, obj: str, status: int, cause: str) -> ProviderError:
    """Pick the precise ProviderError subclass for an HTTP status."""
    cause = redact(cause.strip())[:500] or f"HTTP {status}"
    if status in (401, 403):
        return AuthError(provider, obj, cause, status=status)
    if status == 404:
        return NotFoundError(provider, obj, cause, status=status)
    if status == 429:
        return RateLimitError(provider, obj, cause, status=status)
    return ProviderError(provider, obj, cause, status=status)


class PolicyMixin:
    """Mixed into a requests.Session subclass: timeout, limiter, retries, counting, redacted logs."""

    provider_name: str = "http"
    policy: HttpPolicy
    budget: Budget
    request_count: int = 0
    sleep = staticmethod(time.sleep)
    #: Path endings of POSTs that only read (Jira's /issue/bulkfetch): retried and budgeted as reads.
    read_only_posts: tuple[str, ...] = ()

    def setup_policy(self, provider_name: str, policy: HttpPolicy) -> None:
        """Attach the policy; called once after construction."""
        self.provider_name = provider_name
        self.policy = policy
        self.request_count = 0
        self._count_lock = threading.Lock()
        self.budget = policy.budget()

    def get_adapter(self, url: str) -> Any:
        """requests.Session's, called by send() just before the connection: the first request is under way."""
        if not _first_request.is_set():
            _first_request.set()
        return super().get_adapter(url)  # type: ignore[misc]

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
        """Send with the policy: bounded retries on 429 (any method) and 5xx/transport (reads only)."""
        import requests

        kwargs.setdefault("timeout", self.policy.timeout)
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.policy.timeout
        method = method.upper()
        reads = method in _READ_METHODS or (method == "POST" and _path(url).endswith(self.read_only_posts))
        attempt = 0
        while True:
            attempt += 1
            with self._count_lock:
                self.request_count += 1
            started = time.monotonic()
            try:
                with self.budget.slot(write=not reads):
                    response = super().request(method, url, *args, **kwargs)  # type: ignore[misc]
            except (requests.ConnectionError, requests.Timeout) as exc:
                log.debug("%s %s failed: %s", method, redact(url), redact(str(exc)))
                if reads and attempt <= self.policy.max_retries:
                    self.sleep(self.policy.backoff * 2 ** (attempt - 1))
                    continue
                kind = "timed out" if isinstance(exc, requests.Timeout) else "connection failed"
                raise TransportError(self.provider_name, f"{method} {_path(url)}", kind) from None
            elapsed = (time.monotonic() - started) * 1000
            log.debug("%s %s -> %s in %.0f ms", method, redact(url), response.status_code, elapsed)
            status = response.status_code
            if status == 429:
                wait = retry_after_seconds(response.headers.get("Retry-After"), self.policy.backoff * 2**attempt)
                self.budget.on_reject(min(wait, self.policy.max_retry_wait))
            else:
                self.budget.on_accept()
            if status == 429 and attempt <= self.policy.max_retries:
                if wait > self.policy.max_retry_wait:
                    raise RateLimitError(
                        self.provider_name,
                        f"{method} {_path(url)}",
                        f"rate limited; Retry-After {wait:.0f}s exceeds max_retry_wait {self.policy.max_retry_wait:.0f}s",
                        status=429,
                    )
                self.sleep(wait)
                continue
            if status == 429:
                raise RateLimitError(
                    self.provider_name,
                    f"{method} {_path(url)}",
                    f"still rate limited after {self.policy.max_retries} retries",
                    status=429,
                )
            if status >= 500 and reads and attempt <= self.policy.max_retries:
                self.sleep(self.policy.backoff * 2 ** (attempt - 1))
                continue
            return response


def until_first_request(reads: Sequence[Future[Any]]) -> None:
    """Hold the calling thread until the process's first request is on its way (or `reads` ended, or
    FIRST_REQUEST_WAIT passed): a read thread holding the GIL alone reaches its connect at once, one sharing it with
    the next SDK's import a switch interval (5 ms) later, or more."""
    deadline = time.monotonic() + FIRST_REQUEST_WAIT
    while not _first_request.wait(0.005):
        if all(read.done() for read in reads) or time.monotonic() > deadline:
            return
    time.sleep(0.001)  # its host lookup lets the GIL go: the connect right after it needs the GIL back (~0.1 ms)


def _path(url: str) -> str:
    """The redacted path of a URL, for naming the object in an error."""
    return redact(urlparse(url).path or url)


def _discard_if_corrupt(path: Path) -> None:
    """A cache is disposable: an unreadable one is moved aside (named in a warning) and a new one started."""
    import sqlite3

    try:
        with sqlite3.connect(str(path)) as db:
            db.execute("PRAGMA schema_version").fetchone()
        return
    except sqlite3.DatabaseError as exc:
        aside = path.with_name(path.name + ".corrupt")
        path.replace(aside)
        log.warning("cache %s was unreadable (%s); moved it to %s and started a new cache", path, exc, aside)


def __getattr__(name: str) -> Any:
    """PolicySession, built on first use so that importing this module does not import requests."""
    if name == "PolicySession":
        import requests

        cls = type("PolicySession", (PolicyMixin, requests.Session), {"__doc__": "A requests session with the policy."})
        globals()["PolicySession"] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def make_session(
    provider_name: str,
    policy: HttpPolicy,
    *,
    base: type[requests.Session] | None = None,
    cache_path: Path | None = None,
    cache_ttl: float = 300.0,
) -> requests.Session:
    """Build a session of the SDK's session class, with the policy and, for CLI queries, a cache.

    The cache is keyed without credential query parameters and stores no Authorization header,
    so the file holds no secret; use one cache file per credential (the caller names it).
    """
    if base is None:
        import requests

        base = requests.Session
    bases: list[type] = [PolicyMixin]
    if cache_path is not None:
        from requests_cache import CacheMixin

        bases.insert(0, CacheMixin)
    cls = type(f"{base.__name__}WithPolicy", (*bases, base), {})
    if cache_path is not None:
        from collabsync.private import private_file

        private_file(cache_path)  # requests-cache opens it as a SQLite database
        _discard_if_corrupt(cache_path)
        session = cls(
            cache_name=str(cache_path),
            backend="sqlite",
            expire_after=cache_ttl,
            allowable_methods=("GET",),
            ignored_parameters=[*SECRET_QUERY_PARAMS, "Authorization"],
            match_headers=False,
            stale_if_error=False,
        )
    else:
        session = cls()
    session.setup_policy(provider_name, policy)
    return session
