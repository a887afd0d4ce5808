"""The Jira emulator's responses validate against Atlassian's own v3 OpenAPI spec."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
import requests
from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from collabsync.testing.jira import JiraEmulator
from specs import spec_file

SPEC_URI = "urn:jira-v3"


@pytest.fixture(scope="session")
def jira_spec() -> dict[str, Any]:
    """The v3 spec, loaded once per session."""
    return json.loads(spec_file("jira", "swagger-v3.v3.json").read_text())


@pytest.fixture(scope="session")
def check(jira_spec: dict[str, Any]):
    """check(response, path_template, method): validate a response body against its operation's schema."""
    registry = Registry().with_resource(SPEC_URI, Resource.from_contents(jira_spec, default_specification=DRAFT4))

    def _check(response: requests.Response, template: str, method: str = "get") -> Any:
        op = jira_spec["paths"][template][method]
        status = str(response.status_code)
        assert status in op["responses"], f"{method.upper()} {template} answered {status}, not documented"
        content = op["responses"][status].get("content", {}).get("application/json")
        if content is None or not content.get("schema"):
            # undocumented body (400s) or "any" (204/201 with nothing): the real API sends no body on success
            assert response.status_code >= 400 or not response.content
            return None
        pointer = "/".join(
            quote(p.replace("~", "~0").replace("/", "~1"), safe="~")
            for p in ("paths", template, method, "responses", status, "content", "application/json", "schema")
        )
        validator = OAS30Validator({"$ref": f"{SPEC_URI}#/{pointer}"}, registry=registry)
        body = response.json()
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
        assert not errors, "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
        return body

    return _check


@pytest.fixture
def emu():
    with JiraEmulator() as e:
        e.add_project("ENG", "Engineering")
        yield e


@pytest.fixture
def http(emu: JiraEmulator) -> requests.Session:
    s = requests.Session()
    s.auth = (emu.email, emu.api_token)
    s.headers["Accept"] = "application/json"
    return s


def url(emu: JiraEmulator, path: str) -> str:
    return f"{emu.root_url}/rest/api/3{path}"


def adf(text: str) -> dict[str, Any]:
    return {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}],
    }


def test_metadata_routes_match_spec(emu, http, check):
    info = check(http.get(url(emu, "/serverInfo"), timeout=5), "/rest/api/3/serverInfo")
    assert info["deploymentType"] == "Cloud"
    me = check(http.get(url(emu, "/myself"), timeout=5), "/rest/api/3/myself")
    assert me["emailAddress"] == emu.email
    fields = check(http.get(url(emu, "/field"), timeout=5), "/rest/api/3/field")
    assert {"Story Points", "Flagged"} <= {f["name"] for f in fields}
    project = check(http.get(url(emu, "/project/ENG"), timeout=5), "/rest/api/3/project/{projectIdOrKey}")
    assert {"Epic", "Task", "Sub-task"} <= {t["name"] for t in project["issueTypes"]}
    page = check(http.get(url(emu, "/project/search"), params={"keys": "ENG"}, timeout=5), "/rest/api/3/project/search")
    assert [p["key"] for p in page["values"]] == ["ENG"]
    types = check(http.get(url(emu, "/issuetype"), timeout=5), "/rest/api/3/issuetype")
    assert "Epic" in {t["name"] for t in types}
    ptypes = check(
        http.get(url(emu, "/issuetype/project"), params={"projectId": project["id"]}, timeout=5),
        "/rest/api/3/issuetype/project",
    )
    assert len(ptypes) == len(project["issueTypes"])
    statuses = check(http.get(url(emu, "/status"), timeout=5), "/rest/api/3/status")
    cats = {s["name"]: s["statusCategory"]["key"] for s in statuses}
    assert cats["Blocked"] == "indeterminate" and cats["Won't Do"] == "done" and cats["To Do"] == "new"
    links = check(http.get(url(emu, "/issueLinkType"), timeout=5), "/rest/api/3/issueLinkType")
    assert "Blocks" in {t["name"] for t in links["issueLinkTypes"]}


def test_issue_lifecycle_matches_spec(emu, http, check):
    body = {
        "fields": {
            "project": {"key": "ENG"},
            "issuetype": {"name": "Task"},
            "summary": "Write spec",
            "description": adf("hello"),
            "labels": ["a"],
        }
    }
    created = check(http.post(url(emu, "/issue"), json=body, timeout=5), "/rest/api/3/issue", "post")
    issue = check(http.get(url(emu, f"/issue/{created['key']}"), timeout=5), "/rest/api/3/issue/{issueIdOrKey}")
    assert issue["fields"]["description"] == adf("hello")
    edit = http.put(url(emu, f"/issue/{created['key']}"), json={"fields": {"summary": "Renamed"}}, timeout=5)
    check(edit, "/rest/api/3/issue/{issueIdOrKey}", "put")
    trans = check(
        http.get(url(emu, f"/issue/{created['key']}/transitions"), timeout=5),
        "/rest/api/3/issue/{issueIdOrKey}/transitions",
    )
    done = next(t for t in trans["transitions"] if t["to"]["statusCategory"]["key"] == "done")
    moved = http.post(
        url(emu, f"/issue/{created['key']}/transitions"), json={"transition": {"id": done["id"]}}, timeout=5
    )
    check(moved, "/rest/api/3/issue/{issueIdOrKey}/transitions", "post")
    assert moved.status_code == 204
    bad = check(
        http.post(url(emu, "/issue"), json={"fields": {"project": {"key": "ENG"}}}, timeout=5),
        "/rest/api/3/issue",
        "post",
    )
    assert set(bad["errors"]) == {"summary", "issuetype"}


def test_bulk_partial_and_total_failure_match_spec(emu, http, check):
    good = {"fields": {"project": {"key": "ENG"}, "issuetype": {"name": "Task"}, "summary": "ok"}}
    bad = {"fields": {"project": {"key": "ENG"}, "issuetype": {"name": "Task"}, "summary": "x", "labels": ["a b"]}}
    partial = http.post(url(emu, "/issue/bulk"), json={"issueUpdates": [good, bad, good]}, timeout=5)
    body = check(partial, "/rest/api/3/issue/bulk", "post")
    assert partial.status_code == 201 and len(body["issues"]) == 2
    assert body["errors"][0]["failedElementNumber"] == 1 and "labels" in body["errors"][0]["elementErrors"]["errors"]
    failed = http.post(url(emu, "/issue/bulk"), json={"issueUpdates": [bad]}, timeout=5)
    assert failed.status_code == 400
    assert check(failed, "/rest/api/3/issue/bulk", "post")["issues"] == []


def test_links_and_search_match_spec(emu, http, check):
    a = emu.add_issue("ENG", "A")
    b = emu.add_issue("ENG", "B")
    linked = http.post(
        url(emu, "/issueLink"),
        json={"type": {"name": "Blocks"}, "inwardIssue": {"key": a}, "outwardIssue": {"key": b}},
        timeout=5,
    )
    check(linked, "/rest/api/3/issueLink", "post")
    assert linked.status_code == 201
    got = check(
        http.get(url(emu, "/search/jql"), params={"jql": "project = ENG", "fields": "summary,issuelinks"}, timeout=5),
        "/rest/api/3/search/jql",
    )
    by_key = {i["key"]: i for i in got["issues"]}
    assert by_key[b]["fields"]["issuelinks"][0]["inwardIssue"]["key"] == a
    assert got["isLast"] is True
    posted = check(
        http.post(url(emu, "/search/jql"), json={"jql": "project = ENG", "maxResults": 1}, timeout=5),
        "/rest/api/3/search/jql",
        "post",
    )
    assert posted["issues"] == [{"id": emu.issue(a).id}] and posted["nextPageToken"]
    unbounded = check(http.get(url(emu, "/search/jql"), params={"jql": ""}, timeout=5), "/rest/api/3/search/jql")
    assert unbounded is None  # 400: documented without a body schema


def test_removed_search_answers_410(emu, http):
    r = http.get(url(emu, "/search"), params={"jql": "project = ENG"}, timeout=5)
    assert r.status_code == 410
    assert "search/jql" in r.json()["errorMessages"][0]


def test_checker_rejects_a_wrong_shape(check):
    """The validator is not vacuous: an undocumented key or a wrong type fails."""
    fake = requests.Response()
    fake.status_code = 200
    fake._content = json.dumps({"issues": [], "isLast": "yes", "total": 3}).encode()
    with pytest.raises(AssertionError, match="isLast|total"):
        check(fake, "/rest/api/3/search/jql")


def test_error_bodies_match_error_collection(emu, http, check):
    """400 and 401 of POST /issue are documented as ErrorCollection."""
    bad = http.post(
        url(emu, "/issue"),
        json={"fields": {"project": {"key": "ENG"}, "issuetype": {"name": "Task"}, "summary": "x", "duedate": "soon"}},
        timeout=5,
    )
    assert check(bad, "/rest/api/3/issue", "post")["errors"]["duedate"].startswith("Error parsing date")
    anonymous = requests.post(url(emu, "/issue"), json={}, timeout=5)
    assert check(anonymous, "/rest/api/3/issue", "post")["errorMessages"]


def test_data_center_search_matches_the_old_search_schema(check):
    """DC's /rest/api/2/search has the shape of the (deprecated) v3 /search operation."""
    with JiraEmulator(deployment="Server") as dc:
        dc.add_project("OPS")
        for n in range(3):
            dc.add_issue("OPS", f"Op {n}", labels=["x"])
        r = requests.get(
            f"{dc.root_url}/rest/api/2/search",
            params={"jql": "project = OPS", "maxResults": 2},
            headers={"Authorization": f"Bearer {dc.pat}"},
            timeout=5,
        )
        body = check(r, "/rest/api/3/search")
        assert (body["total"], body["startAt"], len(body["issues"])) == (3, 0, 2)
