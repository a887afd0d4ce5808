#!/usr/bin/env python
"""How little CPU a 100k report can cost in CPython here: the bare minimum of its work, by columns, timed step by step.

Issue 17 asks for the HTML report of 100,000 tasks in at most 2 s CPU. This bench measures a floor for that target,
not collabsync's report: one child process (spawn to exit, CPU seconds from ``os.wait4``) that does only what
any report of a local instance must do, in the cheapest form CPython offers (lists per column, no object per
task, no report content beyond counts): start the interpreter and import the CLI and the template engine; read
the tasks' columns from the local tool's SQLite file; take each ref's key and department from the ledger (two
JSON arrays, as the ledger does); parse the distinct dates; turn the dependency rows into positions; one forward
pass over open work (start after the prerequisites, effort in days: no business days, blame or critical path);
count tasks by department, status and overdue; store the columns a history needs as JSON in a SQLite file.

Everything the real report adds (business-day calendars, the plan's dates and estimates, blame, the critical path,
schedules, hand-offs, phases, contributions, the history's diffs, the HTML) comes on top of this floor.

Run ``python bench/floor.py --home HOME --instance NAME`` on a COLLABSYNC_HOME holding a stamped local instance
(``bench/scale.py --sizes 100000 --keep DIR`` leaves one in ``DIR/home-100000``, instance ``s100000``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

STEPS = ("start", "read", "keys", "dates", "links", "forward", "counts", "history")


def child(home: str, instance: str) -> None:
    """The floor's work in this process; prints one line per step (CPU s since the previous step)."""
    marks = [("start", time.process_time())]  # the interpreter's own start is in the total, not here
    import datetime as dt
    import json
    import sqlite3
    import tempfile
    from collections import Counter

    import jinja2  # noqa: F401 - the HTML report's engine: every report process imports it

    import collabsync.cli  # noqa: F401 - the CLI every user runs

    marks.append(("start", time.process_time()))
    db = sqlite3.connect(os.path.join(home, "local.sqlite"))
    rows = db.execute("SELECT id, title, status, assignee, start, due, estimate, updated FROM tasks ORDER BY id")
    ids, title, status, assignee, start, due, estimate, updated = map(list, zip(*rows.fetchall(), strict=True))
    marks.append(("read", time.process_time()))
    ledger = sqlite3.connect(os.path.join(home, "ledger.sqlite"))
    refs, keys, departments = (
        json.loads(text)
        for text in ledger.execute(
            "SELECT json_group_array(ref), json_group_array(key), json_group_array(department) FROM objects"
            " WHERE instance = ? AND kind = 'task' AND ref IS NOT NULL",
            (instance,),
        ).fetchone()
    )
    key_of = dict(zip(refs, keys, strict=True))
    department_of = dict(zip(keys, departments, strict=True))
    key = list(map(key_of.get, map(str, ids)))
    department = list(map(department_of.get, key))
    marks.append(("keys", time.process_time()))
    parsed: dict[str | None, dt.date | None] = {None: None}
    for value in {*start, *due}:
        if value is not None:
            parsed[value] = dt.date.fromisoformat(value)
    start_day, due_day = list(map(parsed.__getitem__, start)), list(map(parsed.__getitem__, due))
    marks.append(("dates", time.process_time()))
    position = {ref: p for p, ref in enumerate(ids)}
    blockers: list[list[int]] = [[] for _ in ids]
    for task, blocking in db.execute("SELECT task_id, depends_on_id FROM dependencies"):
        blockers[position[task]].append(position[blocking])
    marks.append(("links", time.process_time()))
    today = dt.date(2027, 9, 1).toordinal()
    closed = [s in ("done", "cancelled") for s in status]
    finish = [0] * len(ids)
    for p in range(len(ids)):  # the prerequisites come first in a stamped plan's order
        if closed[p]:
            continue
        begin = today
        for q in blockers[p]:
            if finish[q] >= begin:
                begin = finish[q] + 1
        planned = start_day[p]
        if planned is not None and planned.toordinal() > begin:
            begin = planned.toordinal()
        effort = estimate[p]
        finish[p] = begin + (max(1, int(effort + 0.999)) if effort else 1) - 1
    marks.append(("forward", time.process_time()))
    due_ordinal = [d.toordinal() if d is not None else None for d in due_day]
    overdue = [d is not None and d < today and not c for d, c in zip(due_ordinal, closed, strict=True)]
    counts = Counter(zip(department, status, overdue, strict=True))
    assert sum(counts.values()) == len(ids)
    marks.append(("counts", time.process_time()))
    with tempfile.TemporaryDirectory() as folder:
        history = sqlite3.connect(os.path.join(folder, "history.sqlite"))
        history.execute("CREATE TABLE columns (name TEXT PRIMARY KEY, data BLOB NOT NULL)")
        columns = {"ref": ids, "key": key, "title": title, "status": status, "assignee": assignee}
        columns |= {"department": department, "start": start, "due": due, "estimate": estimate, "updated": updated}
        columns["finish"] = finish
        with history:
            history.executemany(
                "INSERT INTO columns VALUES (?, ?)", ((n, json.dumps(c).encode()) for n, c in columns.items())
            )
        history.close()
    marks.append(("history", time.process_time()))
    for (_, before), (name, after) in zip(marks, marks[1:], strict=False):
        print(f"{name} {after - before:.3f}")


def main() -> None:
    """Run the floor's child process a few times and print each step's CPU and the whole process's."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", required=True, help="a COLLABSYNC_HOME with a stamped local instance")
    parser.add_argument("--instance", required=True, help="the stamped instance's name")
    parser.add_argument("--repeats", type=int, default=3, help="child processes to run (default 3)")
    args = parser.parse_args()
    print(f"{'run':>3}  " + "  ".join(f"{s:>7}" for s in STEPS) + "  process cpu s  peak MB  wall s")
    for run in range(1, args.repeats + 1):
        began = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, __file__, "--child", args.home, args.instance], stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout is not None
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - began
        if status != 0:
            sys.exit(f"the child failed ({status}):\n{out}")
        steps: dict[str, float] = {}
        for line in out.splitlines():
            name, seconds = line.split()
            steps[name] = steps.get(name, 0.0) + float(seconds)
        cpu = usage.ru_utime + usage.ru_stime
        cells = "  ".join(f"{steps.get(s, 0.0):7.3f}" for s in STEPS)
        print(f"{run:>3}  {cells}  {cpu:13.2f}  {usage.ru_maxrss / 1024:7.0f}  {wall:6.2f}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        main()
