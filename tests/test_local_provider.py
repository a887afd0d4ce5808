"""The embedded local provider: every capability, markers, incremental reads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from collabsync.errors import NotFoundError
from collabsync.model import NewTask, SectionSpec, Status, TaskSpec, marker
from collabsync.providers.base import Capability, ProviderContext
from collabsync.providers.local import LocalProvider


@pytest.fixture
def local(tmp_path: Path) -> LocalProvider:
    with LocalProvider("local", {}, ProviderContext(home=tmp_path)) as p:
        yield p


def new(key: str, **kw: object) -> NewTask:
    return NewTask(TaskSpec(key=key, title=f"Task {key}", department="sales", **kw), marker("inst", key))  # type: ignore[arg-type]


def test_declares_every_capability_but_change_listing() -> None:
    assert LocalProvider.capabilities == frozenset(Capability) - {Capability.READ_CHANGES}  # no requests to save


def test_container_is_found_again_by_marker(local: LocalProvider) -> None:
    first = local.ensure_container("inst", "Inst", "desc", {})
    again = local.ensure_container("inst", "Inst", "desc", {})
    other = local.ensure_container("other", "Other", "", {})
    assert first.created is True and again.created is False and "created" not in again.extra
    assert again.ref == first.ref and other.ref != first.ref
    assert local.ensure_container("inst", "Inst", "", {"space": "elsewhere"}).ref != first.ref


def test_create_read_link_status_annotate(local: LocalProvider) -> None:
    c = local.ensure_container("inst", "Inst", "", {})
    sections = local.ensure_sections(c, [SectionSpec("plan", "Plan")])
    assert local.ensure_sections(c, [SectionSpec("plan", "Plan")]) == sections
    created = list(
        local.create_tasks(
            c,
            [
                NewTask(
                    TaskSpec(
                        "a",
                        "A",
                        "sales",
                        section="plan",
                        due=dt.date(2027, 1, 5),
                        estimate=2,
                        labels=("x",),
                        assignee="dana",
                    ),
                    marker("inst", "a"),
                    sections["plan"],
                    "Notes",
                ),
                new("b"),
            ],
        )
    )
    assert [x.key for x in created] == ["a", "b"] and all(x.ref for x in created)
    a, b = created
    assert [x.error for x in local.link_dependencies(c, [(b.ref, a.ref)])] == [None]
    local.set_status(c, a.ref, Status.DONE)
    local.annotate(b.ref, ["Depends on: X"])
    local.annotate(b.ref, ["Depends on: X"])  # idempotent
    tasks = {t.key: t for t in local.read_tasks(c)}
    assert tasks["a"].status is Status.DONE and tasks["a"].section == "Plan"
    assert tasks["a"].due == dt.date(2027, 1, 5) and tasks["a"].estimate == 2 and tasks["a"].labels == ["x"]
    assert tasks["b"].depends_on == [a.ref]
    desc = tasks["b"].extra["description"]
    assert desc.count("Depends on: X") == 1 and desc.splitlines()[-1] == "collabsync:inst/b"
    assert set(local.find_marked(c, "inst")) == {"a", "b"}
    assert local.find_marked(c, "other") == {}


def test_incremental_read_returns_only_changed(local: LocalProvider) -> None:
    c = local.ensure_container("inst", "Inst", "", {})
    a, b = list(local.create_tasks(c, [new("a"), new("b")]))
    mark = dt.datetime.now(dt.UTC)
    local.set_status(c, b.ref, Status.IN_PROGRESS)
    assert [t.key for t in local.read_tasks(c, since=mark)] == ["b"]


def test_unknown_task_is_not_found(local: LocalProvider) -> None:
    c = local.ensure_container("inst", "Inst", "", {})
    with pytest.raises(NotFoundError, match="local: task 999: no such task"):
        local.set_status(c, "999", Status.DONE)
