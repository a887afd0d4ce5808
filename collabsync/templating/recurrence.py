"""Recurring template tasks (`repeat:` with `count:` or `until:`), rendered as separate dated tasks.

A joint meeting that happens monthly is several pieces of work with their own dates, owners and
status, so each occurrence becomes its own task with a distinct key (`KEY-1`, `KEY-2`, ...).
"""

from __future__ import annotations

import calendar as cal_months
import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from collabsync.dates import Calendar, parse_date_expr
from collabsync.model import TaskSpec

__all__ = ["Recurrence", "parse_repeat", "recurrence_problems", "expand_recurring", "MAX_OCCURRENCES"]

REPEAT_RE = re.compile(
    r"^\s*(?:(?P<simple>weekly|monthly)|every\s+(?P<n>\d+)\s+(?P<unit>business days?|weeks?|months?))\s*$"
)
#: A series longer than this is almost certainly a typo in `count:` or `until:`.
MAX_OCCURRENCES = 60


@dataclass(frozen=True)
class Recurrence:
    """Every `n` units (bd = business days, w = weeks, m = months)."""

    n: int
    unit: str

    def shift(self, day: dt.date, i: int, calendar: Calendar) -> dt.date:
        """The i-th occurrence's date of `day` (0 = the first); weeks and months land on a business day."""
        if self.unit == "bd":
            return calendar.add_business_days(day, self.n * i)
        if self.unit == "w":
            moved = day + dt.timedelta(weeks=self.n * i)
        else:
            month = day.month - 1 + self.n * i
            year, month = day.year + month // 12, month % 12 + 1
            moved = dt.date(year, month, min(day.day, cal_months.monthrange(year, month)[1]))
        return calendar.add_business_days(moved, 0)


def parse_repeat(text: str) -> Recurrence:
    """`weekly`, `monthly`, `every N business days`, `every N weeks`, `every N months`; ValueError otherwise."""
    m = REPEAT_RE.match(str(text))
    if not m or (m.group("n") is not None and int(m.group("n")) < 1):
        raise ValueError(
            f"repeat {text!r} is not understood: write weekly, monthly, 'every N business days', "
            "'every N weeks' or 'every N months' (N at least 1)"
        )
    if m.group("simple"):
        return Recurrence(1, "w" if m.group("simple") == "weekly" else "m")
    unit = m.group("unit")
    return Recurrence(int(m.group("n")), "bd" if unit.startswith("business") else unit[0])


def recurrence_problems(task: Mapping[str, Any], date_vars: set[str], add: Callable[[str, str], None]) -> None:
    """Meaning checks of one raw task's `repeat`, `count` and `until` (add(field, message) per problem)."""
    key = task.get("key", "?")
    has = [f for f in ("repeat", "count", "until") if task.get(f) is not None]
    if not has:
        return
    if "repeat" not in has:
        add(has[0], f"task {key!r}: {has[0]} needs repeat (weekly, monthly or 'every N business days')")
        return
    try:
        parse_repeat(task["repeat"])
    except ValueError as exc:
        add("repeat", f"task {key!r}: {exc}")
    if ("count" in has) == ("until" in has):
        add("repeat", f"task {key!r}: a repeating task needs exactly one of count: N or until: DATE")
    if not (task.get("start") or task.get("due")):
        add("repeat", f"task {key!r}: a repeating task needs a start or due date for its first occurrence")
    if "until" in has:
        try:
            anchor = parse_date_expr(task["until"]).anchor
        except ValueError as exc:
            add("until", f"task {key!r}: {exc}")
        else:
            if anchor not in date_vars:
                add("until", f"task {key!r}: until anchor {anchor!r} is not a declared date variable")


def expand_recurring(
    tasks: Sequence[TaskSpec],
    raw: Sequence[Mapping[str, Any]],
    anchors: Mapping[str, dt.date],
    calendar: Calendar,
    problem: Callable[[int, str, str], None],
) -> list[TaskSpec]:
    """Each recurring task as its occurrences; a dependency on a series waits for its last occurrence."""
    out: list[TaskSpec] = []
    last_key: dict[str, str] = {}
    taken = {t.key for t in tasks}
    for i, (spec, data) in enumerate(zip(tasks, raw, strict=True)):
        if not data.get("repeat"):
            out.append(spec)
            continue
        rule = parse_repeat(data["repeat"])
        first = spec.start or spec.due
        assert first is not None  # validated: a repeating task has a start or a due date
        until = parse_date_expr(data["until"]).resolve(anchors, calendar) if data.get("until") else None
        count = int(data["count"]) if data.get("count") else MAX_OCCURRENCES + 1
        occurrences: list[TaskSpec] = []
        n = 0
        while n < count and len(occurrences) <= MAX_OCCURRENCES:
            start = rule.shift(spec.start, n, calendar) if spec.start else None
            due = rule.shift(spec.due, n, calendar) if spec.due else None
            if until is not None and (start or due or first) > until:
                break
            n += 1
            occurrences.append(
                replace(
                    spec,
                    key=f"{spec.key}-{n}",
                    start=start,
                    due=due,
                    title=f"{spec.title} ({(due or start or first).isoformat()})",
                )
            )
        if len(occurrences) > MAX_OCCURRENCES:
            problem(
                i,
                "count" if data.get("count") else "until",
                f"task {spec.key!r} repeats more than {MAX_OCCURRENCES} times; lower count or bring until closer",
            )
            occurrences = occurrences[:MAX_OCCURRENCES]
        if not occurrences:
            problem(
                i, "until", f"task {spec.key!r}: until {until} is before its first occurrence {first}; move it later"
            )
            continue
        clash = next((o.key for o in occurrences if o.key in taken), None)
        if clash:
            problem(i, "key", f"task {spec.key!r}: occurrence key {clash!r} is also another task's key; rename one")
        last_key[spec.key] = occurrences[-1].key
        out.extend(occurrences)
    if not last_key:
        return out
    return [replace(t, depends_on=tuple(last_key.get(d, d) for d in t.depends_on)) for t in out]
