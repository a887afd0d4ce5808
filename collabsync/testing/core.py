"""What the three emulators share: the loopback server, auth hook, rate limits, faults, request log."""

from __future__ import annotations

import json
import random
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from time import time as wall_clock  # arrival stamps; tests may swap `time` for a fake clock
from typing import Any, Self
from urllib.parse import urlencode

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

__all__ = ["Emulator", "Faults", "RateLimit", "RequestRecord", "ApiError", "json_response"]

LOOPBACK = "127.0.0.1"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class RequestRecord:
    """One request as the emulator saw it, for counting in tests and benchmarks."""

    method: str
    path: str
    query: str
    status: int
    duration_ms: float
    endpoint: str | None = None
    at: float = 0.0  # wall-clock arrival (time.time()), for time-to-first-request in bench/rollup.py


@dataclass
class RateLimit:
    """A sliding-window budget: at most `limit` requests per `window` seconds per scope key."""

    limit: int
    window: float
    scope: str = "token"  # which principal part the bucket keys on ("token", "key", ...)
    writes_only: bool = False
    count_rejected: bool = False  # a refused request still uses up quota (Asana)


@dataclass
class Faults:
    """Seeded, deterministic misbehaviour. Request numbers count from 1 over all requests."""

    latency_ms: float = 0.0
    status_at: dict[int, int] = field(default_factory=dict)
    status_probability: float = 0.0
    probable_status: int = 503
    reset_at: set[int] = field(default_factory=set)
    truncate_at: set[int] = field(default_factory=set)
    non_json_at: set[int] = field(default_factory=set)
    stop_after_writes: int | None = None
    lose_reply_after_stop: bool = False
    retry_after: str | None = "1"
    seed: int = 0


class ApiError(Exception):
    """Raised inside a handler to answer with the API's own error shape."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON response with the content type the real APIs use."""
    text = json.dumps(body, check_circular=False)  # answers hold no cycles; the same bytes, ~15% sooner
    return Response(text, status=status, headers=headers, content_type="application/json; charset=utf-8")


class _QuietHandler(WSGIRequestHandler):
    """No per-request lines on stderr; tests read the request log instead."""

    def log(self, type: str, message: str, *args: Any) -> None:
        pass


class _ResetConnection(Exception):
    """Internal: abort the request by resetting the TCP connection."""


class Emulator:
    """Base class: subclasses set `rules`, implement handlers, `authenticate` and error shapes."""

    name = "emulator"
    prefix = ""
    #: werkzeug rules; endpoint names are handler method names on the subclass.
    rules: list[Rule] = []

    def __init__(self, *, faults: Faults | None = None, rate_limits: list[RateLimit] | None = None) -> None:
        self.faults = faults or Faults()
        self.rate_limits: list[RateLimit] = list(rate_limits or [])
        self.requests: list[RequestRecord] = []
        self.lock = threading.RLock()
        self._url_map = Map([r.empty() for r in self.rules], strict_slashes=False)  # a Rule binds to one Map only
        self._rng = random.Random(self.faults.seed)
        self._count = 0
        self._writes = 0
        self._windows: dict[tuple[int, str], deque[float]] = {}
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._ids = 0

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> Self:
        """Serve on an ephemeral port of 127.0.0.1 (never any other address) from a daemon thread."""
        self._server = make_server(LOOPBACK, 0, self.wsgi, threaded=True, request_handler=_QuietHandler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"{self.name}-emulator", daemon=True
        )  # short poll: stop() is quick
        self._thread.start()
        return self

    def stop(self) -> None:
        """Shut the server down and free the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound port (after start)."""
        assert self._server is not None, "emulator not started"
        return self._server.server_port

    @property
    def root_url(self) -> str:
        """http://127.0.0.1:PORT, with no API prefix."""
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def base_url(self) -> str:
        """The API's base URL including its prefix (/api/1.0, /1, ...)."""
        return self.root_url + self.prefix

    # -- request log -----------------------------------------------------------------------------
    def reset_log(self) -> None:
        """Forget logged requests (counts restart from zero for the log, not for faults)."""
        with self.lock:
            self.requests.clear()

    def count(self, method: str | None = None, path_contains: str | None = None) -> int:
        """How many logged requests match a method and/or a path fragment."""
        return sum(
            1
            for r in list(self.requests)
            if (method is None or r.method == method) and (path_contains is None or path_contains in r.path)
        )

    def write_log(self) -> list[str]:
        """The endpoint of every write request answered so far (any status), for the conformance kit."""
        ro = self.read_only_posts()
        return [r.endpoint or r.path for r in list(self.requests) if r.method in WRITE_METHODS and r.endpoint not in ro]

    def writes_seen(self) -> int:
        """Write requests answered so far (any status)."""
        return len(self.write_log())

    def fail_writes_after(self, n: int | None, *, lose_reply: bool = False) -> None:
        """Let `n` more writes through, then refuse every write (503); with lose_reply, apply the first and reset."""
        with self.lock:
            self._writes = 0
            self.faults.stop_after_writes = n
            self.faults.lose_reply_after_stop = lose_reply

    def next_id(self) -> int:
        """A process-unique increasing integer for object ids."""
        with self.lock:
            self._ids += 1
            return self._ids

    # -- hooks for subclasses --------------------------------------------------------------------
    def authenticate(self, request: Request) -> dict[str, str] | None:
        """Return the principal ({"token": ..., "key": ...}) or None when auth fails."""
        return {"token": "anonymous"}

    def unauthorized(self, request: Request) -> Response:
        """The API's own 401."""
        return json_response({"error": "unauthorized"}, 401)

    def error_response(self, err: ApiError) -> Response:
        """The API's own error body for an ApiError."""
        return json_response({"error": err.message}, err.status)

    def rate_limited(self, retry_after: float, rule: RateLimit) -> Response:
        """The API's own 429."""
        return json_response({"error": "rate limited"}, 429, {"Retry-After": str(max(1, round(retry_after)))})

    def fault_response(self, status: int) -> Response:
        """What an injected 5xx/429 looks like."""
        headers = {"Retry-After": self.faults.retry_after} if status == 429 and self.faults.retry_after else None
        return json_response({"error": f"injected {status}"}, status, headers)

    # -- WSGI --------------------------------------------------------------------------------------
    def wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        """Entry point: faults, auth, rate limits, routing, logging."""
        request = Request(environ)
        started = time.monotonic()
        endpoint: str | None = None
        with self.lock:
            self._count += 1
            number = self._count
        try:
            if self.faults.latency_ms:
                time.sleep(self.faults.latency_ms / 1000)
            response, endpoint = self._dispatch(request, number)
        except _ResetConnection:
            self._log(request, 0, started, endpoint)
            self._reset(environ)
            raise ConnectionResetError("injected connection reset") from None
        self._log(request, response.status_code, started, endpoint)
        return response(environ, start_response)

    def _dispatch(self, request: Request, number: int) -> tuple[Response, str | None]:
        faults = self.faults
        if number in faults.reset_at:
            raise _ResetConnection()
        injected = faults.status_at.get(number)
        if injected is None and faults.status_probability and self._rng.random() < faults.status_probability:
            injected = faults.probable_status
        if injected is not None:
            return self.fault_response(injected), None
        adapter = self._url_map.bind_to_environ(request.environ)
        try:
            endpoint, args = adapter.match()
        except NotFound:
            return self.not_found(request), None
        except MethodNotAllowed:  # in the API's own error shape, like every other error
            return self.error_response(ApiError(405, f"{request.method} is not allowed on {request.path}")), None
        except HTTPException as exc:  # redirects for slashes and the like
            return exc.get_response(request.environ), None
        principal = self.authenticate(request)
        if principal is None:
            return self.unauthorized(request), endpoint
        limited = self._check_rate(request, principal)
        if limited is not None:
            return limited, endpoint
        is_write = request.method in WRITE_METHODS and endpoint not in self.read_only_posts()
        if is_write and faults.stop_after_writes is not None:
            with self.lock:
                over = self._writes >= faults.stop_after_writes
                self._writes += 1
            if over:
                if faults.lose_reply_after_stop:
                    faults.lose_reply_after_stop = False
                    self._call(endpoint, request, args)
                    raise _ResetConnection()
                return self.fault_response(503), endpoint
        response = self._call(endpoint, request, args)
        if number in faults.truncate_at:
            data = response.get_data()
            response.set_data(data[: max(1, len(data) // 2)])
        elif number in faults.non_json_at:
            response = Response("<html><body>Bad gateway</body></html>", 200, content_type="application/json")
        return response, endpoint

    def _call(self, endpoint: str, request: Request, args: Mapping[str, Any]) -> Response:
        try:
            with self.lock:
                result = getattr(self, endpoint)(request, **args)
        except ApiError as err:
            return self.error_response(err)
        return result if isinstance(result, Response) else json_response(result)

    def read_only_posts(self) -> frozenset[str]:
        """Endpoints that POST but only read (search), so they don't count as writes."""
        return frozenset()

    def not_found(self, request: Request) -> Response:
        """The API's answer for an unknown route."""
        return self.error_response(ApiError(404, "Not Found"))

    def _check_rate(self, request: Request, principal: dict[str, str]) -> Response | None:
        now = time.monotonic()
        for i, rule in enumerate(self.rate_limits):
            if rule.writes_only and request.method not in WRITE_METHODS:
                continue
            key = (i, principal.get(rule.scope, ""))
            with self.lock:
                window = self._windows.setdefault(key, deque())
                while window and now - window[0] >= rule.window:
                    window.popleft()
                if len(window) >= rule.limit:
                    oldest = window[len(window) - rule.limit]  # when enough have aged out to fit one more
                    if rule.count_rejected:
                        window.append(now)
                    return self.rate_limited(rule.window - (now - oldest), rule)
                window.append(now)
        return None

    def _reset(self, environ: dict[str, Any]) -> None:
        sock = environ.get("werkzeug.socket")
        if sock is not None:
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def _log(self, request: Request, status: int, started: float, endpoint: str | None) -> None:
        query = urlencode([(k, v) for k, v in request.args.items(multi=True)])
        elapsed = time.monotonic() - started
        record = RequestRecord(
            request.method, request.path, query, status, elapsed * 1000, endpoint, wall_clock() - elapsed
        )
        with self.lock:
            self.requests.append(record)
