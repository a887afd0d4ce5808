"""`collabsync doctor`: preflight every destination of a template (or a stamped instance), read-only."""

from __future__ import annotations

import json
import sys

import click

from collabsync.commands.support import INSTANCE_RE, Ctx, format_option, parse_vars, pass_ctx, user_template_dirs
from collabsync.errors import ConfigError

__all__ = ["doctor"]


@click.command()
@click.argument("template", required=False)
@click.option("--name", "instance", help="Instance name the stamp will use (with TEMPLATE).")
@click.option("--var", "variables", multiple=True, metavar="KEY=VALUE", help="Template variable; repeat for each.")
@click.option("--instance", "stamped", help="Check the destinations of an instance already stamped (no TEMPLATE).")
@format_option("the findings")
@pass_ctx
def doctor(
    obj: Ctx, template: str | None, instance: str | None, variables: tuple[str, ...], stamped: str | None, fmt: str
) -> None:
    """Check every destination against the live tools before stamping; writes nothing.

    Each finding is blocking (stamp refuses to write), degrade (stamp writes something else,
    shown in the table) or info, with what to change and where. Exits 1 when any is blocking.

    \b
    Example:
      collabsync doctor product-launch --name nova --var product=Nova --var launch=2027-03-01
      collabsync doctor --instance nova --format json
    """
    from collabsync.stamping.doctor import check, render_text
    from collabsync.templating.template import find_template

    if bool(template) == bool(stamped):
        raise click.UsageError("give TEMPLATE (with --name and --var) or --instance NAME, not both")
    with obj.workspace() as ws:
        if stamped:
            record = ws.ledger.instance(stamped)
            if record is None or record.spec is None:
                raise ConfigError.single(
                    "--instance", f"no stamped instance {stamped!r} in the ledger (see `collabsync instances`)"
                )
            report = check(record.spec, ws, existing=True)
        else:
            name = instance or "doctor-check"
            if not INSTANCE_RE.match(name):
                raise click.BadParameter("use 1-64 letters, digits, '.', '_' or '-'", param_hint="--name")
            spec = find_template(str(template), user_template_dirs()).render(
                name, parse_vars(variables), role_config=ws.config.roles
            )
            report = check(spec, ws)
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        for line in render_text(report):
            click.echo(line)
    if report.blocking:
        sys.exit(1)
