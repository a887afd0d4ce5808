"""collabsync: one cross-department project across Asana, Trello, Jira and a local tool.

The public API is small: load a template, render it, stamp it, read it back.
"""

from .errors import (
    AuthError,
    CollabsyncError,
    ConfigError,
    LedgerError,
    NotFoundError,
    ProviderError,
    RateLimitError,
    StampError,
    TemplateError,
    TransportError,
    UnsupportedError,
)
from .model import ProjectSpec, SectionSpec, Status, Task, TaskSpec

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "Status",
    "Task",
    "TaskSpec",
    "SectionSpec",
    "ProjectSpec",
    "CollabsyncError",
    "ConfigError",
    "TemplateError",
    "LedgerError",
    "StampError",
    "ProviderError",
    "AuthError",
    "NotFoundError",
    "RateLimitError",
    "TransportError",
    "UnsupportedError",
]
