"""Renderers of a rollup Report: self-contained HTML, Markdown, CSV of tasks, JSON with a schema."""

from __future__ import annotations

from collections.abc import Callable

from collabsync.report.render.csvout import render_csv
from collabsync.report.render.html import render_html
from collabsync.report.render.jsonout import render_json
from collabsync.report.render.markdown import render_markdown
from collabsync.report.render.text import render_text
from collabsync.report.rollup_model import Report

__all__ = [
    "render",
    "FORMATS",
    "FILE_FORMATS",
    "render_html",
    "render_markdown",
    "render_csv",
    "render_json",
    "render_text",
]

FORMATS: dict[str, Callable[[Report], str]] = {
    "html": render_html,
    "md": render_markdown,
    "csv": render_csv,
    "json": render_json,
    "table": render_text,
}
#: Formats written to files by `report --out`/`--output`; `table` is for the terminal only.
FILE_FORMATS = ("html", "md", "csv", "json")


def render(report: Report, fmt: str) -> str:
    """The report as text in one of FORMATS; ValueError naming the formats otherwise."""
    try:
        return FORMATS[fmt](report)
    except KeyError:
        raise ValueError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}") from None
