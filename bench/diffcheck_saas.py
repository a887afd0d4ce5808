"""The loopback part of bench/diffcheck.py: stamped and tracked instances on the Jira, Trello and Asana emulators.

One harness process runs the emulators (127.0.0.1 only): the stack's Jira Cloud, Trello and Asana and a Jira
Data Center whose issue ids coincide with the Cloud site's. A generated template is stamped across the five
tools (the local one too) by the new CLI, a few tasks are moved with `collabsync update`, a second instance
tracks both Jira projects whole (with issues added by hand on each site), and both CLIs, each in its own copy
of the home, read the same running emulators.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import diffcheck_gen as gen

from collabsync.testing.jira import JiraEmulator
from collabsync.testing.stack import running_stack

TOOLS = ("jira", "trello", "asana", "jira_dc", "local")


def _config(stack: Any, dc: JiraEmulator, departments: list[str]) -> str:
    """Every tool, one department after another on each (so each tool has one)."""
    parts = [stack.providers_toml(), '[providers.local]\ntype = "local"\n']
    parts.append(
        f'[providers.jira_dc]\ntype = "jira"\nurl = "{dc.root_url}"\ntoken = "{dc.pat}"\n'
        'deployment = "datacenter"\nmax_retries = 1\nbackoff = 0.01\n'
    )
    for i, dept in enumerate(departments):
        tool = TOOLS[i % len(TOOLS)]
        where = {"jira_dc": {"project": "OPS"}, "local": {"space": dept}}.get(tool) or stack.destination(tool)
        parts.append(
            f'[departments.{dept}]\nprovider = "{tool}"\n' + "".join(f'{k} = "{v}"\n' for k, v in where.items())
        )
    return "\n".join(parts)


def run_all(args: argparse.Namespace, cmp: Any, root: Path, h: ModuleType) -> None:
    """Each --saas-seeds seed: stamp, move, track, copy, then the same commands on both sides (`h`: diffcheck's
    Side, must, copy_sides and run_both)."""
    must, run_both = h.must, h.run_both
    with running_stack() as stack, JiraEmulator(deployment="Server") as dc:
        dc.add_project("OPS", "IT operations")
        for seed in range(1, args.saas_seeds + 1):
            rng = random.Random(seed + 500)
            name = f"s{seed}"
            base = root / name / "base"
            base.mkdir(parents=True)
            template, departments = gen.template_text(rng, name, args.saas_tasks)
            (root / name / f"{name}.yaml").write_text(template, encoding="utf-8")
            (base / "collabsync.toml").write_text(_config(stack, dc, departments), encoding="utf-8")
            (base / "collabsync.toml").chmod(0o600)
            values = gen.anchors(rng)
            stamper = h.Side("new", sys.executable, base, root)
            var = ["--var", "product=Nova", "--var", f"launch={values['launch']}"]
            var += ["--var", f"kickoff={values['kickoff']}"] if "kickoff:" in template else []

            must(stamper, ["stamp", str(root / name / f"{name}.yaml"), "--name", name, *var, "--yes"])
            keys = [f"t{i}" for i in range(args.saas_tasks)]
            for key, status in zip(rng.sample(keys, 8), ("done", "done", "in_progress", "blocked") * 2, strict=True):
                must(stamper, ["update", name, key, "--status", status, "--force"])
            days = gen.days_to_check(values["launch"], rng)
            for site, project in ((stack.jira, stack.jira_project), (dc, "OPS")):  # work that is no template's
                first = site.add_issue(project, "Hand-made, no dates")
                late = site.add_issue(project, "Hand-made, late", due=days[1] - dt.timedelta(days=3), story_points=2.5)
                site.link_issues(first, late)  # a tool-side link of tracked work: ids coincide across the sites
            tracked = f"tr{seed}"
            must(stamper, ["track", tracked, stack.jira_project, "--provider", "jira", "--department", "engineering"])
            must(stamper, ["track", tracked, "OPS", "--provider", "jira_dc", "--department", "it"])
            sides = h.copy_sides(base, args.old_python)
            print(f"{name}: {args.saas_tasks} tasks over {len(departments)} departments, days {days}", flush=True)
            for k, day in enumerate(days[1:4]):
                if k == 1:  # shared by both sides: the emulators are one
                    stack.jira.add_issue(stack.jira_project, "Added between reports", due=day)
                    dc.add_issue("OPS", "Added between reports", due=day, status="In Progress")
                today = ["--today", day.isoformat()]
                for inst in (name, tracked):
                    tag = f"{inst}@{day}"
                    run_both(cmp, f"saas-status:{tag}", sides, ["status", inst, "--format", "json", "--fresh", *today])
                    run_both(cmp, f"saas-tasks:{tag}", sides, ["tasks", inst, "--format", "json", "--fresh", *today])
                    run_both(cmp, f"saas-overdue:{tag}", sides, ["tasks", inst, "--format", "csv", "--overdue", *today])
                    fmts = ["--format", "html,md,json,csv"]
                    run_both(cmp, f"saas-report:{tag}", sides, ["report", inst, *fmts, *today], "out")
