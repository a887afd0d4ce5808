"""The health colour of a group and its reasons, apart from the rollup that counts and schedules the groups."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from operator import attrgetter
from typing import Any

from collabsync.report.rollup_model import Group, Schedule, TaskLine
from collabsync.report.rollup_story import WAITING_MARK

__all__ = ["health", "health_of", "late_digest", "LateKey", "overall_floor", "RED_OVERDUE_SHARE", "RED_DAYS"]

RED_OVERDUE_SHARE = 0.20
RED_DAYS = 5


#: What health and the summary need of a late line: (department, tool, late_because, overdue); late_digest gives each
#: key the number of late lines and the worst late days, so no group walks the late lines of a 100,000-task report
LateKey = tuple[str, str, str | None, bool]
_late_days = attrgetter("late_days")


def late_digest(lines: Iterable[TaskLine]) -> dict[LateKey, list[int]]:
    """[lines, worst late days] per LateKey of the late lines among these."""
    digest: dict[LateKey, list[int]] = {}
    for line in filter(_late_days, lines):
        days = line.late_days
        key = (line.department, line.provider, line.late_because, line.overdue)
        row = digest.get(key)
        if row is None:
            digest[key] = [1, days]
        else:
            row[0] += 1
            if days > row[1]:
                row[1] = days
    return digest


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
    return health_of(counts, schedule, late_digest(late), stale=stale, since=since)


def health_of(
    counts: Mapping[str, Any],
    schedule: Schedule,
    late: Mapping[LateKey, list[int]],
    *,
    stale: bool = False,
    since: dt.datetime | None = None,
) -> tuple[str, list[str]]:
    """health from the group's late_digest."""
    red: list[str] = []
    amber: list[str] = []
    open_tasks = counts["total"] - counts["done"] - counts["cancelled"]
    waiting: dict[str, list[int]] = {}  # name: [lines, worst late days, overdue lines]
    own_n, own_worst = 0, 0
    for (_d, _p, because, is_overdue), (n, days) in late.items():
        if because:
            row = waiting.get(because)
            if row is None:
                row = waiting[because] = [0, days, 0]
            row[0] += n
            row[1] = max(row[1], days)
            row[2] += n if is_overdue else 0
        elif not is_overdue:
            own_worst = max(own_worst, days) if own_n else days
            own_n += n
    overdue = counts["overdue"] - sum(row[2] for row in waiting.values())
    blocked = counts["blocked"]
    if overdue > 0:
        share = overdue / open_tasks if open_tasks else 0.0
        text = f"{overdue} of {open_tasks} open tasks overdue ({share * 100:.0f}%)"
        (red if share > RED_OVERDUE_SHARE else amber).append(text)
    if own_n:
        (red if own_worst > RED_DAYS else amber).append(_late_text(own_n, own_worst, "projected late"))
    for name in sorted(waiting):
        n, worst, _ = waiting[name]
        (red if worst > RED_DAYS else amber).append(f"waits on {name}: " + _late_text(n, worst, "pushed late"))
    if blocked:
        amber.append(f"{blocked} task{'s' if blocked != 1 else ''} blocked")
    variance = schedule.variance_days
    if variance is not None and variance < 0:
        behind = f"{-variance:g} day{'' if variance == -1 else 's'} behind plan"
        if waiting and not own_n and overdue <= 0:  # it could not start: the wait explains the gap
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


def _late_text(n: int, worst: int, what: str) -> str:
    return f"{n} task{'s' if n != 1 else ''} {what} (up to {worst} business day{'s' if worst != 1 else ''})"


def overall_floor(overall: Group, departments: list[Group]) -> None:
    """Overall is at least amber when a department is stale or red."""
    extra = [f"{d.name} has stale data" for d in departments if d.stale]
    extra += [f"{d.name} is red" for d in departments if d.health == "red"]
    if extra:
        overall.reasons += extra
        if overall.health == "green":
            overall.health = "amber"
