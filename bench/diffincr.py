"""Randomized differential: an incremental read must give exactly what a full read gives, whatever changed.

Seeds Jira Cloud, Trello and Asana containers on the loopback emulators, then for `--rounds` rounds applies
random edits (titles, statuses, due dates, assignees, links added and cut, tasks created, deleted, moved out
and back, archived cards, edits across the overlap window) through the tools' real APIs or the emulators'
seeding helpers, reads every container incrementally (`collabsync.reading.incremental.read`, the route of
`report` and the nightly run) and compares it with a full read of the same moment. A fixed seed replays.

    python bench/diffincr.py --seeds 1 2 3 --rounds 12
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from collabsync.reading.incremental import ReadState, ReadStore, prepare, read
from collabsync.testing.asana import AsanaEmulator
from collabsync.testing.jira import JiraEmulator
from collabsync.testing.trello import TrelloEmulator

sys.path.insert(0, str(Path(__file__).resolve().parent))
from diffincr_tools import asana_tool, jira_tool, trello_tool

#: the user's zone on the Jira emulator, by seed: UTC and the two zones farthest from it
ZONES = ("UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago")


@dataclass
class Difference:
    """One container whose incremental read differs from the full read, with the edits that led there."""

    seed: int
    round: int
    tool: str
    container: str
    edits: list[str]
    detail: str


def _diff(got: list[dict[str, Any]], want: list[dict[str, Any]]) -> str:
    """The first way two reads differ, in words."""
    gr, wr = [t["ref"] for t in got], [t["ref"] for t in want]
    if gr != wr:
        return f"refs differ: extra {sorted(set(gr) - set(wr))}, missing {sorted(set(wr) - set(gr))}, order {gr != wr}"
    for g, w in zip(got, want, strict=True):
        if g != w:
            keys = sorted(k for k in set(g) | set(w) if g.get(k) != w.get(k))
            return f"task {g['ref']}: " + "; ".join(f"{k}: {g.get(k)!r} != {w.get(k)!r}" for k in keys)
    return ""


# -- Jira ------------------------------------------------------------------------------------------
@contextmanager
def emulators(skew: dt.timedelta, zone: str) -> Iterator[tuple[JiraEmulator, TrelloEmulator, AsanaEmulator]]:
    """The three loopback emulators, without rate limits (the differential is about results); Jira's clock
    runs `skew` off this machine's, in the user's `zone`."""
    with ExitStack() as stack:
        jira = stack.enter_context(JiraEmulator(time_zone=zone, clock=lambda: dt.datetime.now(dt.UTC) + skew))
        trello = stack.enter_context(TrelloEmulator(rate_limits=[]))
        asana_emu = stack.enter_context(AsanaEmulator())
        yield jira, trello, asana_emu


def run_seed(
    seed: int,
    rounds: int,
    edits_per_round: int = 3,
    tools: tuple[str, ...] = ("jira", "trello", "asana"),
    open_cases: bool = False,
    skew_minutes: float = 0.0,
) -> tuple[int, list[Difference]]:
    """One seed's rounds; returns the comparisons made and the differences found.

    The tools' clocks stamp edits `skew_minutes` off this machine's clock; Jira's user zone follows the seed.
    """
    rng = random.Random(seed)
    found: list[Difference] = []
    compared = 0
    skew = dt.timedelta(minutes=skew_minutes)
    zone = ZONES[seed % len(ZONES)]
    with emulators(skew, zone) as (jira, trello, asana_emu), tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        built = {
            "jira": lambda: jira_tool(jira, home, rng, open_cases),
            "trello": lambda: trello_tool(trello, home, rng),
            "asana": lambda: asana_tool(asana_emu, home, rng, open_cases),
        }
        chosen = [built[t]() for t in tools]
        store = ReadStore(home / "reads.sqlite")
        log: dict[str, list[str]] = {t.name: [] for t in chosen}

        def compare(rnd: int) -> None:
            nonlocal compared
            for tool in chosen:
                p = tool.make()
                prepare(p, tool.name, tool.containers, store)
                for c in tool.containers:
                    got = [t.to_dict() for t in read(p, tool.name, c, store)]
                    want = [t.to_dict() for t in tool.make(incremental=False).read_tasks(c)]
                    compared += 1
                    if got != want:
                        found.append(Difference(seed, rnd, tool.name, c.ref, list(log[tool.name]), _diff(got, want)))
                        # start over from the truth (the feed's position kept) so one cause is reported once
                        stored = store.load(tool.name, c.ref)
                        truth = tool.make(incremental=False).read_tasks(c)
                        cursor = stored.cursor if stored else None
                        store.save(tool.name, c.ref, ReadState(dt.datetime.now(dt.UTC), 0, truth, cursor))
                        log[tool.name].clear()

        compare(0)  # the first read is full and stored
        for rnd in range(1, rounds + 1):
            for tool in chosen:
                for _ in range(rng.randint(1, edits_per_round)):
                    moment = dt.datetime.now(dt.UTC) + skew
                    trello.state.clock, asana_emu.now = (moment.timestamp(), moment) if skew else (None, None)
                    log[tool.name].append(f"r{rnd}: " + rng.choice(tool.edits)(rng))
            trello.state.clock, asana_emu.now = None, None
            compare(rnd)
        store.close()
    return compared, found


def main(argv: list[str] | None = None) -> int:
    """Run the seeds, print every difference with the edits since the last agreeing read."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3], help="random seeds (each replays)")
    parser.add_argument("--rounds", type=int, default=12, help="edit-and-compare rounds per seed")
    parser.add_argument("--edits", type=int, default=3, help="at most this many edits per tool per round")
    parser.add_argument("--tools", nargs="+", default=["jira", "trello", "asana"], choices=["jira", "trello", "asana"])
    parser.add_argument(
        "--open", action="store_true", help="also the edits of the open findings (cross-container, one end seen)"
    )
    parser.add_argument(
        "--skew", type=float, default=0.0, help="minutes the tools' clocks run off this machine's (negative: behind)"
    )
    args = parser.parse_args(argv)
    total, differences = 0, []
    for seed in args.seeds:
        compared, found = run_seed(seed, args.rounds, args.edits, tuple(args.tools), args.open, args.skew)
        total += compared
        differences += found
        print(f"seed {seed}: {compared} comparisons, {len(found)} differences", flush=True)
    for d in differences:
        print(f"\nseed {d.seed} round {d.round} {d.tool} {d.container}: {d.detail}")
        for e in d.edits:
            print(f"    {e}")
    print(f"\n{total} comparisons, {len(differences)} differences")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
