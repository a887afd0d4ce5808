"""The three tools of bench/diffincr.py: seeded containers on the loopback emulators and their random edits."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from collabsync.model import Container
from collabsync.providers.asana import AsanaProvider
from collabsync.providers.base import Provider, ProviderContext
from collabsync.providers.jira import JiraProvider
from collabsync.providers.trello import TrelloProvider
from collabsync.testing.asana import AsanaEmulator
from collabsync.testing.jira import JiraEmulator
from collabsync.testing.trello import TrelloEmulator

__all__ = ["Tool", "jira_tool", "trello_tool", "asana_tool", "OLD"]

OLD = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
LISTS = ("To Do", "Doing", "Done")
SECTIONS = ("To Do", "In Progress", "Blocked")
STATUSES = ("To Do", "In Progress", "Done")


@dataclass
class Tool:
    """One tool's emulator, its containers, how to build its provider and its random edits."""

    name: str
    make: Callable[..., Provider]
    containers: list[Container]
    edits: list[Callable[[random.Random], str]] = field(default_factory=list)


def jira_tool(emu: JiraEmulator, home: Path, rng: random.Random, open_cases: bool) -> Tool:
    """Two epics in two projects, 30 issues each, linked at random (some links across the epics).

    A link made or cut inside one epic moves `updated` on one end or both; across epics on both, unless
    `open_cases` (then one end only, which a container-scoped `updated >=` search cannot see: docs/benchmarks.md).
    """

    def make(**settings: Any) -> JiraProvider:
        base = {"url": emu.root_url, "email": emu.email, "api_token": emu.api_token, "incremental": True}
        return JiraProvider("jira", {**base, **settings}, ProviderContext(home=home))

    people = [emu.add_user(n) for n in ("Ada Lovelace", "Grace Hopper")]
    containers, keys = [], []
    for p in ("ENG", "OPS"):
        emu.add_project(p)
        c = make().ensure_container(f"epic-{p}", f"Epic {p}", "", {"project": p})
        containers.append(c)
        for i in range(30):
            keys.append(emu.add_issue(p, f"{p} {i}", parent=c.ref, updated=OLD, status=rng.choice(STATUSES), due=None))
    for _ in range(12):
        a, b = rng.sample(keys, 2)
        emu.link_issues(a, b)
    epics = [c.ref for c in containers]
    live = list(keys)
    counter = [0]

    def put(key: str, fields: dict[str, Any]) -> None:
        """An edit through Jira's REST API (PUT /issue), which moves `updated` as Jira does."""
        auth = (emu.email, emu.api_token)
        response = requests.put(
            f"{emu.root_url}/rest/api/2/issue/{key}", json={"fields": fields}, auth=auth, timeout=10
        )
        response.raise_for_status()

    def same_container(*issues: str) -> bool:
        """Whether one end of a link may move alone: always with --open, else only inside one container."""
        return open_cases or len({emu.issue(k).parent_id for k in issues}) == 1

    def bump(*issues: str) -> None:
        for k in issues:
            emu.issue(k).updated = emu.clock()

    def title(r: random.Random) -> str:
        k = r.choice(live)
        put(k, {"summary": f"renamed {r.random():.3f}"})
        return f"jira title {k}"

    def status(r: random.Random) -> str:
        k = r.choice(live)
        emu.set_status(k, r.choice(STATUSES))
        return f"jira status {k}"

    def link(r: random.Random) -> str:
        a, b = r.sample(live, 2)
        emu.link_issues(a, b)
        ends = r.choice(([a], [b], [a, b])) if same_container(a, b) else [a, b]
        bump(*ends)
        return f"jira link {a} blocks {b} (bumped {ends})"

    def unlink(r: random.Random) -> str:
        with emu.lock:
            links = list(emu.store.links)
        if not links:
            return "jira unlink (none)"
        gone = r.choice(links)
        with emu.lock:
            emu.store.links.remove(gone)
        ids = {emu.issue(k).id: k for k in live}
        ends = [ids[i] for i in gone[2:] if i in ids]
        picked = r.choice([ends[:1], ends[-1:], ends]) if ends and same_container(*ends) else ends
        bump(*picked)
        return f"jira unlink {gone[2:]} (bumped {picked})"

    def create(r: random.Random) -> str:
        counter[0] += 1
        p = r.choice(("ENG", "OPS"))
        k = emu.add_issue(p, f"new {counter[0]}", parent=epics[("ENG", "OPS").index(p)], status=r.choice(STATUSES))
        live.append(k)
        return f"jira create {k}"

    def delete(r: random.Random) -> str:
        k = r.choice(live)
        live.remove(k)
        with emu.lock:
            issue = emu.store.issue(k)
            del emu.store.issues[issue.id]  # Jira deletes the issue's links with it; the other ends keep `updated`
            emu.store.links[:] = [x for x in emu.store.links if issue.id not in x[2:]]
        return f"jira delete {k}"

    def move(r: random.Random) -> str:
        k = r.choice(live)
        issue = emu.issue(k)
        other = [e for e in epics if emu.issue(e).id != issue.parent_id] if issue.parent_id else epics
        target = r.choice([*other, None])
        with emu.lock:
            issue.parent_id = emu.store.issue(target).id if target else None
        if r.random() < 0.5:
            bump(k)
        return f"jira move {k} to {target}"

    def assignee(r: random.Random) -> str:
        k = r.choice(live)
        who = r.choice([*people, None])
        put(k, {"assignee": {"accountId": who} if who else None})
        return f"jira assignee {k} {who}"

    tool = Tool("jira", make, containers)
    tool.edits = [title, status, link, unlink, create, delete, move, assignee]
    return tool


# -- Trello ----------------------------------------------------------------------------------------
def trello_tool(emu: TrelloEmulator, home: Path, rng: random.Random) -> Tool:
    """Two boards of 20 cards created long ago."""

    def make(**settings: Any) -> TrelloProvider:
        base = {"api_key": emu.api_key, "token": emu.token, "base_url": emu.base_url, "incremental": True}
        return TrelloProvider("trello", {**base, **settings}, ProviderContext(home=home))

    emu.state.clock = OLD.timestamp()
    try:
        boards = [emu.add_board(f"Board {b}", LISTS) for b in range(2)]
        for board in boards:
            for i in range(20):
                emu.add_card(board["id"], rng.choice(LISTS), f"Card {i}", due=OLD + dt.timedelta(days=i))
    finally:
        emu.state.clock = None
    client = make().client
    counter = [0]

    def cards(r: random.Random) -> dict[str, Any]:
        board = r.choice(boards)
        every = emu.cards_of(board["id"])
        return r.choice(every) if every else emu.add_card(board["id"], "To Do", "refill")

    def title(r: random.Random) -> str:
        c = cards(r)
        client.fetch_json(f"/cards/{c['id']}", http_method="PUT", query_params={"name": f"renamed {r.random():.3f}"})
        return f"trello title {c['id']}"

    def move(r: random.Random) -> str:
        c = cards(r)
        emu.move_card(c["id"], r.choice(LISTS))
        return f"trello move {c['id']}"

    def archive(r: random.Random) -> str:
        c = cards(r)
        closed = not c.get("closed", False)
        emu.set_closed(c["id"], closed)
        return f"trello closed={closed} {c['id']}"

    def due(r: random.Random) -> str:
        c = cards(r)
        when = (OLD + dt.timedelta(days=r.randint(-5, 40))).isoformat()
        client.fetch_json(f"/cards/{c['id']}", http_method="PUT", query_params={"due": when})
        return f"trello due {c['id']}"

    def create(r: random.Random) -> str:
        counter[0] += 1
        card = emu.add_card(r.choice(boards)["id"], r.choice(LISTS), f"new {counter[0]}")
        return f"trello create {card['id']}"

    def delete(r: random.Random) -> str:
        c = cards(r)
        client.fetch_json(f"/cards/{c['id']}", http_method="DELETE")
        return f"trello delete {c['id']}"

    def other_board(r: random.Random) -> str:
        c = cards(r)
        target = next(b for b in boards if b["id"] != c["idBoard"])
        name = r.choice(LISTS)
        lst = next(x for x in client.fetch_json(f"/boards/{target['id']}/lists") if x["name"] == name)
        client.fetch_json(
            f"/cards/{c['id']}", http_method="PUT", query_params={"idBoard": target["id"], "idList": lst["id"]}
        )
        return f"trello to other board {c['id']}"

    def comment(r: random.Random) -> str:
        c = cards(r)
        emu.add_comment(c["id"], "on it")
        return f"trello comment {c['id']}"

    made = make()
    tool = Tool("trello", make, [made.resolve_source(b["shortLink"]) for b in boards])
    tool.edits = [title, move, archive, due, create, delete, other_board, comment]
    return tool


# -- Asana -----------------------------------------------------------------------------------------
def asana_tool(emu: AsanaEmulator, home: Path, rng: random.Random, open_cases: bool) -> Tool:
    """Two projects of 20 tasks over three sections, some dependencies (within and across projects).

    A task blocking one in another project is deleted only with `open_cases` (the other project's feed stays
    quiet: the open finding of docs/benchmarks.md).
    """
    import asana

    def make(**settings: Any) -> AsanaProvider:
        base = {**emu.provider_settings(), "backoff": 0, "incremental": True}
        return AsanaProvider("asana", {**base, **settings}, ProviderContext(home=home))

    emu.now = OLD
    try:
        projects = []
        for p in range(2):
            gid = emu.add_project(f"Project {p}")
            for name in SECTIONS:
                emu.add_section(gid, name)
            projects.append(gid)
        tasks = [emu.add_task(rng.choice(projects), f"Task {i}", section=rng.choice(SECTIONS)) for i in range(40)]
        for _ in range(8):
            a, b = rng.sample(tasks, 2)
            emu.add_dependency(a, b)
    finally:
        emu.now = None
    api = make()
    tasks_api = asana.TasksApi(api.client)
    counter = [0]

    def pick(r: random.Random) -> str:
        return r.choice(sorted(emu.store.tasks))

    def title(r: random.Random) -> str:
        g = pick(r)
        tasks_api.update_task({"data": {"name": f"renamed {r.random():.3f}"}}, g, {})
        return f"asana title {g}"

    def complete(r: random.Random) -> str:
        g = pick(r)
        emu.complete(g, r.random() < 0.6)
        return f"asana complete {g}"

    def section(r: random.Random) -> str:
        g = pick(r)
        emu.move_task(g, r.choice(SECTIONS))
        return f"asana section {g}"

    def due(r: random.Random) -> str:
        g = pick(r)
        day = (OLD + dt.timedelta(days=r.randint(-5, 40))).date().isoformat()
        tasks_api.update_task({"data": {"due_on": day}}, g, {})
        return f"asana due {g}"

    def create(r: random.Random) -> str:
        counter[0] += 1
        g = emu.add_task(r.choice(projects), f"new {counter[0]}", section=r.choice(SECTIONS))
        return f"asana create {g}"

    def deletable(g: str) -> bool:
        task = emu.store.tasks[g]
        mine = {p for p, _ in task["memberships"]}
        return open_cases or all(
            {p for p, _ in emu.store.tasks[d]["memberships"]} <= mine
            for d in task["dependents"]
            if d in emu.store.tasks
        )

    def delete(r: random.Random) -> str:
        choices = [g for g in sorted(emu.store.tasks) if deletable(g)]
        if not choices:
            return "asana delete (none)"
        g = r.choice(choices)
        tasks_api.delete_task(g)
        return f"asana delete {g}"

    def depend(r: random.Random) -> str:
        a, b = r.sample(sorted(emu.store.tasks), 2)
        try:
            tasks_api.add_dependencies_for_task({"data": {"dependencies": [b]}}, a)
        except asana.rest.ApiException:
            return f"asana depend {a} on {b} refused"
        return f"asana depend {a} on {b}"

    def other_project(r: random.Random) -> str:
        g = pick(r)
        task = emu.store.tasks[g]
        target = next((p for p in projects if p not in {m for m, _ in task["memberships"]}), None)
        if target is None:
            return f"asana other project {g} (in both)"
        tasks_api.add_project_for_task({"data": {"project": target}}, g)
        return f"asana add project {target} to {g}"

    containers = [Container(g, f"Project {i}", extra={"mode": "team"}) for i, g in enumerate(projects)]
    tool = Tool("asana", make, containers)
    tool.edits = [title, complete, section, due, create, delete, depend, other_project]
    return tool
