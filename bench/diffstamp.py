#!/usr/bin/env python
"""Differential run of stamping: issue 17's rewrite (YAML from parser events, compiled schema check, texts and dates
rendered once, batched local writes, grouped ledger rows, one precheck) against the code before it.

Per seed, generated templates: valid ones (variables of every type with defaults, jinja2 filters and conditionals,
plain `{{ name }}` fields, calendar/business-day/week offsets of one or two anchors, US/DE holidays with
subdivisions, recurring tasks, milestones, roles, sections, dependencies), the same written with the YAML the fast
path must hand to the reference loader (anchors, merge keys, tags, flow style, block scalars, quoted keys, BOM,
CRLF, comments, non-ASCII, long lines), and invalid ones (a missing key, a bad date, an unknown variable, a cycle,
a duplicate key, wrong types, YAML syntax errors, an unknown department, bad --var values). For each, both CLIs
run `templates validate`, `templates show`, `stamp --plan` (table, json), `stamp --yes`, `status --format json`
and a second `stamp --yes`, each side in a fresh COLLABSYNC_HOME; exit codes, stdout, stderr and every row of
local.sqlite and ledger.sqlite (tests/stamp_contents.py's queries) are compared, the run's clock and home masked.

    python bench/diffstamp.py --old-python /tmp/diffcheck-oldvenv/bin/python --seeds 1-20 --workdir /tmp/ds
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from diffcheck import CLOCK, Compare, _seeds
from diffstamp_gen import cases

from stamp_contents import _QUERIES

HERE = Path(__file__).resolve().parent


def dump(home: Path) -> str:
    """Every row a stamp writes (tests/stamp_contents.py's queries), as JSON lines."""
    parts = []
    for filename, queries in _QUERIES.items():
        if not (home / filename).exists():
            parts.append(f"{filename}: missing")
            continue
        with sqlite3.connect(home / filename) as db:
            for table, sql in queries.items():
                try:
                    rows = [list(r) for r in db.execute(sql)]
                except sqlite3.OperationalError as exc:
                    rows = [[f"error: {exc}"]]
                parts += [f"{table}: {json.dumps(r, ensure_ascii=False, sort_keys=True)}" for r in rows]
    return "\n".join(parts) + "\n"


#: Faults the local tool raises from a trigger, so a stamp stops part-way and is resumed once the trigger is dropped.
FAULTS = {
    "task": "CREATE TRIGGER fault BEFORE INSERT ON tasks WHEN NEW.title GLOB '* 12' "
    "BEGIN SELECT RAISE(ABORT, 'tool refused the task'); END",
    "link": "CREATE TRIGGER fault BEFORE INSERT ON dependencies WHEN (SELECT count(*) FROM dependencies) >= 5 "
    "BEGIN SELECT RAISE(ABORT, 'tool refused the link'); END",
}
_SCHEMA_CODE = "import sqlite3, sys; from collabsync.providers.local_plumbing import _SCHEMA as S; "
_SCHEMA_CODE += "db = sqlite3.connect(sys.argv[1]); db.executescript(S); db.execute(sys.argv[2]); db.commit()"


def run_case(
    root: Path, label: str, data: bytes, options: list[str], pythons: dict[str, str], cmp: Compare, fault: str = ""
) -> None:
    """Both sides, each in a fresh home, through every command; everything compared. With a fault, the first stamp
    stops part-way (a trigger in the tool) and the second resumes it once the trigger is gone."""
    case = root / label
    shutil.rmtree(case, ignore_errors=True)
    case.mkdir(parents=True)
    name = label.split("-", 1)[0] if not label.startswith("shipped-") else label[len("shipped-") :]
    rel = f"{label}/{name}.yaml"
    (case / f"{name}.yaml").write_bytes(data)
    inst = ["--name", "inst", *options]
    steps: list[tuple[str, list[str]]] = [
        ("validate", ["templates", "validate", rel]),
        ("show", ["templates", "show", rel]),
        ("plan", ["stamp", rel, *inst, "--plan"]),
        ("plan-json", ["stamp", rel, *inst, "--plan", "--format", "json"]),
        ("stamp", ["stamp", rel, *inst, "--yes"]),
        ("status", ["status", "inst", "--format", "json", "--today", "2027-06-01"]),
        ("stamp-again", ["stamp", rel, *inst, "--yes"]),
    ]

    def side(which: str) -> list[str]:
        home = case / which
        home.mkdir()
        (home / "collabsync.toml").write_text('[defaults]\nprovider = "local"\n', encoding="utf-8")
        env = {**os.environ, "COLLABSYNC_HOME": str(home), "NO_COLOR": "1", "COLUMNS": "200"}
        env.pop("COLLABSYNC_CONFIG", None)
        got = []
        for step, args in steps:
            cmd = [pythons[which], "-m", "collabsync", "--config", str(home / "collabsync.toml"), *args]
            p = subprocess.run(cmd, env=env, cwd=root, capture_output=True, text=True, timeout=600)
            got += [str(p.returncode), mask(p.stdout, home), mask(p.stderr, home)]
            if step == "plan-json" and fault:  # each side's own schema, with the trigger
                subprocess.run(
                    [pythons[which], "-c", _SCHEMA_CODE, str(home / "local.sqlite"), FAULTS[fault]], check=True
                )
            if step == "stamp":
                got.append(dump(home))
                if fault:
                    with sqlite3.connect(home / "local.sqlite") as db:
                        db.execute("DROP TRIGGER fault")
        got.append(dump(home))
        return got

    with ThreadPoolExecutor(2) as pool:
        old, new = pool.map(side, ("old", "new"))
    names = [f"{s}:{part}" for s, _ in steps for part in ("exit", "stdout", "stderr")]
    names.insert(names.index("stamp:stderr") + 1, "stamp:rows")
    names.append("final:rows")
    for what, o, n in zip(names, old, new, strict=True):
        cmp.check(f"{what.split(':')[0]}:{label}:{what.split(':')[1]}", o, n)
    if not fault:  # on each side, the second stamp (and status) left every row as the first stamp did
        at = names.index("stamp:rows")
        for which, got in (("old", old), ("new", new)):
            if got[names.index("stamp:exit")] == "0":
                cmp.check(f"again-{which}:{label}:rows", got[at], got[-1])


def mask(text: str, home: Path) -> str:
    """The text without the run's clock and home path."""
    return CLOCK.sub("<time>", text.replace(str(home), "<home>"))


def main(argv: list[str] | None = None) -> int:
    """Run every seed; exit 1 when any output differs."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--old-python", default="/tmp/diffcheck-oldvenv/bin/python", help="interpreter of the old side")
    p.add_argument("--seeds", default="1-10", help="seeds, e.g. 1-5,9 (default 1-10); 5 templates each")
    p.add_argument("--tasks", type=int, default=25, help="tasks per generated template (default 25)")
    p.add_argument("--workdir", type=Path, help="keep homes and diffs here (default: a temporary folder)")
    p.add_argument("--faults", action="store_true", help="only: valid templates whose stamp the tool stops part-way")
    args = p.parse_args(argv)
    root = args.workdir or Path(tempfile.mkdtemp(prefix="diffstamp-"))
    root.mkdir(parents=True, exist_ok=True)
    pythons = {"old": args.old_python, "new": sys.executable}
    cmp = Compare(root / "diffs")
    from stamp_contents import CASES

    shipped = [  # the shipped templates once, as tests/test_stamp_contents.py stamps them
        (f"shipped-{t}", (HERE.parent / "templates" / f"{t}.yaml").read_bytes(), CASES[t])
        for t in CASES
        if t != "generated"
    ]
    for seed in _seeds(args.seeds) if args.faults else ():
        label, data, options = cases(seed, args.tasks)[0]
        for fault in FAULTS:
            run_case(root, f"{label}-fault{fault}", data, options, pythons, cmp, fault)
            print(f"{label}-fault{fault}: compared", flush=True)
    for seed in _seeds(args.seeds) if not args.faults else ():
        for label, data, options in [*cases(seed, args.tasks), *shipped]:
            shipped = []
            before = cmp.compared
            run_case(root, label, data, options, pythons, cmp)
            made = dump(root / label / "new").count("\ntasks: ") + dump(root / label / "new").startswith("tasks: ")
            print(f"{label}: {cmp.compared - before} outputs compared, {made} tasks stamped", flush=True)
    print(f"{cmp.compared} outputs compared, {sum(cmp.differ.values())} differ: {dict(cmp.differ)}; in {root}")
    return 1 if cmp.differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
