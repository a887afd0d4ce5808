"""Date arithmetic of templates: weekends, public holidays, year ends, weeks and calendar days."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from collabsync.dates import Calendar, parse_date_expr

D = dt.date


@pytest.mark.parametrize(
    "text, anchor, offset, unit",
    [
        ("launch", "launch", 0, "d"),
        ("launch - 10bd", "launch", -10, "bd"),
        ("kickoff+2w", "kickoff", 2, "w"),
        ("  start + 3 d ", "start", 3, "d"),
    ],
)
def test_parse_date_expr(text: str, anchor: str, offset: int, unit: str) -> None:
    expr = parse_date_expr(text)
    assert (expr.anchor, expr.offset, expr.unit) == (anchor, offset, unit)


@pytest.mark.parametrize("bad", ["launch - ten bd", "launch * 2d", "2027-01-01", "launch + 3 months", ""])
def test_bad_date_expr_says_what_is_valid(bad: str) -> None:
    with pytest.raises(ValueError, match="ANCHOR \\+ N UNIT"):
        parse_date_expr(bad)


def test_business_days_skip_weekends_without_a_country() -> None:
    cal = Calendar()
    # Friday 2027-01-08 + 1bd is Monday 2027-01-11; Monday - 1bd is the Friday before.
    assert cal.add_business_days(D(2027, 1, 8), 1) == D(2027, 1, 11)
    assert cal.add_business_days(D(2027, 1, 11), -1) == D(2027, 1, 8)
    assert cal.add_business_days(D(2027, 1, 4), 10) == D(2027, 1, 18)


def test_business_days_skip_us_holidays() -> None:
    us = Calendar("US")
    # Thursday 2026-11-26 is Thanksgiving: Wednesday + 1bd is Friday.
    assert us.add_business_days(D(2026, 11, 25), 1) == D(2026, 11, 27)
    # Monday 2027-07-05 is the observed Independence Day: Friday 07-02 + 1bd is Tuesday 07-06.
    assert us.add_business_days(D(2027, 7, 2), 1) == D(2027, 7, 6)
    # Without the country the holiday counts.
    assert Calendar().add_business_days(D(2026, 11, 25), 1) == D(2026, 11, 26)


def test_business_days_across_the_year_end() -> None:
    us = Calendar("US")
    # Thursday 2026-12-31 + 1bd: Friday 2027-01-01 is New Year's Day, then the weekend: Monday 01-04.
    assert us.add_business_days(D(2026, 12, 31), 1) == D(2027, 1, 4)
    # Backwards over Christmas (Friday 2026-12-25) and the weekend.
    assert us.add_business_days(D(2026, 12, 28), -1) == D(2026, 12, 24)
    gb = Calendar("GB")
    # England: 2026-12-25 Fri Christmas, 12-28 Mon Boxing Day (substitute).
    assert gb.add_business_days(D(2026, 12, 24), 1) == D(2026, 12, 29)


def test_zero_business_days_rolls_forward_to_a_business_day() -> None:
    assert Calendar().add_business_days(D(2027, 1, 9), 0) == D(2027, 1, 11)  # Saturday -> Monday
    assert Calendar().add_business_days(D(2027, 1, 6), 0) == D(2027, 1, 6)


def test_weeks_and_calendar_days_ignore_the_calendar() -> None:
    anchors = {"launch": D(2027, 3, 1)}
    us = Calendar("US")
    assert parse_date_expr("launch - 2w").resolve(anchors, us) == D(2027, 2, 15)
    assert parse_date_expr("launch + 1d").resolve(anchors, us) == D(2027, 3, 2)
    assert parse_date_expr("launch - 1d").resolve({"launch": D(2027, 1, 1)}, us) == D(2026, 12, 31)


def test_business_days_between() -> None:
    cal = Calendar("US")
    assert cal.business_days_between(D(2026, 12, 31), D(2027, 1, 4)) == 1
    assert cal.business_days_between(D(2027, 1, 4), D(2026, 12, 31)) == -1
    assert cal.business_days_between(D(2027, 1, 4), D(2027, 1, 4)) == 0


def _walk(cal: Calendar, start: dt.date, n: int) -> dt.date:
    """The day-by-day walk the arithmetic replaced: the reference it must agree with."""
    day, step = start, (1 if n >= 0 else -1)
    if n == 0:
        while not cal.is_business_day(day):
            day += dt.timedelta(days=1)
        return day
    for _ in range(abs(n)):
        day += dt.timedelta(days=step)
        while not cal.is_business_day(day):
            day += dt.timedelta(days=step)
    return day


@pytest.mark.parametrize("cal", [Calendar(), Calendar("US"), Calendar("DE", "BY")], ids=["none", "US", "DE-BY"])
def test_business_day_arithmetic_matches_the_day_by_day_walk(cal: Calendar) -> None:
    rng = random.Random(17)
    for _ in range(400):
        start = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 1500))
        n = rng.randint(-400, 400)
        end = _walk(cal, start, n)
        assert cal.add_business_days(start, n) == end
        assert cal.is_business_day(end)
        other = start + dt.timedelta(days=rng.randint(-600, 600))
        lo, hi = min(start, other), max(start, other)
        walked = sum(cal.is_business_day(lo + dt.timedelta(days=i)) for i in range(1, (hi - lo).days + 1))
        assert cal.business_days_between(start, other) == (walked if other >= start else -walked)
