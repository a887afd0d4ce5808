"""The real asana 5.x SDK against the emulator, through its ordinary calls."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import asana
import pytest
from asana.rest import ApiException

from asana_support import sdk_client
from collabsync.testing.asana import AsanaEmulator


@pytest.fixture(scope="module")
def emu() -> Iterator[AsanaEmulator]:
    with AsanaEmulator() as running:
        yield running


@pytest.fixture(scope="module")
def client(emu: AsanaEmulator) -> Any:
    return sdk_client(emu.base_url, emu.token)


def test_users_me(client: Any, emu: AsanaEmulator) -> None:
    me = asana.UsersApi(client).get_user("me", {"opt_fields": "name,workspaces.name"})
    assert me["gid"] == emu.user_gid
    assert me["workspaces"] == [{"gid": emu.workspace_gid, "resource_type": "workspace", "name": "Acme Corp"}]


def test_project_create_and_get(client: Any, emu: AsanaEmulator) -> None:
    projects = asana.ProjectsApi(client)
    created = projects.create_project_for_team({"data": {"name": "SDK project", "notes": "hello"}}, emu.team_gid, {})
    again = projects.get_project(created["gid"], {"opt_fields": "name,notes,team.name"})
    assert again == {
        "gid": created["gid"],
        "resource_type": "project",
        "name": "SDK project",
        "notes": "hello",
        "team": {"gid": emu.team_gid, "resource_type": "team", "name": "Marketing"},
    }
    plain = projects.create_project({"data": {"name": "Plain", "team": emu.team_gid}}, {})
    assert plain["team"]["gid"] == emu.team_gid


def test_create_task_and_page_beyond_100(client: Any, emu: AsanaEmulator) -> None:
    tasks = asana.TasksApi(client)
    gid = emu.add_project("Paging", sections=["Todo", "Doing"])
    created = tasks.create_task({"data": {"name": "first", "projects": [gid], "due_on": "2027-03-01"}}, {})
    assert created["due_on"] == "2027-03-01"
    for i in range(149):
        emu.add_task(gid, f"t{i}", section="Doing", completed=i % 3 == 0)
    emu.reset_log()
    items = list(tasks.get_tasks_for_project(gid, {"opt_fields": "name,completed,memberships.section.name"}))
    assert len(items) == 150 and items[0]["gid"] == created["gid"]
    assert items[-1]["memberships"][0]["section"]["name"] == "Doing"
    assert emu.count("GET", f"/projects/{gid}/tasks") == 2
    # a fresh opts dict each call: the SDK writes limit/offset into the one it is given
    again = list(tasks.get_tasks_for_project(gid, {"opt_fields": "name", "limit": 50}))
    assert len(again) == 150 and emu.count("GET", f"/projects/{gid}/tasks") == 5


def test_batch_request(client: Any, emu: AsanaEmulator) -> None:
    gid = emu.add_project("Batch")
    body = {
        "data": {
            "actions": [
                {"method": "post", "relative_path": "/tasks", "data": {"name": f"b{i}", "projects": [gid]}}
                for i in range(3)
            ]
            + [{"method": "get", "relative_path": "/tasks/404"}]
        }
    }
    result = asana.BatchAPIApi(client).create_batch_request(body, {}, full_payload=True)
    assert [r["status_code"] for r in result["data"]] == [201, 201, 201, 404]
    assert [t["name"] for t in emu.project_tasks(gid)] == ["b0", "b1", "b2"]


def test_errors_raise_api_exception(client: Any, emu: AsanaEmulator) -> None:
    with pytest.raises(ApiException) as caught:
        asana.TasksApi(client).get_task("999", {})
    assert caught.value.status == 404 and b"Unknown object" in caught.value.body
    bad = sdk_client(emu.base_url, "wrong-token")
    with pytest.raises(ApiException) as denied:
        asana.UsersApi(bad).get_user("me", {})
    assert denied.value.status == 401 and b"Not Authorized" in denied.value.body


def test_comment_story_through_the_sdk(client: Any, emu: AsanaEmulator) -> None:
    task = emu.add_task(emu.add_project("SDK comments"), "talk")
    stories = asana.StoriesApi(client)
    made = stories.create_story_for_task({"data": {"text": "First!"}}, task, {"opt_fields": "text,created_by.name"})
    assert made == {
        "gid": made["gid"],
        "resource_type": "story",
        "text": "First!",
        "created_by": {"gid": emu.user_gid, "resource_type": "user", "name": "Ada Lovelace"},
    }
    stories.update_story({"data": {"text": "First, edited"}}, made["gid"], {})
    assert [s["text"] for s in stories.get_stories_for_task(task, {})] == ["First, edited"]


def test_delete_task_through_the_sdk(client: Any, emu: AsanaEmulator) -> None:
    project = emu.add_project("SDK delete")
    gid = emu.add_task(project, "gone")
    tasks = asana.TasksApi(client)
    assert tasks.delete_task(gid) == {}
    with pytest.raises(ApiException) as caught:
        tasks.get_task(gid, {})
    assert caught.value.status == 404 and emu.project_tasks(project) == []


def test_status_update_through_the_sdk(client: Any, emu: AsanaEmulator) -> None:
    project = emu.add_project("SDK status")
    updates = asana.StatusUpdatesApi(client)
    made = updates.create_status_for_object(
        {"data": {"parent": project, "status_type": "off_track", "title": "Week 3", "text": "Blocked on legal"}}, {}
    )
    assert (made["status_type"], made["parent"]["gid"], made["title"]) == ("off_track", project, "Week 3")
    listed = list(updates.get_statuses_for_object(project, {"opt_fields": "status_type"}))
    assert listed == [{"gid": made["gid"], "resource_type": "status_update", "status_type": "off_track"}]
    with pytest.raises(ApiException) as caught:
        updates.create_status_for_object({"data": {"parent": project, "status_type": "achieved", "text": "x"}}, {})
    assert caught.value.status == 400 and b"status_type" in caught.value.body


def test_users_and_positions_through_the_sdk(client: Any, emu: AsanaEmulator) -> None:
    emu.add_user("Sam SDK", "sam@example.com")
    users = asana.UsersApi(client)
    assert users.get_user("sam@example.com", {"opt_fields": "name"})["name"] == "Sam SDK"
    assert "Sam SDK" in [u["name"] for u in users.get_users_for_workspace(emu.workspace_gid, {})]
    project = emu.add_project("SDK positions", sections=["Only"])
    first, second = emu.add_task(project, "first"), emu.add_task(project, "second")
    section = emu.store.projects[project]["sections"][0]
    asana.SectionsApi(client).add_task_for_section(section, {"body": {"data": {"task": second}}})
    assert [t["name"] for t in emu.project_tasks(project)] == ["second", "first"] and first


def test_seeded_comments_and_status_read_back_through_the_sdk(client: Any, emu: AsanaEmulator) -> None:
    project = emu.add_project("Seeded talk")
    task = emu.add_task(project, "seeded")
    emu.add_user("Cleo Comment", "cleo@example.com")
    emu.add_comment(task, "a & b", author="cleo@example.com")
    emu.add_status_update(project, "on_hold", "Paused", title="Hold")
    [story] = asana.StoriesApi(client).get_stories_for_task(task, {"opt_fields": "text,html_text,created_by.name"})
    assert (story["text"], story["html_text"], story["created_by"]["name"]) == (
        "a & b",
        "<body>a &amp; b</body>",
        "Cleo Comment",
    )
    [status] = asana.StatusUpdatesApi(client).get_statuses_for_object(project, {"opt_fields": "status_type,title"})
    assert (status["status_type"], status["title"]) == ("on_hold", "Hold")
