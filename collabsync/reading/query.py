"""Reading an instance back from every tool it lives in, for status, tasks and reports."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from collabsync.errors import CollabsyncError, ConfigError
from collabsync.ledger import InstanceRecord
from collabsync.model import Container, DepartmentMap, ProjectSpec, Status, Task
from collabsync.runtime import Workspace
from collabsync.snapshot_store import SnapshotStore

__all__ = [
    "ReadBack",
    "collect",
    "resolve_instance",
    "filter_tasks",
    "task_row",
    "open_prerequisites",
    "PER_TOOL_CONCURRENCY",
    "TASK_COLUMNS",
    "tasks_csv",
]

#: The columns of `tasks --format csv` (also its header when nothing matches).
TASK_COLUMNS = ["key", "title", "department", "provider", "status", "start", "due", "assignee", "url", "depends_on"]

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
    def departments(self) -> list[str]:
        """Departments in template order, then any others seen."""
        order = list(self.spec.departments) if self.spec else []
        for name in [*self.providers, *(t.department for t in self.tasks if t.department)]:
            if name and name not in order:
                order.append(name)
        return order


def resolve_instance(ws: Workspace, name: str | None) -> InstanceRecord:
    """The named instance, or the only one there is; otherwise an error listing them."""
    record = ws.ledger.instance(name) if name is not None else None
    if record is not None:
        return record
    known = ws.ledger.instance_names()  # names only: each instance's plan is parsed when it is the one needed
    if name is None and len(known) == 1:
        found = ws.ledger.instance(known[0])
        if found is not None:
            return found
    names = ", ".join(known) or "(none yet: run `collabsync stamp`)"
    if name is None:
        raise ConfigError.single("INSTANCE", f"name an instance; known: {names}")
    raise ConfigError.single("INSTANCE", f"no instance named {name!r}; known: {names}")


def collect(ws: Workspace, instance: InstanceRecord, *, full: bool = False) -> ReadBack:
    """Read every container of the instance once, concurrently across tools, bounded per tool.

    Providers with `incremental = true` read only what changed (collabsync/reading/incremental.py) unless `full`.
    """
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
    store = SnapshotStore(ws.home, instance.name)
    # A warm run takes each remote source's tasks from its last read while the cache's ttl holds.
    kept = {k: s.tasks for k, s in store.load(ws.config.cache_ttl).items() if k in groups} if ws.use_cache else {}
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
                return depts, ws.provider(provider_name).read_tasks(container)
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
        results = [started[key].result() if key in started else read((key, group)) for key, group in groups.items()]
        done = True
    finally:
        pool.shutdown(wait=done, cancel_futures=not done)  # an error is raised now, not after the reads under way
        if reads is not None:
            reads.close()
    _remember(
        store,
        ws,
        {
            key: result
            for key, (_, result) in zip(groups, results, strict=True)
            if key not in kept and not isinstance(result, str)
        },
    )
    keys_by_ref = ledger.keys_by_ref(instance.name)
    spec = instance.spec
    for (key, _group), (depts, result) in zip(groups.items(), results, strict=True):
        provider_name = key[0]
        if isinstance(result, str):
            for d in depts:
                stale[d] = result
            continue
        for task in result:
            if key in maps:
                task.department = maps[key].department_of(task)
            _place(task, spec, depts, provider_name)
            if task.department and task.department not in providers:
                providers[task.department] = provider_name
            if task.key and task.ref not in keys_by_ref:
                keys_by_ref[task.ref] = task.key
            tasks.append(task)
    cross = [(a, b) for (a, b), link in ledger.links(instance.name).items() if link.kind == "cross"]
    for task in tasks:
        task.depends_on = [keys_by_ref.get(ref, ref) for ref in task.depends_on]
    by_key = {t.key: t for t in tasks if t.key}
    for a, b in cross:
        if a in by_key and b not in by_key[a].depends_on:
            by_key[a].depends_on.append(b)
    index = {t.key: i for i, t in enumerate(spec.tasks)} if spec else {}
    tasks.sort(key=lambda t: (index.get(t.key or "", len(index)), t.ref))
    return ReadBack(instance, tasks, stale, providers, cross)


def _remember(store: SnapshotStore, ws: Workspace, reads: dict[tuple[str, str], list[Task]]) -> None:
    """Store what remote tools returned, for the next warm run; local reads are as cheap as a snapshot."""
    remote = {k: tasks for k, tasks in reads.items() if ws.config.providers[k[0]].type != "local"}
    try:
        store.save(remote)
    except (OSError, CollabsyncError) as exc:  # a snapshot only saves time
        log.warning("could not store the snapshot %s: %s", store.path, exc)


def _place(task: Task, spec: ProjectSpec | None, depts: list[str], provider: str) -> None:
    """Give a task its department (from the plan by key, else its container's) and provider."""
    if task.department is None:
        if spec and task.key:
            try:
                task.department = spec.task(task.key).department
            except KeyError:
                pass
        if task.department is None and len(depts) == 1:
            task.department = depts[0]
    task.provider = provider


def filter_tasks(
    tasks: Iterable[Task],
    *,
    today: dt.date,
    department: str | None = None,
    status: str | None = None,
    overdue: bool = False,
    blocked: bool = False,
    assignee: str | None = None,
    departments: Iterable[str] = (),
) -> list[Task]:
    """The `collabsync tasks` filters, combined with AND; department and assignee ignore case, and a
    value that matches no department (of `departments` or the tasks) or no assignee is an error."""
    tasks = list(tasks)
    if department:
        known = list(dict.fromkeys([*departments, *(t.department for t in tasks if t.department)]))
        if department.casefold() not in {d.casefold() for d in known}:
            raise ConfigError.single(
                "--department", f"unknown department {department!r}; known: {', '.join(known) or '(none)'}"
            )
    if assignee:
        people = sorted({t.assignee for t in tasks if t.assignee})
        if assignee.casefold() not in {p.casefold() for p in people}:
            raise ConfigError.single(
                "--assignee", f"no task is assigned to {assignee!r}; assignees: {', '.join(people) or '(none)'}"
            )
    out = []
    for t in tasks:
        if department and (t.department or "").casefold() != department.casefold():
            continue
        if status and t.status != Status(status):
            continue
        if overdue and not t.is_overdue(today):
            continue
        if blocked and t.status != Status.BLOCKED:
            continue
        if assignee and (t.assignee or "").casefold() != assignee.casefold():
            continue
        out.append(t)
    return out


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


def tasks_csv(rows: Iterable[dict[str, Any]]) -> str:
    """`tasks --format csv` through the one CSV writer: TASK_COLUMNS, dependencies space-separated."""
    from collabsync.report.render.csvout import write_csv

    return write_csv(
        TASK_COLUMNS, ([" ".join(r[c]) if c == "depends_on" else r[c] for c in TASK_COLUMNS] for r in rows)
    )


def task_row(task: Task) -> dict[str, Any]:
    """One task as `tasks --format json` prints it."""
    return {
        "key": task.key or task.ref,
        "title": task.title,
        "department": task.department,
        "provider": task.provider,
        "status": task.status.value,
        "start": task.start.isoformat() if task.start else None,
        "due": task.due.isoformat() if task.due else None,
        "assignee": task.assignee,
        "url": task.url,
        "depends_on": list(task.depends_on),
    }
