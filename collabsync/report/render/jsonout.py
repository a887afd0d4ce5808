"""The report as JSON (with schema_version), and the JSON Schema it follows."""

from __future__ import annotations

import io
import json
import re
from functools import lru_cache
from importlib import resources
from typing import Any

from collabsync.report.rollup_model import Report
from collabsync.safetext import UNSAFE_RE, clean_tree

__all__ = ["render_json", "report_schema", "validate_report", "SCHEMA_NAME"]

SCHEMA_NAME = "report.schema.json"


def render_json(report: Report) -> str:
    """Indented JSON, UTF-8 text kept readable, control characters dropped; ends with a newline.

    json.dumps' chunks written as they come (what json.dumps would join): indented JSON is made by Python's own
    encoder, whose list of chunks held 0.8 GB more than the text for a 100,000-task report."""
    out = io.StringIO()
    out.writelines(json.JSONEncoder(indent=2, ensure_ascii=False).iterencode(cleaned(report.to_dict())))
    out.write("\n")
    return out.getvalue()


#: What JSON writes for the characters `clean` drops below U+0020 (CR, BS, FF, the rest as \u00XX; a literal
#: backslash before r, b, f or u matches too, which only sends a report the long way).
_ESCAPED_UNSAFE = re.compile(r"\\[rbfu]")


def cleaned(data: Any) -> Any:
    """clean_tree(data), or data itself when no string in it holds anything `clean` drops: one compact C-level
    encoding shows it, where clean_tree calls `clean` on every string (8 s for a 100,000-task report). JSON writes
    every character from U+0020 as it is (so UNSAFE_RE finds the unsafe ones) and every one below as an escape."""
    try:
        text = json.dumps(data, ensure_ascii=False)
    except (TypeError, ValueError):  # not JSON: clean_tree and the encoder answer as before
        return clean_tree(data)
    if UNSAFE_RE.search(text) or _ESCAPED_UNSAFE.search(text):
        return clean_tree(data)
    return data


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
