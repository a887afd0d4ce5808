"""A checkout whose package is not installed stops with the install command, not a collection traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_uninstalled_checkout_names_the_install_command() -> None:
    # -S skips site-packages' .pth files, so the editable install's finder is gone while pytest stays importable:
    # `collabsync` resolves to the bare checkout, which has no `collabsync.providers`, as before `pip install -e`.
    env = {**os.environ, "PYTHONPATH": sysconfig.get_paths()["purelib"]}
    done = subprocess.run(
        [sys.executable, "-S", "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_docs.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 4, done.stdout + done.stderr  # pytest's usage-error exit code
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    expected = (
        "ERROR: this checkout is not installed (editable, with the test extra) in this Python "
        "(collabsync.providers not importable); run: python3 -m venv .venv && . .venv/bin/activate "
        "&& pip install -e '.[test]'"
    )
    assert lines == [expected], lines
    assert "Traceback" not in done.stdout + done.stderr
