"""`status` and `report` roll up through one route: a task no department claims is counted alike in both."""

from __future__ import annotations

import json
from pathlib import Path

import click
from click.testing import CliRunner

from collabsync.cli import main
from collabsync.config import home_dir, load_config
from collabsync.ledger import InstanceRecord, InstanceState
from collabsync.model import NewTask, Status, Task, TaskSpec
from collabsync.reading.query import ReadBack
from collabsync.report.reporting import make_report, status_summary
from collabsync.report.rollup import NO_DEPARTMENT
from collabsync.runtime import Workspace
from rollup_data import EXTRA_DEPS, plan, tasks
from rollup_data import TODAY as DAY

NOVA = ["product-launch", "--name", "nova", "--var", "product=Nova", "--var", "launch=2027-03-01"]
TODAY = "2027-01-04"


def run(*args: str) -> click.testing.Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_a_task_without_department_is_counted_the_same_by_status_and_report(isolated_home: Path) -> None:
    assert run("stamp", *NOVA, "--yes").exit_code == 0
    # Every department shares the one local container; a task added there by hand names none of them.
    with Workspace(load_config(None), home_dir()) as ws:
        provider, container = ws.ledger.container("nova", "sales")  # type: ignore[misc]
        created = list(ws.provider(provider).create_tasks(container, [NewTask(TaskSpec("", "Added by hand", ""), "")]))
    assert created[0].ref and not created[0].error
    status = json.loads(run("status", "nova", "--format", "json", "--today", TODAY).stdout)
    report = json.loads(run("report", "nova", "--format", "json", "--no-save", "--today", TODAY).stdout)
    by_report = {g["name"]: g["counts"] for g in report["departments"]}
    by_status = {
        name: {k: v for k, v in counts.items() if k != "provider"} for name, counts in status["departments"].items()
    }
    assert by_status == by_report  # every department, "(none)" included, alike
    assert by_status[NO_DEPARTMENT]["total"] == 1 and status["departments"][NO_DEPARTMENT]["provider"] == "local"
    assert status["overall"] == report["overall"]["counts"]
    assert sum(c["total"] for c in by_status.values()) == status["overall"]["total"] == 46
    table = run("status", "nova", "--today", TODAY).stdout
    assert f" {NO_DEPARTMENT} " in table


def test_status_summary_counts_what_the_report_counts() -> None:
    """Unclaimed tasks, a department known only to the ledger and a stale one without tasks: the same rows."""
    extra = [
        Task(ref="x1", title="By hand", status=Status.DONE, provider="jira"),
        Task(ref="x2", title="By hand too", status=Status.TODO, due=DAY, provider="trello"),
    ]
    record = InstanceRecord("launch-1", "launch", None, {}, plan(), InstanceState.STAMPED, "", "")
    read = ReadBack(
        record,
        tasks() + extra,
        {"legal": "asana: 503"},
        {"eng": "jira", "mkt": "trello", "ops": "asana", "finance": "local", "legal": "asana"},
        list(EXTRA_DEPS),
    )
    report, _ = make_report(read, DAY)
    status = status_summary(read, DAY, {"legal": None})
    assert (
        list(status["departments"])
        == [g.name for g in report.departments]
        == ["eng", "mkt", "ops", "finance", "legal", NO_DEPARTMENT]
    )
    for group in report.departments:
        assert {
            k: v for k, v in status["departments"][group.name].items() if k not in ("provider", "stale", "stale_since")
        } == group.counts, group.name
    assert status["departments"][NO_DEPARTMENT]["provider"] == "jira, trello"
    assert status["departments"]["legal"]["stale"] == "asana: 503" and status["departments"]["legal"]["total"] == 0
    assert status["overall"] == report.overall.counts
