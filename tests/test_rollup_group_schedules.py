"""The overall schedule added up from the departments' counts equals the one worked out over every line (issue 17)."""

from __future__ import annotations

import pytest

from collabsync.dates import Calendar
from collabsync.report.business_days import BusinessDays
from collabsync.report.rollup_forecast import forecast
from collabsync.report.rollup_lines import task_lines
from collabsync.report.rollup_model import TaskLine
from collabsync.report.rollup_schedule import DependencyIndex, group_schedule, group_schedules
from test_schedule_equivalence import TODAY, instance


def _by_department(lines: list[TaskLine]) -> list[list[TaskLine]]:
    """The lines split by department, in the lines' order."""
    groups: dict[str, list[TaskLine]] = {}
    for line in lines:
        groups.setdefault(line.department, []).append(line)
    return [*groups.values(), []]  # a department with no line too


@pytest.mark.parametrize(("exact", "written"), [(True, True), (False, True), (True, False)])
def test_group_schedules_match_group_schedule(exact: bool, written: bool) -> None:
    tasks, plan, extra = instance(3000, 5, ordered=True, exact=exact)
    specs = {spec.key: spec for spec in plan.tasks}
    pairs = task_lines(tasks, specs, TODAY, {})
    deps, _ = DependencyIndex([line for line, _ in pairs]).edges(pairs, specs, extra)
    ahead = forecast(pairs, specs, deps, TODAY, BusinessDays(Calendar("US")))
    lines = [line for line, _ in pairs]
    if not written:  # lines the forecast did not write on: their finish is read from `finish`
        lines = [line for line, _ in task_lines(tasks, specs, TODAY, {})]
    groups = _by_department(lines)
    assert len(groups) > 2
    each, whole = group_schedules(groups, lines, ahead.finish, TODAY)
    assert each == [group_schedule(group, ahead.finish, TODAY) for group in groups]
    assert whole == group_schedule(lines, ahead.finish, TODAY)
    assert whole.projected_finish is not None and whole.scheduled_weight > 0
    assert repr(whole.scheduled_weight) == repr(group_schedule(lines, ahead.finish, TODAY).scheduled_weight)
