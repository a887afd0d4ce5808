"""Jira reads without the page chain: request counts and results identical to the chained read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from collabsync.model import marker
from collabsync.providers import jira_read
from collabsync.providers.base import ProviderContext
from collabsync.providers.jira import JiraProvider
from collabsync.testing.jira import JiraEmulator


def provider(emu: JiraEmulator, home: Path, **settings: Any) -> JiraProvider:
    base = (
        {"url": emu.root_url, "email": emu.email, "api_token": emu.api_token}
        if emu.deployment == "Cloud"
        else {"url": emu.root_url, "token": emu.pat}
    )
    return JiraProvider("jira", {**base, **settings}, ProviderContext(home=home))


def seeded(emu: JiraEmulator, home: Path, n: int) -> Any:
    emu.add_project("ENG")
    c = provider(emu, home).ensure_container("launch", "Launch", "", {"project": "ENG"})
    keys = [
        emu.add_issue(
            "ENG",
            f"T{i}",
            parent=c.ref,
            description=marker("launch", f"t{i}"),
            labels=[c.extra["label"]],
            status=("To Do", "In Progress", "Done")[i % 3],
        )
        for i in range(n)
    ]
    for a, b in zip(keys[:20], keys[1:21], strict=False):
        emu.link_issues(a, b)
    return c


def chained(p: JiraProvider, c: Any) -> list[dict[str, Any]]:
    """The same read through the old token-chained pages, as the reference."""

    def old(prov: JiraProvider, jql: str, fields: list[str], deployment: str | None, **_: Any) -> list[dict[str, Any]]:
        return list(prov._search(jql, fields, cached=True, deployment=deployment))

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("collabsync.providers.jira.read_hits", old)
        return [t.to_dict() for t in p.read_tasks(c)]


def test_cloud_reads_1200_issues_in_one_id_page_and_twelve_bulkfetches(tmp_path: Path) -> None:
    with JiraEmulator() as emu:
        c = seeded(emu, tmp_path, 1200)
        emu.reset_log()
        got = [t.to_dict() for t in provider(emu, tmp_path).read_tasks(c)]
        assert emu.count("GET", "/search/jql") == 1 and emu.count("POST", "/issue/bulkfetch") == 12
        assert emu.count() == 13
        emu.reset_log()
        assert got == chained(provider(emu, tmp_path), c)
        assert emu.count("GET", "/search/jql") == 12  # the chain it replaces: one page of 100 after another
        assert sum(len(t["depends_on"]) for t in got) == 20


def test_issues_vanishing_between_listing_and_fetching_are_left_out(tmp_path: Path) -> None:
    with JiraEmulator() as emu:
        c = seeded(emu, tmp_path, 150)
        gone = sorted(emu.store.issues, key=int)[-3:]  # unlinked tasks
        real = jira_read.list_ids

        def list_then_delete(p: JiraProvider, jql: str) -> list[str]:
            ids = real(p, jql)
            for issue_id in gone:
                del emu.store.issues[issue_id]
            return ids

        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(jira_read, "list_ids", list_then_delete)
            tasks = provider(emu, tmp_path).read_tasks(c)
        assert len(tasks) == 147 and not {t.ref for t in tasks} & set(gone)
        assert [t.to_dict() for t in tasks] == chained(provider(emu, tmp_path), c)


def test_data_center_fetches_pages_after_the_first_in_parallel(tmp_path: Path) -> None:
    with JiraEmulator(deployment="Server") as emu:
        c = seeded(emu, tmp_path, 250)
        emu.reset_log()
        got = [t.to_dict() for t in provider(emu, tmp_path).read_tasks(c)]
        searches = [r for r in emu.requests if r.path.endswith("/search")]
        assert len(searches) == 3 and sorted("startAt=" + s for s in ("0", "100", "200")) == sorted(
            next(p for p in r.query.split("&") if p.startswith("startAt=")) for r in searches
        )
        assert len(got) == 250 and got == chained(provider(emu, tmp_path), c)


@pytest.mark.parametrize(("setting", "expected"), [(None, 10), (1, 1), (16, 16)])
def test_reads_in_flight_follow_the_setting_and_the_session_read_cap_with_them(
    tmp_path: Path, setting: int | None, expected: int
) -> None:
    with JiraEmulator() as emu:
        settings = {} if setting is None else {"max_in_flight": setting}
        made = provider(emu, tmp_path, **settings)
        assert jira_read.in_flight(made) == expected
        assert (made.policy.max_reads, made.policy.max_writes) == (expected, 4)  # writes keep their own cap
