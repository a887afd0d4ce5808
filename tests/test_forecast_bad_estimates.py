"""An estimate typed wrong in a tool (huge, NaN, infinite) gives a report with a warning naming the task, not a crash.

Found by bench/diffcheck.py: one open task estimated at 123,456,789 days made every `report` exit 1 with an internal
OverflowError (its projected finish passed 9999-12-31), in the code before issue 17 and after it.
"""

from __future__ import annotations

import datetime as dt
import math
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from collabsync.cli import main
from collabsync.dates import Calendar
from collabsync.model import Status, Task
from collabsync.report.business_days import BusinessDays
from collabsync.report.render import render
from collabsync.report.rollup import build_report
from collabsync.report.rollup_forecast import MOST_WORK

TODAY = dt.date(2027, 1, 4)  # a Monday


def task(ref: str, estimate: float | None, after: str | None = None) -> Task:
    return Task(
        ref=ref,
        title=f"Task {ref}",
        status=Status.TODO,
        department="ops",
        provider="local",
        estimate=estimate,
        depends_on=[after] if after else [],
    )


def test_a_huge_estimate_counts_most_work_and_is_named() -> None:
    report = build_report([task("1", 123_456_789.0), task("2", 2.0, after="1")], today=TODAY, instance="x")
    days = BusinessDays(Calendar())
    finish = days.add_business_days(TODAY, MOST_WORK - 1)  # today is the first of its MOST_WORK business days
    assert report.tasks[0].projected_finish == finish
    assert report.tasks[1].projected_finish == days.add_business_days(finish, 2)  # the two days after it
    assert report.warnings == [
        "local:1 (Task 1): an estimate of 123,456,789 days cannot be projected (more than 26,000 business days,"
        " about 100 years): the forecast counts 26,000; check the estimate in the tool"
    ]
    for fmt in ("json", "md", "html", "csv"):
        assert "Task 1" in render(report, fmt)


def test_most_work_itself_is_no_typo() -> None:
    report = build_report([task("1", float(MOST_WORK))], today=TODAY, instance="x")
    assert report.warnings == []


@pytest.mark.parametrize("estimate", [math.nan, math.inf])
def test_nan_and_inf_weigh_one_and_are_named(estimate: float) -> None:
    report = build_report([task("1", estimate), task("2", None)], today=TODAY, instance="x")
    assert [line.weight for line in report.tasks] == [1.0, 1.0]
    assert report.overall.weight_total == 2.0
    assert len(report.warnings) == 1 and report.warnings[0].startswith("local:1 (Task 1): an estimate of ")
    for fmt in ("json", "md", "html", "csv"):
        render(report, fmt)


def test_a_chain_past_the_calendar_ends_on_its_last_business_day() -> None:
    # 81 tasks of 26,000 business days each: about 8,100 years of work after 2027
    tasks = [task("0", float(MOST_WORK))] + [task(str(i), float(MOST_WORK), after=str(i - 1)) for i in range(1, 81)]
    report = build_report(tasks, today=TODAY, instance="x")
    last = dt.date(9999, 12, 31)  # a Friday, no holiday without a country
    assert report.tasks[-1].projected_finish == last
    assert report.overall.schedule.projected_finish == last
    assert any(w.startswith("local:80 (Task 80): projected past 9999-12-31") for w in report.warnings)
    for fmt in ("json", "md", "html", "csv"):
        render(report, fmt)


def test_report_command_warns_instead_of_failing(isolated_home: Path) -> None:
    run = CliRunner().invoke
    stamp = ["stamp", "product-launch", "--name", "nova", "--var", "product=Nova", "--var", "launch=2027-06-01"]
    assert run(main, [*stamp, "--yes"]).exit_code == 0
    with sqlite3.connect(isolated_home / "local.sqlite") as db:  # typed in the tool, by hand
        db.execute("UPDATE tasks SET estimate = 123456789 WHERE id = (SELECT min(id) FROM tasks)")
    result = run(main, ["report", "nova", "--format", "md", "--out", "out", "--today", "2027-01-04"])
    assert result.exit_code == 0, result.output
    text = Path("out/nova.md").read_text(encoding="utf-8")
    assert "an estimate of 123,456,789 days cannot be projected" in text
