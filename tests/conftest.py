"""Every test runs with its own COLLABSYNC_HOME and working directory, so none sees another's state."""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

import pytest

#: The README's test line; an un-installed checkout is pointed at it instead of failing collection module by module.
INSTALL_COMMAND = "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test]'"


def pytest_configure(config: pytest.Config) -> None:
    """Stop at once with the install command when collabsync (or its test extra) is not installed in this Python."""
    missing = [name for name in ("collabsync.providers", "responses") if _absent(name)]
    if missing:
        raise pytest.UsageError(
            f"this checkout is not installed (editable, with the test extra) in this Python "
            f"({', '.join(missing)} not importable); run: {INSTALL_COMMAND}"
        )


def _absent(module: str) -> bool:
    """Whether a module cannot be found (a missing parent package counts as absent)."""
    try:
        return importlib.util.find_spec(module) is None
    except ModuleNotFoundError:
        return True


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh collabsync home and cwd per test; no config or 'today' leaks in from the environment."""
    home = tmp_path / "home"
    home.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("COLLABSYNC_HOME", str(home))
    monkeypatch.delenv("COLLABSYNC_CONFIG", raising=False)
    monkeypatch.delenv("COLLABSYNC_TODAY", raising=False)
    monkeypatch.chdir(work)
    return home


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config) -> None:
    """Say why tests skipped and how to run them, even under -q (the specs and Chromium are optional here, never in CI)."""
    skipped = terminalreporter.stats.get("skipped", [])
    if not skipped:
        return
    reasons: Counter[str] = Counter()
    for report in skipped:
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
        reasons[reason.removeprefix("Skipped: ")] += 1
    terminalreporter.write_sep("-", f"{len(skipped)} skipped, and how to run them")
    for reason, count in reasons.most_common():
        terminalreporter.write_line(f"{count:>4} × {reason}")
