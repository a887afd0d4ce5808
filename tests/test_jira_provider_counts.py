"""Jira adapter: request counts, resume after a failure at every write, and the read cache."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from collabsync.errors import ProviderError
from collabsync.model import Container, NewTask, TaskSpec, marker
from collabsync.providers.base import ProviderContext
from collabsync.providers.jira import JiraProvider
from collabsync.testing.core import Faults
from collabsync.testing.jira import JiraEmulator


def provider(emu: JiraEmulator, home: Path, *, use_cache: bool = False, **settings) -> JiraProvider:
    base = {"url": emu.root_url, "email": emu.email, "api_token": emu.api_token}
    return JiraProvider("jira", {**base, **settings}, ProviderContext(home=home, use_cache=use_cache))


def new_tasks(n: int, instance: str = "launch") -> list[NewTask]:
    return [
        NewTask(TaskSpec(f"t{i}", f"Task {i}", "engineering", due=dt.date(2026, 12, 1)), marker(instance, f"t{i}"))
        for i in range(n)
    ]


def test_reading_250_issues_takes_one_id_search_and_three_bulkfetches(tmp_path: Path):
    with JiraEmulator() as emu:
        emu.add_project("ENG")
        c = provider(emu, tmp_path).ensure_container("launch", "Launch", "", {"project": "ENG"})
        for i in range(250):
            emu.add_issue("ENG", f"T{i}", parent=c.ref, description=marker("launch", f"t{i}"))
        emu.reset_log()
        tasks = provider(emu, tmp_path).read_tasks(c)  # a fresh process: only the container from the ledger
        assert len(tasks) == 250 and len({t.ref for t in tasks}) == 250
        searches, fetches = emu.count("GET", "/search/jql"), emu.count("POST", "/issue/bulkfetch")
        assert (searches, fetches) == (1, 3)  # 250 ids in one page, then 100 + 100 + 50
        assert emu.count() - searches - fetches <= 2
        assert all("maxResults=5000" in r.query for r in emu.requests if "/search/jql" in r.path)


def test_small_server_pages_are_followed(tmp_path: Path):
    with JiraEmulator(max_results_cap=40) as emu:
        emu.add_project("ENG")
        c = provider(emu, tmp_path).ensure_container("launch", "Launch", "", {"project": "ENG"})
        for i in range(90):
            emu.add_issue("ENG", f"T{i}", parent=c.ref)
        emu.reset_log()
        assert len(provider(emu, tmp_path, use_cache=True).read_tasks(c)) == 90  # cached reads: the GET page chain
        assert emu.count("GET", "/search/jql") == 3  # 40 + 40 + 10


def test_creating_120_issues_takes_three_bulk_requests(tmp_path: Path):
    with JiraEmulator() as emu:
        emu.add_project("ENG")
        p = provider(emu, tmp_path, deployment="cloud")
        c = p.ensure_container("launch", "Launch", "", {"project": "ENG"})
        made = list(p.create_tasks(c, new_tasks(120)))
        refs = [m.ref for m in made]
        pairs = [(refs[i + 1], refs[i]) for i in range(10)]
        assert [link.error for link in p.link_dependencies(c, pairs)] == [None] * 10
        assert all(refs) and len(set(refs)) == 120
        bulk, links = emu.count("POST", "/issue/bulk"), emu.count("POST", "/issueLink")
        assert (bulk, links) == (3, 10)
        epic = sum(r.endpoint == "issue_create" for r in emu.requests)  # the container itself
        assert epic == 1
        setup = emu.count() - bulk - links - epic  # project, field, epic search, link type
        assert setup <= 4
        assert emu.count("GET", "/issueLinkType") == 1 and emu.count("GET", "/issue/") == 0  # no refetch


def test_detecting_the_deployment_costs_one_request(tmp_path: Path):
    with JiraEmulator() as emu:
        emu.add_project("ENG")
        p = provider(emu, tmp_path)
        p.ensure_container("launch", "Launch", "", {"project": "ENG"})
        p.ensure_container("other", "Other", "", {"project": "ENG"})
        assert emu.count("GET", "/serverInfo") == 1 and emu.count("GET", "/field") == 1


def _stamp_once(p: JiraProvider, tasks: list[NewTask], links: list[tuple[int, int]]) -> tuple[Container, list[str]]:
    """What the stamper does: ensure, adopt marked tasks when the container was found, create the rest, link."""
    c = p.ensure_container("launch", "Launch", "", {"project": "ENG"})
    have = {} if c.created else p.find_marked(c, "launch")
    refs = {k: v.ref for k, v in have.items()}
    for outcome in p.create_tasks(c, [t for t in tasks if t.spec.key not in have]):
        refs[outcome.key] = outcome.ref
    linked = p.link_dependencies(c, [(refs[f"t{a}"], refs[f"t{b}"]) for a, b in links])
    return c, [link.error for link in linked if link.error]


@pytest.mark.parametrize("writes_before_failure", range(6))
def test_resume_after_a_lost_reply_at_every_write(tmp_path: Path, writes_before_failure: int):
    """Writes: epic, bulk of 50, bulk of 10, three links; the reply of write N+1 is lost."""
    tasks, links = new_tasks(60), [(1, 0), (2, 1), (59, 2)]
    faults = Faults(stop_after_writes=writes_before_failure, lose_reply_after_stop=True)
    with JiraEmulator(faults=faults) as emu:
        emu.add_project("ENG")
        try:  # a lost task write aborts the run; a lost link write is a per-link error
            failed = _stamp_once(provider(emu, tmp_path / "a"), tasks, links)[1]
        except ProviderError as exc:
            failed = [str(exc)]
        assert failed and "connection failed" in failed[0]
        emu.faults.stop_after_writes = None
        c, errors = _stamp_once(provider(emu, tmp_path / "b"), tasks, links)
        assert errors == []
        issues = emu.project_issues("ENG")
        epics = [i for i in issues if i.type_id == "10000"]
        assert len(epics) == 1 and epics[0].key == c.ref
        keys = sorted(i.description["content"][-1]["content"][-1]["text"] for i in issues if i.type_id != "10000")
        assert keys == sorted(t.marker for t in tasks)  # every task exactly once
        assert len(provider(emu, tmp_path / "c").find_marked(c, "launch")) == 60
        assert len(emu.store.links) == 3


def test_cached_reads_hold_no_secret(tmp_path: Path):
    with JiraEmulator() as emu:
        emu.add_project("ENG")
        p = provider(emu, tmp_path, use_cache=True)
        c = p.ensure_container("launch", "Launch", "", {"project": "ENG"})
        list(p.create_tasks(c, new_tasks(3)))
        emu.reset_log()
        assert len(p.read_tasks(c)) == 3
        assert len(p.read_tasks(c)) == 3  # second read served from the cache
        assert emu.count("GET", "/search/jql") == 1
        assert len(p.find_marked(c, "launch")) == 3 and len(p.find_marked(c, "launch")) == 3
        assert emu.count("GET", "/search/jql") == 3  # marker searches are never cached
        p.close()
        files = list((tmp_path / "cache").glob("jira-*.sqlite"))
        assert len(files) == 1
        data = files[0].read_bytes()
        assert emu.api_token.encode() not in data
        import base64

        assert base64.b64encode(f"{emu.email}:{emu.api_token}".encode()) not in data


def test_a_write_invalidates_the_read_cache_of_later_runs(tmp_path: Path):
    from collabsync.model import Status

    with JiraEmulator() as emu:
        emu.add_project("ENG")
        writer = provider(emu, tmp_path)
        c = writer.ensure_container("launch", "Launch", "", {"project": "ENG"})
        ref = next(iter(writer.create_tasks(c, new_tasks(1)))).ref
        reader = provider(emu, tmp_path, use_cache=True)
        assert reader.read_tasks(c)[0].status is Status.TODO
        reader.close()
        writer.set_status(c, ref, Status.DONE)  # e.g. `collabsync update` without a cache
        assert provider(emu, tmp_path, use_cache=True).read_tasks(c)[0].status is Status.DONE


def test_faults_mid_paging_are_retried_on_reads(tmp_path: Path):
    """A 503 and a 429 (Retry-After: 0) on bulkfetches (reads sent as POST) cost one retry each; the read completes."""
    with JiraEmulator(faults=Faults(retry_after="0")) as emu:
        emu.add_project("ENG")
        p = provider(emu, tmp_path, backoff=0)
        c = p.ensure_container("launch", "Launch", "", {"project": "ENG"})
        for i in range(250):
            emu.add_issue("ENG", f"T{i}", parent=c.ref)
        before = len(emu.requests)  # fault request numbers count every request so far
        emu.faults.status_at = {before + 2: 503, before + 4: 429}
        reader = provider(emu, tmp_path, backoff=0)
        assert len(reader.read_tasks(c)) == 250
        statuses = [r.status for r in emu.requests[before:]]  # bulkfetches run in parallel: order varies
        assert sorted(statuses) == [200, 200, 200, 200, 429, 503]
