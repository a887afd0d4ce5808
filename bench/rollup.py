#!/usr/bin/env python
"""What the rollup costs on tracked sources (issue #8): requests against the API's floor, time against latency.

Run ``python bench/rollup.py`` (about half a minute; ``--help`` for options). It seeds the three emulators
with a fixed data set (Jira: one project of 3,000 issues; Trello: 5 boards x 200 cards in 4 lists;
Asana: 5 projects x 400 tasks; statuses, assignees, due dates and some dependencies mixed), tracks them
all in one instance through the library (collabsync.reading.track.track), then times `status` the way the CLI
runs it (query.collect + reporting.status_summary) with 0 ms and 50 ms of emulator latency, cold (no
cache) and warm (cache on, second run). Requests are counted from the emulators' request logs.

It then runs `collabsync status` as a user does, one CLI process per run (issue 17): cold (`--fresh`),
warm (answered from the snapshot of the last read) and any incremental mode the CLI offers, each
timed spawn to exit with its own CPU seconds (os.wait4: walls mislead on a loaded machine), the time
to first request (the emulators' arrival stamp of the first request minus the process's spawn) and the
requests per tool against the floor; then `collabsync --help`. It byte-compiles the package first, as
bench/scale.py does (this VM sets PYTHONDONTWRITEBYTECODE). `--installed` runs the same CLI rows a second time
through the `collabsync` console script of a non-editable install of this tree (what the README's `pip install .`
gives a user: no editable import hook, no `python -m`), made once per run in a venv that takes its dependencies
from this environment. `--tools jira,trello` tracks only those tools (the data set of issue 17's cold target). `--scale 100000` adds the 100k case of
bench/scale.py (stamp, status and HTML report on local: CPU s and peak RSS).

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
import compileall
import datetime as dt
import gc
import json
import math
import multiprocessing
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from collabsync.config import load_config
from collabsync.model import Container
from collabsync.providers.jira import TRACKED_FIELDS
from collabsync.reading.query import collect, resolve_instance
from collabsync.reading.track import track
from collabsync.report.reporting import status_summary
from collabsync.runtime import Workspace
from collabsync.testing.stack import Stack, running_stack

JIRA_ISSUES = 3000
TRELLO_BOARDS, TRELLO_CARDS = 5, 200
ASANA_PROJECTS, ASANA_TASKS = 5, 400
JIRA_PAGE, TRELLO_PAGE, ASANA_PAGE = 100, 1000, 100
INSTANCE = "bench"
CACHE_TTL = 3600
TOOLS = ("jira", "trello", "asana")
JIRA_STATUSES = ("To Do", "In Progress", "Done", "Blocked", "On Hold", "Cancelled")


def seed(stack: Stack, tool: str) -> list[tuple[str, str, str]]:
    """One tool's part of the fixed data set; returns (provider, source, department) per source to track."""
    if tool == "trello":
        return [("trello", b["url"], "sales") for b in stack.trello.seed_bulk(TRELLO_BOARDS, TRELLO_CARDS, seed=8)]
    if tool == "asana":
        return [
            ("asana", f"https://app.asana.com/0/{gid}/list", "marketing")
            for gid in stack.asana.seed_bulk(ASANA_PROJECTS, ASANA_TASKS, seed=8)
        ]
    rng = random.Random(8)
    today = dt.date.today()
    people = [stack.jira.add_user(n) for n in ("Ada Lovelace", "Grace Hopper", "Alan Turing", "Edsger Dijkstra")]
    keys = []
    for i in range(JIRA_ISSUES):
        due = today + dt.timedelta(days=rng.randint(-20, 40)) if rng.random() < 0.8 else None
        keys.append(
            stack.jira.add_issue(
                stack.jira_project,
                f"Issue {i}",
                status=rng.choices(JIRA_STATUSES, weights=(35, 25, 25, 8, 4, 3))[0],
                assignee=rng.choice([*people, None]),
                due=due,
                labels=[rng.choice(("web", "api", "infra"))],
                components=[rng.choice(("Frontend", "Backend"))] if rng.random() < 0.7 else [],
            )
        )
    for i in range(0, JIRA_ISSUES - 1, 10):  # every tenth issue blocks the next
        stack.jira.link_issues(keys[i], keys[i + 1])
    return [("jira", stack.jira_project, "engineering")]


def floors() -> dict[str, int]:
    """The fewest requests each API allows for the data set (see the module docstring)."""
    every = {
        "jira": math.ceil(JIRA_ISSUES / JIRA_PAGE),
        "trello": TRELLO_BOARDS * max(1, math.ceil(TRELLO_CARDS / TRELLO_PAGE)),
        "asana": ASANA_PROJECTS * max(1, math.ceil(ASANA_TASKS / ASANA_PAGE)),
    }
    return {tool: every[tool] for tool in TOOLS}


def run_status(config_path: Path, home: Path, *, use_cache: bool) -> tuple[float, dict[str, float], dict[str, Any]]:
    """One `status`: total seconds, seconds until each tool's last read returned, the summary."""
    finished: dict[str, float] = {}
    gc.collect()  # start each run from a clean heap, as a fresh CLI process would,
    gc.freeze()  # and exempt what is loaded from later GC passes, as the CLI's main() does
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


class Emulators:
    """The seeded emulators, one child process per tool (default) or all in this one (--in-process).

    Real tools run on other machines: in child processes the emulators compete neither with the
    client nor with each other for one interpreter's GIL; in-process numbers show that contention.
    """

    def __init__(self, in_process: bool) -> None:
        self.in_process = in_process
        self._stack: Any = None
        self._local: Stack | None = None
        self._children: dict[str, tuple[Any, Any]] = {}  # tool -> (connection, process)

    def __enter__(self) -> tuple[Emulators, str, list[tuple[str, str, str]]]:
        if self.in_process:
            self._stack = running_stack(jira_page_cap=JIRA_PAGE)
            self._local = self._stack.__enter__()
            sources = [s for tool in TOOLS for s in seed(self._local, tool)]
            return self, self._local.providers_toml(cache_ttl=CACHE_TTL), sources
        ctx = multiprocessing.get_context("spawn")
        for tool in TOOLS:
            conn, child_end = ctx.Pipe()
            process = ctx.Process(target=_serve, args=(tool, child_end), daemon=True)
            process.start()
            self._children[tool] = (conn, process)
        settings: dict[str, Any] = {}
        sources = []
        for tool, (conn, _) in self._children.items():
            settings[tool], seeded = conn.recv()
            sources += seeded
        return self, _toml(settings), sources

    def __exit__(self, *exc: object) -> None:
        if self._stack is not None:
            self._stack.__exit__(None, None, None)
        for conn, process in self._children.values():
            conn.send(("stop", None))
            conn.recv()
            process.join(timeout=10)

    def command(self, name: str, arg: Any = None) -> dict[str, Any]:
        """latency (ms), reset (the request logs) or counts (requests since the reset): per tool."""
        if self._local is not None:
            return {tool: _command(getattr(self._local, tool), name, arg) for tool in TOOLS}
        for conn, _ in self._children.values():
            conn.send((name, arg))
        return {tool: conn.recv() for tool, (conn, _) in self._children.items()}


def _command(emulator: Any, name: str, arg: Any) -> Any:
    if name == "latency":
        emulator.faults.latency_ms = arg
    elif name == "reset":
        emulator.reset_log()
    elif name == "counts":
        return emulator.count()
    elif name == "first":  # wall-clock arrival of the first request since the reset
        return min((r.at for r in emulator.requests), default=None)
    return None


def _serve(tool: str, conn: Any) -> None:
    """Child process: seed one tool's emulator, send its settings and sources, answer commands until stop."""
    with running_stack(jira_page_cap=JIRA_PAGE) as stack:
        sources = seed(stack, tool)
        settings = tomllib.loads(stack.providers_toml())["providers"][tool]
        conn.send((settings, sources))
        emulator = getattr(stack, tool)
        while True:
            name, arg = conn.recv()
            if name == "stop":
                conn.send(None)
                return
            conn.send(_command(emulator, name, arg))


def _toml(providers: dict[str, dict[str, Any]]) -> str:
    """A collabsync.toml with these provider tables (plain strings and numbers only) and the cache TTL."""
    lines = []
    for name, table in providers.items():
        lines.append(f"[providers.{name}]")
        for key, value in table.items():
            if key in ("token", "api_token", "api_key"):  # as users write them: from the environment
                os.environ[f"BENCH_{name}_{key}".upper()] = value
                value = "${" + f"BENCH_{name}_{key}".upper() + "}"
            lines.append(f"{key} = {json.dumps(value)}")
        lines.append("")
    return "\n".join([*lines, "[cache]", f"ttl = {CACHE_TTL}", ""])


def bare_chain(config: Path, jira: Container) -> float:
    """Seconds a plain requests loop takes to walk the tracked Jira query's pages (same fields, no mapping)."""
    settings = {
        k: os.path.expandvars(v) if isinstance(v, str) else v
        for k, v in tomllib.loads(config.read_text())["providers"]["jira"].items()
    }
    ids = jira.extra.get("fields") or {}
    fields = ",".join(
        [*TRACKED_FIELDS, *(i for i in (ids.get("story_points"), ids.get("flagged"), ids.get("start")) if i)]
    )
    started = time.perf_counter()
    with requests.Session() as session:
        session.auth = (settings["email"], settings["api_token"])
        token = None
        while True:
            params = {"jql": f"{jira.extra['jql']} ORDER BY key ASC", "fields": fields, "maxResults": JIRA_PAGE}
            if token:
                params["nextPageToken"] = token
            page = session.get(f"{settings['url']}/rest/api/2/search/jql", params=params, timeout=30).json()
            token = page.get("nextPageToken")
            if page.get("isLast", token is None) or not token:
                return time.perf_counter() - started


def median_run(
    emus: Any, config: Path, home: Path, repeats: int, *, use_cache: bool
) -> tuple[float, dict[str, float], dict[str, int], dict[str, Any]]:
    """Run `status` `repeats` times from a reset request log; the run with the median wall time."""
    runs = []
    for _ in range(repeats):
        emus.command("reset")
        total, per_tool, summary = run_status(config, home, use_cache=use_cache)
        runs.append((total, per_tool, emus.command("counts"), summary))
    runs.sort(key=lambda r: r[0])
    return runs[len(runs) // 2]


def measure(
    emus: Emulators, config: Path, home: Path, latency: float, repeats: int, jira: Container
) -> list[dict[str, Any]]:
    """Cold (no cache; median of `repeats`) and warm (cache filled by one run, then timed) rows."""
    emus.command("latency", latency)
    bare = sorted(bare_chain(config, jira) for _ in range(repeats))[repeats // 2]
    rows = []
    total, per_tool, counts, summary = median_run(emus, config, home, repeats, use_cache=False)
    rows.append(
        {
            "latency": latency,
            "mode": "cold",
            "total": total,
            "per_tool": per_tool,
            "requests": counts,
            "tasks": summary["overall"]["total"],
            "bare": bare,
        }
    )
    # A fresh home per latency: its own cache files (and so its own in-process Asana client) to fill.
    home = home.parent / f"home-{latency:g}ms"
    shutil.copytree(home.parent / "home", home)
    emus.command("reset")
    run_status(config, home, use_cache=True)  # fills the cache
    filled = emus.command("counts")
    total, per_tool, counts, summary = median_run(emus, config, home, repeats, use_cache=True)
    rows.append(
        {
            "latency": latency,
            "mode": "warm",
            "total": total,
            "per_tool": per_tool,
            "requests": counts,
            "filled": filled,
            "tasks": summary["overall"]["total"],
        }
    )
    return rows


def print_table(rows: list[dict[str, Any]], floor: dict[str, int]) -> None:
    """Per tool: requests, floor, ratio, wall time; overall: wall time against the chain bound."""
    print(f"{'latency':>7}  {'mode':<4}  {'tool':<7} {'requests':>8} {'floor':>5} {'ratio':>6} {'wall s':>7}  note")
    for row in rows:
        ms = row["latency"]
        for name in TOOLS:
            made = row["requests"][name]
            filled = row["filled"][name] if row["mode"] == "warm" else None
            note = (
                ""
                if filled is None
                else (f"cache filled by {filled} requests" if filled else "answered from the snapshot of the last read")
            )
            ratio = f"{made / floor[name]:.2f}" if row["mode"] == "cold" else "-"
            print(
                f"{ms:>5.0f}ms  {row['mode']:<4}  {name:<7} {made:>8} {floor[name]:>5} {ratio:>6} "
                f"{row['per_tool'].get(name, 0.0):>7.3f}  {note}"
            )
        bound = floor["jira"] * ms / 1000
        versus = ""
        if row["mode"] == "cold":
            versus = f"; {row['total'] / row['bare']:.2f}x a bare walk of Jira's pages ({row['bare']:.2f} s)"
            if bound:
                versus = f"; {row['total'] / bound:.2f}x the chain bound {bound:.2f} s" + versus
        print(
            f"{ms:>5.0f}ms  {row['mode']:<4}  {'overall':<7} {sum(row['requests'].values()):>8} "
            f"{sum(floor.values()):>5} {'':>6} {row['total']:>7.3f}  {row['tasks']} tasks{versus}"
        )


def cli_modes() -> list[tuple[str, list[str]]]:
    """The ways `collabsync status` can run, as this CLI offers them: cold, warm and any incremental flag."""
    help_text = subprocess.run(
        [sys.executable, "-m", "collabsync", "status", "--help"], capture_output=True, text=True, check=True
    ).stdout
    modes = [("cold", ["--fresh"]), ("warm", [])]
    if "--incremental" in help_text:
        modes.append(("incremental-unchanged", ["--incremental"]))
    return modes


#: How the CLI rows start collabsync: this environment's `python -m collabsync` unless --installed adds another.
EDITABLE = [sys.executable, "-m", "collabsync"]


def cli_run(config: Path, home: Path, args: list[str], command: list[str] = EDITABLE) -> tuple[float, float, float]:
    """One `collabsync status` process: (wall s spawn to exit, wall-clock spawn time, its CPU s)."""
    return _spawn(["--config", str(config), "status", INSTANCE, "--format", "json", *args], home, command)


def _spawn(args: list[str], home: Path, command: list[str] = EDITABLE) -> tuple[float, float, float]:
    """One `collabsync ARGS` process: (wall s spawn to exit, wall-clock spawn time, its user+system CPU s)."""
    env = {**os.environ, "COLLABSYNC_HOME": str(home)}
    spawned = time.time()
    t0 = time.perf_counter()
    proc = subprocess.Popen([*command, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, proc.args, stderr=err)
    return wall, spawned, usage.ru_utime + usage.ru_stime


def measure_cli(
    emus: Emulators, config: Path, home: Path, latency: float, repeats: int, command: list[str] = EDITABLE
) -> list[dict[str, Any]]:
    """What a user feels: each mode as its own CLI process, spawn to exit, and its first request's delay."""
    emus.command("latency", latency)
    label = "" if command is EDITABLE else " (installed)"
    home = home.parent / f"home-cli-{latency:g}ms{'-installed' if label else ''}"
    shutil.copytree(home.parent / "home", home)
    rows = []
    for mode, args in cli_modes():
        walls, cpus, firsts, counts = [], [], [], {}
        for _ in range(repeats):
            if mode == "warm":
                cli_run(config, home, ["--fresh"], command)  # the last read a warm run answers from
            emus.command("reset")
            wall, spawned, cpu = cli_run(config, home, args, command)
            counts = emus.command("counts")
            arrivals = [t for t in emus.command("first").values() if t is not None]
            walls.append(wall)
            cpus.append(cpu)
            firsts.append(min(arrivals) - spawned if arrivals else None)
        known = sorted(f for f in firsts if f is not None)
        rows.append(
            {
                "latency": latency,
                "mode": mode + label,
                "wall": sorted(walls)[repeats // 2],
                "cpu": sorted(cpus)[repeats // 2],
                "first": known[len(known) // 2] if known else None,
                "requests": counts,
            }
        )
    helps = sorted(_spawn(["--help"], home, command)[::2] for _ in range(repeats))  # (wall, cpu), median by wall
    wall, cpu = helps[repeats // 2]
    rows.append({"latency": latency, "mode": "--help" + label, "wall": wall, "cpu": cpu, "first": None, "requests": {}})
    return rows


def print_cli_table(rows: list[dict[str, Any]], floor: dict[str, int]) -> None:
    """Per CLI mode: spawn-to-exit wall, time to first request, requests per tool against the floor."""
    print(f"\n{'latency':>7}  {'CLI process':<22} {'wall s':>7} {'cpu s':>6} {'1st req s':>9}  requests (floor)")
    for row in rows:
        first = f"{row['first']:>9.3f}" if row["first"] is not None else f"{'-':>9}"
        made = ", ".join(f"{t} {row['requests'][t]} ({floor[t]})" for t in TOOLS if t in row["requests"])
        print(f"{row['latency']:>5.0f}ms  {row['mode']:<22} {row['wall']:>7.3f} {row['cpu']:>6.3f} {first}  {made}")


def main(argv: list[str] | None = None) -> int:
    global TOOLS  # --tools narrows the data set
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, nargs="+", default=[0.0, 50.0], help="emulator latencies in ms")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per mode (the median is shown)")
    parser.add_argument(
        "--scale",
        default="",
        metavar="N[,N...]",
        help="also stamp N tasks on local and time status and the HTML report (bench/scale.py)",
    )
    parser.add_argument("--tools", default=",".join(TOOLS), help="the tools to seed and track (default: %(default)s)")
    parser.add_argument(
        "--installed",
        action="store_true",
        help="also time the CLI rows through the console script of a non-editable install of this tree",
    )
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="run the emulators in this process (they then share its GIL with the client)",
    )
    args = parser.parse_args(argv)
    TOOLS = tuple(t for t in ("jira", "trello", "asana") if t in args.tools.split(","))
    if "jira" not in TOOLS or set(args.tools.split(",")) - set(TOOLS):  # Jira's chain of pages is the bound
        parser.error(f"--tools: jira and any of trello,asana, comma-separated, not {args.tools!r}")
    import collabsync.providers

    for package in (collabsync, collabsync.providers):  # as pip install does: this VM sets PYTHONDONTWRITEBYTECODE
        compileall.compile_dir(Path(package.__file__).parent, quiet=1)
    print(f"load average at start: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    started = time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="collabsync-bench-") as tmp,
        Emulators(args.in_process) as (emus, toml, sources),
    ):
        home = Path(tmp) / "home"
        home.mkdir()
        config = Path(tmp) / "collabsync.toml"
        config.write_text(toml)
        with Workspace(load_config(config), home) as ws:
            tracked = [
                track(ws, INSTANCE, source, department=department, provider=provider)
                for provider, source, department in sources
            ]
        jira = next(container for name, container in tracked if name == "jira")
        where = "in this process" if args.in_process else "one child process per tool"
        data = {
            "jira": f"{JIRA_ISSUES} Jira issues",
            "trello": f"{TRELLO_BOARDS}x{TRELLO_CARDS} Trello cards",
            "asana": f"{ASANA_PROJECTS}x{ASANA_TASKS} Asana tasks",
        }
        print(
            f"emulators {where}: {', '.join(data[t] for t in TOOLS)}; {len(sources)} sources tracked "
            f"in {time.perf_counter() - started:.1f} s\n"
        )
        installed = None
        if args.installed:
            from installed import installed_cli  # bench/installed.py, beside this file

            installed = installed_cli(Path(tmp))
        rows, cli_rows = [], []
        for latency in args.latency:
            rows += measure(emus, config, home, latency, args.repeats, jira)
            cli_rows += measure_cli(emus, config, home, latency, args.repeats)
            if installed:
                cli_rows += measure_cli(emus, config, home, latency, args.repeats, installed)
        print_table(rows, floors())
        print_cli_table(cli_rows, floors())
    if args.scale:
        import scale  # bench/scale.py, beside this file

        scale.main(["--sizes", args.scale])
    return 0


if __name__ == "__main__":
    sys.exit(main())
