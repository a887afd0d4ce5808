"""People across tools (issue 15): three roles stamped into Jira, Trello, Asana and local, each bound to an
e-mail and resolved per tool; a privacy-hidden Jira profile falls back to [people]; an unknown person is a
plan finding, not a failed write; the report counts per person; reassign moves only open tasks."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from collabsync.cli import main
from collabsync.ledger import Ledger
from collabsync.model import Container, Status
from collabsync.people_cache import MISS, PeopleCache, ToolUser
from collabsync.providers.base import ProviderContext
from collabsync.providers.local import LocalProvider
from collabsync.runtime import Workspace
from collabsync.testing.conformance_support import BoundaryFaults
from collabsync.testing.stack import Stack, running_stack

TEMPLATE = """\
template: people-demo
title: "Deal {{ deal }}"
variables:
  deal: {type: string, description: Deal name}
  close: {type: date, description: Signing day}
roles:
  account_exec: {description: "Owns the customer relationship", department: sales}
  eng_lead: {description: "Owns the integration work", department: engineering}
  finance_partner: {description: "Owns pricing and billing", department: finance}
departments: [sales, engineering, marketing, finance]
tasks:
  - {key: qualify, title: "Qualify {{ deal }}", department: sales, role: account_exec, due: close - 10bd}
  - {key: discovery, title: "Discovery call", department: sales, role: account_exec, due: close - 8bd}
  - {key: integrate, title: "Integrate", department: engineering, role: eng_lead, due: close - 5bd}
  - {key: tech-review, title: "Technical review", department: engineering, role: account_exec, due: close - 4bd}
  - {key: case-study, title: "Case study", department: marketing, role: account_exec, due: close - 3bd}
  - {key: launch-post, title: "Launch post", department: marketing, role: eng_lead, due: close - 3bd}
  - {key: pricing, title: "Pricing sheet", department: marketing, role: finance_partner, due: close - 2bd}
  - {key: invoice, title: "Invoice", department: finance, role: finance_partner, due: close}
"""
ROUTES = {"sales": "trello", "engineering": "jira", "marketing": "asana"}
DANA, ED, LEE, NOBODY = "dana@acme.example", "ed@acme.example", "lee@acme.example", "nobody@acme.example"
ROLES = ["--role", f"account_exec={DANA}", "--role", f"eng_lead={ED}"]


def cli(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture
def stack(isolated_home: Path) -> Iterator[Stack]:
    with running_stack() as s:
        s.trello.state.members[s.trello.me_id]["email"] = DANA  # Trello shows only the token owner's address
        s.extra["dana"] = s.jira.add_user("Dana Scully", DANA)
        s.extra["ed"] = s.jira.add_user("Ed Hidden", ED, hide_email=True)
        s.extra["lee"] = s.jira.add_user("Lee Adama", LEE)
        s.extra["lee_trello"] = s.trello.add_member("lee", "Lee Adama")["id"]
        for name, email in (("Dana Scully", DANA), ("Ed Hidden", ED), ("Lee Adama", LEE)):
            s.extra[f"asana:{email}"] = s.asana.add_user(name, email)
        config = s.config_toml(ROUTES)
        config += f'\n[people."{ED}"]\njira = "{s.extra["ed"]}"\n'
        config += f'\n[people."{LEE}"]\ntrello = "{s.extra["lee_trello"]}"\n'
        config += f'\n[roles.finance]\nfinance_partner = "{NOBODY}"\n'
        Path("collabsync.toml").write_text(config)
        Path("collabsync.toml").chmod(0o600)
        Path("deal.yaml").write_text(TEMPLATE)
        yield s


def refs(home: Path) -> dict[str, str]:
    with Ledger(home / "ledger.sqlite") as ledger:
        return {k: r.ref for k, r in ledger.objects("acme").items() if r.ref}


def stamp(*extra: str, code: int = 0) -> str:
    return cli(
        "stamp",
        "deal.yaml",
        "--name",
        "acme",
        "--var",
        "deal=Acme",
        "--var",
        "close=2027-03-01",
        *ROLES,
        *extra,
        code=code,
    )


def test_unbound_role_is_reported_with_file_and_line(stack: Stack) -> None:
    out = cli(
        "stamp",
        "deal.yaml",
        "--name",
        "acme",
        "--var",
        "deal=Acme",
        "--var",
        "close=2027-03-01",
        "--plan",
        "--role",
        f"account_exec={DANA}",
        code=1,
    )
    assert "deal.yaml:8" in out and "role 'eng_lead' is declared but not bound" in out
    assert "--role eng_lead=EMAIL" in out


def test_roles_resolve_by_email_in_every_tool(stack: Stack, isolated_home: Path) -> None:
    plan = stamp("--plan")
    # The unknown finance partner is named in the plan for Asana; local knows everyone by e-mail.
    assert "1 task(s) of nobody@acme.example" in plan and "created unassigned there: pricing" in plan
    assert "ed@acme.example" not in plan  # hidden by privacy in Jira, but [people] names the account
    stamp("--yes")
    ref = refs(isolated_home)
    assert stack.jira.issue(ref["integrate"]).assignee == stack.extra["ed"]
    assert stack.jira.issue(ref["tech-review"]).assignee == stack.extra["dana"]
    assert stack.trello.card(ref["qualify"])["idMembers"] == [stack.trello.me_id]
    assert stack.asana.task(ref["case-study"])["assignee"]["gid"] == stack.extra[f"asana:{DANA}"]
    assert stack.asana.task(ref["launch-post"])["assignee"]["gid"] == stack.extra[f"asana:{ED}"]
    assert stack.asana.task(ref["pricing"])["assignee"] is None  # not found: unassigned, not a failed write
    # Each person looked up once per tool for the plan and the stamp together (the cache), ed not at all in Jira.
    assert stack.jira.count("GET", "/user/search") == 1
    assert stack.asana.count("GET", "acme.example") == 3

    rows = {r["person"]: r for r in json.loads(cli("people", "acme", "--format", "json"))}
    assert rows[DANA]["ids"] == {
        "asana": stack.extra[f"asana:{DANA}"],
        "jira": stack.extra["dana"],
        "trello": stack.trello.me_id,
    }
    assert rows[NOBODY]["unresolved"] == ["asana"] and rows[NOBODY]["ids"]["local"] == NOBODY
    cache = isolated_home / "people-cache.json"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert stack.trello.token not in cache.read_text() and stack.asana.token not in cache.read_text()


def test_report_counts_each_person_once_across_tools(stack: Stack, isolated_home: Path, tmp_path: Path) -> None:
    stamp("--yes")
    ref = refs(isolated_home)
    stack.trello.move_card(ref["qualify"], "Done")
    stack.jira.set_status(ref["tech-review"], "Done")
    cli("report", "acme", "--format", "json", "--out", str(tmp_path), "--today", "2027-02-01")
    data: dict[str, Any] = json.loads((tmp_path / "acme.json").read_text())
    people = {row["name"]: row for row in data["assignees"]}
    # dana: qualify (Trello, done), discovery (Trello), tech-review (Jira, done), case-study (Asana): one row.
    assert people[DANA]["done_tasks"] == 2 and people[DANA]["open_tasks"] == 2
    assert people[ED]["open_tasks"] == 2  # Jira (through [people]) and Asana (by e-mail)
    assert not any(name.startswith(("5b10", "Dana", "Emulated")) for name in people)


def test_reassign_moves_only_open_tasks(stack: Stack, isolated_home: Path) -> None:
    stamp("--yes")
    ref = refs(isolated_home)
    stack.trello.move_card(ref["qualify"], "Done")
    plan = cli("reassign", "acme", "--role", f"account_exec={LEE}", "--plan")
    assert "3 open task(s) to move" in plan and "keep  sales/qualify: done" in plan
    assert stack.trello.card(ref["discovery"])["idMembers"] == [stack.trello.me_id]  # a plan writes nothing
    out = cli("reassign", "acme", "--role", f"account_exec={LEE}", "--yes")
    assert "moved 3 task(s)" in out
    assert stack.trello.card(ref["qualify"])["idMembers"] == [stack.trello.me_id]  # done: keeps dana
    assert stack.trello.card(ref["discovery"])["idMembers"] == [stack.extra["lee_trello"]]
    assert stack.jira.issue(ref["tech-review"]).assignee == stack.extra["lee"]
    assert stack.asana.task(ref["case-study"])["assignee"]["gid"] == stack.extra[f"asana:{LEE}"]
    assert stack.jira.issue(ref["integrate"]).assignee == stack.extra["ed"]  # another role: untouched
    again = cli("reassign", "acme", "--role", f"account_exec={LEE}", "--yes")
    assert "0 open task(s) to move" in again


def test_reassign_of_unknown_role_names_the_roles(stack: Stack) -> None:
    stamp("--yes")
    out = cli("reassign", "acme", "--role", f"cfo={LEE}", "--plan", code=1)
    assert "no task of 'acme' has role 'cfo'" in out and "account_exec, eng_lead, finance_partner" in out


def test_people_cache_expires(tmp_path: Path) -> None:
    now = [1000.0]
    cache = PeopleCache(tmp_path, ttl=60, clock=lambda: now[0])
    cache.put("jira", "Dana@Acme.example", ToolUser("acc-1", "Dana"))
    cache.put("jira", NOBODY, None)
    assert cache.get("jira", DANA) == ToolUser("acc-1", "Dana", "Dana@Acme.example")
    assert cache.get("jira", NOBODY) is None
    now[0] += 61
    assert cache.get("jira", DANA) is MISS and cache.get("jira", NOBODY) is MISS
    assert cache.by_id("jira") == {"acc-1": "Dana@Acme.example"}


LOCAL_TEMPLATE = """\
template: local-roles
title: "Roles {{ n }}"
variables:
  n: {type: string, description: Run}
roles:
  owner: {description: "Owns everything"}
departments: [ops]
tasks:
""" + "".join(f"  - {{key: t{i}, title: Task {i}, department: ops, role: owner}}\n" for i in range(4))


@pytest.mark.parametrize("lose_reply", [False, True])
def test_reassign_fault_at_every_write_resumes_exactly_once(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch, lose_reply: bool
) -> None:
    Path("t.yaml").write_text(LOCAL_TEMPLATE)
    faults = BoundaryFaults()
    original = Workspace.provider

    def provider(self: Workspace, name: str) -> Any:
        fresh = name not in self._providers
        made = original(self, name)
        return faults.wrap(made) if fresh else made

    monkeypatch.setattr(Workspace, "provider", provider)
    for n in range(3):  # three open tasks to move: fail before the 1st, 2nd and 3rd write
        name = f"run{n}"
        cli("stamp", "t.yaml", "--name", name, "--var", f"n={n}", "--role", f"owner={DANA}", "--yes")
        with Ledger(isolated_home / "ledger.sqlite") as ledger:
            ref = {k: r.ref for k, r in ledger.objects(name).items()}
        local = LocalProvider("local", {}, ProviderContext(home=isolated_home))
        local.set_status(Container("", ""), ref["t3"], Status.DONE)
        local.close()
        log = len(faults.write_log())
        faults.fail_writes_after(n, lose_reply=lose_reply)
        out = cli("reassign", name, "--role", f"owner={LEE}", "--yes", code=1)
        assert "run it again to resume" in out
        faults.fail_writes_after(None)
        cli("reassign", name, "--role", f"owner={LEE}", "--yes")
        assert "0 open task(s)" in cli("reassign", name, "--role", f"owner={LEE}", "--plan")
        writes = faults.write_log()[log:]
        assert writes.count("set_assignee") == 3  # each open task written once (a lost reply's write was applied)
        local = LocalProvider("local", {}, ProviderContext(home=isolated_home))
        with Ledger(isolated_home / "ledger.sqlite") as ledger:
            container = ledger.container(name, "ops")
        assert container is not None
        got = {t.ref: t.assignee for t in local.read_tasks(container[1])}
        local.close()
        assert got == {ref["t0"]: LEE, ref["t1"]: LEE, ref["t2"]: LEE, ref["t3"]: DANA}


def test_contribution_rows_split_by_tool_and_department_with_unassigned_work(
    stack: Stack, isolated_home: Path, tmp_path: Path
) -> None:
    stamp("--yes")
    ref = refs(isolated_home)
    stack.trello.move_card(ref["qualify"], "Done")
    cli("report", "acme", "--format", "json,md", "--out", str(tmp_path), "--today", "2027-02-01")
    data: dict[str, Any] = json.loads((tmp_path / "acme.json").read_text())
    rows = {row["name"]: row for row in data["assignees"]}
    assert rows[DANA]["by_tool"] == [
        {"provider": "jira", "department": "engineering", "done": 0, "open": 1},
        {"provider": "asana", "department": "marketing", "done": 0, "open": 1},
        {"provider": "trello", "department": "sales", "done": 1, "open": 1},
    ]
    # pricing went to Asana unassigned (the finance partner is unknown there): unassigned work per department
    assert rows["(unassigned)"]["by_tool"] == [{"provider": "asana", "department": "marketing", "done": 0, "open": 1}]
    assert rows[NOBODY]["by_tool"] == [{"provider": "local", "department": "finance", "done": 0, "open": 1}]
    assert "sales (trello) 1/1" in (tmp_path / "acme.md").read_text()


def test_template_role_mistakes_are_listed_with_lines() -> None:
    from collabsync.errors import TemplateError
    from collabsync.templating.template import parse_template

    bad = (
        TEMPLATE.replace("role: eng_lead, due: close - 5bd", "role: cto, due: close - 5bd")
        .replace(
            'title: "Invoice", department: finance, role: finance_partner',
            'title: "Invoice", department: finance, role: finance_partner, assignee: bob',
        )
        .replace("department: engineering}", "department: legal}")
    )
    with pytest.raises(TemplateError) as err:
        parse_template(bad, "deal.yaml")
    text = str(err.value)
    assert "deal.yaml:8: role 'eng_lead': unknown department 'legal'" in text
    assert "deal.yaml:14: task 'integrate': unknown role 'cto'" in text
    assert "task 'invoice' has both role and assignee; keep one" in text


def test_config_roles_must_be_emails(isolated_home: Path) -> None:
    Path("collabsync.toml").write_text('[roles]\naccount_exec = 3\n\n[roles.sales]\neng_lead = ""\n')
    out = cli("config", "check", "--offline", code=1)
    assert "roles.account_exec must be an e-mail address" in out and "roles.sales.eng_lead must be" in out


def test_department_default_binds_a_role(isolated_home: Path) -> None:
    from collabsync.templating.template import parse_template

    spec = parse_template(TEMPLATE, "deal.yaml").render(
        "x",
        {"deal": "A", "close": "2027-03-01"},
        {"account_exec": DANA},
        {"eng_lead": ED, "finance_partner": LEE, "marketing": {"eng_lead": NOBODY}},
    )
    who = {t.key: (t.role, t.assignee) for t in spec.tasks}
    assert who["integrate"] == ("eng_lead", ED) and who["launch-post"] == ("eng_lead", NOBODY)
    assert who["qualify"] == ("account_exec", DANA) and who["invoice"] == ("finance_partner", LEE)


def test_data_center_finds_people_by_username_search(isolated_home: Path) -> None:
    from collabsync.testing.jira import JiraEmulator

    with JiraEmulator(deployment="Server") as dc:
        dc.add_project("ENG", "Engineering")
        dana = dc.add_user("Dana Scully", DANA)
        Path("collabsync.toml").write_text(f'''[providers.jira]
type = "jira"
url = "{dc.root_url}"
token = "{dc.pat}"
deployment = "datacenter"
max_retries = 1
backoff = 0.01

[departments.engineering]
provider = "jira"
project = "ENG"

[roles]
eng_lead = "{DANA}"
''')
        Path("collabsync.toml").chmod(0o600)
        rows = json.loads(cli("people", "--format", "json"))
        assert rows == [
            {"person": DANA, "ids": {"jira": dc.store.users[dana]["name"], "local": DANA}, "unresolved": []}
        ]
        assert dc.count("GET", "/user/search") == 1


def test_reassign_to_someone_a_tool_lacks_unassigns_there_and_says_so(stack: Stack, isolated_home: Path) -> None:
    stamp("--yes")
    ref = refs(isolated_home)
    plan = cli("reassign", "acme", "--role", f"account_exec={NOBODY}", "--plan")
    for tool in ("jira", "trello", "asana"):
        assert f"note  {tool}: 1 task(s) of {NOBODY}" in plan or f"note  {tool}: 2 task(s) of {NOBODY}" in plan
    cli("reassign", "acme", "--role", f"account_exec={NOBODY}", "--yes")
    assert stack.trello.card(ref["qualify"])["idMembers"] == []
    assert stack.jira.issue(ref["tech-review"]).assignee is None
    assert stack.asana.task(ref["case-study"])["assignee"] is None
    assert "0 open task(s) to move" in cli("reassign", "acme", "--role", f"account_exec={NOBODY}", "--plan")
