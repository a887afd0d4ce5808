"""Business-day arithmetic for the rollup from a table of business days (the forecast of 100k tasks asks it
hundreds of thousands of times; the calendar's own answer costs a computation each)."""

from __future__ import annotations

import datetime as dt
from itertools import accumulate, compress

from collabsync.dates import Calendar, _weekday_holidays

__all__ = ["BusinessDays"]

_LAST = dt.date.max.toordinal()
_WEEK = [1, 1, 1, 1, 1, 0, 0]  # Monday to Sunday


class BusinessDays:
    """A calendar's business-day arithmetic from a table of business days, grown on demand: a 100k-task forecast
    asks hundreds of thousands of (day, offset) questions over a span of years; each becomes two list lookups."""

    def __init__(self, calendar: Calendar) -> None:
        self.calendar = calendar
        self._lo = self._hi = 0  # the table covers ordinals [lo, hi); empty until first asked
        self._days: list[int] = []  # ordinals of the business days in [lo, hi), ascending
        self._before: list[int] = []  # per ordinal in [lo, hi): how many of _days are before it
        self._dates: list[dt.date] = []  # _days as dates
        self._base = 0  # the business-day number of _days[0]: numbers stay put however the table grows
        self._between: dict[tuple[dt.date, dt.date], int] = {}  # answers so far: few distinct pairs among 100k tasks

    def _cover(self, first: int, last: int) -> None:
        """Make the table hold ordinals first..last, with a year's margin, at least doubling when it grows."""
        if self._lo <= first and last < self._hi:
            return
        if self._hi == 0:
            lo, hi = first - 366, last + 367
        else:
            span = self._hi - self._lo
            lo = min(first - 366, self._lo - span) if first < self._lo else self._lo
            hi = max(last + 367, self._hi + span) if last >= self._hi else self._hi
        lo, hi = max(1, lo), min(_LAST + 1, hi)
        if self._hi == 0:
            self._lo, self._hi = lo, lo  # an empty table at lo, grown below
        # only the new ordinals are looked at (a long forecast grows the table many times); the range only widens
        if lo < self._lo:
            days, before = self._piece(lo, self._lo, 0)
            self._base -= len(days)  # the old first day keeps its number
            self._before = before + list(map(len(days).__add__, self._before))
            self._days = days + self._days
            self._dates = list(map(dt.date.fromordinal, days)) + self._dates
        if hi > self._hi:
            days, before = self._piece(self._hi, hi, len(self._days))
            self._before += before
            self._days += days
            self._dates += map(dt.date.fromordinal, days)
        self._lo, self._hi = lo, hi

    def _piece(self, lo: int, hi: int, counted: int) -> tuple[list[int], list[int]]:
        """The business days among ordinals [lo, hi) and, per ordinal, how many of them come before it (plus
        `counted`), from the week's pattern at C speed (a loop per ordinal was most of a 100k forecast's table)."""
        country, holidays = self.calendar.country, set[int]()
        if country:  # the calendar's own holidays (what is_business_day checks), a year at a time
            for year in range(dt.date.fromordinal(lo).year, dt.date.fromordinal(hi - 1).year + 1):
                holidays.update(day.toordinal() for day in _weekday_holidays(country, self.calendar.subdivision, year))
        shift = (lo - 1) % 7  # ordinal 1 is a Monday
        week = _WEEK[shift:] + _WEEK[:shift]
        open_days = (week * ((hi - lo) // 7 + 1))[: hi - lo]  # 1 per business day of [lo, hi)
        for ordinal in holidays:
            if lo <= ordinal < hi:
                open_days[ordinal - lo] = 0
        days = list(compress(range(lo, hi), open_days))
        before = list(accumulate(open_days, initial=counted))
        before.pop()  # the count after the last ordinal
        return days, before

    def add_business_days(self, start: dt.date, n: int) -> dt.date:
        """Calendar.add_business_days: n business days after (before) start; 0 rolls forward to a business day."""
        ordinal = start.toordinal()
        if self._lo <= ordinal < self._hi:  # the common case, kept to a few lookups
            at = self._before[ordinal - self._lo]  # business days before start
            if n > 0:
                at += (at < len(self._days) and self._days[at] == ordinal) + n - 1
            else:
                at += n
            if 0 <= at < len(self._days):
                return self._dates[at]
        return self._grow_and_add(start, n)

    def _grow_and_add(self, start: dt.date, n: int) -> dt.date:
        """add_business_days when the answer is not in the table yet: grow it until it is."""
        ordinal, reach = start.toordinal(), 2 * abs(n) + 14
        for _ in range(24):
            if ordinal - reach < 1 or ordinal + reach > _LAST:
                break  # near the ends of the calendar: its own answer, or its own error
            self._cover(ordinal - reach, ordinal + reach)
            reach *= 2
            if self._lo <= ordinal < self._hi:
                at = self._before[ordinal - self._lo]
                at += ((at < len(self._days) and self._days[at] == ordinal) + n - 1) if n > 0 else n
                if 0 <= at < len(self._days):
                    return self._dates[at]
        return self.calendar.add_business_days(start, n)

    def number(self, day: dt.date) -> int:
        """The number of the first business day on or after day (add_business_days(day, 0)); consecutive business
        days have consecutive numbers, so the forecast adds and compares integers instead of dates."""
        ordinal = day.toordinal()
        if not self._lo <= ordinal < self._hi:
            self._cover(max(1, ordinal - 14), min(_LAST, ordinal + 14))
        return self._base + self._before[ordinal - self._lo]

    def span(self, number: int) -> tuple[list[dt.date], int]:
        """The table's business days and the number of its first, grown to hold `number` (from `number`); a snapshot
        that stays right as the table grows. OverflowError past the calendar's ends."""
        reach = 14
        while not 0 <= number - self._base < len(self._days):
            below = number < self._base
            if (self._lo <= 1) if below else (self._hi > _LAST):
                raise OverflowError("date value out of range")
            gap = 2 * (self._base - number if below else number - self._base - len(self._days)) + reach
            self._cover(
                max(1, self._lo - gap) if below else self._lo, self._hi - 1 if below else min(_LAST, self._hi + gap)
            )
            reach *= 2
        return self._dates, self._base

    def is_business_day(self, day: dt.date) -> bool:
        """Calendar.is_business_day."""
        return self.calendar.is_business_day(day)

    def business_days_between(self, start: dt.date, end: dt.date) -> int:
        """Calendar.business_days_between: business days in (start, end], negative when end is before start."""
        answer = self._between.get((start, end))
        if answer is not None:
            return answer
        first, last = start.toordinal(), end.toordinal()
        if min(first, last) < 367 or max(first, last) > _LAST - 367:
            return self.calendar.business_days_between(start, end)
        self._cover(min(first, last), max(first, last))
        answer = self._between[(start, end)] = self._up_to(last) - self._up_to(first)
        return answer

    def _up_to(self, ordinal: int) -> int:
        """Business days of the table on or before ordinal."""
        rank = self._before[ordinal - self._lo]
        return rank + (rank < len(self._days) and self._days[rank] == ordinal)
