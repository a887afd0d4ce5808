"""The report's tasks as CSV, one row per task, for spreadsheets."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from collabsync.report.rollup_model import Report, TaskLine
from collabsync.safetext import clean

__all__ = ["render_csv", "write_csv", "CSV_COLUMNS"]

CSV_COLUMNS = (
    "instance",
    "department",
    "provider",
    "key",
    "ref",
    "title",
    "status",
    "assignee",
    "start",
    "due",
    "planned_due",
    "estimate",
    "overdue",
    "waiting_on",
    "critical",
    "stale",
    "url",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def render_csv(report: Report) -> str:
    """A header row then every task in report order; tool text is kept from running as a formula."""
    return write_csv(CSV_COLUMNS, (_row(report.instance, line) for line in report.tasks))


def write_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """The one CSV writer of collabsync: every cell cleaned of control characters and kept from running as a formula."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_text(str(h)) for h in header])
    for row in rows:
        writer.writerow([_text("" if v is None else str(v)) for v in row])
    return out.getvalue()


def _row(instance: str, line: TaskLine) -> list[str]:
    values = {
        "instance": _text(instance),
        "department": _text(line.department),
        "provider": line.provider,
        "key": _text(line.key or ""),
        "ref": _text(line.ref),
        "title": _text(line.title),
        "status": line.status,
        "assignee": _text(line.assignee or ""),
        "start": _date(line.start),
        "due": _date(line.due),
        "planned_due": _date(line.planned_due),
        "estimate": "" if line.estimate is None else f"{line.estimate:g}",
        "overdue": _bool(line.overdue),
        "waiting_on": " ".join(line.waiting_on),
        "critical": _bool(line.critical),
        "stale": _bool(line.stale),
        "url": _text(line.url),
    }
    return [values[c] for c in CSV_COLUMNS]


def _text(value: str) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: prefix those with an apostrophe."""
    value = clean(value)
    return "'" + value if value.lstrip(" ").startswith(_FORMULA_START) else value


def _date(value: object) -> str:
    return value.isoformat() if value is not None else ""  # type: ignore[attr-defined]


def _bool(value: bool) -> str:
    return "true" if value else "false"
