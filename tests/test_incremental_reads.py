"""Incremental reads: what changed plus an id listing, merged with the stored read, equal to a full read."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from collabsync.model import Container
from collabsync.providers.base import ProviderContext
from collabsync.providers.jira import JiraProvider
from collabsync.reading.incremental import ReadStore, read
from collabsync.testing.jira import JiraEmulator

OLD = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


def provider(emu: JiraEmulator, home: Path, **settings: Any) -> JiraProvider:
    base = {"url": emu.root_url, "email": emu.email, "api_token": emu.api_token, "incremental": True}
    return JiraProvider("jira", {**base, **settings}, ProviderContext(home=home))


def seeded(emu: JiraEmulator, home: Path, n: int) -> tuple[Container, list[str]]:
    emu.add_project("ENG")
    c = provider(emu, home).ensure_container("launch", "Launch", "", {"project": "ENG"})
    keys = [emu.add_issue("ENG", f"T{i}", parent=c.ref, updated=OLD, status=("To Do", "Done")[i % 2]) for i in range(n)]
    for a, b in zip(keys[:10], keys[1:11], strict=False):
        emu.link_issues(a, b)
    return c, keys


def dicts(tasks: list[Any]) -> list[dict[str, Any]]:
    return [t.to_dict() for t in tasks]


def incremental_equals_full(emu: JiraEmulator, home: Path, c: Container, store: ReadStore) -> list[dict[str, Any]]:
    """One incremental read; asserts it equals a full read of the same moment and returns it."""
    got = dicts(read(provider(emu, home), "jira", c, store))
    assert got == dicts(provider(emu, home, incremental=False).read_tasks(c))
    return got


def test_an_unchanged_3000_issue_project_costs_two_requests(tmp_path: Path) -> None:
    with JiraEmulator() as emu:
        c, _ = seeded(emu, tmp_path, 3000)
        store = ReadStore(tmp_path / "reads.sqlite")
        first = dicts(read(provider(emu, tmp_path), "jira", c, store))
        assert len(first) == 3000
        emu.reset_log()
        second = dicts(read(provider(emu, tmp_path), "jira", c, store))
        assert emu.count() == 2  # the id listing (5,000 a page) and the empty `updated >=` search
        assert emu.count("GET", "/search/jql") == 2 and second == first


def test_edits_moves_deletions_and_links_merge_to_the_full_read(tmp_path: Path) -> None:
    with JiraEmulator() as emu:
        c, keys = seeded(emu, tmp_path, 250)
        store = ReadStore(tmp_path / "reads.sqlite")
        read(provider(emu, tmp_path), "jira", c, store)
        emu.set_status(keys[40], "Done")  # edited
        emu.set_status(keys[41], "In Progress")
        for key in keys[60:62]:  # deleted
            del emu.store.issues[emu.issue(key).id]
        emu.issue(keys[70]).parent_id = None  # moved out, `updated` untouched
        moved_in = emu.add_issue("ENG", "From elsewhere", parent=c.ref, updated=OLD)  # moved in, not bumped
        emu.link_issues(keys[100], keys[101])  # a new link: only the blocking end is bumped
        emu.issue(keys[100]).updated = emu.clock()
        emu.reset_log()
        got = incremental_equals_full(emu, tmp_path, c, store)
        refs = {t["ref"] for t in got}
        assert emu.issue(moved_in).id in refs and emu.issue(keys[70]).id not in refs and len(got) == 248
        assert emu.issue(keys[100]).id in next(t for t in got if t["ref"] == emu.issue(keys[101]).id)["depends_on"]
        # a link cut, and only the blocking end bumped: the blocked end's stored view of it must go
        blocking, blocked = emu.issue(keys[0]).id, emu.issue(keys[1]).id
        emu.store.links[:] = [x for x in emu.store.links if x[2:] != (blocking, blocked)]
        emu.issue(keys[0]).updated = emu.clock()
        got = incremental_equals_full(emu, tmp_path, c, store)
        assert blocking not in next(t for t in got if t["ref"] == blocked)["depends_on"]


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_edits_just_before_midnight_in_a_zone_far_from_utc_are_read(tmp_path: Path, zone: str) -> None:
    """The emulator's clock sits at 23:59 in the user's zone, hours away from this machine's: edits still land."""
    shift = [dt.timedelta(0)]
    now = dt.datetime.now(dt.UTC)
    local = now.astimezone(ZoneInfo(zone))
    eve = local.replace(hour=23, minute=59, second=0, microsecond=0)
    shift[0] = eve - local + dt.timedelta(days=3, hours=5)  # and a clock days and hours off ours

    def clock() -> dt.datetime:
        return dt.datetime.now(dt.UTC) + shift[0]

    with JiraEmulator(time_zone=zone, clock=clock) as emu:
        c, keys = seeded(emu, tmp_path, 30)
        store = ReadStore(tmp_path / "reads.sqlite")
        read(provider(emu, tmp_path), "jira", c, store)
        shift[0] -= dt.timedelta(hours=5)  # back to 23:59 of the user's day
        emu.set_status(keys[3], "Done")
        shift[0] += dt.timedelta(minutes=3)  # the read runs after midnight
        seen: list[int] = []
        real = JiraProvider.to_tasks

        def counting(self: JiraProvider, container: Container, hits: Any) -> Any:
            hits = list(hits)
            seen.append(len(hits))
            return real(self, container, hits)

        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(JiraProvider, "to_tasks", counting)
            read(provider(emu, tmp_path), "jira", c, store)
        assert seen == [1]  # only the edited issue came back, not the whole project
        got = incremental_equals_full(emu, tmp_path, c, store)
        assert next(t for t in got if t["ref"] == emu.issue(keys[3]).id)["status"] == "done"


def test_a_full_read_every_n_runs_and_when_asked(tmp_path: Path) -> None:
    with JiraEmulator() as emu:
        c, _ = seeded(emu, tmp_path, 150)
        store = ReadStore(tmp_path / "reads.sqlite")
        costs = []
        for full in (False, False, False, True, False):
            emu.reset_log()
            read(provider(emu, tmp_path, full_read_every=3), "jira", c, store, full=full)
            costs.append(emu.count("POST", "/issue/bulkfetch"))
        assert costs == [2, 0, 0, 2, 0]  # first read, then 2 incremental, a full one asked for, incremental again


def test_reports_read_incrementally_and_status_fresh_reads_everything(isolated_home: Path) -> None:
    """Through the CLI: the second report costs the id listing and the changes search; --fresh is full."""
    from cli_helpers import cli
    from collabsync.testing.stack import running_stack

    with running_stack() as stack:
        config = stack.write_config(Path("collabsync.toml"))
        text = config.read_text().replace('deployment = "cloud"\n', 'deployment = "cloud"\nincremental = true\n')
        config.write_text(text)
        for i in range(150):
            stack.jira.add_issue("ENG", f"Issue {i}", updated=OLD, status=("To Do", "Done")[i % 2])
        cli("track", "eng", "ENG", "--department", "engineering")
        cli("report", "eng", "--format", "json", "--out", "first", "--no-save")
        stack.jira.set_status("ENG-7", "Done")
        stack.jira.reset_log()
        cli("report", "eng", "--format", "json", "--out", "second", "--no-save")
        assert stack.jira.count() == 2 and stack.jira.count("GET", "/search/jql") == 2
        stack.jira.reset_log()
        fresh = cli("status", "eng", "--format", "json", "--fresh")
        assert stack.jira.count("POST", "/issue/bulkfetch") == 2  # a full read: 150 issues by 100
        assert json.loads(fresh)["departments"]["engineering"]["done"] == 76  # 75 seeded done, one moved
        tasks = json.loads((Path("second") / "eng.json").read_text())["tasks"]
        assert len(tasks) == 150 and sum(t["status"] == "done" for t in tasks) == 76
