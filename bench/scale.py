#!/usr/bin/env python
"""The 100k case of issue 17: stamp N tasks on `local`, then `status` and the HTML report, each as a CLI process.

Run ``python bench/scale.py`` (``--help`` for sizes). For each size it writes a generated template of N
tasks (7 departments, 5 sections, business-day dates from one anchor, every task depending on the one
before it in its department, a title with a variable in every third task), stamps it on the local
provider with ``collabsync stamp --yes``, then runs ``collabsync status`` and ``collabsync report --format
html``. It then tracks the containers the stamp made into a second instance (``collabsync track``,
one process per container, reported together as ``track``) and runs ``status`` and the HTML report on that
tracked instance too (local keeps one container per instance and space, so the tracked instance has
one department). Each step is its own process; its wall time is spawn to exit, its CPU seconds and
peak RSS come from ``resource.getrusage`` of that child alone (``os.wait4``: user+system time and
``ru_maxrss``). Modules are byte-compiled first, as ``pip install`` does (this VM sets
PYTHONDONTWRITEBYTECODE, which would otherwise compile every module in every process).
"""

from __future__ import annotations

import argparse
import compileall
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

DEPARTMENTS = ("sales", "marketing", "engineering", "finance", "it", "hr", "support")
SECTIONS = ("plan", "build", "prepare", "launch", "follow-up")


def template_text(n: int) -> str:
    """A valid template of n tasks, written the way people write them (dates count back from launch)."""
    lines = [
        f"template: scale-{n}",
        'title: "{{ product }} at scale"',
        "variables:",
        "  product: {type: string, description: Product name}",
        "  launch: {type: date, description: Launch day}",
        "calendar: {country: US}",
        f"departments: [{', '.join(DEPARTMENTS)}]",
        "sections:",
    ]
    lines += [f"  - {{key: {s}, title: {s.title()}}}" for s in SECTIONS]
    lines.append("tasks:")
    for i in range(n):
        dept = DEPARTMENTS[i % len(DEPARTMENTS)]
        back = 400 - (i * 390 // n)
        title = f"Step {i} for {{{{ product }}}}" if i % 3 == 0 else f"Step {i}"
        lines += [
            f"  - key: t{i}",
            f'    title: "{title}"',
            f"    department: {dept}",
            f"    section: {SECTIONS[i * len(SECTIONS) // n]}",
            f"    start: launch - {back + 5}bd",
            f"    due: launch - {back}bd",
            f"    estimate: {1 + i % 5}",
        ]
        if i >= len(DEPARTMENTS):
            lines.append(f"    depends_on: [t{i - len(DEPARTMENTS)}]")
    return "\n".join(lines) + "\n"


def run(args: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, float, str]:
    """One CLI process: (wall s spawn to exit, CPU s, peak RSS MB of this process, stdout)."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, "-m", "collabsync", *args], env=env, cwd=cwd, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode != 0:
        raise SystemExit(f"collabsync {' '.join(args)} failed ({proc.returncode}):\n{stderr[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, stdout


def measure(n: int, workdir: Path) -> list[tuple[str, float, float, float]]:
    """Stamp, status and HTML report of one size; one row per step."""
    home = workdir / f"home-{n}"
    home.mkdir()
    (workdir / f"scale-{n}.yaml").write_text(template_text(n), encoding="utf-8")
    env = {**os.environ, "COLLABSYNC_HOME": str(home)}
    (home / "collabsync.toml").write_text('[defaults]\nprovider = "local"\n[providers.local]\ntype = "local"\n')
    rows = []
    steps = {
        "stamp": [
            "stamp",
            str(workdir / f"scale-{n}.yaml"),
            "--name",
            f"s{n}",
            "--var",
            "product=Nova",
            "--var",
            "launch=2028-06-01",
            "--yes",
        ],
        "status": ["status", f"s{n}", "--today", "2027-09-01"],
        "report-html": [
            "report",
            f"s{n}",
            "--format",
            "html",
            "--output",
            str(workdir / f"r{n}.html"),
            "--today",
            "2027-09-01",
        ],
    }
    for name, args in steps.items():
        wall, cpu, rss, _ = run(args, env, workdir)
        rows.append((name, wall, cpu, rss))
    with sqlite3.connect(home / "local.sqlite") as db:
        containers = db.execute("SELECT id, name FROM containers ORDER BY id").fetchall()
    walls, cpus, peak = 0.0, 0.0, 0.0
    for i, (cid, _) in enumerate(containers):  # local keeps one container per instance and space
        wall, cpu, rss, _ = run(
            ["track", f"t{n}", str(cid), "--department", DEPARTMENTS[i % len(DEPARTMENTS)]], env, workdir
        )
        walls, cpus, peak = walls + wall, cpus + cpu, max(peak, rss)
    rows.append(("track", walls, cpus, peak))
    for name, args in {
        "tracked-status": ["status", f"t{n}", "--today", "2027-09-01"],
        "tracked-html": [
            "report",
            f"t{n}",
            "--format",
            "html",
            "--output",
            str(workdir / f"t{n}.html"),
            "--today",
            "2027-09-01",
        ],
    }.items():
        wall, cpu, rss, _ = run(args, env, workdir)
        rows.append((name, wall, cpu, rss))
    return rows


def main(argv: list[str] | None = None) -> None:
    """Print one row per size and step."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated task counts")
    parser.add_argument("--keep", type=Path, help="an empty folder to keep the homes in (bench/floor.py reads one)")
    opts = parser.parse_args(argv)
    import collabsync
    import collabsync.providers

    for package in (collabsync, collabsync.providers):
        compileall.compile_dir(Path(package.__file__).parent, quiet=1)
    if opts.keep is not None:
        opts.keep.mkdir(parents=True, exist_ok=True)
    folder = tempfile.TemporaryDirectory(prefix="collabsync-scale-") if opts.keep is None else nullcontext(opts.keep)
    with folder as tmp:
        print(f"load average at start: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
        print(f"{'tasks':>7}  {'step':<14} {'wall s':>7} {'cpu s':>7} {'peak MB':>8}")
        for n in (int(s) for s in opts.sizes.split(",")):
            for name, wall, cpu, rss in measure(n, Path(tmp)):
                print(f"{n:>7}  {name:<14} {wall:>7.2f} {cpu:>7.2f} {rss:>8.0f}", flush=True)


if __name__ == "__main__":
    main()
