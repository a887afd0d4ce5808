"""Every test runs with its own COLLABSYNC_HOME and working directory, so none sees another's state."""

from __future__ import annotations

from pathlib import Path

import pytest


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
