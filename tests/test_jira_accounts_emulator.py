"""The Jira emulator's account configuration: its routes match Atlassian's spec and its refusals are Jira's."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

import test_jira_emulator_fidelity as fidelity
from collabsync.testing.jira import JiraEmulator
from collabsync.testing.jira_catalog import NOT_ON_SCREEN
from collabsync.testing.presets import seed_preset
from providers.jira_workflow import graph_of, shortest_path

check, jira_spec = fidelity.check, fidelity.jira_spec  # the shared spec fixtures, found by pytest by name


@pytest.fixture
def emu() -> Iterator[JiraEmulator]:
    with JiraEmulator() as e:
        seed_preset(e, "locked-down-jira")
        yield e


@pytest.fixture
def http(emu: JiraEmulator) -> requests.Session:
    s = requests.Session()
    s.auth = (emu.email, emu.api_token)
    return s


def url(emu: JiraEmulator, path: str, v: str = "3") -> str:
    return f"{emu.root_url}/rest/api/{v}{path}"


def test_account_routes_match_the_spec(emu: JiraEmulator, http: requests.Session, check: Any) -> None:
    types = check(
        http.get(url(emu, "/issue/createmeta/ENG/issuetypes"), params={"maxResults": 2}, timeout=5),
        "/rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes",
    )
    assert types["total"] == 5 and len(types["issueTypes"]) == 2  # paged, like Cloud
    fields = check(
        http.get(url(emu, "/issue/createmeta/ENG/issuetypes/10001"), timeout=5),
        "/rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes/{issueTypeId}",
    )
    by_id = {f["fieldId"]: f for f in fields["fields"]}
    assert "duedate" not in by_id and by_id["customfield_10050"]["required"]
    assert [v["value"] for v in by_id["customfield_10050"]["allowedValues"]] == ["Platform", "Payments", "Growth"]
    edit = check(http.get(url(emu, "/issue/ENG-1/editmeta"), timeout=5), "/rest/api/3/issue/{issueIdOrKey}/editmeta")
    assert "duedate" in edit["fields"] and "customfield_10015" not in edit["fields"]
    perms = check(
        http.get(
            url(emu, "/mypermissions"),
            params={"projectKey": "ENG", "permissions": "CREATE_ISSUES,ASSIGN_ISSUES"},
            timeout=5,
        ),
        "/rest/api/3/mypermissions",
    )
    assert perms["permissions"]["CREATE_ISSUES"]["havePermission"] is True
    assert perms["permissions"]["ASSIGN_ISSUES"]["havePermission"] is False
    assert http.get(url(emu, "/mypermissions"), timeout=5).status_code == 400  # permissions= is required
    statuses = check(
        http.get(url(emu, "/project/ENG/statuses"), timeout=5), "/rest/api/3/project/{projectIdOrKey}/statuses"
    )
    assert [s["name"] for s in statuses[0]["statuses"]] == ["To Do", "In Progress", "Done"]
    project_id = emu.store.project("ENG")["id"]
    scheme = check(
        http.get(url(emu, "/workflowscheme/project"), params={"projectId": project_id}, timeout=5),
        "/rest/api/3/workflowscheme/project",
    )
    name = scheme["values"][0]["workflowScheme"]["defaultWorkflow"]
    found = check(
        http.get(
            url(emu, "/workflow/search"), params={"workflowName": name, "expand": "transitions,statuses"}, timeout=5
        ),
        "/rest/api/3/workflow/search",
    )
    _, edges = graph_of(found["values"][0])
    assert shortest_path(edges, "10000", lambda s: s == "10003") == ["3", "10003"]  # To Do -> In Progress -> Done


def test_writes_are_refused_like_jira(emu: JiraEmulator, http: requests.Session) -> None:
    project = emu.store.project("ENG")["id"]
    base = {"project": {"id": project}, "issuetype": {"id": "10001"}, "summary": "x"}
    refused = http.post(url(emu, "/issue", "2"), json={"fields": {**base, "duedate": "2027-01-01"}}, timeout=5)
    assert refused.status_code == 400 and refused.json()["errors"] == {"duedate": NOT_ON_SCREEN.format("duedate")}
    bad = http.post(
        url(emu, "/issue", "2"), json={"fields": {**base, "customfield_10050": {"value": "Nope"}}}, timeout=5
    )
    assert bad.json()["errors"] == {"customfield_10050": "Specify a valid 'id' or 'name' for Team"}
    made = http.post(url(emu, "/issue", "2"), json={"fields": base}, timeout=5)
    assert made.status_code == 201  # Team falls back to its default
    key = made.json()["key"]
    assert (
        http.put(url(emu, f"/issue/{key}", "2"), json={"fields": {"duedate": "2027-01-01"}}, timeout=5).status_code
        == 204
    )
    assert (
        http.put(
            url(emu, f"/issue/{key}", "2"), json={"fields": {"customfield_10015": "2027-01-01"}}, timeout=5
        ).status_code
        == 400
    )  # start date is on neither screen
    offered = http.get(url(emu, f"/issue/{key}/transitions"), timeout=5).json()["transitions"]
    assert [t["to"]["name"] for t in offered] == ["In Progress"]  # only from the current status
    done = "51"  # the site-wide id of the transition into Done
    assert (
        http.post(url(emu, f"/issue/{key}/transitions"), json={"transition": {"id": done}}, timeout=5).status_code
        == 400
    )
    assert "Blocks" not in [t["name"] for t in http.get(url(emu, "/issueLinkType"), timeout=5).json()["issueLinkTypes"]]
    link = http.post(
        url(emu, "/issueLink"),
        json={"type": {"name": "Blocks"}, "inwardIssue": {"key": key}, "outwardIssue": {"key": "ENG-1"}},
        timeout=5,
    )
    assert link.status_code == 404
    bulk = http.post(
        url(emu, "/issue/bulk", "2"),
        json={"issueUpdates": [{"fields": base}, {"fields": {**base, "assignee": {"accountId": emu.admin}}}]},
        timeout=5,
    ).json()
    assert len(bulk["issues"]) == 1 and bulk["errors"][0]["failedElementNumber"] == 1
    assert bulk["errors"][0]["elementErrors"]["errors"] == {"assignee": "You do not have permission to assign issues."}


def test_no_create_permission_and_team_managed_style(http: requests.Session, emu: JiraEmulator) -> None:
    emu.add_project("OPS", "Operations")
    seed_preset(emu, "no-create-jira", key="OPS")
    seed_preset(emu, "team-managed-jira", key="TM")
    body = {"fields": {"project": {"key": "OPS"}, "issuetype": {"name": "Task"}, "summary": "x"}}
    refused = http.post(url(emu, "/issue", "2"), json=body, timeout=5)
    assert refused.status_code == 400 and "permission to create" in refused.json()["errors"]["project"]
    project = http.get(url(emu, "/project/TM"), timeout=5).json()
    assert project["style"] == "next-gen" and project["simplified"] is True
    assert [t["name"] for t in project["issueTypes"]] == ["Epic", "Task", "Story"]
    assert (
        http.get(url(emu, "/workflowscheme/project"), params={"projectId": project["id"]}, timeout=5).status_code == 403
    )


def test_data_center_doctor_and_stamp_follow_the_plan(isolated_home: Any) -> None:
    from pathlib import Path

    from click.testing import CliRunner

    from collabsync.cli import main

    with JiraEmulator(deployment="Server") as dc:
        seed_preset(dc, "locked-down-jira")
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
''')
        args = ["product-launch", "--name", "nova", "--var", "product=Nova", "--var", "launch=2027-03-01"]
        out = CliRunner().invoke(main, ["doctor", *args])
        assert out.exit_code == 0, out.output
        assert "due date (duedate) is not on the create screen" in out.output  # createmeta `values` on DC
        assert "the workflow cannot be read" in out.output  # no /workflow/search on Data Center
        stamped = CliRunner().invoke(main, ["stamp", *args, "--yes"])
        assert stamped.exit_code == 0, stamped.output
        tasks = [i for i in dc.project_issues("ENG") if "collabsync-nova" in i.labels and i.type_id == "10001"]
        assert len(tasks) == 7 and all(i.duedate for i in tasks)  # set by the edit after create


WINDING = {
    "To Do": ["Won't Do", "In Progress"],
    "Won't Do": ["To Do"],
    "In Progress": ["Blocked"],
    "Blocked": ["Done"],
    "Done": [],
}


@pytest.mark.parametrize("admin", [True, False])
def test_status_change_walks_the_workflow(isolated_home: Any, admin: bool) -> None:
    from collabsync.errors import UnsupportedError
    from collabsync.model import Container, Status
    from collabsync.providers.base import ProviderContext
    from collabsync.providers.jira import JiraProvider

    with JiraEmulator() as emu:
        emu.add_project("ENG")
        emu.configure_project("ENG", workflow=dict(WINDING), admin_denied=not admin)
        ref = emu.issue(emu.add_issue("ENG", "Walk me")).id
        provider = JiraProvider(
            "jira",
            {
                "url": emu.root_url,
                "email": emu.email,
                "api_token": emu.api_token,
                "deployment": "cloud",
                "max_retries": 0,
            },
            ProviderContext(home=isolated_home),
        )
        container = Container(
            "ENG-1",
            "x",
            "",
            {"project": "ENG", "project_id": emu.store.project("ENG")["id"], "issue_type_id": "10001", "fields": {}},
        )
        provider.set_status(container, ref, Status.DONE)  # with the graph (admin) or forward by category
        assert emu.store.status(emu.store.issue(ref).status_id)[1] == "Done"
        moved = [r for r in emu.requests if r.method == "POST" and r.path.endswith("/transitions")]
        assert len(moved) == 3  # To Do -> In Progress -> Blocked -> Done, never through Won't Do
        assert emu.count("GET", "/workflow/search") == (1 if admin else 0)
        with pytest.raises(UnsupportedError, match="no transition from 'Done' to a todo status"):
            provider.set_status(container, ref, Status.TODO)  # Done is a dead end in this workflow
        assert emu.store.status(emu.store.issue(ref).status_id)[1] == "Done"
