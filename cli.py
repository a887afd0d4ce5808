"""The `collabsync` command line: a thin click layer over the library.

Installed as the module ``collabsync.cli`` (see docs/library.md, "Package layout"). Every command has help
text with an example; user errors print on stderr and exit 1, usage errors exit 2. Setup commands
live in collabsync/commands/setup.py, shared plumbing in collabsync/commands/support.py; the commands of
collabsync/commands/ are imported only when they run (collabsync/commands/lazy.py).
"""

from __future__ import annotations

import gc
import json
import sys

import click

from collabsync import __version__
from collabsync.commands.lazy import LazyGroup
from collabsync.commands.support import (
    INSTANCE_RE,
    STATUSES,
    Ctx,
    format_option,
    fresh_option,
    parse_vars,
    pass_ctx,
    today_option,
    user_template_dirs,
    wait_option,
    yes_option,
)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="collabsync")
@click.option(
    "--config",
    "config",
    type=click.Path(dir_okay=False),
    envvar="COLLABSYNC_CONFIG",
    help="Config file (default: ./collabsync.toml, then $COLLABSYNC_HOME/collabsync.toml).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log what collabsync does (secrets redacted) on stderr.")
@click.pass_context
def main(ctx: click.Context, config: str | None, verbose: bool) -> None:
    """Stamp one cross-department project into Asana, Trello, Jira and a local tool, and see it whole.

    \b
    Example:
      collabsync stamp product-launch --name nova --var product=Nova --var launch=2027-03-01 --yes
      collabsync status nova
    """
    ctx.obj = Ctx(config, verbose)
    # A short-lived process: exempt start-up objects (SDK modules) from garbage-collection passes,
    # which otherwise rescan them while thousands of tasks are parsed (measured in bench/rollup.py).
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)  # and pass less often over the tasks it builds: 100,000 are a few million objects
    if verbose:
        import logging

        from collabsync.redact import RedactingFilter

        handler = logging.StreamHandler(sys.stderr)
        handler.addFilter(RedactingFilter())
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        root = logging.getLogger("collabsync")
        root.addHandler(handler)
        root.setLevel(logging.DEBUG)


@main.command()
@click.argument("template")
@click.option("--name", "instance", required=True, help="Instance name (letters, digits, . _ -), unique per project.")
@click.option("--var", "variables", multiple=True, metavar="KEY=VALUE", help="Template variable; repeat for each.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    metavar="ROLE=EMAIL",
    help="Who a template role is (beats [roles] in the config); repeat for each.",
)
@click.option("--plan", "plan_only", is_flag=True, help="Show what would be created where, write nothing.")
@yes_option
@format_option("the plan")
@click.option("--prune", is_flag=True, help="Upgrade: cancel tasks no longer in the template (default: list them).")
@wait_option
@pass_ctx
def stamp(
    obj: Ctx,
    template: str,
    instance: str,
    variables: tuple[str, ...],
    plan_only: bool,
    yes: bool,
    fmt: str,
    prune: bool,
    wait: float,
    roles: tuple[str, ...],
) -> None:
    """Create a joint project from TEMPLATE in every department's tool; safe to re-run.

    TEMPLATE is a shipped template's name or a path to a YAML file. Re-running creates nothing
    new and resumes a stamp that failed midway; a second run of the same instance waits for the first.
    A changed template or new variables for an existing --name plan an upgrade (docs/day-two.md).

    \b
    Example:
      collabsync stamp product-launch --name nova --var product=Nova --var launch=2027-03-01 --plan
      collabsync stamp product-launch --name nova --var product=Nova --var launch=2027-03-01 --yes
    """
    from contextlib import nullcontext

    from collabsync.commands.views import print_plan, progress_bar
    from collabsync.errors import ConfigError
    from collabsync.lock import instance_lock
    from collabsync.safetext import visible
    from collabsync.stamping.doctor import PreflightError, render_text
    from collabsync.stamping.precheck import precheck
    from collabsync.stamping.stamp import build_plan
    from collabsync.stamping.stamp_run import apply_stamp, preflight, render_for_stamp, reused_instance
    from collabsync.stamping.upgrade import upgrade_for
    from collabsync.templating.roles import parse_role_options

    if not INSTANCE_RE.match(instance):
        raise click.BadParameter(
            "use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit", param_hint="--name"
        )
    values, bound = parse_vars(variables), parse_role_options(roles)
    tmpl, spec = render_for_stamp(template, instance, values, bound, lambda: obj.config().roles, user_template_dirs())
    with obj.workspace() as ws, nullcontext() if plan_only else instance_lock(ws.home, instance, "stamp", wait):
        existing = reused_instance(ws, spec)
        upgrade = upgrade_for(ws, existing, spec, prune)
        plan = build_plan(spec, ws)
        precheck(plan, ws, tmpl)  # with the template's lines; nothing printed or written when it fails
        found = preflight(plan, ws)
        if fmt == "json":
            click.echo(
                json.dumps(
                    {
                        **plan.to_dict(),
                        "doctor": found.to_dict() if found else None,
                        "upgrade": upgrade.to_dict() if upgrade else None,
                    },
                    indent=2,
                )
            )
        else:
            print_plan(plan)
            for line in render_text(found, title=False) if found else ():
                click.echo(line)
            for line in upgrade.lines() if upgrade else ():
                click.echo(visible(line))
        if plan_only:
            return
        if found and found.blocking:  # before the first write: nothing is created while one blocks
            raise PreflightError(instance, found.blocking)
        if plan.up_to_date and not upgrade:
            apply_stamp(plan, upgrade, ws, tmpl)
            click.echo(f"{instance}: up to date, nothing to create")
            return
        steps = plan.steps + (upgrade.steps if upgrade else 0)
        if not yes:
            if not sys.stdin.isatty():
                raise ConfigError.single("stamp", "not a terminal: pass --yes to apply the plan")
            click.confirm(f"Write {steps} objects?", abort=True)
        with progress_bar(steps) as advance:
            result = apply_stamp(plan, upgrade, ws, tmpl, advance)
        updated = f", updated {len(upgrade.updates)}" if upgrade else ""
        click.echo(f"{instance}: created {result['created']} tasks{updated} and {result['links']} dependencies")


# -- update, status, tasks ----------------------------------------------------------------------------
@main.command()
@click.argument("instance")
@click.argument("task_key")
@click.option("--status", "status", type=click.Choice(STATUSES), required=True, help="The new status.")
@click.option("--force", is_flag=True, help="Mark a task done even though work it waits on is still open.")
@wait_option
@pass_ctx
def update(obj: Ctx, instance: str, task_key: str, status: str, force: bool, wait: float) -> None:
    """Move one task of an instance to a new status, in whichever tool it lives.

    Marking a task done while a prerequisite is still open is refused with the open ones listed
    (the report would otherwise count finished work ahead of plan); --force does it anyway.

    \b
    Example:
      collabsync update nova pricing --status done
      collabsync update nova pricing --status done --force
    """
    from collabsync.lock import instance_lock
    from collabsync.stamping.update import update_status

    with obj.workspace() as ws, instance_lock(ws.home, instance, "update", wait):
        name, provider = update_status(
            ws, instance, task_key, status, force=force, warn=lambda line: click.echo(line, err=True)
        )
    click.echo(f"{name}/{task_key}: {status} ({provider})")


@main.command()
@click.argument("instance", required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "md", "markdown"]),
    default="table",
    show_default=True,
    help="Output format (md and markdown are the same).",
)
@today_option
@fresh_option
@pass_ctx
def status(obj: Ctx, instance: str | None, fmt: str, today_: str | None, fresh: bool) -> None:
    """How far each department is: counts by status, overdue and percent done.

    \b
    Example:
      collabsync status nova --format json
    """
    from collabsync.report.reporting import read_back, stale_warning, status_summary
    from collabsync.runtime import today

    day = today(today_)
    with obj.workspace(use_cache=not fresh) as ws:
        snap, since = read_back(ws, instance, full=fresh, links=False)  # status never follows a dependency
    # the output's modules are imported after the read: off the path of the first request (issue 17)
    from collabsync.commands.views import print_status
    from collabsync.safetext import clean_tree

    summary = status_summary(snap, day, since)
    if fmt == "json":
        click.echo(json.dumps(clean_tree(summary), indent=2))
    else:
        print_status(summary, markdown=fmt in ("md", "markdown"))
    for dept, why in snap.stale.items():
        click.echo(stale_warning(snap.instance.name, dept, since.get(dept), why), err=True)
    if snap.stale:
        sys.exit(3)


@main.command()
@click.argument("instance", required=False)
@click.option("--department", help="Only this department's tasks.")
@click.option("--status", "status_", type=click.Choice(STATUSES), help="Only tasks in this status.")
@click.option("--overdue", is_flag=True, help="Only open tasks past their due date.")
@click.option("--blocked", is_flag=True, help="Only blocked tasks.")
@click.option("--assignee", help="Only tasks of this assignee.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv", "md", "markdown"]),
    default="table",
    show_default=True,
    help="Output format (md and markdown are the same).",
)
@today_option
@fresh_option
@pass_ctx
def tasks(
    obj: Ctx,
    instance: str | None,
    department: str | None,
    status_: str | None,
    overdue: bool,
    blocked: bool,
    assignee: str | None,
    fmt: str,
    today_: str | None,
    fresh: bool,
) -> None:
    """List an instance's tasks across every tool, filtered.

    \b
    Example:
      collabsync tasks nova --overdue --department sales
    """
    from collabsync.commands.views import print_tasks
    from collabsync.reading.task_list import filter_tasks, task_row, tasks_csv
    from collabsync.report.reporting import read_back, stale_warning
    from collabsync.runtime import today
    from collabsync.safetext import clean_tree

    day = today(today_)
    with obj.workspace(use_cache=not fresh) as ws:
        snap, since = read_back(ws, instance, full=fresh)
    rows = [
        task_row(t)
        for t in filter_tasks(
            snap.tasks,
            today=day,
            department=department,
            status=status_,
            overdue=overdue,
            blocked=blocked,
            assignee=assignee,
            departments=snap.departments,
        )
    ]
    if fmt == "json":
        click.echo(json.dumps(clean_tree(rows), indent=2))
    elif fmt == "csv":
        click.echo(tasks_csv(rows), nl=False)
    else:
        print_tasks(rows, markdown=fmt in ("md", "markdown"))
    for dept, why in snap.stale.items():
        click.echo(stale_warning(snap.instance.name, dept, since.get(dept), why), err=True)


@main.command()
def instances() -> None:
    """List the instances in the ledger.

    \b
    Example:
      collabsync instances
    """
    from collabsync.config import home_dir
    from collabsync.ledger import LEDGER_FILE, Ledger
    from collabsync.safetext import visible

    with Ledger(home_dir() / LEDGER_FILE) as ledger:
        for rec in ledger.instances():
            click.echo(
                f"{visible(rec.name):24} {visible(rec.template or '(tracked)'):24} {rec.state:10} {rec.updated_at}"
            )


if __name__ == "__main__":  # pragma: no cover
    main()
