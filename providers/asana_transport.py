"""The asana SDK's transport swapped for collabsync's requests session, and SDK errors mapped to ours.

asana 5.x talks urllib3 directly (no hook for timeouts, caching or `responses`); its ApiClient only
needs ``rest_client.request(...)`` returning an object with ``status``, ``reason``, ``data`` and
``getheaders()``/``getheader()``, raising ``asana.rest.ApiException`` on non-2xx. ``SessionRestClient``
provides exactly that over a session from ``collabsync.http.make_session``.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlparse

import requests
import urllib3
from asana.rest import ApiException

from collabsync.errors import CollabsyncError, ProviderError, TransportError
from collabsync.http import error_for_status
from collabsync.redact import redact

__all__ = [
    "SessionRestClient",
    "SessionResponse",
    "api_client",
    "cached_sessions",
    "credential_id",
    "call",
    "error_message",
]

log = logging.getLogger("collabsync.providers.asana")
T = TypeVar("T")
_READS = frozenset({"GET", "HEAD", "OPTIONS"})
_clients: dict[str, Any] = {}
_clients_lock = threading.Lock()


class SessionResponse:
    """What ApiClient reads from a response, shaped like asana.rest.RESTResponse."""

    def __init__(self, resp: requests.Response) -> None:
        self.status = resp.status_code
        self.reason = resp.reason or ""
        self.data = resp.content
        self._headers = resp.headers

    def getheaders(self) -> Any:
        """Every header (case-insensitive mapping)."""
        return self._headers

    def getheader(self, name: str, default: str | None = None) -> str | None:
        """One header."""
        return self._headers.get(name, default)


class SessionRestClient:
    """Replaces ``ApiClient.rest_client``: every SDK call goes through a collabsync policy session."""

    def __init__(self, session: requests.Session, provider: str, *, read_retries: int = 2) -> None:
        self.session = session
        self.provider = provider
        self.read_retries = read_retries

    def request(
        self,
        method: str,
        url: str,
        query_params: Any = None,
        headers: dict[str, str] | None = None,
        body: Any = None,
        post_params: Any = None,
        _preload_content: bool = True,
        _request_timeout: Any = None,
    ) -> SessionResponse:
        """Send through the session; non-2xx raises ApiException, an unreadable 2xx body TransportError."""
        method = method.upper()
        headers = dict(headers or {})
        headers.setdefault("Content-Type", "application/json")
        data: Any = None
        if method not in _READS:
            if post_params:
                data = list(post_params)
                headers.pop("Content-Type", None)
            else:
                data = json.dumps(body if body is not None else {})
        params = list(query_params.items()) if isinstance(query_params, dict) else query_params
        timeout = _request_timeout if _request_timeout else None
        attempt = 0
        while True:
            attempt += 1
            resp = self.session.request(method, url, params=params or None, data=data, headers=headers, timeout=timeout)
            wrapped = SessionResponse(resp)
            if not 200 <= wrapped.status <= 299:
                raise ApiException(http_resp=wrapped)
            if _readable(wrapped.data):
                return wrapped
            obj = f"{method} {urlparse(url).path}"
            if method in _READS and attempt <= self.read_retries:
                log.debug("%s: unreadable body, retrying", redact(obj))
                continue
            raise TransportError(self.provider, obj, "unreadable response body (truncated or not JSON)")

    def GET(self, url: str, **kwargs: Any) -> SessionResponse:  # ApiClient's names
        """ApiClient.request dispatches on the method name."""
        return self.request("GET", url, **kwargs)

    def HEAD(self, url: str, **kwargs: Any) -> SessionResponse:
        """See GET."""
        return self.request("HEAD", url, **kwargs)

    def OPTIONS(self, url: str, **kwargs: Any) -> SessionResponse:
        """See GET."""
        return self.request("OPTIONS", url, **kwargs)

    def POST(self, url: str, **kwargs: Any) -> SessionResponse:
        """See GET."""
        return self.request("POST", url, **kwargs)

    def PUT(self, url: str, **kwargs: Any) -> SessionResponse:
        """See GET."""
        return self.request("PUT", url, **kwargs)

    def PATCH(self, url: str, **kwargs: Any) -> SessionResponse:
        """See GET."""
        return self.request("PATCH", url, **kwargs)

    def DELETE(self, url: str, **kwargs: Any) -> SessionResponse:
        """See GET."""
        return self.request("DELETE", url, **kwargs)


def _readable(data: bytes) -> bool:
    if not data.strip():
        return True
    try:
        json.loads(data)
    except ValueError:
        return False
    return True


def credential_id(base_url: str, token: str) -> str:
    """A short hash naming a credential (client cache keys): the one hash every adapter uses (providers/base.py)."""
    from .base import credential_hash

    return credential_hash(base_url, token)


def api_client(
    base_url: str, token: str, key_extra: str, make_session: Callable[[], requests.Session], provider: str
) -> Any:
    """One asana.ApiClient per process and credential, transport replaced, thread pool and log handlers gone."""
    import asana

    key = credential_id(base_url, token) + key_extra
    with _clients_lock:
        client = _clients.get(key)
        if client is not None:
            return client
        cfg = asana.Configuration()
        _drop_sdk_log_handlers(cfg)
        cfg.host = base_url.rstrip("/")
        cfg.access_token = token
        cfg.retry_strategy = None  # collabsync's policy retries, not urllib3's
        client = asana.ApiClient(cfg)
        pool = getattr(client, "pool", None)
        if pool is not None:  # ApiClient starts a ThreadPool for async_req, which collabsync never uses
            pool.terminate()
            pool.join()
            del client.pool
        client.rest_client = SessionRestClient(make_session(), provider)
        _clients[key] = client
        return client


def cached_sessions(base_url: str, token: str) -> list[Any]:
    """The caching sessions this process holds for a credential (to clear them after a write)."""
    prefix = credential_id(base_url, token)
    with _clients_lock:
        sessions = [c.rest_client.session for k, c in _clients.items() if k.startswith(prefix)]
    return [s for s in sessions if hasattr(s, "cache")]


def _drop_sdk_log_handlers(cfg: Any) -> None:
    """asana.Configuration() adds a stderr handler to the 'asana' and 'urllib3' loggers each time."""
    handler = getattr(cfg, "logger_stream_handler", None)
    for logger in getattr(cfg, "logger", {}).values():
        if handler is not None:
            logger.removeHandler(handler)


def error_message(exc: ApiException) -> str:
    """Asana's own words from an error body ({"errors": [{"message": ...}]}), else the reason."""
    try:
        body = json.loads(exc.body or b"{}")
        messages = [e.get("message", "") for e in body.get("errors", []) if isinstance(e, dict)]
        if any(messages):
            return "; ".join(m for m in messages if m)
    except (ValueError, AttributeError, TypeError):
        pass
    return str(exc.reason or f"HTTP {exc.status}")


def call(provider: str, obj: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run one SDK call; every SDK, urllib3 and requests failure becomes a collabsync ProviderError."""
    try:
        return fn(*args, **kwargs)
    except CollabsyncError:
        raise
    except ApiException as exc:
        if not exc.status:
            raise TransportError(provider, obj, redact(str(exc.reason or "request failed"))) from None
        raise error_for_status(provider, obj, int(exc.status), error_message(exc)) from None
    except urllib3.exceptions.HTTPError as exc:
        raise TransportError(provider, obj, f"transport error: {type(exc).__name__}") from None
    except requests.RequestException as exc:
        raise TransportError(provider, obj, f"transport error: {type(exc).__name__}") from None
    except ValueError as exc:  # the SDK parsing something that is not what Asana sends
        raise ProviderError(provider, obj, f"unexpected response: {redact(str(exc))[:200]}") from None
