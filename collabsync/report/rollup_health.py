"""The health colour of a group and its reasons, apart from the rollup that counts and schedules the groups."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from collabsync.report.rollup_model import Group, Schedule, TaskLine
from collabsync.report.rollup_story import WAITING_MARK

__all__ = ["health", "overall_floor", "RED_OVERDUE_SHARE", "RED_DAYS"]

RED_OVERDUE_SHARE = 0.20
RED_DAYS = 5


def health(
    counts: Mapping[str, Any],
    schedule: Schedule,
    *,
    late: Sequence[TaskLine] = (),
    stale: bool = False,
    since: dt.datetime | None = None,
) -> tuple[str, list[str]]:
    """Colour and reasons by the rules of rollup.py's module docstring ("Health"); late work pushed by another department
    is reported as waiting on it, not as the group's own."""
    red: list[str] = []
    amber: list[str] = []
    open_tasks = counts["total"] - counts["done"] - counts["cancelled"]
    waiting: dict[str, list[TaskLine]] = {}
    own_late: list[TaskLine] = []
    for line in late:
        if line.late_because:
            waiting.setdefault(line.late_because, []).append(line)
        elif not line.overdue:
            own_late.append(line)
    overdue = counts["overdue"] - sum(1 for group in waiting.values() for line in group if line.overdue)
    blocked = counts["blocked"]
    if overdue > 0:
        share = overdue / open_tasks if open_tasks else 0.0
        text = f"{overdue} of {open_tasks} open tasks overdue ({share * 100:.0f}%)"
        (red if share > RED_OVERDUE_SHARE else amber).append(text)
    if own_late:
        worst = max(line.late_days for line in own_late)
        (red if worst > RED_DAYS else amber).append(_late_text(own_late, worst, "projected late"))
    for name in sorted(waiting):
        worst = max(line.late_days for line in waiting[name])
        (red if worst > RED_DAYS else amber).append(
            f"waits on {name}: " + _late_text(waiting[name], worst, "pushed late")
        )
    if blocked:
        amber.append(f"{blocked} task{'s' if blocked != 1 else ''} blocked")
    variance = schedule.variance_days
    if variance is not None and variance < 0:
        behind = f"{-variance:g} day{'' if variance == -1 else 's'} behind plan"
        if waiting and not own_late and overdue <= 0:  # it could not start: the wait explains the gap
            behind += f" {WAITING_MARK} {', '.join(sorted(waiting))})"
        (red if variance < -RED_DAYS else amber).append(behind)
    if stale:
        amber.append(
            "tool did not answer; showing data from "
            + (since.isoformat(timespec="minutes") if since else "no earlier read")
        )
    if red:
        return "red", red + amber
    if amber:
        return "amber", amber
    return "green", []


def _late_text(lines: Sequence[TaskLine], worst: int, what: str) -> str:
    n = len(lines)
    return f"{n} task{'s' if n != 1 else ''} {what} (up to {worst} business day{'s' if worst != 1 else ''})"


def overall_floor(overall: Group, departments: list[Group]) -> None:
    """Overall is at least amber when a department is stale or red."""
    extra = [f"{d.name} has stale data" for d in departments if d.stale]
    extra += [f"{d.name} is red" for d in departments if d.health == "red"]
    if extra:
        overall.reasons += extra
        if overall.health == "green":
            overall.health = "amber"
