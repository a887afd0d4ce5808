"""Speed work must not change a report: the shipped templates' reports render the same bytes as before it."""

from __future__ import annotations

import json
from pathlib import Path

from report_golden import digests, reports

GOLDEN = Path(__file__).parent / "data" / "report-golden.json"


def test_reports_are_byte_identical_to_the_recorded_ones(tmp_path: Path) -> None:
    texts = reports(tmp_path / "history")
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    found = digests(texts)
    assert sorted(found) == sorted(expected)
    changed = [name for name in expected if found[name] != expected[name]]
    for name in changed:  # kept for a look: `diff` them against the old code's output
        (tmp_path / name).write_text(texts[name], encoding="utf-8")
    assert not changed, f"reports differ from the recorded ones (written to {tmp_path}): {changed}"
