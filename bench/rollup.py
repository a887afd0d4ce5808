#!/usr/bin/env python
"""What the rollup costs on tracked sources (issue #8): requests against the API's floor, time against latency.

Run ``python bench/rollup.py`` (about half a minute; ``--help`` for options). It seeds the three emulators
with a fixed data set (Jira: one project of 3,000 issues; Trello: 5 boards x 200 cards in 4 lists;
Asana: 5 projects x 400 tasks; statuses, assignees, due dates and some dependencies mixed), tracks them
all in one instance through the library (collabsync.track.track), then times `status` the way the CLI
runs it (query.collect + views.status_summary) with 0 ms and 50 ms of emulator latency, cold (no
cache) and warm (cache on, second run). Requests are counted from the emulators' request logs.

Floor = the fewest requests each API allows for this data, per source: pages needed plus unavoidable
set-up (none at read time: sources are resolved once, when tracked).
  Jira   ceil(issues / page) token-chained GET /search/jql pages (page 100, as Jira Cloud caps it).
  Trello ceil(cards / 1000) per board; the lists ride along with the first page in one GET /batch.
  Asana  ceil(tasks / 100) per project (GET /projects/{gid}/tasks, offset-chained).
Chain bound = the longest chain of requests that must run one after another (Jira's pages, each
needing the previous page's token) x latency; other tools' reads overlap it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from collabsync.config import load_config
from collabsync.query import collect, resolve_instance
from collabsync.runtime import Workspace
from collabsync.testing.stack import Stack, running_stack
from collabsync.track import track
from collabsync.views import status_summary

JIRA_ISSUES = 3000
TRELLO_BOARDS, TRELLO_CARDS = 5, 200
ASANA_PROJECTS, ASANA_TASKS = 5, 400
JIRA_PAGE, TRELLO_PAGE, ASANA_PAGE = 100, 1000, 100
INSTANCE = "bench"
TOOLS = ("jira", "trello", "asana")
JIRA_STATUSES = ("To Do", "In Progress", "Done", "Blocked", "On Hold", "Cancelled")


def seed(stack: Stack, rng: random.Random) -> list[tuple[str, str, str]]:
    """The fixed data set; returns (provider, source, department) per source to track."""
    today = dt.date.today()
    people = [stack.jira.add_user(n) for n in ("Ada Lovelace", "Grace Hopper", "Alan Turing", "Edsger Dijkstra")]
    keys = []
    for i in range(JIRA_ISSUES):
        due = today + dt.timedelta(days=rng.randint(-20, 40)) if rng.random() < 0.8 else None
        keys.append(stack.jira.add_issue(
            stack.jira_project, f"Issue {i}", status=rng.choices(JIRA_STATUSES, weights=(35, 25, 25, 8, 4, 3))[0],
            assignee=rng.choice([*people, None]), due=due, labels=[rng.choice(("web", "api", "infra"))],
            components=[rng.choice(("Frontend", "Backend"))] if rng.random() < 0.7 else []))
    for i in range(0, JIRA_ISSUES - 1, 10):  # every tenth issue blocks the next
        stack.jira.link_issues(keys[i], keys[i + 1])
    boards = stack.trello.seed_bulk(TRELLO_BOARDS, TRELLO_CARDS, seed=8)
    projects = stack.asana.seed_bulk(ASANA_PROJECTS, ASANA_TASKS, seed=8)
    return ([("jira", stack.jira_project, "engineering")]
            + [("trello", b["url"], "sales") for b in boards]
            + [("asana", f"https://app.asana.com/0/{gid}/list", "marketing") for gid in projects])


def floors() -> dict[str, int]:
    """The fewest requests each API allows for the data set (see the module docstring)."""
    return {"jira": math.ceil(JIRA_ISSUES / JIRA_PAGE),
            "trello": TRELLO_BOARDS * max(1, math.ceil(TRELLO_CARDS / TRELLO_PAGE)),
            "asana": ASANA_PROJECTS * max(1, math.ceil(ASANA_TASKS / ASANA_PAGE))}


def run_status(config_path: Path, home: Path, *, use_cache: bool) -> tuple[float, dict[str, float], dict[str, Any]]:
    """One `status`: total seconds, seconds until each tool's last read returned, the summary."""
    finished: dict[str, float] = {}
    with Workspace(load_config(config_path), home, use_cache=use_cache) as ws:
        started = time.perf_counter()
        for name in TOOLS:
            _time_reads(ws.provider(name), name, finished, started)
        snap = collect(ws, resolve_instance(ws, INSTANCE))
        summary = status_summary(snap, dt.date.today())
        total = time.perf_counter() - started
    if snap.stale:
        raise SystemExit(f"stale tools during the benchmark: {snap.stale}")
    return total, finished, summary


def _time_reads(provider: Any, name: str, finished: dict[str, float], started: float) -> None:
    """Wrap one provider's read_tasks to note when its last read returned."""
    inner: Callable[..., Any] = provider.read_tasks

    def timed(*args: Any, **kwargs: Any) -> Any:
        try:
            return inner(*args, **kwargs)
        finally:
            finished[name] = max(finished.get(name, 0.0), time.perf_counter() - started)

    provider.read_tasks = timed


def requests_made(stack: Stack) -> dict[str, int]:
    return {name: getattr(stack, name).count() for name in TOOLS}


def reset(stack: Stack) -> None:
    for name in TOOLS:
        getattr(stack, name).reset_log()


def set_latency(stack: Stack, ms: float) -> None:
    for name in TOOLS:
        getattr(stack, name).faults.latency_ms = ms


def measure(stack: Stack, config: Path, home: Path, latency: float, repeats: int) -> list[dict[str, Any]]:
    """Cold (no cache; median of `repeats`) and warm (cache filled by one run, then timed) rows."""
    set_latency(stack, latency)
    rows = []
    cold: list[tuple[float, dict[str, float], dict[str, int]]] = []
    summary: dict[str, Any] = {}
    for _ in range(repeats):
        reset(stack)
        total, per_tool, summary = run_status(config, home, use_cache=False)
        cold.append((total, per_tool, requests_made(stack)))
    cold.sort(key=lambda r: r[0])
    total, per_tool, counts = cold[len(cold) // 2]
    rows.append({"latency": latency, "mode": "cold", "total": total, "per_tool": per_tool, "requests": counts,
                 "tasks": summary["overall"]["total"]})
    # A fresh home per latency: its own cache files (and so its own in-process Asana client) to fill.
    home = home.parent / f"home-{latency:g}ms"
    shutil.copytree(home.parent / "home", home)
    reset(stack)
    run_status(config, home, use_cache=True)  # fills the cache
    filled = requests_made(stack)
    warm = []
    for _ in range(repeats):
        reset(stack)
        total, per_tool, summary = run_status(config, home, use_cache=True)
        warm.append((total, per_tool, requests_made(stack)))
    warm.sort(key=lambda r: r[0])
    total, per_tool, counts = warm[len(warm) // 2]
    rows.append({"latency": latency, "mode": "warm", "total": total, "per_tool": per_tool, "requests": counts,
                 "filled": filled, "tasks": summary["overall"]["total"]})
    return rows


def print_table(rows: list[dict[str, Any]], floor: dict[str, int]) -> None:
    """Per tool: requests, floor, ratio, wall time; overall: wall time against the chain bound."""
    print(f"{'latency':>7}  {'mode':<4}  {'tool':<7} {'requests':>8} {'floor':>5} {'ratio':>6} {'wall s':>7}  note")
    for row in rows:
        ms = row["latency"]
        for name in TOOLS:
            made = row["requests"][name]
            note = f"cache filled by {row['filled'][name]} requests" if row["mode"] == "warm" else ""
            ratio = f"{made / floor[name]:.2f}" if row["mode"] == "cold" else "-"
            print(f"{ms:>5.0f}ms  {row['mode']:<4}  {name:<7} {made:>8} {floor[name]:>5} {ratio:>6} "
                  f"{row['per_tool'].get(name, 0.0):>7.3f}  {note}")
        bound = floor["jira"] * ms / 1000
        versus = f"{row['total'] / bound:.2f}x the chain bound {bound:.2f} s" if bound and row["mode"] == "cold" else ""
        print(f"{ms:>5.0f}ms  {row['mode']:<4}  {'overall':<7} {sum(row['requests'].values()):>8} "
              f"{sum(floor.values()):>5} {'':>6} {row['total']:>7.3f}  {row['tasks']} tasks {versus}".rstrip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, nargs="+", default=[0.0, 50.0], help="emulator latencies in ms")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per mode (the median is shown)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="collabsync-bench-") as tmp, running_stack(jira_page_cap=JIRA_PAGE) as stack:
        home = Path(tmp) / "home"
        home.mkdir()
        config = stack.write_config(Path(tmp) / "collabsync.toml", cache_ttl=3600)
        started = time.perf_counter()
        sources = seed(stack, random.Random(8))
        seeded = time.perf_counter() - started
        with Workspace(load_config(config), home) as ws:
            for provider, source, department in sources:
                track(ws, INSTANCE, source, department=department, provider=provider)
        print(f"seeded {JIRA_ISSUES} Jira issues, {TRELLO_BOARDS}x{TRELLO_CARDS} Trello cards, "
              f"{ASANA_PROJECTS}x{ASANA_TASKS} Asana tasks in {seeded:.1f} s; tracked {len(sources)} sources\n")
        rows = []
        for latency in args.latency:
            rows += measure(stack, config, home, latency, args.repeats)
        print_table(rows, floors())
    return 0


if __name__ == "__main__":
    sys.exit(main())
