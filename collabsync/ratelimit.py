"""The client-side request budget: stay under every published limit, so a tool never has to answer 429.

Each provider session owns one Budget. It holds one sliding window per published limit (each kept at
SAFETY of the limit; a request counts from its send until `per` after its answer, so late or bunched
arrivals at the tool cannot overfill the tool's window), caps requests in flight separately for reads
and writes, and, when a tool answers 429 anyway, pauses every thread of the session until Retry-After
has passed. Every attempt takes a
window slot, a rejected one too: Asana counts rejected requests against the quota, and a budget that
did not would drift over after a 429. With `adaptive` (Jira, whose API-token burst limits have no
published number) a 429 also halves the budget's rate; each run of successes wins back a tenth of it.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

__all__ = ["Limit", "Budget", "SAFETY"]

#: Share of a published limit the budget uses: the rest absorbs clock skew and latency jitter between
#: the moment collabsync sends and the moment the tool counts.
SAFETY = 0.9
#: Every window's length is multiplied by this; tests shrink it together with the emulators' windows.
TIME_SCALE = 1.0


@dataclass(frozen=True)
class Limit:
    """One published limit: `requests` per `per` seconds."""

    requests: int
    per: float
    name: str = ""
    safety: float = SAFETY  # 1.0 for a budget the user configured explicitly

    def budget(self) -> int:
        """The client-side share of the limit (SAFETY of it, at least one request)."""
        return max(1, int(self.requests * self.safety))


class _Window:
    """A sliding window over the times requests were answered, plus those still in flight.

    The tool counts a request when it arrives, somewhere between our send and its answer. Counting
    every request until `per` after its answer (and in-flight ones as counted now) means no window
    of the tool's can hold more than `allowed`, however late or bunched the arrivals are.
    """

    def __init__(self, limit: Limit) -> None:
        self.limit = limit
        self.per = limit.per * TIME_SCALE
        self.stamps: deque[float] = deque()

    def wait_time(self, now: float, allowed: int, in_flight: int) -> float:
        """Seconds until one more request fits (0: now)."""
        while self.stamps and now - self.stamps[0] >= self.per:
            self.stamps.popleft()
        excess = len(self.stamps) + in_flight - allowed
        if excess < 0:
            return 0.0
        if excess < len(self.stamps):
            return self.per - (now - self.stamps[excess])
        return 0.005  # only requests in flight fill it: the next answer frees a place


class Budget:
    """One session's budget: windows under each limit, bounded reads and writes in flight, shared pauses."""

    def __init__(
        self,
        limits: Sequence[Limit] = (),
        *,
        max_reads: int | None = None,
        max_writes: int | None = None,
        adaptive: bool = False,
    ) -> None:
        self.windows = [_Window(limit) for limit in limits]
        self._reads = threading.BoundedSemaphore(max_reads) if max_reads else None
        self._writes = threading.BoundedSemaphore(max_writes) if max_writes else None
        self.adaptive = adaptive
        self.scale = 1.0
        self._streak = 0
        self._lock = threading.Lock()
        self._pause_until = 0.0
        self._pauser: int | None = None
        self._in_flight = 0
        self.sent = 0
        self.rejected = 0

    @contextmanager
    def slot(self, write: bool) -> Iterator[None]:
        """Hold one in-flight place for the request, after a window slot is free and no pause is on."""
        sem = self._writes if write else self._reads
        if sem is not None:
            sem.acquire()
        try:
            self._take()
            try:
                yield
            finally:
                with self._lock:
                    self._in_flight -= 1
                    done = time.monotonic()
                    for window in self.windows:
                        window.stamps.append(done)
        finally:
            if sem is not None:
                sem.release()

    def _take(self) -> None:
        """Wait for every window (and any pause another thread's 429 started), then count this send."""
        while True:
            with self._lock:
                now = time.monotonic()
                wait = 0.0
                if now < self._pause_until and self._pauser != threading.get_ident():
                    wait = self._pause_until - now
                for window in self.windows:
                    allowed = max(1, int(window.limit.budget() * self.scale))
                    wait = max(wait, window.wait_time(now, allowed, self._in_flight))
                if wait <= 0:
                    self._in_flight += 1
                    self.sent += 1
                    return
            time.sleep(min(wait, 1.0))

    def on_reject(self, retry_after: float) -> None:
        """A 429: pause every other thread for Retry-After; an adaptive budget also halves its rate."""
        with self._lock:
            self.rejected += 1
            self._pause_until = max(self._pause_until, time.monotonic() + retry_after)
            self._pauser = threading.get_ident()
            if self.adaptive:
                self.scale = max(0.05, self.scale / 2)
                self._streak = 0

    def on_accept(self) -> None:
        """A non-429 answer: an adaptive budget wins back a tenth of its rate every 20 in a row."""
        if not self.adaptive or self.scale >= 1.0:
            return
        with self._lock:
            self._streak += 1
            if self._streak >= 20:
                self.scale, self._streak = min(1.0, self.scale + 0.1), 0
