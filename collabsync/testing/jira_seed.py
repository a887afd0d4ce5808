"""Seed API of the Jira emulator: put users, projects and issues in place without requests."""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections.abc import Callable
from typing import Any

from .jira_catalog import EPIC_LINK, EPIC_NAME, FLAGGED, IMPEDIMENT, ISSUE_TYPES, START_DATE, STORY_POINTS, Issue
from .jira_jql import text_to_adf
from .jira_store import JiraStore

__all__ = ["JiraSeedMixin"]


class JiraSeedMixin:
    """Direct state changes for tests: add_user, add_project, add_issue, set_status, seed_bulk, ..."""

    store: JiraStore
    lock: threading.RLock
    admin: str
    clock: Callable[[], dt.datetime]
    _basic: dict[tuple[str, str], str]
    _bearer: dict[str, str]

    def add_user(
        self,
        display_name: str,
        email: str | None = None,
        *,
        account_id: str | None = None,
        api_token: str | None = None,
        pat: str | None = None,
        time_zone: str = "UTC",
        hide_email: bool = False,
    ) -> str:
        """Add a user (optionally with credentials); returns its accountId.

        `hide_email` stands for a Cloud profile whose privacy settings hide the address (user search omits it).
        """
        with self.lock:
            account_id = account_id or f"5b10ac8d82e05b22cc7d{len(self.store.users) + 1:04d}"
            email = email or f"{display_name.lower().replace(' ', '.')}@example.com"
            self.store.users[account_id] = {
                "accountId": account_id,
                "displayName": display_name,
                "emailAddress": email,
                "name": email.split("@")[0],
                "timeZone": time_zone,
                "hide_email": hide_email,
            }
            if api_token:
                self._basic[(email, api_token)] = account_id
            if pat:
                self._bearer[pat] = account_id
            return account_id

    def add_project(
        self, key: str, name: str | None = None, *, issue_types: list[str] | None = None, lead: str | None = None
    ) -> str:
        """Add a project (all issue types unless `issue_types` names a subset); returns its id."""
        with self.lock:
            names = issue_types or [t[1] for t in ISSUE_TYPES]
            types = [t[0] for t in ISSUE_TYPES if t[1] in names]
            self.store._next_project += 1
            pid = str(self.store._next_project)
            self.store.projects[pid] = {
                "id": pid,
                "key": key.upper(),
                "name": name or key,
                "types": types,
                "counter": 0,
                "lead": lead or getattr(self, "admin", None),
            }
            return pid

    def add_issue(
        self,
        project_key: str,
        summary: str,
        *,
        issue_type: str = "Task",
        status: str = "To Do",
        description: str | None = None,
        assignee: str | None = None,
        due: dt.date | str | None = None,
        labels: list[str] | tuple[str, ...] = (),
        parent: str | None = None,
        story_points: float | None = None,
        flagged: bool = False,
        start: dt.date | str | None = None,
        updated: dt.datetime | None = None,
        components: list[str] | tuple[str, ...] = (),
    ) -> str:
        """Create an issue directly (no request logged); returns its key.

        On a Data Center emulator `parent` of a standard issue becomes its Epic Link, and epics get an Epic Name.
        """
        fields: dict[str, Any] = {
            "project": {"key": project_key},
            "issuetype": {"name": issue_type},
            "summary": summary,
            "labels": list(labels),
        }
        if description is not None:
            fields["description"] = text_to_adf(description)
        if assignee:
            fields["assignee"] = {"accountId": self._account(assignee)}
        if due:
            fields["duedate"] = str(due)
        if start:
            fields[START_DATE] = str(start)
        if parent and self.store.server and issue_type != "Sub-task":
            fields[EPIC_LINK] = parent
        elif parent:
            fields["parent"] = {"key": parent}
        if self.store.server and issue_type == "Epic":
            fields[EPIC_NAME] = summary
        if story_points is not None:
            fields[STORY_POINTS] = story_points
        if flagged:
            fields[FLAGGED] = [{"value": "Impediment"}]
        with self.lock:
            issue = self.store.create({"fields": fields}, v3=True, now=updated or self.clock(), reporter=self.admin)
            issue.status_id = self.store.status(status)[0]
            issue.components = list(components)
            return issue.key

    def set_status(self, issue_key: str, status_name: str, *, when: dt.datetime | None = None) -> None:
        """Move an issue to a status by name, as a person would in the UI (bumps `updated`)."""
        with self.lock:
            issue = self.store.issue(issue_key)
            issue.status_id = self.store.status(status_name)[0]
            issue.updated = when or self.clock()

    def set_flagged(self, issue_key: str, flagged: bool = True) -> None:
        """Flag or unflag an issue (the Flagged custom field)."""
        with self.lock:
            issue = self.store.issue(issue_key)
            issue.custom[FLAGGED] = [dict(IMPEDIMENT)] if flagged else None
            issue.updated = self.clock()

    def link_issues(self, blocking_key: str, blocked_key: str, link_type: str = "Blocks") -> None:
        """Add a link directly: blocking_key blocks blocked_key."""
        with self.lock:
            self.store.link({"name": link_type}, {"key": blocking_key}, {"key": blocked_key})

    def issue(self, issue_key: str) -> Issue:
        """The stored issue, for assertions."""
        with self.lock:
            return self.store.issue(issue_key)

    def issue_json(self, issue_key: str, *, v3: bool = False) -> dict[str, Any]:
        """The issue as GET /issue would render it (all fields)."""
        with self.lock:
            return self.store.render_issue(self.store.issue(issue_key), None, v3=v3)

    def project_issues(self, project_key: str) -> list[Issue]:
        """Every issue of a project, in creation order."""
        with self.lock:
            pid = self.store.project(project_key)["id"]
            return [i for i in self.store.issues.values() if i.project_id == pid]

    def seed_bulk(self, containers: int, tasks: int, *, seed: int = 7) -> list[dict[str, Any]]:
        """`containers` projects, each with one marked epic and `tasks` marked children of mixed state."""
        rng = random.Random(seed)
        people = [self.add_user(n) for n in ("Ada Lovelace", "Grace Hopper", "Alan Turing", "Edsger Dijkstra")]
        today = self.clock().date()
        out = []
        for c in range(containers):
            key = "SEED" + "".join(chr(65 + int(d)) for d in str(c))
            instance = f"seed-{c}"
            self.add_project(key, f"Seed project {c}")
            label = f"collabsync-{instance}"
            epic = self.add_issue(
                key,
                f"Seed instance {c}",
                issue_type="Epic",
                labels=[label],
                description=f"Seeded container.\ncollabsync:{instance}",
            )
            keys = []
            for t in range(tasks):
                roll = rng.random()
                status = (
                    "To Do"
                    if roll < 0.35
                    else "In Progress"
                    if roll < 0.6
                    else "Done"
                    if roll < 0.8
                    else "Blocked"
                    if roll < 0.88
                    else "On Hold"
                    if roll < 0.93
                    else rng.choice(["Won't Do", "Cancelled"])
                )
                due = today + dt.timedelta(days=rng.randint(-20, 40)) if rng.random() < 0.8 else None
                keys.append(
                    self.add_issue(
                        key,
                        f"Seed task {c}.{t}",
                        status=status,
                        parent=epic,
                        labels=[label, f"phase-{t % 3}"],
                        description=f"Seeded task {t}.\ncollabsync:{instance}/t{t}",
                        assignee=rng.choice(people + [None]),
                        due=due,
                        story_points=rng.choice([None, 1, 2, 3, 5, 8]),
                        flagged=rng.random() < 0.05,
                    )
                )
            out.append({"project": key, "epic": epic, "instance": instance, "issues": keys})
        return out

    def _account(self, who: str) -> str:
        for u in self.store.users.values():
            if who in (u["accountId"], u["displayName"], u["emailAddress"]):
                return u["accountId"]
        return self.add_user(who)
