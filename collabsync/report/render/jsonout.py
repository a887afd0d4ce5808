"""The report as JSON (with schema_version), and the JSON Schema it follows."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from functools import lru_cache, partial
from importlib import resources
from json.encoder import encode_basestring  # C when built: the string encoder of ensure_ascii=False
from operator import attrgetter
from typing import Any

from collabsync.report.rollup_model import Report, TaskLine, field_names
from collabsync.safetext import UNSAFE_RE, clean

__all__ = ["render_json", "report_schema", "validate_report", "SCHEMA_NAME"]

SCHEMA_NAME = "report.schema.json"


def render_json(report: Report) -> str:
    """Indented JSON, UTF-8 text kept readable, control characters dropped; ends with a newline.

    The very text `json.dumps(clean_tree(report.to_dict()), indent=2, ensure_ascii=False)` made, written by
    _Writer straight from the report: Python's indented encoder is pure Python (47 s and 0.8 GB for a 100,000-task
    report). Written once as it is, then once more cleaning every string when the text shows one needs it."""
    text = _Writer(encode_basestring).report(report)
    if _needs_cleaning(text):
        del text
        text = _Writer(_clean_text, clean_keys=True).report(report)
    return text


def _needs_cleaning(text: str) -> bool:
    """Whether a string of the report holds what `clean` drops, read off the written text (json writes every
    character from U+0020 as it is, so UNSAFE_RE finds the unsafe ones, and every one below as an escape).

    The writer puts no raw character below U+0020 but LF in it (json escapes them), so in ASCII text UNSAFE_RE can
    only find DEL, and `_ESCAPED_UNSAFE` nothing without a backslash: two memchr scans, not two regex ones (2.4 s
    over the 177 MB of a 100,000-task report)."""
    if text.isascii():
        return "\x7f" in text or ("\\" in text and _ESCAPED_UNSAFE.search(text) is not None)
    return UNSAFE_RE.search(text) is not None or _ESCAPED_UNSAFE.search(text) is not None


def _date_text(day: dt.date) -> str:
    """A date's text: its ISO form has nothing to escape or clean."""
    return '"' + day.isoformat() + '"'


def _clean_text(text: str) -> str:
    """A string's text as clean_tree then json wrote it, for a report some text of which needs cleaning."""
    return encode_basestring(clean(text))


def _float_text(value: float) -> str:
    """What json writes for a float (allow_nan: NaN and the infinities as JavaScript names them)."""
    if value != value:
        return "NaN"
    if value == _INF:
        return "Infinity"
    if value == -_INF:
        return "-Infinity"
    return float.__repr__(value)


_INF = float("inf")
_NULL = {None: "null"}
_BOOLS = {True: "true", False: "false"}
_LINE_FIELDS = field_names(TaskLine)
_line_values = attrgetter(*_LINE_FIELDS)


class _Writer:
    """json.dumps(jsonable(value), indent=2, ensure_ascii=False) as pieces of text, without the dicts in between.

    A task line (most of a report, each one listed up to five times) is written once per depth by one %-format of
    its known fields, each value by the C string encoder or float.__repr__ as json's encoder does."""

    def __init__(self, text: Callable[[str], str], *, clean_keys: bool = False) -> None:
        self.text = text
        self.clean_keys = clean_keys
        self.out: list[str] = []
        self.lines: dict[tuple[int, int], str] = {}
        self.formats: dict[int, str] = {}
        self.coders: dict[int, dict[type, Callable[[Any], str]]] = {}

    def report(self, report: Report) -> str:
        """The whole report, schema_version first (as Report.to_dict orders it), then a newline."""
        names = field_names(type(report))
        items = [("schema_version", report.schema_version)]
        items += [(name, getattr(report, name)) for name in names if name != "schema_version"]
        self.mapping(items, 0)
        self.out.append("\n")
        text = "".join(self.out)
        self.out.clear()
        self.lines.clear()
        return text

    def scalar(self, value: Any) -> str | None:
        """The text of a str, None, bool, int, float or date; None for anything else."""
        cls = type(value)
        if cls is str:
            return self.text(value)
        if value is None:
            return "null"
        if value is True:
            return "true"
        if value is False:
            return "false"
        if cls is int:
            return int.__repr__(value)
        if cls is float:
            return _float_text(value)
        if cls is dt.date or cls is dt.datetime:
            return self.text(value.isoformat())
        return None

    def value(self, value: Any, level: int) -> None:
        """Any value as jsonable and then json's encoder would write it."""
        text = self.scalar(value)
        if text is not None:
            self.out.append(text)
            return
        cls = type(value)
        if cls is TaskLine:
            self.out.append(self.line(value, level))
        elif isinstance(value, (dt.date, dt.datetime)):
            self.out.append(self.text(value.isoformat()))
        elif hasattr(cls, "__dataclass_fields__"):
            self.mapping([(name, getattr(value, name)) for name in field_names(cls)], level)
        elif isinstance(value, dict):
            self.mapping([(k if type(k) is str else str(k), v) for k, v in value.items()], level)
        elif isinstance(value, (list, tuple)):
            self.sequence(value, level)
        elif isinstance(value, str):  # a str, int or float subclass (an enum): json writes its plain value
            self.out.append(self.text(value))
        elif isinstance(value, int):
            self.out.append(int.__repr__(value))
        elif isinstance(value, float):
            self.out.append(_float_text(value))
        else:
            raise TypeError(f"Object of type {cls.__name__} is not JSON serializable")

    def mapping(self, items: list[tuple[str, Any]], level: int) -> None:
        """A dict's text; keys cleaned as clean_tree does (two keys equal once cleaned: one, the last value)."""
        if self.clean_keys:
            items = list({clean(k): v for k, v in items}.items())
        if not items:
            self.out.append("{}")
            return
        indent = "\n" + "  " * (level + 1)
        out, text = self.out, self.text
        out.append("{")
        sep = indent
        for key, value in items:
            out.append(sep + text(key) + ": ")
            self.value(value, level + 1)
            sep = "," + indent
        out.append("\n" + "  " * level + "}")

    def sequence(self, values: list[Any] | tuple[Any, ...], level: int) -> None:
        """A list's (or tuple's) text."""
        if not values:
            self.out.append("[]")
            return
        indent = "\n" + "  " * (level + 1)
        out = self.out
        out.append("[")
        sep = indent
        for value in values:
            out.append(sep)
            self.value(value, level + 1)
            sep = "," + indent
        out.append("\n" + "  " * level + "]")

    def line(self, line: TaskLine, level: int) -> str:
        """One task line's text at this depth, made once: the same line in `tasks`, `overdue`, `blocked`..."""
        key = (id(line), level)
        done = self.lines.get(key)
        if done is not None:
            return done
        coder = self._coder(level)
        try:
            texts = tuple([coder[type(value)](value) for value in _line_values(line)])
        except KeyError:  # a value of another type (an enum, a subclass): the general route
            texts = tuple([self._text_of(value, level + 1) for value in _line_values(line)])
        done = self.lines[key] = self._format(level) % texts
        return done

    def _text_of(self, value: Any, level: int) -> str:
        """One value's text on its own (what `value` appends)."""
        text = self.scalar(value)
        if text is None:
            mark = len(self.out)
            self.value(value, level)
            text = "".join(self.out[mark:])
            del self.out[mark:]
        return text

    def _strings(self, level: int, values: list[Any] | tuple[Any, ...]) -> str:
        """A line's list (its waiting_on: a few ids) in one join when it holds only strings."""
        if not values:
            return "[]"
        if not all(type(value) is str for value in values):
            return self._text_of(values, level)
        indent = "\n" + "  " * (level + 1)
        return "[" + indent + ("," + indent).join(map(self.text, values)) + "\n" + "  " * level + "]"

    def _coder(self, level: int) -> dict[type, Callable[[Any], str]]:
        """The text of each type a task line's value has, by type, for a line at this depth."""
        coder = self.coders.get(level)
        if coder is None:
            strings = partial(self._strings, level + 1)
            coder = self.coders[level] = {
                str: self.text,
                type(None): _NULL.__getitem__,
                bool: _BOOLS.__getitem__,
                int: int.__repr__,
                float: _float_text,
                dt.date: _date_text,
                dt.datetime: lambda value: self.text(value.isoformat()),
                list: strings,
                tuple: strings,
            }
        return coder

    def _format(self, level: int) -> str:
        """A task line's text with a %s for each value, at this depth."""
        fmt = self.formats.get(level)
        if fmt is None:
            indent = "\n" + "  " * (level + 1)
            keys = [indent + self.text(name).replace("%", "%%") + ": %s" for name in _LINE_FIELDS]
            fmt = self.formats[level] = "{" + ",".join(keys) + "\n" + "  " * level + "}"
        return fmt


#: What JSON writes for the characters `clean` drops below U+0020 (CR, BS, FF, the rest as \u00XX; a literal
#: backslash before r, b, f or u matches too, which only sends a report the long way).
_ESCAPED_UNSAFE = re.compile(r"\\[rbfu]")


@lru_cache(maxsize=1)
def report_schema() -> dict[str, Any]:
    """The shipped JSON Schema of the report (collabsync/schemas/report.schema.json)."""
    text = resources.files("collabsync").joinpath("schemas", SCHEMA_NAME).read_text(encoding="utf-8")
    return json.loads(text)


def validate_report(data: dict[str, Any]) -> None:
    """Raise jsonschema.ValidationError when a JSON report does not follow the schema (jsonschema is imported here:
    it costs a report process 0.1 s and rendering never needs it)."""
    import jsonschema

    jsonschema.validate(data, report_schema(), cls=jsonschema.Draft202012Validator)
