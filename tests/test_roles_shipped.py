"""The shipped templates assign by role: stamped with no --role (the README's tour) their tasks are created
unassigned with a plan finding, never a failed write; bound per department in the config they reach each
person in every tool; `collabsync reassign` binds a role later and moves only open tasks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from collabsync.cli import main
from collabsync.ledger import Ledger
from collabsync.testing.stack import Stack, running_stack

ACME = ["customer-onboarding", "--name", "acme", "--var", "customer=Acme Corp", "--var", "kickoff=2027-01-11"]
NOVA = ["product-launch", "--name", "nova", "--var", "product=Nova", "--var", "launch=2027-03-01"]
DANA, ED, FAY, NOBODY, SAM = (
    "dana@acme.example",
    "ed@acme.example",
    "fay@acme.example",
    "nobody@acme.example",
    "sam@acme.example",
)


def cli(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == code, result.output
    return result.output


def tasks(instance: str) -> dict[str, dict[str, Any]]:
    return {t["key"]: t for t in json.loads(cli("tasks", instance, "--format", "json"))}


def test_tour_stamps_with_roles_unbound_and_reassign_binds_them_later(isolated_home: Path, tmp_path: Path) -> None:
    plan = json.loads(cli("stamp", *ACME, "--plan", "--format", "json"))
    found = [f for f in plan["doctor"]["findings"] if f["kind"] == "role-not-bound"]
    assert len(found) == 1 and found[0]["provider"] == "local" and found[0]["severity"] == "degrade"
    assert found[0]["where"].startswith("6 role(s) not bound: account_exec (5), finance_partner (6), csm (15)")
    assert found[0]["instead"] == "their 36 task(s) are created unassigned"
    assert "collabsync reassign acme --role account_exec=EMAIL" in found[0]["fix"]
    assert "6 role(s) not bound" in cli("stamp", *ACME, "--plan")

    assert "acme: created 36 tasks" in cli("stamp", *ACME, "--yes")
    before = tasks("acme")
    assert len(before) == 36 and not any(t["assignee"] for t in before.values())
    cli("update", "acme", "handover-doc", "--status", "done")
    cli("update", "acme", "assign-csm", "--status", "done")

    assert "14 open task(s) to move" in cli("reassign", "acme", "--role", f"csm={SAM}", "--plan")
    assert "moved 14 task(s)" in cli("reassign", "acme", "--role", f"csm={SAM}", "--yes")
    after = tasks("acme")
    assert after["assign-csm"]["assignee"] in (None, "")  # done: keeps who did it (nobody)
    assert after["kickoff-meeting"]["assignee"] == SAM and after["checkin-90"]["assignee"] == SAM
    assert after["tenant-setup"]["assignee"] in (None, "")  # another role: untouched
    cli("report", "acme", "--format", "json", "--out", str(tmp_path), "--today", "2027-01-04")
    rows = {r["name"]: r for r in json.loads((tmp_path / "acme.json").read_text())["assignees"]}
    assert (rows[SAM]["open_tasks"], rows[SAM]["done_tasks"]) == (14, 0)
    assert (rows["(unassigned)"]["open_tasks"], rows["(unassigned)"]["done_tasks"]) == (20, 2)


def test_a_role_given_as_a_variable_points_to_role(isolated_home: Path) -> None:
    out = cli("stamp", *NOVA, "--var", f"sales_lead={DANA}", "--plan", code=1)
    assert "product-launch.yaml:7: 'sales_lead' is a role, not a variable: pass --role sales_lead=EMAIL" in out


def test_templates_show_lists_the_roles() -> None:
    out = cli("templates", "show", "collaboration-program")
    assert "roles (--role NAME=EMAIL):" in out
    assert "  program_lead: HR business partner who runs the programme" in out
    assert "[department hr; unbound: tasks unassigned]" in out


@pytest.fixture
def stack(isolated_home: Path) -> Iterator[Stack]:
    with running_stack() as s:
        s.trello.state.members[s.trello.me_id]["email"] = DANA  # Trello shows only the token owner's address
        s.extra["ed"] = s.jira.add_user("Ed Hidden", ED, hide_email=True)
        s.extra["asana:dana"] = s.asana.add_user("Dana Scully", DANA)
        config = s.config_toml()  # sales -> Trello, engineering -> Jira, marketing -> Asana, the rest local
        config += f'\n[people."{ED}"]\njira = "{s.extra["ed"]}"\n'  # hidden by privacy in Jira Cloud
        config += f'\n[roles]\nfinance_partner = "{FAY}"\n'
        config += f'\n[roles.sales]\nsales_lead = "{DANA}"\n'
        config += f'\n[roles.engineering]\neng_lead = "{ED}"\n'
        config += f'\n[roles.marketing]\nproduct_marketer = "{NOBODY}"\n'  # Asana has no such user
        Path("collabsync.toml").write_text(config)
        Path("collabsync.toml").chmod(0o600)
        yield s


def test_shipped_template_binds_roles_per_department_across_four_tools(
    stack: Stack, isolated_home: Path, tmp_path: Path
) -> None:
    plan = json.loads(cli("stamp", *NOVA, "--plan", "--format", "json"))
    kinds = {(f["kind"], f["provider"]): f for f in plan["doctor"]["findings"]}
    assert not any(f["severity"] == "blocking" for f in plan["doctor"]["findings"])
    assert kinds[("person-not-found", "asana")]["where"] == f"16 task(s) of {NOBODY}"
    assert (
        kinds[("role-not-bound", "local")]["where"] == "3 role(s) not bound: hr_partner (5), it_partner (4), "
        "support_lead (2)"
    )
    assert ("person-not-found", "jira") not in kinds  # ed's e-mail is hidden, [people] names the account
    assert "nova: created 45 tasks" in cli("stamp", *NOVA, "--yes")

    with Ledger(isolated_home / "ledger.sqlite") as ledger:
        ref = {k: r.ref for k, r in ledger.objects("nova").items() if r.ref}
    assert stack.jira.issue(ref["release"]).assignee == stack.extra["ed"]
    assert stack.trello.card(ref["beta-program"])["idMembers"] == [stack.trello.me_id]
    assert stack.asana.task(ref["messaging"])["assignee"] is None  # unknown there: unassigned, not an error
    listed = tasks("nova")
    assert listed["pricing"]["assignee"] == FAY  # local keeps the e-mail
    assert listed["release"]["assignee"] == ED and listed["beta-program"]["assignee"] == DANA

    cli("report", "nova", "--format", "json", "--out", str(tmp_path), "--today", "2026-11-20")
    rows = {r["name"]: r for r in json.loads((tmp_path / "nova.json").read_text())["assignees"]}
    assert set(rows) == {DANA, ED, FAY, "(unassigned)"}  # one row per person, never a tool's id
    assert [(s["provider"], s["department"]) for s in rows[ED]["by_tool"]] == [("jira", "engineering")]
    unassigned = {(s["provider"], s["department"]): s["open"] for s in rows["(unassigned)"]["by_tool"]}
    assert unassigned == {("asana", "marketing"): 16, ("local", "it"): 4, ("local", "hr"): 5, ("local", "support"): 2}
