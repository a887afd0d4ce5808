"""build_report on the hand-built three-tool project: every number worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from collabsync.report.rollup import build_report
from rollup_data import EXTRA_DEPS, TODAY, d, plan, tasks


@pytest.fixture(scope="module")
def report():
    return build_report(tasks(), today=TODAY, instance="launch-1", plan=plan(), extra_deps=EXTRA_DEPS)


def test_overall_counts(report) -> None:
    # todo: qa, launchpost, training, a3; in progress: build, copy; blocked: ENG-9; done: spec, brief,
    # vendor; cancelled: c4. Overdue (open, due < 11th): copy (9th), ENG-9 (10th). 3 / (11 - 1) = 30%.
    assert report.overall.counts == {
        "total": 11,
        "todo": 4,
        "in_progress": 2,
        "blocked": 1,
        "done": 3,
        "cancelled": 1,
        "overdue": 2,
        "percent_done": 30.0,
    }
    # weights (estimate or 1), cancelled c4 left out: 3+5+2+1 + 1+2+1 + 4+1+1 = 21; done 3+1+4 = 8
    assert (report.overall.weight_total, report.overall.weight_done) == (21.0, 8.0)
    assert report.overall.percent_done_estimate == 38.1  # 8/21 = 38.095


def test_department_counts(report) -> None:
    assert [g.name for g in report.departments] == ["eng", "mkt", "ops"]
    eng, mkt, ops = report.departments
    assert eng.counts == {
        "total": 4,
        "todo": 1,
        "in_progress": 1,
        "blocked": 1,
        "done": 1,
        "cancelled": 0,
        "overdue": 1,
        "percent_done": 25.0,
    }
    assert mkt.counts == {
        "total": 4,
        "todo": 1,
        "in_progress": 1,
        "blocked": 0,
        "done": 1,
        "cancelled": 1,
        "overdue": 1,
        "percent_done": 33.3,
    }
    assert ops.counts == {
        "total": 3,
        "todo": 2,
        "in_progress": 0,
        "blocked": 0,
        "done": 1,
        "cancelled": 0,
        "overdue": 0,
        "percent_done": 33.3,
    }
    assert (eng.percent_done_estimate, mkt.percent_done_estimate, ops.percent_done_estimate) == (27.3, 25.0, 66.7)
    assert (eng.providers, mkt.providers, ops.providers) == (["jira"], ["trello"], ["asana"])


def test_provider_groups(report) -> None:
    assert [g.name for g in report.providers] == ["jira", "trello", "asana"]
    assert report.provider("jira").counts == report.department("eng").counts
    assert report.provider("trello").counts["cancelled"] == 1
    assert report.overall.providers == ["jira", "trello", "asana"]


def test_lists(report) -> None:
    assert [t.id for t in report.overdue] == ["trello:c2", "jira:ENG-9"]  # by due: 9th, 10th
    assert [t.id for t in report.due_soon] == ["asana:a2", "jira:ENG-2"]  # 12th, 13th; qa on the 18th is out
    assert [t.id for t in report.blocked] == ["jira:ENG-9"]
    assert [t.id for t in report.waiting] == ["jira:ENG-3", "trello:c3"]
    # Trello's launch post waits on Jira (plan keys qa) twice over tools and on Asana (extra_deps).
    assert report.task("trello:c3").waiting_on == ["jira:ENG-3", "trello:c2", "asana:a2"]
    assert report.task("jira:ENG-3").waiting_on == ["jira:ENG-2"]
    assert report.task("jira:ENG-2").waiting_on == []  # its dependency is done
    assert report.warnings == []


def test_planned_vs_actual_overall(report) -> None:
    # Scheduled = 20 (a3 has no date, c4 cancelled). Planned before the 11th: brief 1 + spec 3 + copy 2
    # + ENG-9 1 + vendor 4 = 11 -> 55%. Done 8 -> 40%. The plan reaches 6 on the 10th and 11 from the
    # 11th: 8 lies 2/5 of the way, so D = 10th + 0.4 and the variance = -1 + 0.4 = -0.6 days.
    s = report.overall.schedule
    assert (s.scheduled_weight, s.planned_share, s.actual_share, s.variance_days) == (20.0, 55.0, 40.0, -0.6)


def test_planned_vs_actual_departments(report) -> None:
    eng, mkt, ops = (g.schedule for g in report.departments)
    # eng: W=11, planned before 11th = spec 3 + ENG-9 1 = 4 (36.4%), done 3 (27.3%); plan is 3 from 5th to
    # 10th, so D = the 10th: -1 day.
    assert (eng.planned_share, eng.actual_share, eng.variance_days) == (36.4, 27.3, -1.0)
    # mkt: W=4, planned 3 (75%), done 1 (25%); the plan is 1 from the 3rd to the 9th: -2 days.
    assert (mkt.planned_share, mkt.actual_share, mkt.variance_days) == (75.0, 25.0, -2.0)
    # ops: W=5, planned 4 (80%), done 4 (80%); the plan is 4 from the 11th to the 12th, today is in it.
    assert (ops.planned_share, ops.actual_share, ops.variance_days) == (80.0, 80.0, 0.0)


def test_critical_path(report) -> None:
    # Effort in business days (estimate, else the planned window): build 5, qa 2, launch post 1, copy 2,
    # training 11th..12th = 2, ENG-9 and a3 = 1. From Wed 11th: build began Thu 5th, 4 business days
    # ago, so 1 day is left (ends 11th); qa waits for its planned start Mon 16th (ends 17th); the launch
    # post for its planned start Thu 19th (ends 19th). The path is the latest-finishing prerequisites
    # behind the last task: build -> qa -> launch post, 7 business days from the 11th to the 19th.
    assert [(s.task.id, s.duration_days) for s in report.critical_path] == [
        ("jira:ENG-2", 5),
        ("jira:ENG-3", 2),
        ("trello:c3", 1),
    ]
    assert report.critical_path_days == 7
    assert [s.finish for s in report.critical_path] == [d(11), d(17), d(19)]
    assert {t.id for t in report.tasks if t.critical} == {"jira:ENG-2", "jira:ENG-3", "trello:c3"}


def test_projected_finish_and_target(report) -> None:
    # Every open task fits before its due except the two overdue ones (copy, due 9th, ends 11th: 2 business
    # days late; ENG-9, due 10th, ends 11th: 1), so each group is projected to end on its target.
    s = report.overall.schedule
    assert (s.projected_finish, s.target, s.slip_days) == (d(20), d(20), 0)
    eng, mkt, ops = (g.schedule for g in report.departments)
    assert (eng.projected_finish, eng.target, eng.slip_days) == (d(18), d(18), 0)
    assert (mkt.projected_finish, mkt.target, mkt.slip_days) == (d(20), d(20), 0)
    assert (ops.projected_finish, ops.target, ops.slip_days) == (d(12), d(12), 0)
    late = {t.id: (t.projected_finish, t.late_days, t.late_because) for t in report.tasks if t.late_days}
    assert late == {"trello:c2": (d(11), 2, None), "jira:ENG-9": (d(11), 1, None)}


def test_health(report) -> None:
    eng, mkt, ops = report.departments
    assert eng.health == "red"  # 1 of 3 open overdue (33%)
    assert eng.reasons == ["1 of 3 open tasks overdue (33%)", "1 task blocked", "1 day behind plan"]
    assert (eng.cause, eng.waits_on) == ("own", [])
    assert (mkt.health, mkt.reasons) == ("red", ["1 of 2 open tasks overdue (50%)", "2 days behind plan"])
    assert (ops.health, ops.reasons, ops.cause) == ("green", [], "")
    assert report.overall.health == "red"
    assert report.overall.reasons[:2] == ["2 of 7 open tasks overdue (29%)", "1 task blocked"]
    assert "eng is red" in report.overall.reasons


def test_contributions(report) -> None:
    rows = [(c.name, c.done_tasks, c.done_estimate, c.open_tasks) for c in report.assignees]
    assert rows == [
        ("dave", 1, 4.0, 1),
        ("alice", 1, 3.0, 1),
        ("carol", 1, 1.0, 1),
        ("(unassigned)", 0, 0.0, 2),
        ("bob", 0, 0.0, 2),
    ]
    rows = [(c.name, c.done_tasks, c.done_estimate, c.open_tasks) for c in report.contributions]
    assert rows == [("ops", 1, 4.0, 2), ("eng", 1, 3.0, 3), ("mkt", 1, 1.0, 2)]


def test_plan_curve(report) -> None:
    assert [(p["date"].day, p["planned_weight"], p["planned_share"]) for p in report.plan_curve] == [
        (2, 1.0, 5.0),
        (4, 4.0, 20.0),
        (9, 6.0, 30.0),
        (10, 11.0, 55.0),
        (12, 12.0, 60.0),
        (13, 17.0, 85.0),
        (18, 19.0, 95.0),
        (20, 20.0, 100.0),
    ]


def test_stale_department_is_amber_and_marks_overall() -> None:
    since = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
    report = build_report(
        tasks(),
        today=TODAY,
        instance="launch-1",
        plan=plan(),
        extra_deps=EXTRA_DEPS,
        stale={"ops": since, "legal": None},
    )
    ops = report.department("ops")
    assert (ops.stale, ops.stale_since, ops.health) == (True, since, "amber")
    assert ops.reasons == ["tool did not answer; showing data from 2026-03-10T09:00+00:00"]
    legal = report.department("legal")  # known only as stale: no tasks at all
    assert (legal.counts["total"], legal.stale, legal.health) == (0, True, "amber")
    assert report.stale_departments == ["ops", "legal"]
    assert {"ops has stale data", "legal has stale data"} <= set(report.overall.reasons)
    assert all(t.stale for t in report.tasks if t.department == "ops")


def test_template_name_from_plan_or_argument(report) -> None:
    assert report.template == "launch"
    other = build_report(tasks(), today=TODAY, instance="x", template="custom")
    assert other.template == "custom"


def test_provider_health_follows_the_same_rules(report) -> None:
    # jira = eng exactly (red); asana = ops (green); trello = mkt (red)
    assert [(g.name, g.health) for g in report.providers] == [("jira", "red"), ("trello", "red"), ("asana", "green")]
    assert report.provider("jira").reasons == report.department("eng").reasons


def test_extra_deps_by_provider_and_ref() -> None:
    # the same cross-tool pair named as provider:ref on both sides gives the same waiting list
    other = build_report(tasks(), today=TODAY, instance="launch-1", plan=plan(), extra_deps=[("trello:c3", "asana:a2")])
    assert other.task("trello:c3").waiting_on == ["jira:ENG-3", "trello:c2", "asana:a2"]
