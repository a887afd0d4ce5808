"""The pytest plugin shipped in collabsync.testing: fixtures, the seed helper, loopback binding."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from collabsync.testing.plugin import seed


def test_three_fixtures_run_on_loopback(asana_api: Any, trello_api: Any, jira_api: Any) -> None:
    for emu in (asana_api, trello_api, jira_api):
        assert emu.base_url.startswith("http://127.0.0.1:")
        assert emu._server.server_address[0] == "127.0.0.1"  # the bound socket itself
    assert len({asana_api.port, trello_api.port, jira_api.port}) == 3


@pytest.mark.parametrize("fixture", ["asana_api", "trello_api", "jira_api"])
def test_seed_fills_containers_with_mixed_tasks(fixture: str, request: pytest.FixtureRequest) -> None:
    emu = request.getfixturevalue(fixture)
    containers = seed(emu, 2, 12, seed=3)
    assert len(containers) == 2
    assert emu.requests == []  # seeding goes straight to the state, never over HTTP


def test_request_log_counts_what_crossed_the_wire(jira_api: Any) -> None:
    auth = (jira_api.email, jira_api.api_token)
    requests.get(jira_api.root_url + "/rest/api/3/myself", auth=auth, timeout=5)
    requests.get(jira_api.root_url + "/rest/api/3/serverInfo", auth=auth, timeout=5)
    requests.get(jira_api.root_url + "/rest/api/3/myself", timeout=5)  # no auth: 401, still logged
    assert jira_api.count("GET", "/myself") == 2
    assert [r.status for r in jira_api.requests] == [200, 200, 401]
    jira_api.reset_log()
    assert jira_api.count() == 0


def test_wrong_method_answers_405_in_each_apis_own_shape(asana_api: Any, trello_api: Any, jira_api: Any) -> None:
    asana = requests.delete(
        asana_api.base_url + "/users/me", timeout=5, headers={"Authorization": f"Bearer {asana_api.token}"}
    )
    assert asana.status_code == 405 and "DELETE is not allowed" in asana.json()["errors"][0]["message"]
    jira = requests.delete(
        jira_api.root_url + "/rest/api/3/myself", timeout=5, auth=(jira_api.email, jira_api.api_token)
    )
    assert jira.status_code == 405 and "DELETE is not allowed" in jira.json()["errorMessages"][0]
    trello = requests.delete(
        trello_api.base_url + "/members/me", timeout=5, params={"key": trello_api.api_key, "token": trello_api.token}
    )
    assert trello.status_code == 405 and "DELETE is not allowed" in trello.text
