"""Requests and wall time of the read paths at 50 ms emulator latency (issue 17 items 1-3).

Run: python bench/reads.py [--latency-ms 50] [--issues 3000] [--boards 5] [--cards 200]
Prints one line per case: requests sent and wall seconds. Loopback emulators only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from collabsync.providers.base import ProviderContext
from collabsync.providers.jira import JiraProvider
from collabsync.providers.trello import TrelloProvider
from collabsync.reading.incremental import ReadStore, read
from collabsync.testing.core import Faults
from collabsync.testing.jira import JiraEmulator
from collabsync.testing.trello import TrelloEmulator

OLD = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


def timed(label: str, emu: Any, work: Callable[[], Any]) -> None:
    emu.reset_log()
    started = time.perf_counter()
    result = work()
    wall = time.perf_counter() - started
    print(f"{label:<52} {emu.count():>4} requests {wall:6.2f} s  ({len(result)} tasks)")


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
        timed(f"jira {issues}: incremental, nothing changed", emu,
              lambda: read(jira(incremental=True), "jira", c, store))
        for issue in list(emu.store.issues.values())[1:1 + issues // 100]:
            issue.updated = emu.clock()
        timed(f"jira {issues}: incremental, 1% changed", emu, lambda: read(jira(incremental=True), "jira", c, store))
        store.close()


def bench_trello(home: Path, boards: int, cards: int, latency: float) -> None:
    with TrelloEmulator(faults=Faults(latency_ms=latency)) as emu:
        settings = {"api_key": emu.api_key, "token": emu.token, "base_url": emu.base_url}
        containers = []
        for b in range(boards):
            board = emu.add_board(f"Board {b}", ("To Do", "Done"))
            for i in range(cards):
                emu.add_card(board["id"], ("To Do", "Done")[i % 2], f"Card {i}")
            containers.append(TrelloProvider("trello", settings, ProviderContext(home=home))
                              .resolve_source(board["shortLink"]))

        def each() -> list[Any]:
            p = TrelloProvider("trello", settings, ProviderContext(home=home))
            return [t for c in containers for t in p.read_tasks(c)]

        def shared() -> list[Any]:
            p = TrelloProvider("trello", settings, ProviderContext(home=home))
            p.prefetch(containers)
            return [t for c in containers for t in p.read_tasks(c)]

        timed(f"trello {boards}x{cards}: one /batch per board (before)", emu, each)
        timed(f"trello {boards}x{cards}: boards share /batch", emu, shared)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--issues", type=int, default=3000)
    parser.add_argument("--boards", type=int, default=5)
    parser.add_argument("--cards", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        bench_jira(Path(home), args.issues, args.latency_ms)
        bench_trello(Path(home), args.boards, args.cards, args.latency_ms)


if __name__ == "__main__":
    main()
