"""The `report` and `history` commands: thin click wrappers over collabsync.reporting and .history."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import click

from collabsync.cli_support import Ctx, pass_ctx, today_option, user_template_dirs
from collabsync.render import FORMATS

if TYPE_CHECKING:
    from collabsync.dates import Calendar
    from collabsync.ledger import InstanceRecord

__all__ = ["report", "history"]


@click.command()
@click.argument("instance", required=False)
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="html", show_default=True,
              help="html: one self-contained file; md: Markdown; csv: one row per task; json: with schema_version.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
@click.option("--no-save", is_flag=True, help="Do not store this run as a history snapshot.")
@today_option
@pass_ctx
def report(obj: Ctx, instance: str | None, fmt: str, output: str | None, no_save: bool, today_: str | None) -> None:
    """One status report across every tool: health, progress, schedule, critical path, changes.

    Each run is stored as a snapshot (see `collabsync history`) so the next report shows a burn-up
    and what changed. A tool that does not answer is shown from its last good snapshot, marked
    stale, and the command exits 3.

    \b
    Example:
      collabsync report nova --format html --output nova.html
      collabsync report nova --format md --no-save
    """
    from collabsync.history import History
    from collabsync.query import collect, resolve_instance
    from collabsync.redact import redact
    from collabsync.render import render
    from collabsync.reporting import history_path, make_report
    from collabsync.runtime import today

    day = today(today_)
    with obj.workspace(use_cache=True) as ws:
        read = collect(ws, resolve_instance(ws, instance))
        with History(history_path(ws.home)) as store:
            rep, _ = make_report(read, day, store=store, save=not no_save, calendar=_calendar(read.instance))
    text = render(rep, fmt)
    if output:
        _write_atomically(Path(output), text)
        click.echo(f"{rep.instance}: {rep.overall.health} report written to {output}", err=True)
    else:
        click.echo(text, nl=False)
    for dept, why in read.stale.items():
        click.echo(f"warning: {dept} could not be read, shown from its last good snapshot: {redact(why)}", err=True)
    if read.stale:
        sys.exit(3)


@click.command()
@click.argument("instance", required=False)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="Output format.")
@pass_ctx
def history(obj: Ctx, instance: str | None, fmt: str) -> None:
    """The stored report snapshots of an instance with their headline numbers, oldest first.

    \b
    Example:
      collabsync history nova
      collabsync history nova --format json
    """
    from collabsync.history import History
    from collabsync.query import resolve_instance
    from collabsync.reporting import history_path
    from collabsync.rollup_model import jsonable

    with obj.workspace() as ws:
        name = resolve_instance(ws, instance).name
        with History(history_path(ws.home)) as store:
            heads = store.list_snapshots(name)
    if fmt == "json":
        click.echo(json.dumps({"instance": name, "snapshots": jsonable(heads)}, indent=2))
        return
    if not heads:
        click.echo(f"{name}: no snapshots yet; run `collabsync report {name}`")
        return
    click.echo(f"{'id':>4}  {'taken at (UTC)':16}  {'today':10}  {'health':6}  {'done':>9}  {'%':>5}  "
               f"{'overdue':>7}  {'blocked':>7}  {'variance':>8}  projected")
    for h in heads:
        variance = "—" if h.variance_days is None else f"{h.variance_days:+g}"
        click.echo(f"{h.id:>4}  {h.taken_at.strftime('%Y-%m-%d %H:%M'):16}  {h.today.isoformat():10}  {h.health:6}  "
                   f"{f'{h.done}/{h.total}':>9}  {h.percent_done:>5g}  {h.overdue:>7}  {h.blocked:>7}  "
                   f"{variance:>8}  {h.projected_finish.isoformat() if h.projected_finish else '—'}")


def _calendar(record: InstanceRecord) -> Calendar:
    """The business-day calendar of the instance's template; weekends only when it cannot be found."""
    from collabsync.dates import Calendar
    from collabsync.errors import CollabsyncError
    from collabsync.templating import find_template

    ref = record.source or record.template
    if not ref:
        return Calendar()
    try:
        return find_template(ref, user_template_dirs()).calendar
    except (CollabsyncError, OSError, ValueError):
        return Calendar()


def _write_atomically(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder, so a reader never sees half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
