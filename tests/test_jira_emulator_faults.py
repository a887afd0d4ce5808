"""Jira emulator: auth on every route, Jira-shaped 429s, seeded faults, request log, loopback only."""

from __future__ import annotations

import pytest
import requests

from collabsync.testing.core import Faults, RateLimit
from collabsync.testing.jira import JiraEmulator


def _get(emu: JiraEmulator, path: str, auth=None, **kw) -> requests.Response:
    return requests.get(f"{emu.root_url}/rest/api/3{path}", auth=auth, timeout=5, **kw)


@pytest.mark.parametrize("path", ["/myself", "/serverInfo", "/field", "/project/search", "/search/jql?jql=project=X"])
def test_every_route_needs_auth(jira_api: JiraEmulator, path: str):
    r = _get(jira_api, path)
    assert r.status_code == 401
    assert r.json() == {"errorMessages": ["Client must be authenticated to access this resource."], "errors": {}}
    wrong = _get(jira_api, path, auth=(jira_api.email, "not-the-token"))
    assert wrong.status_code == 401


def test_basic_and_bearer_are_accepted(jira_api: JiraEmulator):
    assert _get(jira_api, "/myself", auth=(jira_api.email, jira_api.api_token)).status_code == 200
    bearer = _get(jira_api, "/myself", headers={"Authorization": f"Bearer {jira_api.pat}"})
    assert bearer.json()["accountId"] == jira_api.admin
    assert _get(jira_api, "/myself", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_rate_limit_answers_like_jira():
    with JiraEmulator(rate_limits=[RateLimit(limit=2, window=30)]) as emu:
        auth = (emu.email, emu.api_token)
        assert [_get(emu, "/myself", auth=auth).status_code for _ in range(2)] == [200, 200]
        r = _get(emu, "/myself", auth=auth)
        assert r.status_code == 429
        assert 1 <= int(r.headers["Retry-After"]) <= 30
        assert r.headers["X-RateLimit-Limit"] == "2" and r.headers["X-RateLimit-Remaining"] == "0"
        assert r.headers["RateLimit-Reason"] == "jira-burst-based"
        assert "X-RateLimit-Reset" in r.headers
        assert r.json()["errorMessages"] == ["Rate limit exceeded."]


def test_seeded_faults_status_reset_truncate():
    faults = Faults(status_at={2: 503, 3: 429}, reset_at={4}, truncate_at={5}, retry_after="7")
    with JiraEmulator(faults=faults) as emu:
        auth = (emu.email, emu.api_token)
        assert _get(emu, "/myself", auth=auth).status_code == 200
        assert _get(emu, "/myself", auth=auth).status_code == 503
        limited = _get(emu, "/myself", auth=auth)
        assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"
        with pytest.raises(requests.ConnectionError):
            _get(emu, "/myself", auth=auth)
        truncated = _get(emu, "/myself", auth=auth)
        with pytest.raises(ValueError):
            truncated.json()
        assert [r.status for r in emu.requests] == [200, 503, 429, 0, 200]


def test_stop_after_writes_and_lost_reply():
    with JiraEmulator(faults=Faults(stop_after_writes=1, lose_reply_after_stop=True)) as emu:
        emu.add_project("ENG")
        auth = (emu.email, emu.api_token)
        body = {"fields": {"project": {"key": "ENG"}, "issuetype": {"name": "Task"}, "summary": "x"}}

        def post() -> requests.Response:
            return requests.post(f"{emu.root_url}/rest/api/2/issue", json=body, auth=auth, timeout=5)

        assert post().status_code == 201
        with pytest.raises(requests.ConnectionError):
            post()  # written, but the reply is lost
        assert post().status_code == 503  # later writes refused
        search = requests.post(
            f"{emu.root_url}/rest/api/2/search/jql", json={"jql": "project = ENG"}, auth=auth, timeout=5
        )
        assert search.status_code == 200 and len(search.json()["issues"]) == 2  # a search POST is not a write


def test_request_log_and_loopback(jira_api: JiraEmulator):
    assert jira_api.root_url.startswith("http://127.0.0.1:")
    _get(jira_api, "/myself", auth=(jira_api.email, jira_api.api_token))
    _get(jira_api, "/field", auth=(jira_api.email, jira_api.api_token))
    assert jira_api.count("GET") == 2 and jira_api.count(path_contains="/field") == 1
    assert jira_api.requests[0].endpoint == "myself"


def test_data_center_has_no_v3_and_no_search_jql():
    with JiraEmulator(deployment="Server") as emu:
        auth = (emu.email, emu.api_token)
        assert _get(emu, "/myself", auth=auth).status_code == 404
        r = requests.get(f"{emu.root_url}/rest/api/2/search/jql", params={"jql": "project = X"}, auth=auth, timeout=5)
        assert r.status_code == 404
        info = requests.get(f"{emu.root_url}/rest/api/2/serverInfo", auth=auth, timeout=5).json()
        assert info["deploymentType"] == "Server"


def test_jql_subset_and_updated_window(jira_api: JiraEmulator):
    import datetime as dt

    jira_api.add_project("ENG")
    epic = jira_api.add_issue("ENG", "Epic", issue_type="Epic")
    old = jira_api.add_issue(
        "ENG",
        "Old",
        parent=epic,
        labels=["x"],
        updated=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        description="has marker-42",
    )
    new = jira_api.add_issue("ENG", "New", parent=epic, labels=["x"])
    auth = (jira_api.email, jira_api.api_token)

    def keys(jql: str) -> list[str]:
        r = requests.get(
            f"{jira_api.root_url}/rest/api/2/search/jql", params={"jql": jql, "fields": "summary"}, auth=auth, timeout=5
        )
        assert r.status_code == 200, r.text
        return [i["key"] for i in r.json()["issues"]]

    assert keys(f"parent = {epic} ORDER BY key DESC") == [new, old]
    assert keys('project in (ENG) AND updated >= "2026-06-01 00:00"') == [epic, new]
    assert keys('project = ENG AND text ~ "marker-42"') == [old]
    assert keys(f"issuekey in ({old}, {new}) AND labels = x") == [old, new]
