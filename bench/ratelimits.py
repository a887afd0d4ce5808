#!/usr/bin/env python
"""Zero 429s at the default budget (issue 11 item 8): `status` and `report` on 3,000+ tasks per tool.

Run ``python bench/ratelimits.py`` (about a minute; ``--help`` for options). It starts the three
emulators with the vendors' published limits (Trello 100 requests / 10 s per token and 300 / 10 s per
key, Asana's free plan 150 / min per token with 50 concurrent reads and 15 concurrent writes, Jira
100 / s, the burst figure its 429 headers carry since Atlassian publishes no number for API tokens),
seeds each with --tasks tasks, tracks them in one instance through the library, then runs `status`
and `report` the way the CLI does, --rounds times in one process (one workspace per command, as
separate CLI runs would be). It prints, per tool, the requests sent, the 429 answers and the budget's
own count of requests it sent. Every provider runs with its default budget: no setting is tuned.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from collabsync.config import load_config
from collabsync.reading.query import collect, resolve_instance
from collabsync.reading.track import track
from collabsync.report.history import History
from collabsync.report.nightly import report_instance
from collabsync.report.reporting import status_summary
from collabsync.runtime import Workspace
from collabsync.testing.core import RateLimit
from collabsync.testing.stack import Stack, running_stack

TOOLS = ("jira", "trello", "asana")
INSTANCE = "bench-limits"


def published_limits(stack: Stack) -> None:
    """Set each emulator to the vendor's published limits (Asana: the free plan, the tighter one)."""
    stack.trello.rate_limits = [RateLimit(100, 10.0, scope="token"), RateLimit(300, 10.0, scope="key")]
    stack.asana.rate_limits = [RateLimit(150, 60.0, scope="token")]
    stack.asana.concurrent_reads, stack.asana.concurrent_writes = 50, 15
    stack.jira.rate_limits = [RateLimit(100, 1.0, scope="token")]


def seed(stack: Stack, tasks: int) -> list[tuple[str, str, str]]:
    """tasks per tool: Jira in one project, Trello and Asana spread over five boards/projects."""
    per = max(1, tasks // 5)
    sources = [("jira", p["project"], "engineering") for p in stack.jira.seed_bulk(1, tasks, seed=11)]
    sources += [("trello", b["url"], "sales") for b in stack.trello.seed_bulk(5, per, seed=11)]
    sources += [
        ("asana", f"https://app.asana.com/0/{gid}/list", "marketing") for gid in stack.asana.seed_bulk(5, per, seed=11)
    ]
    return sources


def run(tasks: int, rounds: int) -> dict[str, dict[str, int]]:
    """Seed, track, then status + report `rounds` times; per tool: requests, 429s, tasks read."""
    with running_stack() as stack, tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        config_path = home / "collabsync.toml"
        stack.write_config(config_path)
        # The stack's test settings shorten retries; the benchmark runs the shipped defaults.
        config_path.write_text(config_path.read_text().replace("max_retries = 1\nbackoff = 0.01\n", ""))
        sources = seed(stack, tasks)
        with Workspace(load_config(config_path), home) as ws:
            for provider, source, department in sources:
                track(ws, INSTANCE, source, department=department, provider=provider)
        published_limits(stack)
        for tool in TOOLS:
            getattr(stack, tool).reset_log()
        read: dict[str, int] = {}
        for _ in range(rounds):
            with Workspace(load_config(config_path), home) as ws:  # `collabsync status`
                snap = collect(ws, resolve_instance(ws, INSTANCE))
                status_summary(snap, dt.date.today())
                _no_stale(snap.stale)
                for tool in TOOLS:
                    read[tool] = sum(1 for t in snap.tasks if t.provider == tool)
            with Workspace(load_config(config_path), home) as ws, History(home / "history.sqlite") as store:  # `report`
                result = report_instance(
                    ws, resolve_instance(ws, INSTANCE), ["html", "json"], today=dt.date.today(), store=store
                )
                _no_stale(result.stale)
        return {
            tool: {
                "requests": len(getattr(stack, tool).requests),
                "429": sum(1 for r in getattr(stack, tool).requests if r.status == 429),
                "tasks": read.get(tool, 0),
            }
            for tool in TOOLS
        }


def _no_stale(stale: dict[str, Any]) -> None:
    if stale:
        raise SystemExit(f"a tool could not be read during the benchmark: {stale}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=3000, help="tasks per tool (default 3000)")
    parser.add_argument("--rounds", type=int, default=2, help="status + report runs (default 2)")
    args = parser.parse_args()
    started = time.perf_counter()
    counts = run(args.tasks, args.rounds)
    print(
        f"status + report x{args.rounds}, {args.tasks} tasks per tool, published limits, default budgets "
        f"({time.perf_counter() - started:.0f} s with seeding)"
    )
    print(f"{'tool':8} {'tasks read':>10} {'requests':>9} {'429s':>5}")
    for tool, c in counts.items():
        print(f"{tool:8} {c['tasks']:>10} {c['requests']:>9} {c['429']:>5}")
    total = sum(c["429"] for c in counts.values())
    print(f"total 429 answers: {total}")
    sys.exit(1 if total else 0)


if __name__ == "__main__":
    main()
