"""JQL condition trees and their evaluation: functions and relative dates resolved, values compared in the user's zone."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

__all__ = [
    "BoolNode",
    "Clause",
    "Context",
    "Func",
    "JqlError",
    "TIME_FIELDS",
    "eval_node",
    "parse_jql_time",
    "resolve_node",
]


class JqlError(ValueError):
    """A query the emulator (like Jira) refuses, with Jira's message."""


@dataclass(frozen=True)
class Clause:
    """One `field op value` condition."""

    field: str
    op: str
    value: Any  # str, list[str] or None (EMPTY)


@dataclass(frozen=True)
class Func:
    """A JQL function call in value position: currentUser(), startOfDay("-1d"), now()."""

    name: str
    args: tuple[str, ...]


@dataclass(frozen=True)
class Context:
    """What functions and relative dates are resolved against: the searcher and the moment of the search."""

    tz: ZoneInfo
    now: dt.datetime
    user: str | None = None


@dataclass(frozen=True)
class BoolNode:
    """AND / OR over sub-conditions."""

    op: str
    parts: tuple[Any, ...]


TIME_FIELDS = ("updated", "created", "duedate")
_PERIOD_RE = re.compile(r"^([+-])?\s*((?:\d+\s*[wdhm]\s*)+)$")
_INC_RE = re.compile(r"^([+-]?)(\d+)([yMwdhm]?)$")
_BAD_DATE = (
    "Date value '{}' for field '{}' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', "
    "'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'."
)
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}
_DATE_FUNCS = {
    "now",
    "startofday",
    "endofday",
    "startofweek",
    "endofweek",
    "startofmonth",
    "endofmonth",
    "startofyear",
    "endofyear",
}


def resolve_node(node: Any, ctx: Context) -> Any:
    """A condition tree with functions and relative dates turned into values (Query.resolve)."""
    if isinstance(node, BoolNode):
        return BoolNode(node.op, tuple(resolve_node(p, ctx) for p in node.parts))
    if node.value is None:
        return node
    values = node.value if isinstance(node.value, list) else [node.value]
    out = [_resolve_value(node.field, v, ctx) for v in values]
    return Clause(node.field, node.op, out if isinstance(node.value, list) else out[0])


def _resolve_value(field: str, value: Any, ctx: Context) -> Any:
    """A literal, function or period as what the field compares against (an aware datetime for dates)."""
    if isinstance(value, Func):
        name = value.name.lower()
        if name == "currentuser" and not value.args:
            if ctx.user is None:
                raise JqlError("The function 'currentUser' can only be used by a logged-in user.")
            return ctx.user
        if name in _DATE_FUNCS and field in TIME_FIELDS and len(value.args) <= 1:
            return _date_function(name, value.args[0] if value.args else "", ctx)
        if name in _DATE_FUNCS | {"currentuser"}:
            raise JqlError(f"The function '{value.name}' does not support the field '{field}' with these arguments.")
        raise JqlError(f"Unable to find JQL function '{value.name}({', '.join(value.args)})'.")
    if field not in TIME_FIELDS:
        return value
    period = _PERIOD_RE.match(str(value).strip())
    if period:
        sign = -1 if period.group(1) == "-" else 1
        delta = dt.timedelta()
        for amount, unit in re.findall(r"(\d+)\s*([wdhm])", period.group(2)):
            delta += dt.timedelta(**{_UNITS[unit]: int(amount)})
        return ctx.now.astimezone(ctx.tz) + sign * delta
    try:
        return parse_jql_time(str(value), ctx.tz)
    except JqlError:
        raise JqlError(_BAD_DATE.format(value, field)) from None


def _date_function(name: str, inc: str, ctx: Context) -> dt.datetime:
    """now(), startOfDay("-1"), endOfMonth("+1M"), ...: in the searcher's zone, optionally shifted."""
    now = ctx.now.astimezone(ctx.tz)
    shift = _INC_RE.match(inc.strip()) if inc else None
    if inc and shift is None:
        raise JqlError(f"The increment '{inc}' of the function '{name}' is not valid: use e.g. '-1d' or '+2w'.")
    base = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if "week" in name:
        base -= dt.timedelta(days=(base.weekday() + 1) % 7)  # weeks start on Sunday, as in Jira's default locale
    elif "month" in name:
        base = base.replace(day=1)
    elif "year" in name:
        base = base.replace(month=1, day=1)
    if name == "now":
        base = now
    default_unit = {"week": "w", "month": "M", "year": "y"}.get(
        next((u for u in ("week", "month", "year") if u in name), ""), "d"
    )
    if shift:
        amount = int(shift.group(2)) * (-1 if shift.group(1) == "-" else 1)
        base = _shift(base, amount, shift.group(3) or default_unit)
    if name.startswith("end"):
        span = {"w": dt.timedelta(weeks=1), "d": dt.timedelta(days=1)}
        unit = default_unit
        nxt = base + span[unit] if unit in span else _shift(base, 1, unit)
        return nxt - dt.timedelta(milliseconds=1)
    return base


def _shift(when: dt.datetime, amount: int, unit: str) -> dt.datetime:
    if unit in ("y", "M"):
        months = when.year * 12 + when.month - 1 + amount * (12 if unit == "y" else 1)
        return when.replace(year=months // 12, month=months % 12 + 1)
    return when + dt.timedelta(**{_UNITS[unit]: amount})


def eval_node(node: Any, getter: Callable[[str], Any], tz: ZoneInfo) -> bool:
    """Whether one issue (seen through `getter`) meets a resolved condition tree (Query.matches)."""
    if isinstance(node, BoolNode):
        results = (eval_node(p, getter, tz) for p in node.parts)
        return all(results) if node.op == "and" else any(results)
    actual = getter(node.field)
    op, value = node.op, node.value
    if op in ("is", "is not"):
        empty = actual is None or actual == [] or actual == ""
        return empty if op == "is" else not empty
    if node.field in TIME_FIELDS:
        return _compare_time(actual, op, value, tz, date_only=node.field == "duedate")
    if op in ("~", "!~"):
        found = actual is not None and str(value).lower().strip("*") in str(actual).lower()
        return found if op == "~" else not found
    values = value if isinstance(value, list) else [value]
    wanted = {str(v).lower() for v in values}
    have = {str(a).lower() for a in (actual if isinstance(actual, (list, set, tuple)) else [actual]) if a is not None}
    hit = bool(wanted & have)
    if op in ("=", "in"):
        return hit
    if op in ("!=", "not in"):
        return not hit
    raise JqlError(f"The operator '{op}' is not supported by the '{node.field}' field.")


def parse_jql_time(value: str, tz: ZoneInfo) -> dt.datetime:
    """A JQL date or datetime literal, in the user's zone, as an aware datetime."""
    for fmt in ("%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d"):
        try:
            return dt.datetime.strptime(value, fmt).replace(tzinfo=tz)
        except ValueError:
            continue
    raise JqlError(
        f"Date value '{value}' for field 'updated' is invalid. Valid formats include: "
        "'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'."
    )


def _compare_time(actual: Any, op: str, value: Any, tz: ZoneInfo, *, date_only: bool) -> bool:
    if actual is None:
        return False
    right: Any = value if isinstance(value, dt.datetime) else parse_jql_time(str(value), tz)
    if date_only:
        left: Any = actual if isinstance(actual, dt.date) else dt.date.fromisoformat(str(actual))
        right = right.astimezone(tz).date()
    else:
        left = actual
    return {
        "=": left == right,
        "!=": left != right,
        ">": left > right,
        ">=": left >= right,
        "<": left < right,
        "<=": left <= right,
    }.get(op, False)
