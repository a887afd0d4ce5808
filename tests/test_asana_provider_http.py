"""Asana provider transport with `responses`: error mapping, retries, Retry-After, timeouts, caching, secrets."""

from __future__ import annotations

import itertools
import json
import logging
from pathlib import Path
from typing import Any

import pytest
import requests
import responses

from collabsync.errors import AuthError, NotFoundError, ProviderError, RateLimitError, TransportError
from collabsync.model import Container, NewTask, TaskSpec, marker
from collabsync.providers.asana import AsanaProvider
from collabsync.providers.base import ProviderContext

BASE = "https://app.asana.com/api/1.0"
_tokens = itertools.count()
HELP = "For more information on API status codes and how to handle them, read the docs on errors"


def errors(message: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "help": HELP}]}


def provider(tmp_path: Path, use_cache: bool = False, **settings: Any) -> tuple[AsanaProvider, list[float]]:
    """A provider with a fresh token (so a fresh process-wide client) and recorded sleeps."""
    token = f"1/test-token-{next(_tokens)}-secretvalue"
    base = {
        "token": token,
        "workspace": "111",
        "team": "222",
        "backoff": 0.5,
        "max_retries": 2,
        "max_retry_wait": 30,
        "timeout": 7,
    }
    p = AsanaProvider("work-asana", {**base, **settings}, ProviderContext(home=tmp_path, use_cache=use_cache))
    slept: list[float] = []
    p.client.rest_client.session.sleep = slept.append
    return p, slept


ME = {
    "data": {
        "gid": "9",
        "resource_type": "user",
        "name": "Ada",
        "email": "ada@example.com",
        "workspaces": [{"gid": "111", "resource_type": "workspace", "name": "Acme"}],
    }
}


@responses.activate
def test_check_sends_one_request_with_bearer_and_timeout(tmp_path: Path) -> None:
    p, _ = provider(tmp_path)
    responses.get(f"{BASE}/users/me", json=ME)
    assert p.check() == "Ada <ada@example.com> in workspace Acme (111)"
    assert len(responses.calls) == 1
    call = responses.calls[0]
    assert call.request.headers["Authorization"] == f"Bearer {p.token}"
    assert "opt_fields=name%2Cemail%2Cworkspaces.name" in call.request.url
    assert call.request.req_kwargs["timeout"] == 7


@responses.activate
@pytest.mark.parametrize(
    ("status", "error"), [(401, AuthError), (403, AuthError), (404, NotFoundError), (400, ProviderError)]
)
def test_http_errors_map_to_precise_errors(tmp_path: Path, status: int, error: type[Exception]) -> None:
    p, _ = provider(tmp_path)
    responses.get(f"{BASE}/users/me", json=errors(f"Asana says {status}"), status=status)
    with pytest.raises(error) as caught:
        p.check()
    assert str(caught.value) == f"work-asana: user me: Asana says {status}"
    assert caught.value.status == status and p.token not in str(caught.value)


@responses.activate
def test_429_honours_retry_after(tmp_path: Path) -> None:
    p, slept = provider(tmp_path)
    responses.get(f"{BASE}/users/me", json=errors("Please, be chill."), status=429, headers={"Retry-After": "3"})
    responses.get(f"{BASE}/users/me", json=ME)
    p.check()
    assert slept == [3.0] and len(responses.calls) == 2


@responses.activate
def test_429_beyond_the_cap_is_a_rate_limit_error(tmp_path: Path) -> None:
    p, slept = provider(tmp_path)
    responses.get(f"{BASE}/users/me", json=errors("Please, be chill."), status=429, headers={"Retry-After": "120"})
    with pytest.raises(RateLimitError, match="Retry-After 120s exceeds max_retry_wait 30s"):
        p.check()
    assert slept == [] and len(responses.calls) == 1


@responses.activate
def test_429_on_a_batch_write_is_retried_because_it_did_not_land(tmp_path: Path) -> None:
    p, slept = provider(tmp_path)
    responses.post(f"{BASE}/batch", json=errors("Please, be chill."), status=429, headers={"Retry-After": "2"})
    responses.post(
        f"{BASE}/batch",
        json={
            "data": [
                {"status_code": 201, "headers": {}, "body": {"data": {"gid": "5", "permalink_url": "https://a/5"}}}
            ]
        },
    )
    spec = TaskSpec("k", "K", "ops")
    out = list(p.create_tasks(Container("77", "P"), [NewTask(spec, marker("i", "k"), None, "")]))
    assert [(o.key, o.ref) for o in out] == [("k", "5")] and slept == [2.0]
    sent = json.loads(responses.calls[1].request.body)
    assert sent["data"]["actions"][0]["data"]["notes"] == "collabsync:i/k"


@responses.activate
def test_5xx_reads_are_retried_bounded(tmp_path: Path) -> None:
    p, slept = provider(tmp_path)
    for _ in range(3):
        responses.get(f"{BASE}/users/me", json=errors("Server Error"), status=503)
    with pytest.raises(ProviderError) as caught:
        p.check()
    assert caught.value.status == 503 and len(responses.calls) == 3 and slept == [0.5, 1.0]


@responses.activate
def test_5xx_on_a_batch_is_not_retried_and_leaves_the_outcome_open(tmp_path: Path) -> None:
    p, _ = provider(tmp_path)
    responses.post(f"{BASE}/batch", json=errors("Server Error"), status=500)
    spec = TaskSpec("k", "K", "ops")
    with pytest.raises(ProviderError) as caught:
        list(p.create_tasks(Container("77", "P"), [NewTask(spec, marker("i", "k"), None, "")]))
    assert caught.value.status == 500 and len(responses.calls) == 1


@responses.activate
def test_connection_errors_become_transport_errors(tmp_path: Path) -> None:
    p, slept = provider(tmp_path)
    responses.get(f"{BASE}/users/me", body=requests.ConnectionError("refused"))
    with pytest.raises(TransportError, match="work-asana: GET /api/1.0/users/me: connection failed"):
        p.check()
    assert len(responses.calls) == 3 and len(slept) == 2


@responses.activate
def test_unreadable_body_is_retried_then_a_transport_error(tmp_path: Path) -> None:
    p, _ = provider(tmp_path)
    responses.get(f"{BASE}/users/me", body='{"data": {"gid": "9", "na', content_type="application/json")
    with pytest.raises(TransportError, match="unreadable response body"):
        p.check()
    assert len(responses.calls) == 3


@responses.activate
def test_paging_follows_next_page(tmp_path: Path) -> None:
    p, _ = provider(tmp_path)
    row = {"gid": "1", "name": "a", "completed": False, "notes": "collabsync:i/a"}
    responses.get(
        f"{BASE}/projects/77/tasks", json={"data": [row], "next_page": {"offset": "tok", "path": "/x", "uri": "u"}}
    )
    responses.get(f"{BASE}/projects/77/tasks", json={"data": [{**row, "gid": "2"}], "next_page": None})
    tasks = p.read_tasks(Container("77", "P", extra={"mode": "team"}))
    assert [t.ref for t in tasks] == ["1", "2"] and "offset=tok" in responses.calls[1].request.url
    assert "limit=100" in responses.calls[0].request.url


def test_one_client_per_credential_without_thread_pool_or_stderr_handlers(tmp_path: Path) -> None:
    before = {name: list(logging.getLogger(name).handlers) for name in ("asana", "urllib3")}
    p, _ = provider(tmp_path)
    twin = AsanaProvider("other", dict(p.settings), ProviderContext(home=tmp_path))
    assert twin.client is p.client and not hasattr(p.client, "pool")
    assert {name: list(logging.getLogger(name).handlers) for name in ("asana", "urllib3")} == before


@responses.activate
def test_cli_cache_is_per_credential_and_holds_no_secret(tmp_path: Path) -> None:
    p, _ = provider(tmp_path, use_cache=True)
    responses.get(f"{BASE}/users/me", json=ME)
    p.check()
    p.check()
    assert len(responses.calls) == 1
    files = list((tmp_path / "cache").glob("work-asana-*.sqlite"))
    assert len(files) == 1 and p.token.encode() not in files[0].read_bytes()
    assert p.token not in files[0].name


def test_missing_token_is_a_config_error(tmp_path: Path) -> None:
    from collabsync.errors import ConfigError

    with pytest.raises(ConfigError, match="providers.a: asana needs token"):
        AsanaProvider("a", {"workspace": "1"}, ProviderContext(home=tmp_path))


def test_schemas_describe_settings_and_destinations() -> None:
    import jsonschema

    jsonschema.validate(
        {"token": "abcd", "workspace": "Acme", "status_sections": {"Waiting": "blocked"}}, AsanaProvider.settings_schema
    )
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            {"token": "abcd", "workspace": "1", "status_options": {"X": "stalled"}}, AsanaProvider.settings_schema
        )
    jsonschema.validate({"project": "1200"}, AsanaProvider.destination_schema)
    for wrong in ({"board": "x"}, {"project": "12", "team": "Marketing"}, {"project": "not-a-gid"}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(wrong, AsanaProvider.destination_schema)
