"""collabsync: one cross-department project across Asana, Trello, Jira and a local tool.

The public API is small: load a template (`find_template`, `load_template`), render it
(`Template.render`), stamp it (`Workspace`, `build_plan`, `apply_plan`), read it back (`resolve_instance`,
`collect`, `build_report`). The verbs are imported on first use, so `import collabsync` stays light.
"""

from importlib import import_module
from typing import Any

from collabsync.errors import (
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
from collabsync.model import ProjectSpec, SectionSpec, Status, Task, TaskSpec

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
    "Template",
    "find_template",
    "load_template",
    "load_config",
    "Workspace",
    "build_plan",
    "apply_plan",
    "resolve_instance",
    "collect",
    "build_report",
]

#: Public verbs and the module each lives in; imported lazily (PEP 562) because they pull in jinja2, jsonschema, SDKs.
_LAZY = {
    "Template": "templating.template",
    "find_template": "templating.template",
    "load_template": "templating.template",
    "load_config": "config",
    "Workspace": "runtime",
    "build_plan": "stamping.stamp",
    "apply_plan": "stamping.stamp",
    "resolve_instance": "reading.query",
    "collect": "reading.query",
    "build_report": "report.rollup",
}


def __getattr__(name: str) -> Any:
    """Import a public verb on first use, so `import collabsync` does not load the template engine or the SDKs."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'collabsync' has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
