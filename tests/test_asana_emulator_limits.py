"""Asana emulator: auth, rate limits, concurrency caps, injected faults, request log, loopback only."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests

from asana_support import validate_response
from collabsync.testing.asana import AsanaEmulator
from collabsync.testing.core import Faults


def _get(emu: AsanaEmulator, path: str, token: str | None = None, **kw: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {token or emu.token}"}
    return requests.get(emu.base_url + path, headers=headers, timeout=10, **kw)


def _post(emu: AsanaEmulator, path: str, data: dict[str, Any]) -> requests.Response:
    headers = {"Authorization": f"Bearer {emu.token}"}
    return requests.post(emu.base_url + path, headers=headers, json={"data": data}, timeout=10)


@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic Zm9vOmJhcg=="])
def test_every_route_needs_a_known_bearer_pat(header: str | None) -> None:
    with AsanaEmulator() as emu:
        headers = {"Authorization": header} if header else {}
        resp = requests.get(emu.base_url + "/users/me", headers=headers, timeout=10)
        assert resp.status_code == 401
        validate_response("get", "/users/{user_gid}", 401, resp.json())
        assert resp.json()["errors"][0]["message"] == "Not Authorized"
        post = requests.post(emu.base_url + "/batch", headers=headers, json={"data": {"actions": []}}, timeout=10)
        assert post.status_code == 401


def test_extra_users_authenticate_with_their_own_pat() -> None:
    with AsanaEmulator() as emu:
        emu.add_user("Bob Builder", token="bob-pat")
        assert _get(emu, "/users/me", token="bob-pat").json()["data"]["name"] == "Bob Builder"


def test_per_minute_budget_answers_429_with_retry_after() -> None:
    with AsanaEmulator(per_minute=3) as emu:
        statuses = [_get(emu, "/users/me").status_code for _ in range(3)]
        limited = _get(emu, "/users/me")
        assert statuses == [200, 200, 200] and limited.status_code == 429
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
        validate_response("get", "/users/{user_gid}", 429, limited.json())
        other = emu.add_user("Other", token="other-pat")
        assert other and _get(emu, "/users/me", token="other-pat").status_code == 200  # budgets are per token


def test_concurrent_write_cap() -> None:
    """With writes held in flight by latency, requests beyond the cap get 429 at once."""
    with AsanaEmulator(concurrent_writes=2, faults=Faults(latency_ms=600)) as emu:
        gid = emu.add_project("P")
        statuses: list[int] = []
        barrier = threading.Barrier(5)

        def write(i: int) -> None:
            barrier.wait()
            statuses.append(_post(emu, "/tasks", {"name": f"t{i}", "projects": [gid]}).status_code)

        threads = [threading.Thread(target=write, args=(i,)) for i in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(statuses) == [201, 201, 429, 429, 429]
        assert len(emu.project_tasks(gid)) == 2


def test_injected_status_reset_and_truncation() -> None:
    faults = Faults(status_at={1: 500, 2: 429}, reset_at={3}, truncate_at={4}, retry_after="7")
    with AsanaEmulator(faults=faults) as emu:
        first = _get(emu, "/users/me")
        assert first.status_code == 500 and first.json()["errors"][0]["message"] == "Server Error"
        validate_response("get", "/users/{user_gid}", 500, first.json())
        second = _get(emu, "/users/me")
        assert second.status_code == 429 and second.headers["Retry-After"] == "7"
        with pytest.raises(requests.ConnectionError):
            _get(emu, "/users/me")
        with pytest.raises(requests.JSONDecodeError):
            _get(emu, "/users/me").json()
        assert _get(emu, "/users/me").status_code == 200


def test_stop_after_writes_keeps_reads_working() -> None:
    with AsanaEmulator(faults=Faults(stop_after_writes=2)) as emu:
        gid = emu.add_project("P")
        codes = [_post(emu, "/tasks", {"name": f"t{i}", "projects": [gid]}).status_code for i in range(3)]
        assert codes == [201, 201, 503]
        assert _get(emu, f"/projects/{gid}/tasks").status_code == 200
        assert [t["name"] for t in emu.project_tasks(gid)] == ["t0", "t1"]


def test_request_log_counts_by_method_and_path() -> None:
    with AsanaEmulator() as emu:
        gid = emu.add_project("P")
        _get(emu, "/users/me")
        _get(emu, f"/projects/{gid}/tasks", params={"limit": 10})
        _post(emu, "/tasks", {"name": "t", "projects": [gid]})
        assert emu.count() == 3 and emu.count("GET") == 2 and emu.count("POST", "/tasks") == 1
        last = emu.requests[-1]
        assert (last.endpoint, last.status) == ("create_task", 201)
        assert emu.requests[1].query == "limit=10"


def test_serves_on_loopback_only() -> None:
    with AsanaEmulator() as emu:
        assert emu.base_url.startswith("http://127.0.0.1:") and emu.base_url.endswith("/api/1.0")


def test_seed_bulk_mixes_states() -> None:
    with AsanaEmulator() as emu:
        projects = emu.seed_bulk(2, 60, seed=3)
        tasks = [t for p in projects for t in emu.project_tasks(p)]
        sections = {t["memberships"][0]["section"]["name"] for t in tasks}
        assert len(projects) == 2 and len(tasks) == 120
        assert sections == {"To Do", "In Progress", "Blocked", "Done"}
        assert any(t["completed"] for t in tasks) and any(not t["completed"] for t in tasks)
        assert len({(t["assignee"] or {}).get("gid") for t in tasks}) >= 3
        import datetime as dt

        today = dt.date.today().isoformat()
        assert any(t["due_on"] and t["due_on"] < today and not t["completed"] for t in tasks)
        blocked = [t for t in tasks if t["memberships"][0]["section"]["name"] == "Blocked"]
        assert blocked and all(t["custom_fields"][0]["display_value"] == "Blocked" for t in blocked)
        assert emu.seed_bulk(1, 5, seed=3) and len(emu.projects_named("Bulk project 1")) == 2


def test_plugin_fixture_and_seed_helper(asana_api: AsanaEmulator) -> None:
    from collabsync.testing.plugin import seed

    projects = seed(asana_api, 2, 3, seed=5)
    assert len(projects) == 2 and all(len(asana_api.project_tasks(p)) == 3 for p in projects)
    assert _get(asana_api, f"/projects/{projects[0]}/tasks").json()["data"][0]["name"] == "Task 1.1"
