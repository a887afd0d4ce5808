"""A hand-built three-tool project used by the rollup, render and history tests.

Calendar: weekends only. TODAY is Wednesday 2026-03-11. The expected numbers are worked out by
hand in the tests that use this data (see the comments there).
"""

from __future__ import annotations

import datetime as dt

from collabsync.model import ProjectSpec, SectionSpec, Status, Task, TaskSpec

TODAY = dt.date(2026, 3, 11)


def d(day: int) -> dt.date:
    """A day of March 2026."""
    return dt.date(2026, 3, day)


def plan() -> ProjectSpec:
    """The rendered template: eng in Jira, mkt in Trello, ops in Asana."""
    specs = (
        TaskSpec("spec", "Write spec", "eng", start=d(2), due=d(4), estimate=3),
        TaskSpec("build", "Build it", "eng", start=d(5), due=d(13), estimate=5, depends_on=("spec",)),
        TaskSpec("qa", "QA pass", "eng", start=d(16), due=d(18), estimate=2, depends_on=("build",)),
        TaskSpec("brief", "Brief", "mkt", start=d(2), due=d(2)),
        TaskSpec("copy", "Write copy", "mkt", start=d(3), due=d(9), estimate=2, depends_on=("brief",)),
        TaskSpec("launchpost", "Launch post", "mkt", start=d(19), due=d(20), estimate=1, depends_on=("qa", "copy")),
        TaskSpec("vendor", "Pick vendor", "ops", start=d(2), due=d(10), estimate=4),
        TaskSpec("training", "Train support", "ops", start=d(11), due=d(12), depends_on=("vendor",)),
    )
    return ProjectSpec(
        instance="launch-1",
        template="launch",
        title="Launch",
        description="",
        departments=("eng", "mkt", "ops"),
        sections=(SectionSpec("main", "Main"),),
        tasks=specs,
    )


def _task(
    provider: str,
    ref: str,
    title: str,
    status: Status,
    dept: str,
    key: str | None = None,
    *,
    due: dt.date | None = None,
    estimate: float | None = None,
    assignee: str | None = None,
    depends_on: tuple[str, ...] = (),
) -> Task:
    return Task(
        ref=ref,
        title=title,
        status=status,
        key=key,
        department=dept,
        due=due,
        estimate=estimate,
        assignee=assignee,
        depends_on=list(depends_on),
        url=f"https://{provider}.example.test/{ref}",
        provider=provider,
    )


XSS_TITLE = 'Fix <img src=x onerror=alert(1)> & "quotes"'


def tasks() -> list[Task]:
    """What the three tools answered."""
    return [
        _task("jira", "ENG-1", "Write spec", Status.DONE, "eng", "spec", due=d(4), estimate=3, assignee="alice"),
        _task(
            "jira",
            "ENG-2",
            "Build it",
            Status.IN_PROGRESS,
            "eng",
            "build",
            due=d(13),
            estimate=5,
            assignee="alice",
            depends_on=("ENG-1",),
        ),
        _task(
            "jira",
            "ENG-3",
            "QA pass",
            Status.TODO,
            "eng",
            "qa",
            due=d(18),
            estimate=2,
            assignee="bob",
            depends_on=("ENG-2",),
        ),
        _task("jira", "ENG-9", XSS_TITLE, Status.BLOCKED, "eng", due=d(10), assignee="bob"),
        _task("trello", "c1", "Brief", Status.DONE, "mkt", "brief", due=d(2), assignee="carol"),
        _task(
            "trello",
            "c2",
            "Write copy",
            Status.IN_PROGRESS,
            "mkt",
            "copy",
            due=d(9),
            estimate=2,
            assignee="carol",
            depends_on=("c1",),
        ),
        _task("trello", "c3", "Launch post", Status.TODO, "mkt", "launchpost", due=d(20), estimate=1),
        _task("trello", "c4", "Old idea", Status.CANCELLED, "mkt", due=d(1)),
        _task("asana", "a1", "Pick vendor", Status.DONE, "ops", "vendor", due=d(10), estimate=4, assignee="dave"),
        _task(
            "asana",
            "a2",
            "Train support",
            Status.TODO,
            "ops",
            "training",
            due=d(12),
            assignee="dave",
            depends_on=("a1",),
        ),
        _task("asana", "a3", "Book venue", Status.TODO, "ops"),
    ]


EXTRA_DEPS = [("launchpost", "a2")]  # Trello's launch post waits on Asana's training (by key and by ref)
