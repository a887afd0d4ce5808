"""collabsync: one cross-department project across Asana, Trello, Jira and a local tool.

The public API is the CLI's verbs: load a template (`find_template`, `load_template`), render it
(`Template.render`), stamp it (`Workspace`, `build_plan`, `apply_plan`), track existing work (`track_source`,
`untrack_source`), read it back (`resolve_instance`, `collect`), see the status (`status_summary`) and the
tasks (`filter_tasks`), move a task (`update_status`), report (`make_report`, `build_report`, `render_report`,
`History`). The verbs are imported on first use, so `import collabsync` stays light.
"""

from typing import TYPE_CHECKING

from collabsync.lazy import lazy_exports

if TYPE_CHECKING:  # imported on first use (below): `collabsync --help` builds no dataclass (issue 17)
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
    "track_source",
    "untrack_source",
    "status_summary",
    "filter_tasks",
    "update_status",
    "make_report",
    "render_report",
    "History",
]

#: Public verbs and the module each lives in ("module:name" when exported under another name, as a module of the
#: package already has the short one); imported lazily (PEP 562) because they pull in jinja2, jsonschema, SDKs, and
#: the model's and errors' dataclasses (a few ms each to create), which `collabsync --help` does not need.
_LAZY = {
    **dict.fromkeys(("Status", "Task", "TaskSpec", "SectionSpec", "ProjectSpec"), "model"),
    **{name: "errors" for name in __all__ if name.endswith("Error")},
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
    "track_source": "reading.track:track",
    "untrack_source": "reading.track:untrack",
    "status_summary": "report.reporting",
    "filter_tasks": "reading.task_list",
    "update_status": "stamping.update",
    "make_report": "report.reporting",
    "render_report": "report.render:render",
    "History": "report.history",
}


__getattr__ = lazy_exports(__name__, {name: f"{__name__}.{where}" for name, where in _LAZY.items()})


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
