"""`collabsync report` as a nightly job on the local provider: instances x formats into a folder, lock, exit codes."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import click
import pytest
from click.testing import CliRunner

from collabsync.cli import main
from collabsync.report.history import History
from collabsync.report.nightly import LOCK_FILE, RunLock, RunLockedError, parse_formats
from collabsync.report.render.jsonout import validate_report

NOVA = ["product-launch", "--name", "nova", "--var", "product=Nova", "--var", "launch=2027-03-01"]
GLOBEX = ["customer-onboarding", "--name", "globex", "--var", "customer=Globex", "--var", "kickoff=2026-12-07"]


def run(*args: str) -> click.testing.Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def two_instances(isolated_home: Path) -> Path:
    """nova and globex stamped into the local tool; returns COLLABSYNC_HOME."""
    for args in (NOVA, GLOBEX):
        result = run("stamp", *args, "--yes")
        assert result.exit_code == 0, result.output
    assert run("update", "nova", "pricing", "--status", "done", "--force").exit_code == 0
    return isolated_home


class _Tags(HTMLParser):
    """Checks that every opened element is closed in order (void elements aside)."""

    VOID: ClassVar[set[str]] = {"meta", "br", "hr", "img", "input", "link", "col", "wbr", "area", "base", "source"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.seen: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.add(tag)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1] if self.stack else None}>"
        self.stack.pop()


def test_all_instances_every_format_into_a_folder(two_instances: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports" / "nightly"  # two levels that do not exist yet
    result = run("report", "--all", "--format", "html,md,json,csv", "--out", str(out), "--today", "2027-01-04")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""  # everything goes to files; the log lines go to stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["index.html", *(f"{name}.{ext}" for name in ("nova", "globex") for ext in ("html", "md", "json", "csv"))]
    )
    for name in ("nova", "globex"):
        data = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
        validate_report(data)
        assert data["instance"] == name and data["stale_departments"] == []
        rows = list(csv.DictReader(io.StringIO((out / f"{name}.csv").read_text(encoding="utf-8"))))
        assert len(rows) == data["overall"]["counts"]["total"] > 0
        assert {r["instance"] for r in rows} == {name}
        assert (out / f"{name}.md").read_text(encoding="utf-8").startswith(f"# {name} (")
        parser = _Tags()
        parser.feed((out / f"{name}.html").read_text(encoding="utf-8"))
        parser.close()
        assert parser.stack == [] and {"html", "body", "table", "svg"} <= parser.seen
        assert f"{name}: {data['overall']['health']}; wrote {out / f'{name}.html'}" in result.stderr
    nova = json.loads((out / "nova.json").read_text(encoding="utf-8"))
    assert nova["overall"]["counts"]["done"] == 1
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary file left behind


def test_named_instances_and_one_snapshot_per_instance_per_run(two_instances: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    for day in ("2027-01-04", "2027-01-05"):
        result = run("report", "nova", "globex", "--format", "md,json", "--out", str(out), "--today", day)
        assert result.exit_code == 0, result.output
    assert run("report", "nova", "--format", "json", "--out", str(out), "--no-save").exit_code == 0
    with History(two_instances / "history.sqlite") as store:
        assert [h.today.isoformat() for h in store.list_snapshots("nova")] == ["2027-01-04", "2027-01-05"]
        assert [h.today.isoformat() for h in store.list_snapshots("globex")] == ["2027-01-04", "2027-01-05"]
    second = json.loads((out / "globex.md").with_suffix(".json").read_text(encoding="utf-8"))
    assert len(second["history"]) == 2 and second["changes"]["previous_id"] is not None


def test_single_instance_stdout_and_file_still_work(two_instances: Path, tmp_path: Path) -> None:
    shown = run("report", "nova", "--format", "json", "--today", "2027-01-04")
    assert shown.exit_code == 0
    validate_report(json.loads(shown.stdout))
    target = tmp_path / "nova.md"
    written = run("report", "nova", "--format", "md", "-o", str(target), "--no-save")
    assert written.exit_code == 0 and target.read_text(encoding="utf-8").startswith("# nova (")


@pytest.mark.parametrize(
    "args, message",
    [
        (["nova", "globex", "--format", "md"], "several instances or formats need --out DIR"),
        (["nova", "--format", "md,json"], "several instances or formats need --out DIR"),
        (["nova", "--format", "md", "--out", "d", "-o", "f.md"], "use --out DIR or -o/--output FILE, not both"),
        (["nova", "--format", "pdf", "--out", "d"], "unknown report format 'pdf'"),
    ],
)
def test_usage_errors_exit_2_and_write_nothing(two_instances: Path, args: list[str], message: str) -> None:
    result = run("report", *args)
    assert result.exit_code == 2 and message in result.output
    assert not Path("d").exists()
    with History(two_instances / "history.sqlite") as store:
        assert store.list_snapshots("nova") == []


def test_all_with_names_or_unknown_instance_exits_1(two_instances: Path, tmp_path: Path) -> None:
    both = run("report", "nova", "--all", "--out", str(tmp_path / "o"))
    assert both.exit_code == 1 and "name instances or pass --all, not both" in both.stderr
    unknown = run("report", "nova", "nope", "--out", str(tmp_path / "o"))
    assert unknown.exit_code == 1 and "no instance named 'nope'" in unknown.stderr
    assert not (tmp_path / "o").exists()


def test_all_with_an_empty_ledger_exits_1(isolated_home: Path, tmp_path: Path) -> None:
    result = run("report", "--all", "--out", str(tmp_path / "o"))
    assert result.exit_code == 1 and "the ledger has no instances yet" in result.stderr


def test_a_held_lock_makes_a_second_run_exit_1(two_instances: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with RunLock(two_instances) as lock:
        since, pid = lock.holder()
        result = run("report", "--all", "--format", "json", "--out", str(out))
    assert pid == os.getpid() and since.endswith("Z")
    assert result.exit_code == 1
    assert f"error: another report run holds the lock since {since} (pid {pid})" in result.stderr
    assert not out.exists()
    with History(two_instances / "history.sqlite") as store:
        assert store.list_snapshots("nova") == []
    again = run("report", "--all", "--format", "json", "--out", str(out))  # released: the next run goes ahead
    assert again.exit_code == 0, again.output


def test_lock_held_by_another_process_names_its_pid_and_dies_with_it(two_instances: Path, tmp_path: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from collabsync.report.nightly import RunLock\n"
        "lock = RunLock(Path(sys.argv[1])); lock.acquire(); print('locked', flush=True); sys.stdin.read()\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(two_instances)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        blocked = run("report", "--all", "--format", "md", "--out", str(tmp_path / "out"))
        assert blocked.exit_code == 1
        assert "another report run holds the lock since " in blocked.stderr
        assert f"(pid {holder.pid})" in blocked.stderr
    finally:
        holder.kill()  # a crashed run: the kernel drops its flock
        holder.wait()
    assert run("report", "--all", "--format", "md", "--out", str(tmp_path / "out")).exit_code == 0
    assert json.loads((two_instances / LOCK_FILE).read_text(encoding="utf-8"))["pid"] == os.getpid()


def test_run_lock_in_the_library(tmp_path: Path) -> None:
    with RunLock(tmp_path), pytest.raises(RunLockedError, match=r"holds the lock since \S+Z \(pid \d+\)"):
        RunLock(tmp_path).acquire()
    with RunLock(tmp_path) as again:
        assert again.holder()[1] == os.getpid()


def test_parse_formats() -> None:
    assert parse_formats("html, MD,json,html,markdown") == ["html", "md", "json"]
    assert parse_formats(("csv", "json,csv")) == ["csv", "json"]
    with pytest.raises(ValueError, match="unknown report format 'xlsx'"):
        parse_formats("html,xlsx")
    with pytest.raises(ValueError, match="no format given"):
        parse_formats(" , ")


def test_help_has_an_example() -> None:
    text = run("report", "--help").output
    assert "Example:" in text and "collabsync report --all --format html,md,json --out" in text
    assert "--out DIR" in text and "exits 3" in text


def test_runs_as_a_plain_process_without_a_terminal(two_instances: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "collabsync", "report", "--all", "--format", "html,json", "--out", str(out)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, "TERM": "xterm-256color"},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "" and "\x1b[" not in proc.stderr  # no prompt, no colour codes in the log
    assert sorted(line.split(":")[0] for line in proc.stderr.splitlines()) == ["globex", "nova"]
    assert len(list(out.glob("*.html"))) == 3 and len(list(out.glob("*.json"))) == 2  # two reports and index.html


def test_an_output_folder_that_cannot_be_made_exits_1(two_instances: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "reports"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    result = run("report", "--all", "--format", "md", "--out", str(blocker / "nightly"))
    assert result.exit_code == 1
    assert f"cannot create the output folder {blocker / 'nightly'}" in result.stderr
    assert "internal error" not in result.stderr
