"""Shared by the doctor tests: a template asking for every capability, config writing, finding checks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from click.testing import CliRunner

from collabsync.cli import main
from collabsync.config import load_config
from collabsync.findings import Severity
from collabsync.runtime import Workspace
from collabsync.stamping.doctor import DoctorReport, check
from collabsync.templating.template import find_template
from collabsync.testing.stack import Stack, running_stack

VARS = ["--var", "product=Nova", "--var", "launch=2027-03-01"]
KINDS_TEMPLATE = """\
template: kinds
title: "Kinds check {{ name }}"
description: "Every capability a tool may lack."
variables:
  name: {type: string, description: "A name"}
  day: {type: date, description: "Start day"}
departments: [engineering, marketing]
sections:
  - {key: plan, title: Plan}
tasks:
  - key: build
    title: "Build {{ name }}"
    department: engineering
    section: plan
    start: day
    due: day + 5bd
    estimate: 3
    assignee: ada
    checklist: ["design", "code"]
  - key: ship
    title: "Ship {{ name }}"
    department: engineering
    section: plan
    due: day + 8bd
    depends_on: [build]
  - key: announce
    title: "Announce {{ name }}"
    department: marketing
    section: plan
    start: day + 8bd
    due: day + 8bd
    estimate: 1
    checklist: ["post"]
"""


def cli(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == code, result.output
    return result.output


def stack_fixture(isolated_home: Path) -> Iterator[Stack]:
    """The three emulators with the default config written in the test's working directory."""
    with running_stack() as s:
        s.write_config(Path("collabsync.toml"))
        yield s


def write_config(stack: Stack, departments: dict[str, tuple[str, dict[str, str]]], **settings: str) -> Path:
    """A config routing departments to destinations, with extra provider settings as raw TOML lines."""
    text = stack.providers_toml()
    for provider, lines in settings.items():
        text = text.replace(f"[providers.{provider}]\n", f"[providers.{provider}]\n{lines}\n")
    for dept, (provider, dest) in departments.items():
        text += f'\n[departments.{dept}]\nprovider = "{provider}"\n' + "".join(
            f'{k} = "{v}"\n' for k, v in dest.items()
        )
    path = Path("collabsync.toml")
    path.write_text(text)
    return path


def doctor(template: str = "product-launch", variables: dict[str, str] | None = None) -> DoctorReport:
    tmpl = find_template(template, [Path(".")])
    spec = tmpl.render("nova", variables or {"product": "Nova", "launch": "2027-03-01"})
    with Workspace(load_config("collabsync.toml")) as ws:
        return check(spec, ws)


def kinds(report: DoctorReport) -> dict[str, Severity]:
    assert all(f.fix for f in report.findings), "every finding says what to change"
    assert all(f.instead and f.capability for f in report.degradations), "every degradation says what happens instead"
    return {f.kind: f.severity for f in report.findings}


def writes(stack: Stack) -> int:
    """Write requests seen by the three emulators (searches sent as POST are reads)."""
    reads = {"search_jql", "search_old"}
    return sum(
        1
        for emu in (stack.jira, stack.trello, stack.asana)
        for r in emu.requests
        if r.method in ("POST", "PUT", "DELETE", "PATCH") and r.endpoint not in reads
    )
