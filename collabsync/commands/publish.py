"""The `publish` command: the joint status written into each department's own tool, once per day."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from collabsync.commands.support import Ctx, pass_ctx, today_option, user_template_dirs, wait_option

if TYPE_CHECKING:
    from collabsync.report.publishing import Outcome, Target
    from collabsync.report.rollup_model import Report
    from collabsync.runtime import Workspace

__all__ = ["publish", "publish_reports"]

_VERB = {
    "add": "add today's entry",
    "edit": "edit today's entry",
    "settle": "find today's entry (reply lost), then edit or add it",
    "skip": "skip",
}


@click.command()
@click.argument("instance")
@click.option("--plan", "plan_only", is_flag=True, help="Show where each department's status goes, write nothing.")
@click.option("--yes", "-y", is_flag=True, help="Publish without asking.")
@click.option("--history", "show_history", is_flag=True, help="List the entries published so far, newest first.")
@today_option
@wait_option
@pass_ctx
def publish(
    obj: Ctx, instance: str, plan_only: bool, yes: bool, show_history: bool, today_: str | None, wait: float
) -> None:
    """Write the joint status into each department's tool, in that tool's own form.

    Jira: a comment on the instance's epic. Trello: a comment on a status card pinned at the top of
    the board. Asana: a project status update (on track / at risk / off track). local: its status
    feed. Each department reads the overall health and percent done, its own overdue and blocked
    work, and who it waits on and who waits on it, with links. Publishing again the same day edits
    that day's entry instead of adding one; earlier days are kept (see --history).

    \b
    Example:
      collabsync publish nova --plan
      collabsync publish nova --yes
      collabsync publish nova --history
    """
    from contextlib import nullcontext

    from collabsync.errors import ConfigError
    from collabsync.lock import instance_lock
    from collabsync.report.nightly import select_instances

    with obj.workspace() as ws:
        record = select_instances(ws, [instance])[0]
        if show_history:
            _print_history(ws, record.name)
            return
        with nullcontext() if plan_only else instance_lock(ws.home, record.name, "publish", wait):
            report = _report(ws, record, today_)
            from collabsync.report.publishing import plan

            targets = plan(ws, report)
            for target in targets:
                click.echo(_plan_line(ws, target))
            if plan_only:
                return
            if not yes:
                if not sys.stdin.isatty():
                    raise ConfigError.single("publish", "not a terminal: pass --yes to publish")
                click.confirm(f"Publish {sum(t.action != 'skip' for t in targets)} status entries?", abort=True)
            failed = _say(_run(ws, targets))
    if failed:
        sys.exit(1)


def publish_reports(ws: Workspace, reports: list[Report], wait: float) -> bool:
    """`report --publish`: publish every rolled-up report under its instance lock; True when one failed."""
    from collabsync.lock import instance_lock
    from collabsync.report.publishing import plan

    failed = False
    for report in reports:
        with instance_lock(ws.home, report.instance, "publish", wait):
            failed |= _say(_run(ws, plan(ws, report)))
    return failed


def _report(ws: Workspace, record: Any, today_: str | None) -> Report:
    from collabsync.report.history import History
    from collabsync.report.nightly import report_instance
    from collabsync.report.reporting import history_path
    from collabsync.runtime import today

    with History(history_path(ws.home)) as store:
        run = report_instance(
            ws, record, [], today=today(today_), store=store, save=False, template_dirs=user_template_dirs()
        )
    assert run.report is not None
    return run.report


def _run(ws: Workspace, targets: list[Target]) -> list[Outcome]:
    from collabsync.report.publishing import publish as write

    return list(write(ws, targets))


def _plan_line(ws: Workspace, target: Target) -> str:
    where = f"{target.provider} ({target.container.name or target.container.ref})"
    why = f": {target.why}" if target.why else ""
    return f"{target.entry.instance}: {target.department} -> {where}: {_VERB[target.action]}{why}"


def _say(outcomes: list[Outcome]) -> bool:
    """One line per department; True when a department failed."""
    failed = False
    for o in outcomes:
        if o.error:
            failed = True
            click.echo(f"error: {o.department} ({o.provider}): {o.error}", err=True)
        elif o.action == "skip":
            click.echo(f"{o.department} ({o.provider}): skipped, the tool cannot take a status", err=True)
        else:
            verb = "edited" if o.action == "edit" else "published"
            click.echo(f"{o.department} ({o.provider}): {verb} {o.url or o.ref}", err=True)
    return failed


def _print_history(ws: Workspace, instance: str) -> None:
    from collabsync.ledger import ObjectState
    from collabsync.report.publishing import history

    rows = history(ws.ledger, instance)
    if not rows:
        click.echo(f"{instance}: nothing published yet")
    for row in rows:
        edits = f", edited {row.edits}x" if row.edits else ""
        state = "" if row.state == ObjectState.DONE else f" [{row.state}]"
        click.echo(
            f"{row.day}  {row.department:<14} {row.provider:<10} {row.health:<6} {row.url or row.ref or '-'}"
            f"{edits}{state}"
        )
