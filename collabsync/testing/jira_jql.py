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

__all__ = ["JqlError", "Query", "adf_to_text", "is_adf", "parse_jql", "text_to_adf"]

_TOKEN_RE = re.compile(
    r"""\s*(?:(?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(?P<op>!=|>=|<=|!~|=|>|<|~|\(|\)|,)"""
    r"""|(?P<word>[A-Za-z0-9_.\-:/*]+))"""
)
_KEYWORDS = {"and", "or", "not", "in", "is", "order", "by", "asc", "desc", "empty", "null"}
_FIELD_ALIASES = {"key": "issuekey", "type": "issuetype", "category": "statuscategory"}
KNOWN_FIELDS = {
    "project", "parent", "labels", "issuekey", "id", "status", "statuscategory", "issuetype",
    "assignee", "summary", "description", "text", "updated", "created", "duedate", "epic link",
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

    def matches(self, getter: Callable[[str], Any], tz: ZoneInfo) -> bool:
        """Evaluate against one issue; `getter(field)` returns the issue's value for a JQL field."""
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
            order.append((_FIELD_ALIASES.get(field.lower(), field.lower()), desc))
            if parser.peek() == ("op", ","):
                parser.next()
                continue
            break
    if parser.peek() is not None:
        raise JqlError(f"Error in the JQL Query: Expecting either 'OR' or 'AND' but got '{parser.peek()[1]}'.")
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
            values = [self.expect_value()]
            while self.peek() == ("op", ","):
                self.next()
                values.append(self.expect_value())
            if self.next() != ("op", ")"):
                raise JqlError("Error in the JQL Query: Expecting ')' to close the list.")
            return Clause(field, op, values)
        if op in ("is", "is not"):
            value = self.expect_value()
            if value.lower() not in ("empty", "null"):
                raise JqlError("Error in the JQL Query: Expecting EMPTY or NULL after IS.")
            return Clause(field, op, None)
        return Clause(field, op, self.expect_value())


def _eval(node: Any, getter: Callable[[str], Any], tz: ZoneInfo) -> bool:
    if isinstance(node, BoolNode):
        results = (_eval(p, getter, tz) for p in node.parts)
        return all(results) if node.op == "and" else any(results)
    actual = getter(node.field)
    op, value = node.op, node.value
    if op in ("is", "is not"):
        empty = actual is None or actual == [] or actual == ""
        return empty if op == "is" else not empty
    if node.field in ("updated", "created", "duedate"):
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
    if date_only:
        left: Any = actual if isinstance(actual, dt.date) else dt.date.fromisoformat(str(actual))
        right: Any = parse_jql_time(str(value), tz).date()
    else:
        left, right = actual, parse_jql_time(str(value), tz)
    return {
        "=": left == right, "!=": left != right, ">": left > right,
        ">=": left >= right, "<": left < right, "<=": left <= right,
    }.get(op, False)


# -- Atlassian Document Format -------------------------------------------------------------------
def is_adf(value: Any) -> bool:
    """A v3 rich-text value: a dict with type "doc" and version 1."""
    return isinstance(value, dict) and value.get("type") == "doc" and isinstance(value.get("content", []), list)


def text_to_adf(text: str | None) -> dict[str, Any] | None:
    """Plain text to an ADF doc: blank lines separate paragraphs, single newlines become hardBreaks."""
    if text is None:
        return None
    content = []
    for para in re.split(r"\n\s*\n", text.strip("\n")):
        if not para:
            continue
        inline: list[dict[str, Any]] = []
        for i, line in enumerate(para.split("\n")):
            if i:
                inline.append({"type": "hardBreak"})
            if line:
                inline.append({"type": "text", "text": line})
        content.append({"type": "paragraph", "content": inline})
    return {"type": "doc", "version": 1, "content": content}


def adf_to_text(doc: Any) -> str | None:
    """An ADF doc to plain text (what v2 shows): paragraphs split by blank lines, lists as '- '."""
    if doc is None:
        return None
    if isinstance(doc, str):
        return doc
    blocks = [_block_text(node) for node in doc.get("content", [])]
    return "\n\n".join(b for b in blocks if b is not None)


def _block_text(node: dict[str, Any]) -> str | None:
    kind = node.get("type")
    if kind in ("bulletList", "orderedList"):
        items = []
        for n, item in enumerate(node.get("content", []), 1):
            prefix = "- " if kind == "bulletList" else f"{n}. "
            inner = "\n".join(filter(None, (_block_text(c) for c in item.get("content", []))))
            items.append(prefix + inner)
        return "\n".join(items)
    if kind == "rule":
        return "----"
    if kind in ("blockquote", "panel", "expand"):
        return "\n".join(filter(None, (_block_text(c) for c in node.get("content", []))))
    return _inline_text(node.get("content", []))


def _inline_text(nodes: list[dict[str, Any]]) -> str:
    out = []
    for n in nodes:
        kind = n.get("type")
        if kind == "text":
            out.append(n.get("text", ""))
        elif kind == "hardBreak":
            out.append("\n")
        elif kind in ("mention", "emoji"):
            out.append(n.get("attrs", {}).get("text", ""))
        elif kind == "inlineCard":
            out.append(n.get("attrs", {}).get("url", ""))
        elif "content" in n:
            out.append(_inline_text(n["content"]))
    return "".join(out)
