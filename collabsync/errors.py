"""The one exception tree of collabsync; every error a user can meet is one of these.

    CollabsyncError            base; ``str(err)`` is a one-line message fit for a terminal
    ├── ConfigError            collabsync.toml is wrong (file, line, what to fix)
    ├── TemplateError          a template is wrong; ``.problems`` lists every problem found
    ├── LedgerError            the local ledger is missing, locked or inconsistent
    ├── StampError             a stamp finished with some objects not created (``.failures``)
    └── ProviderError          a tool failed; names the provider, the object and the cause
        ├── AuthError          credentials refused (401/403) or expired
        ├── NotFoundError      the object does not exist (404) or is not visible
        ├── RateLimitError     the tool kept answering 429 beyond the configured wait
        ├── TransportError     timeout, connection refused or reset, unreadable body
        └── UnsupportedError   the provider lacks a capability the operation needs

Secrets never appear in messages: ``collabsync.redact`` scrubs them before they are built.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "STOP_RUN",
    "refused_item",
    "CollabsyncError",
    "ConfigError",
    "TemplateError",
    "Problem",
    "LedgerError",
    "StampError",
    "ProviderError",
    "AuthError",
    "NotFoundError",
    "RateLimitError",
    "TransportError",
    "UnsupportedError",
]


class CollabsyncError(Exception):
    """Base of every error collabsync raises on purpose."""

    exit_code = 1


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file, located so an editor can jump to it."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class _ProblemsError(CollabsyncError):
    """An error that carries every problem of a file at once."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ConfigError(_ProblemsError):
    """The configuration file (or a setting in it) is invalid."""

    @classmethod
    def single(cls, file: str, message: str, line: int | None = None) -> ConfigError:
        """Build the common one-problem case."""
        return cls([Problem(file, line, message)])


class TemplateError(_ProblemsError):
    """A template failed validation; nothing was written."""


class LedgerError(CollabsyncError):
    """The ledger could not be read or written."""


class StampError(CollabsyncError):
    """A stamp ended with objects left uncreated; running it again resumes."""

    def __init__(self, instance: str, failures: list[str]) -> None:
        self.instance = instance
        self.failures = list(failures)
        head = f"stamp of {instance!r} incomplete ({len(failures)} failed); run it again to resume"
        super().__init__(head + "".join(f"\n  {f}" for f in failures))


class ProviderError(CollabsyncError):
    """A tool refused or failed an operation."""

    def __init__(self, provider: str, obj: str, cause: str, *, status: int | None = None) -> None:
        self.provider = provider
        self.object = obj
        self.cause = cause
        self.status = status
        super().__init__(f"{provider}: {obj}: {cause}")


class AuthError(ProviderError):
    """Credentials were refused or have expired."""


class NotFoundError(ProviderError):
    """The object does not exist or is not visible to these credentials."""


class RateLimitError(ProviderError):
    """The tool kept rate-limiting past the configured maximum wait."""


class TransportError(ProviderError):
    """The request did not get a usable answer (timeout, reset, bad body)."""


class UnsupportedError(ProviderError):
    """The provider lacks the capability an operation needs."""


#: Failures after which nothing more will work or a write's outcome is unknown: the run stops and resumes later.
STOP_RUN: tuple[type[ProviderError], ...] = (AuthError, RateLimitError, TransportError)


def refused_item(exc: ProviderError) -> bool:
    """The tool refused this one object (a 4xx answer): record it against the item and go on with the rest.

    Anything else (credentials, rate limits, transport, 5xx or no status) stops the run: its outcome is unknown.
    A 401 or 429 stops it too where a batch answered it per action (a plain ProviderError).
    """
    return (
        not isinstance(exc, STOP_RUN) and exc.status is not None and exc.status < 500 and exc.status not in (401, 429)
    )
