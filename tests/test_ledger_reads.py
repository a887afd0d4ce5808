"""apply_plan reads the ledger once (containers, tasks, links, sub-writes), however many departments it stamps."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from collabsync.config import load_config
from collabsync.runtime import Workspace
from collabsync.stamping.stamp import apply_plan, build_plan
from collabsync.templating.template import find_template

#: containers, objects, links and sub-writes: one SELECT each
READS_PER_APPLY = 4


def _selects(ws: Workspace, run: Callable[[], object]) -> int:
    """How many SELECTs the ledger answered while `run` ran."""
    seen: list[str] = []
    ws.ledger.db.set_trace_callback(lambda sql: seen.append(sql.lstrip().split()[0].upper()))
    try:
        run()
    finally:
        ws.ledger.db.set_trace_callback(None)
    return seen.count("SELECT")


def test_a_stamp_and_its_resume_read_the_ledger_once(isolated_home: Path) -> None:
    spec = find_template("product-launch", []).render("nova", {"product": "Nova", "launch": "2027-03-01"})
    with Workspace(load_config(None), isolated_home) as ws:
        assert len(spec.departments) == 7
        fresh = build_plan(spec, ws)
        assert _selects(ws, lambda: apply_plan(fresh, ws)) == READS_PER_APPLY  # was 37: several per department
        tasks = {t.ref for dept, prov, c in ws.ledger.containers("nova") for t in ws.provider(prov).read_tasks(c)}
        # After a crash the outcome of marketing's writes is unknown: the resume asks the tool, reads the ledger once.
        ws.ledger.db.execute("UPDATE objects SET state = 'pending' WHERE department = 'marketing'")
        plan = build_plan(spec, ws)
        assert [d.department for d in plan.departments if d.to_create] == ["marketing"]
        result: dict[str, object] = {}
        assert _selects(ws, lambda: result.update(apply_plan(plan, ws))) == READS_PER_APPLY
        assert result["created"] == 0  # adopted by marker, not created again
        again = {t.ref for dept, prov, c in ws.ledger.containers("nova") for t in ws.provider(prov).read_tasks(c)}
        assert again == tasks and len(tasks) == len(spec.tasks)
        assert build_plan(spec, ws).up_to_date
