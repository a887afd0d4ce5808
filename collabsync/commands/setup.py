"""Setting up: `init`, `config check` and the `templates` commands."""

from __future__ import annotations

import json
import sys

import click

from collabsync.commands.support import Ctx, pass_ctx, user_template_dirs
from collabsync.config import home_dir
from collabsync.errors import TemplateError

__all__ = ["init", "config", "templates"]


@click.command()
@click.option(
    "--path",
    type=click.Path(dir_okay=False),
    default="collabsync.toml",
    show_default=True,
    help="Where to write the starter config.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path: str, force: bool) -> None:
    """Write a commented starter collabsync.toml.

    \b
    Example:
      collabsync init && $EDITOR collabsync.toml && collabsync config check
    """
    from collabsync.starter import write_starter_config

    click.echo(f"wrote {write_starter_config(path, force=force)}")


@click.group()
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
    from collabsync.stamping.doctor import connections

    cfg = obj.config(check_env=True)
    click.echo(f"config: {cfg.source}: ok")
    failed = 0
    with Workspace(cfg, home_dir()) as ws:
        if offline:
            for name, pc in cfg.providers.items():
                click.echo(f"provider {name} ({pc.type}): settings ok")
        for name, kind, who, error in () if offline else connections(ws):  # printed as each tool answers
            if error is None:
                click.echo(f"provider {name} ({kind}): ok, {who}")
            else:
                failed += 1
                click.echo(f"provider {name} ({kind}): FAILED: {error}", err=True)
    for dept, dc in cfg.departments.items():
        click.echo(f"department {dept} -> {dc.provider} {json.dumps(dc.destination)}")
    if failed:
        sys.exit(1)


# -- templates --------------------------------------------------------------------------------------
@click.group()
def templates() -> None:
    """List, show and validate cross-department templates.

    \b
    Example:
      collabsync templates list
    """


@templates.command("list")
def templates_list() -> None:
    """List shipped templates (and those in $COLLABSYNC_HOME/templates).

    \b
    Example:
      collabsync templates list
    """
    from collabsync.templating.template import list_templates, load_template

    for name, path in list_templates(user_template_dirs()):
        try:
            t = load_template(path)
            click.echo(f"{name:24} {len(t.data['tasks']):3} tasks  {', '.join(t.data['departments'])}")
        except TemplateError as exc:
            click.echo(f"{name:24} INVALID ({len(exc.problems)} problems)")


@templates.command("show")
@click.argument("name")
def templates_show(name: str) -> None:
    """Show a template's variables, roles, departments and tasks.

    \b
    Example:
      collabsync templates show customer-onboarding
    """
    from collabsync.templating.template import find_template

    t = find_template(name, user_template_dirs())
    click.echo(f"{t.name}: {t.title}  ({t.path})")
    click.echo("variables:")
    for var, decl in t.variables.items():
        default = f" [default: {decl['default']}]" if "default" in decl else ""
        click.echo(f"  {var} ({decl['type']}): {decl.get('description', '')}{default}")
    roles = t.data.get("roles") or {}
    if roles:
        click.echo("roles (--role NAME=EMAIL):")
    for role, decl in roles.items():
        how = [f"department {decl['department']}"] if decl.get("department") else []
        how += ["unbound: tasks unassigned"] if decl.get("required") is False else ["must be bound"]
        click.echo(f"  {role}: {decl.get('description', '')} [{'; '.join(how)}]")
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
    from collabsync.templating.template import load_template

    problems = []
    for f in files:
        try:
            load_template(f)
            click.echo(f"{f}: ok")
        except TemplateError as exc:
            problems.extend(exc.problems)
    if problems:
        raise TemplateError(problems)
