"""A fresh clone's `pytest -q` says why tests skipped and how to run them (the hook in tests/conftest.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def test_quiet_run_lists_each_skip_reason_with_its_count(tmp_path: Path) -> None:
    shutil.copy(Path(__file__).with_name("conftest.py"), tmp_path / "conftest.py")
    (tmp_path / "test_some.py").write_text(
        "import pytest\n\n"
        "@pytest.mark.parametrize('n', [1, 2])\n"
        "def test_browser(n):\n    pytest.skip('chromium not installed: apt-get install -y chromium')\n\n"
        "def test_ok():\n    assert True\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 skipped, and how to run them" in done.stdout
    assert "   2 × chromium not installed: apt-get install -y chromium" in done.stdout
