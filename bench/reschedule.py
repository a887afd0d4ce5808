#!/usr/bin/env python
"""Requests a reschedule sends per tool (issue 14): product-launch moved by 15 business days, and a template
where many tasks share their dates (where Jira Cloud's bulk edit pays).

Run ``python bench/reschedule.py``. For each tool every department is routed to it, the instance is stamped,
then ``collabsync reschedule --yes`` runs in-process; the line shows the tasks moved, the write requests and
all requests of that reschedule (reads included), counted by the loopback emulators. Jira runs twice: with
bulk edit and with the Bulk Change permission taken away (one refused POST, then one PUT per issue).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from collabsync.cli import main
from collabsync.dates import Calendar
from collabsync.testing.stack import Stack, running_stack

DEPARTMENTS = ("sales", "marketing", "engineering", "finance", "it", "hr", "support")
LAUNCH = dt.date(2027, 3, 1)


def shared_dates_template(per_milestone: int = 10, milestones: int = 4) -> str:
    """One department's release checklist: `per_milestone` tasks due on each of `milestones` days."""
    lines = [
        "template: checklist",
        'title: "{{ product }} release checklist"',
        "variables:",
        "  product: {type: string}",
        "  launch: {type: date}",
        "calendar: {country: US}",
        "departments: [engineering]",
        "tasks:",
    ]
    for m in range(milestones):
        lines += [
            f'  - {{key: m{m}-t{i}, title: "Check {i} of milestone {m}", department: engineering, '
            f"due: launch - {(milestones - m) * 5}bd}}"
            for i in range(per_milestone)
        ]
    return "\n".join(lines) + "\n"


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    if result.exit_code != 0:
        raise SystemExit(f"collabsync {' '.join(args)} failed:\n{result.output}")
    return result.output


def case(
    stack: Stack, tool: str, template: str, departments: tuple[str, ...], name: str, *, start_field: bool = False
) -> None:
    emu: Any = {"jira": stack.jira, "trello": stack.trello, "asana": stack.asana}.get(tool)
    routes = {d: tool for d in departments} if tool != "local" else {}
    config = stack.write_config(Path("collabsync.toml"), routes)
    # a loopback emulator, not Asana's free plan of 150 requests a minute
    text = config.read_text().replace("[providers.asana]\n", "[providers.asana]\nrequests_per_minute = 100000\n")
    if start_field:  # Jira keeps start dates too: issues then share a group only if both dates match
        text = text.replace("[providers.jira]\n", '[providers.jira]\nstart_date_field = "Start date"\n')
    config.write_text(text)
    cli("stamp", template, "--name", name, "--var", "product=Nova", "--var", f"launch={LAUNCH}", "--yes")
    new = Calendar("US").add_business_days(LAUNCH, 15)
    moves = json.loads(cli("reschedule", name, "--var", f"launch={new}", "--plan", "--format", "json"))["moves"]
    if emu is not None:
        emu.reset_log()
    cli("reschedule", name, "--var", f"launch={new}", "--yes")
    writes = len(emu.write_log()) if emu is not None else 0
    total = emu.count() if emu is not None else 0
    label = (
        f"{tool}{' + start field' if start_field else ''}"
        f"{'' if tool != 'jira' or stack.jira.bulk_change else ' (no bulk edit)'}: {Path(template).stem}"
    )
    print(f"{label:<48} {len(moves):>3} tasks moved  {writes:>3} write requests  {total:>4} requests in all")


def main_bench() -> None:
    with tempfile.TemporaryDirectory() as tmp, running_stack() as stack:
        stack.trello.rate_limits = []  # back-to-back runs in one 10 s window: requests are counted, not paced
        os.environ["COLLABSYNC_HOME"] = str(Path(tmp) / "home")
        os.chdir(tmp)
        Path("checklist.yaml").write_text(shared_dates_template())
        n = 0
        for template, departments in (("product-launch", DEPARTMENTS), ("checklist.yaml", ("engineering",))):
            for tool in ("jira", "trello", "asana", "local"):
                n += 1
                case(stack, tool, template, departments, f"b{n}")
            n += 1
            case(stack, "jira", template, departments, f"b{n}", start_field=True)
            n += 1
            stack.jira.bulk_change = False
            case(stack, "jira", template, departments, f"b{n}")
            stack.jira.bulk_change = True


if __name__ == "__main__":
    main_bench()
