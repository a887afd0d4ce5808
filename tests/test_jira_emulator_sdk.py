"""The real `jira` SDK (3.10.x) works against the Jira emulator, Cloud and Data Center flavours."""

from __future__ import annotations

import pytest
from jira import JIRA, JIRAError

from collabsync.testing.jira import FLAGGED, STORY_POINTS, JiraEmulator


@pytest.fixture
def emu():
    with JiraEmulator(max_results_cap=100) as e:
        e.add_project("ENG", "Engineering")
        yield e


@pytest.fixture
def client(emu: JiraEmulator) -> JIRA:
    j = JIRA(emu.root_url, basic_auth=(emu.email, emu.api_token), max_retries=0, options={"check_update": False})
    yield j
    j.close()


def test_create_get_and_edit(client: JIRA, emu: JiraEmulator):
    issue = client.create_issue(
        project="ENG",
        summary="Ship it",
        issuetype={"name": "Task"},
        description="Body\ncollabsync:launch/t1",
        labels=["collabsync-launch"],
        duedate="2026-12-01",
        **{STORY_POINTS: 3},
    )
    got = client.issue(issue.key, fields="summary,description,labels,duedate," + STORY_POINTS)
    assert got.fields.summary == "Ship it"
    assert got.fields.description.splitlines()[-1] == "collabsync:launch/t1"
    assert got.fields.labels == ["collabsync-launch"]
    assert getattr(got.fields, STORY_POINTS) == 3
    assert not hasattr(got.fields, "status")  # only requested fields come back
    got.update(fields={"summary": "Ship it now"})
    assert emu.issue(issue.key).summary == "Ship it now"


def test_bulk_create_reports_each_item(client: JIRA, emu: JiraEmulator):
    epic = client.create_issue(project="ENG", summary="Launch", issuetype={"name": "Epic"})
    items = [
        {"project": {"key": "ENG"}, "issuetype": {"name": "Task"}, "summary": f"T{n}", "parent": {"key": epic.key}}
        for n in range(4)
    ]
    items.insert(2, {"project": {"key": "ENG"}, "issuetype": {"name": "Task"}, "summary": "bad", "bogus": 1})
    results = client.create_issues(items, prefetch=False)
    assert [r["status"] for r in results] == ["Success", "Success", "Error", "Success", "Success"]
    assert "bogus" in results[2]["error"]
    children = [i for i in emu.project_issues("ENG") if i.parent_id == emu.issue(epic.key).id]
    assert len(children) == 4


def test_transitions_move_by_category(client: JIRA, emu: JiraEmulator):
    key = emu.add_issue("ENG", "Task")
    names = {t["name"]: t for t in client.transitions(key)}
    assert "Resolve" in names and names["Resolve"]["to"]["statusCategory"]["key"] == "done"
    client.transition_issue(key, names["Block"]["id"])
    assert client.issue(key).fields.status.name == "Blocked"
    with pytest.raises(JIRAError) as err:
        client.transition_issue(key, "999")
    assert err.value.status_code == 400


def test_enhanced_search_pages_past_one_page(client: JIRA, emu: JiraEmulator):
    for n in range(230):
        emu.add_issue("ENG", f"Issue {n}", labels=["bulk"])
    emu.reset_log()
    found = client.enhanced_search_issues(
        "project = ENG AND labels = bulk ORDER BY key", maxResults=0, fields=["summary", "status"]
    )
    assert len(found) == 230
    assert len({i.key for i in found}) == 230
    assert emu.count("GET", "/search/jql") == 3  # 100 + 100 + 30 with the default server cap
    one = client.enhanced_search_issues("project = ENG", maxResults=10, fields="summary", json_result=True)
    assert len(one["issues"]) == 10 and one["nextPageToken"] and one["isLast"] is False


def test_links_visible_on_both_ends(client: JIRA, emu: JiraEmulator):
    a, b = emu.add_issue("ENG", "A"), emu.add_issue("ENG", "B")
    client.create_issue_link("Blocks", a, b)
    links_b = client.issue(b, fields="issuelinks").fields.issuelinks
    assert links_b[0].type.name == "Blocks" and links_b[0].inwardIssue.key == a
    links_a = client.issue(a, fields="issuelinks").fields.issuelinks
    assert links_a[0].outwardIssue.key == b


def test_errors_raise_jiraerror(client: JIRA):
    with pytest.raises(JIRAError) as missing:
        client.issue("ENG-404")
    assert missing.value.status_code == 404
    with pytest.raises(JIRAError) as bad:
        client.create_issue(project="ENG", summary="x", issuetype={"name": "Task"}, labels=["has space"])
    assert bad.value.status_code == 400 and "spaces" in bad.value.text
    with pytest.raises(JIRAError) as jql:
        client.enhanced_search_issues("project = NOPE", fields="summary")
    assert jql.value.status_code == 400 and "NOPE" in jql.value.text


def test_flagged_and_seed_bulk(emu: JiraEmulator, client: JIRA):
    made = emu.seed_bulk(2, 30, seed=3)
    assert [len(c["issues"]) for c in made] == [30, 30]
    statuses = {emu.issue(k).status_id for k in made[0]["issues"] + made[1]["issues"]}
    assert len(statuses) >= 4
    key = made[0]["issues"][0]
    emu.set_flagged(key)
    assert getattr(client.issue(key, fields=FLAGGED).fields, FLAGGED)[0].value == "Impediment"


def test_v3_uses_adf_and_refuses_plain_text(emu: JiraEmulator):
    j = JIRA(
        emu.root_url,
        basic_auth=(emu.email, emu.api_token),
        max_retries=0,
        options={"check_update": False, "rest_api_version": "3"},
    )
    with pytest.raises(JIRAError) as err:
        j.create_issue(project="ENG", summary="x", issuetype={"name": "Task"}, description="plain")
    assert "Atlassian Document" in err.value.text
    doc = {
        "type": "doc",
        "version": 1,
        "content": [
            {
                "type": "paragraph",
                "content": [
                    {"type": "text", "text": "one"},
                    {"type": "hardBreak"},
                    {"type": "text", "text": "collabsync:i/k"},
                ],
            }
        ],
    }
    issue = j.create_issue(project="ENG", summary="x", issuetype={"name": "Task"}, description=doc)
    assert j.issue(issue.key).raw["fields"]["description"] == doc
    assert emu.issue_json(issue.key)["fields"]["description"] == "one\ncollabsync:i/k"  # v2 view: plain text
    j.close()


def test_data_center_mode_uses_old_search_with_startat():
    with JiraEmulator(deployment="Server") as emu:
        emu.add_project("OPS")
        for n in range(120):
            emu.add_issue("OPS", f"Op {n}")
        j = JIRA(emu.root_url, token_auth=emu.pat, max_retries=0, options={"check_update": False})
        assert j.deploymentType == "Server"
        found = j.search_issues("project = OPS", maxResults=0, fields="summary")
        assert len(found) == 120
        assert emu.count("GET", "/rest/api/2/search") == 2  # startAt 0 and 100
        assert emu.count(path_contains="/search/jql") == 0
        j.close()


def test_data_center_epics_need_epic_name_and_children_use_epic_link():
    from collabsync.testing.jira_catalog import EPIC_LINK, EPIC_NAME

    with JiraEmulator(deployment="Server") as emu:
        emu.add_project("OPS")
        j = JIRA(emu.root_url, token_auth=emu.pat, max_retries=0, options={"check_update": False})
        with pytest.raises(JIRAError) as no_name:
            j.create_issue(project="OPS", summary="Epic", issuetype={"name": "Epic"})
        assert "Epic Name is required" in no_name.value.text
        epic = j.create_issue(project="OPS", summary="Epic", issuetype={"name": "Epic"}, **{EPIC_NAME: "Epic"})
        with pytest.raises(JIRAError) as parent:
            j.create_issue(project="OPS", summary="T", issuetype={"name": "Task"}, parent={"key": epic.key})
        assert "parent" in parent.value.text
        child = j.create_issue(project="OPS", summary="T", issuetype={"name": "Task"}, **{EPIC_LINK: epic.key})
        found = j.search_issues(f'"Epic Link" = {epic.key}', fields="summary")
        assert [i.key for i in found] == [child.key]
        assert "Epic Link" in {f["name"] for f in j.fields()}
        j.close()
