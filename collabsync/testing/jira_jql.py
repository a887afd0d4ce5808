"""The JQL subset and the ADF conversions the Jira emulator understands.

JQL: ``field op value`` clauses joined by AND / OR with parentheses, then an optional ORDER BY.
Fields: project, parent, labels, issuekey/key, id, status, statusCategory, issuetype/type,
assignee, summary, description, text, updated, created, duedate. Operators: = != > >= < <= ~ !~
in, not in, is, is not (EMPTY/NULL). Date values: "YYYY-MM-DD HH:MM", "YYYY/MM/DD HH:MM", "YYYY-MM-DD",
read in the searching user's time zone like the real Jira (evaluation: jira_jql_eval.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from .jira_adf import adf_to_text, is_adf, text_to_adf  # re-exported: callers import them from here
from .jira_jql_eval import BoolNode, Clause, Context, Func, JqlError, eval_node, resolve_node

__all__ = ["Query", "adf_to_text", "is_adf", "parse_jql", "text_to_adf"]

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
        return Query(resolve_node(self.where, ctx), self.order)

    def matches(self, getter: Callable[[str], Any], tz: ZoneInfo) -> bool:
        """Evaluate a resolved query against one issue; `getter(field)` gives the issue's value for a JQL field."""
        return self.where is None or eval_node(self.where, getter, tz)


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
