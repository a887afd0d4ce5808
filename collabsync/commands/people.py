"""`collabsync people` (who everyone is in each tool) and `collabsync reassign` (move a role's open tasks)."""

from __future__ import annotations

import json
import sys

import click

from collabsync.commands.support import Ctx, format_option, pass_ctx, wait_option, yes_option
from collabsync.errors import ConfigError

__all__ = ["people", "reassign"]


@click.command()
@click.argument("instance", required=False)
@format_option("the people")
@pass_ctx
def people(obj: Ctx, instance: str | None, fmt: str) -> None:
    """List each person with their id in each tool, and where they could not be found.

    With INSTANCE: the assignees of that stamped instance, in the tools their tasks are in; without:
    everyone named in [people] and [roles] of the config, in every configured tool.

    \b
    Example:
      collabsync people nova
    """
    from collabsync.stamping.people import people_rows, stamped_spec

    with obj.workspace() as ws:
        rows = people_rows(ws, stamped_spec(ws, instance) if instance else None)
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("no people: assign tasks by role, or name people under [people] or [roles] in collabsync.toml")
    for row in rows:
        ids = ", ".join(f"{tool}={tool_id or 'NOT FOUND'}" for tool, tool_id in row["ids"].items())
        click.echo(f"{row['person']}: {ids}")
    missing = sum(bool(r["unresolved"]) for r in rows)
    if missing:
        click.echo(
            f"{missing} person(s) not found in some tool: their tasks are unassigned there; "
            'name their id under [people."EMAIL"] in collabsync.toml'
        )


@click.command()
@click.argument("instance")
@click.option("--role", "role", required=True, metavar="ROLE=EMAIL", help="The role and the person who takes it over.")
@click.option("--plan", "plan_only", is_flag=True, help="Show which open tasks would move, write nothing.")
@yes_option
@format_option("the plan")
@wait_option
@pass_ctx
def reassign(obj: Ctx, instance: str, role: str, plan_only: bool, yes: bool, fmt: str, wait: float) -> None:
    """Give a role's open tasks in every tool to another person; done tasks keep their assignee.

    Safe to re-run: an interrupted reassignment is finished by running it again.

    \b
    Example:
      collabsync reassign nova --role account_exec=lee@acme.example --plan
      collabsync reassign nova --role account_exec=lee@acme.example --yes
    """
    from contextlib import nullcontext

    from collabsync.lock import instance_lock
    from collabsync.stamping.people import apply_reassign, plan_reassign
    from collabsync.templating.roles import parse_role_options

    ((name, person),) = parse_role_options([role]).items()
    with obj.workspace() as ws, nullcontext() if plan_only else instance_lock(ws.home, instance, "reassign", wait):
        plan = plan_reassign(ws, instance, name, person)
        if fmt == "json":
            click.echo(json.dumps(plan.to_dict(), indent=2))
        else:
            click.echo(f"{instance}: role {name} -> {person}: {len(plan.moves)} open task(s) to move")
            for m in plan.moves:
                click.echo(f"  move  {m['department']}/{m['key']} ({m['provider']}) from {m['from'] or 'nobody'}")
            for k in plan.kept:
                click.echo(f"  keep  {k['department']}/{k['key']}: {k['why']}")
            for f in plan.findings:
                click.echo(f"  note  {f.provider}: {f.where}: {f.what}; {f.instead} (fix: {f.fix})")
        if plan_only or not plan.moves:
            return
        if not yes:
            if not sys.stdin.isatty():
                raise ConfigError.single("reassign", "not a terminal: pass --yes to apply the plan")
            click.confirm(f"Move {len(plan.moves)} tasks?", abort=True)
        moved = apply_reassign(ws, plan)
    click.echo(f"{instance}: moved {moved} task(s) to {person}")
