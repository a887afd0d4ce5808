"""What finding people costs: user-lookup requests and wall time of the people findings, cold and cached.

Seeds N people in Jira and Asana (Trello shows only its own member's e-mail), one task per person per tool,
then times `people_findings` with an empty cache and again with the cache filled. Usage:
    python bench/people.py [--people 40] [--latency-ms 0 50]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from collabsync.config import load_config
from collabsync.model import ProjectSpec, TaskSpec
from collabsync.runtime import Workspace
from collabsync.stamping.people import people_findings
from collabsync.testing.stack import running_stack


def run(people: int, latency_ms: float) -> str:
    """One line: cold and cached seconds, lookups per tool."""
    with tempfile.TemporaryDirectory() as tmp, running_stack(latency_ms=latency_ms) as stack:
        home = Path(tmp)
        os.environ["COLLABSYNC_HOME"] = str(home)
        emails = [f"p{i}@acme.example" for i in range(people)]
        for i, email in enumerate(emails):
            stack.jira.add_user(f"Person {i}", email)
            stack.asana.add_user(f"Person {i}", email)
        config = home / "collabsync.toml"
        stack.write_config(config, {"engineering": "jira", "marketing": "asana"})
        tasks = tuple(
            TaskSpec(f"{d}-{i}", "t", d, assignee=e) for d in ("engineering", "marketing") for i, e in enumerate(emails)
        )
        spec = ProjectSpec("bench", "bench", "Bench", "", ("engineering", "marketing"), (), tasks)
        times = []
        for _ in range(2):
            before = (stack.jira.count("GET", "/user/search"), stack.asana.count("GET", "acme.example"))
            with Workspace(load_config(config), home) as ws:
                start = time.perf_counter()
                found = people_findings(spec, ws)
                times.append(time.perf_counter() - start)
            after = (stack.jira.count("GET", "/user/search"), stack.asana.count("GET", "acme.example"))
            times.append(after[0] - before[0])
            times.append(after[1] - before[1])
        assert not found
        return (
            f"people={people} latency={latency_ms:g}ms cold={times[0]:.3f}s (jira {times[1]} asana {times[2]}"
            f" lookups) cached={times[3]:.3f}s (jira {times[4]} asana {times[5]} lookups)"
        )


def main() -> None:
    """Print one line per latency."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--people", type=int, default=40)
    parser.add_argument("--latency-ms", type=float, nargs="*", default=[0.0, 50.0])
    args = parser.parse_args()
    for latency in args.latency_ms:
        print(run(args.people, latency))


if __name__ == "__main__":
    main()
