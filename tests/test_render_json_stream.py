"""The JSON report written chunk by chunk is the text json.dumps made of it (odd text included)."""

from __future__ import annotations

import datetime as dt
import json

from collabsync.model import Status, Task
from collabsync.report.render.jsonout import _needs_cleaning, render_json
from collabsync.report.rollup import build_report
from collabsync.safetext import clean_tree


def test_render_json_is_what_json_dumps_made() -> None:
    odd = ["Plan", "A & B <i>", 'say "hi"', "bidi\u202eevil", "nul\x00l", "cr\r\nlf", "\x1b[31mred", "é ✓", "\\u0041"]
    tasks = [
        Task(
            str(i),
            odd[i % len(odd)],
            (Status.TODO, Status.DONE, Status.BLOCKED, Status.IN_PROGRESS)[i % 4],
            department=("a", "b\u200f")[i % 2],
            assignee=odd[(i + 3) % len(odd)] if i % 3 else None,
            due=dt.date(2027, 1, 4) + dt.timedelta(days=i),
            estimate=(None, 0.5, 2.0)[i % 3],
            depends_on=[str(i - 1)] if i else [],
            provider="jira",
        )
        for i in range(40)
    ]
    report = build_report(tasks, today=dt.date(2027, 1, 25), instance="nova", generated_at=dt.datetime(2027, 1, 1))
    text = render_json(report)
    assert text == json.dumps(clean_tree(report.to_dict()), indent=2, ensure_ascii=False) + "\n"
    assert "\u202e" not in text and "\\u0000" not in text and '"title": "null"' in text  # cleaned first


def test_a_report_with_nothing_to_clean_is_not_copied() -> None:
    tasks = [Task(str(i), f'Step {i} "q" é\tx\ny ✓', Status.TODO, department="it", provider="jira") for i in range(12)]
    report = build_report(tasks, today=dt.date(2027, 1, 25), instance="nova", generated_at=dt.datetime(2027, 1, 1))
    data = report.to_dict()
    text = render_json(report)
    assert not _needs_cleaning(text)  # quotes, TAB, LF and non-ASCII need no cleaning: written once
    assert text == json.dumps(clean_tree(data), indent=2, ensure_ascii=False) + "\n"


def test_every_kind_of_unsafe_text_is_cleaned() -> None:
    unsafe = [chr(c) for c in [*range(0, 9), *range(11, 32), *range(0x7F, 0xA0)]]
    unsafe += ["\u061c", "\u200e", "\u200f", *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A))]
    for ch in [*unsafe, "\r\n"]:
        for data in ({"t": [f"a{ch}b"]}, {f"k{ch}": 1}, [("x", {"y": f"{ch}"})]):
            assert _needs_cleaning(json.dumps(data, indent=2, ensure_ascii=False)), repr(ch)
        tasks = [Task("1", f"a{ch}b", Status.TODO, department=f"d{ch}", provider="jira")]
        report = build_report(tasks, today=dt.date(2027, 1, 25), instance="nova", generated_at=dt.datetime(2027, 1, 1))
        report.warnings = [f"w{ch}"]
        assert render_json(report) == json.dumps(clean_tree(report.to_dict()), indent=2, ensure_ascii=False) + "\n"
    literal = {"t": "C:\\root\\file"}  # a backslash before r: taken the long way, the same text
    assert _needs_cleaning(json.dumps(literal, indent=2, ensure_ascii=False)) and clean_tree(literal) == literal
