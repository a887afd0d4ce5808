"""`collabsync reschedule`, `diff` and `archive`: following a stamped instance through its life (docs/day-two.md)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

import click

from collabsync.commands.support import (
    Ctx,
    format_option,
    parse_vars,
    pass_ctx,
    today_option,
    user_template_dirs,
    wait_option,
    yes_option,
)
from collabsync.errors import ConfigError
from collabsync.safetext import visible

__all__ = ["reschedule", "diff", "archive"]


def _show(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return visible(str(value)) if value is not None else "-"


def _confirm(yes: bool, verb: str, question: str) -> None:
    """Ask before writing unless --yes; a script without a terminal must say --yes."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise ConfigError.single(verb, "not a terminal: pass --yes to apply the plan")
    click.confirm(question, abort=True)


@click.command()
@click.argument("instance")
@click.option(
    "--var",
    "variables",
    multiple=True,
    metavar="KEY=VALUE",
    required=True,
    help="New value of a template variable (the launch date); repeat for each.",
)
@click.option("--plan", "plan_only", is_flag=True, help="Show which tasks would move, write nothing.")
@yes_option
@click.option("--force", is_flag=True, help="Also move dates people changed by hand in a tool.")
@format_option("the plan")
@wait_option
@pass_ctx
def reschedule(
    obj: Ctx, instance: str, variables: tuple[str, ...], plan_only: bool, yes: bool, force: bool, fmt: str, wait: float
) -> None:
    """Recompute every date of INSTANCE from its template and new variables; move open tasks in every tool.

    Done and cancelled tasks keep their dates. A date changed by hand in a tool since the last
    stamp is kept and listed, unless --force. Safe to re-run: a run cut short resumes.

    \b
    Example:
      collabsync reschedule nova --var launch=2027-03-22 --plan
      collabsync reschedule nova --var launch=2027-03-22 --yes
    """
    from collabsync.commands.views import progress_bar
    from collabsync.lock import instance_lock
    from collabsync.stamping.reschedule import apply_reschedule, keep_variables, plan_reschedule
    from collabsync.stamping.tooltasks import stamped_record

    values = parse_vars(variables)
    with obj.workspace() as ws, instance_lock(ws.home, instance, "reschedule", wait):
        record = stamped_record(ws, instance, "rescheduled")
        plan = plan_reschedule(ws, record, values, force=force, template_dirs=user_template_dirs())
        if fmt == "json":
            click.echo(json.dumps(plan.to_dict(), indent=2))
        else:
            _print_reschedule(plan)
        if plan_only:
            return
        if not plan.moves and not plan.adopt and not plan.unread:
            keep_variables(plan, ws)
            click.echo(f"{instance}: nothing to move")
            return
        _confirm(yes, "reschedule", f"Move {plan.steps} tasks?")
        with progress_bar(plan.steps) as advance:
            moved = apply_reschedule(plan, ws, advance)
        click.echo(
            f"{instance}: moved {moved} tasks; kept {len(plan.closed_kept)} closed and "
            f"{len(plan.hand_kept)} hand-edited"
        )


def _print_reschedule(plan: Any) -> None:
    """The moves, then what is deliberately kept."""
    name = visible(plan.record.name)
    click.echo(
        f"Reschedule {name}: "
        + ", ".join(
            f"{k}={visible(str(v))}" for k, v in plan.spec.variables.items() if plan.record.variables.get(k) != v
        )
    )
    for m in plan.moves:
        click.echo(
            f"  move  {visible(m.department)}/{visible(m.change.key)}: due {_show(m.before[1])} -> "
            f"{_show(m.change.due or m.before[1])}, start {_show(m.before[0])} -> {_show(m.change.start)}"
        )
    for key in plan.closed_kept:
        click.echo(f"  keep  {visible(key)}: done or cancelled")
    for key, fields in plan.hand_kept.items():
        what = ", ".join(f"{f} {_show(now)} (stamped {_show(ours)})" for f, (ours, now) in fields.items())
        click.echo(f"  keep  {visible(key)}: edited in the tool: {what}; --force moves it")
    for key, fields in plan.forced.items():
        click.echo(f"  force {visible(key)}: overrides the hand edit of {', '.join(fields)}")
    for key in plan.missing:
        click.echo(f"  gone  {visible(key)}: deleted or archived in its tool; nothing to move")
    for dept, why in plan.unread.items():
        click.echo(f"  error {visible(dept)}: not read ({visible(why)})", err=True)
    click.echo(f"{plan.steps} tasks to move.")


@click.command()
@click.argument("instance")
@format_option("the differences")
@pass_ctx
def diff(obj: Ctx, instance: str, fmt: str) -> None:
    """Show where the tools differ from what was stamped, and the stamp from the template as it is now.

    Per tool: titles, dates, assignees changed by hand, tasks moved to another section, deleted or
    archived. Read-only. Exits 0 with no differences, 4 when there are some.

    \b
    Example:
      collabsync diff nova
      collabsync diff nova --format json
    """
    from collabsync.stamping.drift import diff_instance
    from collabsync.stamping.tooltasks import stamped_record

    with obj.workspace() as ws:
        drift = diff_instance(ws, stamped_record(ws, instance, "diffed"), user_template_dirs())
    if fmt == "json":
        click.echo(json.dumps(drift.to_dict(), indent=2))
    else:
        click.echo(f"In the tools, since collabsync wrote {visible(instance)}:")
        for d in drift.in_tools or []:
            click.echo(
                f"  {visible(d.provider)}  {visible(d.department)}/{visible(d.key)}  {d.what}: "
                f"{_show(d.stamped)} -> {_show(d.now)}"
            )
        if not drift.in_tools:
            click.echo("  no differences")
        tmpl = drift.template
        click.echo(f"Template {visible(str(tmpl.get('name', '?')))} as it is now (version {tmpl.get('version', '?')}):")
        for d in drift.from_template:
            click.echo(f"  {visible(d.department)}/{visible(d.key)}  {d.what}: {_show(d.stamped)} -> {_show(d.now)}")
        if not drift.from_template:
            click.echo("  " + (visible(tmpl["error"]) if "error" in tmpl else "no differences"))
        for dept, why in drift.unread.items():
            click.echo(f"warning: {visible(dept)} not read: {visible(why)}", err=True)
    if drift.in_tools or drift.from_template:
        sys.exit(4)


@click.command()
@click.argument("instance")
@click.option("--plan", "plan_only", is_flag=True, help="Show what would be closed, write nothing.")
@yes_option
@format_option("the plan")
@today_option
@wait_option
@pass_ctx
def archive(obj: Ctx, instance: str, plan_only: bool, yes: bool, fmt: str, today_: str | None, wait: float) -> None:
    """Close INSTANCE in every tool: resolve the Jira epic, archive the Trello board (or its cards), the Asana project.

    A final report snapshot is saved first, so `collabsync history` and the Markdown file
    written to $COLLABSYNC_HOME/archived/ keep it readable. Safe to re-run.

    \b
    Example:
      collabsync archive nova --plan
      collabsync archive nova --yes
    """
    from collabsync.commands.views import progress_bar
    from collabsync.lock import instance_lock
    from collabsync.runtime import today
    from collabsync.stamping.archive import apply_archive, final_report_path, plan_archive
    from collabsync.stamping.tooltasks import stamped_record

    with obj.workspace() as ws, instance_lock(ws.home, instance, "archive", wait):
        record = stamped_record(ws, instance, "archived")
        plan = plan_archive(ws, record)
        if fmt == "json":
            click.echo(json.dumps(plan.to_dict(), indent=2))
        else:
            click.echo(
                f"Archive {visible(instance)}: final report snapshot"
                f"{' (taken)' if plan.snapshot_taken else ''}, then close:"
            )
            for departments, placed in plan.to_close:
                click.echo(
                    f"  {visible(placed.provider)}: {visible(placed.container.name or placed.container.ref)} "
                    f"({', '.join(departments)})"
                )
        if plan_only:
            return
        _confirm(yes, "archive", f"Close {plan.steps} containers?")
        with progress_bar(plan.steps) as advance:
            outcomes = apply_archive(plan, ws, today(today_), advance)
        for line in outcomes:
            click.echo(f"  {visible(line)}")
        click.echo(f"{instance}: archived; final report {final_report_path(ws.home, instance)}")
