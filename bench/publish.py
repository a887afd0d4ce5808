"""What publishing costs: requests per tool and wall time of `collabsync publish` for product-launch.

Runs the three emulators in-process on loopback with a simulated per-request latency, stamps
product-launch once, then publishes the same day twice (add, then edit) and once more after every
reply was "lost" (find by marker, then edit). Usage:
    python bench/publish.py [--latency-ms 0 50]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from click.testing import CliRunner

from collabsync.cli import main as cli_main
from collabsync.ledger import Ledger
from collabsync.testing.stack import running_stack

DAY = "2026-12-16"


def _cli(*args: str) -> None:
    result = CliRunner().invoke(cli_main, list(args))
    if result.exit_code != 0:
        raise SystemExit(result.output)


def main() -> None:
    """One line per latency and pass: seconds and requests per tool (reads + writes)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, nargs="*", default=[0.0, 50.0])
    args = parser.parse_args()
    for latency in args.latency_ms:
        with tempfile.TemporaryDirectory() as tmp, running_stack(latency_ms=latency) as stack:
            os.environ["COLLABSYNC_HOME"] = str(Path(tmp) / "home")
            os.chdir(tmp)
            stack.write_config(Path("collabsync.toml"))
            _cli(
                "stamp",
                "product-launch",
                "--name",
                "nova",
                "--var",
                "product=Nova",
                "--var",
                "launch=2027-03-01",
                "--yes",
            )
            for label in ("add", "edit", "lost replies"):
                if label == "lost replies":
                    with Ledger(Path(tmp) / "home" / "ledger.sqlite") as ledger:
                        ledger.db.execute("UPDATE publications SET state = 'pending', ref = NULL")
                for emu in (stack.jira, stack.trello, stack.asana):
                    emu.reset_log()
                start = time.perf_counter()
                _cli("publish", "nova", "--yes", "--today", DAY)
                took = time.perf_counter() - start
                counts = ", ".join(
                    f"{name} {emu.count()}"
                    for name, emu in (("jira", stack.jira), ("trello", stack.trello), ("asana", stack.asana))
                )
                print(
                    f"latency {latency:g} ms, {label:<12}: {took:.2f} s, requests {counts} "
                    "(7 departments; 4 on local; the report's fresh read included)"
                )


if __name__ == "__main__":
    main()
