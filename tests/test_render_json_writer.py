"""The JSON report's own writer gives the very text json.dumps made of the cleaned report dict, awkward values too."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
from pathlib import Path

import pytest

from collabsync.model import Status, Task
from collabsync.report.render.jsonout import render_json, validate_report
from collabsync.report.rollup import build_report
from collabsync.report.rollup_model import Report, TaskLine
from collabsync.safetext import clean_tree
from report_sample import sample_report

ODD = ["Plan", 'say "hi"', "back\\slash", "é ✓ 漢字 😀", "tab\tnew\nline", "", " ", "\\u0041", "/</script>", "%s %%"]
UNSAFE = ["bidi\u202eevil", "nul\x00l", "cr\r\nlf", "\x1b[31mred", "del\x7f", "C:\\root\\file", "lrm\u200e"]


class Colour(enum.StrEnum):
    """A str enum: json writes its plain value."""

    RED = "red"


class Level(enum.IntEnum):
    """An int enum: json writes its number."""

    HIGH = 3


def _old(report: Report) -> str:
    """What render_json wrote before its own writer."""
    return json.dumps(clean_tree(report.to_dict()), indent=2, ensure_ascii=False) + "\n"


def _report(texts: list[str]) -> Report:
    """A generated report whose task titles, people and departments come from texts."""
    tasks = [
        Task(
            str(i),
            texts[i % len(texts)],
            (Status.TODO, Status.DONE, Status.BLOCKED, Status.IN_PROGRESS, Status.CANCELLED)[i % 5],
            department=("a", "b", texts[(i + 1) % len(texts)] or "c")[i % 3],
            assignee=texts[(i + 3) % len(texts)] if i % 3 else None,
            start=dt.date(2027, 1, 1) if i % 4 == 0 else None,
            due=dt.date(2027, 1, 4) + dt.timedelta(days=i) if i % 7 else None,
            estimate=(None, 0.5, 2.0, 1e-7, 123456789.125)[i % 5],
            depends_on=[str(j) for j in range(max(0, i - 2), i)],
            provider=("jira", "trello", "asana")[i % 3],
        )
        for i in range(60)
    ]
    return build_report(
        tasks, today=dt.date(2027, 1, 25), instance="nova", generated_at=dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    )


def _awkward(report: Report, text: str) -> Report:
    """Values a report's dicts and lines may hold that a rollup seldom makes: NaN, infinities, nesting, enums."""
    line = report.tasks[0]
    line.estimate = float("nan")
    report.tasks[1].estimate = float("inf")
    report.tasks[2].weight = float("-inf")
    report.tasks[3].waiting_on = [text, "x", ""]
    report.tasks[4].late_because = text
    odd = dataclasses.replace(report.tasks[5], status=Colour.RED, late_days=Level.HIGH)  # type: ignore[arg-type]
    report.tasks.append(odd)
    report.trends = {text: [{"a": 1, "b": [1.5, None, True, False, [], {}]}], "": [], "k": [{}]}
    report.changes = {
        "nested": {"list": [[1, [2, [3, {}]]], (4, 5)], "empty": {}, 7: "int key", None: "none key"},
        "day": dt.date(2027, 1, 2),
        "when": dt.datetime(2027, 1, 2, 3, 4, 5, 6, tzinfo=dt.UTC),
        "big": 10**30,
        "neg": -0.0,
        text: text,
    }
    report.history = [{"id": 1, "v": 0.1 + 0.2}, {}]
    report.warnings = [text, "plain"]
    report.plan_curve = []
    return report


@pytest.mark.parametrize("text", [*ODD, *UNSAFE])
def test_the_writer_gives_json_dumps_text(text: str) -> None:
    report = _awkward(_report([*ODD, text]), text)
    written = render_json(report)
    assert written == _old(report)
    assert '"estimate": NaN' in written and '"weight": -Infinity' in written and '"status": "red"' in written


def test_a_real_report_with_history_is_the_same_text(tmp_path: Path) -> None:
    report = sample_report(tmp_path)
    text = render_json(report)
    assert text == _old(report)
    validate_report(json.loads(text))


def test_keys_that_become_equal_once_cleaned_are_one_key_as_before() -> None:
    report = _report(ODD)
    report.trends = {"a\x00": [{"x": 1}], "a": [{"y": 2}], "b\u202e": []}
    report.changes = {"k\x1b": 1, "k": 2}
    text = render_json(report)
    assert text == _old(report)
    assert '"a\\u0000"' not in text and "\u202e" not in text


def test_a_line_shared_by_several_lists_is_written_alike_at_each_depth() -> None:
    report = _report(ODD)
    assert report.critical_path and report.overdue  # the same lines under tasks, overdue and the path's steps
    shared = report.critical_path[0].task
    assert any(line is shared for line in report.tasks)
    assert render_json(report) == _old(report)


def test_what_json_cannot_write_is_still_an_error() -> None:
    report = _report(ODD)
    report.changes = {"what": object()}
    with pytest.raises(TypeError, match="not JSON serializable"):
        render_json(report)


def test_a_subclass_of_a_task_line_is_written_by_its_fields() -> None:
    @dataclasses.dataclass(slots=True)
    class Extended(TaskLine):
        """A line with one more field."""

        more: str = "more"

    report = _report(ODD)
    report.tasks.append(Extended(**{f.name: getattr(report.tasks[0], f.name) for f in dataclasses.fields(TaskLine)}))
    assert render_json(report) == _old(report)


@pytest.mark.parametrize("text", ["del\x7f", "nul\x00l", "cr\r\nlf", "\x1b[31mred", "C:\\root", "a\\b\\n", "plain", ""])
def test_an_ascii_report_is_cleaned_when_it_needs_it(text: str) -> None:
    report = _report(["Plan", 'say "hi"', text])
    written = render_json(report)
    assert written.isascii()  # the quick check of ASCII text
    assert written == _old(report)
    assert "\x7f" not in written and "\\u00" not in written and "cr\\r" not in written
