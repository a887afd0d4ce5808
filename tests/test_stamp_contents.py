"""Stamping leaves exactly the rows it left before its fast paths: the shipped templates and a generated one."""

from __future__ import annotations

import json
from pathlib import Path

from stamp_contents import CASES, contents, stamp_case

GOLDEN = Path(__file__).parent / "data" / "stamp_contents.json"


def test_stamped_rows_are_the_expected_ones(isolated_home: Path, tmp_path: Path) -> None:
    for name in CASES:
        stamp_case(name, tmp_path)
    want = json.loads(GOLDEN.read_text("utf-8"))
    got = contents(isolated_home)
    for table in want:
        assert got[table] == want[table], table
    assert set(got) == set(want)


def test_a_second_run_writes_nothing(isolated_home: Path, tmp_path: Path) -> None:
    stamp_case("generated", tmp_path)
    before = contents(isolated_home)
    stamp_case("generated", tmp_path)
    assert contents(isolated_home) == before
