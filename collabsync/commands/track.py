"""`collabsync track` and `untrack`: adding existing work in a tool to an instance, and letting it go."""

from __future__ import annotations

import click

from collabsync.commands.support import INSTANCE_RE, Ctx, parse_vars, pass_ctx, wait_option

__all__ = ["track", "untrack"]


@click.command()
@click.argument("instance")
@click.argument("source")
@click.option("--department", help="Department of the source's tasks (the fallback when --map is used).")
@click.option("--provider", "provider", help="Configured provider to read SOURCE with (default: the department's).")
@click.option(
    "--map-by",
    type=click.Choice(["label", "section"]),
    help="Take each task's department from a label, or from its section/list/component.",
)
@click.option("--map", "maps", multiple=True, metavar="VALUE=DEPARTMENT", help="One mapping entry; repeat.")
@wait_option
@pass_ctx
def track(
    obj: Ctx,
    instance: str,
    source: str,
    department: str | None,
    provider: str | None,
    map_by: str | None,
    maps: tuple[str, ...],
    wait: float,
) -> None:
    """Add existing work (a Jira project or JQL, a Trello board, an Asana project, a local container) to INSTANCE.

    The instance is created if needed; tracked and stamped sources can mix in one instance.

    \b
    Example:
      collabsync track q3-launch ENG --department engineering
      collabsync track q3-launch https://trello.com/b/AbC123 --provider trello --map-by label --map Sales=sales
    """
    from collabsync.lock import instance_lock
    from collabsync.reading.track import DepartmentMap
    from collabsync.reading.track import track as do_track

    if maps and not map_by:
        raise click.BadParameter("--map needs --map-by", param_hint="--map")
    mapping = DepartmentMap(map_by, parse_vars(maps)) if map_by else None
    if not INSTANCE_RE.match(instance):
        raise click.BadParameter("use 1-64 letters, digits, '.', '_' or '-'", param_hint="INSTANCE")
    with obj.workspace() as ws, instance_lock(ws.home, instance, "track", wait):
        name, container = do_track(ws, instance, source, department=department, provider=provider, mapping=mapping)
    click.echo(f"{instance}: tracking {container.name} ({name}) {container.url}".rstrip())


@click.command()
@click.argument("instance")
@click.argument("source")
@wait_option
@pass_ctx
def untrack(obj: Ctx, instance: str, source: str, wait: float) -> None:
    """Stop tracking a source in INSTANCE (nothing in the tool is touched).

    \b
    Example:
      collabsync untrack q3-launch ENG
    """
    from collabsync.lock import instance_lock
    from collabsync.reading.track import untrack as do_untrack

    with obj.workspace() as ws, instance_lock(ws.home, instance, "untrack", wait):
        do_untrack(ws, instance, source)
    click.echo(f"{instance}: no longer tracking {source}")
