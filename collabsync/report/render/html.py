"""The report as one self-contained HTML file: inline CSS and SVG, no scripts, no external requests.

Every piece of tool text goes through Jinja2's autoescaping; links are kept only for http(s) URLs.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from collabsync.report.render.common import (
    CHANGE_LABELS,
    STATUS_LABELS,
    change_detail,
    fmt_date,
    safe_url,
    signed_days,
    variance_text,
)
from collabsync.report.render.svg import BAR_ORDER, BAR_WIDTH, bar_segments, burn_up
from collabsync.report.rollup_model import Report, TaskLine
from collabsync.safetext import clean

__all__ = ["render_html", "LIST_LIMIT"]

LIST_LIMIT = 12  # items shown per list; the CSV and JSON carry them all

_CSS = """
:root { --green:#2e7d32; --amber:#e69500; --red:#c62828; --done:#2e7d32; --in_progress:#1e88e5;
  --blocked:#c62828; --todo:#b0bec5; --ink:#1f2933; --muted:#616e7c; --line:#e4e7eb; }
* { box-sizing:border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
  color:var(--ink); background:#f5f7fa; }
main { max-width:1040px; margin:0 auto; padding:24px; }
header.top { display:flex; gap:20px; align-items:center; background:#fff; border:1px solid var(--line);
  border-radius:10px; padding:18px 22px; }
.badge { display:inline-block; padding:3px 10px; border-radius:999px; color:#fff; font-weight:600;
  text-transform:uppercase; font-size:12px; letter-spacing:.04em; }
.badge.big { font-size:18px; padding:10px 18px; }
.green { background:var(--green); } .amber { background:var(--amber); } .red { background:var(--red); }
.dot { background:none; } .dot.green { color:var(--green); } .dot.amber { color:var(--amber); } .dot.red { color:var(--red); }
h1 { margin:0; font-size:22px; } h2 { font-size:16px; margin:0 0 10px; }
.muted { color:var(--muted); } .nowrap { white-space:nowrap; } .small { font-size:12px; }
section { background:#fff; border:1px solid var(--line); border-radius:10px; padding:16px 20px; margin-top:16px; }
.kpis { display:grid; grid-template-columns:repeat(auto-fit,minmax(150px,1fr)); gap:12px; margin-top:16px; }
.kpi { background:#fff; border:1px solid var(--line); border-radius:10px; padding:12px 14px; }
.kpi b { display:block; font-size:20px; }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; padding:6px 8px; border-bottom:1px solid var(--line); vertical-align:middle; }
th { font-size:12px; color:var(--muted); font-weight:600; }
td.num, th.num { text-align:right; }
tr.stale td { background:repeating-linear-gradient(45deg,#fff8e1,#fff8e1 6px,#fff 6px,#fff 12px); }
.stale-tag { color:#8a5a00; font-size:12px; font-weight:600; }
.bar { width:100%; max-width:320px; height:18px; display:block; }
.legend span { display:inline-flex; align-items:center; gap:4px; margin-right:12px; font-size:12px; }
.legend i { width:10px; height:10px; border-radius:2px; display:inline-block; }
ul.items { margin:0; padding-left:18px; } ul.items li { margin:3px 0; }
ol.path li { margin:3px 0; }
.grid2 { display:grid; grid-template-columns:1fr 1fr; gap:16px; }
@media (max-width:760px) { .grid2 { grid-template-columns:1fr; } }
.reasons { margin:6px 0 0; padding-left:18px; }
svg text { font:11px system-ui,sans-serif; fill:var(--muted); }
"""

_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>{{ r.instance }} status report</title>
<style>{{ css|safe }}</style></head>
<body><main>
<header class="top">
  <span class="badge big {{ r.overall.health }}" id="overall-health">{{ r.overall.health }}</span>
  <div>
    <h1>{{ r.instance }}{% if r.template %} <span class="muted">({{ r.template }})</span>{% endif %}</h1>
    <div class="muted">As of {{ r.today|d }}{% if r.generated_at %} · generated {{ r.generated_at|d }}{% endif %}
      · {{ r.overall.providers|join(", ") }}</div>
    {% if r.summary %}<p class="summary" id="summary"><b>{{ r.summary }}</b></p>{% endif %}
    {% if r.overall.reasons %}<ul class="reasons">{% for reason in r.overall.reasons %}<li>{{ reason }}</li>{% endfor %}</ul>{% endif %}
  </div>
</header>
{% set s = r.overall.schedule %}
<div class="kpis">
  <div class="kpi"><b>{{ r.overall.counts.percent_done }}%</b> done ({{ r.overall.percent_done_estimate }}% by estimate)</div>
  <div class="kpi"><b>{{ pct(s.actual_share) }} / {{ pct(s.planned_share) }}</b> actual / planned</div>
  <div class="kpi"><b>{{ variance(s.variance_days) }}</b> schedule variance</div>
  <div class="kpi"><b>{{ s.projected_finish|d }}</b> projected finish · target {{ s.target|d }}{% if s.slip_days is not none %} ({{ days(s.slip_days) }}){% endif %}</div>
  <div class="kpi"><b>{{ r.overall.counts.overdue }} / {{ r.overall.counts.blocked }}</b> overdue / blocked</div>
</div>

<section id="departments"><h2>Departments</h2>
<div class="legend">{% for st in bar_order %}<span><i style="background:var(--{{ st }})"></i>{{ labels[st] }}</span>{% endfor %}</div>
<table><thead><tr><th>Department</th><th>Tool</th><th>Health</th><th>Progress</th><th class="num">Done</th>
<th class="num">Overdue</th><th>Schedule</th><th>Projected finish</th></tr></thead><tbody>
{% for g in r.departments %}
<tr class="dept{% if g.stale %} stale{% endif %}" data-department="{{ g.name }}">
  <td><b>{{ g.name }}</b>{% if g.stale %}<br><span class="stale-tag">stale · data from {{ g.stale_since|d }}</span>{% endif %}</td>
  <td>{{ g.providers|join(", ") or "—" }}</td>
  <td><span class="badge {{ g.health }}" title="{{ g.reasons|join('; ') }}">{{ g.health }}</span>{% if g.cause == "waiting" %}<br><span class="small muted">waits on {{ g.waits_on|join(", ") }}</span>{% elif g.cause == "own" %}<br><span class="small muted">own work</span>{% endif %}</td>
  <td><svg class="bar" data-department="{{ g.name }}" viewBox="0 0 {{ bar_width }} 18" preserveAspectRatio="none" role="img"
    aria-label="{{ g.name }}: {% for seg in segments(g) %}{{ seg.count }} {{ labels[seg.status] }}{% if not loop.last %}, {% endif %}{% endfor %}">
    <rect x="0" y="0" width="{{ bar_width }}" height="18" fill="#eef1f4"/>
    {% for seg in segments(g) %}<rect class="seg seg-{{ seg.status }}" data-status="{{ seg.status }}" x="{{ seg.x }}" y="0" width="{{ seg.width }}" height="18" fill="var(--{{ seg.status }})"><title>{{ seg.count }} {{ labels[seg.status] }}</title></rect>{% endfor %}
  </svg><span class="small muted">{{ g.counts.done }} of {{ g.counts.total - g.counts.cancelled }}{% if g.counts.cancelled %} (+{{ g.counts.cancelled }} cancelled){% endif %}</span>
  {% set trend = r.trends.get(g.name, []) %}{% if trend|length > 1 %}<br><span class="small muted trend" title="health and % done per stored report">trend {% for t in trend[-6:] %}<span class="dot {{ t.health }}">●</span>{% endfor %} {{ trend[-6:]|map(attribute="percent_done")|map("int")|join("→") }}%</span>{% endif %}</td>
  <td class="num">{{ g.counts.percent_done }}%</td>
  <td class="num">{{ g.counts.overdue }}</td>
  <td>{{ variance(g.schedule.variance_days) }}</td>
  <td class="nowrap">{{ g.schedule.projected_finish|d }}<br><span class="small muted">target {{ g.schedule.target|d }}{% if g.schedule.slip_days %} ({{ days(g.schedule.slip_days) }}){% endif %}</span></td>
</tr>
{% endfor %}
</tbody></table></section>

{% if r.phases %}<section id="phases"><h2>Phases</h2>
<table><thead><tr><th>Phase</th><th>Planned</th><th class="num">Done</th><th class="num">Late</th><th>Projected end</th><th>Milestones</th></tr></thead><tbody>
{% for p in r.phases %}<tr data-phase="{{ p.key }}"><td><b>{{ p.title }}</b></td><td class="nowrap">{{ p.start|d }} → {{ p.end|d }}</td><td class="num">{{ p.done }} / {{ p.total }}</td><td class="num">{{ p.late }}</td>
<td class="nowrap">{% if p.done == p.total %}finished{% else %}{{ p.projected_end|d }}{% endif %}</td>
<td>{% for m in p.milestones %}◆ {{ m.title }} <span class="muted small">{{ m.due|d }}{% if m.status == "done" %} · reached{% elif m.projected and m.due and m.projected > m.due %} · projected {{ m.projected|d }}{% endif %}</span>{% if not loop.last %}<br>{% endif %}{% endfor %}</td></tr>
{% endfor %}</tbody></table></section>{% endif %}

{% if r.handoffs %}<section id="handoffs"><h2>Hand-offs: who waits on whom</h2>
<table><thead><tr><th>Department</th><th>waits on</th><th class="num">Open tasks waiting</th><th class="num">Late because of it</th><th class="num">Up to</th></tr></thead><tbody>
{% for h in r.handoffs[:limit] %}<tr><td>{{ h.waiting }}</td><td>{{ h.on }}</td><td class="num">{{ h.tasks }}</td><td class="num">{{ h.late_tasks }}</td><td class="num">{% if h.worst_late_days %}{{ h.worst_late_days }} business days{% else %}—{% endif %}</td></tr>
{% endfor %}</tbody></table>
{% if r.handoffs|length > limit %}<p class="muted small more">… and {{ r.handoffs|length - limit }} more pairs (all in the JSON format).</p>{% endif %}</section>{% endif %}

<section id="burnup"><h2>Burn-up: done work against plan</h2>
{% set b = burn %}
<svg viewBox="0 0 {{ b.width }} {{ b.height }}" width="100%" role="img" aria-label="burn-up chart">
  {% for yy, label in b.y_labels %}<line x1="{{ b.left }}" x2="{{ b.width - b.right }}" y1="{{ yy }}" y2="{{ yy }}" stroke="#e4e7eb"/>
  <text x="{{ b.left - 6 }}" y="{{ yy + 4 }}" text-anchor="end">{{ label }}</text>{% endfor %}
  {% for xx, label in b.x_labels %}<text x="{{ xx }}" y="{{ b.height - b.bottom + 18 }}" text-anchor="{{ 'start' if loop.first else 'end' }}">{{ label }}</text>{% endfor %}
  {% if b.today_x is not none %}<line x1="{{ b.today_x }}" x2="{{ b.today_x }}" y1="{{ b.top }}" y2="{{ b.height - b.bottom }}" stroke="#9aa5b1" stroke-dasharray="3 3"/>
  <text x="{{ b.today_x }}" y="{{ b.height - 6 }}" text-anchor="middle">today</text>{% endif %}
  {% if b.plan %}<polyline class="plan" points="{{ b.plan }}" fill="none" stroke="#7b8794" stroke-width="2"/>{% endif %}
  {% if b.scope %}<polyline class="scope" points="{{ b.scope }}" fill="none" stroke="#cbd2d9" stroke-width="2" stroke-dasharray="6 4"/>{% endif %}
  {% if b.done %}<polyline class="done" points="{{ b.done }}" fill="none" stroke="var(--done)" stroke-width="2.5"/>{% endif %}
  {% for xx, yy, label in b.dots %}<circle cx="{{ xx }}" cy="{{ yy }}" r="3.5" fill="var(--done)"><title>{{ label }}</title></circle>{% endfor %}
</svg>
<div class="legend"><span><i style="background:#7b8794"></i>plan</span><span><i style="background:var(--done)"></i>done</span>
<span><i style="background:#cbd2d9"></i>scope</span><span class="muted">work = estimates (1 per task without one); {{ r.history|length }} stored snapshot(s)</span></div>
</section>

<div class="grid2">
{% for title, items, ident in lists %}
<section id="{{ ident }}"><h2>{{ title }} ({{ items|length }})</h2>
{% if items %}<ul class="items">{% for t in items[:limit] %}<li>{{ link(t) }} <span class="muted small">{{ t.department }} / {{ t.provider }} · due {{ t.due|d }}{% if t.assignee %} · {{ t.assignee }}{% endif %}</span>
{% if ident == "waiting" %}<br><span class="small">waits on {% for dep in t.waiting_on %}{% set o = r.task(dep) %}{{ link(o) }} <span class="muted">({{ o.department }} / {{ o.provider }})</span>{% if not loop.last %}, {% endif %}{% endfor %}</span>{% endif %}</li>{% endfor %}</ul>
{% if items|length > limit %}<p class="muted small more">… and {{ items|length - limit }} more (all in the CSV and JSON formats).</p>{% endif %}
{% else %}<p class="muted">None.</p>{% endif %}
</section>
{% endfor %}
</div>

<section id="critical-path"><h2>Critical path of the remaining work ({{ r.critical_path_days }} business days)</h2>
{% if r.critical_path %}<ol class="path">{{ path_items }}</ol>
{% else %}<p class="muted">No open work.</p>{% endif %}
</section>

<section id="changes"><h2>Changes since the previous snapshot</h2>
{% set c = r.changes %}
{% if not c or c.previous_id is none %}<p class="muted">No earlier snapshot to compare with.</p>
{% else %}<p class="muted small">Compared with the snapshot of {{ c.previous_taken_at|d }}.</p>
{% set ns = namespace(any=false) %}<ul class="items">
{% for key, label in change_labels %}{% for item in c[key] %}{% set ns.any = true %}<li><b>{{ label }}:</b> {{ link(item) }} <span class="muted small">{{ item.department }}{{ change_detail(key, item) }}</span></li>{% endfor %}{% endfor %}
</ul>{% if not ns.any %}<p class="muted">Nothing changed.</p>{% endif %}{% endif %}
</section>

<div class="grid2">
<section id="assignees"><h2>Contribution per assignee</h2>
<table><thead><tr><th>Who</th><th class="num">Done</th><th class="num">Done estimate</th><th class="num">Open</th><th class="num">On time</th><th class="num">For others</th><th>Done / open per department and tool</th></tr></thead><tbody>
{% for row in r.assignees %}<tr><td>{{ row.name }}</td><td class="num">{{ row.done_tasks }}</td><td class="num">{{ "%g"|format(row.done_estimate) }}</td><td class="num">{{ row.open_tasks }}</td><td class="num">{% if row.on_time_rate is none %}—{% else %}{{ "%g"|format(row.on_time_rate) }}%{% endif %}</td><td class="num" title="done work another department waited on">{{ row.done_for_others }}</td><td class="small">{% for s in row.by_tool %}{{ s.department }} ({{ s.provider }}) {{ s.done }}/{{ s.open }}{% if not loop.last %}, {% endif %}{% endfor %}</td></tr>{% endfor %}
</tbody></table></section>
<section id="contributions"><h2>Contribution per department</h2>
<table><thead><tr><th>Department</th><th class="num">Done</th><th class="num">Done estimate</th><th class="num">Open</th><th class="num">On time</th><th class="num">For others</th></tr></thead><tbody>
{% for row in r.contributions %}<tr><td>{{ row.name }}</td><td class="num">{{ row.done_tasks }}</td><td class="num">{{ "%g"|format(row.done_estimate) }}</td><td class="num">{{ row.open_tasks }}</td><td class="num">{% if row.on_time_rate is none %}—{% else %}{{ "%g"|format(row.on_time_rate) }}%{% endif %}</td><td class="num" title="done work another department waited on">{{ row.done_for_others }}</td></tr>{% endfor %}
</tbody></table></section>
</div>
{% if r.warnings %}<section id="warnings"><h2>Warnings</h2><ul class="items">{% for w in r.warnings %}<li>{{ w }}</li>{% endfor %}</ul></section>{% endif %}
<p class="muted small">collabsync report · schema {{ r.schema_version }}</p>
</main></body></html>
"""


#: The template's Python source made ahead of time (render/compiled.py), used while it matches the template.
COMPILED = Path(__file__).with_name("html.compiled")
TEMPLATE_SOURCE = _TEMPLATE


def environment() -> jinja2.Environment:
    """Autoescaping on for everything, unknown names fail loudly."""
    env = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True, finalize=_finalize
    )
    env.filters["d"] = _fmt_any
    return env


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    """Compiled once a process, from the source made ahead when it still matches the template."""
    from collabsync.report.render.compiled import template

    return template(environment(), _TEMPLATE, COMPILED)


def _finalize(value: Any) -> Any:
    """Every printed value loses its control characters; markup we built stays markup."""
    if isinstance(value, Markup):
        return Markup(clean(str(value)))
    return clean(value) if isinstance(value, str) else value


def _link(task: TaskLine | dict[str, Any]) -> Markup:
    """A task's title, linked into its tool when the URL is http(s); both escaped."""
    get = task.get if isinstance(task, dict) else lambda name: getattr(task, name)
    title = escape(clean(get("title") or get("ref") or get("id")))
    url = safe_url(get("url"))
    if not url:
        return Markup(title)
    return Markup('<a href="{}" rel="noopener noreferrer">{}</a>').format(url, title)


def _fmt_any(value: dt.date | str | None) -> str:
    """fmt_date for dates and for the ISO strings of attached history/changes."""
    if isinstance(value, str):
        text = value
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            return text
    return fmt_date(value)


def _path_items(report: Report) -> Markup:
    """The critical path's <li> items, built as the template would build them (each value cleaned and escaped):
    a path of a 100k-task report has thousands of steps, and a template loop costs several times more.

    `clean` drops characters one by one and `escape` neither makes nor touches them, so cleaning the joined items once
    gives what cleaning each value did; titles are escaped in one call over them all (`_escaped`), links are looked
    at only when some could be http(s) (`_links`), the few departments, tools and lengths are escaped once each, and
    the days are C-level isoformat calls (an ISO day or "—" holds nothing to escape)."""
    steps = report.critical_path
    tasks = [step.task for step in steps]
    titles = _escaped([task.title or task.ref or task.id for task in tasks])
    links = _links([task.url for task in tasks], titles)
    departments = _escaped_once([task.department for task in tasks])
    providers = _escaped_once([task.provider for task in tasks])
    lengths = _escaped_once([step.duration_days for step in steps], blank_false=False)
    finishes = [step.finish for step in steps]
    if set(map(type, finishes)) == {dt.date}:  # (a chain's steps mostly end on days of their own)
        ends = list(map(dt.date.isoformat, finishes))
    else:
        ends = list(map(fmt_date, finishes))
    items = [
        f'<li>{link} <span class="muted small">{department} / {provider} · {length} d · ends {end}</span></li>'
        for link, department, provider, length, end in zip(links, departments, providers, lengths, ends, strict=True)
    ]
    return Markup(clean("".join(items)))


_GLUE = "\x00"  # joins values escaped or searched together; a value holding it is taken alone


def _escaped(values: list[Any]) -> list[str]:
    """str(escape(v)) of each value: one escape over all of them joined when they are plain strings without the glue."""
    if values and set(map(type, values)) == {str}:
        text = _GLUE.join(values)
        if text.count(_GLUE) == len(values) - 1:
            return str(escape(text)).split(_GLUE)
    return [str(escape(value)) for value in values]


def _escaped_once(values: list[Any], *, blank_false: bool = True) -> list[str]:
    """str(escape(v)) of each of a few distinct values (departments, tools, lengths), each escaped once; with
    `blank_false`, a false value (None, "") shows as ""."""
    text = {value: str(escape((value or "") if blank_false else value)) for value in set(values)}
    return list(map(text.__getitem__, values))


def _links(urls: list[str | None], titles: list[str]) -> list[str]:
    """Each escaped title, linked when its URL is http(s). No URL can be unless "http" is in it once TAB, CR and LF are
    dropped (all that urlsplit drops inside a URL) and case is folded: without one, the titles are the links."""
    if set(map(type, urls)) == {str}:
        text = _GLUE.join(urls).lower()  # type: ignore[arg-type]
        if "http" not in text.replace("\t", "").replace("\r", "").replace("\n", ""):
            return titles
    out = []
    for url, title in zip(urls, titles, strict=True):
        safe = safe_url(url)
        out.append(f'<a href="{escape(safe)}" rel="noopener noreferrer">{title}</a>' if safe else title)
    return out


def render_html(report: Report) -> str:
    """The whole report as one HTML document."""
    lists = [
        ("Overdue", report.overdue, "overdue"),
        ("Blocked", report.blocked, "blocked"),
        ("Due in the next 7 days", report.due_soon, "due-soon"),
        ("Waiting on a dependency", report.waiting, "waiting"),
    ]
    return _template().render(
        r=report,
        css=_CSS,
        limit=LIST_LIMIT,
        bar_order=BAR_ORDER,
        bar_width=int(BAR_WIDTH),
        labels=STATUS_LABELS,
        segments=bar_segments,
        burn=burn_up(report),
        lists=lists,
        path_items=_path_items(report),
        change_labels=CHANGE_LABELS,
        change_detail=change_detail,
        link=_link,
        pct=lambda v: "—" if v is None else f"{v:g}%",
        variance=variance_text,
        days=signed_days,
    )
