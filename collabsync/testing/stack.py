"""All three emulators at once, with a collabsync.toml that routes departments to them.

For cross-tool tests, benchmarks and demos: ``with running_stack() as stack: stack.write_config(path)``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .asana import AsanaEmulator
from .core import Faults
from .jira import JiraEmulator
from .trello import TrelloEmulator

__all__ = ["Stack", "running_stack", "DEFAULT_ROUTES"]

#: Engineering on Jira, sales on Trello, marketing on Asana; other departments on `local`.
DEFAULT_ROUTES = {"engineering": "jira", "sales": "trello", "marketing": "asana"}


@dataclass
class Stack:
    """Three running emulators plus the workspace objects a department needs in each."""

    jira: JiraEmulator
    trello: TrelloEmulator
    asana: AsanaEmulator
    jira_project: str = "ENG"
    trello_workspace: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def providers_toml(self, cache_ttl: float = 0) -> str:
        """The [providers.*] tables pointing at the emulators (credentials included: test data only)."""
        return f'''\
[providers.jira]
type = "jira"
url = "{self.jira.root_url}"
email = "{self.jira.email}"
api_token = "{self.jira.api_token}"
deployment = "cloud"
max_retries = 1
backoff = 0.01

[providers.trello]
type = "trello"
api_key = "{self.trello.api_key}"
token = "{self.trello.token}"
base_url = "{self.trello.base_url}"
max_retries = 1
backoff = 0.01

[providers.asana]
type = "asana"
token = "{self.asana.token}"
workspace = "{self.asana.workspace_gid}"
team = "{self.asana.team_gid}"
base_url = "{self.asana.base_url}"
max_retries = 1
backoff = 0.01

[cache]
ttl = {cache_ttl}
'''

    def destination(self, provider: str) -> dict[str, str]:
        """The default destination of a department routed to one of the emulators."""
        return {
            "jira": {"project": self.jira_project},
            "trello": {"workspace": self.trello_workspace},
            "asana": {"team": self.asana.team_gid},
        }[provider]

    def config_toml(self, routes: Mapping[str, str] = DEFAULT_ROUTES, cache_ttl: float = 0) -> str:
        """A whole collabsync.toml: the providers plus one [departments.*] table per route."""
        parts = [self.providers_toml(cache_ttl)]
        for dept, provider in routes.items():
            lines = [f"[departments.{dept}]", f'provider = "{provider}"']
            lines += [f'{k} = "{v}"' for k, v in self.destination(provider).items()]
            parts.append("\n".join(lines) + "\n")
        return "\n".join(parts)

    def write_config(self, path: Path, routes: Mapping[str, str] = DEFAULT_ROUTES, cache_ttl: float = 0) -> Path:
        """Write config_toml() to a file, owner-only as a file with literal tokens should be, and return its path."""
        path.write_text(self.config_toml(routes, cache_ttl))
        path.chmod(0o600)
        return path


@contextmanager
def running_stack(
    *,
    latency_ms: float = 0.0,
    jira_project: str = "ENG",
    trello_workspace: str = "acme-sales",
    jira_page_cap: int = 100,
) -> Iterator[Stack]:
    """Start Jira, Trello and Asana emulators on loopback, seed the workspaces, stop them after."""
    with ExitStack() as stack:
        jira = stack.enter_context(JiraEmulator(faults=Faults(latency_ms=latency_ms), max_results_cap=jira_page_cap))
        trello = stack.enter_context(TrelloEmulator(faults=Faults(latency_ms=latency_ms)))
        asana = stack.enter_context(AsanaEmulator(faults=Faults(latency_ms=latency_ms)))
        jira.add_project(jira_project, "Engineering")
        org = trello.add_organization(trello_workspace, "Acme Sales")
        yield Stack(jira, trello, asana, jira_project, org["name"])
