"""Terminal output for the CLI (rich tables, progress), kept apart from the library's logic."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from collabsync.safetext import visible

if TYPE_CHECKING:  # rich is imported where a table or bar is drawn, not by `status --format json` (issue 17)
    from rich.console import Console

    from collabsync.stamping.stamp import Plan  # the stamper is not imported by `status`

__all__ = ["print_plan", "progress_bar", "print_status", "print_tasks"]

COUNT_COLUMNS = ["total", "todo", "in_progress", "blocked", "done", "cancelled", "overdue", "percent_done"]


def _console() -> Console:
    """stdout; when not a terminal, no colour and a width wide enough for every column."""
    from rich.console import Console

    tty = sys.stdout.isatty()
    return Console(highlight=False, width=None if tty else 200, no_color=not tty)


def print_plan(plan: Plan) -> None:
    """Per department: tool, container, tasks to create, dependencies; then cross-tool links."""
    from rich.table import Table

    console = _console()
    spec = plan.spec
    console.print(f"Plan for [bold]{_t(spec.instance)}[/]: {_t(spec.title)} (template {_t(spec.template)})")
    table = Table(show_edge=False)
    for col in ("department", "provider", "destination", "container", "tasks", "to create", "links"):
        table.add_column(col)
    for d in plan.departments:
        table.add_row(
            _t(d.department),
            _t(f"{d.provider} ({d.provider_type})"),
            _t(d.where),
            _t(d.container or "new"),
            str(len(d.tasks)),
            str(len(d.to_create)),
            str(len(d.native_links)),
        )
    console.print(table)
    if plan.cross_links:
        console.print(f"Cross-tool dependencies ({len(plan.cross_links)}), written as links in both tasks:")
        dept = {t.key: t.department for t in spec.tasks}
        for a, b in plan.cross_links:
            console.print(f"  {_t(a)} ({_t(dept[a])}) waits for {_t(b)} ({_t(dept[b])})")
    console.print("Up to date: nothing to create." if plan.up_to_date else f"{plan.steps} objects to write.")


@contextmanager
def progress_bar(total: int) -> Iterator[Callable[[int, str], None]]:
    """A progress bar on stderr while applying; silent when stderr is not a terminal."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(file=sys.stderr)
    if not console.is_terminal:
        yield lambda n, what: None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("stamping", total=total)

        def advance(n: int, what: str) -> None:
            progress.update(task, advance=n, description=what[:40])

        yield advance


def print_status(summary: dict[str, Any], *, markdown: bool = False) -> None:
    """A table (or Markdown table) of counts per department and overall."""
    rows = [(name, c) for name, c in summary["departments"].items()] + [("overall", summary["overall"])]
    header = ["department", "provider", *COUNT_COLUMNS]
    if markdown:
        from collabsync.report.render.markdown import md_escape

        print(f"## {md_escape(summary['instance'])} ({md_escape(summary['template'])})\n")
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for name, c in rows:
            print(
                "| "
                + " | ".join([md_escape(name), md_escape(c.get("provider")), *(str(c[k]) for k in COUNT_COLUMNS)])
                + " |"
            )
        return
    from rich.table import Table

    console = _console()
    table = Table(title=f"{_t(summary['instance'])} ({_t(summary['template'])})", show_edge=False)
    for col in header:
        table.add_column(col.replace("_", " "), justify="left" if col in ("department", "provider") else "right")
    for name, c in rows:
        pct = f"{c['percent_done']:.1f}%"
        values = [str(c[k]) for k in COUNT_COLUMNS[:-1]] + [pct]
        stale = f" (stale, from {c.get('stale_since') or 'no earlier read'})" if c.get("stale") else ""
        table.add_row(_t(name) + stale, _t(c.get("provider")), *values)
    console.print(table)


def print_tasks(rows: list[dict[str, Any]], *, markdown: bool = False) -> None:
    """A task table (or Markdown table)."""
    columns = ("key", "title", "department", "provider", "status", "due", "assignee")
    if markdown:
        from collabsync.report.render.markdown import md_escape

        print("| " + " | ".join(columns) + " |")
        print("|" + "---|" * len(columns))
        for r in rows:
            print("| " + " | ".join(md_escape(str(r.get(c) or "")) for c in columns) + " |")
        return
    from rich.table import Table

    console = _console()
    table = Table(show_edge=False)
    for col in ("key", "title", "department", "provider", "status", "due", "assignee"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            *(_t(str(r.get(c) or "")) for c in ("key", "title", "department", "provider", "status", "due", "assignee"))
        )
    console.print(table)
    console.print(f"{len(rows)} tasks")


def _t(text: str | None) -> str:
    """Tool or template text for a rich table: markup escaped, control characters shown, not obeyed."""
    from rich.markup import escape

    return escape(visible(text or ""))
