"""The Asana provider end to end against the emulator: modes, writes, reads, status, request counts, resume."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from collabsync.errors import AuthError, NotFoundError, ProviderError, RateLimitError
from collabsync.model import Container, NewTask, SectionSpec, Status, TaskSpec, marker
from collabsync.providers.asana import AsanaProvider
from collabsync.providers.base import ProviderContext
from collabsync.testing.asana import AsanaEmulator
from collabsync.testing.core import Faults

SECTIONS = [SectionSpec("plan", "Plan"), SectionSpec("build", "Build"), SectionSpec("launch", "Launch")]


@pytest.fixture(scope="module")
def emu() -> Iterator[AsanaEmulator]:
    with AsanaEmulator() as running:
        yield running


def make(emu: AsanaEmulator, tmp: Path, **settings: Any) -> AsanaProvider:
    base = {**emu.provider_settings(), "backoff": 0, "max_retry_wait": 5}
    provider = AsanaProvider("asana", {**base, **settings}, ProviderContext(home=tmp))
    provider.client.rest_client.session.sleep = lambda seconds: None  # no real waiting in tests
    return provider


def specs(n: int, instance: str = "launch") -> list[NewTask]:
    out = []
    for i in range(n):
        spec = TaskSpec(
            f"t{i:02d}",
            f"Task {i}",
            "marketing",
            section=SECTIONS[i % 3].key,
            start=dt.date(2027, 1, 1),
            due=dt.date(2027, 1, 1 + i % 20),
            notes=f"Step {i}",
        )
        out.append(NewTask(spec, marker(instance, spec.key), None, spec.notes))
    return out


def stamp(
    provider: AsanaProvider, instance: str, n: int, destination: dict[str, Any] | None = None, deps: bool = True
) -> tuple[Container, dict[str, str]]:
    """What the stamper does: container, sections, tasks, dependencies; returns key -> gid."""
    container = provider.ensure_container(instance, f"Launch {instance}", "The launch.", destination or {})
    refs = provider.ensure_sections(container, SECTIONS)
    items = [
        NewTask(t.spec, marker(instance, t.spec.key), refs[t.spec.section], t.description) for t in specs(n, instance)
    ]
    made = {c.key: c.ref for c in provider.create_tasks(container, items) if c.ref}
    if deps:
        pairs = [(made[f"t{i:02d}"], made[f"t{i - 1:02d}"]) for i in range(1, n) if i % 5]
        assert all(link.error is None for link in provider.link_dependencies(container, pairs))
    return container, made  # type: ignore[return-value]


def test_check_names_user_and_workspace(emu: AsanaEmulator, tmp_path: Path) -> None:
    assert make(emu, tmp_path, workspace="Acme Corp").check() == (
        f"Ada Lovelace <ada@example.com> in workspace Acme Corp ({emu.workspace_gid})"
    )
    with pytest.raises(NotFoundError, match="workspace Nowhere: not among this token's workspaces: Acme Corp"):
        make(emu, tmp_path, workspace="Nowhere").check()
    with pytest.raises(AuthError) as denied:
        make(emu, tmp_path, token="not-a-real-token").check()
    assert denied.value.status == 401 and "not-a-real-token" not in str(denied.value)


def test_team_mode_creates_project_once_and_finds_it_by_marker(emu: AsanaEmulator, tmp_path: Path) -> None:
    provider = make(emu, tmp_path, team="Marketing")
    first = provider.ensure_container("alpha", "Alpha launch", "Why we launch.", {})
    assert first.created and emu.projects_named("Alpha launch") == [first.ref]
    again = make(emu, tmp_path).ensure_container("alpha", "Alpha launch", "Why we launch.", {"team": emu.team_gid})
    assert again.ref == first.ref and not again.created
    with emu.lock:
        assert emu.store.projects[first.ref]["notes"] == "Why we launch.\n\ncollabsync:alpha"


def test_project_mode_prefixes_sections_and_reads_only_its_instance(emu: AsanaEmulator, tmp_path: Path) -> None:
    shared = emu.add_project("Shared roadmap", sections=["Backlog"])
    emu.add_task(shared, "Someone else's task", section="Backlog")
    provider = make(emu, tmp_path)
    one, made_one = stamp(provider, "one", 4, {"project": shared}, deps=False)
    two, _ = stamp(provider, "two", 3, {"project": shared}, deps=False)
    with emu.lock:
        names = [emu.store.sections[g]["name"] for g in emu.store.projects[shared]["sections"]]
    assert names == ["Backlog", "one: Plan", "one: Build", "one: Launch", "two: Plan", "two: Build", "two: Launch"]
    tasks = provider.read_tasks(one)
    assert sorted(t.key for t in tasks) == sorted(made_one) and {t.section for t in tasks} == {
        "Plan",
        "Build",
        "Launch",
    }
    assert sorted(provider.find_marked(two, "two")) == ["t00", "t01", "t02"]
    with pytest.raises(NotFoundError):
        provider.ensure_container("x", "X", "", {"project": "999"})


def test_tasks_land_with_fields_and_marker_last(emu: AsanaEmulator, tmp_path: Path) -> None:
    provider = make(emu, tmp_path)
    provider.context.people = {"ada": {"asana": emu.user_gid}}
    container = provider.ensure_container("fields", "Fields", "", {})
    refs = provider.ensure_sections(container, SECTIONS)
    same_day = TaskSpec(
        "a",
        "One-day task",
        "marketing",
        section="plan",
        start=dt.date(2027, 2, 1),
        due=dt.date(2027, 2, 1),
        assignee="ada",
    )
    ranged = TaskSpec("b", "Ranged", "marketing", section="build", start=dt.date(2027, 2, 1), due=dt.date(2027, 2, 5))
    made = list(
        provider.create_tasks(
            container,
            [
                NewTask(same_day, marker("fields", "a"), refs["plan"], "Do it."),
                NewTask(ranged, marker("fields", "b"), refs["build"], ""),
            ],
        )
    )
    a, b = (emu.task(c.ref) for c in made)  # type: ignore[arg-type]
    assert (a["start_on"], a["due_on"], a["assignee"]["gid"]) == (None, "2027-02-01", emu.user_gid)
    assert a["notes"].splitlines()[-1] == "collabsync:fields/a" and a["memberships"][0]["section"]["name"] == "Plan"
    assert (b["start_on"], b["due_on"], b["notes"]) == ("2027-02-01", "2027-02-05", "collabsync:fields/b")
    assert made[0].url == f"https://app.asana.com/0/{container.ref}/{made[0].ref}"


def test_a_failing_action_fails_only_its_task(emu: AsanaEmulator, tmp_path: Path) -> None:
    provider = make(emu, tmp_path)
    provider.context.people = {"ghost": {"asana": "nobody@example.com"}}
    container = provider.ensure_container("partial", "Partial", "", {})
    items = specs(3, "partial")
    bad = TaskSpec("bad", "Ghost's task", "marketing", assignee="ghost")
    items.insert(1, NewTask(bad, marker("partial", "bad"), None, ""))
    outcomes = list(provider.create_tasks(container, items))
    assert [o.key for o in outcomes] == ["t00", "bad", "t01", "t02"]
    assert [o.ref is not None for o in outcomes] == [True, False, True, True]
    assert outcomes[1].error == "HTTP 400: assignee: Not a recognized ID: nobody@example.com"


def test_dependencies_respect_the_30_limit(emu: AsanaEmulator, tmp_path: Path) -> None:
    provider = make(emu, tmp_path)
    container = provider.ensure_container("deps", "Deps", "", {})
    made = [c.ref for c in provider.create_tasks(container, specs(33, "deps"))]
    hub = made[0]
    links = list(provider.link_dependencies(container, [(m, hub) for m in made[1:]]))
    ok = [link for link in links if link.error is None]
    refused = [link for link in links if link.error]
    assert len(ok) == 30 and len(refused) == 2
    assert refused[0].error.startswith("Asana allows at most 30 dependencies and dependents per task")
    assert len(emu.task(hub)["dependents"]) == 30
    assert provider.read_tasks(container)[1].depends_on == [hub]


def test_status_from_sections(emu: AsanaEmulator, tmp_path: Path) -> None:
    provider = make(emu, tmp_path)
    gid = emu.add_project("Sections", sections=["Todo", "Doing", "Blocked", "Cancelled"], status_field=False)
    tasks = {
        name: emu.add_task(gid, name, section=section, completed=done)
        for name, section, done in [
            ("todo", "Todo", False),
            ("doing", "Doing", False),
            ("blocked", "Blocked", False),
            ("cancelled", "Cancelled", True),
            ("done", "Doing", True),
        ]
    }
    container = Container(gid, "Sections", extra={"mode": "team", "instance": "x"})
    got = {t.title: t.status for t in provider.read_tasks(container)}
    assert got == {
        "todo": Status.TODO,
        "doing": Status.IN_PROGRESS,
        "blocked": Status.BLOCKED,
        "cancelled": Status.CANCELLED,
        "done": Status.DONE,
    }
    for status in (Status.BLOCKED, Status.IN_PROGRESS, Status.DONE, Status.TODO, Status.CANCELLED, Status.TODO):
        provider.set_status(container, tasks["todo"], status)
        assert next(t for t in provider.read_tasks(container) if t.ref == tasks["todo"]).status == status
    custom = make(emu, tmp_path, status_sections={"Waiting": "blocked"})
    custom.set_status(container, tasks["doing"], Status.BLOCKED)
    assert emu.task(tasks["doing"])["memberships"][0]["section"]["name"] == "Waiting"


def test_status_from_enum_field(emu: AsanaEmulator, tmp_path: Path) -> None:
    provider = make(emu, tmp_path, status_field="Status")
    gid = emu.add_project("Field", sections=["Work"])
    one, two = emu.add_task(gid, "one"), emu.add_task(gid, "two")
    emu.set_status_option(one, "Blocked")
    container = Container(gid, "Field", extra={"mode": "team", "instance": "x"})
    assert [t.status for t in provider.read_tasks(container)] == [Status.BLOCKED, Status.TODO]
    provider.set_status(container, two, Status.IN_PROGRESS)
    assert emu.task(two)["custom_fields"][0]["display_value"] == "On track"
    provider.set_status(container, two, Status.CANCELLED)
    assert emu.task(two)["completed"] and provider.read_tasks(container)[1].status == Status.CANCELLED
    missing = make(emu, tmp_path, status_field="Phase")
    with pytest.raises(NotFoundError, match="custom field 'Phase'"):
        missing.set_status(container, one, Status.BLOCKED)


def test_subtasks_are_not_counted(emu: AsanaEmulator, tmp_path: Path) -> None:
    gid = emu.add_project("Subtasks")
    parent = emu.add_task(gid, "parent")
    emu.add_task(gid, "child", parent=parent)
    tasks = make(emu, tmp_path).read_tasks(Container(gid, "Subtasks", extra={"mode": "team"}))
    assert [t.title for t in tasks] == ["parent"] and tasks[0].extra["num_subtasks"] == 1


def test_incremental_read_uses_modified_since(emu: AsanaEmulator, tmp_path: Path) -> None:
    gid = emu.add_project("Incremental")
    try:
        emu.now = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
        old = emu.add_task(gid, "old")
        emu.add_task(gid, "quiet")
        emu.now = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)
        emu.complete(old)
    finally:
        emu.now = None
    emu.reset_log()
    tasks = make(emu, tmp_path).read_tasks(
        Container(gid, "I", extra={"mode": "team"}), since=dt.datetime(2026, 3, 2, 0, tzinfo=dt.UTC)
    )
    assert [(t.title, t.status) for t in tasks] == [("old", Status.DONE)]
    assert (
        emu.requests[-1].path.endswith("/tasks") and "modified_since=2026-03-01T23%3A59%3A00Z" in emu.requests[-1].query
    )


def test_annotate_inserts_above_marker(emu: AsanaEmulator, tmp_path: Path) -> None:
    provider = make(emu, tmp_path)
    container, made = stamp(provider, "annot", 1, deps=False)
    emu.reset_log()
    provider.annotate(made["t00"], ["Depends on: Brief (design) https://x"])
    provider.annotate(made["t00"], ["Depends on: Brief (design) https://x"])
    assert emu.count() == 1  # the notes written by this process are known: one PUT, and none for a repeat
    make(emu, tmp_path).annotate(made["t00"], ["Blocks: Launch (sales) https://y"])
    assert emu.count("GET") == 1 and emu.count("PUT") == 2
    assert emu.task(made["t00"])["notes"] == (
        "Step 0\n\nDepends on: Brief (design) https://x\n\nBlocks: Launch (sales) https://y\n\ncollabsync:annot/t00"
    )


# -- request counts -------------------------------------------------------------------------------
def test_reading_250_tasks_takes_3_requests(emu: AsanaEmulator, tmp_path: Path) -> None:
    gid = emu.seed_bulk(1, 250, seed=11)[0]
    provider = make(emu, tmp_path)
    emu.reset_log()
    tasks = provider.read_tasks(Container(gid, "Bulk", extra={"mode": "team"}))
    assert len(tasks) == 250 and len({t.ref for t in tasks}) == 250
    assert emu.count() == 3 and emu.count("GET", f"/projects/{gid}/tasks") == 3
    assert {t.status for t in tasks} >= {Status.TODO, Status.IN_PROGRESS, Status.BLOCKED, Status.DONE}


def test_creating_45_tasks_takes_5_batches_plus_setup_plus_dependency_batches(tmp_path: Path) -> None:
    with AsanaEmulator() as emu:
        provider = make(emu, tmp_path)
        emu.reset_log()
        container, made = stamp(provider, "count", 45)
        batches = emu.count("POST", "/batch")
        setup = emu.count() - batches
        dependency_targets = len([i for i in range(1, 45) if i % 5])  # 35 blocked tasks -> 4 batches of <= 10
        assert len(made) == 45
        assert setup <= 4  # list team projects, create project, list sections (+ 1 section batch counted below)
        assert batches == 1 + 5 + -(-dependency_targets // 10)  # sections + tasks + dependencies
        assert emu.count() == 3 + 1 + 5 + 4


# -- resume after a failure at every write -----------------------------------------------------------
def _writes_of_full_stamp() -> int:
    return 1 + 1 + 3 + 1  # project, sections batch, 3 task batches (25 tasks), 1 dependency batch


@pytest.mark.parametrize("stop", range(_writes_of_full_stamp()))
def test_resume_after_failure_at_each_write(tmp_path: Path, stop: int) -> None:
    faults = Faults(stop_after_writes=stop)
    with AsanaEmulator(faults=faults) as emu:
        provider = make(emu, tmp_path, max_retries=0)
        with pytest.raises(ProviderError) as failed:
            stamp(provider, "resume", 25)
        assert failed.value.status == 503
        faults.stop_after_writes = None
        # a second run: find the container by marker, adopt what landed, create only the rest
        again = make(emu, tmp_path)
        container = again.ensure_container("resume", "Launch resume", "The launch.", {})
        found = again.find_marked(container, "resume") if not container.created else {}
        refs = again.ensure_sections(container, SECTIONS)
        todo = [
            NewTask(t.spec, t.marker, refs[t.spec.section], t.description)
            for t in specs(25, "resume")
            if t.spec.key not in found
        ]
        made = {c.key: c.ref for c in again.create_tasks(container, todo)}
        assert set(found).isdisjoint(made) and len(found) + len(made) == 25
        assert len(emu.projects_named("Launch resume")) == 1
        keys = [t.key for t in again.read_tasks(container)]
        assert sorted(keys) == sorted(f"t{i:02d}" for i in range(25))


def test_project_mode_status_sections_carry_the_instance_prefix(emu: AsanaEmulator, tmp_path: Path) -> None:
    shared = emu.add_project("Shared board", sections=["Intake"])
    provider = make(emu, tmp_path)
    container, made = stamp(provider, "pfx", 2, {"project": shared}, deps=False)
    provider.set_status(container, made["t00"], Status.BLOCKED)
    provider.set_status(container, made["t01"], Status.IN_PROGRESS)
    assert emu.task(made["t00"])["memberships"][0]["section"]["name"] == "pfx: Blocked"
    got = {t.key: (t.status, t.section) for t in provider.read_tasks(container)}
    assert got == {"t00": (Status.BLOCKED, "Blocked"), "t01": (Status.IN_PROGRESS, "In Progress")}
    provider.set_status(container, made["t00"], Status.TODO)
    assert emu.task(made["t00"])["memberships"][0]["section"]["name"] == "pfx: Plan"


def test_asana_429s_are_waited_out_then_reported(tmp_path: Path) -> None:
    with AsanaEmulator(per_minute=1) as emu:
        provider = make(emu, tmp_path, max_retries=2, max_retry_wait=120)
        waits: list[float] = []
        provider.client.rest_client.session.sleep = waits.append
        provider.check()
        with pytest.raises(RateLimitError, match="still rate limited after 2 retries"):
            provider.check()
        assert len(waits) == 2 and all(1 <= w <= 60 for w in waits)
        assert [r.status for r in emu.requests] == [200, 429, 429, 429]
