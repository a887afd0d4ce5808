"""Edge cases of the schedule maths, the dependency graph and the health rules."""

from __future__ import annotations

import datetime as dt

import pytest

from collabsync.dates import Calendar
from collabsync.model import Status, Task
from collabsync.report.rollup import build_report
from collabsync.report.rollup_health import health
from collabsync.report.rollup_model import Schedule, TaskLine
from collabsync.report.rollup_schedule import business_days_between, earned_schedule, nth_business_day

MON = dt.date(2026, 3, 9)


def day(offset: int) -> dt.date:
    return MON + dt.timedelta(days=offset)


def line(ref: str, status: str, due: dt.date | None, weight: float = 1.0) -> TaskLine:
    return TaskLine(
        id=f"t:{ref}",
        ref=ref,
        key=None,
        title=ref,
        department="d",
        provider="t",
        status=status,
        planned_due=due,
        due=due,
        weight=weight,
    )


FOUR = [("mon", 0), ("tue", 1), ("wed", 2), ("thu", 3)]  # one unit due each day Mon..Thu


def four(done: int) -> list[TaskLine]:
    return [line(ref, "done" if i < done else "todo", day(i)) for i, (ref, _) in enumerate(FOUR)]


@pytest.mark.parametrize(
    ("done", "today", "expected"),
    [
        (2, day(2), (50.0, 50.0, 0.0)),  # Mon+Tue done on Wed: exactly on plan
        (1, day(2), (50.0, 25.0, -1.0)),  # only Mon done: the plan had that on Tue
        (3, day(2), (50.0, 75.0, 1.0)),  # Wed's task done already: one day ahead
        (0, day(0), (0.0, 0.0, 0.0)),  # nothing due before Monday, nothing done
        (0, day(3), (75.0, 0.0, -3.0)),  # nothing done on Thu: the plan was at 0 until Mon
        (4, day(1), (25.0, 100.0, 3.0)),  # all done on Tue: the plan ends when Thu is over (Fri)
        (4, day(6), (100.0, 100.0, 0.0)),  # all done after the end
    ],
)
def test_earned_schedule_steps(done: int, today: dt.date, expected: tuple[float, float, float]) -> None:
    weight, planned, actual, variance = earned_schedule(four(done), today)
    assert weight == 4.0
    assert (planned, actual, variance) == expected


def test_earned_schedule_interpolates_by_weight() -> None:
    # Mon weighs 1, Tue weighs 2; only Tue's task is done: 2 lies half way between 1 (held on Tue)
    # and 3 (from Wed): D = Tue + 0.5, today Wed -> -0.5.
    lines = [line("a", "todo", day(0), 1), line("b", "done", day(1), 2)]
    assert earned_schedule(lines, day(2)) == (3.0, 100.0, 66.7, -0.5)


def test_earned_schedule_flat_stretch_takes_end_nearest_today() -> None:
    # Fri 13th done, next due Wed 18th: the plan holds 1 from Sat 14th to Wed 18th (inclusive).
    lines = [line("fri", "done", day(4)), line("wed", "todo", day(9))]
    assert earned_schedule(lines, day(7))[3] == 0.0  # Mon 16th: inside the stretch, on plan
    assert earned_schedule(lines, day(10))[3] == -1.0  # Thu 19th: the stretch ended on the 18th
    assert earned_schedule(lines, day(3))[3] == 2.0  # Thu 12th: the stretch starts on the 14th


def test_earned_schedule_without_dates_or_only_cancelled() -> None:
    assert earned_schedule([line("a", "todo", None)], MON) == (0.0, 0.0, 0.0, None)
    assert earned_schedule([line("a", "cancelled", MON)], MON) == (0.0, 0.0, 0.0, None)


def test_business_days_between_with_holidays() -> None:
    # July 4th 2026 is a Saturday, observed Friday July 3rd in the US.
    us = Calendar(country="US")
    assert business_days_between(dt.date(2026, 7, 1), dt.date(2026, 7, 7), us) == 4
    assert business_days_between(dt.date(2026, 7, 1), dt.date(2026, 7, 7), Calendar()) == 5
    assert business_days_between(dt.date(2026, 7, 4), dt.date(2026, 7, 5), Calendar()) == 1  # weekend: min 1
    assert business_days_between(dt.date(2026, 7, 7), dt.date(2026, 7, 1), Calendar()) == 1  # reversed: min 1


def test_nth_business_day_from_a_weekend() -> None:
    sat = dt.date(2026, 3, 14)
    assert nth_business_day(sat, 1, Calendar()) == dt.date(2026, 3, 16)
    assert nth_business_day(sat, 6, Calendar()) == dt.date(2026, 3, 23)
    assert nth_business_day(MON, 5, Calendar()) == day(4)


def _task(ref: str, status: Status = Status.TODO, deps: tuple[str, ...] = (), **kw) -> Task:
    return Task(ref=ref, title=ref, status=status, department="d", depends_on=list(deps), provider="local", **kw)


def test_tracked_tasks_durations_from_tool_dates_and_estimates() -> None:
    # No plan: a (tool start Mon..due Wed = 3 bd) -> b (estimate 1.5 -> 2 days) -> c (no data: 1 day) = 6.
    tasks = [_task("a", start=MON, due=day(2)), _task("b", deps=("a",), estimate=1.5), _task("c", deps=("b",))]
    report = build_report(tasks, today=MON, instance="i")
    assert [(s.task.ref, s.duration_days) for s in report.critical_path] == [("a", 3), ("b", 2), ("c", 1)]
    assert report.critical_path_days == 6
    assert report.overall.schedule.projected_finish == day(7)  # 6th business day from Mon = next Mon
    assert report.overall.schedule.target == day(2)  # the only due date
    assert report.overall.schedule.slip_days == 5
    # b and c have no due date, so nothing is late against a date anyone set: green.
    assert report.overall.health == "green"


def test_cycle_and_unresolved_dependencies_are_warned_not_fatal() -> None:
    tasks = [_task("a", deps=("b",)), _task("b", deps=("a",)), _task("c", deps=("zz",))]
    report = build_report(tasks, today=MON, instance="i", extra_deps=[("c", "nope")])
    assert report.critical_path_days == 2
    assert any("cycle" in w for w in report.warnings)
    assert "local:c: dependency 'zz' not found in local" in report.warnings
    assert "cross-tool dependency 'c' -> 'nope' not resolved" in report.warnings


def test_done_tasks_do_not_lengthen_the_path_or_wait() -> None:
    tasks = [_task("a", Status.DONE, estimate=10), _task("b", deps=("a",))]
    report = build_report(tasks, today=MON, instance="i")
    assert report.critical_path_days == 1 and report.waiting == []


def test_nothing_open_has_no_projection() -> None:
    report = build_report([_task("a", Status.DONE, due=MON)], today=day(3), instance="i")
    s = report.overall.schedule
    assert (s.projected_finish, s.slip_days, report.critical_path) == (None, None, [])
    assert report.overall.health == "green"


def _counts(total: int, done: int, overdue: int = 0, blocked: int = 0) -> dict:
    return {
        "total": total,
        "todo": total - done - blocked,
        "in_progress": 0,
        "blocked": blocked,
        "done": done,
        "cancelled": 0,
        "overdue": overdue,
        "percent_done": 0.0,
    }


@pytest.mark.parametrize(
    ("counts", "schedule", "colour"),
    [
        (_counts(10, 0), Schedule(variance_days=0.0, slip_days=0), "green"),
        (_counts(10, 0, overdue=2), Schedule(), "amber"),  # 2 of 10 = 20%: not above 20%
        (_counts(10, 1, overdue=2), Schedule(), "red"),  # 2 of 9 = 22%
        (_counts(10, 0, blocked=1), Schedule(), "amber"),
        (_counts(10, 0), Schedule(variance_days=-0.1), "amber"),
        (_counts(10, 0), Schedule(variance_days=-5.0), "amber"),
        (_counts(10, 0), Schedule(variance_days=-5.1), "red"),
        (_counts(10, 0), Schedule(variance_days=3.0, slip_days=-2), "green"),
        (_counts(10, 0), Schedule(slip_days=6), "green"),  # a slip alone names no late task
    ],
)
def test_health_rule_boundaries(counts: dict, schedule: Schedule, colour: str) -> None:
    assert health(counts, schedule)[0] == colour


def late(ref: str, days: int, because: str | None = None, overdue: bool = False) -> TaskLine:
    out = line(ref, "todo", MON)
    out.late_days, out.late_because, out.overdue = days, because, overdue
    return out


@pytest.mark.parametrize(
    ("lines", "colour", "reasons"),
    [
        ([late("a", 1)], "amber", ["1 task projected late (up to 1 business day)"]),
        ([late("a", 5), late("b", 2)], "amber", ["2 tasks projected late (up to 5 business days)"]),
        ([late("a", 6)], "red", ["1 task projected late (up to 6 business days)"]),
        ([late("a", 6, "eng")], "red", ["waits on eng: 1 task pushed late (up to 6 business days)"]),
        (
            [late("a", 2, "eng"), late("b", 1)],
            "amber",
            [
                "1 task projected late (up to 1 business day)",
                "waits on eng: 1 task pushed late (up to 2 business days)",
            ],
        ),
    ],
)
def test_health_of_late_work_says_whose_it_is(lines: list[TaskLine], colour: str, reasons: list[str]) -> None:
    assert health(_counts(10, 0), Schedule(), late=lines) == (colour, reasons)


def test_overdue_work_pushed_by_another_department_is_waiting_not_own() -> None:
    counts = _counts(10, 0, overdue=3)  # 3 of 10 overdue would be red (30%) if they were its own
    lines = [late(r, 2, "finance", overdue=True) for r in ("a", "b", "c")]
    assert health(counts, Schedule(), late=lines) == (
        "amber",
        ["waits on finance: 3 tasks pushed late (up to 2 business days)"],
    )


def test_health_stale_is_amber_with_reason() -> None:
    assert health(_counts(1, 0), Schedule(), stale=True) == (
        "amber",
        ["tool did not answer; showing data from no earlier read"],
    )


def test_contribution_on_time_rate_and_work_done_for_other_departments() -> None:

    def at(n: int) -> dt.datetime:
        return dt.datetime.combine(day(n), dt.time(17), tzinfo=dt.UTC)

    tasks = [
        Task(
            "a", "Spec", Status.DONE, department="eng", assignee="ann", due=day(1), updated=at(1), provider="jira"
        ),  # on time, finance waits on it
        Task(
            "b", "Build", Status.DONE, department="eng", assignee="ann", due=day(2), updated=at(3), provider="jira"
        ),  # a day late
        Task("c", "Budget", Status.TODO, department="finance", assignee="fay", depends_on=["a"], provider="local"),
        Task("d", "Notes", Status.DONE, department="eng", assignee="ann", provider="jira"),  # no due
    ]
    report = build_report(tasks, today=day(4), instance="i")
    ann = next(c for c in report.assignees if c.name == "ann")
    assert (ann.done_tasks, ann.done_on_time, ann.on_time_rate, ann.done_for_others) == (3, 1, 50.0, 1)
    eng = next(c for c in report.contributions if c.name == "eng")
    assert (eng.on_time_rate, eng.done_for_others) == (50.0, 1)
    fay = next(c for c in report.assignees if c.name == "fay")
    assert (fay.done_tasks, fay.on_time_rate, fay.done_for_others, fay.open_tasks) == (0, None, 0, 1)
