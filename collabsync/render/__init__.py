"""Renderers of a rollup Report: self-contained HTML, Markdown, CSV of tasks, JSON with a schema."""

from __future__ import annotations

from collections.abc import Callable

from ..rollup_model import Report
from .csvout import render_csv
from .html import render_html
from .jsonout import render_json
from .markdown import render_markdown
from .text import render_text

__all__ = ["render", "FORMATS", "FILE_FORMATS", "render_html", "render_markdown", "render_csv", "render_json",
           "render_text"]

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
