"""One department's published status, built once from the report and spelt in each tool's own markup.

The entry is neutral (headline plus titled sections of lines with links); providers call the one
renderer their tool wants: Markdown (Trello comments, the local tool), Asana's rich `html_text`,
Atlassian Document Format (Jira Cloud, REST v3) or wiki markup (Jira Data Center, REST v2).
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from collabsync.report.render.common import safe_url
from collabsync.report.rollup_model import Report, TaskLine
from collabsync.safetext import clean

__all__ = ["STATUS_MARKER", "Line", "StatusEntry", "compose", "status_marker"]

#: Prefix of the line that ends every published entry: a lost reply is found again by it.
STATUS_MARKER = "collabsync-status:"
#: Lines shown per section before "and N more", and characters per line: an entry stays far below every
#: tool's limit (Trello comments 16,384 characters, Jira 32,767) whatever the task titles are.
MAX_LINES = 8
MAX_CHARS = 300
#: Asana's status_type per report health.
ASANA_STATUS = {"green": "on_track", "amber": "at_risk", "red": "off_track"}


def status_marker(instance: str, department: str, day: dt.date) -> str:
    """The marker line of one department's entry of one day."""
    return f"{STATUS_MARKER}{instance}/{department}/{day.isoformat()}"


@dataclass(frozen=True)
class Line:
    """One bullet: text and an optional link (http(s) only: the local tool's links mean nothing in a SaaS tool)."""

    text: str
    url: str = ""

    def __post_init__(self) -> None:
        text = clean(self.text)
        object.__setattr__(self, "text", text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1] + "…")
        object.__setattr__(self, "url", safe_url(self.url) or "")


@dataclass(frozen=True)
class StatusEntry:
    """What one department reads in its tool about the joint status of an instance on one day."""

    instance: str
    department: str
    day: dt.date
    health: str
    percent_done: float
    title: str
    summary: str
    sections: tuple[tuple[str, tuple[Line, ...]], ...]

    @property
    def marker(self) -> str:
        """The line that identifies this entry in the tool."""
        return status_marker(self.instance, self.department, self.day)

    @property
    def asana_status_type(self) -> str:
        """on_track / at_risk / off_track from the health."""
        return ASANA_STATUS.get(self.health, "at_risk")

    def markdown(self) -> str:
        """Markdown (Trello comments render it; the local tool and e-mail keep it as text)."""
        return self._plain(
            lambda t: f"**{t}**", lambda x: f"- [{_md(x.text)}]({x.url})" if x.url else f"- {_md(x.text)}"
        )

    def asana_html(self) -> str:
        """Asana rich text: `<body>` with the tags Asana accepts (strong, ul/li, a href)."""
        out = [f"<body><strong>{_h(self.title)}</strong>\n{_h(self.summary)}\n"]
        for heading, lines in self.sections:
            items = "".join(f"<li>{_a(x)}</li>" for x in lines)
            out.append(f"<strong>{_h(heading)}</strong><ul>{items}</ul>")
        out.append(f"{_h(self.marker)}</body>")
        return "".join(out)

    def wiki(self) -> str:
        """Jira wiki markup for REST v2 (Data Center)."""
        return self._plain(
            lambda t: f"*{t}*", lambda x: f"* [{x.text.replace('|', '/')}|{x.url}]" if x.url else f"* {x.text}"
        )

    def _plain(self, bold: Callable[[str], str], item: Callable[[Line], str]) -> str:
        """The text markups: bold title, summary, bold headings over bullets, the marker last."""
        out = [bold(self.title), "", self.summary]
        for heading, lines in self.sections:
            out += ["", bold(heading), *(item(x) for x in lines)]
        return "\n".join([*out, "", self.marker])

    def adf(self) -> dict[str, Any]:
        """An Atlassian Document Format document for REST v3 (Jira Cloud)."""
        content: list[dict[str, Any]] = [_para(_text(self.title, strong=True)), _para(_text(self.summary))]
        for heading, lines in self.sections:
            content.append(_para(_text(heading, strong=True)))
            content.append(
                {
                    "type": "bulletList",
                    "content": [{"type": "listItem", "content": [_para(_text(x.text, url=x.url))]} for x in lines],
                }
            )
        content.append(_para(_text(self.marker)))
        return {"type": "doc", "version": 1, "content": content}


def compose(report: Report, department: str, *, report_url: str = "") -> StatusEntry:
    """The entry one department gets: overall state, its own overdue and blocked work, hand-offs both ways."""
    overall = report.overall
    dept = report.department(department)
    pct = float(overall.counts.get("percent_done", 0.0))
    finish = overall.schedule.projected_finish
    target = overall.schedule.target
    when = ""
    if finish:
        when = f"; projected finish {finish.isoformat()}" + (f" against target {target.isoformat()}" if target else "")
    title = f"{report.instance} status {report.today.isoformat()}: {overall.health}, {pct:g}% done"
    mine = f"{department}: {dept.health}, {float(dept.counts.get('percent_done', 0.0)):g}% done"
    reasons = f" ({'; '.join(dept.reasons)})" if dept.reasons else ""
    summary = f"Overall {overall.health}, {pct:g}% done{when}. {mine}{reasons}."
    sections: list[tuple[str, tuple[Line, ...]]] = []
    overdue = [t for t in report.overdue if t.department == department]
    blocked = [t for t in report.blocked if t.department == department]
    if overdue:
        sections.append(
            (
                f"Overdue in {department} ({len(overdue)})",
                _cap([Line(f"{t.title} (due {t.due.isoformat() if t.due else '?'})", t.url) for t in overdue]),
            )
        )
    if blocked:
        sections.append((f"Blocked in {department} ({len(blocked)})", _cap([Line(t.title, t.url) for t in blocked])))
    waits = [
        _handoff_line(report, h.on, h.tasks, h.late_tasks, h.worst_late_days, department, outgoing=True)
        for h in report.handoffs
        if h.waiting == department
    ]
    if waits:
        sections.append(("Waits on other tools", _cap(waits)))
    waited = [
        _handoff_line(report, h.waiting, h.tasks, h.late_tasks, h.worst_late_days, department, outgoing=False)
        for h in report.handoffs
        if h.on == department
    ]
    if waited:
        sections.append(("Others wait on us", _cap(waited)))
    if report_url:
        sections.append(("Full report", (Line(f"{report.instance} report", report_url),)))
    return StatusEntry(report.instance, department, report.today, overall.health, pct, title, summary, tuple(sections))


def _handoff_line(
    report: Report, other: str, tasks: int, late: int, worst: int, department: str, *, outgoing: bool
) -> Line:
    """`waits on sales: 3 tasks, 1 pushed late (4 days)` linking the first open task it waits on."""
    text = f"{'waits on' if outgoing else 'waited on by'} {other}: {tasks} task{'s' if tasks != 1 else ''}"
    if late:
        text += f", {late} pushed late (up to {worst} day{'s' if worst != 1 else ''})"
    first = _first_blocker(report, waiting=department if outgoing else other, on=other if outgoing else department)
    if first is not None:
        text += f"; first: {first.title}"
    return Line(text, first.url if first is not None else "")


def _first_blocker(report: Report, *, waiting: str, on: str) -> TaskLine | None:
    """The earliest-due open task of `on` that a task of `waiting` waits for."""
    by_id = {t.id: t for t in report.tasks}
    found = [
        by_id[i]
        for t in report.tasks
        if t.open and t.department == waiting
        for i in t.waiting_on
        if i in by_id and by_id[i].department == on and by_id[i].open
    ]
    return min(found, key=lambda t: (t.due or dt.date.max, t.title), default=None)


def _cap(lines: list[Line]) -> tuple[Line, ...]:
    if len(lines) <= MAX_LINES:
        return tuple(lines)
    return (*lines[:MAX_LINES], Line(f"and {len(lines) - MAX_LINES} more (see the full report)"))


def _md(text: str) -> str:
    return text.replace("[", "(").replace("]", ")")


def _h(text: str) -> str:
    return html.escape(text, quote=False)


def _a(line: Line) -> str:
    return f'<a href="{html.escape(line.url)}">{_h(line.text)}</a>' if line.url else _h(line.text)


def _para(*nodes: dict[str, Any]) -> dict[str, Any]:
    return {"type": "paragraph", "content": list(nodes)}


def _text(text: str, *, strong: bool = False, url: str = "") -> dict[str, Any]:
    marks: list[dict[str, Any]] = []
    if strong:
        marks.append({"type": "strong"})
    if url:
        marks.append({"type": "link", "attrs": {"href": url}})
    return {"type": "text", "text": text, **({"marks": marks} if marks else {})}
