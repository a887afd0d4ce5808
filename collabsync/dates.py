"""Date expressions of templates: `ANCHOR`, `ANCHOR + N UNIT`, `ANCHOR - N UNIT` (d, bd, w)."""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when a calendar country is first consulted, not at CLI start (issue 17)
    import holidays

__all__ = [
    "DateExpr",
    "parse_date_expr",
    "add_business_days",
    "Calendar",
    "DATE_EXPR_RE",
    "MAX_OFFSET",
    "validate_zone",
]

#: Longest offset a date expression may carry, per unit (ten years): keeps business-day walks short
#: and every date inside what Python's calendar can hold.
MAX_OFFSET = {"d": 3660, "bd": 2610, "w": 523}
DATE_EXPR_RE = re.compile(r"^\s*(?P<anchor>[a-z_][a-z0-9_]*)\s*(?:(?P<sign>[+-])\s*(?P<n>\d+)\s*(?P<unit>bd|d|w))?\s*$")


@dataclass(frozen=True)
class DateExpr:
    """A parsed date expression, resolved later against the variables."""

    anchor: str
    offset: int
    unit: str

    def resolve(self, anchors: Mapping[str, dt.date], calendar: Calendar) -> dt.date:
        """The concrete date for these anchor values; ValueError when it falls past the calendar's ends."""
        base = anchors[self.anchor]
        try:
            if self.unit == "bd":
                return calendar.add_business_days(base, self.offset)
            return base + dt.timedelta(days=self.offset * (7 if self.unit == "w" else 1))
        except OverflowError:
            sign = "+" if self.offset >= 0 else "-"
            raise ValueError(
                f"date '{self.anchor} {sign} {abs(self.offset)}{self.unit}' falls outside the calendar "
                "(after 9999-12-31 or before 0001-01-01); check the offset and the variable's value"
            ) from None


def parse_date_expr(text: str) -> DateExpr:
    """Parse an expression; ValueError with what a valid one looks like."""
    return _parse_cached(text) if isinstance(text, str) else _parse(text)


@lru_cache(maxsize=4096)
def _parse_cached(text: str) -> DateExpr:
    """Once per distinct text: a large template repeats a few hundred expressions."""
    return _parse(text)


def _parse(text: str) -> DateExpr:
    m = DATE_EXPR_RE.match(str(text))
    if not m:
        raise ValueError(
            f"bad date expression {text!r}: write ANCHOR, ANCHOR + N UNIT or ANCHOR - N UNIT "
            "with UNIT d (days), bd (business days) or w (weeks), e.g. 'launch - 10bd'"
        )
    n = int(m.group("n") or 0)
    unit = m.group("unit") or "d"
    if n > MAX_OFFSET[unit]:
        raise ValueError(
            f"date offset {m.group('n')}{unit} in {text!r} is too far: at most {MAX_OFFSET[unit]}{unit} "
            "(ten years); check the number"
        )
    if m.group("sign") == "-":
        n = -n
    return DateExpr(m.group("anchor"), n, unit)


@lru_cache(maxsize=32)
def _holiday_table(country: str | None, subdiv: str | None) -> holidays.HolidayBase | None:
    """One lazily-filled holiday table per country (the package computes years on demand)."""
    if not country:
        return None
    import holidays

    return holidays.country_holidays(country, subdiv=subdiv)


@lru_cache(maxsize=8192)
def _add_business_days(calendar: Calendar, start: dt.date, n: int) -> dt.date:
    """Calendar.add_business_days, once per (calendar, day, offset): a template's dates share a few anchors."""
    return calendar._add_business_days(start, n)


@dataclass(frozen=True)
class Calendar:
    """Which days count as business days: weekdays minus the country's public holidays."""

    country: str | None = None
    subdivision: str | None = None

    def is_business_day(self, day: dt.date) -> bool:
        """Weekends and public holidays are not."""
        if day.weekday() >= 5:
            return False
        table = _holiday_table(self.country, self.subdivision)
        return table is None or day not in table

    def add_business_days(self, start: dt.date, n: int) -> dt.date:
        """Move n business days from start; 0 rolls a non-business day forward to the next one."""
        return _add_business_days(self, start, n)

    def _add_business_days(self, start: dt.date, n: int) -> dt.date:
        day = start
        if n == 0:
            while not self.is_business_day(day):
                day += dt.timedelta(days=1)
            return day
        # Count weekdays arithmetically, then widen by the holidays inside until the count holds (the least
        # fixpoint: each pass only adds days, so the result is the n-th business day, never a holiday).
        extra = 0
        while True:
            if n > 0:
                day = _weekday_at(_weekdays_to(start) + n + extra)
                found = self._holidays_within(start + dt.timedelta(days=1), day)
            else:
                day = _weekday_at(_weekdays_to(start - dt.timedelta(days=1)) + n - extra + 1)
                found = self._holidays_within(day, start - dt.timedelta(days=1))
            if found == extra:
                return day
            extra = found

    def business_days_between(self, start: dt.date, end: dt.date) -> int:
        """Business days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.business_days_between(end, start)
        if end == start:
            return 0
        return _weekdays_to(end) - _weekdays_to(start) - self._holidays_within(start + dt.timedelta(days=1), end)

    def _holidays_within(self, first: dt.date, last: dt.date) -> int:
        """Public holidays on weekdays in [first, last]."""
        if not self.country or last < first:
            return 0
        total = 0
        for year in range(first.year, last.year + 1):
            days = _weekday_holidays(self.country, self.subdivision, year)
            total += bisect.bisect_right(days, last) - bisect.bisect_left(days, first)
        return total


def _weekdays_to(day: dt.date) -> int:
    """Monday-to-Friday days from 0001-01-01 (a Monday) to day, inclusive."""
    weeks, rest = divmod(day.toordinal() - 1, 7)
    return 5 * weeks + min(rest + 1, 5)


def _weekday_at(count: int) -> dt.date:
    """The weekday whose _weekdays_to is count; OverflowError past the calendar's ends."""
    weeks, rest = divmod(count - 1, 5)
    ordinal = 7 * weeks + rest + 1
    if not 1 <= ordinal <= dt.date.max.toordinal():
        raise OverflowError("date out of range")
    return dt.date.fromordinal(ordinal)


@lru_cache(maxsize=512)
def _weekday_holidays(country: str, subdiv: str | None, year: int) -> tuple[dt.date, ...]:
    """One year's public holidays that fall on weekdays, sorted (weekend holidays change no count)."""
    table = _holiday_table(country, subdiv)
    if table is None or not 1 <= year <= 9999:
        return ()
    table.get(dt.date(year, 1, 1))  # fills the year on demand
    return tuple(sorted(d for d in table if d.year == year and d.weekday() < 5))


def add_business_days(start: dt.date, n: int, country: str | None = None) -> dt.date:
    """Convenience wrapper over Calendar for one-off use."""
    return Calendar(country).add_business_days(start, n)


def validate_country(country: str, subdivision: str | None = None) -> str | None:
    """None when the holidays package knows the country (and subdivision), else what to write instead."""
    import holidays

    try:
        table = holidays.country_holidays(country)
    except NotImplementedError:
        return f"unknown calendar country {country!r}: use an ISO 3166 code such as US, GB, DE, FR"
    if subdivision is not None and subdivision not in table.subdivisions:
        known = ", ".join(table.subdivisions[:12]) + (", ..." if len(table.subdivisions) > 12 else "")
        return f"unknown calendar subdivision {subdivision!r} of {country}: " + (
            f"use one of {known}" if known else f"{country} has no subdivisions; remove it"
        )
    return None


def validate_zone(name: str) -> str | None:
    """None when name is an IANA time zone, else the nearest valid names (a typo must not become UTC)."""
    import difflib
    import zoneinfo

    if name.upper() == "UTC":
        return None
    try:
        zoneinfo.ZoneInfo(name)
        return None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        pass
    near = difflib.get_close_matches(name, sorted(zoneinfo.available_timezones()), n=3, cutoff=0.6)
    hint = f"did you mean {', '.join(near)}?" if near else "use an IANA name such as Europe/Berlin or America/New_York"
    return f"unknown time zone {name!r}: {hint}"
