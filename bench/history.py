#!/usr/bin/env python
"""The report's history part at scale: CPU seconds of `History.past` + the diff + `History.save_snapshot`.

Run ``COLLABSYNC_HOME=HOME python bench/history.py INSTANCE [--today DAY] [--rounds N]`` on a home with a stamped
or tracked instance (a copy of /work/fixtures/scale/home-100000, say). It reads the instance and rolls it up once
(not timed), then in a fresh history file of its own times, in CPU seconds of this process: the *first* report
(no earlier snapshot: every task is new), a *second* where nothing changed (the previous states loaded and found
unchanged) and a *third* after 1 % of the tasks changed. Memory: the peak of Python allocations (tracemalloc)
over each step, in a separate round so tracing does not slow the timed ones. The home itself is not written to.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import gc
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any


def main() -> None:
    """Read once, then time each history step over fresh history files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instance")
    parser.add_argument("--today", default="2027-09-01")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    from collabsync.config import home_dir, load_config
    from collabsync.model import Status
    from collabsync.reading.query import collect, resolve_instance
    from collabsync.report.history import History, looking_back
    from collabsync.report.reporting import make_report
    from collabsync.runtime import Workspace

    gc.disable()  # as `collabsync report` runs
    today = dt.date.fromisoformat(args.today)
    with Workspace(load_config(None), home_dir()) as ws:
        read = collect(ws, resolve_instance(ws, args.instance))
    report, tasks = make_report(read, today)  # no store: nothing of history is timed here
    changed = list(tasks)
    for i in range(0, len(changed), 100):  # 1 %: every hundredth task done
        changed[i] = dataclasses.replace(changed[i], status=Status.DONE)
    print(f"{len(tasks)} tasks of {args.instance}; load average {Path('/proc/loadavg').read_text().split()[0]}")

    def one_round(measure: Callable[[str, Callable[[], Any]], Any]) -> None:
        with tempfile.TemporaryDirectory() as tmp, History(Path(tmp)) as store:
            for step, now in (("first", tasks), ("unchanged", tasks), ("1% changed", changed)):

                def run(now: list[Any] = now) -> None:
                    past = store.past(args.instance)
                    looking_back(report, now, past)
                    store.save_snapshot(args.instance, report, now, snapshot_id=past.id)

                measure(step, run)

    cpu: dict[str, list[float]] = {}

    def timed(step: str, run: Callable[[], Any]) -> None:
        start = time.process_time()
        run()
        cpu.setdefault(step, []).append(time.process_time() - start)

    for _ in range(args.rounds):
        one_round(timed)
    peaks: dict[str, float] = {}

    def traced(step: str, run: Callable[[], Any]) -> None:
        tracemalloc.start()
        run()
        peaks[step] = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()

    one_round(traced)
    print(f"{'step':12} {'cpu s (median)':>15} {'min':>6} {'max':>6} {'peak MB':>8}")
    for step, times in cpu.items():
        print(f"{step:12} {statistics.median(times):15.3f} {min(times):6.3f} {max(times):6.3f} {peaks[step]:8.1f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
