"""Jira adapter against the Jira emulator: containers, sections, tasks, links, reads, status, markers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from collabsync.errors import NotFoundError
from collabsync.model import NewTask, SectionSpec, Status, TaskSpec, marker
from collabsync.providers.base import ProviderContext
from collabsync.providers.jira import JiraProvider
from collabsync.testing.jira import FLAGGED, START_DATE, STORY_POINTS, JiraEmulator
from collabsync.testing.jira_catalog import EPIC_LINK, EPIC_NAME


@pytest.fixture
def emu():
    with JiraEmulator() as e:
        e.add_project("ENG", "Engineering")
        yield e


def make(emu: JiraEmulator, tmp_path: Path, **settings) -> JiraProvider:
    people = {"ada": {"jira": emu.add_user("Ada Lovelace")}}
    base = {"url": emu.root_url, "email": emu.email, "api_token": emu.api_token}
    return JiraProvider("jira", {**base, **settings}, ProviderContext(home=tmp_path, people=people))


def tasks(n: int, instance: str = "launch", section: str | None = "build") -> list[NewTask]:
    return [
        NewTask(
            TaskSpec(
                f"t{i}",
                f"Task {i}",
                "engineering",
                section=section,
                assignee="ada" if i == 0 else None,
                start=dt.date(2026, 12, 1),
                due=dt.date(2026, 12, 10),
                estimate=float(i % 5),
                labels=("needs review",) if i == 0 else (),
            ),
            marker(instance, f"t{i}"),
            f"section-{section}" if section else None,
            f"Notes for {i}",
        )
        for i in range(n)
    ]


def test_stamp_cycle_round_trips(emu: JiraEmulator, tmp_path: Path):
    p = make(emu, tmp_path, story_points_field="Story Points", start_date_field="Start date")
    c = p.ensure_container("launch", "Launch", "Big launch", {"project": "ENG"})
    assert c.created is True and emu.issue(c.ref).type_id == "10000"  # an Epic
    again = p.ensure_container("launch", "Launch", "Big launch", {"project": "ENG"})
    assert again.ref == c.ref and again.created is False
    refs = p.ensure_sections(c, [SectionSpec("build", "Build it")])
    assert refs == {"build": "section-build"}
    made = {x.key: x for x in p.create_tasks(c, tasks(3))}
    assert all(x.ref for x in made.values())
    stored = emu.issue(made["t0"].url.rsplit("/", 1)[1])
    assert stored.parent_id == emu.issue(c.ref).id and stored.custom[STORY_POINTS] == 0.0
    assert stored.custom[START_DATE] == "2026-12-01" and "needs-review" in stored.labels
    links = list(p.link_dependencies(c, [(made["t1"].ref, made["t0"].ref), (made["t2"].ref, made["t1"].ref)]))
    assert [link.error for link in links] == [None, None]
    read = {t.key: t for t in p.read_tasks(c)}
    assert set(read) == {"t0", "t1", "t2"}
    t0, t1 = read["t0"], read["t1"]
    assert (t0.title, t0.section, t0.assignee, t0.due, t0.start) == (
        "Task 0",
        "build",
        "ada",
        dt.date(2026, 12, 10),
        dt.date(2026, 12, 1),
    )
    assert t1.estimate == 1.0 and t1.depends_on == [made["t0"].ref] and t0.depends_on == []
    assert t0.status is Status.TODO and t0.url.endswith(t0.extra["jira_key"])
    assert {k: v.ref for k, v in p.find_marked(c, "launch").items()} == {k: v.ref for k, v in made.items()}


def test_annotate_inserts_above_marker(emu: JiraEmulator, tmp_path: Path):
    p = make(emu, tmp_path)
    c = p.ensure_container("launch", "Launch", "", {"project": "ENG"})
    ref = next(iter(p.create_tasks(c, tasks(1)))).ref
    p.annotate(ref, ["Depends on: Brief (marketing) https://example.invalid/1"])
    p.annotate(ref, ["Depends on: Brief (marketing) https://example.invalid/1"])  # idempotent
    text = emu.issue_json(emu.issue(ref).key)["fields"]["description"]
    assert text.splitlines()[-1] == "collabsync:launch/t0"
    assert text.count("Depends on: Brief") == 1


@pytest.mark.parametrize(
    ("status", "flagged", "expected"),
    [
        ("To Do", False, Status.TODO),
        ("In Progress", False, Status.IN_PROGRESS),
        ("Blocked", False, Status.BLOCKED),
        ("On Hold", False, Status.BLOCKED),
        ("Done", False, Status.DONE),
        ("Won't Do", False, Status.CANCELLED),
        ("Cancelled", False, Status.CANCELLED),
        ("In Progress", True, Status.BLOCKED),
        ("Done", True, Status.DONE),
    ],
)
def test_status_mapping(emu: JiraEmulator, tmp_path: Path, status: str, flagged: bool, expected: Status):
    p = make(emu, tmp_path)
    c = p.ensure_container("launch", "Launch", "", {"project": "ENG"})
    key = emu.add_issue("ENG", "x", parent=c.ref, status=status, flagged=flagged, description=marker("launch", "x"))
    assert p.read_tasks(c)[0].status is expected and key


def test_configured_status_names(emu: JiraEmulator, tmp_path: Path):
    p = make(emu, tmp_path, blocked_statuses=["On Hold"], cancelled_statuses=["Won't Do"])
    c = p.ensure_container("launch", "Launch", "", {"project": "ENG"})
    emu.add_issue("ENG", "a", parent=c.ref, status="Blocked")
    emu.add_issue("ENG", "b", parent=c.ref, status="Cancelled")
    assert [t.status for t in p.read_tasks(c)] == [Status.IN_PROGRESS, Status.DONE]


@pytest.mark.parametrize(
    ("target", "name"),
    [
        (Status.IN_PROGRESS, "In Progress"),
        (Status.BLOCKED, "Blocked"),
        (Status.DONE, "Done"),
        (Status.CANCELLED, "Won't Do"),
        (Status.TODO, "To Do"),
    ],
)
def test_set_status_by_category(emu: JiraEmulator, tmp_path: Path, target: Status, name: str):
    p = make(emu, tmp_path)
    c = p.ensure_container("launch", "Launch", "", {"project": "ENG"})
    key = emu.add_issue("ENG", "x", parent=c.ref, status="In Progress" if target is Status.TODO else "To Do")
    p.set_status(c, emu.issue(key).id, target)
    assert emu.issue_json(key)["fields"]["status"]["name"] == name
    assert p.read_tasks(c)[0].status is target


def test_blocked_without_blocked_status_flags(emu: JiraEmulator, tmp_path: Path):
    p = make(emu, tmp_path, blocked_statuses=["Stuck"])
    c = p.ensure_container("launch", "Launch", "", {"project": "ENG"})
    key = emu.add_issue("ENG", "x", parent=c.ref, status="In Progress")
    p.set_status(c, emu.issue(key).id, Status.BLOCKED)
    assert emu.issue(key).custom[FLAGGED] and p.read_tasks(c)[0].status is Status.BLOCKED
    p.set_status(c, emu.issue(key).id, Status.IN_PROGRESS)  # already in that category: no transition needed
    assert emu.issue_json(key)["fields"]["status"]["name"] == "In Progress"


def test_label_container_when_project_has_no_epic(emu: JiraEmulator, tmp_path: Path):
    emu.add_project("OPS", "Ops", issue_types=["Task", "Bug"])
    p = make(emu, tmp_path)
    c = p.ensure_container("launch", "Launch", "", {"project": "OPS"})
    assert c.extra["mode"] == "label" and c.ref == "OPS/collabsync-launch"
    made = list(p.create_tasks(c, tasks(2, section=None)))
    assert all(emu.issue(m.ref).parent_id is None for m in made)
    assert sorted(t.key for t in p.read_tasks(c)) == ["t0", "t1"]
    assert sorted(p.find_marked(c, "launch")) == ["t0", "t1"]


def test_missing_project_and_field_are_named(emu: JiraEmulator, tmp_path: Path):
    p = make(emu, tmp_path)
    with pytest.raises(NotFoundError, match="project NOPE"):
        p.ensure_container("launch", "Launch", "", {"project": "NOPE"})
    with pytest.raises(NotFoundError, match="'Effort'"):
        make(emu, tmp_path, story_points_field="Effort").ensure_container("l", "L", "", {"project": "ENG"})


def test_incremental_read_overlaps_in_user_time_zone(tmp_path: Path):
    now = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
    with JiraEmulator(time_zone="America/New_York", clock=lambda: now) as emu:
        emu.add_project("ENG")
        p = make(emu, tmp_path)
        c = p.ensure_container("launch", "Launch", "", {"project": "ENG"})
        old = emu.add_issue("ENG", "old", parent=c.ref, updated=now - dt.timedelta(minutes=10))
        edge = emu.add_issue("ENG", "edge", parent=c.ref, updated=now - dt.timedelta(seconds=30))
        fresh = emu.add_issue("ENG", "fresh", parent=c.ref, updated=now + dt.timedelta(minutes=5))
        got = {t.extra["jira_key"] for t in p.read_tasks(c, since=now)}
        assert got == {edge, fresh} and old not in got


def test_data_center_reads_with_startat(tmp_path: Path):
    with JiraEmulator(deployment="Server") as emu:
        emu.add_project("OPS")
        p = JiraProvider("dc", {"url": emu.root_url, "token": emu.pat}, ProviderContext(home=tmp_path))
        assert "Emu Admin" in p.check()
        c = p.ensure_container("launch", "Launch", "", {"project": "OPS"})
        assert c.extra["deployment"] == "Server"
        made = list(p.create_tasks(c, tasks(130)))
        assert all(m.ref for m in made)
        assert emu.issue(c.ref).custom[EPIC_NAME] == "Launch"  # DC requires Epic Name on epics
        child = emu.issue(made[0].ref)
        assert child.parent_id is None and child.custom[EPIC_LINK] == c.ref  # DC: Epic Link, not parent
        emu.reset_log()
        fresh = JiraProvider("dc", {"url": emu.root_url, "token": emu.pat}, ProviderContext(home=tmp_path))
        assert len(fresh.read_tasks(c)) == 130
        assert emu.count("GET", "/rest/api/2/search") == 2 and emu.count() == 2
        assert sorted(fresh.find_marked(c, "launch")) == sorted(f"t{i}" for i in range(130))


def test_seeded_data_reads_back_through_the_adapter(tmp_path: Path):
    from collabsync.testing.plugin import seed

    with JiraEmulator() as emu:
        made = seed(emu, 2, 150)
        p = make(emu, tmp_path, story_points_field="Story Points")
        c = p.ensure_container(made[1]["instance"], "Seeded", "", {"project": made[1]["project"]})
        assert c.created is False and c.ref == made[1]["epic"]
        read = p.read_tasks(c)
        assert sorted(t.key for t in read) == sorted(f"t{i}" for i in range(150))
        assert {Status.TODO, Status.IN_PROGRESS, Status.BLOCKED, Status.DONE, Status.CANCELLED} <= {
            t.status for t in read
        }
        assert any(t.is_overdue(dt.date.today()) for t in read) and any(t.assignee for t in read)
        assert len(p.find_marked(c, made[1]["instance"])) == 150
