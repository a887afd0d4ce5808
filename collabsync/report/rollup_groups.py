"""The report's groups (departments, tools, overall) counted in one pass over the lines, and its sorted lists.

The nine groups of a 100,000-task report were each a pass (or several) over their members; here one `Counter`
over a few fields of every line gives the counts and weights of every group, and one loop the members that
the schedule of each group still needs (group_schedule walks them in the lines' order).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import chain
from operator import attrgetter
from typing import Any

from collabsync.report.rollup_model import TaskLine

__all__ = ["Tally", "exact_sums", "counts_of", "sorted_by_due", "due_lists", "COUNT_KEYS"]

COUNT_KEYS = ("total", "todo", "in_progress", "blocked", "done", "cancelled", "overdue", "percent_done")
_SCALE = 1024.0  # weights that are multiples of 1/1024 add up exactly in any order (below 2**53 / 1024)
_fields = attrgetter("department", "provider", "status", "overdue", "weight")
_name_order = attrgetter("department", "title")

Combo = tuple[str, str, str, bool, float]


def exact_sums(weights: Iterable[tuple[float, int]]) -> bool:
    """Whether sums of these (weight, count) pairs come out the same whatever their order (so n * w may replace
    adding w n times, as the old per-line sums did): every weight a multiple of 1/1024 and the total well in range."""
    total = 0.0
    for weight, n in weights:
        scaled = weight * _SCALE
        if not scaled.is_integer():
            return False
        total += abs(scaled) * n
    return total < 2.0**52


class Tally:
    """Every line's (department, tool, status, overdue, weight) counted once, and the members of each department and
    tool in the lines' order."""

    def __init__(self, lines: Sequence[TaskLine]) -> None:
        self.combos: Counter[Combo] = Counter(map(_fields, lines))
        self.exact = exact_sums((combo[4], n) for combo, n in self.combos.items())
        self.by_department: dict[str, list[TaskLine]] = {}
        self.by_provider: dict[str, list[TaskLine]] = {}
        tools = {combo[1] for combo in self.combos}
        departments, providers = self.by_department, self.by_provider
        one_tool = len(tools) == 1
        if one_tool:  # it holds every line: only the departments need a list each
            providers[tools.pop()] = list(lines)
        for line in lines:  # one pass: each line is read once (100,000 lines do not fit a CPU cache)
            members = departments.get(line.department)
            if members is None:
                members = departments[line.department] = []
            members.append(line)
            if not one_tool:
                members = providers.get(line.provider)
                if members is None:
                    members = providers[line.provider] = []
                members.append(line)

    def counts(self, department: str | None = None, provider: str | None = None) -> Counter[Combo]:
        """The combos of one department, one tool, or all of them."""
        if department is None and provider is None:
            return self.combos
        return Counter(
            {
                c: n
                for c, n in self.combos.items()
                if (department is None or c[0] == department) and (provider is None or c[1] == provider)
            }
        )

    def weights(self, combos: Counter[Combo], members: Sequence[TaskLine]) -> tuple[float, float]:
        """(non-cancelled weight, done weight) as the per-line sums gave them (an int 0 when nothing is summed)."""
        if self.exact:
            total: float = sum(c[4] * n for c, n in combos.items() if c[2] != "cancelled")
            done: float = sum(c[4] * n for c, n in combos.items() if c[2] == "done")
            return total, done
        live = [line for line in members if line.status != "cancelled"]
        return sum(line.weight for line in live), sum(line.weight for line in live if line.status == "done")


def counts_of(combos: Counter[Combo], percent: Any) -> dict[str, Any]:
    """status_counts (the COUNTS dict) of the lines behind these combos."""
    counts: dict[str, Any] = dict.fromkeys(COUNT_KEYS, 0)
    for (_d, _p, status, overdue, _w), n in combos.items():
        counts["total"] += n
        counts[status] += n
        if overdue:
            counts["overdue"] += n
    counts["percent_done"] = percent(counts["done"], counts["total"] - counts["cancelled"])
    return counts


def sorted_by_due(lines: Sequence[TaskLine]) -> list[TaskLine]:
    """Sorted by (due or the last day, department, title), as the report lists them (stable)."""
    runs = _due_runs(lines)
    if runs is None:  # the last day itself is due: the undated share its place, the general route
        return sorted(lines, key=lambda line: (line.due or dt.date.max, line.department, line.title))
    return list(chain.from_iterable(run for _, run in runs))


def _due_runs(lines: Iterable[TaskLine]) -> list[tuple[dt.date | None, list[TaskLine]]] | None:
    """The lines by due date in date order (undated last), each run sorted by (department, title): what one stable sort
    by (due, department, title) gives, from a few hundred small sorts instead of one over 100,000 tuple keys (a 100k
    report has a few hundred due dates). None when a line is due on the last day (sorted_by_due's general route)."""
    runs: dict[dt.date | None, list[TaskLine]] = {}
    get = runs.get
    for line in lines:
        due = line.due
        run = get(due)
        if run is None:
            runs[due] = [line]
        else:
            run.append(line)
    if dt.date.max in runs:
        return None
    undated = runs.pop(None, None)
    out: list[tuple[dt.date | None, list[TaskLine]]] = [(due, runs[due]) for due in sorted(runs)]  # type: ignore[type-var]
    if undated is not None:
        out.append((None, undated))
    for _, run in out:
        run.sort(key=_name_order)
    return out


def due_lists(
    lines: Sequence[TaskLine], waiting: list[TaskLine], counts: dict[str, Any], today: dt.date, soon: dt.date
) -> tuple[list[TaskLine], list[TaskLine], list[TaskLine], list[TaskLine]]:
    """Overdue, due soon, blocked and waiting work, each sorted by due date. All four hold open work only: when they
    hold much of it, the open lines are sorted once and each list taken from them in that order (a stable sort of
    the lines, then a filter, gives what filtering and then sorting gave); else each list is sorted on its own."""
    n_open = counts["total"] - counts["done"] - counts["cancelled"]
    few = counts["overdue"] + counts["blocked"] + len(waiting) < n_open // 2
    if few or not _OPEN.issuperset(map(_status, waiting)):  # (the rollup has only open work wait)
        return (
            sorted_by_due([line for line in lines if line.overdue]),
            sorted_by_due([line for line in lines if line.due and today <= line.due < soon and line.open]),
            sorted_by_due([line for line in lines if line.status == "blocked"]),
            sorted_by_due(waiting),
        )
    # the open lines by due date; due soon is whole runs of due dates
    runs = _due_runs([line for line in lines if line.status not in _CLOSED])
    if runs is None:
        ordered = sorted_by_due([line for line in lines if line.status not in _CLOSED])
        due_soon = [line for line in ordered if line.due and today <= line.due < soon]
    else:
        ordered = list(chain.from_iterable(run for _, run in runs))
        due_soon = list(chain.from_iterable(run for due, run in runs if due and today <= due < soon))
    return (
        list(filter(_overdue, ordered)),
        due_soon,
        [line for line in ordered if line.status == "blocked"],
        list(filter(_waiting_on, ordered)),
    )


_CLOSED = ("done", "cancelled")  # TaskLine.open
_overdue, _waiting_on = attrgetter("overdue"), attrgetter("waiting_on")
_OPEN = frozenset({"todo", "in_progress", "blocked"})
_status = attrgetter("status")
