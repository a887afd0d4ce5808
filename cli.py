"""The `collabsync` command line: a thin click layer over the library.

Installed as the module ``collabsync.cli`` (see README, "Package layout"). Every command has help
text with an example; user errors print on stderr and exit 1, usage errors exit 2.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from collabsync import __version__
from collabsync.config import STARTER_CONFIG, home_dir, load_config
from collabsync.errors import CollabsyncError, ConfigError, TemplateError
from collabsync.model import Status
from collabsync.redact import RedactingFilter

F = TypeVar("F", bound=Callable[..., Any])
_INSTANCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
STATUSES = [s.value for s in Status]


class Ctx:
    """Options shared by every command."""

    def __init__(self, config: str | None, verbose: bool) -> None:
        self.config_path = config
        self.verbose = verbose

    def config(self, *, check_env: bool = False) -> Any:
        """Load and validate the config (errors before any write)."""
        return load_config(self.config_path, check_env=check_env)

    def workspace(self, *, use_cache: bool = False) -> Any:
        """A workspace over the config and COLLABSYNC_HOME."""
        from collabsync.runtime import Workspace

        return Workspace(self.config(), home_dir(), use_cache=use_cache)


pass_ctx = click.make_pass_decorator(Ctx)


class CollabsyncGroup(click.Group):
    """Turns collabsync errors into one clear message and exit 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CollabsyncError as exc:
            _fail(exc)
        except BrokenPipeError:  # `collabsync tasks | head`: the reader left, nothing to report
            sys.stderr.close()
            sys.exit(0)
        except (KeyboardInterrupt, click.Abort):
            click.echo("aborted", err=True)
            sys.exit(130)
        except (click.ClickException, click.exceptions.Exit, SystemExit):
            raise
        except Exception as exc:  # a bug: say so briefly; --verbose shows the traceback
            logging.getLogger("collabsync").debug("internal error", exc_info=True)
            from collabsync.redact import redact

            click.echo(f"error: internal error ({type(exc).__name__}: {redact(str(exc))}); "
                       "run with --verbose for details", err=True)
            sys.exit(1)


def _fail(exc: CollabsyncError) -> None:
    """Print a user error on stderr and exit with its code."""
    from collabsync.redact import redact

    problems = getattr(exc, "problems", None)
    if problems and len(problems) > 1:
        click.echo(f"error: {len(problems)} problems found; nothing was written", err=True)
        for p in problems:
            click.echo(f"  {redact(str(p))}", err=True)
    else:
        click.echo(f"error: {redact(str(exc))}", err=True)
    sys.exit(exc.exit_code)


@click.group(cls=CollabsyncGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="collabsync")
@click.option("--config", "config", type=click.Path(dir_okay=False), envvar="COLLABSYNC_CONFIG",
              help="Config file (default: ./collabsync.toml, then $COLLABSYNC_HOME/collabsync.toml).")
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
    if verbose:
        handler = logging.StreamHandler(sys.stderr)
        handler.addFilter(RedactingFilter())
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        root = logging.getLogger("collabsync")
        root.addHandler(handler)
        root.setLevel(logging.DEBUG)


# -- init and config -------------------------------------------------------------------------------
@main.command()
@click.option("--path", type=click.Path(dir_okay=False), default="collabsync.toml", show_default=True,
              help="Where to write the starter config.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path: str, force: bool) -> None:
    """Write a commented starter collabsync.toml.

    \b
    Example:
      collabsync init && $EDITOR collabsync.toml && collabsync config check
    """
    target = Path(path)
    if target.exists() and not force:
        raise ConfigError.single(str(target), "already exists; pass --force to overwrite")
    target.write_text(STARTER_CONFIG, "utf-8")
    click.echo(f"wrote {target}")


@main.group()
def config() -> None:
    """Inspect and verify the configuration.

    \b
    Example:
      collabsync config check
    """


@config.command("check")
@click.option("--offline", is_flag=True, help="Validate the file only; do not contact the tools.")
@pass_ctx
def config_check(obj: Ctx, offline: bool) -> None:
    """Validate collabsync.toml, then verify each provider's credentials with one request.

    \b
    Example:
      collabsync config check
      collabsync --config ops/collabsync.toml config check --offline
    """
    from collabsync.runtime import Workspace

    cfg = obj.config(check_env=True)
    click.echo(f"config: {cfg.source}: ok")
    failed = 0
    with Workspace(cfg, home_dir()) as ws:
        for name, pc in cfg.providers.items():
            if offline:
                click.echo(f"provider {name} ({pc.type}): settings ok")
                continue
            try:
                who = ws.provider(name).check()
                click.echo(f"provider {name} ({pc.type}): ok, {who}")
            except CollabsyncError as exc:
                failed += 1
                from collabsync.redact import redact

                click.echo(f"provider {name} ({pc.type}): FAILED: {redact(str(exc))}", err=True)
    for dept, dc in cfg.departments.items():
        click.echo(f"department {dept} -> {dc.provider} {json.dumps(dc.destination)}")
    if failed:
        sys.exit(1)


# -- templates --------------------------------------------------------------------------------------
@main.group()
def templates() -> None:
    """List, show and validate cross-department templates.

    \b
    Example:
      collabsync templates list
    """


def _user_template_dirs() -> list[Path]:
    return [home_dir() / "templates"]


@templates.command("list")
def templates_list() -> None:
    """List shipped templates (and those in $COLLABSYNC_HOME/templates).

    \b
    Example:
      collabsync templates list
    """
    from collabsync.templating import list_templates, load_template

    for name, path in list_templates(_user_template_dirs()):
        try:
            t = load_template(path)
            click.echo(f"{name:24} {len(t.data['tasks']):3} tasks  {', '.join(t.data['departments'])}")
        except TemplateError as exc:
            click.echo(f"{name:24} INVALID ({len(exc.problems)} problems)")


@templates.command("show")
@click.argument("name")
def templates_show(name: str) -> None:
    """Show a template's variables, departments and tasks.

    \b
    Example:
      collabsync templates show customer-onboarding
    """
    from collabsync.templating import find_template

    t = find_template(name, _user_template_dirs())
    click.echo(f"{t.name}: {t.title}  ({t.path})")
    click.echo("variables:")
    for var, decl in t.variables.items():
        default = f" [default: {decl['default']}]" if "default" in decl else ""
        click.echo(f"  {var} ({decl['type']}): {decl.get('description', '')}{default}")
    click.echo(f"departments: {', '.join(t.data['departments'])}")
    click.echo("tasks:")
    for task in t.data["tasks"]:
        deps = f"  after {', '.join(task['depends_on'])}" if task.get("depends_on") else ""
        click.echo(f"  {task['key']:28} {task['department']:12} due {task.get('due', '-'):20}{deps}")


@templates.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path())
def templates_validate(files: tuple[str, ...]) -> None:
    """Validate template files; every problem is listed with its file and line.

    \b
    Example:
      collabsync templates validate my-template.yaml templates/*.yaml
    """
    from collabsync.templating import load_template

    problems = []
    for f in files:
        try:
            load_template(f)
            click.echo(f"{f}: ok")
        except TemplateError as exc:
            problems.extend(exc.problems)
    if problems:
        raise TemplateError(problems)


# -- stamp ------------------------------------------------------------------------------------------
def _parse_vars(pairs: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{pair!r}: write KEY=VALUE")
        out[key.strip()] = value.strip()
    return out


@main.command()
@click.argument("template")
@click.option("--name", "instance", required=True, help="Instance name (letters, digits, . _ -), unique per project.")
@click.option("--var", "variables", multiple=True, metavar="KEY=VALUE", help="Template variable; repeat for each.")
@click.option("--plan", "plan_only", is_flag=True, help="Show what would be created where, write nothing.")
@click.option("--yes", "-y", is_flag=True, help="Apply without asking.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="How to print the plan.")
@pass_ctx
def stamp(obj: Ctx, template: str, instance: str, variables: tuple[str, ...], plan_only: bool, yes: bool, fmt: str) -> None:
    """Create a joint project from TEMPLATE in every department's tool; safe to re-run.

    TEMPLATE is a shipped template's name or a path to a YAML file. Re-running creates nothing
    new and resumes a stamp that failed midway.

    \b
    Example:
      collabsync stamp product-launch --name nova --var product=Nova --var launch=2027-03-01 --plan
      collabsync stamp product-launch --name nova --var product=Nova --var launch=2027-03-01 --yes
    """
    from collabsync.stamp import apply_plan, build_plan
    from collabsync.templating import find_template
    from collabsync.views import print_plan, progress_bar

    if not _INSTANCE_RE.match(instance):
        raise click.BadParameter("use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit",
                                 param_hint="--name")
    values = _parse_vars(variables)
    tmpl = find_template(template, _user_template_dirs())
    spec = tmpl.render(instance, values)
    with obj.workspace() as ws:
        existing = ws.ledger.instance(instance)
        if existing and existing.spec and (existing.template != spec.template or existing.variables != spec.variables):
            raise ConfigError.single(
                "--name", f"instance {instance!r} was stamped from {existing.template} with "
                f"{json.dumps(existing.variables)}; pick another --name or pass the same variables")
        plan = build_plan(spec, ws)
        if fmt == "json":
            click.echo(json.dumps(plan.to_dict(), indent=2))
        else:
            print_plan(plan)
        if plan_only:
            return
        if plan.up_to_date:
            click.echo(f"{instance}: up to date, nothing to create")
            return
        if not yes:
            if not sys.stdin.isatty():
                raise ConfigError.single("stamp", "not a terminal: pass --yes to apply the plan")
            click.confirm(f"Create {plan.steps} objects?", abort=True)
        with progress_bar(plan.steps) as advance:
            result = apply_plan(plan, ws, advance)
        click.echo(f"{instance}: created {result['created']} tasks and {result['links']} dependencies")


# -- update, status, tasks ----------------------------------------------------------------------------
@main.command()
@click.argument("instance")
@click.argument("task_key")
@click.option("--status", "status", type=click.Choice(STATUSES), required=True, help="The new status.")
@pass_ctx
def update(obj: Ctx, instance: str, task_key: str, status: str) -> None:
    """Move one task of an instance to a new status, in whichever tool it lives.

    \b
    Example:
      collabsync update nova pricing --status done
    """
    from collabsync.query import resolve_instance

    with obj.workspace() as ws:
        record = resolve_instance(ws, instance)
        obj_rec = ws.ledger.objects(record.name).get(task_key)
        if obj_rec is None or obj_rec.state != "done" or not obj_rec.ref:
            known = ", ".join(sorted(k for k, r in ws.ledger.objects(record.name).items() if r.state == "done"))
            raise ConfigError.single("TASK_KEY", f"no created task {task_key!r} in {record.name}; known: {known}")
        placed = ws.ledger.container(record.name, obj_rec.department)
        if placed is None:
            raise ConfigError.single("TASK_KEY", f"the container of {task_key!r} is not in the ledger")
        ws.provider(obj_rec.provider).set_status(placed[1], obj_rec.ref, Status(status))
        click.echo(f"{record.name}/{task_key}: {status} ({obj_rec.provider})")


def _today_option(f: F) -> F:
    return click.option("--today", "today_", metavar="YYYY-MM-DD", envvar="COLLABSYNC_TODAY",
                        help="Fix 'today' for overdue (default: the real date).")(f)


@main.command()
@click.argument("instance", required=False)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table", show_default=True,
              help="Output format.")
@_today_option
@pass_ctx
def status(obj: Ctx, instance: str | None, fmt: str, today_: str | None) -> None:
    """How far each department is: counts by status, overdue and percent done.

    \b
    Example:
      collabsync status nova --format json
    """
    from collabsync.query import collect, resolve_instance
    from collabsync.runtime import today
    from collabsync.views import print_status, status_summary

    day = today(today_)
    with obj.workspace(use_cache=True) as ws:
        snap = collect(ws, resolve_instance(ws, instance))
    summary = status_summary(snap, day)
    if fmt == "json":
        click.echo(json.dumps(summary, indent=2))
    else:
        print_status(summary, markdown=fmt == "markdown")
    if snap.stale:
        sys.exit(3)


@main.command()
@click.argument("instance", required=False)
@click.option("--department", help="Only this department's tasks.")
@click.option("--status", "status_", type=click.Choice(STATUSES), help="Only tasks in this status.")
@click.option("--overdue", is_flag=True, help="Only open tasks past their due date.")
@click.option("--blocked", is_flag=True, help="Only blocked tasks.")
@click.option("--assignee", help="Only tasks of this assignee.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True,
              help="Output format.")
@_today_option
@pass_ctx
def tasks(obj: Ctx, instance: str | None, department: str | None, status_: str | None, overdue: bool,
          blocked: bool, assignee: str | None, fmt: str, today_: str | None) -> None:
    """List an instance's tasks across every tool, filtered.

    \b
    Example:
      collabsync tasks nova --overdue --department sales
    """
    from collabsync.query import collect, filter_tasks, resolve_instance, task_row
    from collabsync.runtime import today
    from collabsync.views import print_tasks

    day = today(today_)
    with obj.workspace(use_cache=True) as ws:
        snap = collect(ws, resolve_instance(ws, instance))
    rows = [task_row(t) for t in filter_tasks(snap.tasks, today=day, department=department, status=status_,
                                              overdue=overdue, blocked=blocked, assignee=assignee)]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
    elif fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(rows[0]) if rows else ["key"], lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "depends_on": " ".join(row["depends_on"])})
        click.echo(buf.getvalue(), nl=False)
    else:
        print_tasks(rows)
    for dept, why in snap.stale.items():
        click.echo(f"warning: {dept} could not be read: {why}", err=True)


@main.command()
@click.argument("instance")
@click.argument("source")
@click.option("--department", help="Department of the source's tasks (the fallback when --map is used).")
@click.option("--provider", "provider", help="Configured provider to read SOURCE with (default: the department's).")
@click.option("--map-by", type=click.Choice(["label", "section"]),
              help="Take each task's department from a label, or from its section/list/component.")
@click.option("--map", "maps", multiple=True, metavar="VALUE=DEPARTMENT", help="One mapping entry; repeat.")
@pass_ctx
def track(obj: Ctx, instance: str, source: str, department: str | None, provider: str | None,
          map_by: str | None, maps: tuple[str, ...]) -> None:
    """Add existing work (a Jira project or JQL, a Trello board, an Asana project, a local container) to INSTANCE.

    The instance is created if needed; tracked and stamped sources can mix in one instance.

    \b
    Example:
      collabsync track q3-launch ENG --department engineering
      collabsync track q3-launch https://trello.com/b/AbC123 --provider trello --map-by label --map Sales=sales
    """
    from collabsync.track import DepartmentMap
    from collabsync.track import track as do_track

    if maps and not map_by:
        raise click.BadParameter("--map needs --map-by", param_hint="--map")
    mapping = DepartmentMap(map_by, _parse_vars(maps)) if map_by else None
    if not _INSTANCE_RE.match(instance):
        raise click.BadParameter("use 1-64 letters, digits, '.', '_' or '-'", param_hint="INSTANCE")
    with obj.workspace() as ws:
        name, container = do_track(ws, instance, source, department=department, provider=provider, mapping=mapping)
    click.echo(f"{instance}: tracking {container.name} ({name}) {container.url}".rstrip())


@main.command()
@click.argument("instance")
@click.argument("source")
@pass_ctx
def untrack(obj: Ctx, instance: str, source: str) -> None:
    """Stop tracking a source in INSTANCE (nothing in the tool is touched).

    \b
    Example:
      collabsync untrack q3-launch ENG
    """
    from collabsync.track import untrack as do_untrack

    with obj.workspace() as ws:
        do_untrack(ws, instance, source)
    click.echo(f"{instance}: no longer tracking {source}")


@main.command()
def instances() -> None:
    """List the instances in the ledger.

    \b
    Example:
      collabsync instances
    """
    from collabsync.ledger import Ledger

    with Ledger(home_dir() / "ledger.sqlite") as ledger:
        for rec in ledger.instances():
            click.echo(f"{rec.name:24} {rec.template or '(tracked)':24} {rec.state:10} {rec.updated_at}")


if __name__ == "__main__":  # pragma: no cover
    main()
