"""The forecast in numbered business days gives exactly what the date-by-date forecast gave.

A generated 5,000-task instance across three tools: mixed statuses, missing dates and estimates, in-progress
work begun before today, prerequisites listed after the task (the depth-first walk) and before it (the
lines' order), cross-department and cross-tool links, unresolvable links, cycles, and a calendar with
public holidays. tests/schedule_reference.py holds the code as it was.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest

import schedule_reference as ref
from collabsync.dates import Calendar
from collabsync.model import ProjectSpec, SectionSpec, Status, Task, TaskSpec
from collabsync.report.business_days import BusinessDays
from collabsync.report.rollup_forecast import forecast
from collabsync.report.rollup_lines import task_lines
from collabsync.report.rollup_model import TaskLine
from collabsync.report.rollup_schedule import DependencyIndex, earned_schedule, group_schedule

TODAY = dt.date(2027, 3, 10)
DEPARTMENTS = ("eng", "ops", "sales", "legal", "mkt")
PROVIDERS = ("jira", "trello", "asana")
STATUSES = (Status.TODO,) * 4 + (Status.IN_PROGRESS,) * 2 + (Status.BLOCKED, Status.DONE, Status.DONE, Status.CANCELLED)


def _day(rng: random.Random) -> dt.date:
    return TODAY + dt.timedelta(days=rng.randint(-200, 120))


def instance(n: int, seed: int, *, ordered: bool, exact: bool) -> tuple[list[Task], ProjectSpec, list[tuple[str, str]]]:
    """n tasks (70% from the plan), their plan, and cross-tool pairs; ordered: prerequisites come first;
    exact: every weight a multiple of 1/1024 (group sums per distinct row), else some that round (task by task)."""
    rng = random.Random(seed)
    estimates = (None, None, None, 1.0, 3.0, 0.5, 0.25, -1.0) if exact else (None, None, 1.0, 3.0, 0.5, 7.2, -1.0)
    specs: list[TaskSpec] = []
    tasks: list[Task] = []
    for i in range(n):
        key = f"k{i}" if i < 3 or rng.random() < 0.7 else None
        provider = rng.choice(PROVIDERS)
        start = _day(rng) if rng.random() < 0.8 else None
        due = start + dt.timedelta(days=rng.randint(-3, 30)) if start and rng.random() < 0.9 else None
        earlier = [f"k{j}" for j in rng.sample(range(max(i, 1)), min(i, rng.choice((0, 1, 1, 2, 3))))]
        if key is not None:
            spec_start = start if start and rng.random() < 0.5 else _day(rng)
            specs.append(
                TaskSpec(
                    key,
                    f"spec {i}",
                    rng.choice(DEPARTMENTS),
                    start=spec_start if rng.random() < 0.85 else None,
                    due=spec_start + dt.timedelta(days=rng.randint(0, 25)) if rng.random() < 0.85 else None,
                    estimate=rng.choice((None, None, 1.0, 2.5, 4.0, 0.0) if exact else (None, 1.0, 0.1, 2.5)),
                    depends_on=tuple(earlier),
                )
            )
        links = list(earlier) if rng.random() < 0.5 else []
        roll = rng.random()
        if roll < 0.05:
            links.append("nowhere-" + str(i))  # not found: a warning
        elif roll < 0.25:
            links.append(str(rng.randrange(n)))  # a bare ref: resolved in the same tool or unique across tools
        elif roll < 0.3:
            links.append(f"k{rng.randrange(n)}")  # any key, later ones too: cycles and the walk
        tasks.append(
            Task(
                ref=str(i % (n // 3)) if rng.random() < 0.1 else str(i),  # some refs repeat across tools
                title=f"task {i}",
                status=Status.TODO if key in ("k1", "k2") else rng.choice(STATUSES),
                key=key,
                department=rng.choice(DEPARTMENTS) if rng.random() < 0.8 else None,
                start=start,
                due=due,
                estimate=rng.choice(estimates),
                depends_on=links,
                provider=provider,
            )
        )
    plan = ProjectSpec("gen", "gen", "Generated", "", DEPARTMENTS, (SectionSpec("main", "Main"),), tuple(specs))
    extra = [
        (f"{t.provider}:{t.ref}", f"{rng.choice(tasks).provider}:{rng.randrange(n)}") for t in rng.sample(tasks, 40)
    ]
    extra += [("k1", "k2"), ("k2", "k1"), ("nowhere", "k3")]  # a cycle across tools and an unresolved pair
    if not ordered:
        rng.shuffle(tasks)
    return tasks, plan, extra


def _state(line: TaskLine) -> tuple[object, ...]:
    return (line.id, line.waiting_on, line.projected_finish, line.late_days, line.late_because, line.critical)


def _groups(lines: list[TaskLine]) -> list[list[TaskLine]]:
    """Every line, per department and per tool: the groups build_report asks group_schedule about."""
    by: dict[str, list[TaskLine]] = {}
    for line in lines:
        by.setdefault("d:" + line.department, []).append(line)
        by.setdefault("p:" + line.provider, []).append(line)
    return [lines, *by.values()]


@pytest.mark.parametrize(
    ("seed", "ordered", "exact", "calendar"),
    [
        (1, True, True, Calendar("US")),
        (2, False, False, Calendar("US")),
        (3, False, True, Calendar()),
        (4, True, False, Calendar("DE", "BY")),
    ],
)
def test_forecast_lateness_blame_and_groups_match_the_reference(
    seed: int, ordered: bool, exact: bool, calendar: Calendar
) -> None:
    tasks, plan, extra = instance(5000, seed, ordered=ordered, exact=exact)
    specs = {spec.key: spec for spec in plan.tasks}
    old_pairs, new_pairs = task_lines(tasks, specs, TODAY, {}), task_lines(tasks, specs, TODAY, {})
    old_deps, old_notes, old = ref.schedule_block(old_pairs, plan, extra, TODAY, calendar)

    new_deps, new_notes = DependencyIndex([line for line, _ in new_pairs]).edges(new_pairs, specs, extra)
    ahead = forecast(new_pairs, specs, new_deps, TODAY, BusinessDays(calendar))
    for step in ahead.path:
        step.task.critical = True

    assert new_deps == old_deps
    assert new_notes + ahead.warnings == old_notes
    assert ahead.warnings  # the instance has cycles, so the walk is exercised
    assert ahead.finish == old.finish and list(ahead.finish) == list(old.finish)
    assert [(s.task.id, s.duration_days, s.finish) for s in ahead.path] == [
        (s.task.id, s.duration_days, s.finish) for s in old.path
    ]
    assert ahead.length == old.length
    old_lines, new_lines = [line for line, _ in old_pairs], [line for line, _ in new_pairs]
    assert [_state(line) for line in new_lines] == [_state(line) for line in old_lines]
    late = [line for line in new_lines if line.late_days]
    assert late and any(line.late_because for line in late)  # lateness and blame across departments are exercised
    for old_group, new_group in zip(_groups(old_lines), _groups(new_lines), strict=True):
        assert group_schedule(new_group, ahead.finish, TODAY) == ref.group_schedule(old_group, old.finish, TODAY)
        assert earned_schedule(new_group, TODAY) == ref.earned_schedule(old_group, TODAY)
    unwritten = [line for line, _ in task_lines(tasks, specs, TODAY, {})]  # no projected_finish: read from `finish`
    for old_group, new_group in zip(_groups(old_lines), _groups(unwritten), strict=True):
        assert group_schedule(new_group, ahead.finish, TODAY) == ref.group_schedule(old_group, old.finish, TODAY)


def test_a_long_chain_crosses_decades_of_business_days() -> None:
    """A 3,000-task chain runs the table of business days out far past its first year, in numbers and in dates."""
    calendar = Calendar("US")
    tasks = [
        Task(str(i), f"t{i}", Status.TODO, key=f"c{i}", due=TODAY, estimate=9.0, depends_on=[f"c{i - 1}"] if i else [])
        for i in range(3000)
    ]
    old_pairs, new_pairs = task_lines(tasks, {}, TODAY, {}), task_lines(tasks, {}, TODAY, {})
    _, _, old = ref.schedule_block(old_pairs, None, (), TODAY, calendar)
    new_deps, _ = DependencyIndex([line for line, _ in new_pairs]).edges(new_pairs, {}, ())
    ahead = forecast(new_pairs, {}, new_deps, TODAY, BusinessDays(calendar))
    for step in ahead.path:
        step.task.critical = True
    assert ahead.finish == old.finish and ahead.length == old.length == 27_000
    assert [_state(line) for line, _ in new_pairs] == [_state(line) for line, _ in old_pairs]


@pytest.mark.parametrize("today", [dt.date(1, 1, 10), dt.date(9999, 11, 1)])
def test_the_ends_of_the_calendar(today: dt.date) -> None:
    """Near year 1 and year 9999 the numbers agree with the calendar's own answers; past 9999 the reference refused,
    the forecast ends on the calendar's last business day with a warning (a report, not a crash)."""
    calendar = Calendar("US")
    tasks = [
        Task("a", "a", Status.TODO, key="a", start=today, due=today + dt.timedelta(days=9), estimate=12.0),
        Task("b", "b", Status.IN_PROGRESS, key="b", start=today - dt.timedelta(days=5), due=today, depends_on=["a"]),
        Task("c", "c", Status.TODO, key="c", due=dt.date(9999, 12, 31) if today.year > 1 else None, depends_on=["b"]),
    ]
    old_pairs, new_pairs = task_lines(tasks, {}, today, {}), task_lines(tasks, {}, today, {})
    _, _, old = ref.schedule_block(old_pairs, None, (), today, calendar)
    deps, _ = DependencyIndex([line for line, _ in new_pairs]).edges(new_pairs, {}, ())
    ahead = forecast(new_pairs, {}, deps, today, BusinessDays(calendar))
    assert ahead.finish == old.finish and ahead.length == old.length
    assert [_state(line)[:-1] for line, _ in new_pairs] == [_state(line)[:-1] for line, _ in old_pairs]
    if today.year > 1:
        tasks[0].estimate = 100.0  # past 9999-12-31
        with pytest.raises(OverflowError):
            ref.schedule_block(task_lines(tasks, {}, today, {}), None, (), today, calendar)
        pairs = task_lines(tasks, {}, today, {})
        deps, _ = DependencyIndex([line for line, _ in pairs]).edges(pairs, {}, ())
        ahead = forecast(pairs, {}, deps, today, BusinessDays(calendar))  # stops at the calendar's end, and says so
        last = max(ahead.finish.values())
        after = [last + dt.timedelta(days=d) for d in range(1, (dt.date.max - last).days + 1)]
        assert calendar.is_business_day(last) and not any(map(calendar.is_business_day, after))
        assert [w for w in ahead.warnings if "projected past 9999-12-31" in w]
