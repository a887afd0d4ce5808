"""End to end through the CLI: product-launch with engineering on Jira (the emulator), the rest local."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from collabsync.cli import main
from collabsync.testing.core import Faults
from collabsync.testing.jira import JiraEmulator

VARS = ["--var", "product=Nova", "--var", "launch=2027-03-01"]


def run(*args: str) -> object:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def write_config(emu: JiraEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIRA_TEST_TOKEN", emu.api_token)
    Path("collabsync.toml").write_text(f"""
[defaults]
provider = "local"

[providers.local]
type = "local"

[providers.jira]
type = "jira"
url = "{emu.root_url}"
email = "{emu.email}"
api_token = "${{JIRA_TEST_TOKEN}}"
deployment = "cloud"
max_retries = 1
backoff = 0

[departments.engineering]
provider = "jira"
project = "ENG"

[cache]
ttl = 0  # the test moves issues behind collabsync's back, as a person would; read fresh every time
""")


def engineering_keys() -> set[str]:
    """The engineering task keys as the CLI lists them (read back from Jira)."""
    rows = json.loads(run("tasks", "nova", "--department", "engineering", "--format", "json").output)
    assert rows and all(r["provider"] == "jira" for r in rows)
    return {r["key"] for r in rows}


def marked_issues(emu: JiraEmulator) -> dict[str, str]:
    """template key -> Jira key, from the marker line of each task issue."""
    out = {}
    for issue in emu.project_issues("ENG"):
        text = emu.issue_json(issue.key)["fields"]["description"] or ""
        last = text.strip().splitlines()[-1]
        if "/" in last:
            out[last.rsplit("/", 1)[1]] = issue.key
    return out


def test_stamp_then_status_follows_jira(monkeypatch: pytest.MonkeyPatch):
    with JiraEmulator() as emu:
        emu.add_project("ENG", "Engineering")
        write_config(emu, monkeypatch)
        checked = run("config", "check")
        assert checked.exit_code == 0, checked.output
        stamped = run("stamp", "product-launch", "--name", "nova", *VARS, "--yes")
        assert stamped.exit_code == 0, stamped.output
        issues = marked_issues(emu)
        engineering = engineering_keys()
        assert set(issues) == engineering and {"scope-freeze", "release", "docs"} <= engineering
        assert emu.count("POST", "/issue/bulk") == 1
        emu.set_status(issues["scope-freeze"], "Done")
        emu.set_status(issues["feature-complete"], "In Progress")
        emu.set_status(issues["docs"], "On Hold")
        emu.set_flagged(issues["beta-feedback"])
        status = json.loads(run("status", "nova", "--format", "json", "--today", "2027-01-01").output)
        eng = status["departments"]["engineering"]
        assert eng["provider"] == "jira" and eng["total"] == len(engineering)
        assert (eng["done"], eng["in_progress"], eng["blocked"]) == (1, 1, 2)
        updated = run("update", "nova", "release", "--status", "done", "--force")
        assert updated.exit_code == 0, updated.output
        assert emu.issue_json(issues["release"])["fields"]["status"]["statusCategory"]["key"] == "done"
        again = run("stamp", "product-launch", "--name", "nova", *VARS, "--yes")
        assert "up to date" in again.output and len(marked_issues(emu)) == len(engineering)


def test_stamp_resumes_after_jira_lost_a_reply(monkeypatch: pytest.MonkeyPatch):
    with JiraEmulator(faults=Faults(stop_after_writes=1, lose_reply_after_stop=True)) as emu:
        emu.add_project("ENG", "Engineering")
        write_config(emu, monkeypatch)
        first = run("stamp", "product-launch", "--name", "nova", *VARS, "--yes")
        assert first.exit_code != 0 and "engineering" in first.output
        emu.faults.stop_after_writes = None
        second = run("stamp", "product-launch", "--name", "nova", *VARS, "--yes")
        assert second.exit_code == 0, second.output
        issues = marked_issues(emu)
        assert set(issues) == engineering_keys()
        assert len(emu.project_issues("ENG")) == len(issues) + 1  # tasks + the epic, nothing twice
