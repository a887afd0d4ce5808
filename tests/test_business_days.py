"""The rollup's table of business days answers exactly what the calendar answers."""

from __future__ import annotations

import datetime as dt

import pytest

from collabsync.dates import Calendar
from collabsync.report.rollup_schedule import BusinessDays, business_days_between


@pytest.mark.parametrize("calendar", [Calendar(), Calendar("US"), Calendar("DE", "BY")])
def test_table_matches_the_calendar(calendar: Calendar) -> None:
    days = BusinessDays(calendar)
    first = dt.date(2026, 12, 20)
    for step in range(0, 400, 7):  # around new year, Easter, Christmas; the table grows as the days move on
        day = first + dt.timedelta(days=step)
        for n in (-40, -9, -1, 0, 1, 2, 5, 23, 260):
            assert days.add_business_days(day, n) == calendar.add_business_days(day, n), (day, n)
        other = day + dt.timedelta(days=(step * 37) % 900 - 450)
        assert days.business_days_between(day, other) == calendar.business_days_between(day, other)
        assert business_days_between(day, other, days) == business_days_between(day, other, calendar)


def test_far_jumps_and_the_ends_of_the_calendar() -> None:
    calendar, days = Calendar("US"), BusinessDays(Calendar("US"))
    assert days.add_business_days(dt.date(2027, 9, 1), 40_000) == calendar.add_business_days(
        dt.date(2027, 9, 1), 40_000
    )
    assert days.add_business_days(dt.date(2027, 9, 1), -3) == calendar.add_business_days(dt.date(2027, 9, 1), -3)
    assert days.add_business_days(dt.date(1, 1, 3), 0) == calendar.add_business_days(dt.date(1, 1, 3), 0)
    with pytest.raises(OverflowError):
        days.add_business_days(dt.date(9999, 12, 30), 5)


@pytest.mark.parametrize("calendar", [Calendar(), Calendar("US")])
def test_numbers_count_business_days_as_the_table_grows_both_ways(calendar: Calendar) -> None:
    days = BusinessDays(calendar)
    anchor = dt.date(2030, 3, 4)
    first = days.number(anchor)
    for offset in (-5000, 3, -17, 9000, -40, 12345):  # grows below, then above, the table's first range
        day = anchor + dt.timedelta(days=offset)
        counted = calendar.business_days_between(anchor - dt.timedelta(days=1), day - dt.timedelta(days=1))
        assert days.number(day) - first == counted, offset
