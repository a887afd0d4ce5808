"""The Jira emulator does what Atlassian documents, route by route (issue 12); each test cites its source.

Spec paths refer to ../shared/specs/jira/swagger-v3.v3.json (Jira Cloud platform REST v3). These are
raw-HTTP or real-SDK checks of the emulator, separate from the provider tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from jira import JIRA

from collabsync.testing.jira import JiraEmulator
from jira_support import session

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


def adf(text: str) -> dict[str, Any]:
    return {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}],
    }


@pytest.fixture
def emu() -> Iterator[JiraEmulator]:
    with JiraEmulator(clock=lambda: NOW, time_zone="Asia/Kolkata") as e:
        e.add_project("ENG", "Engineering")
        yield e


@pytest.fixture
def http(emu: JiraEmulator) -> requests.Session:
    return session(emu)


def api(emu: JiraEmulator, path: str, v: str = "3") -> str:
    return f"{emu.root_url}/rest/api/{v}{path}"


def sdk(emu: JiraEmulator) -> JIRA:
    return JIRA(server=emu.root_url, basic_auth=(emu.email, emu.api_token), max_retries=0, timeout=5)


# -- field selection and expansion -----------------------------------------------------------------
def test_get_issue_minus_field_returns_all_other_fields(emu, http):
    """paths./rest/api/3/issue/{issueIdOrKey}.get, `fields`: "-description Returns all (default) fields except description"."""
    key = emu.add_issue("ENG", "Write docs", description="long text")
    fields = http.get(api(emu, f"/issue/{key}"), params={"fields": "-description"}, timeout=5).json()["fields"]
    assert "description" not in fields
    assert fields["summary"] == "Write docs" and "status" in fields and "created" in fields


def test_search_minus_field_returns_navigable_fields_but_that_one(emu, http):
    """paths./rest/api/3/search/jql.get, `fields`: "-description Returns all navigable (default) fields except description"."""
    emu.add_issue("ENG", "Write docs", description="long text")
    hit = http.get(
        api(emu, "/search/jql"), params={"jql": "project = ENG", "fields": "-description"}, timeout=5
    ).json()["issues"][0]
    assert "description" not in hit["fields"] and hit["fields"]["summary"] == "Write docs"
    assert "labels" in hit["fields"] and "issuetype" in hit["fields"]


def test_search_all_minus_field(emu, http):
    """paths./rest/api/3/search/jql.get, `fields`: "*all,-comment Returns all fields except comments"."""
    emu.add_issue("ENG", "Write docs")
    hit = http.get(
        api(emu, "/search/jql"), params={"jql": "project = ENG", "fields": "*all,-labels"}, timeout=5
    ).json()["issues"][0]
    assert "labels" not in hit["fields"] and "summary" in hit["fields"]


def test_expand_names_on_get_issue(emu, http):
    """paths./rest/api/3/issue/{issueIdOrKey}.get, `expand`: "names Returns the display name of each field"."""
    key = emu.add_issue("ENG", "Write docs", story_points=3)
    body = http.get(
        api(emu, f"/issue/{key}"), params={"fields": "summary,customfield_10016", "expand": "names"}, timeout=5
    ).json()
    assert body["names"] == {"summary": "Summary", "customfield_10016": "Story Points"}
    assert "names" not in http.get(api(emu, f"/issue/{key}"), params={"fields": "summary"}, timeout=5).json()


def test_expand_names_on_search_is_listed_once(emu, http):
    """paths./rest/api/3/search/jql.get `expand=names`; SearchAndReconcileResults carries `names` at the top."""
    emu.add_issue("ENG", "Write docs")
    body = http.get(
        api(emu, "/search/jql"),
        params={"jql": "project = ENG", "fields": "summary,duedate", "expand": "names"},
        timeout=5,
    ).json()
    assert body["names"] == {"duedate": "Due date", "summary": "Summary"}
    assert "names" not in body["issues"][0]


# -- JQL -------------------------------------------------------------------------------------------
def test_jql_current_user(emu, http):
    """https://support.atlassian.com/jira-software-cloud/docs/jql-functions/ currentUser(): the logged-in user."""
    mine = emu.add_issue("ENG", "Mine", assignee=emu.admin)
    emu.add_issue("ENG", "Someone else's", assignee="Grace Hopper")
    body = http.get(api(emu, "/search/jql"), params={"jql": "assignee = currentUser()", "fields": "key"}, timeout=5)
    assert body.status_code == 200
    assert [i["key"] for i in body.json()["issues"]] == [mine]


def test_jql_relative_period(emu, http):
    """https://support.atlassian.com/jira-software-cloud/docs/jql-fields/ Updated: "-5d", "4w 2d" relative to now."""
    fresh = emu.add_issue("ENG", "Fresh", updated=NOW - dt.timedelta(hours=20))
    emu.add_issue("ENG", "Stale", updated=NOW - dt.timedelta(days=3))
    for jql in ("updated >= -1d", 'updated >= "-1d"', 'updated >= "-24h"'):
        body = http.get(api(emu, "/search/jql"), params={"jql": jql, "fields": "key"}, timeout=5)
        assert body.status_code == 200, body.text
        assert [i["key"] for i in body.json()["issues"]] == [fresh], jql


def test_jql_start_of_day_in_the_users_zone(emu, http):
    """https://support.atlassian.com/jira-software-cloud/docs/jql-functions/ startOfDay(inc), in the user's time zone."""
    # 12:00 UTC is 17:30 in Kolkata: the day began at 18:30 UTC the evening before
    today = emu.add_issue("ENG", "Today", updated=dt.datetime(2026, 11, 22, 19, 0, tzinfo=dt.UTC))
    yesterday = emu.add_issue("ENG", "Yesterday", updated=dt.datetime(2026, 11, 22, 18, 0, tzinfo=dt.UTC))
    got = http.get(api(emu, "/search/jql"), params={"jql": "updated >= startOfDay()", "fields": "key"}, timeout=5)
    assert [i["key"] for i in got.json()["issues"]] == [today]
    got = http.get(
        api(emu, "/search/jql"), params={"jql": 'updated >= startOfDay("-1") ORDER BY key', "fields": "key"}, timeout=5
    )
    assert [i["key"] for i in got.json()["issues"]] == [today, yesterday]


@pytest.mark.parametrize("jql", ["updated >= 2026-13-45", "updated >= '23/11/2026'", "duedate < nonsense"])
def test_bad_date_literal_is_a_400_with_error_messages(emu, http, jql):
    """paths./rest/api/3/search/jql.get responses.400: "the JQL query is invalid", as ErrorCollection JSON."""
    emu.add_issue("ENG", "Any")
    got = http.get(api(emu, "/search/jql"), params={"jql": jql}, timeout=5)
    assert got.status_code == 400
    assert got.headers["Content-Type"].startswith("application/json")
    message = got.json()["errorMessages"][0]
    assert "is invalid" in message and jql.split()[0] in message


def test_unknown_jql_function_is_a_400(emu, http):
    """paths./rest/api/3/search/jql.get responses.400: an invalid JQL query is refused, naming the function."""
    got = http.get(api(emu, "/search/jql"), params={"jql": "assignee = nobodyKnows()"}, timeout=5)
    assert got.status_code == 400 and "nobodyKnows" in got.json()["errorMessages"][0]


# -- paging ----------------------------------------------------------------------------------------
def test_id_only_pages_reach_5000(emu, http):
    """paths./rest/api/3/search/jql.get `maxResults`: "greatest ... when requesting id or key only ... max 5000"."""
    for n in range(130):
        emu.add_issue("ENG", f"Task {n}")
    ids = http.get(
        api(emu, "/search/jql"), params={"jql": "project = ENG", "fields": "id", "maxResults": 5000}, timeout=5
    ).json()
    assert len(ids["issues"]) == 130 and ids["isLast"] is True
    keys = http.get(
        api(emu, "/search/jql"), params={"jql": "project = ENG", "fields": "key", "maxResults": 5000}, timeout=5
    ).json()
    assert keys["issues"][0] == {"id": "10001", "key": "ENG-1"}
    full = http.get(
        api(emu, "/search/jql"), params={"jql": "project = ENG", "fields": "summary", "maxResults": 5000}, timeout=5
    ).json()
    assert len(full["issues"]) == 100 and full["isLast"] is False and full["nextPageToken"]


# -- edit with update verbs ------------------------------------------------------------------------
def test_put_issue_update_verbs(emu, http):
    """paths./rest/api/3/issue/{issueIdOrKey}.put: edits are defined by `update` (set/add/remove) and `fields`."""
    key = emu.add_issue("ENG", "Old", labels=["a", "b"])
    got = http.put(
        api(emu, f"/issue/{key}"),
        json={
            "update": {
                "summary": [{"set": "New"}],
                "labels": [{"add": "c"}, {"remove": "a"}],
                "duedate": [{"set": "2026-12-01"}],
            }
        },
        timeout=5,
    )
    assert got.status_code == 204, got.text
    issue = emu.issue(key)
    assert (issue.summary, issue.labels, issue.duedate) == ("New", ["b", "c"], "2026-12-01")


def test_put_issue_same_field_in_update_and_fields_is_refused(emu, http):
    """paths./rest/api/3/issue/{issueIdOrKey}.put responses.400, ErrorCollection naming the field."""
    key = emu.add_issue("ENG", "Old")
    got = http.put(
        api(emu, f"/issue/{key}"), json={"fields": {"summary": "A"}, "update": {"summary": [{"set": "B"}]}}, timeout=5
    )
    assert got.status_code == 400 and "summary" in got.json()["errors"]
    assert emu.issue(key).summary == "Old"


# -- time zones ------------------------------------------------------------------------------------
def test_timestamps_carry_the_users_offset(emu, http):
    """components.schemas.Comment.created / IssueBean fields: date-time in the user's zone (`timeZone` of /myself)."""
    key = emu.add_issue("ENG", "Zoned", updated=dt.datetime(2026, 11, 23, 10, 41, 51, 123000, tzinfo=dt.UTC))
    assert http.get(api(emu, "/myself"), timeout=5).json()["timeZone"] == "Asia/Kolkata"
    fields = http.get(api(emu, f"/issue/{key}"), params={"fields": "updated"}, timeout=5).json()["fields"]
    assert fields["updated"] == "2026-11-23T16:11:51.123+0530"


# -- comments, assignment, users, bulkfetch --------------------------------------------------------
def test_sdk_add_comment_v2_plain_text(emu):
    """paths./rest/api/3/issue/{issueIdOrKey}/comment.post; v2 takes and shows plain text (jira SDK add_comment)."""
    key = emu.add_issue("ENG", "Commented")
    client = sdk(emu)
    comment = client.add_comment(key, "Looks good\n\nShip it")
    assert comment.body == "Looks good\n\nShip it" and comment.author.accountId == emu.admin
    assert [c.body for c in client.comments(key)] == ["Looks good\n\nShip it"]
    assert emu.issue(key).updated == NOW


def test_comment_v3_takes_adf_and_refuses_plain_text(emu, http):
    """paths./rest/api/3/issue/{issueIdOrKey}/comment.post requestBody: `body` in Atlassian Document Format."""
    key = emu.add_issue("ENG", "Commented")
    created = http.post(api(emu, f"/issue/{key}/comment"), json={"body": adf("Hello")}, timeout=5)
    assert created.status_code == 201 and created.json()["body"] == adf("Hello")
    assert created.json()["created"].endswith("+0530")
    refused = http.post(api(emu, f"/issue/{key}/comment"), json={"body": "plain"}, timeout=5)
    assert refused.status_code == 400 and "comment" in refused.json()["errors"]
    empty = http.post(api(emu, f"/issue/{key}/comment"), json={"body": ""}, timeout=5)
    assert empty.status_code == 400
    as_text = http.get(api(emu, f"/issue/{key}/comment", v="2"), timeout=5).json()
    assert as_text["total"] == 1 and as_text["comments"][0]["body"] == "Hello"


def test_comment_update_get_and_order(emu, http):
    """paths./rest/api/3/issue/{issueIdOrKey}/comment/{id}.put and .get; comment list `orderBy=-created`."""
    key = emu.add_issue("ENG", "Commented")
    first = http.post(api(emu, f"/issue/{key}/comment"), json={"body": adf("one")}, timeout=5).json()
    http.post(api(emu, f"/issue/{key}/comment"), json={"body": adf("two")}, timeout=5)
    edited = http.put(api(emu, f"/issue/{key}/comment/{first['id']}"), json={"body": adf("uno")}, timeout=5)
    assert edited.status_code == 200 and edited.json()["body"] == adf("uno")
    assert http.get(api(emu, f"/issue/{key}/comment/{first['id']}"), timeout=5).json()["body"] == adf("uno")
    newest = http.get(api(emu, f"/issue/{key}/comment"), params={"orderBy": "-created"}, timeout=5).json()
    assert [c["body"] for c in newest["comments"]] == [adf("two"), adf("uno")]
    missing = http.get(api(emu, f"/issue/{key}/comment/99999"), timeout=5)
    assert missing.status_code == 404 and missing.json()["errorMessages"]


def test_sdk_assign_issue(emu):
    """paths./rest/api/3/issue/{issueIdOrKey}/assignee.put with `accountId` (jira SDK assign_issue via user search)."""
    key = emu.add_issue("ENG", "Assigned")
    grace = emu.add_user("Grace Hopper", "grace@example.com")
    client = sdk(emu)
    assert client.assign_issue(key, "grace@example.com") is True
    assert emu.issue(key).assignee == grace
    client.assign_issue(key, None)
    assert emu.issue(key).assignee is None


def test_assignee_refusals(emu, http):
    """paths./rest/api/3/issue/{issueIdOrKey}/assignee.put responses.400 (missing or several ids) and .404."""
    key = emu.add_issue("ENG", "Assigned")
    assert http.put(api(emu, f"/issue/{key}/assignee"), json={}, timeout=5).status_code == 400
    both = http.put(api(emu, f"/issue/{key}/assignee"), json={"accountId": emu.admin, "name": "x"}, timeout=5)
    assert both.status_code == 400
    unknown = http.put(api(emu, f"/issue/{key}/assignee"), json={"accountId": "nobody"}, timeout=5)
    assert unknown.status_code == 400 and unknown.json()["errors"]
    assert http.put(api(emu, "/issue/ENG-404/assignee"), json={"accountId": None}, timeout=5).status_code == 404


def test_user_search_hides_private_emails(emu, http):
    """paths./rest/api/3/user/search.get: prefix match on displayName/emailAddress; privacy may hide the email."""
    shy = emu.add_user("Shy Person", "shy@example.com", hide_email=True)
    emu.add_user("Open Person", "open@example.com")
    found = http.get(api(emu, "/user/search"), params={"query": "shy"}, timeout=5).json()
    assert [u["accountId"] for u in found] == [shy] and "emailAddress" not in found[0]
    people = http.get(api(emu, "/user/search"), params={"query": "person"}, timeout=5).json()
    assert [u["displayName"] for u in people] == ["Open Person", "Shy Person"]
    assert http.get(api(emu, "/user/search"), timeout=5).status_code == 400


def test_data_center_user_search_by_username():
    """Jira Data Center REST 2 GET /rest/api/2/user/search?username= (name, key and email in each user)."""
    with JiraEmulator(deployment="Server") as dc:
        dc.add_user("Dana Center", "dana@example.com")
        s = session(dc)
        found = s.get(api(dc, "/user/search", v="2"), params={"username": "dana"}, timeout=5).json()
        assert [(u["name"], u["emailAddress"]) for u in found] == [("dana", "dana@example.com")]
        assert s.get(api(dc, "/user/search", v="2"), timeout=5).status_code == 400


def test_bulkfetch_partial_and_limits(emu, http):
    """paths./rest/api/3/issue/bulkfetch.post: up to 100 ids or keys, ascending id order, `issueErrors`; 400 beyond."""
    first = emu.add_issue("ENG", "One")
    second = emu.add_issue("ENG", "Two")
    got = http.post(
        api(emu, "/issue/bulkfetch"),
        json={"issueIdsOrKeys": [second, "eng-1", "ENG-77"], "fields": ["summary"]},
        timeout=5,
    )
    assert got.status_code == 200
    body = got.json()
    assert [(i["key"], i["fields"]) for i in body["issues"]] == [
        (first, {"summary": "One"}),
        (second, {"summary": "Two"}),
    ]
    assert [e["id"] for e in body["issueErrors"]] == ["ENG-77"]
    too_many = http.post(api(emu, "/issue/bulkfetch"), json={"issueIdsOrKeys": [first] * 101}, timeout=5)
    assert too_many.status_code == 400 and too_many.json()["errorMessages"]
    assert http.post(api(emu, "/issue/bulkfetch"), json={"issueIdsOrKeys": []}, timeout=5).status_code == 400


# -- audit of the other served routes --------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/project/search", {"startAt": "abc"}),
        ("/project/search", {"maxResults": "-1"}),
        ("/issue/ENG-1/comment", {"startAt": "x"}),
    ],
)
def test_bad_paging_numbers_are_400_not_500(emu, http, path, params):
    """paths./rest/api/3/project/search.get `startAt`/`maxResults` are int32: a bad value is a 400 ErrorCollection."""
    emu.add_issue("ENG", "Any")
    got = http.get(api(emu, path), params=params, timeout=5)
    assert got.status_code == 400 and got.json()["errorMessages"]


def test_put_issue_return_issue(emu, http):
    """paths./rest/api/3/issue/{issueIdOrKey}.put responses.200: "if ... the `returnIssue` parameter is `true`"."""
    key = emu.add_issue("ENG", "Old")
    got = http.put(
        api(emu, f"/issue/{key}"), params={"returnIssue": "true"}, json={"fields": {"summary": "New"}}, timeout=5
    )
    assert got.status_code == 200 and got.json()["fields"]["summary"] == "New"
    plain = http.put(api(emu, f"/issue/{key}"), json={"fields": {"summary": "Newer"}}, timeout=5)
    assert plain.status_code == 204 and plain.content == b"" and "Content-Type" not in plain.headers


def test_order_by_has_at_most_seven_fields(emu, http):
    """paths./rest/api/3/search/jql.get `jql`: "orderBy clause can contain a maximum of 7 fields"."""
    order = ", ".join(["created", "updated", "key", "duedate", "created", "updated", "key", "duedate"])
    got = http.get(api(emu, "/search/jql"), params={"jql": f"project = ENG ORDER BY {order}"}, timeout=5)
    assert got.status_code == 400 and "7" in got.json()["errorMessages"][0]


def test_created_issue_self_uses_the_called_version(emu, http):
    """paths./rest/api/3/issue.post responses.201 CreatedIssue `self`: the URL of the created issue."""
    got = http.post(
        api(emu, "/issue", v="2"),
        json={"fields": {"project": {"key": "ENG"}, "issuetype": {"name": "Task"}, "summary": "v2"}},
        timeout=5,
    ).json()
    assert got["self"].endswith(f"/rest/api/2/issue/{got['id']}")


def test_transitions_filter_by_id(emu, http):
    """paths./rest/api/3/issue/{issueIdOrKey}/transitions.get `transitionId`: only that transition."""
    key = emu.add_issue("ENG", "Moving")
    every = http.get(api(emu, f"/issue/{key}/transitions"), timeout=5).json()["transitions"]
    one = http.get(api(emu, f"/issue/{key}/transitions"), params={"transitionId": every[1]["id"]}, timeout=5).json()
    assert one["transitions"] == [every[1]]


def test_order_by_other_fields_and_unknown_ones(emu, http):
    """https://support.atlassian.com/jira-software-cloud/docs/jql-keywords/ ORDER BY a field; an unknown one is a 400."""
    emu.add_issue("ENG", "banana")
    emu.add_issue("ENG", "Apple")
    got = http.get(
        api(emu, "/search/jql"), params={"jql": "project = ENG ORDER BY summary", "fields": "summary"}, timeout=5
    ).json()
    assert [i["fields"]["summary"] for i in got["issues"]] == ["Apple", "banana"]
    bad = http.get(api(emu, "/search/jql"), params={"jql": "project = ENG ORDER BY nonsense"}, timeout=5)
    assert bad.status_code == 400 and "nonsense" in bad.json()["errorMessages"][0]


def test_comment_field_only_with_all_fields_or_by_name(emu, http):
    """paths./rest/api/3/issue/{issueIdOrKey}.get `fields` default `*all` includes `comment`; `*navigable` does not."""
    key = emu.add_issue("ENG", "Discussed")
    emu.add_comment(key, "seeded remark")
    assert sdk(emu).issue(key).fields.comment.comments[0].body == "seeded remark"
    navigable = http.get(api(emu, f"/issue/{key}"), params={"fields": "*navigable"}, timeout=5).json()["fields"]
    assert "comment" not in navigable
    by_name = http.get(api(emu, "/search/jql"), params={"jql": "project = ENG", "fields": "comment"}, timeout=5).json()
    assert by_name["issues"][0]["fields"]["comment"]["total"] == 1


def test_transition_and_edit_can_add_a_comment(emu, http):
    """paths./rest/api/3/issue/{issueIdOrKey}/transitions.post and .put: `update: {comment: [{add: {body}}]}`."""
    key = emu.add_issue("ENG", "Moving")
    client = sdk(emu)
    done = next(t["id"] for t in client.transitions(key) if t["to"]["name"] == "Done")
    client.transition_issue(key, done, comment="Shipped")
    assert [c.body for c in client.comments(key)] == ["Shipped"]
    assert emu.issue(key).status_id == "10003"
    edited = http.put(
        api(emu, f"/issue/{key}"), json={"update": {"comment": [{"add": {"body": adf("Noted")}}]}}, timeout=5
    )
    assert edited.status_code == 204 and len(client.comments(key)) == 2
    refused = http.put(api(emu, f"/issue/{key}"), json={"update": {"comment": [{"add": {"body": "plain"}}]}}, timeout=5)
    assert refused.status_code == 400 and len(client.comments(key)) == 2
