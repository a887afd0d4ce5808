"""Every shipped template, stamped on local, is green on its first day and turns colour only for late work.

"Today" is injected with --today, never read from the clock.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from collabsync.cli import main
from collabsync.model import ProjectSpec
from collabsync.templating.template import find_template

SHIPPED = {
    "product-launch": {"product": "Nova", "launch": "2027-03-01"},
    "collaboration-program": {"program": "Bridge", "start": "2027-01-11"},
    "customer-onboarding": {"customer": "Acme Corp", "kickoff": "2027-02-01"},
}


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def roles_of(template: str) -> dict[str, str]:
    """Each of the template's roles bound to its own person."""
    return {role: f"{role}@acme.example" for role in find_template(template).data["roles"]}


def stamp(template: str, name: str = "p") -> ProjectSpec:
    values, roles = SHIPPED[template], roles_of(template)
    run(
        "stamp",
        template,
        "--name",
        name,
        *[a for k, v in values.items() for a in ("--var", f"{k}={v}")],
        *[a for k, v in roles.items() for a in ("--role", f"{k}={v}")],
        "--yes",
    )
    return find_template(template).render(name, values, roles)


def report(day: dt.date, name: str = "p") -> dict[str, Any]:
    return json.loads(run("report", name, "--format", "json", "--no-save", "--today", day.isoformat()))


def colours(data: dict[str, Any]) -> dict[str, str]:
    return {g["name"]: g["health"] for g in data["departments"]}


@pytest.mark.parametrize("template", sorted(SHIPPED))
def test_freshly_stamped_template_is_green_on_day_zero_and_as_planned(isolated_home: Path, template: str) -> None:
    spec = stamp(template)
    first = min(t.start for t in spec.tasks if t.start)
    for day in (first - dt.timedelta(days=30), first):
        data = report(day)
        assert data["overall"]["health"] == "green", (day, data["overall"]["reasons"])
        assert set(colours(data).values()) == {"green"}
        assert [t["key"] for t in data["tasks"] if t["late_days"]] == []
        assert data["overall"]["schedule"]["projected_finish"] == data["overall"]["schedule"]["target"]
        assert data["summary"].startswith("On track: every department's work fits its dates (0 of ")
        assert "(unassigned)" not in {a["name"] for a in data["assignees"]}
    # Work done as planned stays green half way through: what was due is done, what began is started.
    dues = sorted({t.due for t in spec.tasks if t.due})
    today = dues[len(dues) // 2]  # half way through the plan's due dates
    for task in spec.tasks:
        if task.due and task.due < today:
            run("update", "p", task.key, "--status", "done", "--force")
        elif task.start and task.start < today:
            run("update", "p", task.key, "--status", "in_progress")
    data = report(today)
    assert data["overall"]["health"] == "green", data["overall"]["reasons"]


def test_done_with_open_prerequisites_is_refused_unless_forced(isolated_home: Path) -> None:
    stamp("product-launch")
    result = CliRunner().invoke(main, ["update", "p", "pricing", "--status", "done"])
    assert result.exit_code == 1
    assert "waits on open work: win-loss-review (sales, todo), business-case (finance, todo)" in result.output
    assert "pass --force" in result.output
    assert json.loads(run("tasks", "p", "--status", "done", "--format", "json")) == []
    assert run("update", "p", "pricing", "--status", "done", "--force").strip().endswith("p/pricing: done (local)")


def test_late_work_is_its_owners_and_waiting_for_those_behind_it(isolated_home: Path) -> None:
    spec = stamp("product-launch")
    run("update", "p", "market-sizing", "--status", "done")
    run("update", "p", "win-loss-review", "--status", "done")
    # The business case (finance, due 8 Dec) is still to do on 11 Dec, when the scope freeze should start.
    day = spec.task("scope-freeze").start
    assert day == dt.date(2026, 12, 11) and spec.task("business-case").due == dt.date(2026, 12, 8)
    depts = {g["name"]: g for g in report(day)["departments"]}
    assert (depts["finance"]["health"], depts["finance"]["cause"]) == ("amber", "own")
    assert depts["finance"]["reasons"][0] == "1 of 6 open tasks overdue (17%)"
    # Marketing's brief and engineering's scope freeze cannot start until the business case is done.
    for name in ("marketing", "engineering"):
        assert (depts[name]["health"], depts[name]["cause"], depts[name]["waits_on"]) == (
            "amber",
            "waiting",
            ["finance"],
        )
        assert depts[name]["reasons"] == ["waits on finance: 1 task pushed late (up to 5 business days)"]
    assert depts["sales"]["health"] == "green"  # sales did its part and waits on nothing late
    data = report(day)
    assert data["summary"] == (
        "On track except finance: 1 task late (up to 5 business days); "
        "marketing and engineering wait on finance (2 of 45 tasks done)."
    )
    assert {"waiting": "marketing", "on": "finance", "tasks": 5, "late_tasks": 1, "worst_late_days": 5} in data[
        "handoffs"
    ]
    # Three weeks on, still not done: finance's own work is red, and the chain behind it is red too.
    data = report(day + dt.timedelta(days=21))
    depts = {g["name"]: g for g in data["departments"]}
    assert (depts["finance"]["health"], depts["finance"]["cause"]) == ("red", "own")
    assert (depts["engineering"]["health"], depts["engineering"]["waits_on"]) == ("red", ["finance"])
    assert depts["engineering"]["cause"] == "waiting"  # behind plan only because it could not start
    assert "17 days behind plan (waiting on finance)" in depts["engineering"]["reasons"]
    assert data["summary"].startswith("Behind: finance: 2 tasks late (up to 19 business days); ")
    late = {t["key"]: t for t in data["tasks"] if t["late_days"]}
    assert late["business-case"]["late_because"] is None
    assert late["launch-brief"]["late_because"] == late["scope-freeze"]["late_because"] == "finance"


def test_colours_at_set_dates_with_set_progress(isolated_home: Path) -> None:
    spec = stamp("customer-onboarding")
    first = spec.tasks[0]
    assert (first.key, first.department, first.due) == ("handover-doc", "sales", dt.date(2027, 1, 22))
    # On its due day, not started: two days of work cannot fit, so sales is amber for its own work.
    assert [g["cause"] for g in report(first.due)["departments"] if g["name"] == "sales"] == ["own"]
    run("update", "p", "handover-doc", "--status", "in_progress")  # started on its planned start
    assert report(first.due)["overall"]["health"] == "green"  # due today, on time: green
    later = first.due + dt.timedelta(days=4)  # Tue 26th, nothing done
    depts = {g["name"]: g for g in report(later)["departments"]}
    assert (depts["sales"]["health"], depts["sales"]["cause"]) == ("amber", "own")
    assert depts["finance"]["waits_on"] == ["sales"]
    # Done late: sales is no longer late for its own work, only waiting on what it now needs.
    run("update", "p", "handover-doc", "--status", "done")
    depts = {g["name"]: g for g in report(later)["departments"]}
    assert (depts["sales"]["cause"], depts["sales"]["waits_on"]) == ("waiting", ["finance"])
    # Nothing more done three weeks later: every department is red.
    data = report(later + dt.timedelta(days=21))
    assert data["overall"]["health"] == "red" and "red" in {g["health"] for g in data["departments"]}


@pytest.mark.parametrize("template", sorted(SHIPPED))
def test_shipped_templates_cover_partners_assign_work_and_keep_a_rhythm(template: str) -> None:
    spec = find_template(template).render("p", SHIPPED[template])
    assert {t.department for t in spec.tasks} == set(spec.departments)  # every partner has work
    assert "sales" in spec.departments and len(spec.departments) >= 6
    assert all(t.role for t in spec.tasks) and not any(t.assignee for t in spec.tasks)  # unbound: unassigned
    bound = find_template(template).render("p", SHIPPED[template], roles_of(template))
    assert all(t.assignee for t in bound.tasks)  # contribution is never empty
    assert len({t.assignee for t in bound.tasks}) == len(spec.departments)
    series = [t for t in spec.tasks if t.key.rsplit("-", 1)[-1].isdigit() and "meeting" in t.labels]
    assert len(series) >= 4 and len({t.due for t in series}) == len(series)


def test_product_launch_involves_every_partner_department() -> None:
    spec = find_template("product-launch").render("p", SHIPPED["product-launch"])
    assert set(spec.departments) == {"sales", "marketing", "engineering", "it", "finance", "hr", "support"}
    assert [t.key for t in spec.tasks if t.milestone] == ["launch-day"]


def test_phases_with_milestones_and_department_trends(isolated_home: Path) -> None:
    spec = stamp("product-launch")
    first = json.loads(run("report", "p", "--format", "json", "--today", "2026-11-20"))
    assert first["trends"]["sales"] == [{"today": "2026-11-20", "health": "green", "percent_done": 0.0}]
    run("update", "p", "win-loss-review", "--status", "done")
    data = json.loads(run("report", "p", "--format", "json", "--today", "2026-11-27"))
    phases = data["phases"]
    assert [p["title"] for p in phases] == ["Plan", "Build", "Prepare", "Launch", "Follow-up"]
    plan = phases[0]
    assert (plan["start"], plan["done"], plan["total"]) == (spec.task("market-sizing").start.isoformat(), 1, 7)
    launch = next(p for p in phases if p["key"] == "launch")
    assert [(m["key"], m["due"], m["status"]) for m in launch["milestones"]] == [("launch-day", "2027-03-01", "todo")]
    assert [t["percent_done"] for t in data["trends"]["sales"]] == [0.0, 20.0]
    md = run("report", "p", "--format", "md", "--no-save", "--today", "2026-11-27")
    assert "| Launch | " in md and "2027-03-01)" in md and "## Trend per department" in md
