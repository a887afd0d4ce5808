"""Day-two writes of the Jira adapter, unit-tested with `responses`: one task refused is that task's outcome,
an outage raises (the run resumes), Retry-After is honoured, and the request carries only the changed fields."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import responses

from collabsync.errors import ProviderError, TransportError
from collabsync.model import Container, TaskChange
from collabsync.providers.base import ProviderContext
from collabsync.providers.jira import JiraProvider

URL = "http://127.0.0.1:9"
API = f"{URL}/rest/api/2"


@pytest.fixture
def provider(tmp_path: Path) -> JiraProvider:
    p = JiraProvider(
        "acme-jira",
        {
            "url": URL,
            "email": "dev@example.com",
            "api_token": "tok-123",
            "deployment": "cloud",
            "max_retries": 2,
            "max_retry_wait": 30,
        },
        ProviderContext(home=tmp_path),
    )
    p._sleeps = []  # type: ignore[attr-defined]
    p.client._session.sleep = p._sleeps.append  # type: ignore[attr-defined]
    return p


def epic(start_field: str | None = "customfield_10015") -> Container:
    return Container(
        "ENG-1",
        "Launch",
        extra={"mode": "epic", "epic_key": "ENG-1", "epic_id": "10001", "fields": {"start": start_field}},
    )


CHANGES = [
    TaskChange("a", "ENG-2", due=dt.date(2027, 3, 22), start=dt.date(2027, 3, 1)),
    TaskChange("b", "ENG-3", title="Retitled"),
]


@responses.activate
def test_update_sends_changed_fields_and_reports_a_refused_issue(provider: JiraProvider) -> None:
    responses.put(f"{API}/issue/ENG-2", status=400, json={"errorMessages": [], "errors": {"duedate": "locked"}})
    responses.put(f"{API}/issue/ENG-3", status=204)
    outcomes = list(provider.update_tasks(epic(), CHANGES))
    assert [(o.key, o.error) for o in outcomes] == [("a", "duedate: locked"), ("b", None)]
    bodies = [json.loads(c.request.body) for c in responses.calls]
    assert bodies == [
        {"fields": {"duedate": "2027-03-22", "customfield_10015": "2027-03-01"}},
        {"fields": {"summary": "Retitled"}},
    ]


@responses.activate
def test_no_start_field_sends_due_only(provider: JiraProvider) -> None:
    responses.put(f"{API}/issue/ENG-2", status=204)
    assert [o.error for o in provider.update_tasks(epic(None), CHANGES[:1])] == [None]
    assert json.loads(responses.calls[0].request.body) == {"fields": {"duedate": "2027-03-22"}}


@responses.activate
def test_outage_raises_and_the_write_is_left_to_the_resumed_run(provider: JiraProvider) -> None:
    responses.put(f"{API}/issue/ENG-2", status=503, json={"errorMessages": ["down"]})
    with pytest.raises((ProviderError, TransportError)) as caught:
        list(provider.update_tasks(epic(), CHANGES))
    assert "acme-jira" in str(caught.value) and "ENG-2" in str(caught.value)
    assert len(responses.calls) == 1  # writes are not retried on 5xx (collabsync/http.py): the journal resumes them


@responses.activate
def test_retry_after_is_honoured(provider: JiraProvider) -> None:
    responses.put(f"{API}/issue/ENG-3", status=429, headers={"Retry-After": "4"}, json={"errorMessages": ["slow"]})
    responses.put(f"{API}/issue/ENG-3", status=204)
    assert [o.error for o in provider.update_tasks(epic(), CHANGES[1:])] == [None]
    assert provider._sleeps == [4.0]  # type: ignore[attr-defined]


def test_label_mode_has_no_epic_to_resolve(provider: JiraProvider) -> None:
    said = provider.archive_container(Container("x", "x", extra={"mode": "label", "label": "collabsync-x"}))
    assert "no epic" in said
