"""How much a preflight costs: requests per tool and wall time of `doctor` for product-launch.

Runs the three emulators in-process on loopback with a simulated per-request latency, applies the
locked-down presets, and prints the median of a few doctor runs. Usage:
    python bench/doctor.py [--latency-ms 50] [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from collabsync.config import load_config
from collabsync.runtime import Workspace
from collabsync.stamping.doctor import check
from collabsync.templating.template import find_template
from collabsync.testing.presets import seed_preset
from collabsync.testing.stack import running_stack


def main() -> None:
    """Print one line per latency: median seconds, requests per tool, findings by severity."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, nargs="*", default=[0.0, 50.0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    spec = find_template("product-launch", []).render("nova", {"product": "Nova", "launch": "2027-03-01"})
    for latency in args.latency_ms:
        with tempfile.TemporaryDirectory() as tmp, running_stack(latency_ms=latency) as stack:
            os.environ["COLLABSYNC_HOME"] = tmp
            seed_preset(stack.jira, "locked-down-jira")
            config = stack.write_config(Path(tmp) / "collabsync.toml")
            times, counts = [], {}
            for _ in range(args.repeats):
                for emu in (stack.jira, stack.trello, stack.asana):
                    emu.reset_log()
                with Workspace(load_config(str(config)), Path(tmp)) as ws:
                    started = time.perf_counter()
                    report = check(spec, ws)
                    times.append(time.perf_counter() - started)
                counts = {e.name: len(e.requests) for e in (stack.jira, stack.trello, stack.asana)}
            severities = {
                s: sum(f.severity.value == s for f in report.findings) for s in ("blocking", "degrade", "info")
            }
            print(
                f"latency {latency:g} ms: doctor median {statistics.median(times):.3f} s over {args.repeats} runs; "
                f"requests {counts}; findings {severities}"
            )


if __name__ == "__main__":
    main()
