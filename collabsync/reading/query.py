"""Reading an instance back from every tool it lives in, for status, tasks and reports."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from itertools import compress, repeat
from operator import attrgetter, eq
from typing import TYPE_CHECKING

from collabsync.errors import CollabsyncError, ConfigError
from collabsync.gcpause import gc_paused
from collabsync.ledger import InstanceRecord
from collabsync.model import Container, DepartmentMap, Task
from collabsync.runtime import Workspace

if TYPE_CHECKING:  # a plan's records, imported where a plan is read: a tracked read builds none (issue 17)
    from collabsync.ledger_plan import PlanOutline
    from collabsync.model_specs import ProjectSpec
    from collabsync.plan_columns import ReportPlan
    from collabsync.snapshot_store import SnapshotStore

__all__ = [
    "ReadBack",
    "collect",
    "resolve_instance",
    "open_prerequisites",
    "PER_TOOL_CONCURRENCY",
]

log = logging.getLogger(__name__)

#: Requests in flight per tool while reading (each tool's rate limit stays far away).
PER_TOOL_CONCURRENCY = 4


@dataclass
class ReadBack:
    """Every task of an instance as the tools report it now, plus what could not be read (history.Snapshot is a
    stored report run)."""

    instance: InstanceRecord
    tasks: list[Task]
    stale: dict[str, str] = field(default_factory=dict)
    providers: dict[str, str] = field(default_factory=dict)
    cross_links: list[tuple[str, str]] = field(default_factory=list)
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def spec(self) -> ProjectSpec | None:
        """The plan the instance was stamped from (None for tracked-only instances)."""
        return self.instance.spec

    @property
    def plan(self) -> ReportPlan | None:
        """What the report reads of the plan (its stored columns; `spec` parses the whole plan)."""
        return self.instance.report_plan

    @property
    def departments(self) -> list[str]:
        """Departments in template order, then any others seen."""
        outline = self.instance.outline  # the plan's departments, without parsing the plan
        order = dict.fromkeys(outline.departments if outline else ())
        order.update(dict.fromkeys(self.providers))
        order.update(dict.fromkeys(map(attrgetter("department"), self.tasks)))
        return [name for name in order if name]


def resolve_instance(ws: Workspace, name: str | None) -> InstanceRecord:
    """The named instance, or the only one there is; otherwise an error listing them."""
    record = ws.ledger.instance(name, lean=True) if name is not None else None
    if record is not None:
        return record
    known = ws.ledger.instance_names()  # names only: each instance's plan is parsed when it is the one needed
    if name is None and len(known) == 1:
        found = ws.ledger.instance(known[0], lean=True)
        if found is not None:
            return found
    names = ", ".join(known) or "(none yet: run `collabsync stamp`)"
    if name is None:
        raise ConfigError.single("INSTANCE", f"name an instance; known: {names}")
    raise ConfigError.single("INSTANCE", f"no instance named {name!r}; known: {names}")


def collect(ws: Workspace, instance: InstanceRecord, *, full: bool = False, links: bool = True) -> ReadBack:
    """Read every container of the instance once, concurrently across tools, bounded per tool.

    Providers with `incremental = true` read only what changed (collabsync/reading/incremental.py) unless `full`.
    Without `links` (`status`, which counts tasks and never follows a dependency) a local tool's tasks come without
    their dependencies, the others' keep their tools' refs, and the ledger's links and ref-to-key map go unread.
    """
    with gc_paused(settle=True):  # a read of 100,000 tasks makes half a million objects, none garbage
        return _collect(ws, instance, full=full, links=links)


def _collect(ws: Workspace, instance: InstanceRecord, *, full: bool, links: bool) -> ReadBack:
    """collect() with the collector paused."""
    ledger = ws.ledger
    groups: dict[tuple[str, str], tuple[Container, list[str]]] = {}
    maps: dict[tuple[str, str], DepartmentMap] = {}
    providers: dict[str, str] = {}
    for dept, provider, container in ledger.containers(instance.name):
        providers[dept] = provider
        key = (provider, container.ref)
        if container.tracked is not None:
            maps[key] = container.tracked.department_map
        if key in groups:
            groups[key][1].append(dept)
        else:
            groups[key] = (container, [dept])
    limits: dict[str, threading.Semaphore] = {p: threading.Semaphore(PER_TOOL_CONCURRENCY) for p, _ in groups}
    store = _snapshots(ws, instance) if ws.use_cache else None  # --fresh: opened to save, after the first request
    # A warm run takes each remote source's tasks from its last read while the cache's ttl holds.
    kept = {k: s.tasks for k, s in store.load(ws.config.cache_ttl).items() if k in groups} if store is not None else {}
    by_provider: dict[str, list[Container]] = {}
    for key, (container, _depts) in groups.items():
        if key not in kept:
            by_provider.setdefault(key[0], []).append(container)
    reads = None
    configured = ws.config.providers
    if not ws.use_cache and any(p in configured and configured[p].settings.get("incremental") for p, _ in groups):
        from collabsync.reading.incremental import ReadStore

        reads = ReadStore(ws.home / "reads.sqlite")

    prefetches: dict[str, Future[None]] = {}

    def read(item: tuple[tuple[str, str], tuple[Container, list[str]]]) -> tuple[list[str], list[Task] | str]:
        (provider_name, _), (container, depts) = item
        if item[0] in kept:
            return depts, kept[item[0]]
        with limits[provider_name]:
            try:
                if provider_name in prefetches:
                    prefetches[provider_name].result()
                if reads is not None:
                    from collabsync.reading.incremental import read as read_incremental

                    return depts, read_incremental(
                        ws.provider(provider_name), provider_name, container, reads, full=full
                    )
                adapter = ws.provider(provider_name)
                if not links and not _snapshotted(ws, provider_name):  # a read no later run takes from the snapshot
                    return depts, adapter.read_tasks_for_counts(container)
                return depts, adapter.read_tasks(container)
            except CollabsyncError as exc:
                return depts, str(exc)

    tasks: list[Task] = []
    stale: dict[str, str] = {}
    workers = max(1, min(8, len(groups)))
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="collabsync-read")
    started: dict[tuple[str, str], Future[tuple[list[str], list[Task] | str]]] = {}
    done = False
    try:
        # Each provider is created on this thread (a bad config fails before any output) and its reads start at
        # once: Jira's first request need not wait for the next tool's SDK to import.
        for name, containers in by_provider.items():
            adapter = ws.provider(name)
            # submitted before the reads, so started first: e.g. several Trello boards' first pages in one /batch
            if reads is not None and adapter.settings.get("incremental"):
                from collabsync.reading.incremental import (
                    prepare,  # several containers' change checks share requests
                )

                prefetches[name] = pool.submit(prepare, adapter, name, containers, reads, full=full)
            elif len(containers) > 1:
                prefetches[name] = pool.submit(adapter.prefetch, containers)
            started.update((key, pool.submit(read, (key, group))) for key, group in groups.items() if key[0] == name)
            # only the built-in remote tools send through collabsync.http's sessions, which say when a request is out
            if name != next(reversed(by_provider)) and adapter.type_name in {"jira", "trello", "asana"}:
                from collabsync.http import until_first_request

                # the next SDK's import would share the GIL with this read's start: it waits until a request is out
                until_first_request([f for key, f in started.items() if key[0] == name])
        results = [started[key].result() if key in started else read((key, group)) for key, group in groups.items()]
        done = True
    finally:
        pool.shutdown(wait=done, cancel_futures=not done)  # an error is raised now, not after the reads under way
        if reads is not None:
            reads.close()
    _remember(
        store if store is not None else _snapshots(ws, instance),
        ws,
        {
            key: result
            for key, (_, result) in zip(groups, results, strict=True)
            if key not in kept and not isinstance(result, str)
        },
        every=list(groups),
    )
    outline = instance.outline
    index = outline.position if outline else {}
    # keys the plan knows become the plan's own strings (kept by the instance's outline): one string per key, not three
    strings = dict(zip(index, index, strict=True)) if links else {}
    for (key, _group), (depts, result) in zip(groups.items(), results, strict=True):
        if isinstance(result, str):
            for d in depts:
                stale[d] = result
            continue
        _place(result, outline, depts, key[0], maps.get(key), providers, strings.get if strings else None)
        tasks += result
    last = len(index)
    if links:
        cross = _link(tasks, partial(ledger.keys_by_ref, instance.name), ledger.cross_links(instance.name), strings)
    else:
        cross = []
    # each task's place in the plan; a task without a key has none (the template schema allows no empty key)
    where = list(map(index.get, map(attrgetter("key"), tasks), repeat(last)))
    if len(set(where)) < len(where):  # tasks share a place (not in the plan, or read twice): by ref among them
        tasks.sort(key=attrgetter("ref"))
        if not index:  # no plan: every task has the same place
            return ReadBack(instance, tasks, stale, providers, cross)
        where = [index.get(task.key or "", last) for task in tasks]
    in_order = [tasks[i] for i in sorted(range(len(tasks)), key=where.__getitem__)]
    return ReadBack(instance, in_order, stale, providers, cross)


def _link(
    tasks: list[Task],
    keys: Callable[[str], tuple[list[str], list[str]]],
    cross: list[tuple[str, str]],
    strings: dict[str, str],
) -> list[tuple[str, str]]:
    """Each dependency as a key, plus the cross-tool pairs. A dependency is a ref of its task's own tool (refs are
    unique per tool only): the key the ledger has for it in that tool (`keys` of the provider: refs, keys), else
    the key of the tool's first task read with it, else the ref. A key the plan knows is its string in `strings`
    (the outline's), as `_place` made the tasks' own keys."""
    same = strings.get
    for tool, read in _by_tool(tasks).items():
        depending = [t for t in read if t.depends_on]
        if not depending:
            continue
        # the tool's first task read with a ref (containers in order, a container's rows in order): written last
        refs, found = list(map(attrgetter("ref"), read)), list(map(attrgetter("key"), read))
        refs.reverse()
        found.reverse()
        to = dict(zip(compress(refs, found), compress(found, found), strict=True))
        del refs, found
        named, named_keys = keys(tool) if tool else ([], [])
        get = to.get
        # The ledger's key wins over a read one; they differ only where a marker was edited, so the read's map, with
        # the keys as the plan's strings already, is used as it is when it holds every pair of the ledger's.
        if not all(map(eq, map(get, named), named_keys)):
            to.update(zip(named, map(same, named_keys, named_keys), strict=True))
        del named, named_keys
        for task in depending:
            task.depends_on = list(map(get, task.depends_on, task.depends_on))  # a ref's key, else the ref
    by_key = {t.key: t for t in tasks if t.key} if cross else {}
    for a, b in cross:
        if a in by_key and b not in by_key[a].depends_on:
            by_key[a].depends_on = [*by_key[a].depends_on, b]  # a new list: a read's own may be shared
    return cross


def _by_tool(tasks: list[Task]) -> dict[str | None, list[Task]]:
    """Tasks by provider, in read order (one list as it is when they come from one tool, as most reads do)."""
    tools = dict.fromkeys(map(attrgetter("provider"), tasks))
    if len(tools) <= 1:
        return dict.fromkeys(tools, tasks)
    out: dict[str | None, list[Task]] = {tool: [] for tool in tools}
    for task in tasks:
        out[task.provider].append(task)
    return out


def _snapshotted(ws: Workspace, provider: str) -> bool:
    """Whether a provider's reads are kept for warm runs: remote tools are; local reads cost what a snapshot does."""
    return ws.config.providers[provider].type != "local"


def _snapshots(ws: Workspace, instance: InstanceRecord) -> SnapshotStore:
    """The instance's snapshot store; its module is imported when used, not before a --fresh read's first request."""
    from collabsync.snapshot_store import SnapshotStore

    return SnapshotStore(ws.home, instance.name)


def _remember(
    store: SnapshotStore, ws: Workspace, reads: dict[tuple[str, str], list[Task]], every: list[tuple[str, str]]
) -> None:
    """Store what remote tools returned, for the next warm run; local reads are as cheap as a snapshot."""
    remote = {k: tasks for k, tasks in reads.items() if _snapshotted(ws, k[0])}
    # When every remote source was read just now, the old file holds nothing to keep: it is not read again.
    whole = all(k in remote for k in every if _snapshotted(ws, k[0]))
    try:
        store.save(remote, replace=whole)
    except (OSError, CollabsyncError) as exc:  # a snapshot only saves time
        log.warning("could not store the snapshot %s: %s", store.path, exc)


def _place(
    tasks: list[Task],
    outline: PlanOutline | None,
    depts: list[str],
    provider: str,
    mapping: DepartmentMap | None,
    providers: dict[str, str],
    same: Callable[[str, str], str] | None,
) -> None:
    """Give a container's tasks their department (a tracked source's mapping, else the plan's by key, else the
    container's) and provider, and (with `same`) the plan's string of their key, in one pass; note each new
    department's provider."""
    first, of = (outline.first, outline.of) if outline else ({}, [])
    only = depts[0] if len(depts) == 1 else None
    for task in tasks:
        key = task.key
        if key and same is not None:
            task.key = key = same(key, key)
        if mapping is not None:
            task.department = mapping.department_of(task)
        if task.department is None:
            at = first.get(key) if key else None  # the plan's department, as outline.department
            task.department = only if at is None or of[at] is None else of[at]
        task.provider = provider
    for department in dict.fromkeys(map(attrgetter("department"), tasks)):  # in the order the tasks name them
        if department and department not in providers:
            providers[department] = provider


def open_prerequisites(snap: ReadBack, key: str) -> list[Task]:
    """The not-yet-finished tasks that `key` waits on (the plan's keys, tool links and cross-tool pairs)."""
    by_key = {t.key: t for t in snap.tasks if t.key}
    by_ref = {t.ref: t for t in snap.tasks}
    task = by_key.get(key)
    names = list(task.depends_on) if task else []
    if snap.spec is not None:
        try:
            names += [k for k in snap.spec.task(key).depends_on if k not in names]
        except KeyError:
            pass
    found = [by_key.get(n) or by_ref.get(n) for n in dict.fromkeys(names)]
    return [t for t in found if t is not None and not t.status.closed]
