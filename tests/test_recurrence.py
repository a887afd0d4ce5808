"""Recurring template tasks and milestones: rendered as separate dated tasks, bad rules rejected up front."""

from __future__ import annotations

import datetime as dt

import pytest

from collabsync.dates import Calendar
from collabsync.errors import TemplateError
from collabsync.templating.recurrence import Recurrence, parse_repeat
from collabsync.templating.template import parse_template

HEAD = """\
template: t
title: T
variables:
  start: {type: date}
calendar: {country: US}
departments: [sales, marketing]
tasks:
  - key: kickoff
    title: Kickoff
    department: sales
    start: start
    due: start
"""


def render(extra: str, start: str = "2027-01-04") -> list:
    return list(parse_template(HEAD + extra, "t.yaml").render("i", {"start": start}).tasks)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("weekly", Recurrence(1, "w")),
        ("monthly", Recurrence(1, "m")),
        ("every 5 business days", Recurrence(5, "bd")),
        ("every 1 business day", Recurrence(1, "bd")),
        ("every 2 weeks", Recurrence(2, "w")),
        ("every 3 months", Recurrence(3, "m")),
    ],
)
def test_parse_repeat(text: str, rule: Recurrence) -> None:
    assert parse_repeat(text) == rule


@pytest.mark.parametrize("text", ["daily", "every 0 weeks", "every business day", "fortnightly"])
def test_parse_repeat_rejects_with_what_to_write(text: str) -> None:
    with pytest.raises(ValueError, match="write weekly, monthly, 'every N business days'"):
        parse_repeat(text)


def test_monthly_meeting_count_three_lands_on_business_days() -> None:
    tasks = render("""\
  - key: sync
    title: Joint sales and marketing meeting
    department: marketing
    start: start + 10bd
    due: start + 10bd
    repeat: monthly
    count: 3
    depends_on: [kickoff]
  - key: wrap
    title: Wrap up
    department: sales
    due: start + 70bd
    depends_on: [sync]
""")
    sync = [t for t in tasks if t.key.startswith("sync")]
    # start + 10bd = Tue 19 Jan 2027 (MLK day, Mon 18th, is a US holiday); a month on: Fri 19 Feb,
    # then Fri 19 Mar.
    assert [(t.key, t.due) for t in sync] == [
        ("sync-1", dt.date(2027, 1, 19)),
        ("sync-2", dt.date(2027, 2, 19)),
        ("sync-3", dt.date(2027, 3, 19)),
    ]
    assert sync[0].title == "Joint sales and marketing meeting (2027-01-19)"
    assert all(t.depends_on == ("kickoff",) and t.department == "marketing" for t in sync)
    assert next(t for t in tasks if t.key == "wrap").depends_on == ("sync-3",)  # waits for the last one


def test_until_bounds_a_weekly_series_and_weekends_roll_forward() -> None:
    tasks = render("""\
  - key: standup
    title: Launch sync
    department: sales
    start: start + 5d
    due: start + 5d
    repeat: weekly
    until: start + 21d
""")
    # start + 5d is Saturday 9 Jan: every occurrence rolls to the Monday after.
    assert [t.due for t in tasks if t.key.startswith("standup")] == [
        dt.date(2027, 1, 11),
        dt.date(2027, 1, 19),
        dt.date(2027, 1, 25),
    ]  # 18th is MLK day


def test_business_day_series_and_milestone() -> None:
    tasks = render("""\
  - key: check
    title: Check-in
    department: sales
    due: start + 1bd
    repeat: every 5 business days
    count: 2
  - key: live
    title: Go live
    department: sales
    due: start + 15bd
    milestone: true
""")
    assert [t.due for t in tasks if t.key.startswith("check-")] == [dt.date(2027, 1, 5), dt.date(2027, 1, 12)]
    assert [t.key for t in tasks if t.milestone] == ["live"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("    repeat: monthly\n", "needs exactly one of count: N or until: DATE"),
        ("    repeat: monthly\n    count: 2\n    until: start + 20d\n", "needs exactly one of count: N or until: DATE"),
        ("    count: 2\n", "count needs repeat"),
        ("    repeat: hourly\n    count: 2\n", "repeat 'hourly' is not understood"),
        ("    repeat: weekly\n    until: stop + 2w\n", "until anchor 'stop' is not a declared date variable"),
        ("    repeat: weekly\n    count: 0\n", "count: 0 is less than the minimum of 1"),
    ],
)
def test_bad_rules_are_rejected_with_file_line_and_fix(extra: str, message: str) -> None:
    with pytest.raises(TemplateError) as err:
        parse_template(HEAD + extra, "t.yaml")
    problems = err.value.problems
    assert any(message in p.message and p.file == "t.yaml" and p.line and p.line >= 8 for p in problems), problems


def test_until_before_the_first_occurrence_or_too_many_is_an_error() -> None:
    template = parse_template(HEAD + "    repeat: weekly\n    until: start - 1d\n", "t.yaml")
    with pytest.raises(TemplateError, match="until 2027-01-03 is before its first occurrence 2027-01-04"):
        template.render("i", {"start": "2027-01-04"})
    template = parse_template(HEAD + "    repeat: every 1 business day\n    count: 500\n", "t.yaml")
    with pytest.raises(TemplateError, match="repeats more than 60 times"):
        template.render("i", {"start": "2027-01-04"})


def test_month_end_is_clamped() -> None:
    monthly = Recurrence(1, "m")
    assert monthly.shift(dt.date(2027, 1, 31), 1, Calendar()) == dt.date(2027, 3, 1)  # Feb 28 is a Sunday
    assert monthly.shift(dt.date(2027, 1, 31), 2, Calendar()) == dt.date(2027, 3, 31)
    assert monthly.shift(dt.date(2027, 11, 30), 3, Calendar()) == dt.date(2028, 2, 29)  # leap year, a Tuesday
