"""The plan as the report reads it: the few fields the rollup uses, stored by column beside the plan (issue 17).

The report of 100,000 tasks spent a second turning the plan's JSON into `TaskSpec`s whose titles, notes,
labels and checklists it never reads. `plan_columns` keeps, per instance, each field the rollup reads as one
JSON list (dates and names as indexes into a table of distinct values); decoding it is a few C-level passes
and one tuple per task (`PlanRow`). Rows of `plan_columns` follow the plan as `plan_outlines` do: written with
it, deleted by triggers whenever it changes, and made from the parsed plan on the first read without one.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate, chain, repeat
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from collabsync.ledger_rows import COLUMNS_SCHEMA

if TYPE_CHECKING:  # the template's records, imported where a plan is read: the ledger's import builds none (issue 17)
    from collabsync.model_specs import ProjectSpec, SectionSpec

__all__ = [
    "PlanTask",
    "ReportPlan",
    "PlanRow",
    "LeanPlan",
    "StoredColumns",
    "COLUMNS_SCHEMA",
    "columns_of",
    "lean_plan",
]


#: The stored form's version; another one is not read (the plan is parsed instead and the row written anew).
VERSION = 1


class PlanTask(Protocol):
    """What the rollup reads of one planned task: `TaskSpec` has it, and so has the lean `PlanRow`."""

    @property
    def key(self) -> str: ...
    @property
    def department(self) -> str: ...
    @property
    def section(self) -> str | None: ...
    @property
    def start(self) -> dt.date | None: ...
    @property
    def due(self) -> dt.date | None: ...
    @property
    def estimate(self) -> float | None: ...
    @property
    def depends_on(self) -> tuple[str, ...]: ...
    @property
    def milestone(self) -> bool: ...


class ReportPlan(Protocol):
    """What the rollup reads of a plan: `ProjectSpec` has it, and so has the lean `LeanPlan`."""

    @property
    def template(self) -> str: ...
    @property
    def departments(self) -> tuple[str, ...]: ...
    @property
    def sections(self) -> Sequence[SectionSpec]: ...
    @property
    def tasks(self) -> Sequence[PlanTask]: ...


class PlanRow(NamedTuple):
    """One planned task with only the fields the rollup reads (a tuple: 100,000 are made per report)."""

    key: str
    department: str
    section: str | None
    start: dt.date | None
    due: dt.date | None
    estimate: float | None
    depends_on: tuple[str, ...]
    milestone: bool


#: The fields of a planned task the report reads, in PlanRow's order.
FIELDS = PlanRow._fields


@dataclass(frozen=True)
class LeanPlan:
    """The plan as the report reads it, decoded from `plan_columns`."""

    template: str
    departments: tuple[str, ...]
    sections: tuple[SectionSpec, ...]
    tasks: list[PlanRow]


def _table(values: Sequence[Any]) -> tuple[list[Any], list[int]]:
    """Distinct values in first-seen order, and each value's index among them."""
    index: dict[Any, int] = {}
    at = [index.setdefault(v, len(index)) for v in values]
    return list(index), at


#: One line per task key or dependency in the stored text columns, so no such string may hold a line break.
_SEP = "\n"


def _joinable(values: Sequence[str]) -> bool:
    """Whether strings survive being joined by _SEP and split again (template keys match [a-z0-9_-]+)."""
    return all(_SEP not in v for v in values) and "" not in values


@dataclass(frozen=True)
class StoredColumns:
    """A row of `plan_columns`: small tables as JSON, keys and dependencies one per line, indexes as int32."""

    head: str
    keys: str
    depends_on: str
    ints: bytes


def columns_of(spec: ProjectSpec) -> StoredColumns | None:
    """The stored columns of a plan, or None for one they cannot hold (a key with a line break: parsed each time)."""
    tasks = spec.tasks
    keys = [t.key for t in tasks]
    flat = [k for t in tasks for k in t.depends_on]
    if not _joinable(keys) or not _joinable(flat):
        return None
    names, of = _table([t.department for t in tasks])
    sections, in_section = _table([t.section for t in tasks])
    days, starts = _table([t.start.isoformat() if t.start else None for t in tasks])
    day_of = {d: i for i, d in enumerate(days)}
    dues = [day_of.setdefault(d, len(day_of)) for d in (t.due.isoformat() if t.due else None for t in tasks)]
    estimates, estimate_of = _table([t.estimate for t in tasks])
    ints = array("i", [*of, *in_section, *starts, *dues, *estimate_of, *(len(t.depends_on) for t in tasks)])
    if sys.byteorder != "little":
        ints.byteswap()
    head = {
        "version": VERSION,
        "count": len(tasks),
        "template": spec.template,
        "departments": list(spec.departments),
        "sections": [[s.key, s.title] for s in spec.sections],
        "names": names,
        "section_names": sections,
        "days": list(day_of),
        "estimates": estimates,
        "milestones": [i for i, t in enumerate(tasks) if t.milestone],
    }
    return StoredColumns(json.dumps(head, separators=(",", ":")), _SEP.join(keys), _SEP.join(flat), ints.tobytes())


def _keys(text: str, n: int, known: Iterable[str] | None) -> tuple[list[str], dict[str, int] | None]:
    """The stored keys, as the `known` strings where equal, and `known` when it is each key's position among them.

    When `known` is the outline's positions of these very keys in this order (one join and one compare of its
    values to check), its keys are taken as they are; else one lookup per key (a key not known stands for itself)."""
    if not n:
        return [], None
    if isinstance(known, dict) and len(known) == n == text.count(_SEP) + 1:
        try:
            same_keys = _SEP.join(known) == text
        except TypeError:  # a key that is not a string: looked up one by one
            same_keys = False
        if same_keys and list(known.values()) == list(range(n)):
            return list(known), known
    keys = text.split(_SEP)
    if known is None:
        return keys, None
    same = {k: k for k in known}
    return list(map(same.setdefault, keys, keys)), None


def _dependencies(
    text: str, counts: array[int], keys: list[str], position: dict[str, int] | None
) -> Sequence[tuple[str, ...]] | None:
    """Each task's dependencies as a tuple of the plan's key strings (a key not in the plan stands for itself), in
    C-level passes; None when the counts do not fit the stored dependencies (a damaged row)."""
    refs = text.split(_SEP) if text else []
    if sum(counts) != len(refs) or (counts and min(counts) < 0):
        return None
    flat: list[str] | None = None
    if position is not None:  # each key's place in keys: no dict of 100,000 keys to build
        try:
            flat = list(map(keys.__getitem__, map(position.__getitem__, refs)))
        except (KeyError, IndexError):  # a dependency on a key not in the plan
            flat = None
    if flat is None:
        same = dict(zip(keys, keys, strict=True))
        flat = list(map(same.get, refs, refs))
    if not counts or max(counts) <= 1:  # one dependency at most (the common case): no slice per task
        pick = (repeat(()), zip(flat))
        return list(map(next, map(pick.__getitem__, counts)))
    ends = list(accumulate(counts))
    whole = tuple(flat)
    return list(map(whole.__getitem__, map(slice, chain((0,), ends), ends)))  # a tuple's slices are tuples


def lean_plan(stored: StoredColumns, known: Iterable[str] | None = None) -> LeanPlan | None:
    """Inverse of columns_of; None for a form this version does not read (the caller parses the plan).

    Keys and dependencies are the `known` strings where equal (the outline's, which the read's tasks also
    hold), else one string per key: not three copies of 100,000 keys through the report."""
    from collabsync.model_specs import SectionSpec

    try:
        head = json.loads(stored.head)
        if head.get("version") != VERSION or array("i").itemsize != 4:
            return None
        n = head["count"]
        keys, position = _keys(stored.keys, n, known)
        ints = array("i")
        ints.frombytes(stored.ints)
        if sys.byteorder != "little":
            ints.byteswap()
        if len(keys) != n or len(ints) != 6 * n:
            return None
        days = [dt.date.fromisoformat(d) if d else None for d in head["days"]]
        deps = _dependencies(stored.depends_on, ints[5 * n :], keys, position)
        if deps is None:
            return None
        milestone = [False] * n
        for i in head["milestones"]:
            milestone[i] = True
        columns = (
            keys,
            map(head["names"].__getitem__, ints[:n]),
            map(head["section_names"].__getitem__, ints[n : 2 * n]),
            map(days.__getitem__, ints[2 * n : 3 * n]),
            map(days.__getitem__, ints[3 * n : 4 * n]),
            map(head["estimates"].__getitem__, ints[4 * n : 5 * n]),
            deps,
            milestone,
        )
        tasks = list(map(tuple.__new__, repeat(PlanRow), zip(*columns, strict=True)))  # a column too short: ValueError
        return LeanPlan(
            head["template"],
            tuple(head["departments"]),
            tuple(SectionSpec(k, t) for k, t in head["sections"]),
            tasks,
        )
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None
