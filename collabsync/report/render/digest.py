"""Views over several reports: the e-mail digest (mail-client-safe HTML) and the portfolio page (index.html).

Mail clients drop style sheets, flexbox and SVG, so the digest is nested tables with inline styles and
no external resource. The portfolio page is for browsers: the same rows plus a trend sparkline (inline SVG).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import jinja2
from markupsafe import Markup

from collabsync.report.render.common import safe_url
from collabsync.report.rollup_model import Report, TaskLine
from collabsync.safetext import clean

__all__ = [
    "PortfolioRow",
    "portfolio_rows",
    "render_digest_html",
    "render_digest_text",
    "render_portfolio",
    "sparkline",
]

COLOURS = {"green": "#1a7f37", "amber": "#b35900", "red": "#c62828"}
LIST_LIMIT = 10


@dataclass
class PortfolioRow:
    """One instance on the portfolio page or in the digest."""

    instance: str
    health: str = ""
    percent_done: float = 0.0
    projected: dt.date | None = None
    target: dt.date | None = None
    slip_days: int | None = None
    trend: list[float] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    link: str = ""
    error: str = ""
    report: Report | None = None


def portfolio_rows(
    reports: Sequence[Report], links: dict[str, str] | None = None, errors: dict[str, str] | None = None
) -> list[PortfolioRow]:
    """One row per report (percent-done trend from its history), plus a row per instance that failed."""
    rows = []
    for r in reports:
        sched = r.overall.schedule
        rows.append(
            PortfolioRow(
                r.instance,
                r.overall.health,
                float(r.overall.counts.get("percent_done", 0.0)),
                sched.projected_finish,
                sched.target,
                sched.slip_days,
                _trend(r),
                list(r.stale_departments),
                (links or {}).get(r.instance, ""),
                report=r,
            )
        )
    rows += [PortfolioRow(name, error=why, link=(links or {}).get(name, "")) for name, why in (errors or {}).items()]
    return rows


def _trend(report: Report) -> list[float]:
    """Percent done (the headline's, by task count) per stored snapshot, latest per day, ending with the report."""
    by_day = {str(head["today"])[:10]: float(head.get("percent_done") or 0.0) for head in report.history}
    by_day[report.today.isoformat()] = float(report.overall.counts.get("percent_done", 0.0))
    return [by_day[d] for d in sorted(by_day)]


def sparkline(values: Sequence[float], width: int = 120, height: int = 24) -> Markup:
    """A small inline SVG of percent done over time (0 to 100), or nothing for fewer than two points."""
    if len(values) < 2:
        return Markup("")
    step = width / (len(values) - 1)
    points = " ".join(
        f"{i * step:.1f},{height - 2 - (height - 4) * min(max(v, 0.0), 100.0) / 100:.1f}" for i, v in enumerate(values)
    )
    return Markup(
        '<svg class="spark" role="img" aria-label="percent done from {a:g}% to {b:g}%" width="{w}" '
        'height="{h}" viewBox="0 0 {w} {h}"><polyline fill="none" stroke="#0b57d0" stroke-width="1.5" '
        'points="{p}"/></svg>'
    ).format(a=values[0], b=values[-1], w=width, h=height, p=points)


def render_digest_html(rows: Sequence[PortfolioRow], *, title: str) -> str:
    """The e-mail's HTML part: self-contained, tables and inline styles only."""
    return _env().from_string(_DIGEST).render(rows=rows, title=title, limit=LIST_LIMIT)


def render_digest_text(markdowns: Sequence[str]) -> str:
    """The e-mail's text part: every report's Markdown, one after another."""
    return "\n\n---\n\n".join(m.rstrip() for m in markdowns) + "\n"


def render_portfolio(rows: Sequence[PortfolioRow], *, title: str, generated: str) -> str:
    """index.html: every instance with health, progress, finish against target, trend, stale tools, links."""
    return _env().from_string(_PORTFOLIO).render(rows=rows, title=title, generated=generated)


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True, finalize=_finalize
    )
    env.globals.update(
        colour=lambda h: COLOURS.get(h, "#555555"), link=_link, spark=sparkline, d=lambda v: v.isoformat() if v else "—"
    )
    return env


def _finalize(value: object) -> object:
    """Printed text loses its control characters; markup we built stays markup."""
    if isinstance(value, Markup):
        return Markup(clean(str(value)))
    return clean(value) if isinstance(value, str) else value


def _link(task: TaskLine) -> Markup:
    url = safe_url(task.url)
    if not url:
        return Markup("{}").format(clean(task.title))
    return Markup('<a href="{}" style="color:#0b57d0">{}</a>').format(url, clean(task.title))


_FINISH = (
    "{% macro finish(row) %}{{ d(row.projected) }}{% if row.target %} (target {{ d(row.target) }}"
    "{% if row.slip_days %}, {{ '%+d' % row.slip_days }} days{% endif %}){% endif %}{% endmacro %}"
)

_DIGEST = (
    _FINISH
    + """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body style="margin:0;padding:0;background:#ffffff;font-family:Arial,Helvetica,sans-serif;color:#1f1f1f">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"><tr><td style="padding:16px">
<h1 style="font-size:20px;margin:0 0 12px 0">{{ title }}</h1>
{% for row in rows %}
<table role="presentation" width="100%" cellpadding="6" cellspacing="0" border="0"
       style="border:1px solid #d0d7de;margin:0 0 16px 0;border-collapse:collapse">
<tr><td colspan="5" style="background:#f6f8fa;font-size:16px"><strong>{{ row.instance }}</strong>
{% if row.error %} &mdash; <span style="color:#c62828">report failed: {{ row.error }}</span>{% else %}
 &mdash; <span style="color:#ffffff;background:{{ colour(row.health) }};padding:2px 6px">{{ row.health }}</span>
 {{ '%g' % row.percent_done }}% done &middot; projected finish {{ finish(row) }}
{% if row.stale %} &middot; <span style="color:#b35900">stale: {{ row.stale | join(', ') }}</span>{% endif %}
{% endif %}</td></tr>
{% if row.report %}{% set r = row.report %}
<tr style="font-size:13px;color:#57606a"><td>Department</td><td>Health</td><td>Done</td><td>Overdue</td>
<td>Blocked</td></tr>
{% for g in r.departments %}
<tr style="font-size:13px;border-top:1px solid #eaeef2"><td>{{ g.name }}</td>
<td style="color:{{ colour(g.health) }}"><strong>{{ g.health }}</strong></td>
<td>{{ '%g' % g.counts.percent_done }}%</td>
<td>{{ g.counts.overdue }}</td><td>{{ g.counts.blocked }}</td></tr>
{% endfor %}
{% for name, items in [('Overdue', r.overdue), ('Blocked', r.blocked)] if items %}
<tr><td colspan="5" style="font-size:13px"><strong>{{ name }}</strong> ({{ items | length }})<br>
{% for t in items[:limit] %}{{ link(t) }} &middot; {{ t.department }}{% if t.due %}, due {{ d(t.due) }}{% endif %}<br>
{% endfor %}{% if items | length > limit %}and {{ items | length - limit }} more<br>{% endif %}</td></tr>
{% endfor %}
{% if r.handoffs %}<tr><td colspan="5" style="font-size:13px"><strong>Waiting across departments</strong><br>
{% for h in r.handoffs %}{{ h.waiting }} waits on {{ h.on }}: {{ h.tasks }} task{{ '' if h.tasks == 1 else 's' }}
{% if h.late_tasks %}, {{ h.late_tasks }} pushed late (up to {{ h.worst_late_days }} days){% endif %}<br>
{% endfor %}</td></tr>{% endif %}
{% endif %}
</table>
{% endfor %}
<p style="font-size:12px;color:#57606a">Sent by collabsync.</p>
</td></tr></table></body></html>
"""
)

_PORTFOLIO = (
    _FINISH
    + """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
body{font-family:system-ui,Arial,sans-serif;margin:24px;color:#1f1f1f}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #d0d7de}
th{font-size:13px;color:#57606a}.health{color:#fff;padding:2px 8px;border-radius:3px}.stale{color:#b35900}
.error{color:#c62828}
</style></head>
<body>
<h1>{{ title }}</h1>
<p>Generated {{ generated }}. {{ rows | length }} instance{{ '' if rows | length == 1 else 's' }}.</p>
<table id="portfolio">
<thead><tr><th>Instance</th><th>Health</th><th>Done</th><th>Projected finish</th><th>Trend</th>
<th>Stale tools</th></tr></thead>
<tbody>
{% for row in rows %}
<tr data-instance="{{ row.instance }}">
<td>{% if row.link %}<a href="{{ row.link }}">{{ row.instance }}</a>{% else %}{{ row.instance }}{% endif %}</td>
{% if row.error %}<td colspan="5" class="error">report failed: {{ row.error }}</td>{% else %}
<td><span class="health" style="background:{{ colour(row.health) }}">{{ row.health }}</span></td>
<td>{{ '%g' % row.percent_done }}%</td><td>{{ finish(row) }}</td><td>{{ spark(row.trend) }}</td>
<td>{% if row.stale %}<span class="stale">{{ row.stale | join(', ') }}</span>{% else %}—{% endif %}</td>
{% endif %}</tr>
{% endfor %}
</tbody></table>
</body></html>
"""
)
