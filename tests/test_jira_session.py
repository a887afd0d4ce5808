"""The Jira read's session before the SDK is loaded (issue 17): the same headers, auth and requests as the SDK's.

A read sends its first requests on collabsync's policy session before `jira` is imported; the SDK client is built
around that same session when first needed. These tests compare what the session sends with what `JIRA(...)` would
have set, so a jira upgrade that changes its headers or auth fails here, not at the users' sites.
"""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from jira import JIRA
from jira.exceptions import JIRAError

from collabsync.errors import NotFoundError, ProviderError, TransportError
from collabsync.providers.base import ProviderContext
from collabsync.providers.jira import JiraProvider
from collabsync.providers.jira_read import bulkfetch, list_ids
from collabsync.providers.jira_support import sdk_errors

URL = "http://127.0.0.1:9"
API = f"{URL}/rest/api/2"
SECRET = "sekrit-token-123"
CLOUD = {"url": URL, "email": "dev@example.com", "api_token": SECRET, "deployment": "cloud"}
DATA_CENTER = {"url": URL, "token": SECRET, "deployment": "datacenter"}


def sdk_session(settings: dict[str, Any]) -> requests.Session:
    """The session `JIRA(...)` builds for itself with the adapter's arguments."""
    auth: dict[str, Any] = (
        {"basic_auth": (settings["email"], SECRET)} if "email" in settings else {"token_auth": SECRET}
    )
    client = JIRA(URL, get_server_info=False, max_retries=0, options={"check_update": False}, **auth)
    return client._session


def provider(tmp_path: Path, settings: dict[str, Any], *, cached: bool = False) -> JiraProvider:
    return JiraProvider("acme-jira", settings, ProviderContext(home=tmp_path, use_cache=cached))


def sent_by(p: JiraProvider) -> list[tuple[str, str, list[tuple[str, str]], bytes | str | None]]:
    """A read's two kinds of request (an id page, a bulkfetch) as they left: method, url, headers, body."""
    with responses.RequestsMock() as mock:
        mock.get(f"{API}/search/jql", json={"issues": [{"id": "1"}, {"id": "2"}], "isLast": True})
        mock.post(f"{API}/issue/bulkfetch", json={"issues": [{"id": "1"}, {"id": "2"}]})
        assert bulkfetch(p, list_ids(p, "project = ENG"), ["summary"]) == [{"id": "1"}, {"id": "2"}]
        return [(c.request.method, c.request.url, list(c.request.headers.items()), c.request.body) for c in mock.calls]


@pytest.mark.parametrize("settings", [CLOUD, DATA_CENTER], ids=["cloud", "datacenter"])
def test_the_sessions_headers_and_auth_are_the_sdks(tmp_path: Path, settings: dict[str, Any]) -> None:
    p = provider(tmp_path, settings)
    early = p.session
    sdk = sdk_session(settings)
    assert list(early.headers.items()) == list(sdk.headers.items())  # same names, values and order
    request = requests.Request("GET", f"{API}/myself")
    assert dict(early.prepare_request(request).headers) == dict(sdk.prepare_request(request).headers)
    assert "Authorization" in early.prepare_request(request).headers
    assert p._client is None and p.client._session is early  # the client, built later, is on the same session
    assert list(early.headers.items()) == list(sdk.headers.items())


def test_a_cached_session_sends_no_no_cache_header_before_and_after_the_client(tmp_path: Path) -> None:
    p = provider(tmp_path, CLOUD, cached=True)
    wanted = [(k, v) for k, v in sdk_session(CLOUD).headers.items() if k != "Cache-Control"]
    assert list(p.session.headers.items()) == wanted
    assert p.client is not None and list(p.session.headers.items()) == wanted
    p.close()


@pytest.mark.parametrize("settings", [CLOUD, DATA_CENTER], ids=["cloud", "datacenter"])
def test_a_reads_requests_are_the_same_before_and_after_the_sdk_client(
    tmp_path: Path, settings: dict[str, Any]
) -> None:
    before = provider(tmp_path, settings)
    after = provider(tmp_path, settings)
    assert after.client is not None  # its session now prepares each request with the SDK's _jira_prepare
    early, late = sent_by(before), sent_by(after)
    assert before._client is None and early == late
    assert [m for m, *_ in early] == ["GET", "POST"] and json.loads(early[1][3] or "{}")["issueIdsOrKeys"] == ["1", "2"]
    assert before.request_count == after.request_count == 2


def test_sdk_errors_still_become_collabsync_errors() -> None:
    response = requests.Response()
    response.status_code, response._content = 404, b'{"errorMessages": ["Issue does not exist"]}'
    with pytest.raises(NotFoundError, match="Issue does not exist"), sdk_errors("acme-jira", "issue ENG-9"):
        raise JIRAError("gone", status_code=404, response=response)
    with pytest.raises(ProviderError, match="the jira SDK failed"), sdk_errors("acme-jira", "fields"):
        raise JIRAError()
    with pytest.raises(TransportError, match="unreadable response body"), sdk_errors("acme-jira", "fields"):
        raise ValueError("not JSON")


def test_sdk_errors_before_the_sdk_is_loaded_maps_the_rest_and_imports_nothing() -> None:
    code = """
import sys
from collabsync.errors import TransportError
from collabsync.providers.jira_support import sdk_errors
try:
    with sdk_errors("acme-jira", "fields"):
        raise KeyError("names")
except TransportError as exc:
    print(type(exc).__name__, "jira" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["TransportError", "False"]


def test_parallel_first_uses_share_one_session_and_one_client(tmp_path: Path) -> None:
    p = provider(tmp_path, CLOUD)
    with ThreadPoolExecutor(max_workers=8) as pool:
        sessions = list(pool.map(lambda _: p.session, range(8)))
        clients = list(pool.map(lambda _: p.client, range(8)))
    assert all(s is sessions[0] for s in sessions) and all(c is clients[0] for c in clients)
    assert clients[0]._session is sessions[0] and p.session is sessions[0]
