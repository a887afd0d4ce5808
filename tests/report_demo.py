"""A realistic product launch across Jira, Trello, Asana and local, three weeks in, for the docs image.

`python tests/report_browser.py docs/sample-report.png` renders it and saves the screenshot.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from click.testing import CliRunner

from collabsync.cli import main
from collabsync.commands.sandbox import SANDBOX_ROUTES
from collabsync.testing.stack import running_stack

#: the template's roles, bound to people (the emulators know those in Jira and Asana by e-mail)
OWNERS = {
    "sales_lead": "Dana Reyes",
    "product_marketer": "Maya Lindqvist",
    "eng_lead": "Priya Shah",
    "finance_partner": "Tom Okafor",
    "it_partner": "Luis Ortega",
    "hr_partner": "Grace Kim",
    "support_lead": "Sam Whitfield",
}


def email(name: str) -> str:
    """dana.reyes@acme.example for Dana Reyes."""
    return name.lower().replace(" ", ".") + "@acme.example"


#: (day of the run, tasks marked done before it, tasks started before it)
PROGRESS = [
    ("2026-11-27", ["win-loss-review"], ["market-sizing"]),
    ("2026-12-04", ["market-sizing"], ["business-case"]),
    ("2026-12-11", ["business-case"], ["launch-brief", "headcount-plan"]),
    ("2026-12-18", ["launch-brief", "scope-freeze"], ["pricing", "messaging", "headcount-plan"]),
    ("2026-12-21", ["pricing"], ["feature-complete", "beta-program"]),
]


def cli(*args: str, env: dict[str, str]) -> str:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@contextmanager
def demo_html(folder: Path) -> Iterator[str]:
    """The HTML report of the Aurora launch on its fourth weekly run, with three earlier snapshots stored."""
    with running_stack() as stack:
        env = {
            "COLLABSYNC_HOME": str(folder / "home"),
            "COLLABSYNC_CONFIG": str(folder / "collabsync.toml"),
            "COLLABSYNC_TODAY": "",
        }
        os.makedirs(env["COLLABSYNC_HOME"], exist_ok=True)
        stack.write_config(folder / "collabsync.toml", SANDBOX_ROUTES)
        for name in OWNERS.values():
            stack.jira.add_user(name, email(name))
            stack.asana.add_user(name, email(name))
        variables = {"product": "Aurora", "launch": "2027-03-01", "segment": "mid-market", "owner": "Maya Lindqvist"}
        cli(
            "stamp",
            "product-launch",
            "--name",
            "aurora",
            *[a for k, v in variables.items() for a in ("--var", f"{k}={v}")],
            *[a for role, name in OWNERS.items() for a in ("--role", f"{role}={email(name)}")],
            "--yes",
            env=env,
        )
        for day, done, started in PROGRESS:
            for key in started:
                cli("update", "aurora", key, "--status", "in_progress", env=env)
            for key in done:
                cli("update", "aurora", key, "--status", "done", "--force", env=env)
            if day != PROGRESS[-1][0]:
                cli("report", "aurora", "--format", "json", "--today", day, env=env)
        yield cli("report", "aurora", "--format", "html", "--today", PROGRESS[-1][0], env=env)
