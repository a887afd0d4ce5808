"""Issue 17 item 4: what a cold `status --fresh` has loaded when its first request leaves.

A fresh interpreter runs the CLI against the loopback Jira emulator with an audit hook that lists sys.modules at
the first `socket.connect`; modules the request does not need must be loaded after it (or never). Nothing is timed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from collabsync.cli import main
from collabsync.testing.stack import running_stack
from test_startup_imports import HEAVY, PROBE

#: Lists sys.modules at the first connect; test_startup_imports' PROBE then runs the CLI and reports its exit code.
HOOK = """
import json, sys
seen = []
def hook(event, args):
    if event == "socket.connect" and not seen:
        seen.append({"to": list(args[1])[:2], "modules": sorted(sys.modules)})
sys.addaudithook(hook)
"""
TAIL = """
sys.stderr.write("\\nFIRST " + json.dumps({"code": code, "first": seen[0] if seen else None, "sdk": "jira" in sys.modules}) + "\\n")
"""

#: Loaded only after the first request left: the output's modules, the rollup and history, date arithmetic and
#: time zones (a config without a zone needs neither), the template engine, the other tools' SDKs and the snapshot
#: store (a --fresh read only saves one).
NOT_BEFORE_FIRST_REQUEST = (
    "collabsync.commands.views",
    "collabsync.snapshot_store",
    "collabsync.safetext",
    "collabsync.dates",
    "collabsync.report.history",
    "collabsync.report.rollup",
    "collabsync.templating.template",
    "collabsync.stamping",
    "zoneinfo",
    "jsonschema",
    "yaml",
    "rich",
    "asana",
)


def test_first_request_leaves_before_what_it_does_not_need(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_stack() as stack:
        for i in range(5):
            stack.jira.add_issue(stack.jira_project, f"Issue {i}", status="To Do")
        text = stack.config_toml()
        for i, name in enumerate(("api_token", "api_key", "token")):  # secrets from the environment, as users write
            for value in re.findall(rf'^{name} = "([^"]*)"', text, flags=re.M):  # them: a config with a literal
                monkeypatch.setenv(f"SECRET_{i}_{len(value)}", value)  # secret is checked anew on every run
                text = text.replace(f'{name} = "{value}"', f'{name} = "${{SECRET_{i}_{len(value)}}}"')
        config = isolated_home / "collabsync.toml"
        config.write_text(text)
        runner = CliRunner()
        tracked = runner.invoke(
            main, ["--config", str(config), "track", "eng", stack.jira_project, "--department", "engineering"]
        )
        assert tracked.exit_code == 0, tracked.output
        # the config check passed once (its memo is kept): a later run's first request needs no jsonschema
        assert runner.invoke(main, ["--config", str(config), "config", "check"]).exit_code == 0
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                f"HEAVY = {HEAVY!r}\n{HOOK}{PROBE}{TAIL}",
                "--config",
                str(config),
                "status",
                "eng",
                "--format",
                "json",
                "--fresh",
            ],
            env={**os.environ, "COLLABSYNC_HOME": str(isolated_home)},
            cwd=isolated_home,
            capture_output=True,
            text=True,
            timeout=60,
        )
        found = json.loads([ln for ln in proc.stderr.splitlines() if ln.startswith("FIRST ")][-1][6:])
        assert found["code"] == 0, proc.stderr
        assert json.loads(proc.stdout)["overall"]["total"] == 5
        first = found["first"]
        assert first["to"] == ["127.0.0.1", stack.jira.port]  # the Jira read is the first request
        early = [m for m in first["modules"] if m.startswith(NOT_BEFORE_FIRST_REQUEST)]
        assert early == []
        # the Jira read's first requests leave on collabsync's session before the SDK is imported (issue 17)
        assert [m for m in first["modules"] if m == "jira" or m.startswith("jira.")] == []
        assert "requests" in first["modules"]
        assert found["sdk"] is False  # a Cloud read never needs the SDK client: nothing imports it


def test_help_builds_no_dataclass_and_its_status_choices_are_the_models(isolated_home: Path) -> None:
    from collabsync.commands.support import STATUSES
    from collabsync.model import Status
    from test_startup_imports import imported_all

    assert STATUSES == [s.value for s in Status]  # the CLI's --status choices, written out so --help needs no model
    code, heavy, out, ours = imported_all(isolated_home, "--help")
    assert code == 0 and "status" in out and heavy == []
    assert [m for m in ours if m in ("collabsync.model", "collabsync.errors")] == []  # their dataclasses: at first use


def test_the_package_still_exports_the_model_and_errors() -> None:
    import collabsync
    from collabsync.errors import ConfigError
    from collabsync.model import Task

    assert collabsync.Task is Task and collabsync.ConfigError is ConfigError
    assert {"Task", "Status", "CollabsyncError"} <= set(dir(collabsync))


def test_the_next_tool_is_created_once_the_first_request_is_under_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """collect() holds before creating the next adapter (whose SDK import would share the GIL with the read thread)
    until a request has started; nothing is timed: the order is recorded."""
    import threading

    from collabsync import http
    from collabsync.config import load_config
    from collabsync.reading.query import collect, resolve_instance
    from collabsync.runtime import Workspace
    from test_collect_start import _tracked

    monkeypatch.setattr(http, "_first_request", threading.Event())  # this process's first request, as a CLI's is
    monkeypatch.setattr(http, "FIRST_REQUEST_WAIT", 60.0)  # so that only the request ends the wait here
    seen: dict[str, bool] = {}
    created = Workspace.provider

    def provider(ws: Workspace, name: str) -> object:
        seen.setdefault(name, http._first_request.is_set())
        return created(ws, name)

    monkeypatch.setattr(Workspace, "provider", provider)
    with running_stack() as stack:
        config, home = _tracked(stack, tmp_path, stack.providers_toml())
        with Workspace(load_config(config), home) as ws:
            snap = collect(ws, resolve_instance(ws, "mixed"))
    assert not snap.stale and len(snap.tasks) == 60
    assert seen == {"jira": False, "trello": True}


def test_the_hold_ends_when_the_reads_end_without_a_request(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading
    from concurrent.futures import Future

    from collabsync import http

    monkeypatch.setattr(http, "_first_request", threading.Event())
    monkeypatch.setattr(http, "FIRST_REQUEST_WAIT", 60.0)
    ended: Future[None] = Future()
    ended.set_result(None)
    http.until_first_request([ended])  # a read that failed before sending (or a cache hit) does not hold the rest
    assert not http._first_request.is_set()


#: The stamp's records (collabsync.model_specs) and the plan's modules: a Jira read's modules import them only where a
#: plan is read or a task written, so a tracked read compiles none of their dataclasses before its first request.
READ_PATH = (
    "collabsync.runtime",
    "collabsync.ledger",
    "collabsync.reading.query",
    "collabsync.snapshot_store",
    "collabsync.providers.base",
    "collabsync.providers.jira",
)


def test_a_jira_read_imports_no_template_or_write_record() -> None:
    code = (
        "import dataclasses, importlib, json, sys\n"
        "built = []\n"
        "_orig = dataclasses._process_class\n"
        "def _record(cls, *a, **k):\n"
        "    built.append(cls.__module__ + '.' + cls.__qualname__)\n"
        "    return _orig(cls, *a, **k)\n"
        "dataclasses._process_class = _record\n"
        f"for name in {READ_PATH!r}:\n"
        "    importlib.import_module(name)\n"
        "plans = ('collabsync.model_specs', 'collabsync.ledger_plan', 'collabsync.plan_columns',"
        " 'collabsync.ledger_objects', 'collabsync.providers.published')\n"
        "print(json.dumps({'built': built, 'loaded': [m for m in plans if m in sys.modules]}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    found = json.loads(proc.stdout)
    assert found["loaded"] == []  # nor the plan's modules: opening the ledger needs only their tables' schema
    assert "collabsync.model.Task" in found["built"]  # the probe sees the classes the read does build
    late = (".NewTask", ".Created", ".Linked", ".ProjectSpec", ".ObjectRecord", ".LinkRecord", ".Published")
    assert not [b for b in found["built"] if b.endswith(late)]


def test_the_model_still_exports_the_stamp_records() -> None:
    import collabsync
    import collabsync.model as model
    import collabsync.model_specs as specs
    from collabsync.model import Created, Linked, NewTask, ProjectSpec, SectionSpec, TaskChange, TaskSpec

    assert (Created, Linked, NewTask, ProjectSpec, SectionSpec, TaskChange, TaskSpec) == (
        specs.Created,
        specs.Linked,
        specs.NewTask,
        specs.ProjectSpec,
        specs.SectionSpec,
        specs.TaskChange,
        specs.TaskSpec,
    )
    assert collabsync.ProjectSpec is specs.ProjectSpec and model.TaskSpec is specs.TaskSpec
    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        _ = model.Nothing


def test_the_ledger_and_the_adapters_base_still_export_their_records() -> None:
    import collabsync.ledger as ledger
    import collabsync.ledger_objects as objects
    import collabsync.ledger_records as records
    import collabsync.providers.base as base
    from collabsync.ledger import LinkRecord, ObjectRecord
    from collabsync.providers.base import Published
    from collabsync.providers.published import Published as Moved

    assert ObjectRecord is objects.ObjectRecord is records.ObjectRecord and LinkRecord is objects.LinkRecord
    assert Published is Moved
    for module in (ledger, records, base):
        with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
            _ = module.Nothing


def test_the_ledger_creates_the_plan_tables_the_plan_modules_describe(tmp_path: Path) -> None:
    """The schema moved to ledger_rows; the plan modules still export it, and a ledger opened anew has its tables."""
    from collabsync import ledger_plan, ledger_rows, plan_columns
    from collabsync.ledger import Ledger

    assert ledger_plan.OUTLINE_SCHEMA is ledger_rows.OUTLINE_SCHEMA
    assert plan_columns.COLUMNS_SCHEMA is ledger_rows.COLUMNS_SCHEMA
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        names = {r[0] for r in ledger.db.execute("SELECT name FROM sqlite_master").fetchall()}
    assert {"plan_outlines", "plan_columns", "plan_outline_new", "plan_columns_gone"} <= names
