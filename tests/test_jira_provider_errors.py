"""Jira adapter error mapping, unit-tested with `responses` (no server at all)."""

from __future__ import annotations

import email.utils
import time
from pathlib import Path

import pytest
import requests
import responses

from collabsync.errors import (
    AuthError,
    ConfigError,
    NotFoundError,
    ProviderError,
    RateLimitError,
    TransportError,
)
from collabsync.model import Container, NewTask, Status, TaskSpec
from collabsync.providers.base import ProviderContext
from collabsync.providers.jira import JiraProvider

URL = "http://127.0.0.1:9"
API = f"{URL}/rest/api/2"
TOKEN = "sekrit-api-token-123"


@pytest.fixture
def provider(tmp_path: Path) -> JiraProvider:
    p = JiraProvider(
        "acme-jira",
        {
            "url": URL,
            "email": "dev@example.com",
            "api_token": TOKEN,
            "deployment": "cloud",
            "max_retries": 2,
            "max_retry_wait": 30,
        },
        ProviderContext(home=tmp_path),
    )
    p._sleeps = []  # type: ignore[attr-defined]
    p.client._session.sleep = p._sleeps.append  # type: ignore[attr-defined]
    return p


def container() -> Container:
    return Container(
        "ENG-1",
        "Launch",
        extra={
            "project": "ENG",
            "project_id": "10000",
            "issue_type_id": "10001",
            "label": "collabsync-x",
            "instance": "x",
            "deployment": "Cloud",
            "fields": {"story_points": None, "start": None, "flagged": None},
            "labels": [],
            "mode": "epic",
            "epic_key": "ENG-1",
            "epic_id": "10001",
        },
    )


def new(key: str) -> NewTask:
    return NewTask(TaskSpec(key, f"Task {key}", "eng"), f"collabsync:x/{key}")


def jira_error(*messages: str, **errors: str) -> dict:
    return {"errorMessages": list(messages), "errors": errors}


@responses.activate
def test_check_names_the_refused_setting(provider: JiraProvider):
    responses.get(f"{API}/myself", status=401, json=jira_error(f"bad credentials {TOKEN}"))
    with pytest.raises(AuthError) as err:
        provider.check()
    assert "api_token refused for email dev@example.com" in str(err.value)
    assert TOKEN not in str(err.value)


@responses.activate
def test_check_403_and_404(provider: JiraProvider):
    responses.get(f"{API}/myself", status=403, json=jira_error("no"))
    with pytest.raises(AuthError, match="may not use the REST API"):
        provider.check()
    responses.replace(responses.GET, f"{API}/myself", status=404, body="<html>nope</html>")
    with pytest.raises(NotFoundError, match="check url"):
        provider.check()


def test_config_needs_a_credential(tmp_path: Path):
    with pytest.raises(ConfigError, match="email and api_token"):
        JiraProvider("j", {"url": URL, "email": "a@b.c"}, ProviderContext(home=tmp_path))


@responses.activate
def test_429_retry_after_seconds_then_success(provider: JiraProvider):
    responses.get(f"{API}/myself", status=429, headers={"Retry-After": "3"}, json=jira_error("Rate limit exceeded."))
    responses.get(f"{API}/myself", json={"displayName": "Dev", "emailAddress": "dev@example.com"})
    assert provider.check().startswith("Dev")
    assert provider._sleeps == [3.0]  # type: ignore[attr-defined]


@responses.activate
def test_429_http_date_and_cap(provider: JiraProvider):
    soon = email.utils.formatdate(time.time() + 5, usegmt=True)
    responses.get(f"{API}/myself", status=429, headers={"Retry-After": soon})
    responses.get(f"{API}/myself", json={"displayName": "Dev"})
    provider.check()
    assert 0 < provider._sleeps[0] <= 6  # type: ignore[attr-defined]
    responses.replace(responses.GET, f"{API}/myself", status=429, headers={"Retry-After": "3600"})
    with pytest.raises(RateLimitError, match="exceeds max_retry_wait"):
        provider.check()


@responses.activate
def test_429_forever_becomes_rate_limit_error(provider: JiraProvider):
    responses.get(f"{API}/myself", status=429, headers={"Retry-After": "1"})
    with pytest.raises(RateLimitError) as err:
        provider.check()
    assert err.value.provider == "acme-jira"
    assert len(responses.calls) == 3  # first try + max_retries


@responses.activate
def test_5xx_retried_on_reads_only(provider: JiraProvider):
    responses.get(f"{API}/search/jql", status=502)
    responses.get(f"{API}/search/jql", json={"issues": [], "isLast": True})
    assert provider.read_tasks(container()) == []
    responses.post(f"{API}/issue/bulk", status=500, json=jira_error("Internal server error"))
    with pytest.raises(ProviderError) as err:
        list(provider.create_tasks(container(), [new("a")]))
    assert err.value.status == 500 and "bulk create" in str(err.value)
    assert sum(1 for c in responses.calls if c.request.method == "POST") == 1  # a write is never repeated


@responses.activate
def test_connection_failure_is_transport_error(provider: JiraProvider):
    responses.post(f"{API}/issue/bulk", body=requests.ConnectionError("reset"))
    with pytest.raises(TransportError, match="connection failed"):
        list(provider.create_tasks(container(), [new("a")]))


@responses.activate
def test_non_json_success_is_transport_error(provider: JiraProvider):
    responses.get(f"{API}/search/jql", body="<html>Bad gateway</html>", status=200)
    with pytest.raises(TransportError, match="not JSON"):
        provider.read_tasks(container())


@responses.activate
def test_bulk_errors_map_to_task_keys(provider: JiraProvider):
    responses.post(
        f"{API}/issue/bulk",
        status=201,
        json={
            "issues": [{"id": "1", "key": "ENG-2", "self": ""}],
            "errors": [
                {
                    "status": 400,
                    "failedElementNumber": 0,
                    "elementErrors": {"errorMessages": [], "errors": {"labels": "bad label"}},
                }
            ],
        },
    )
    out = list(provider.create_tasks(container(), [new("a"), new("b")]))
    assert out[0].key == "a" and out[0].ref is None and "labels: bad label" in out[0].error
    assert out[1].key == "b" and out[1].ref == "1" and out[1].url.endswith("/browse/ENG-2")


@responses.activate
def test_bulk_400_all_failed_vs_whole_request(provider: JiraProvider):
    responses.post(
        f"{API}/issue/bulk",
        status=400,
        json={
            "issues": [],
            "errors": [
                {"status": 400, "failedElementNumber": 0, "elementErrors": {"errorMessages": ["nope"], "errors": {}}}
            ],
        },
    )
    assert [c.error for c in provider.create_tasks(container(), [new("a")])] == ["jira refused: nope"]
    responses.replace(responses.POST, f"{API}/issue/bulk", status=400, json=jira_error("too many"))
    with pytest.raises(ProviderError, match="too many"):
        list(provider.create_tasks(container(), [new("a")]))


@responses.activate
def test_sdk_errors_name_the_object(provider: JiraProvider):
    responses.get(
        f"{API}/issue/10042",
        status=404,
        json=jira_error("Issue does not exist or you do not have permission to see it."),
    )
    with pytest.raises(NotFoundError) as err:
        provider.set_status(container(), "10042", Status.DONE)
    assert err.value.object == "issue 10042" and "does not exist" in err.value.cause
    done = {"name": "Done", "statusCategory": {"key": "done"}}
    responses.replace(
        responses.GET,
        f"{API}/issue/10042",
        json={
            "id": "10042",
            "key": "ENG-9",
            "fields": {"status": {"name": "To Do", "statusCategory": {"key": "new"}}},
            "transitions": [{"id": "41", "name": "Resolve", "to": done}],
        },
    )
    responses.post(f"{API}/issue/10042/transitions", status=409, json=jira_error("Workflow conflict"))
    with pytest.raises(ProviderError) as sdk:  # raised by the SDK (JIRAError), mapped by the adapter
        provider.set_status(container(), "10042", Status.DONE)
    assert sdk.value.object == "transition of issue 10042" and sdk.value.status == 409
    assert "Workflow conflict" in sdk.value.cause


@responses.activate
def test_link_errors_are_per_pair_but_auth_aborts(provider: JiraProvider):
    responses.get(
        f"{API}/issueLinkType",
        json={"issueLinkTypes": [{"id": "1", "name": "Blocks", "inward": "is blocked by", "outward": "blocks"}]},
    )
    responses.post(f"{API}/issueLink", status=404, json=jira_error("Issue 9 not found"))
    responses.post(f"{API}/issueLink", status=201)
    links = list(provider.link_dependencies(container(), [("9", "1"), ("2", "1")]))
    assert links[0].error and "Issue 9" in links[0].error and links[1].error is None
    responses.post(f"{API}/issueLink", status=401, json=jira_error("expired"))
    with pytest.raises(AuthError):
        list(provider.link_dependencies(container(), [("3", "1")]))


@responses.activate
def test_missing_link_type_named(provider: JiraProvider):
    responses.get(f"{API}/issueLinkType", json={"issueLinkTypes": [{"id": "1", "name": "Relates"}]})
    with pytest.raises(NotFoundError, match="link type 'Blocks'"):
        list(provider.link_dependencies(container(), [("1", "2")]))


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"url": URL, "email": "a@b.c"}, "'api_token' is a dependency of 'email'"),
        ({"url": URL, "api_token": TOKEN}, "'email' is a dependency of 'api_token'"),
        ({"url": URL}, "'email' is a required property"),
        ({"url": URL, "token": TOKEN, "deployment": "server"}, "'server' is not one of"),
    ],
)
def test_settings_schema_names_the_key_never_the_secret(settings: dict, expected: str):
    import jsonschema

    errors = [e.message for e in jsonschema.Draft202012Validator(JiraProvider.settings_schema).iter_errors(settings)]
    assert any(expected in e for e in errors)
    assert not any(TOKEN in e for e in errors)


def test_valid_settings_and_destination_pass_the_schema():
    import jsonschema

    jsonschema.validate(
        {"url": URL, "token": TOKEN, "deployment": "datacenter", "timeout": 10, "blocked_statuses": ["Blocked"]},
        JiraProvider.settings_schema,
    )
    jsonschema.validate(
        {"project": "ENG", "epic_issue_type": "Initiative", "labels": ["q3"]}, JiraProvider.destination_schema
    )


@responses.activate
def test_a_repeated_page_token_stops_instead_of_looping(provider: JiraProvider):
    page = {"issues": [{"id": "1", "key": "ENG-1", "fields": {"summary": "x"}}], "isLast": False, "nextPageToken": "t1"}
    responses.get(f"{API}/search/jql", json=page)
    with pytest.raises(ProviderError, match="repeated a page token"):
        provider.read_tasks(container())
    assert len(responses.calls) == 2
