"""The report as a short terminal summary: what `collabsync report` prints when no format is asked for."""

from __future__ import annotations

from collabsync.report.render.common import fmt_date, signed_days
from collabsync.report.rollup_model import Report

__all__ = ["render_text"]


def render_text(report: Report) -> str:
    """Headline and summary, one line per department, then the hand-offs; the HTML has the rest."""
    o, s = report.overall, report.overall.schedule
    name = report.instance + (f" ({report.template})" if report.template else "")
    out = [f"{name}: {o.health.upper()} as of {fmt_date(report.today)}", report.summary, ""]
    width = max([len(g.name) for g in report.departments] + [10])
    for g in report.departments:
        why = ("waits on " + ", ".join(g.waits_on)) if g.cause == "waiting" else "; ".join(g.reasons[:2])
        done = f"{g.counts['done']}/{g.counts['total'] - g.counts['cancelled']} done"
        stale = f" [stale since {fmt_date(g.stale_since)}]" if g.stale else ""
        out.append(
            f"  {g.name:<{width}}  {g.health:<5}  {done:>10}  {', '.join(g.providers):<8}  {why}{stale}".rstrip()
        )
    if s.projected_finish:
        out += [
            "",
            f"Projected finish {fmt_date(s.projected_finish)}, target {fmt_date(s.target)}"
            + (f" ({signed_days(s.slip_days)})" if s.slip_days is not None else ""),
        ]
    late = [h for h in report.handoffs if h.late_tasks]
    if late:
        out += ["", "Hand-offs running late:"]
        out += [
            f"  {h.waiting} waits on {h.on}: {h.late_tasks} of {h.tasks} waiting tasks late, up to "
            f"{h.worst_late_days} business days"
            for h in late
        ]
    out += ["", f"Full report: collabsync report {report.instance} --format html --output {report.instance}.html"]
    return "\n".join(out) + "\n"
