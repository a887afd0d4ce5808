"""The report's plan read from `plan_columns` gives what the parsed plan gives, and follows the plan it came from."""

from __future__ import annotations

import datetime as dt
import functools
import sqlite3
import tempfile
from array import array
from dataclasses import replace
from pathlib import Path

import pytest

from collabsync.ledger import Ledger
from collabsync.ledger_plan import StoredPlan
from collabsync.ledger_records import InstanceState
from collabsync.model import ProjectSpec, SectionSpec, TaskSpec
from collabsync.plan_columns import FIELDS, LeanPlan, PlanRow, columns_of, lean_plan
from collabsync.report.render import render
from collabsync.report.rollup import build_report
from collabsync.templating.template import load_template
from report_golden import ANCHORS, _chain_template, _tasks, plans


def _plan(n: int = 12, key: str = "t") -> ProjectSpec:
    """Every field the report reads varied: no section, no start, no estimate, several or no dependencies."""
    tasks = tuple(
        TaskSpec(
            key=f"{key}{i}",
            title=f"Step {i}",
            department=("sales", "hr", "it")[i % 3],
            section=("plan", "build", None)[i % 3],
            start=dt.date(2027, 1, 4) + dt.timedelta(days=i) if i % 4 else None,
            due=dt.date(2027, 1, 8) + dt.timedelta(days=i) if i % 7 else None,
            estimate=float(i % 5) / 2 if i % 5 else None,
            depends_on=tuple(f"{key}{j}" for j in range(max(0, i - i % 3), i)),
            labels=("x",),
            notes="n",
            milestone=i % 6 == 5,
        )
        for i in range(n)
    )
    sections = (SectionSpec("plan", "Plan"), SectionSpec("build", "Build"))
    return ProjectSpec("nova", "launch", "Nova", "d", ("sales", "hr", "it"), sections, tasks, {"owner": "ann"})


def _same(lean: object, spec: ProjectSpec) -> None:
    assert isinstance(lean, LeanPlan)
    assert (lean.template, lean.departments, lean.sections) == (spec.template, spec.departments, spec.sections)
    assert [tuple(row) for row in lean.tasks] == [tuple(getattr(t, f) for f in FIELDS) for t in spec.tasks]
    assert all(type(row) is PlanRow and type(row.depends_on) is tuple for row in lean.tasks)


def test_columns_read_back_every_field_the_report_reads() -> None:
    spec = _plan(40)
    stored = columns_of(spec)
    assert stored is not None
    _same(lean_plan(stored), spec)


def test_keys_and_dependencies_are_the_known_strings_where_equal() -> None:
    spec = _plan(40)
    stored = columns_of(spec)
    assert stored is not None
    known = {
        "".join(["t", str(i)]): i for i in range(0, 40, 2)
    }  # fresh strings, as the outline's are; odd keys unknown
    lean = lean_plan(stored, known)
    _same(lean, spec)
    assert isinstance(lean, LeanPlan)
    strings = {id(k) for k in known}
    for i, row in enumerate(lean.tasks):
        assert (id(row.key) in strings) is (i % 2 == 0)
        assert all((id(d) in strings) is (int(d[1:]) % 2 == 0) for d in row.depends_on)
    odd = lean.tasks[3].key
    assert any(odd in row.depends_on and row.depends_on[row.depends_on.index(odd)] is odd for row in lean.tasks)


def test_the_outlines_positions_give_the_same_plan_sharing_its_strings() -> None:
    """The outline's own positions (the report's case) take the keys as they are; a dependency outside the plan,
    positions that are not the keys' places, and one dependency a task at most all read as without them."""
    single = ProjectSpec(
        "s",
        "t",
        "S",
        "",
        ("a",),
        (),
        tuple(TaskSpec(f"k{i}", "T", "a", depends_on=(f"k{i - 1}",) * (i > 0)) for i in range(9)),
    )
    outside = replace(single, tasks=(*single.tasks, TaskSpec("z", "T", "a", depends_on=("gone", "k1"))))
    for spec in (_plan(40), single, outside):
        stored = columns_of(spec)
        assert stored is not None
        position = {"".join(["", t.key]): i for i, t in enumerate(spec.tasks)}  # fresh strings, as the outline's
        lean = lean_plan(stored, position)
        _same(lean, spec)
        assert isinstance(lean, LeanPlan)
        strings = {id(k) for k in position}
        assert all(id(row.key) in strings for row in lean.tasks)
        assert all(id(d) in strings for row in lean.tasks for d in row.depends_on if d in position)
        shuffled = dict(zip(position, reversed(range(len(position))), strict=True))  # not the keys' places
        _same(lean_plan(stored, shuffled), spec)
        _same(lean_plan(stored, set(position)), spec)
        _same(lean_plan(stored, {i: i for i in range(len(position))}), spec)  # type: ignore[arg-type]


def test_dependency_counts_that_do_not_fit_are_not_read() -> None:
    spec = _plan(12)
    stored = columns_of(spec)
    assert stored is not None
    n = len(spec.tasks)
    counts = array("i", stored.ints[20 * n :])
    counts[-1] += 1  # one more dependency than stored
    assert lean_plan(replace(stored, ints=stored.ints[: 20 * n] + counts.tobytes())) is None
    counts[-1] -= 1
    counts[0], counts[1] = -1, counts[1] + 1  # the same total, one count below zero
    assert lean_plan(replace(stored, ints=stored.ints[: 20 * n] + counts.tobytes())) is None


def test_an_empty_plan_and_a_key_with_a_line_break() -> None:
    empty = ProjectSpec("e", "t", "E", "", ("a",), (), ())
    stored = columns_of(empty)
    assert stored is not None
    _same(lean_plan(stored), empty)
    odd = ProjectSpec("o", "t", "O", "", ("a",), (), (TaskSpec("a\nb", "T", "a"),))
    assert columns_of(odd) is None  # such a plan is parsed whole each time, as before


def test_a_damaged_or_unknown_row_is_not_read() -> None:
    stored = columns_of(_plan())
    assert stored is not None
    assert lean_plan(replace(stored, head=stored.head.replace('"version":1', '"version":9'))) is None
    assert lean_plan(replace(stored, ints=stored.ints[:-4])) is None
    assert lean_plan(replace(stored, keys=stored.keys + "\nextra")) is None
    assert lean_plan(replace(stored, head="{")) is None


@functools.cache
def _plans() -> dict[str, ProjectSpec]:
    """The golden set's plans and a 3,000-task one of long chains."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "chains.yaml"
        path.write_text(_chain_template(3000), encoding="utf-8")
        return {**plans(), "chains-3000": load_template(path).render("chains-3000", {"launch": "2028-06-01"})}


@pytest.mark.parametrize("name", [*ANCHORS, "chains-240", "chains-3000"])
def test_reports_from_the_columns_are_the_reports_from_the_plan(name: str) -> None:
    """The rollup over the lean plan renders the same bytes as over the parsed plan, in every format."""
    spec = _plans()[name]
    stored = columns_of(spec)
    assert stored is not None
    lean = lean_plan(stored)
    _same(lean, spec)
    tasks = _tasks(spec)
    day = min(t.due for t in tasks if t.due) + dt.timedelta(days=20)
    for plan in (spec, lean):
        report = build_report(tasks, today=day, instance=name, plan=plan, generated_at=dt.datetime(2027, 1, 1))
        texts = [render(report, fmt) for fmt in ("html", "md", "json", "csv")]
        if plan is spec:
            expected = texts
    assert texts == expected


def _save(ledger: Ledger, spec: ProjectSpec) -> None:
    ledger.save_instance("nova", template="launch", source=None, variables={}, spec=spec, state=InstanceState.STAMPED)


def test_the_ledger_keeps_columns_with_the_plan_and_drops_them_when_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    with Ledger(path) as ledger:
        _save(ledger, _plan())
        record = ledger.instance("nova", lean=True)
        assert record is not None
        _same(record.report_plan, _plan())
        _save(ledger, _plan(5, key="u"))  # a new plan: the columns are the new plan's
        record = ledger.instance("nova", lean=True)
        assert record is not None
        _same(record.report_plan, _plan(5, key="u"))
        full = ledger.instance("nova")  # a write path's record: the parsed plan itself
        assert full is not None and full.report_plan == _plan(5, key="u")
        # an older version rewrites the plan by itself: the trigger drops the columns, the next read parses it
        ledger.db.execute("UPDATE instances SET spec = (SELECT spec FROM instances) WHERE name = 'nova'")
        assert ledger.db.execute("SELECT COUNT(*) FROM plan_columns").fetchone() == (0,)
        _save(ledger, _plan(5, key="u"))
        ledger.db.execute("DELETE FROM instances")
        assert ledger.db.execute("SELECT COUNT(*) FROM plan_columns").fetchone() == (0,)


def test_a_ledger_from_before_plan_columns_reads_and_gains_them(tmp_path: Path) -> None:
    """An older version's ledger has no plan_columns table: the plan is parsed once and its columns kept."""
    path = tmp_path / "ledger.sqlite"
    with Ledger(path) as ledger:
        _save(ledger, _plan(30))
    db = sqlite3.connect(path)
    db.executescript("DROP TABLE plan_columns; DROP TRIGGER plan_columns_new; DROP TRIGGER plan_columns_changed;")
    db.executescript("DROP TRIGGER plan_columns_gone;")
    db.close()
    with Ledger(path) as ledger:  # opening makes the table (empty)
        record = ledger.instance("nova", lean=True)
        assert record is not None
        assert record.report_plan == _plan(30)  # parsed: the ProjectSpec itself
        again = ledger.instance("nova", lean=True)
        assert again is not None
        _same(again.report_plan, _plan(30))


def test_a_plan_changed_while_it_was_parsed_gets_no_stale_columns(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    with Ledger(path) as ledger:
        _save(ledger, _plan(8))
        ledger.db.execute("DELETE FROM plan_columns")
        record = ledger.instance("nova", lean=True)
        assert record is not None and isinstance(record.plan, StoredPlan)
        assert record.plan.load(keep_text=True) == _plan(8)
        _save(ledger, _plan(3, key="v"))  # another process rewrites the plan before the columns are stored
        ledger.db.execute("DELETE FROM plan_columns")
        record.plan._store_columns(_plan(8))
        assert ledger.db.execute("SELECT COUNT(*) FROM plan_columns").fetchone() == (0,)  # the old plan's: not kept
