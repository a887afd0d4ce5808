"""The JQL subset and the ADF conversions the Jira emulator understands.

JQL: ``field op value`` clauses joined by AND / OR with parentheses, then an optional ORDER BY.
Fields: project, parent, labels, issuekey/key, id, status, statusCategory, issuetype/type,
assignee, summary, description, text, updated, created, duedate. Operators: = != > >= < <= ~ !~
in, not in, is, is not (EMPTY/NULL). Date values: "YYYY-MM-DD HH:MM", "YYYY/MM/DD HH:MM", "YYYY-MM-DD",
read in the searching user's time zone like the real Jira.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from .jira_adf import adf_to_text, is_adf, text_to_adf  # re-exported: callers import them from here

__all__ = ["Context", "Func", "JqlError", "Query", "adf_to_text", "is_adf", "parse_jql", "text_to_adf"]

_TOKEN_RE = re.compile(
    r"""\s*(?:(?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(?P<op>!=|>=|<=|!~|=|>|<|~|\(|\)|,)"""
    r"""|(?P<word>[A-Za-z0-9_.\-:/*]+))"""
)
_KEYWORDS = {"and", "or", "not", "in", "is", "order", "by", "asc", "desc", "empty", "null"}
_FIELD_ALIASES = {"key": "issuekey", "type": "issuetype", "category": "statuscategory"}
KNOWN_FIELDS = {
    "project",
    "parent",
    "labels",
    "issuekey",
    "id",
    "status",
    "statuscategory",
    "issuetype",
    "assignee",
    "summary",
    "description",
    "text",
    "updated",
    "created",
    "duedate",
    "epic link",
}


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


@dataclass(frozen=True)
class Query:
    """A parsed query: a condition tree (None when unrestricted) and ORDER BY terms."""

    where: Clause | BoolNode | None
    order: tuple[tuple[str, bool], ...]  # (field, descending)

    @property
    def bounded(self) -> bool:
        """Jira Cloud refuses queries without any restriction on /search/jql."""
        return self.where is not None

    def clauses(self) -> list[Clause]:
        """Every clause in the tree, for validation of values."""
        out: list[Clause] = []
        stack: list[Any] = [self.where] if self.where is not None else []
        while stack:
            node = stack.pop()
            if isinstance(node, Clause):
                out.append(node)
            else:
                stack.extend(node.parts)
        return out

    def resolve(self, ctx: Context) -> Query:
        """This query with functions and relative dates turned into values; JqlError for a bad value."""
        if self.where is None:
            return self
        return Query(_resolve(self.where, ctx), self.order)

    def matches(self, getter: Callable[[str], Any], tz: ZoneInfo) -> bool:
        """Evaluate a resolved query against one issue; `getter(field)` gives the issue's value for a JQL field."""
        return self.where is None or _eval(self.where, getter, tz)


def parse_jql(text: str | None) -> Query:
    """Parse the supported subset or raise JqlError with a Jira-like message."""
    tokens = _tokenize(text or "")
    parser = _Parser(tokens)
    where = None
    if parser.peek() is not None and not parser.peek_word("order"):
        where = parser.parse_or()
    order: list[tuple[str, bool]] = []
    if parser.peek_word("order"):
        parser.next()
        if not parser.peek_word("by"):
            raise JqlError("Error in the JQL Query: Expecting 'by' but got the end of the query.")
        parser.next()
        while True:
            field = parser.expect_value()
            desc = False
            if parser.peek_word("asc") or parser.peek_word("desc"):
                desc = parser.next()[1].lower() == "desc"
            name = _FIELD_ALIASES.get(field.lower(), field.lower())
            if name not in KNOWN_FIELDS:
                raise JqlError(f"Not able to sort using field '{field}'.")
            order.append((name, desc))
            if parser.peek() == ("op", ","):
                parser.next()
                continue
            break
    if (token := parser.peek()) is not None:
        raise JqlError(f"Error in the JQL Query: Expecting either 'OR' or 'AND' but got '{token[1]}'.")
    return Query(where, tuple(order))


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if not m or m.end() == pos:
            raise JqlError(f"Error in the JQL Query: The character '{text[pos]}' is a reserved JQL character.")
        pos = m.end()
        if m.group("str") is not None:
            raw = m.group("str")[1:-1]
            tokens.append(("str", re.sub(r"\\(.)", r"\1", raw)))
        elif m.group("op") is not None:
            tokens.append(("op", m.group("op")))
        elif m.group("word") is not None:
            tokens.append(("word", m.group("word")))
        text_rest = text[pos:]
        if not text_rest.strip():
            break
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens, self.i = tokens, 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def peek_word(self, word: str) -> bool:
        tok = self.peek()
        return tok is not None and tok[0] == "word" and tok[1].lower() == word

    def next(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise JqlError("Error in the JQL Query: The query ended unexpectedly.")
        self.i += 1
        return tok

    def expect_value(self) -> str:
        kind, value = self.next()
        if kind == "op":
            raise JqlError(f"Error in the JQL Query: Expecting a field name or value but got '{value}'.")
        return value

    def expect_operand(self) -> Any:
        """A value or a function call `name(arg, ...)`."""
        kind, value = self.peek() or ("", "")
        name = self.expect_value()
        if kind != "word" or self.peek() != ("op", "("):
            return name
        self.next()
        args: list[str] = []
        while self.peek() != ("op", ")"):
            args.append(self.expect_value())
            if self.peek() == ("op", ","):
                self.next()
            elif self.peek() != ("op", ")"):
                raise JqlError(f"Error in the JQL Query: Expecting ')' to close the call of '{name}'.")
        self.next()
        return Func(name, tuple(args))

    def parse_or(self) -> Any:
        parts = [self.parse_and()]
        while self.peek_word("or"):
            self.next()
            parts.append(self.parse_and())
        return parts[0] if len(parts) == 1 else BoolNode("or", tuple(parts))

    def parse_and(self) -> Any:
        parts = [self.parse_atom()]
        while self.peek_word("and"):
            self.next()
            parts.append(self.parse_atom())
        return parts[0] if len(parts) == 1 else BoolNode("and", tuple(parts))

    def parse_atom(self) -> Any:
        if self.peek() == ("op", "("):
            self.next()
            node = self.parse_or()
            if self.next() != ("op", ")"):
                raise JqlError("Error in the JQL Query: Expecting ')'.")
            return node
        field = self.expect_value().lower()
        field = _FIELD_ALIASES.get(field, field)
        if field not in KNOWN_FIELDS:
            raise JqlError(f"Field '{field}' does not exist or you do not have permission to view it.")
        kind, op = self.next()
        op = op.lower()
        if kind == "word" and op == "not":
            if not self.peek_word("in"):
                raise JqlError("Error in the JQL Query: Expecting 'in' after 'not'.")
            self.next()
            op = "not in"
        elif kind == "word" and op == "is":
            if self.peek_word("not"):
                self.next()
                op = "is not"
        elif kind == "word" and op != "in":
            raise JqlError(f"Error in the JQL Query: Expecting operator but got '{op}'.")
        if op in ("in", "not in"):
            if self.next() != ("op", "("):
                raise JqlError("Error in the JQL Query: Expecting '(' after 'in'.")
            values = [self.expect_operand()]
            while self.peek() == ("op", ","):
                self.next()
                values.append(self.expect_operand())
            if self.next() != ("op", ")"):
                raise JqlError("Error in the JQL Query: Expecting ')' to close the list.")
            return Clause(field, op, values)
        if op in ("is", "is not"):
            value = self.expect_value()
            if value.lower() not in ("empty", "null"):
                raise JqlError("Error in the JQL Query: Expecting EMPTY or NULL after IS.")
            return Clause(field, op, None)
        return Clause(field, op, self.expect_operand())


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


def _resolve(node: Any, ctx: Context) -> Any:
    if isinstance(node, BoolNode):
        return BoolNode(node.op, tuple(_resolve(p, ctx) for p in node.parts))
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


def _eval(node: Any, getter: Callable[[str], Any], tz: ZoneInfo) -> bool:
    if isinstance(node, BoolNode):
        results = (_eval(p, getter, tz) for p in node.parts)
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
