"""Where the official OpenAPI specs are: ../shared/specs beside the repository, or COLLABSYNC_SPECS."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def spec_file(*parts: str) -> Path:
    """A spec file; CI must have it (fail), elsewhere a missing file skips with where to put it."""
    root = Path(os.environ.get("COLLABSYNC_SPECS") or ROOT.parent / "shared" / "specs")
    path = root.joinpath(*parts)
    if not path.exists():
        message = f"official spec not found at {path}: put shared/specs beside the repository or set COLLABSYNC_SPECS"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path
