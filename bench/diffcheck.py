#!/usr/bin/env python
"""Differential run of two collabsync versions (issue 17's rewrites against the code before them).

For each seed, bench/diffcheck_gen.py writes a template and a config of two local tools; one side stamps it,
changes are made in the tools, and the home is copied for each side. Both CLIs then run the same commands one
process at a time, on days before the start, mid-way, on a weekend, on a holiday and after the end: `status`
(json and md, cold then warm), `tasks` with each filter, `report --format html,md,json,csv --out DIR` (stored in
history), the same for a second instance that tracks the stamp's containers, with a second round of changes in
the tools half-way (so later reports diff and trend); then `report --all`, `history` and `diff`. Exit codes,
stdout, stderr and every report file are compared after masking the run's own clock. Differences are written
under WORKDIR/diffs and counted at the end; docs/benchmarks.md ("diffcheck") lists what the instances hold.

    python bench/diffcheck.py --old-python /tmp/diffcheck-oldvenv/bin/python --seeds 1-8 --tasks 40,300

The old side is any installed collabsync (e.g. `git worktree add --detach /tmp/diffcheck-old 85b9498` with
its own venv); it runs in WORKDIR so the worktree's package never shadows it. `--saas` also runs stamped and tracked
instances on the loopback emulators (bench/diffcheck_saas.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import diffcheck_gen as gen

#: The run's own clock and what is made from it (the report's generated time, history snapshot times and ids).
CLOCK = re.compile(
    r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?|\d{4}-\d\d-\d\d \d\d:\d\d(?::\d\d)?(?: UTC)?"
)


class Side:
    """One collabsync version: its interpreter and its copy of the home."""

    def __init__(self, name: str, python: str, home: Path, workdir: Path) -> None:
        self.name, self.python, self.home, self.workdir = name, python, home, workdir

    def run(self, args: list[str]) -> tuple[int, str, str]:
        """One CLI process in WORKDIR: (exit code, stdout, stderr)."""
        env = {**os.environ, "COLLABSYNC_HOME": str(self.home), "NO_COLOR": "1", "COLUMNS": "200"}
        env.pop("COLLABSYNC_CONFIG", None)
        cmd = [self.python, "-m", "collabsync", "--config", str(self.home / "collabsync.toml"), *args]
        proc = subprocess.run(cmd, env=env, cwd=self.workdir, capture_output=True, text=True, timeout=600)
        return proc.returncode, proc.stdout, proc.stderr


def mask(text: str, home: Path) -> str:
    """The text without the run's clock and home path."""
    return CLOCK.sub("<time>", text.replace(str(home), "<home>"))


class Compare:
    """Counts and keeps the differences."""

    def __init__(self, out: Path) -> None:
        self.out, self.compared, self.differ = out, 0, Counter()  # type: ignore[var-annotated]
        out.mkdir(parents=True, exist_ok=True)

    def check(self, label: str, old: str, new: str) -> None:
        """One output of both sides; a difference is written out with its diff."""
        self.compared += 1
        if old == new:
            return
        self.differ[label.split(":", 1)[0]] += 1
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", label)
        diff = "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), "old", "new", n=2))
        (self.out / f"{safe}.diff").write_text(diff, encoding="utf-8")
        print(f"  DIFF {label}: {len(diff.splitlines())} diff lines -> {safe}.diff", flush=True)


def run_both(cmp: Compare, label: str, sides: list[Side], args: list[str], out_dir: str | None = None) -> None:
    """The same command on both sides; exit codes, streams and (for --out) each written file compared."""
    got = []
    for side in sides:
        full = [*args, "--out", str(side.home / out_dir)] if out_dir else args
        if out_dir:
            shutil.rmtree(side.home / out_dir, ignore_errors=True)
        code, out, err = side.run(full)
        got.append((code, mask(out, side.home), mask(err, side.home)))
    (oc, oo, oe), (nc, no, ne) = got
    cmp.check(f"{label}:exit", str(oc), str(nc))
    cmp.check(f"{label}:stdout", oo, no)
    cmp.check(f"{label}:stderr", oe, ne)
    if out_dir:
        names = sorted({p.name for s in sides for p in (s.home / out_dir).glob("*")})
        for name in names:
            texts = []
            for side in sides:
                f = side.home / out_dir / name
                texts.append(mask(f.read_text(encoding="utf-8"), side.home) if f.exists() else "<missing>")
            cmp.check(f"{label}:{name}", *texts)


def instance(seed: int, n: int, args: argparse.Namespace, cmp: Compare, root: Path) -> None:
    """Generate, stamp, change and compare one instance."""
    rng = random.Random(seed * 1000 + n)
    name = f"d{seed}-{n}"
    base = root / name / "base"
    base.mkdir(parents=True)
    template, departments = gen.template_text(rng, name, n)
    (root / name / f"{name}.yaml").write_text(template, encoding="utf-8")
    (base / "collabsync.toml").write_text(gen.config_text(rng, departments), encoding="utf-8")
    values = gen.anchors(rng)
    if not args.overlap_ids:
        gen.offset_ids(base)
    stamp_side = args.stamp_with if args.stamp_with != "alternate" else ("old", "new")[seed % 2]
    stamper = Side(stamp_side, args.old_python if stamp_side == "old" else sys.executable, base, root)
    variables = ["--var", "product=Nova"] + [x for k, v in values.items() for x in ("--var", f"{k}={v}")]
    if "kickoff" not in template:
        variables = variables[:4]
    must(stamper, ["stamp", str(root / name / f"{name}.yaml"), "--name", name, *variables, "--yes"])
    days = gen.days_to_check(values["launch"], rng)
    tracked = f"x{seed}-{n}"  # the stamp's containers tracked again, and hand-made work mixed into the stamped one
    side_cid = gen.side_work(base, rng, values["launch"])
    for provider, file in (("local", "local.sqlite"), ("local2", "local2.sqlite")):
        for cid, space in gen.containers(base, file):
            dept = space if space in departments else departments[0]
            must(stamper, ["track", tracked, str(cid), "--provider", provider, "--department", dept])
    must(stamper, ["track", name, str(side_cid), "--provider", "local", "--department", departments[-1]])
    by_section = ["--map-by", "section", "--map", f"Ops={departments[0]}", "--department", departments[-1]]
    must(stamper, ["track", tracked, str(side_cid), "--provider", "local", *by_section])  # Ops tasks to one department
    own = gen.containers(base, "local.sqlite")
    if seed % 3 == 0 and own:  # a stamped container tracked into its own instance too: its tasks are read twice
        must(stamper, ["track", name, str(own[0][0]), "--provider", "local", "--department", departments[0]])
    gen.change_tools(base, rng, dt.datetime.combine(days[1], dt.time(9), tzinfo=dt.UTC), 0.3)
    if stamp_side == "old":  # users upgrade with state: the new side starts from the old code's history and snapshot
        early = ["--today", (days[0] - dt.timedelta(days=30)).isoformat()]
        for inst in (name, tracked):
            must(stamper, ["status", inst, "--format", "json", *early])
            must(stamper, ["report", inst, "--format", "json", "-o", str(base / f"first-{inst}.json"), *early])
    sides = copy_sides(base, args.old_python)
    print(f"{name}: {n} tasks, stamped by {stamp_side}, departments {departments}, days {days}", flush=True)
    dept = rng.choice(departments)
    for k, day in enumerate(days):
        if k == 2:  # the second round of changes, the same in both homes
            for side in sides:
                gen.change_tools(
                    side.home, random.Random(seed), dt.datetime.combine(day, dt.time(8), tzinfo=dt.UTC), 0.2
                )
        today = ["--today", day.isoformat()]
        tag = f"{name}@{day}"
        for fmt in ("json", "md"):
            run_both(cmp, f"status-{fmt}:{tag}", sides, ["status", name, "--format", fmt, *today])
        run_both(cmp, f"status-warm:{tag}", sides, ["status", name, "--format", "json", *today])
        filters: tuple[list[str], ...] = (
            [],
            ["--overdue"],
            ["--blocked"],
            ["--department", dept],
            ["--status", "in_progress"],
            ["--assignee", "ana@x.example"],
        )
        for extra in filters:
            flag = "-".join(x.strip("-") for x in extra) or "all"
            run_both(cmp, f"tasks-{flag}:{tag}", sides, ["tasks", name, "--format", "json", *extra, *today])
        run_both(cmp, f"tasks-csv:{tag}", sides, ["tasks", name, "--format", "csv", "--overdue", *today])
        run_both(cmp, f"report:{tag}", sides, ["report", name, "--format", "html,md,json,csv", *today], "out")
        if k == 3:  # a second report the same day, as a re-run after a fix would be
            run_both(cmp, f"report-again:{tag}", sides, ["report", name, "--format", "json,md", *today], "out")
        run_both(cmp, f"tracked-status:{tag}", sides, ["status", tracked, "--format", "json", *today])
        run_both(cmp, f"tracked-tasks:{tag}", sides, ["tasks", tracked, "--format", "json", *today])
        run_both(cmp, f"tracked-report:{tag}", sides, ["report", tracked, "--format", "html,json,csv", *today], "out")
    run_both(cmp, f"report-all:{name}", sides, ["report", "--all", "--format", "html,md", "--no-save", *today], "out")
    run_both(cmp, f"history:{name}", sides, ["history", name])
    run_both(cmp, f"diff:{name}", sides, ["diff", name])
    run_both(cmp, f"report-table:{name}", sides, ["report", name, "--format", "table", "--no-save", *today])


def copy_sides(base: Path, old_python: str) -> list[Side]:
    """The old and the new side, each with its own copy of the prepared home, beside it."""
    sides = []
    for side_name, python in (("old", old_python), ("new", sys.executable)):
        shutil.copytree(base, base.parent / side_name)
        sides.append(Side(side_name, python, base.parent / side_name, base.parent.parent))
    return sides


def must(side: Side, argv: list[str]) -> None:
    """A command that makes the instance's state: it must work."""
    code, _, err = side.run(list(argv))
    if code != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({code}) on {side.name}: {err[-3000:]}")


def _seeds(text: str) -> list[int]:
    """`1-5,9` as [1, 2, 3, 4, 5, 9]."""
    out: list[int] = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        out += range(int(lo), int(hi or lo) + 1)
    return out


def main(argv: list[str] | None = None) -> int:
    """Run every seed and size; exit 1 when any output differs."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--old-python", default="/tmp/diffcheck-oldvenv/bin/python", help="interpreter of the old side")
    p.add_argument("--seeds", default="1-6", help="seeds, e.g. 1-5,9 (default 1-6; 0: none)")
    p.add_argument("--tasks", default="30,250", help="task counts per seed, comma-separated (default 30,250)")
    p.add_argument(
        "--stamp-with",
        choices=("old", "new", "alternate"),
        default="alternate",
        help="which side stamps (default: by seed)",
    )
    p.add_argument("--workdir", type=Path, help="keep homes and diffs here (default: a temporary folder)")
    p.add_argument("--overlap-ids", action="store_true", help="let both local tools number tasks from 1 (read3)")
    p.add_argument("--saas", action="store_true", help="also stamped and tracked instances on the loopback emulators")
    p.add_argument("--saas-seeds", type=int, default=2, help="instances on the emulators (default 2)")
    p.add_argument("--saas-tasks", type=int, default=40, help="tasks per instance on the emulators (default 40)")
    args = p.parse_args(argv)
    root = args.workdir or Path(tempfile.mkdtemp(prefix="diffcheck-"))
    root.mkdir(parents=True, exist_ok=True)
    for python in (args.old_python, sys.executable):  # as pip install does; PYTHONDONTWRITEBYTECODE is set here
        code = "import collabsync, compileall, pathlib; p = pathlib.Path(collabsync.__file__).parent.parent"
        code += "; compileall.compile_dir(p / 'collabsync', quiet=1); compileall.compile_dir(p / 'providers', quiet=1)"
        subprocess.run([python, "-c", code], cwd=root, check=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": ""})
    cmp = Compare(root / "diffs")
    for seed in _seeds(args.seeds) if args.seeds != "0" else ():
        for n in (int(x) for x in args.tasks.split(",")):
            before = cmp.compared
            try:
                instance(seed, n, args, cmp, root)
            except (Exception, SystemExit) as exc:  # a generator or preparation failure: say so, go on
                cmp.differ["not prepared"] += 1
                print(f"d{seed}-{n}: not prepared: {str(exc)[-500:]}", flush=True)
            print(f"d{seed}-{n}: {cmp.compared - before} outputs compared", flush=True)
    if args.saas:
        import diffcheck_saas

        diffcheck_saas.run_all(args, cmp, root, sys.modules[__name__])
    print(f"{cmp.compared} outputs compared, {sum(cmp.differ.values())} differ: {dict(cmp.differ)}; in {root}")
    return 1 if cmp.differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
