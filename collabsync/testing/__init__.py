"""Loopback emulators of the Asana, Trello and Jira Cloud REST APIs, for tests and benchmarks.

Each emulator is a stateful in-memory WSGI app served on 127.0.0.1 from a background thread.
The real SDKs talk to them over real HTTP; see docs/emulators.md.
"""

from .core import Emulator, Faults, RateLimit, RequestRecord

__all__ = ["Emulator", "Faults", "RateLimit", "RequestRecord"]
