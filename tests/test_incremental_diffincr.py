"""What the randomized differential (bench/diffincr.py) found: incremental reads that differed from full reads."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

from collabsync.reading.incremental import ReadStore, read
from collabsync.testing.asana import AsanaEmulator
from collabsync.testing.jira import JiraEmulator
from test_incremental_reads import OLD, dicts, incremental_equals_full, provider
from test_incremental_trello_asana import asana, asana_equals_full, project


def _epic(emu: JiraEmulator, home: Path, key: str, n: int) -> tuple[Any, list[str]]:
    emu.add_project(key)
    c = provider(emu, home).ensure_container(f"epic-{key}", key, "", {"project": key})
    return c, [emu.add_issue(key, f"{key} {i}", parent=c.ref, updated=OLD) for i in range(n)]


def test_jira_a_deleted_blocker_in_or_out_of_the_container_leaves_no_dependency(tmp_path: Path) -> None:
    """Deleting an issue cuts its links without moving `updated` on the issues it blocked."""
    with JiraEmulator() as emu:
        eng, keys = _epic(emu, tmp_path, "ENG", 6)
        _, other = _epic(emu, tmp_path, "OPS", 2)
        emu.link_issues(keys[0], keys[1])  # inside the epic
        emu.link_issues(other[0], keys[2])  # from another epic
        store = ReadStore(tmp_path / "reads.sqlite")
        read(provider(emu, tmp_path), "jira", eng, store)
        for key in (keys[0], other[0]):
            with emu.lock:
                gone = emu.store.issue(key).id
                del emu.store.issues[gone]
                emu.store.links[:] = [x for x in emu.store.links if gone not in x[2:]]
        got = incremental_equals_full(emu, tmp_path, eng, store)
        assert all(t["depends_on"] == [] for t in got)
        emu.reset_log()
        incremental_equals_full(emu, tmp_path, eng, store)


def test_jira_merged_dependencies_keep_the_tools_order(tmp_path: Path) -> None:
    """A blocker re-read (only its end bumped) keeps its place among the blocked issue's dependencies."""
    with JiraEmulator() as emu:
        eng, keys = _epic(emu, tmp_path, "ENG", 4)
        emu.link_issues(keys[0], keys[3])
        emu.link_issues(keys[1], keys[3])
        store = ReadStore(tmp_path / "reads.sqlite")
        read(provider(emu, tmp_path), "jira", eng, store)
        emu.set_status(keys[0], "Done")  # the first blocker changed; the blocked issue did not
        got = incremental_equals_full(emu, tmp_path, eng, store)
        blocked = next(t for t in got if t["ref"] == emu.issue(keys[3]).id)
        assert blocked["depends_on"] == [emu.issue(keys[0]).id, emu.issue(keys[1]).id]


def test_jira_emulator_renders_links_after_a_cut_and_an_add(tmp_path: Path) -> None:
    """Emulator: its link index was keyed on the number of links, so a cut then an add served stale links."""
    with JiraEmulator() as emu:
        _, keys = _epic(emu, tmp_path, "ENG", 4)
        emu.link_issues(keys[0], keys[1])
        assert emu.issue_json(keys[1])["fields"]["issuelinks"]  # builds the index
        emu.store.links[:] = []
        emu.link_issues(keys[2], keys[3])
        assert emu.issue_json(keys[1])["fields"]["issuelinks"] == []
        assert [x["inwardIssue"]["key"] for x in emu.issue_json(keys[3])["fields"]["issuelinks"]] == [keys[2]]


def test_asana_a_blocker_edited_alone_keeps_the_dependency(tmp_path: Path) -> None:
    """The blocker re-read by modified_since must not take away what the unchanged blocked task depends on."""
    with AsanaEmulator() as emu:
        c, gids = project(emu, 12)  # every fifth task blocked by the one before: gids[5] by gids[4]
        store = ReadStore(tmp_path / "reads.sqlite")
        read(asana(emu, tmp_path), "asana", c, store)
        emu.complete(gids[4])  # an edit only: the events route, the blocker alone re-read
        got = asana_equals_full(emu, tmp_path, c, store)
        assert next(t for t in got if t["ref"] == gids[5])["depends_on"] == [gids[4]]
        emu.move_task(gids[9], "Blocked")  # a section move: the listing route, gids[9] fetched by gid
        got = asana_equals_full(emu, tmp_path, c, store)
        assert next(t for t in got if t["ref"] == gids[10])["depends_on"] == [gids[9]]
        assert dicts(read(asana(emu, tmp_path), "asana", c, store)) == got


def test_the_randomized_differential_finds_no_difference_on_fixed_seeds() -> None:
    """bench/diffincr.py on two seeds of six rounds (both differed before the fixes): incremental equals full."""
    spec = importlib.util.spec_from_file_location("diffincr", Path(__file__).parents[1] / "bench" / "diffincr.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules["diffincr"] = bench  # dataclasses look their module up there
    spec.loader.exec_module(bench)
    for seed in (5, 10):  # both found Jira and Asana differences before the fixes
        compared, found = bench.run_seed(seed, 6)
        assert compared == 7 * 6  # the first read and six rounds, of two epics, two boards and two projects
        assert found == [], found


def test_asana_an_edit_stamped_by_a_clock_behind_ours_is_still_read(tmp_path: Path) -> None:
    """The event feed names the edit; modified_since (our clock) missed it: the named task is fetched by gid."""
    import datetime as dt

    with AsanaEmulator() as emu:
        c, gids = project(emu, 10)
        store = ReadStore(tmp_path / "reads.sqlite")
        read(asana(emu, tmp_path), "asana", c, store)
        emu.now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=20)  # Asana's clock 20 minutes behind ours
        try:
            emu.complete(gids[2])  # an edit only: the events route
            emu.move_task(gids[3], "Blocked")
            emu.complete(gids[3])  # an edit and a move: the listing route
        finally:
            emu.now = None
        got = asana_equals_full(emu, tmp_path, c, store)
        assert {t["ref"]: t["status"] for t in got}[gids[2]] == "done"
        emu.now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=20)
        try:
            emu.complete(gids[6])
        finally:
            emu.now = None
        assert next(t for t in asana_equals_full(emu, tmp_path, c, store) if t["ref"] == gids[6])["status"] == "done"
