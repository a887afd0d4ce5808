"""Jira Cloud's bulk edit: the emulator does what the spec documents, and the adapter uses it only where it pays.

Spec paths refer to ../shared/specs/jira/swagger-v3.v3.json (Jira Cloud platform REST v3).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import responses

from collabsync.errors import TransportError
from collabsync.model import Container, TaskChange
from collabsync.providers.base import ProviderContext
from collabsync.providers.jira import JiraProvider
from collabsync.providers.jira_bulk_edit import BULK_EDIT_MIN, bulk_groups, jira_date
from collabsync.testing.core import Faults
from collabsync.testing.jira import START_DATE, JiraEmulator
from collabsync.testing.jira_bulkedit import BULK_EDIT_MAX_ISSUES, parse_formatted_date
from jira_support import session

MAR22, MAR1 = dt.date(2027, 3, 22), dt.date(2027, 3, 1)


@pytest.fixture
def emu() -> Iterator[JiraEmulator]:
    with JiraEmulator() as e:
        e.add_project("ENG", "Engineering")
        yield e


def api(emu: JiraEmulator, path: str) -> str:
    return f"{emu.root_url}/rest/api/3{path}"


def payload(refs: list[str], fields: dict[str, str]) -> dict[str, object]:
    return {
        "selectedIssueIdsOrKeys": refs,
        "selectedActions": list(fields),
        "editedFieldsInput": {
            "datePickerFields": [{"fieldId": f, "date": {"formattedDate": d}} for f, d in fields.items()]
        },
    }


# -- the emulator, route by route --------------------------------------------------------------------
def test_submit_answers_201_with_a_task_id_and_the_task_reports_each_issue(emu: JiraEmulator) -> None:
    """paths./rest/api/3/bulk/issues/fields.post: 201 SubmittedBulkOperation `{"taskId": "10641"}`;
    paths./rest/api/3/bulk/queue/{taskId}.get: COMPLETE with processedAccessibleIssues (issue ids, int64),
    invalidOrInaccessibleIssueCount and totalIssueCount."""
    keys = [emu.add_issue("ENG", f"t{i}") for i in range(3)]
    http = session(emu)
    sent = http.post(
        api(emu, "/bulk/issues/fields"), json=payload([*keys, "ENG-999"], {"duedate": "22/Mar/27"}), timeout=5
    )
    assert sent.status_code == 201 and set(sent.json()) == {"taskId"}
    progress = http.get(api(emu, f"/bulk/queue/{sent.json()['taskId']}"), timeout=5).json()
    assert progress["status"] == "COMPLETE" and progress["progressPercent"] == 100
    assert progress["processedAccessibleIssues"] == [int(emu.store.issue(k).id) for k in keys]
    assert progress["invalidOrInaccessibleIssueCount"] == 1 and progress["totalIssueCount"] == 4
    assert progress["submittedBy"] == {"accountId": emu.admin}
    assert [emu.store.issue(k).duedate for k in keys] == ["2027-03-22"] * 3


def test_a_running_task_reports_progress_without_results(emu: JiraEmulator) -> None:
    """paths./rest/api/3/bulk/queue/{taskId}.get description: "If the task is running, this resource will return
    {"taskId", "status":"RUNNING", "progressPercent":65, ...}" (no processed issues yet)."""
    key = emu.add_issue("ENG", "t")
    emu.bulk_running_polls = 1
    http = session(emu)
    task = http.post(api(emu, "/bulk/issues/fields"), json=payload([key], {"duedate": "2027-03-22"}), timeout=5).json()[
        "taskId"
    ]
    first, second = (http.get(api(emu, f"/bulk/queue/{task}"), timeout=5).json() for _ in range(2))
    assert first["status"] == "RUNNING" and "processedAccessibleIssues" not in first
    assert second["status"] == "COMPLETE"


def test_unknown_task_is_refused(emu: JiraEmulator) -> None:
    """paths./rest/api/3/bulk/queue/{taskId}.get 400 example: "The task associated with this taskId is not a bulk
    operation task" (in the documented BulkOperationErrorResponse shape)."""
    got = session(emu).get(api(emu, "/bulk/queue/42"), timeout=5)
    assert got.status_code == 400 and "not a bulk operation task" in got.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (payload(["ENG-1"], {"duedate": "22/Mar/27"}) | {"selectedActions": []}, "not listed as selectedActions"),
        ({"selectedIssueIdsOrKeys": ["ENG-1"], "selectedActions": ["duedate"]}, "editedFieldsInput"),
        (payload([f"ENG-{i}" for i in range(BULK_EDIT_MAX_ISSUES + 1)], {"duedate": "22/Mar/27"}), "at most 1000"),
        (payload(["ENG-1"], {"duedate": "March 22"}), "Invalid date"),
    ],
)
def test_invalid_payloads_answer_400_with_the_documented_shape(
    emu: JiraEmulator, body: dict[str, object], says: str
) -> None:
    """paths./rest/api/3/bulk/issues/fields.post 400 example: "The following editedFieldInput values are not listed
    as selectedActions : issuetype"; IssueBulkEditPayload requires editedFieldsInput, selectedActions and
    selectedIssueIdsOrKeys; description: "A single request can accommodate a maximum of 1000 issues";
    JiraDateField: "specify the date in d/mmm/yy format or ISO format dd-mm-yyyy"."""
    emu.add_issue("ENG", "t")
    got = session(emu).post(api(emu, "/bulk/issues/fields"), json=body, timeout=5)
    assert got.status_code == 400 and says in got.json()["errors"][0]["message"]


def test_editable_fields_list_the_date_pickers(emu: JiraEmulator) -> None:
    """paths./rest/api/3/bulk/issues/fields.get: BulkEditGetFields `fields` for the given issueIdsOrKeys; 404 when
    "no editable fields are found for the provided issue IDs"."""
    key = emu.add_issue("ENG", "t")
    http = session(emu)
    fields = http.get(api(emu, "/bulk/issues/fields"), params={"issueIdsOrKeys": key}, timeout=5).json()["fields"]
    assert {f["id"] for f in fields} == {"duedate", START_DATE}
    assert http.get(api(emu, "/bulk/issues/fields"), params={"issueIdsOrKeys": "ENG-999"}, timeout=5).status_code == 404


def test_data_center_has_no_bulk_edit() -> None:
    """The path exists only in the Cloud v3 spec: Data Center answers 404."""
    with JiraEmulator(deployment="Server") as dc:
        dc.add_project("ENG", "Engineering")
        got = session(dc).post(
            api(dc, "/bulk/issues/fields"), json=payload(["ENG-1"], {"duedate": "1/Mar/27"}), timeout=5
        )
        assert got.status_code == 404


def test_date_forms_round_trip() -> None:
    assert jira_date(MAR1) == "1/Mar/27" and parse_formatted_date(jira_date(MAR22)) == "2027-03-22"
    assert parse_formatted_date("22-03-2027") == "2027-03-22" and parse_formatted_date("31/Feb/27") is None


# -- the adapter ---------------------------------------------------------------------------------------
def provider(url: str, home: Path, **more: object) -> JiraProvider:
    p = JiraProvider(
        "acme-jira",
        {
            "url": url,
            "email": "admin@example.com",
            "api_token": "emu-api-token",
            "deployment": "cloud",
            "max_retries": 0,
            **more,
        },
        ProviderContext(home=home),
    )
    p._sleeps = []  # type: ignore[attr-defined]
    p.client._session.sleep = p._sleeps.append  # type: ignore[attr-defined]
    return p


def container(deployment: str = "Cloud") -> Container:
    return Container(
        "ENG", "x", extra={"mode": "label", "label": "l", "deployment": deployment, "fields": {"start": START_DATE}}
    )


def test_groups_only_where_a_bulk_edit_saves_requests() -> None:
    same = [TaskChange(f"k{i}", str(i), due=MAR22, start=MAR1) for i in range(BULK_EDIT_MIN)]
    pair = [TaskChange("p", "8", due=MAR1), TaskChange("q", "9", due=MAR1)]
    titled = TaskChange("t", "7", due=MAR22, start=MAR1, title="New title")
    bulk, single = bulk_groups([*same, *pair, titled], START_DATE)
    assert bulk == [same] and single == [*pair, titled]
    # without a start field, issues differing only in start date share a group
    mixed = [TaskChange(f"m{i}", str(i), due=MAR22, start=dt.date(2027, 2, i + 1)) for i in range(3)]
    assert bulk_groups(mixed, None) == ([mixed], []) and bulk_groups(mixed, START_DATE) == ([], mixed)


def test_update_on_the_emulator_uses_one_bulk_edit_and_puts_the_rest(emu: JiraEmulator, tmp_path: Path) -> None:
    keys = [emu.add_issue("ENG", f"t{i}") for i in range(5)]
    ids = [emu.store.issue(k).id for k in keys]
    emu.bulk_running_polls = 2
    p = provider(emu.root_url, tmp_path)
    changes = [TaskChange(f"k{i}", ids[i], due=MAR22, start=MAR1) for i in range(4)]
    changes.append(TaskChange("k4", ids[4], due=dt.date(2027, 4, 1)))
    assert [(o.key, o.error) for o in p.update_tasks(container(), changes)] == [(c.key, None) for c in changes]
    assert [(emu.store.issue(k).duedate, emu.store.issue(k).custom.get(START_DATE)) for k in keys] == (
        [("2027-03-22", "2027-03-01")] * 4 + [("2027-04-01", None)]
    )
    assert (
        emu.count("POST", "/bulk/issues/fields"),
        emu.count("GET", "/bulk/queue/"),
        emu.count("PUT", "/issue/"),
    ) == (1, 3, 1)
    assert p._sleeps == [0.25, 0.5]  # type: ignore[attr-defined]  # doubling pauses between polls


def test_refused_bulk_edit_falls_back_to_puts_for_the_run(emu: JiraEmulator, tmp_path: Path) -> None:
    ids = [emu.store.issue(emu.add_issue("ENG", f"t{i}")).id for i in range(6)]
    emu.bulk_change = False  # no global Bulk Change permission
    p = provider(emu.root_url, tmp_path)
    changes = [TaskChange(f"k{i}", ids[i], due=MAR22 if i < 3 else MAR1) for i in range(6)]
    assert [o.error for o in p.update_tasks(container(), changes)] == [None] * 6
    assert emu.count("POST", "/bulk/issues/fields") == 1 and emu.count("PUT", "/issue/") == 6
    assert p.bulk_edit_refused is not None and "Bulk Change" in p.bulk_edit_refused


def test_data_center_puts_every_issue(tmp_path: Path) -> None:
    with JiraEmulator(deployment="Server") as dc:
        dc.add_project("ENG", "Engineering")
        ids = [dc.store.issue(dc.add_issue("ENG", f"t{i}")).id for i in range(3)]
        p = JiraProvider(
            "dc",
            {"url": dc.root_url, "token": dc.pat, "deployment": "server", "max_retries": 0},
            ProviderContext(home=tmp_path),
        )
        changes = [TaskChange(f"k{i}", ids[i], due=MAR22) for i in range(3)]
        assert [o.error for o in p.update_tasks(container("Server"), changes)] == [None] * 3
        assert dc.count("POST", "/bulk/") == 0 and dc.count("PUT", "/issue/") == 3


@responses.activate
def test_issues_the_task_did_not_process_get_a_put_with_their_own_cause(tmp_path: Path) -> None:
    url = "http://127.0.0.1:9"
    responses.post(f"{url}/rest/api/3/bulk/issues/fields", status=201, json={"taskId": "7"})
    responses.get(
        f"{url}/rest/api/3/bulk/queue/7",
        json={
            "taskId": "7",
            "status": "COMPLETE",
            "progressPercent": 100,
            "processedAccessibleIssues": [1, 2],
            "failedAccessibleIssues": {"3": ["locked"]},
        },
    )
    responses.put(f"{url}/rest/api/2/issue/3", status=400, json={"errorMessages": [], "errors": {"duedate": "locked"}})
    p = provider(url, tmp_path)
    changes = [TaskChange(f"k{i}", str(i), due=MAR22) for i in (1, 2, 3)]
    assert [(o.key, o.error) for o in p.update_tasks(container(), changes)] == [
        ("k1", None),
        ("k2", None),
        ("k3", "duedate: locked"),
    ]
    sent = json.loads(responses.calls[0].request.body)
    assert sent == {
        "selectedIssueIdsOrKeys": ["1", "2", "3"],
        "selectedActions": ["duedate"],
        "editedFieldsInput": {"datePickerFields": [{"fieldId": "duedate", "date": {"formattedDate": "22/Mar/27"}}]},
    }


def test_a_lost_bulk_reply_raises_so_the_run_resumes(tmp_path: Path) -> None:
    with JiraEmulator(faults=Faults(stop_after_writes=0, lose_reply_after_stop=True)) as emu:
        emu.add_project("ENG", "Engineering")
        ids = [emu.store.issue(emu.add_issue("ENG", f"t{i}")).id for i in range(3)]
        p = provider(emu.root_url, tmp_path)
        with pytest.raises(TransportError) as caught:
            list(p.update_tasks(container(), [TaskChange(f"k{i}", ids[i], due=MAR22) for i in range(3)]))
        assert "acme-jira" in str(caught.value) and "bulk/issues/fields" in str(caught.value)
        assert [emu.store.issues[i].duedate for i in ids] == ["2027-03-22"] * 3  # applied; the re-run adopts it


@responses.activate
def test_a_task_still_running_at_the_deadline_is_an_unknown_outcome(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import collabsync.providers.jira_bulk_edit as bulk_edit

    url = "http://127.0.0.1:9"
    responses.post(f"{url}/rest/api/3/bulk/issues/fields", status=201, json={"taskId": "8"})
    responses.get(f"{url}/rest/api/3/bulk/queue/8", json={"taskId": "8", "status": "RUNNING", "progressPercent": 40})
    p = provider(url, tmp_path)
    clock = [0.0]
    monkeypatch.setattr(bulk_edit, "_clock", lambda: clock[0])
    p.client._session.sleep = lambda s: clock.__setitem__(0, clock[0] + s)  # type: ignore[attr-defined]
    with pytest.raises(TransportError, match="still RUNNING at 40%; run again"):
        list(p.update_tasks(container(), [TaskChange(f"k{i}", str(i), due=MAR22) for i in (1, 2, 3)]))
    polls = sum(1 for c in responses.calls if "/bulk/queue/" in c.request.url)
    deadline = max(p.policy.timeout * 4, 60.0)  # 120 s at the default 30 s timeout
    assert clock[0] <= deadline and polls == 5 + int((deadline - 7.75) // 5) + 1  # 0.25 s doubling to 5 s, then 5 s
