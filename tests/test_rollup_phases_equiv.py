"""The plan's phases from C-speed passes over each section's columns equal the old step-by-step loop (issue 17)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

import pytest

from collabsync.model import SectionSpec
from collabsync.plan_columns import LeanPlan, PlanRow
from collabsync.report.rollup_model import Milestone, Phase, TaskLine
from collabsync.report.rollup_story import phases

DAY = dt.date(2027, 3, 1)


def old_phases(plan: LeanPlan, lines: Sequence[TaskLine]) -> list[Phase]:
    """rollup_story.phases as it was before rollup3 (commit 9afbc78), the reference."""
    by_key = {line.key: line for line in lines if line.key}
    by_section: dict[str | None, list[PlanRow]] = {}
    for spec in plan.tasks:
        by_section.setdefault(spec.section, []).append(spec)
    out = []
    for section in plan.sections:
        phase = Phase(section.key, section.title)
        total = done = late = 0
        start = end = projected_end = None
        for spec in by_section.get(section.key, ()):
            line = by_key.get(spec.key)
            if line is None or line.status == "cancelled":
                continue
            total += 1
            if line.late_days > 0:
                late += 1
            if spec.start and (start is None or spec.start < start):
                start = spec.start
            due = spec.due
            if due and (end is None or due > end):
                end = due
            if line.status == "done":
                done += 1
            else:
                for day in (line.projected_finish, due):
                    if day and (projected_end is None or day > projected_end):
                        projected_end = day
            if spec.milestone:
                phase.milestones.append(Milestone(spec.key, line.title, due, line.status, line.projected_finish))
        phase.total, phase.done, phase.late = total, done, late
        phase.start, phase.end, phase.projected_end = start, end, projected_end
        if phase.total:
            out.append(phase)
    return out


def _day(rng: random.Random) -> dt.date | None:
    """A date or, now and then, none."""
    return None if rng.random() < 0.15 else DAY + dt.timedelta(days=rng.randrange(-60, 200))


@pytest.mark.parametrize("n_sections", [4, 12])
def test_phases_match_the_old_loop(n_sections: int) -> None:
    rng = random.Random(n_sections)
    sections = tuple(SectionSpec(f"s{i}", f"Section {i}") for i in range(n_sections))
    rows = [
        PlanRow(
            f"k{i}",
            rng.choice(("ops", "hr")),
            rng.choice([*(s.key for s in sections), None, "elsewhere"]),
            _day(rng),
            _day(rng),
            None,
            (),
            rng.random() < 0.1,
        )
        for i in range(3000)
    ]
    rows.append(rows[5]._replace(section=sections[-1].key))  # a key planned twice
    lines = []
    for i in range(3400):  # some keys have no line, some two (the last counts), some lines no key
        key = None if i % 97 == 0 else ("" if i % 89 == 0 else f"k{rng.randrange(3300)}")
        line = TaskLine(
            f"p:{i}", str(i), key, f"t{i}", "ops", "p", rng.choice(("todo", "in_progress", "done", "cancelled"))
        )
        line.late_days = rng.choice((0, 0, 3))
        line.projected_finish = _day(rng) if line.open else None
        lines.append(line)
    plan = LeanPlan("t", ("ops", "hr"), (*sections, SectionSpec("empty", "Empty")), rows)
    got, want = phases(plan, lines), old_phases(plan, lines)
    assert len(want) == n_sections and any(phase.milestones for phase in want) and any(p.late for p in want)
    assert got == want
