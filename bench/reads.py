"""Requests and wall time of the read paths at 50 ms emulator latency (issue 17 items 1-3).

Run: python bench/reads.py [--latency-ms 50] [--issues 3000] [--boards 5] [--cards 200] [--projects 5] [--tasks 400]
Prints one line per case: requests sent and wall seconds, then the incremental "nothing changed" total over
the three tools (the data set of bench/rollup.py). Loopback emulators only. The incremental rows use
`read_overlap_minutes = 0` and emulators seeded with old timestamps: with the default 5 minutes, data
seeded seconds before would count as a change.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from collabsync.providers.asana import AsanaProvider
from collabsync.providers.base import ProviderContext
from collabsync.providers.jira import JiraProvider
from collabsync.providers.trello import TrelloProvider
from collabsync.reading.incremental import ReadStore, prepare, read
from collabsync.testing.asana import AsanaEmulator
from collabsync.testing.core import Faults
from collabsync.testing.jira import JiraEmulator
from collabsync.testing.trello import TrelloEmulator

OLD = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


UNCHANGED: dict[str, int] = {}  # tool -> requests of an incremental read when nothing changed


def timed(label: str, emu: Any, work: Callable[[], Any]) -> int:
    emu.reset_log()
    started = time.perf_counter()
    result = work()
    wall = time.perf_counter() - started
    print(f"{label:<58} {emu.count():>4} requests {wall:6.2f} s  ({len(result)} tasks)")
    return int(emu.count())


def bench_jira(home: Path, issues: int, latency: float) -> None:
    with JiraEmulator(faults=Faults(latency_ms=latency)) as emu:
        emu.add_project("ENG")

        def jira(**extra: Any) -> JiraProvider:
            settings = {"url": emu.root_url, "email": emu.email, "api_token": emu.api_token, "deployment": "cloud"}
            return JiraProvider("jira", {**settings, **extra}, ProviderContext(home=home))

        c = jira().ensure_container("launch", "Launch", "", {"project": "ENG"})
        for i in range(issues):
            emu.add_issue("ENG", f"T{i}", parent=c.ref, updated=OLD)

        def chained() -> Any:
            p = jira()
            jql, fields = p.read_query(c)
            return p.to_tasks(c, p._search(jql, fields, cached=False))

        timed(f"jira {issues}: chained /search/jql pages (before)", emu, chained)
        timed(f"jira {issues}: id page + bulkfetch, 4 in flight", emu, lambda: jira().read_tasks(c))
        timed(f"jira {issues}: id page + bulkfetch, 8 in flight", emu, lambda: jira(max_in_flight=8).read_tasks(c))
        store = ReadStore(home / "reads.sqlite")
        read(jira(incremental=True), "jira", c, store)
        UNCHANGED["jira"] = timed(
            f"jira {issues}: incremental, nothing changed", emu, lambda: read(jira(incremental=True), "jira", c, store)
        )
        for issue in list(emu.store.issues.values())[1 : 1 + issues // 100]:
            issue.updated = emu.clock()
        timed(f"jira {issues}: incremental, 1% changed", emu, lambda: read(jira(incremental=True), "jira", c, store))
        store.close()


def bench_trello(home: Path, boards: int, cards: int, latency: float) -> None:
    with TrelloEmulator(faults=Faults(latency_ms=latency)) as emu:
        settings = {"api_key": emu.api_key, "token": emu.token, "base_url": emu.base_url}
        containers = []
        emu.state.clock = OLD.timestamp()  # seeded long ago, as a real board's cards were
        for b in range(boards):
            board = emu.add_board(f"Board {b}", ("To Do", "Done"))
            for i in range(cards):
                emu.add_card(board["id"], ("To Do", "Done")[i % 2], f"Card {i}")
            containers.append(
                TrelloProvider("trello", settings, ProviderContext(home=home)).resolve_source(board["shortLink"])
            )
        emu.state.clock = None

        def each() -> list[Any]:
            p = TrelloProvider("trello", settings, ProviderContext(home=home))
            return [t for c in containers for t in p.read_tasks(c)]

        def shared() -> list[Any]:
            p = TrelloProvider("trello", settings, ProviderContext(home=home))
            p.prefetch(containers)
            return [t for c in containers for t in p.read_tasks(c)]

        timed(f"trello {boards}x{cards}: one /batch per board (before)", emu, each)
        timed(f"trello {boards}x{cards}: boards share /batch", emu, shared)
        store = ReadStore(home / "reads-trello.sqlite")
        incremental = {**settings, "incremental": True, "read_overlap_minutes": 0}

        def changes() -> list[Any]:
            p = TrelloProvider("trello", incremental, ProviderContext(home=home))
            prepare(p, "trello", containers, store)
            return [t for c in containers for t in read(p, "trello", c, store)]

        changes()
        UNCHANGED["trello"] = timed(f"trello {boards}x{cards}: incremental, nothing changed", emu, changes)
        emu.move_card(emu.cards_of(containers[0].ref)[0]["id"], "Done")
        timed(f"trello {boards}x{cards}: incremental, one board changed", emu, changes)
        store.close()


def bench_asana(home: Path, projects: int, tasks: int, latency: float) -> None:
    with AsanaEmulator(faults=Faults(latency_ms=latency), per_minute=None) as emu:
        emu.now = OLD  # seeded long ago, as a real project's tasks were
        gids = emu.seed_bulk(projects, tasks, seed=8)
        emu.now = None
        settings = {"token": emu.token, "workspace": emu.workspace_gid, "base_url": emu.base_url}
        containers = [
            AsanaProvider("asana", settings, ProviderContext(home=home)).resolve_source(
                f"https://app.asana.com/0/{gid}/list"
            )
            for gid in gids
        ]
        store = ReadStore(home / "reads-asana.sqlite")
        incremental = {**settings, "incremental": True, "read_overlap_minutes": 0}

        def full() -> list[Any]:
            p = AsanaProvider("asana", settings, ProviderContext(home=home))
            return [t for c in containers for t in p.read_tasks(c)]

        def changes() -> list[Any]:
            p = AsanaProvider("asana", incremental, ProviderContext(home=home))
            prepare(p, "asana", containers, store)
            return [t for c in containers for t in read(p, "asana", c, store)]

        timed(f"asana {projects}x{tasks}: full read", emu, full)
        timed(f"asana {projects}x{tasks}: first incremental (full + sync tokens)", emu, changes)
        UNCHANGED["asana"] = timed(f"asana {projects}x{tasks}: incremental, nothing changed", emu, changes)
        emu.complete(emu.project_tasks(gids[0])[3]["gid"])
        timed(f"asana {projects}x{tasks}: incremental, one task edited", emu, changes)
        emu.move_task(emu.project_tasks(gids[1])[5]["gid"], "Blocked")
        timed(f"asana {projects}x{tasks}: incremental, one task moved", emu, changes)
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--issues", type=int, default=3000)
    parser.add_argument("--boards", type=int, default=5)
    parser.add_argument("--cards", type=int, default=200)
    parser.add_argument("--projects", type=int, default=5)
    parser.add_argument("--tasks", type=int, default=400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        bench_jira(Path(home), args.issues, args.latency_ms)
        bench_trello(Path(home), args.boards, args.cards, args.latency_ms)
        bench_asana(Path(home), args.projects, args.tasks, args.latency_ms)
    print(
        f"incremental, nothing changed, all three tools: {sum(UNCHANGED.values())} requests "
        f"({', '.join(f'{k} {v}' for k, v in UNCHANGED.items())})"
    )


if __name__ == "__main__":
    main()
