"""The neutral interface every tool adapter implements (the registry that finds adapters: registry.py).

A provider is one configured account of one tool (``[providers.NAME]`` in collabsync.toml).
Adapters live one module per tool in this package and register through the entry-point group
``collabsync.providers``; third parties add tools the same way. Public methods come first in each
adapter, then its ``_to_task`` style mappers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from collabsync.errors import ConfigError, UnsupportedError
from collabsync.http import HttpPolicy
from collabsync.lazy import lazy_exports
from collabsync.model import Container, Status, Task
from collabsync.people_cache import MISS, PeopleCache, ToolUser
from collabsync.redact import register_secret

if TYPE_CHECKING:  # findings are made by preflights, imported there: a read needs none (issue 17)
    from collabsync.findings import Finding, Needs
    from collabsync.model_specs import Created, Linked, NewTask, SectionSpec, TaskChange, TaskSpec
    from collabsync.providers.published import Published
    from collabsync.report.publish_entry import StatusEntry

__all__ = [
    "Capability",
    "Changes",
    "TextLimits",
    "Published",
    "ToolUser",
    "ProviderContext",
    "Provider",
    "credential_hash",
]


class Capability(StrEnum):
    """What an adapter can do; the stamper and the CLI ask before they rely on it."""

    SECTIONS = "sections"  # sections exist as objects in the tool
    BULK_CREATE = "bulk_create"  # create_tasks sends several tasks per request
    DEPENDENCIES = "dependencies"  # native dependency links inside the tool
    MARKER_SEARCH = "marker_search"  # find_marked can rebuild a lost ledger
    INCREMENTAL_READ = "incremental"  # read_tasks honours `since`
    STATUS_UPDATE = "status_update"  # set_status moves a task's state
    ANNOTATE = "annotate"  # annotate appends cross-tool links to a description
    CHECKLISTS = "checklists"  # task checklists are created natively
    PUBLISH = "publish"  # publish_status writes the joint status in the tool's own form
    READ_CHANGES = "read_changes"  # read_changes lists what changed; merged, it equals a full read


__getattr__ = lazy_exports(__name__, dict.fromkeys(("Published",), "collabsync.providers.published"))


@dataclass
class Changes:
    """An incremental read: every ref in scope (in the tool's order) and the tasks changed or not known before."""

    refs: list[str]
    tasks: list[Task]
    #: (blocked ref, blocking ref) read on the changed tasks: they replace what unchanged tasks held of them.
    blocks: list[tuple[str, str]] = field(default_factory=list)
    #: Where the tool's change feed stands after this read (e.g. Asana's sync token), handed back next time.
    cursor: str | None = None


@dataclass(frozen=True)
class TextLimits:
    """Longest text a tool accepts, in characters, so a stamp can refuse it before the first write; None: no limit."""

    title: int | None = None
    description: int | None = None
    checklist_item: int | None = None
    container_title: int | None = None
    source: str = ""


@dataclass
class ProviderContext:
    """What every adapter gets from the run: where state lives and how patient to be."""

    home: Path
    use_cache: bool = False
    cache_ttl: float = 300.0
    people: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    #: The config file the settings came from, named in every settings error (the loaded file's path in a run).
    config_file: str = "collabsync.toml"

    def cache_path(self, provider: str, credential_id: str) -> Path | None:
        """One cache file per provider and credential (a hash, never the secret), or None when off."""
        if not self.use_cache:
            return None
        return self.home / "cache" / f"{provider}-{credential_id}.sqlite"


class Provider(ABC):
    """One account of one tool, seen through the neutral model."""

    #: The `type` value in collabsync.toml that selects this adapter.
    type_name: ClassVar[str]
    #: What the adapter can do.
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    #: JSON Schema of the adapter's `[providers.NAME]` table (without `type`).
    settings_schema: ClassVar[dict[str, Any]] = {"type": "object"}
    #: JSON Schema of a department's destination keys (the `[departments.D]` table without `provider`).
    destination_schema: ClassVar[dict[str, Any]] = {"type": "object"}
    #: The vendor's documented text limits, checked by collabsync.stamping.precheck before any write.
    text_limits: ClassVar[TextLimits] = TextLimits()

    def __init__(self, name: str, settings: Mapping[str, Any], context: ProviderContext) -> None:
        self.name = name
        self.settings = dict(settings)
        self.context = context
        self.policy = HttpPolicy.from_settings(self.settings)
        #: A short hash naming this account's credential (never the secret): its response cache file; see use_credential.
        self.credential = ""

    # -- account -------------------------------------------------------------------------------
    @abstractmethod
    def check(self) -> str:
        """Verify credentials with one cheap request; return who the tool says we are."""

    def describe(self, destination: Mapping[str, Any]) -> str:
        """A short human description of a destination, for plans."""
        return ", ".join(f"{k}={v}" for k, v in destination.items()) or "(default)"

    def preflight(
        self, destination: Mapping[str, Any], needs: Needs, container: Container | None = None
    ) -> list[Finding]:
        """Read-only checks of a destination before any write (`collabsync doctor`); default: none known."""
        from collabsync.findings import Finding, Severity

        return [
            Finding(
                Severity.INFO,
                "no-preflight",
                self.name,
                self.describe(destination),
                f"the {self.type_name} adapter has no preflight checks",
                f"implement Provider.preflight in the {self.type_name} adapter",
            )
        ]

    # -- stamping ------------------------------------------------------------------------------
    @abstractmethod
    def ensure_container(
        self, instance: str, title: str, description: str, destination: Mapping[str, Any]
    ) -> Container:
        """Find the instance's container in this destination by its marker, or create it."""

    @abstractmethod
    def ensure_sections(self, container: Container, sections: Sequence[SectionSpec]) -> dict[str, str]:
        """Find or create sections by title; return template key -> section ref."""

    @abstractmethod
    def create_tasks(self, container: Container, tasks: Sequence[NewTask]) -> Iterator[Created]:
        """Create tasks, as few requests as the tool allows, yielding each outcome as soon as known."""

    def link_dependencies(self, container: Container, pairs: Sequence[tuple[str, str]]) -> Iterator[Linked]:
        """Record (blocked_ref, blocking_ref) dependencies natively; default: unsupported."""
        raise UnsupportedError(self.name, "dependencies", f"{self.type_name} has no dependency links")

    def annotate(self, ref: str, lines: Sequence[str]) -> None:
        """Append lines (cross-tool links) to a task's description, above its marker."""
        raise UnsupportedError(self.name, f"task {ref}", f"{self.type_name} cannot annotate tasks")

    @abstractmethod
    def find_marked(self, container: Container, instance: str) -> dict[str, Created]:
        """Every task in the container carrying this instance's marker: template key -> outcome."""

    def complete_task(self, container: Container, ref: str, task: TaskSpec) -> None:  # noqa: B027 - optional hook
        """Write what a created task still lacks (checklist items), found by content so nothing is doubled.

        The default suits adapters that write a task in one request (the marker proves the rest is there).
        """

    def find_links(self, container: Container, refs: Sequence[str]) -> set[tuple[str, str]]:
        """(blocked_ref, blocking_ref) dependencies among `refs` already in the tool, to confirm unsure writes.

        The default (none found) means "write again": right only where the tool ignores a repeated link.
        """
        return set()

    # -- reading and updating --------------------------------------------------------------------
    @abstractmethod
    def read_tasks(self, container: Container, since: dt.datetime | None = None) -> list[Task]:
        """All tasks of a container (or only those changed since a time), normalised."""

    def read_tasks_for_counts(self, container: Container) -> list[Task]:
        """All tasks of a container for `status`, which counts them: an adapter may leave each task's depends_on
        empty where reading the links costs extra (the local file's link table: a third of 100,000 tasks' read)."""
        return self.read_tasks(container)

    def prefetch(self, containers: Sequence[Container]) -> None:  # noqa: B027 - optional hook
        """Read several containers' first pages in shared requests where the tool allows; read_tasks uses them."""

    def read_changes(
        self, container: Container, since: dt.datetime, known: Mapping[str, Task], cursor: str | None = None
    ) -> Changes | None:
        """What changed since `since` plus every ref in scope, for incremental reads; None: read everything.

        `known` is the stored read, ref -> task in the tool's order: a provider that learns nothing moved
        returns its refs as the refs in scope; one that lists positions compares them with the stored tasks.
        `cursor` is what the provider returned last time (`Changes.cursor`, `change_cursor`), e.g. a sync token.
        """
        return None

    def change_cursor(self, container: Container) -> str | None:
        """Before a full read that will be stored: a position in the tool's change feed to resume from, if any."""
        return None

    def prefetch_changes(self, wanted: Sequence[tuple[Container, dt.datetime, str | None]]) -> None:  # noqa: B027 - optional hook
        """Ask about several containers' changes (container, since, cursor) in shared requests; read_changes uses them."""

    def resolve_source(self, source: str) -> Container:
        """Turn a user's reference to existing work (key, id, URL, query) into a container to read."""
        raise UnsupportedError(self.name, f"source {source!r}", f"{self.type_name} cannot track existing projects")

    def set_status(self, container: Container, ref: str, status: Status) -> None:
        """Move a task to a neutral status; default: unsupported."""
        raise UnsupportedError(self.name, f"task {ref}", f"{self.type_name} cannot change status")

    def update_tasks(self, container: Container, changes: Sequence[TaskChange]) -> Iterator[Created]:
        """Write new titles/dates of created tasks, as few requests as the tool allows; one outcome per change."""
        raise UnsupportedError(self.name, "update_tasks", f"{self.type_name} cannot update tasks")

    def archive_container(self, container: Container) -> str:
        """Close an instance's container the way the tool does it; returns what was done, for the report."""
        raise UnsupportedError(self.name, f"container {container.ref}", f"{self.type_name} cannot archive")

    # -- publishing the joint status (collabsync publish; collabsync/report/publishing.py) ----------------
    def publish_status(self, container: Container, entry: StatusEntry) -> Published:
        """Add a department's status entry where its people look (a comment, a status update)."""
        raise UnsupportedError(self.name, f"status of {entry.department}", f"{self.type_name} cannot publish a status")

    def edit_status(self, container: Container, ref: str, entry: StatusEntry) -> Published:
        """Replace that day's entry in place; a tool that cannot edit deletes it and adds it again (new ref)."""
        raise UnsupportedError(self.name, f"status {ref}", f"{self.type_name} cannot edit a status")

    def find_status(self, container: Container, entry: StatusEntry) -> Published | None:
        """The entry carrying entry.marker already in the tool (the reply to a write was lost), or None."""
        return None

    def close(self) -> None:  # noqa: B027 - optional hook: nothing to release by default
        """Release sessions and files."""

    def __enter__(self) -> Provider:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- people ----------------------------------------------------------------------------------
    def resolve_person(self, email: str) -> ToolUser | None:
        """Find the tool's user with this e-mail (one lookup, no cache); None: not found or not visible."""
        return None

    def set_assignee(self, container: Container, ref: str, user: ToolUser | None) -> None:
        """Give a task to this tool user (None: nobody); `collabsync reassign` relies on it."""
        raise UnsupportedError(self.name, f"task {ref}", f"{self.type_name} cannot change assignees")

    def lookup_person(self, person: str) -> ToolUser | None:
        """A person (an e-mail or a `[people]` name) as this tool's user: `[people]` first, then by e-mail, cached."""
        ids = self.context.people.get(person, {})
        if ids.get(self.name) or ids.get(self.type_name):
            return ToolUser(ids.get(self.name) or ids[self.type_name], person, person if "@" in person else "")
        if "@" not in person:
            return None
        cache = PeopleCache(self.context.home)
        hit = cache.get(self.name, person)
        if hit is not MISS:
            return hit
        user = self.resolve_person(person)
        cache.put(self.name, person, user)
        self._people_index: dict[str, str] | None = None
        return user

    def person_id(self, person: str | None) -> str | None:
        """This tool's user id for a person, or None (the task stays unassigned here; the plan said so)."""
        user = self.lookup_person(person) if person else None
        return user.id if user else None

    def person_of(self, user_id: str | None, shown: str | None = None) -> str | None:
        """Map a tool user back to the person (e-mail or `[people]` name), so one person is one row everywhere."""
        if not user_id:
            return None
        return self.people_by_id().get(user_id) or shown or user_id

    def people_by_id(self) -> dict[str, str]:
        """Tool user id -> person, from `[people]` (which wins) and the e-mail cache; read once per run."""
        index = getattr(self, "_people_index", None)
        if index is None:
            index = PeopleCache(self.context.home).by_id(self.name)
            index.update(
                {
                    ident: person
                    for person, by in self.context.people.items()
                    for tool, ident in by.items()
                    if tool in (self.name, self.type_name)
                }
            )
            self._people_index = index
        return index

    # -- chores every adapter shares (once, here) ---------------------------------------------------
    def config_error(self, message: str) -> ConfigError:
        """An error in the config file these settings came from (its real path, not a guessed name)."""
        return ConfigError.single(self.context.config_file, message)

    def require_settings(self, *keys: str, why: str = "") -> None:
        """Refuse settings that lack what the adapter cannot work without (the schema checks them in a config run;
        library users constructing an adapter directly get the same message)."""
        missing = [k for k in keys if not self.settings.get(k)]
        if missing:
            raise self.config_error(
                f"providers.{self.name}: {self.type_name} needs {', '.join(missing)}" + (f" ({why})" if why else "")
            )

    def use_credential(self, url: str, *secrets: str) -> str:
        """Keep the secrets out of every log and message, and name this account's cache by their hash."""
        for secret in secrets:
            register_secret(secret)
        self.credential = credential_hash(url, *secrets)
        return self.credential

    def cache_file(self) -> Path | None:
        """This account's response cache (None when caching is off for the run)."""
        return self.context.cache_path(self.name, self.credential)

    def open_sessions(self) -> Iterable[Any]:
        """The HTTP sessions of this account open in this process (their caches are cleared after a write)."""
        return ()

    def _invalidate_cache(self) -> None:
        """A write makes cached reads of this credential stale, in this process and in later CLI runs."""
        cached = [s for s in self.open_sessions() if getattr(s, "cache", None) is not None]
        for session in cached:
            session.cache.clear()
        if cached or not self.credential:
            return
        path = replace(self.context, use_cache=True).cache_path(self.name, self.credential)
        if path is not None and path.exists():
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)

    # -- helpers for adapters --------------------------------------------------------------------

    def require(self, capability: Capability) -> None:
        """Raise UnsupportedError unless the adapter declares the capability."""
        if capability not in self.capabilities:
            raise UnsupportedError(self.name, capability.value, f"not supported by {self.type_name}")


def credential_hash(*parts: str) -> str:
    """A short, stable name for a credential (URL and secrets) that reveals nothing of it."""
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]
