"""The Asana emulator against Asana's documented behaviour, one test per rule, each citing its source.

Spec paths refer to ../shared/specs/asana/asana_oas.yaml; pages to developers.asana.com. Every
response is also validated against the spec's schema for its operation and status.
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Any

import pytest
import requests

import collabsync.testing.core as emulator_core
from asana_support import validate_response
from collabsync.testing.asana import AsanaEmulator


@pytest.fixture(scope="module")
def emu() -> Iterator[AsanaEmulator]:
    with AsanaEmulator() as running:
        yield running


def call(
    emu: AsanaEmulator,
    method: str,
    template: str,
    *,
    params: dict[str, Any] | None = None,
    body: Any = None,
    expect: int | None = None,
    **path: str,
) -> requests.Response:
    """One request, its body validated against the spec operation it targets."""
    resp = requests.request(
        method,
        emu.base_url + template.format(**path),
        params=params,
        json=body,
        headers={"Authorization": f"Bearer {emu.token}"},
        timeout=10,
    )
    if expect is not None:
        assert resp.status_code == expect, resp.text
    validate_response(method, template, resp.status_code, resp.json())
    return resp


def batch(emu: AsanaEmulator, *actions: dict[str, Any]) -> list[dict[str, Any]]:
    return call(emu, "post", "/batch", body={"data": {"actions": list(actions)}}, expect=200).json()["data"]


def _error(resp: requests.Response) -> str:
    return resp.json()["errors"][0]["message"]


# -- batch ---------------------------------------------------------------------------------------
def test_batch_get_takes_its_query_in_data(emu: AsanaEmulator) -> None:
    """paths./batch.post, components.schemas.BatchRequestAction.data: for GET, "a map of query
    parameters you would have normally passed in the URL"; options carry fields and paging."""
    project = emu.add_project("Batch query")
    open_gid = emu.add_task(project, "open")
    emu.add_task(project, "done", completed=True)
    [result] = batch(
        emu,
        {
            "method": "get",
            "relative_path": f"/projects/{project}/tasks",
            "data": {"completed_since": "now"},
            "options": {"fields": ["name"], "limit": 5},
        },
    )
    assert result["status_code"] == 200
    assert result["body"]["data"] == [{"gid": open_gid, "resource_type": "task", "name": "open"}]
    assert result["body"]["next_page"] is None


def test_batch_refuses_a_query_in_relative_path(emu: AsanaEmulator) -> None:
    """components.schemas.BatchRequestAction.relative_path: "Query parameters are not accepted here;
    put them in data instead"; options and paging are not accepted in data either."""
    project = emu.add_project("Batch path query")
    in_path, in_data = batch(
        emu,
        {"method": "get", "relative_path": f"/projects/{project}/tasks?opt_fields=name"},
        {"method": "get", "relative_path": f"/projects/{project}/tasks", "data": {"limit": 5}},
    )
    assert in_path["status_code"] == 400 and "relative_path" in in_path["body"]["errors"][0]["message"]
    assert in_data["status_code"] == 400 and "options" in in_data["body"]["errors"][0]["message"]


def test_batch_partial_failure_keeps_order_and_reports_each(emu: AsanaEmulator) -> None:
    """developers.asana.com/docs/batch-requests: each action answers its own status and body, in order."""
    project = emu.add_project("Batch partial")
    ok, bad, missing = batch(
        emu,
        {"method": "post", "relative_path": "/tasks", "data": {"name": "fine", "projects": [project]}},
        {
            "method": "post",
            "relative_path": "/tasks",
            "data": {"name": "dated", "projects": [project], "due_on": "not a date"},
        },
        {"method": "get", "relative_path": "/tasks/1"},
    )
    assert [ok["status_code"], bad["status_code"], missing["status_code"]] == [201, 400, 404]
    assert set(bad["body"]["errors"][0]) >= {"message", "help"}
    assert [t["name"] for t in emu.project_tasks(project)] == ["fine"]


def test_batch_action_with_unencodable_query_is_refused_not_a_crash(emu: AsanaEmulator) -> None:
    """developers.asana.com/docs/errors: bad input is a 400 with the error envelope, never a 500 (found by
    the schemathesis run: a lone surrogate in a GET action's data crashed the batch)."""
    body = '{"data": {"actions": [{"method": "get", "relative_path": "/tasks", "data": {"project": "\\udbbe"}}]}}'
    resp = requests.post(
        emu.base_url + "/batch",
        data=body,
        timeout=10,
        headers={"Authorization": f"Bearer {emu.token}", "Content-Type": "application/json"},
    )
    assert resp.status_code == 200
    [result] = resp.json()["data"]
    assert result["status_code"] == 400 and result["body"]["errors"][0]["message"].startswith("data:")


# -- Location, options in the body, pretty -------------------------------------------------------
def test_created_objects_answer_a_location(emu: AsanaEmulator) -> None:
    """developers.asana.com/docs/errors (201: "The API URL where the object can be retrieved is also
    returned in the Location header") and components.schemas.BatchResponse.headers ("primarily used
    for returning a Location header to accompany a 201 Created result", example ``location: /tasks/1234``)."""
    project = emu.add_project("Location")
    direct = call(emu, "post", "/tasks", body={"data": {"name": "x", "projects": [project]}}, expect=201)
    gid = direct.json()["data"]["gid"]
    assert direct.headers["Location"] == f"{emu.base_url}/tasks/{gid}"
    [result] = batch(emu, {"method": "post", "relative_path": "/tasks", "data": {"name": "y", "projects": [project]}})
    assert result["status_code"] == 201
    assert result["headers"] == {"location": f"/tasks/{result['body']['data']['gid']}"}


def test_options_fields_and_pretty_in_a_json_body(emu: AsanaEmulator) -> None:
    """developers.asana.com/docs/inputoutput-options: in a JSON body, options go in an ``options``
    object beside ``data`` (``{"data": ..., "options": {"pretty": true, "fields": [...]}}``)."""
    project = emu.add_project("Options")
    resp = call(
        emu,
        "post",
        "/tasks",
        expect=201,
        body={
            "data": {"name": "trimmed", "projects": [project]},
            "options": {"fields": ["name", "projects.name"], "pretty": True},
        },
    )
    data = resp.json()["data"]
    assert data == {
        "gid": data["gid"],
        "resource_type": "task",
        "name": "trimmed",
        "projects": [{"gid": project, "resource_type": "project", "name": "Options"}],
    }
    assert resp.text.startswith('{\n  "data"')
    compact = call(emu, "get", "/tasks/{task_gid}", task_gid=data["gid"], params={"opt_fields": "name"}, expect=200)
    assert "\n" not in compact.text
    pretty = call(emu, "get", "/tasks/{task_gid}", task_gid=data["gid"], params={"opt_pretty": "true"}, expect=200)
    assert pretty.text.startswith('{\n  "data"')


# -- dates ---------------------------------------------------------------------------------------
def test_start_on_needs_a_due_date_in_the_same_request(emu: AsanaEmulator) -> None:
    """components.schemas.TaskBase.start_on: "due_on or due_at must be present in the request when
    setting or unsetting the start_on parameter" (even when the task already has a due date)."""
    project = emu.add_project("Start dates")
    gid = emu.add_task(project, "dated", due_on="2027-05-10")
    refused = call(emu, "put", "/tasks/{task_gid}", task_gid=gid, body={"data": {"start_on": "2027-05-01"}}, expect=400)
    assert "start_on" in _error(refused)
    unset = call(emu, "put", "/tasks/{task_gid}", task_gid=gid, body={"data": {"start_on": None}}, expect=400)
    assert "start_on" in _error(unset)
    ok = call(
        emu,
        "put",
        "/tasks/{task_gid}",
        task_gid=gid,
        expect=200,
        body={"data": {"start_on": "2027-05-01", "due_on": "2027-05-10"}},
    )
    assert (ok.json()["data"]["start_on"], ok.json()["data"]["due_on"]) == ("2027-05-01", "2027-05-10")


def test_due_at_is_kept_and_sets_the_due_day(emu: AsanaEmulator) -> None:
    """components.schemas.TaskBase.due_at: "Date and time on which this task is due ... ISO 8601 date
    string in UTC"; the response carries it with milliseconds and Z, and due_on is its day."""
    project = emu.add_project("Due times")
    created = call(
        emu,
        "post",
        "/tasks",
        expect=201,
        body={"data": {"name": "timed", "projects": [project], "due_at": "2027-06-01T15:30:00+02:00"}},
    ).json()["data"]
    assert created["due_at"] == "2027-06-01T13:30:00.000Z" and created["due_on"] == "2027-06-01"
    cleared = call(
        emu, "put", "/tasks/{task_gid}", task_gid=created["gid"], expect=200, body={"data": {"due_on": "2027-06-03"}}
    ).json()["data"]
    assert cleared["due_on"] == "2027-06-03" and cleared["due_at"] is None


def test_due_on_and_due_at_are_exclusive(emu: AsanaEmulator) -> None:
    """components.schemas.TaskBase.due_on: "should not be used together with due_at" (and vice versa)."""
    project = emu.add_project("Exclusive dates")
    refused = call(
        emu,
        "post",
        "/tasks",
        expect=400,
        body={
            "data": {"name": "both", "projects": [project], "due_on": "2027-06-01", "due_at": "2027-06-01T10:00:00Z"}
        },
    )
    assert "due_at" in _error(refused)
    assert emu.project_tasks(project) == []


def test_bad_dates_are_400_naming_the_field(emu: AsanaEmulator) -> None:
    """developers.asana.com/docs/errors: 400 "the request was invalid", with a message naming the input."""
    project = emu.add_project("Bad dates")
    for field, value in (("due_on", "2027-13-01"), ("due_at", "tomorrow")):
        resp = call(
            emu, "post", "/tasks", expect=400, body={"data": {"name": "x", "projects": [project], field: value}}
        )
        assert _error(resp).startswith(field)


# -- positions -----------------------------------------------------------------------------------
def _section_names(emu: AsanaEmulator, section: str) -> list[str]:
    resp = call(
        emu, "get", "/sections/{section_gid}/tasks", section_gid=section, params={"opt_fields": "name"}, expect=200
    )
    return [t["name"] for t in resp.json()["data"]]


def test_add_task_goes_to_the_top_or_beside_an_anchor(emu: AsanaEmulator) -> None:
    """paths./sections/{section_gid}/addTask.post: "The task will be inserted at the top of a section
    unless an insert_before or insert_after parameter is declared"; at most one of the two."""
    project = emu.add_project("Positions", sections=["Todo", "Doing"])
    todo, _doing = emu.store.projects[project]["sections"]
    a, b = emu.add_task(project, "a", section="Todo"), emu.add_task(project, "b", section="Todo")
    x, y, z = (emu.add_task(project, n, section="Doing") for n in ("x", "y", "z"))
    path = "/sections/{section_gid}/addTask"
    call(emu, "post", path, section_gid=todo, body={"data": {"task": x}}, expect=200)
    assert _section_names(emu, todo) == ["x", "a", "b"]
    call(emu, "post", path, section_gid=todo, body={"data": {"task": y, "insert_after": a}}, expect=200)
    call(emu, "post", path, section_gid=todo, body={"data": {"task": z, "insert_before": x}}, expect=200)
    assert _section_names(emu, todo) == ["z", "x", "a", "y", "b"]
    both = call(emu, "post", path, section_gid=todo, body={"data": {"task": z, "insert_before": a, "insert_after": b}})
    elsewhere = call(emu, "post", path, section_gid=_doing, body={"data": {"task": z, "insert_before": a}})
    assert both.status_code == elsewhere.status_code == 400
    assert _section_names(emu, todo) == ["z", "x", "a", "y", "b"]


def test_add_project_positions(emu: AsanaEmulator) -> None:
    """paths./tasks/{task_gid}/addProject.post and components.schemas.TaskAddProjectRequest: end of the
    project by default; ``section`` alone is its end, with ``insert_after: null`` its beginning."""
    project = emu.add_project("Add project", sections=["One", "Two"])
    one, two = emu.store.projects[project]["sections"]
    first = emu.add_task(project, "first", section="One")
    other = emu.add_project("Elsewhere")
    moving = [emu.add_task(other, n) for n in ("end", "top-of-two", "start")]
    path = "/tasks/{task_gid}/addProject"
    call(emu, "post", path, task_gid=moving[0], body={"data": {"project": project}}, expect=200)
    call(
        emu,
        "post",
        path,
        task_gid=moving[1],
        body={"data": {"project": project, "section": two, "insert_after": None}},
        expect=200,
    )
    call(
        emu,
        "post",
        path,
        task_gid=moving[2],
        body={"data": {"project": project, "section": one, "insert_after": None}},
        expect=200,
    )
    assert _section_names(emu, one) == ["start", "first"]
    assert _section_names(emu, two) == ["top-of-two", "end"]
    names = [
        t["name"]
        for t in call(
            emu, "get", "/projects/{project_gid}/tasks", project_gid=project, params={"opt_fields": "name"}, expect=200
        ).json()["data"]
    ]
    assert names == ["start", "first", "top-of-two", "end"]
    assert first in emu.store.projects[project]["tasks"]


# -- rate limits ---------------------------------------------------------------------------------
def test_rejected_requests_count_against_the_quota(monkeypatch: pytest.MonkeyPatch) -> None:
    """developers.asana.com/docs/rate-limits: "Requests rejected by this limiter still count against the
    quotas, so that ignoring the Retry-After header will result in fewer and fewer requests being
    accepted". The limiter's clock is replaced so the minute passes without waiting."""
    clock = types.SimpleNamespace(now=1000.0)
    fake_time = types.SimpleNamespace(monotonic=lambda: clock.now, sleep=emulator_core.time.sleep)
    monkeypatch.setattr(emulator_core, "time", fake_time)
    with AsanaEmulator(per_minute=3) as emu:

        def status() -> int:
            return requests.get(
                emu.base_url + "/users/me", headers={"Authorization": f"Bearer {emu.token}"}, timeout=10
            ).status_code

        assert [status() for _ in range(3)] == [200, 200, 200]
        clock.now += 30
        refused = requests.get(emu.base_url + "/users/me", headers={"Authorization": f"Bearer {emu.token}"}, timeout=10)
        assert refused.status_code == 429 and refused.headers["Retry-After"] == "30"
        assert refused.json()["errors"][0]["message"].startswith("You've made too many requests")
        clock.now += 31  # the first three have aged out; the refused one has not
        assert [status() for _ in range(3)] == [200, 200, 429]


# -- routes for comments, status, people, fields -------------------------------------------------
def test_comment_stories_on_a_task(emu: AsanaEmulator) -> None:
    """paths./tasks/{task_gid}/stories.post|get and paths./stories/{story_gid}.put: a comment is a
    ``comment_added`` story; text or html_text (not both); only the author edits it."""
    project = emu.add_project("Comments")
    task = emu.add_task(project, "discuss")
    made = call(emu, "post", "/tasks/{task_gid}/stories", task_gid=task, body={"data": {"text": "a < b"}}, expect=201)
    story = made.json()["data"]
    assert story["resource_subtype"] == "comment_added" and story["html_text"] == "<body>a &lt; b</body>"
    assert made.headers["Location"].endswith(f"/stories/{story['gid']}")
    edited = call(
        emu,
        "put",
        "/stories/{story_gid}",
        story_gid=story["gid"],
        expect=200,
        body={"data": {"html_text": "<body><strong>done</strong></body>"}},
    ).json()["data"]
    assert edited["text"] == "done" and edited["is_edited"] is True
    listed = call(emu, "get", "/tasks/{task_gid}/stories", task_gid=task, expect=200).json()["data"]
    assert [(s["gid"], s["text"], s["created_by"]["gid"]) for s in listed] == [(story["gid"], "done", emu.user_gid)]
    both = call(
        emu,
        "post",
        "/tasks/{task_gid}/stories",
        task_gid=task,
        body={"data": {"text": "x", "html_text": "<body>x</body>"}},
    )
    bad_xml = call(emu, "post", "/tasks/{task_gid}/stories", task_gid=task, body={"data": {"html_text": "<body>x"}})
    assert both.status_code == bad_xml.status_code == 400
    emu.add_user("Mallory", token="mallory-pat")
    other = requests.put(
        f"{emu.base_url}/stories/{story['gid']}",
        json={"data": {"text": "mine"}},
        timeout=10,
        headers={"Authorization": "Bearer mallory-pat"},
    )
    assert other.status_code == 403


def test_delete_task_removes_it_everywhere(emu: AsanaEmulator) -> None:
    """paths./tasks/{task_gid}.delete: answers an empty data block; the task is gone (404 after)."""
    project = emu.add_project("Delete")
    gid, keep = emu.add_task(project, "doomed"), emu.add_task(project, "kept")
    emu.add_dependency(keep, gid)
    assert call(emu, "delete", "/tasks/{task_gid}", task_gid=gid, expect=200).json() == {"data": {}}
    call(emu, "get", "/tasks/{task_gid}", task_gid=gid, expect=404)
    assert [t["name"] for t in emu.project_tasks(project)] == ["kept"] and emu.task(keep)["dependencies"] == []


def test_project_status_updates(emu: AsanaEmulator) -> None:
    """paths./status_updates.post|get and paths./status_updates/{status_update_gid}.get|delete:
    ``parent`` and ``status_type`` required; a project's types are on_track, at_risk, off_track,
    on_hold and complete; ``parent`` is required to list."""
    project = emu.add_project("Status")
    path = "/status_updates"
    first = call(
        emu,
        "post",
        path,
        expect=201,
        body={"data": {"parent": project, "status_type": "on_track", "title": "W1", "text": "fine"}},
    ).json()["data"]
    second = call(
        emu,
        "post",
        path,
        expect=201,
        body={"data": {"parent": project, "status_type": "at_risk", "html_text": "<body>late</body>"}},
    ).json()["data"]
    assert first["resource_subtype"] == "project_status_update" and second["text"] == "late"
    listed = call(emu, "get", path, params={"parent": project}, expect=200).json()["data"]
    assert [u["gid"] for u in listed] == [second["gid"], first["gid"]]
    current = call(
        emu,
        "get",
        "/projects/{project_gid}",
        project_gid=project,
        expect=200,
        params={"opt_fields": "current_status_update"},
    ).json()["data"]["current_status_update"]
    assert current["gid"] == second["gid"]
    for data in (
        {"parent": project, "status_type": "achieved", "text": "x"},
        {"parent": project, "text": "x"},
        {"status_type": "on_track", "text": "x"},
    ):
        assert call(emu, "post", path, body={"data": data}).status_code == 400
    assert call(emu, "get", path).status_code == 400
    call(emu, "delete", "/status_updates/{status_update_gid}", status_update_gid=first["gid"], expect=200)
    call(emu, "get", "/status_updates/{status_update_gid}", status_update_gid=first["gid"], expect=404)


def test_users_by_gid_me_and_email_and_listings(emu: AsanaEmulator) -> None:
    """paths./users/{user_gid}.get ("A string identifying a user. This can either be the string "me",
    an email, or the gid"), paths./workspaces/{workspace_gid}/users.get (sorted alphabetically) and
    paths./users.get (sorted by user ID)."""
    zed = emu.add_user("Zed Zimmer")
    amy = emu.add_user("Amy Archer")
    by_mail = call(emu, "get", "/users/{user_gid}", user_gid="amy.archer@example.com", expect=200).json()["data"]
    assert by_mail["gid"] == amy
    call(emu, "get", "/users/{user_gid}", user_gid="nobody@example.com", expect=404)
    names = [
        u["name"]
        for u in call(
            emu, "get", "/workspaces/{workspace_gid}/users", workspace_gid=emu.workspace_gid, expect=200
        ).json()["data"]
    ]
    assert names == sorted(names, key=str.casefold) and {"Zed Zimmer", "Amy Archer"} <= set(names)
    gids = [
        u["gid"]
        for u in call(emu, "get", "/users", params={"workspace": emu.workspace_gid, "limit": 100}, expect=200).json()[
            "data"
        ]
    ]
    assert gids == sorted(gids, key=int) and {zed, amy} <= set(gids)


def test_assignee_given_as_an_email(emu: AsanaEmulator) -> None:
    """components.schemas.TaskRequestBase.assignee: "a string identifying a user ... 'me', an email, or the gid"."""
    project = emu.add_project("Assign")
    bob = emu.add_user("Bob Email", "bob@example.com")
    task = call(
        emu,
        "post",
        "/tasks",
        expect=201,
        body={"data": {"name": "mail", "projects": [project], "assignee": "bob@example.com"}},
    ).json()["data"]
    assert task["assignee"]["gid"] == bob
    call(
        emu,
        "put",
        "/tasks/{task_gid}",
        task_gid=task["gid"],
        expect=400,
        body={"data": {"assignee": "who@example.com"}},
    )


def test_custom_fields_with_enum_options(emu: AsanaEmulator) -> None:
    """paths./projects/{project_gid}/custom_field_settings.get and paths./custom_fields/{custom_field_gid}.get:
    an enum field shows its enum_options (gid, name, color, enabled)."""
    project = emu.add_project("Fields")
    settings = call(
        emu, "get", "/projects/{project_gid}/custom_field_settings", project_gid=project, expect=200
    ).json()["data"]
    field_gid = settings[0]["custom_field"]["gid"]
    field = call(emu, "get", "/custom_fields/{custom_field_gid}", custom_field_gid=field_gid, expect=200).json()["data"]
    assert field["resource_subtype"] == "enum"
    assert [o["name"] for o in field["enum_options"]][:2] == ["On track", "At risk"]
    assert set(field["enum_options"][0]) >= {"gid", "name", "color", "enabled"}


def test_project_archive(emu: AsanaEmulator) -> None:
    """paths./projects/{project_gid}.put with ``archived`` (boolean); GET /projects?archived= filters."""
    project = emu.add_project("Archive me")
    done = call(
        emu, "put", "/projects/{project_gid}", project_gid=project, body={"data": {"archived": True}}, expect=200
    ).json()["data"]
    assert done["archived"] is True
    listed = call(
        emu,
        "get",
        "/projects",
        params={"workspace": emu.workspace_gid, "archived": "true", "opt_fields": "archived"},
        expect=200,
    ).json()["data"]
    assert project in [p["gid"] for p in listed] and all(p["archived"] for p in listed)
    call(emu, "put", "/projects/{project_gid}", project_gid=project, body={"data": {"archived": "yes"}}, expect=400)


def test_custom_field_lists_page_like_every_list(emu: AsanaEmulator) -> None:
    """paths./projects/{project_gid}/custom_field_settings.get and paths./workspaces/{workspace_gid}/custom_fields.get:
    ``limit`` and ``offset`` page them, with ``next_page``; a limit over 100 is a 400
    (developers.asana.com/docs/pagination)."""
    project = emu.add_project("Many fields")
    extra = emu.store.new_field(emu.workspace_gid, "Priority", ("High", "Low"))
    emu.store.projects[project]["fields"].append(extra)
    path = "/projects/{project_gid}/custom_field_settings"
    first = call(emu, "get", path, project_gid=project, params={"limit": 1}, expect=200).json()
    assert first["data"][0]["custom_field"]["name"] == "Status" and first["next_page"]["offset"]
    second = call(
        emu, "get", path, project_gid=project, expect=200, params={"limit": 1, "offset": first["next_page"]["offset"]}
    ).json()
    assert second["data"][0]["custom_field"]["name"] == "Priority" and second["next_page"] is None
    call(emu, "get", path, project_gid=project, params={"limit": 101}, expect=400)
    fields = call(
        emu,
        "get",
        "/workspaces/{workspace_gid}/custom_fields",
        workspace_gid=emu.workspace_gid,
        params={"limit": 1},
        expect=200,
    ).json()
    assert len(fields["data"]) == 1 and fields["data"][0]["enum_options"] and fields["next_page"]["offset"]


def test_a_project_colour_outside_the_spec_enum_is_refused() -> None:
    """asana_oas.yaml, ProjectBase.color: a string from the colour enum (or null); anything else is a 400."""
    with AsanaEmulator() as emu:
        gid = emu.add_project("Colours")
        auth = {"Authorization": f"Bearer {emu.token}"}
        url = f"{emu.base_url}/projects/{gid}"
        bad = requests.put(url, json={"data": {"color": 38695}}, headers=auth, timeout=5)
        assert bad.status_code == 400 and bad.json()["errors"][0]["message"].startswith("color:")
        good = requests.put(url, json={"data": {"color": "light-green"}}, headers=auth, timeout=5)
        assert good.status_code == 200 and good.json()["data"]["color"] == "light-green"
