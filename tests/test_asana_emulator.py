"""Fidelity of the Asana emulator: every response these tests see is checked against Asana's OpenAPI spec."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
import requests

from asana_support import validate_response
from collabsync.testing.asana import AsanaEmulator


class Api:
    """A thin requests client that validates each response against the spec operation it targets."""

    def __init__(self, emu: AsanaEmulator) -> None:
        self.emu = emu
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {emu.token}"
        self.checked: list[tuple[str, str, int]] = []

    def call(
        self,
        method: str,
        template: str,
        *,
        params: dict[str, Any] | None = None,
        data: Any = None,
        expect: int | None = None,
        **path: str,
    ) -> dict[str, Any]:
        url = self.emu.base_url + template.format(**path)
        body = {"data": data} if data is not None else None
        resp = self.session.request(method, url, params=params, json=body, timeout=10)
        if expect is not None:
            assert resp.status_code == expect, resp.text
        payload = resp.json()
        validate_response(method, template, resp.status_code, payload)
        self.checked.append((method, template, resp.status_code))
        return payload


@pytest.fixture(scope="module")
def emu() -> Iterator[AsanaEmulator]:
    """One emulator per module (stopping one costs half a second); tests make their own projects."""
    with AsanaEmulator() as running:
        yield running


@pytest.fixture
def api(emu: AsanaEmulator) -> Api:
    return Api(emu)


def _project(api: Api, emu: AsanaEmulator, name: str = "Launch", team: str | None = None) -> str:
    return api.call(
        "post",
        "/teams/{team_gid}/projects",
        team_gid=team or emu.team_gid,
        data={"name": name, "notes": "n"},
        expect=201,
    )["data"]["gid"]


def test_users_me_full_and_trimmed(api: Api, emu: AsanaEmulator) -> None:
    full = api.call("get", "/users/{user_gid}", user_gid="me", expect=200)["data"]
    assert full["gid"] == emu.user_gid and full["workspaces"][0]["gid"] == emu.workspace_gid
    trimmed = api.call("get", "/users/{user_gid}", user_gid="me", params={"opt_fields": "name"}, expect=200)
    assert trimmed["data"] == {"gid": emu.user_gid, "resource_type": "user", "name": "Ada Lovelace"}


def test_workspaces_and_teams(api: Api, emu: AsanaEmulator) -> None:
    listed = api.call("get", "/workspaces", expect=200)["data"]
    assert listed[0]["gid"] == emu.workspace_gid
    assert set(listed[0]) == {"gid", "resource_type", "name"}
    ws = api.call("get", "/workspaces/{workspace_gid}", workspace_gid=emu.workspace_gid, expect=200)["data"]
    assert ws["is_organization"] is True
    teams = api.call("get", "/workspaces/{workspace_gid}/teams", workspace_gid=emu.workspace_gid, expect=200)
    assert [t["name"] for t in teams["data"]] == ["Marketing"]
    team = api.call("get", "/teams/{team_gid}", team_gid=emu.team_gid, expect=200)["data"]
    assert team["organization"]["gid"] == emu.workspace_gid


def test_projects_create_get_list_update(api: Api, emu: AsanaEmulator) -> None:
    workspace = emu.add_workspace("Projects Inc")
    team = emu.add_team("Launch team", workspace)
    gid = _project(api, emu, team=team)
    other = api.call("post", "/projects", data={"name": "Other", "team": team}, expect=201)["data"]["gid"]
    also = api.call(
        "post",
        "/workspaces/{workspace_gid}/projects",
        workspace_gid=workspace,
        data={"name": "Third", "team": team},
        expect=201,
    )["data"]["gid"]
    got = api.call("get", "/projects/{project_gid}", project_gid=gid, expect=200)["data"]
    assert got["team"]["gid"] == team and got["notes"] == "n" and got["workspace"]["gid"] == workspace
    by_team = api.call("get", "/teams/{team_gid}/projects", team_gid=team, params={"limit": 2}, expect=200)
    assert [p["gid"] for p in by_team["data"]] == [gid, other] and by_team["next_page"]["offset"]
    rest = api.call(
        "get",
        "/teams/{team_gid}/projects",
        team_gid=team,
        params={"limit": 2, "offset": by_team["next_page"]["offset"]},
        expect=200,
    )
    assert [p["gid"] for p in rest["data"]] == [also] and rest["next_page"] is None
    by_ws = api.call("get", "/projects", params={"workspace": workspace}, expect=200)
    assert [p["gid"] for p in by_ws["data"]] == [gid, other, also]
    listed = api.call("get", "/workspaces/{workspace_gid}/projects", workspace_gid=workspace, expect=200)
    assert len(listed["data"]) == 3
    updated = api.call(
        "put",
        "/projects/{project_gid}",
        project_gid=gid,
        data={"notes": "new\ncollabsync:x"},
        params={"opt_fields": "notes"},
        expect=200,
    )["data"]
    assert updated == {"gid": gid, "resource_type": "project", "notes": "new\ncollabsync:x"}


def test_project_in_organisation_needs_team(api: Api, emu: AsanaEmulator) -> None:
    body = api.call("post", "/projects", data={"name": "X", "workspace": emu.workspace_gid}, expect=400)
    assert body["errors"][0]["message"].startswith("team: Missing input")


def test_sections_and_add_task(api: Api, emu: AsanaEmulator) -> None:
    gid = _project(api, emu)
    doing = api.call("post", "/projects/{project_gid}/sections", project_gid=gid, data={"name": "Doing"}, expect=201)[
        "data"
    ]
    names = [
        s["name"] for s in api.call("get", "/projects/{project_gid}/sections", project_gid=gid, expect=200)["data"]
    ]
    assert names == ["Untitled section", "Doing"]
    task = api.call("post", "/tasks", data={"name": "T", "projects": [gid]}, expect=201)["data"]
    assert task["memberships"][0]["section"]["name"] == "Untitled section"
    assert api.call(
        "post", "/sections/{section_gid}/addTask", section_gid=doing["gid"], data={"task": task["gid"]}, expect=200
    ) == {"data": {}}
    moved = api.call(
        "get", "/tasks/{task_gid}", task_gid=task["gid"], params={"opt_fields": "memberships.section.name"}, expect=200
    )["data"]
    assert moved["memberships"] == [{"section": {"gid": doing["gid"], "resource_type": "section", "name": "Doing"}}]


def test_task_create_get_update(api: Api, emu: AsanaEmulator) -> None:
    gid = _project(api, emu)
    section = emu.add_section(gid, "Plan")
    created = api.call(
        "post",
        "/tasks",
        expect=201,
        data={
            "name": "Brief",
            "notes": "Write it\ncollabsync:launch/brief",
            "due_on": "2027-01-10",
            "start_on": "2027-01-03",
            "assignee": "me",
            "memberships": [{"project": gid, "section": section}],
        },
    )["data"]
    assert created["assignee"]["gid"] == emu.user_gid and created["start_on"] == "2027-01-03"
    assert created["memberships"][0]["section"]["gid"] == section
    done = api.call("put", "/tasks/{task_gid}", task_gid=created["gid"], data={"completed": True}, expect=200)["data"]
    assert done["completed"] is True and done["completed_at"]
    trimmed = api.call(
        "get",
        "/tasks/{task_gid}",
        task_gid=created["gid"],
        params={"opt_fields": "name,assignee.name,due_on"},
        expect=200,
    )["data"]
    assert trimmed == {
        "gid": created["gid"],
        "resource_type": "task",
        "name": "Brief",
        "assignee": {"gid": emu.user_gid, "resource_type": "user", "name": "Ada Lovelace"},
        "due_on": "2027-01-10",
    }


def test_task_date_rules_and_missing_workspace(api: Api, emu: AsanaEmulator) -> None:
    gid = _project(api, emu)
    same = api.call(
        "post",
        "/tasks",
        data={"name": "T", "projects": [gid], "start_on": "2027-01-03", "due_on": "2027-01-03"},
        expect=400,
    )
    assert "start date must be before" in same["errors"][0]["message"]
    alone = api.call("post", "/tasks", data={"name": "T", "projects": [gid], "start_on": "2027-01-03"}, expect=400)
    assert alone["errors"][0]["message"].startswith("start_on:")
    nowhere = api.call("post", "/tasks", data={"name": "T"}, expect=400)
    assert nowhere["errors"][0]["message"] == "workspace: Missing input"


def test_project_tasks_paging_and_opt_fields(api: Api, emu: AsanaEmulator) -> None:
    gid = emu.add_project("Big", sections=["A", "B"])
    gids = [emu.add_task(gid, f"t{i}", section="B" if i % 2 else "A") for i in range(205)]
    seen: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 100, "opt_fields": "name,completed,memberships.section.name"}
    pages = 0
    while True:
        page = api.call("get", "/projects/{project_gid}/tasks", project_gid=gid, params=params, expect=200)
        pages += 1
        seen += page["data"]
        if not page["next_page"]:
            break
        assert page["next_page"]["uri"].startswith(emu.base_url) and page["next_page"]["path"].startswith("/projects/")
        params = {**params, "offset": page["next_page"]["offset"]}
    assert pages == 3 and [t["gid"] for t in seen] == gids
    assert set(seen[1]) == {"gid", "resource_type", "name", "completed", "memberships"}
    assert seen[1]["memberships"][0]["section"]["name"] == "B"
    compact = api.call("get", "/projects/{project_gid}/tasks", project_gid=gid, params={"limit": 1}, expect=200)
    assert set(compact["data"][0]) == {"gid", "resource_type", "name", "resource_subtype"}


@pytest.mark.parametrize("limit", [0, 101, "x"])
def test_limit_outside_range_is_400(api: Api, emu: AsanaEmulator, limit: Any) -> None:
    gid = emu.add_project("P")
    body = api.call("get", "/projects/{project_gid}/tasks", project_gid=gid, params={"limit": limit}, expect=400)
    assert body["errors"][0]["message"] == "limit: Must be between 1 and 100"


def test_offset_from_another_listing_is_400(api: Api, emu: AsanaEmulator) -> None:
    one, two = emu.add_project("One"), emu.add_project("Two")
    for _ in range(3):
        emu.add_task(one, "t")
    token = api.call("get", "/projects/{project_gid}/tasks", project_gid=one, params={"limit": 1}, expect=200)[
        "next_page"
    ]["offset"]
    body = api.call(
        "get", "/projects/{project_gid}/tasks", project_gid=two, params={"limit": 1, "offset": token}, expect=400
    )
    assert "pagination token" in body["errors"][0]["message"]


def test_tasks_query_modified_since(api: Api, emu: AsanaEmulator) -> None:
    gid = emu.add_project("P")
    emu.now = dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC)
    old = emu.add_task(gid, "old")
    emu.now = dt.datetime(2026, 5, 2, 9, tzinfo=dt.UTC)
    new = emu.add_task(gid, "new")
    emu.complete(old)  # touching it makes it modified again
    untouched = emu.add_task(gid, "later")
    since = "2026-05-02T08:00:00.000Z"
    body = api.call(
        "get", "/tasks", params={"project": gid, "modified_since": since, "opt_fields": "modified_at"}, expect=200
    )
    assert [t["gid"] for t in body["data"]] == [old, new, untouched]
    emu.now = dt.datetime(2026, 5, 3, 9, tzinfo=dt.UTC)
    emu.move_task(new, "Untitled section")
    body = api.call("get", "/tasks", params={"project": gid, "modified_since": "2026-05-03T00:00:00Z"}, expect=200)
    emu.now = None
    assert [t["gid"] for t in body["data"]] == [new]
    missing = api.call("get", "/tasks", expect=400)
    assert missing["errors"][0]["message"].startswith("Must specify exactly one of")


def test_subtasks(api: Api, emu: AsanaEmulator) -> None:
    gid = emu.add_project("P")
    parent = emu.add_task(gid, "parent")
    sub = api.call("post", "/tasks/{task_gid}/subtasks", task_gid=parent, data={"name": "child"}, expect=201)["data"]
    assert sub["parent"]["gid"] == parent and sub["memberships"] == []
    listed = api.call("get", "/tasks/{task_gid}/subtasks", task_gid=parent, expect=200)["data"]
    assert [t["gid"] for t in listed] == [sub["gid"]]
    counted = api.call("get", "/tasks/{task_gid}", task_gid=parent, params={"opt_fields": "num_subtasks"}, expect=200)
    assert counted["data"]["num_subtasks"] == 1
    project_tasks = api.call("get", "/projects/{project_gid}/tasks", project_gid=gid, expect=200)["data"]
    assert [t["gid"] for t in project_tasks] == [parent]


def test_dependencies_and_the_30_limit(api: Api, emu: AsanaEmulator) -> None:
    gid = emu.add_project("P")
    hub = emu.add_task(gid, "hub")
    others = [emu.add_task(gid, f"d{i}") for i in range(31)]
    assert api.call(
        "post", "/tasks/{task_gid}/addDependencies", task_gid=hub, data={"dependencies": others[:30]}, expect=200
    ) == {"data": {}}
    deps = api.call("get", "/tasks/{task_gid}/dependencies", task_gid=hub, expect=200)["data"]
    assert [d["gid"] for d in deps] == others[:30]
    over = api.call(
        "post", "/tasks/{task_gid}/addDependencies", task_gid=hub, data={"dependencies": [others[30]]}, expect=400
    )
    assert "limit of 30" in over["errors"][0]["message"]
    # the limit counts dependents too: `hub` is full, so nothing may depend on it either
    blocked = api.call(
        "post", "/tasks/{task_gid}/addDependencies", task_gid=others[30], data={"dependencies": [hub]}, expect=400
    )
    assert hub in blocked["errors"][0]["message"]
    dependents = api.call(
        "get", "/tasks/{task_gid}", task_gid=others[0], params={"opt_fields": "dependents"}, expect=200
    )["data"]["dependents"]
    assert [d["gid"] for d in dependents] == [hub]


def test_custom_field_settings_and_enum_values(api: Api, emu: AsanaEmulator) -> None:
    gid = emu.add_project("P")
    settings = api.call("get", "/projects/{project_gid}/custom_field_settings", project_gid=gid, expect=200)["data"]
    field = settings[0]["custom_field"]
    assert field["name"] == "Status" and field["resource_subtype"] == "enum"
    blocked = next(o["gid"] for o in field["enum_options"] if o["name"] == "Blocked")
    task = emu.add_task(gid, "t")
    api.call("put", "/tasks/{task_gid}", task_gid=task, data={"custom_fields": {field["gid"]: blocked}}, expect=200)
    values = api.call(
        "get",
        "/tasks/{task_gid}",
        task_gid=task,
        params={"opt_fields": "custom_fields.name,custom_fields.enum_value.name"},
        expect=200,
    )
    assert values["data"]["custom_fields"][0]["enum_value"]["name"] == "Blocked"
    assert (
        api.call(
            "get",
            "/projects/{project_gid}/custom_field_settings",
            project_gid=emu.add_project("Q", status_field=False),
            expect=200,
        )["data"]
        == []
    )


def test_batch_each_action_has_its_own_status(api: Api, emu: AsanaEmulator) -> None:
    gid = emu.add_project("P")
    actions = [
        {
            "method": "post",
            "relative_path": "/tasks",
            "data": {"name": "ok", "projects": [gid]},
            "options": {"fields": ["name", "notes"]},
        },
        {
            "method": "post",
            "relative_path": "/tasks",
            "data": {"name": "bad", "projects": [gid], "start_on": "2027-02-02", "due_on": "2027-01-01"},
        },
        {"method": "get", "relative_path": "/tasks/1"},
        {"method": "get", "relative_path": f"/projects/{gid}"},
    ]
    results = api.call("post", "/batch", data={"actions": actions}, expect=200)["data"]
    assert [r["status_code"] for r in results] == [201, 400, 404, 200]
    assert set(results[0]["body"]["data"]) == {"gid", "resource_type", "name", "notes"}
    validate_response("post", "/tasks", 201, results[0]["body"])
    validate_response("post", "/tasks", 400, results[1]["body"])
    validate_response("get", "/tasks/{task_gid}", 404, results[2]["body"])
    validate_response("get", "/projects/{project_gid}", 200, results[3]["body"])
    assert [t["name"] for t in emu.project_tasks(gid)] == ["ok"]


def test_batch_over_ten_actions_is_rejected_whole(api: Api, emu: AsanaEmulator) -> None:
    gid = emu.add_project("P")
    actions = [
        {"method": "post", "relative_path": "/tasks", "data": {"name": f"t{i}", "projects": [gid]}} for i in range(11)
    ]
    body = api.call("post", "/batch", data={"actions": actions}, expect=400)
    assert "at most 10" in body["errors"][0]["message"]
    assert emu.project_tasks(gid) == []


def test_unknown_opt_field_and_unknown_objects(api: Api, emu: AsanaEmulator) -> None:
    body = api.call("get", "/users/{user_gid}", user_gid="me", params={"opt_fields": "['name']"}, expect=400)
    assert body["errors"][0]["message"].startswith("opt_fields: Unknown field")
    missing = api.call("get", "/projects/{project_gid}", project_gid="12345", expect=404)
    assert missing["errors"][0]["message"] == "project: Unknown object: 12345"
    assert missing["errors"][0]["help"].startswith("For more information")


def test_spec_rejects_a_wrong_shape() -> None:
    """The validator is live: a numeric gid fails the TaskResponse schema."""
    with pytest.raises(jsonschema.ValidationError):
        validate_response("get", "/tasks/{task_gid}", 200, {"data": {"gid": 12, "name": "x"}})


def test_remaining_routes(api: Api, emu: AsanaEmulator) -> None:
    """GET /sections/{gid}, dependents, workspace custom fields and addCustomFieldSetting."""
    gid = emu.add_project("Rest", sections=["Only"], status_field=False)
    section = api.call("get", "/projects/{project_gid}/sections", project_gid=gid, expect=200)["data"][0]
    got = api.call("get", "/sections/{section_gid}", section_gid=section["gid"], expect=200)["data"]
    assert got["project"]["gid"] == gid and got["name"] == "Only"
    first, second = emu.add_task(gid, "first"), emu.add_task(gid, "second")
    api.call("post", "/tasks/{task_gid}/addDependencies", task_gid=second, data={"dependencies": [first]}, expect=200)
    dependents = api.call("get", "/tasks/{task_gid}/dependents", task_gid=first, expect=200)["data"]
    assert [d["gid"] for d in dependents] == [second]
    fields = api.call("get", "/workspaces/{workspace_gid}/custom_fields", workspace_gid=emu.workspace_gid, expect=200)[
        "data"
    ]
    status = next(f for f in fields if f["name"] == "Status")
    added = api.call(
        "post",
        "/projects/{project_gid}/addCustomFieldSetting",
        project_gid=gid,
        data={"custom_field": status["gid"]},
        expect=200,
    )["data"]
    assert added["custom_field"]["gid"] == status["gid"]
    again = api.call(
        "post",
        "/projects/{project_gid}/addCustomFieldSetting",
        project_gid=gid,
        data={"custom_field": status["gid"]},
        expect=400,
    )
    assert again["errors"][0]["message"].startswith("custom_field:")
