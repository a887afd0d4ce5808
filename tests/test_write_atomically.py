"""Report files are written in slices: the file holds exactly the text, whatever its size or characters."""

from __future__ import annotations

from pathlib import Path

import pytest

from collabsync.report import nightly


@pytest.mark.parametrize("size", [0, 1, 5, 6, 7, 13])
def test_sliced_write_keeps_every_character(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    monkeypatch.setattr(nightly, "_SLICE", 3)  # slices end inside multi-byte characters and CRLFs
    text = ("é€\r\n😀a" * 3)[:size]
    target = tmp_path / "out" / "report.json"
    nightly.write_atomically(target, text)
    assert target.read_bytes() == text.encode("utf-8")
    assert [p.name for p in target.parent.iterdir()] == ["report.json"]  # no temporary file left


def test_write_replaces_the_old_report(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("old")
    nightly.write_atomically(target, "new " * 300_000)  # more than one real slice
    assert target.read_text() == "new " * 300_000
    assert target.stat().st_mode & 0o777 == 0o600
