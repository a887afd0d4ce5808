"""The report as Markdown for chat and wiki pages; every piece of tool text is escaped."""

from __future__ import annotations

import re
from typing import Any

from collabsync.report.render.common import (
    CHANGE_LABELS,
    HEALTH_MARK,
    change_detail,
    fmt_date,
    safe_url,
    signed_days,
    variance_text,
)
from collabsync.report.rollup_model import Group, Report, TaskLine
from collabsync.safetext import clean

__all__ = ["render_markdown", "md_escape", "LIST_LIMIT"]

LIST_LIMIT = 12  # items shown per list; the CSV and JSON carry them all

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~#])")
_URL_UNSAFE = {" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E", "\n": "", "\r": ""}


def md_escape(text: str | None) -> str:
    """Markdown and inline-HTML neutral text on one line."""
    text = clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = " ".join(text.split())
    return _MD_SPECIAL.sub(r"\\\1", text)


def render_markdown(report: Report) -> str:
    """Headline, departments table, lists, critical path, changes, contributions."""
    o, s = report.overall, report.overall.schedule
    out = [
        f"# {md_escape(report.instance)}"
        + (f" ({md_escape(report.template)})" if report.template else "")
        + f" — {HEALTH_MARK[o.health]} {o.health.upper()}",
        "",
    ]
    if report.summary:
        out += [f"**{md_escape(report.summary)}**", ""]
    out.append(
        f"As of {fmt_date(report.today)}"
        + (f", generated {fmt_date(report.generated_at)}" if report.generated_at else "")
        + "."
    )
    out.append("")
    out.append(
        f"**{o.counts['percent_done']:g}% done** ({o.percent_done_estimate:g}% by estimate) · "
        f"planned {_pct(s.planned_share)} vs actual {_pct(s.actual_share)} ({variance_text(s.variance_days)}) · "
        f"projected finish {fmt_date(s.projected_finish)} vs target {fmt_date(s.target)}"
        + (f" ({signed_days(s.slip_days)})" if s.slip_days is not None else "")
        + f" · critical path {report.critical_path_days} business days"
    )
    if o.reasons:
        out += ["", "Why: " + "; ".join(md_escape(r) for r in o.reasons) + "."]
    out += [
        "",
        "## Departments",
        "",
        "| Department | Tool | Health | Done | Open | Overdue | Blocked | Schedule | Projected | Target |",
        "|---|---|---|---:|---:|---:|---:|---|---|---|",
    ]
    out += [_dept_row(g) for g in report.departments]
    if report.phases:
        out += [
            "",
            "## Phases",
            "",
            "| Phase | Planned | Done | Late | Projected end | Milestones |",
            "|---|---|---:|---:|---|---|",
        ]
        out += [
            f"| {md_escape(p.title)} | {fmt_date(p.start)} → {fmt_date(p.end)} | {p.done}/{p.total} | {p.late} | "
            f"{'finished' if p.done == p.total else fmt_date(p.projected_end)} | "
            + ", ".join(
                f"{md_escape(m.title)} ({fmt_date(m.due)}{', reached' if m.status == 'done' else ''})"
                for m in p.milestones
            )
            + " |"
            for p in report.phases
        ]
    trends = {name: points for name, points in report.trends.items() if len(points) > 1}
    if trends:
        out += ["", "## Trend per department", ""]
        out += [
            f"- {md_escape(name)}: "
            + " → ".join(f"{HEALTH_MARK.get(t['health'], '')} {t['percent_done']:g}%" for t in points[-6:])
            for name, points in trends.items()
        ]
    if report.handoffs:
        out += [
            "",
            "## Hand-offs",
            "",
            "| Department | Waits on | Open tasks waiting | Late because of it | Up to |",
            "|---|---|---:|---:|---|",
        ]
        out += [
            f"| {md_escape(h.waiting)} | {md_escape(h.on)} | {h.tasks} | {h.late_tasks} | "
            + (f"{h.worst_late_days} business days |" if h.worst_late_days else "— |")
            for h in report.handoffs[:LIST_LIMIT]
        ]
        if len(report.handoffs) > LIST_LIMIT:
            out.append(f"\n… and {len(report.handoffs) - LIST_LIMIT} more pairs (all in the JSON format)")
    for title, items, extra in (
        ("Overdue", report.overdue, None),
        ("Due in the next 7 days", report.due_soon, None),
        ("Blocked", report.blocked, None),
        ("Waiting on a dependency", report.waiting, report),
    ):
        if items:
            out += ["", f"## {title} ({len(items)})", ""]
            out += [_item(t, extra) for t in items[:LIST_LIMIT]]
            if len(items) > LIST_LIMIT:
                out.append(f"- … and {len(items) - LIST_LIMIT} more (all in the CSV and JSON formats)")
    if report.critical_path:
        out += ["", f"## Critical path ({report.critical_path_days} business days)", ""]
        out += [
            f"{i}. {_link(step.task)} — {_where(step.task)}, {step.duration_days} d, ends {fmt_date(step.finish)}"
            for i, step in enumerate(report.critical_path, 1)
        ]
    out += _changes(report.changes)
    if report.assignees:
        out += [
            "",
            "## Contributions",
            "",
            "| Who | Done | Done estimate | Open | On time | Done for other departments "
            "| Done / open per department and tool |",
            "|---|---:|---:|---:|---:|---:|---|",
        ]
        out += [
            f"| {md_escape(c.name)} | {c.done_tasks} | {c.done_estimate:g} | {c.open_tasks} | "
            f"{'—' if c.on_time_rate is None else f'{c.on_time_rate:g}%'} | {c.done_for_others} | "
            + ", ".join(md_escape(f"{s.department} ({s.provider}) {s.done}/{s.open}") for s in c.by_tool)
            + " |"
            for c in report.assignees
        ]
    if report.warnings:
        out += ["", "## Warnings", ""] + [f"- {md_escape(w)}" for w in report.warnings]
    return "\n".join(out) + "\n"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:g}%"


def _dept_row(g: Group) -> str:
    c, s = g.counts, g.schedule
    open_tasks = c["total"] - c["done"] - c["cancelled"]
    name = md_escape(g.name) + (f" ⚠ stale since {fmt_date(g.stale_since)}" if g.stale else "")
    return (
        f"| {name} | {md_escape(', '.join(g.providers)) or '—'} | {HEALTH_MARK[g.health]} {g.health} | "
        f"{c['percent_done']:g}% | {open_tasks} | {c['overdue']} | {c['blocked']} | "
        f"{variance_text(s.variance_days)} | {fmt_date(s.projected_finish)} | {fmt_date(s.target)} |"
    )


def _link(task: TaskLine) -> str:
    url = safe_url(task.url)
    title = md_escape(task.title) or md_escape(task.ref)
    if not url:
        return title
    for bad, good in _URL_UNSAFE.items():
        url = url.replace(bad, good)
    return f"[{title}]({url})"


def _where(task: TaskLine) -> str:
    return f"{md_escape(task.department)} / {md_escape(task.provider)}"


def _item(task: TaskLine, report: Report | None) -> str:
    text = f"- {_link(task)} — {_where(task)}, due {fmt_date(task.due)}"
    if task.assignee:
        text += f", {md_escape(task.assignee)}"
    if report is not None and task.waiting_on:
        names = []
        for dep in task.waiting_on:
            other = report.task(dep)
            names.append(f"{md_escape(other.title)} ({_where(other)})")
        text += "; waits on " + ", ".join(names)
    return text


def _changes(changes: dict[str, Any] | None) -> list[str]:
    if not changes or changes.get("previous_id") is None:
        return []
    out = ["", f"## Changes since {md_escape(str(changes.get('previous_taken_at') or 'the previous report'))}", ""]
    any_change = False
    for key, label in CHANGE_LABELS:
        for item in changes.get(key, []):
            any_change = True
            extra = change_detail(key, item)
            out.append(f"- {label}: {md_escape(item['title'])} — {md_escape(item.get('department') or '')}{extra}")
    if not any_change:
        out.append("- Nothing changed.")
    return out
