"""The `report` and `history` commands: thin click wrappers over collabsync.report.nightly and .history."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from collabsync.commands.support import Ctx, pass_ctx, today_option, user_template_dirs, wait_option
from collabsync.gcpause import gc_paused

if TYPE_CHECKING:
    import datetime as dt

    from collabsync.report.nightly import InstanceRun
    from collabsync.runtime import Workspace

__all__ = ["history", "report"]


@click.command()
@click.argument("instances", metavar="[INSTANCE]...", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Every instance in the ledger.")
@click.option(
    "--format",
    "formats",
    default=None,
    metavar="FMT[,FMT...]",
    help="Comma-separated: html (one self-contained file), md or markdown (Markdown), csv (one row per "
    "task), json (with schema_version), table (a short terminal summary). Default: table on the "
    "terminal (not stored as a snapshot), the file's extension with --output, html with --out.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    metavar="DIR",
    help="Write <instance>.<ext> per instance and format into DIR (created if needed).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="One instance, one format: write to this file instead of stdout.",
)
@click.option("--no-save", is_flag=True, help="Do not store this run as a history snapshot.")
@click.option(
    "--publish",
    "publish_",
    is_flag=True,
    help="Also write each department's status into its tool, as `collabsync publish` does.",
)
@click.option(
    "--email",
    "email_to",
    metavar="TO[,TO...]",
    default=None,
    help="Also send one e-mail digest (HTML and Markdown parts) via the [email] settings; an empty "
    "value sends to [email] to.",
)
@today_option
@wait_option
@pass_ctx
def report(
    obj: Ctx,
    instances: tuple[str, ...],
    every: bool,
    formats: str,
    out_dir: str | None,
    output: str | None,
    no_save: bool,
    publish_: bool,
    email_to: str | None,
    today_: str | None,
    wait: float,
) -> None:
    """One status report across every tool: health, progress, schedule, critical path, changes.

    Reads every tool fresh (no HTTP cache), concurrently across tools, and never prompts, so it can
    run from cron or a systemd timer. Only one report run at a time: a second one exits 1. Each
    run stores one snapshot per instance (see `collabsync history`), so the next report shows a
    burn-up and what changed. A tool that does not answer is shown from its last good snapshot,
    marked stale with that time, and the command exits 3 (0: all tools answered, 1: error).

    \b
    Example:
      collabsync report nova --format html --output nova.html
      collabsync report nova --format md --no-save
      collabsync report --all --format html,md,json --out /srv/reports
      collabsync report --all --out /srv/reports --publish --email ops@example.com

    With --out and --all the folder also gets index.html, the portfolio page.
    """
    from collabsync.config import home_dir
    from collabsync.report.history import History
    from collabsync.report.nightly import (
        RunLock,
        parse_formats,
        report_instance,
        run_reports,
        select_instances,
        write_atomically,
    )
    from collabsync.report.render import FILE_FORMATS
    from collabsync.report.reporting import history_path
    from collabsync.runtime import today

    if out_dir and output:
        raise click.UsageError("use --out DIR or -o/--output FILE, not both")
    glance = formats is None and not output and not out_dir  # a look in the terminal, not a run to keep
    if formats is None:
        formats = _format_of(output) if output else ("html" if out_dir else "table")
    try:
        fmts = parse_formats(formats)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--format") from None
    if (out_dir or output) and "table" in fmts:
        raise click.BadParameter(
            f"table is the terminal summary; write files as {', '.join(FILE_FORMATS)}", param_hint="--format"
        )
    no_save = no_save or glance
    day = today(today_)
    with gc_paused(), RunLock(home_dir()), obj.workspace(use_cache=False) as ws:
        records = select_instances(ws, instances, every)
        if not out_dir and (len(records) > 1 or len(fmts) > 1):
            raise click.UsageError("several instances or formats need --out DIR")
        with History(history_path(ws.home)) as store:
            if out_dir:
                result = run_reports(
                    ws,
                    records,
                    fmts,
                    out_dir=Path(out_dir),
                    today=day,
                    store=store,
                    save=not no_save,
                    template_dirs=user_template_dirs(),
                    on_done=_say,
                )
                if every:
                    _portfolio(Path(out_dir), result.runs, fmts, day)
                failed = _share(ws, result.runs, publish_, email_to, day, wait)
                sys.exit(1 if failed else result.exit_code)
            run = report_instance(
                ws, records[0], fmts, today=day, store=store, save=not no_save, template_dirs=user_template_dirs()
            )
            failed = _share(ws, [run], publish_, email_to, day, wait)
    text = run.texts[fmts[0]]
    if output:
        write_atomically(Path(output), text)
        click.echo(f"{run.instance}: {run.health} report written to {output}", err=True)
    else:
        click.echo(text, nl=False)
    _say_stale(run)
    if failed:
        sys.exit(1)
    if run.stale:
        sys.exit(3)


def _portfolio(out_dir: Path, runs: list[InstanceRun], fmts: list[str], day: dt.date) -> None:
    from collabsync.report.digest import write_portfolio

    if write_portfolio(out_dir, runs, fmts, day) is None:  # written silently: the log is one line per instance
        click.echo("warning: an instance is named 'index': the portfolio page index.html was not written", err=True)


def _share(
    ws: Workspace, runs: list[InstanceRun], publish_: bool, email_to: str | None, day: dt.date, wait: float
) -> bool:
    """--publish and --email after the reports are written; True when one of them failed."""
    from collabsync.errors import CollabsyncError

    failed = False
    if publish_:
        from collabsync.commands.publish import publish_reports

        failed |= publish_reports(ws, [r.report for r in runs if r.report is not None], wait)
    if email_to is not None:
        from collabsync.report.digest import email_digest

        try:
            sent = email_digest(ws.config, runs, email_to, day)
            click.echo(f"e-mail: digest sent to {', '.join(sent)}", err=True)
        except CollabsyncError as exc:
            click.echo(f"error: {exc}", err=True)
            failed = True
    return failed


@click.command()
@click.argument("instance", required=False)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True, help="Output format."
)
@pass_ctx
def history(obj: Ctx, instance: str | None, fmt: str) -> None:
    """The stored report snapshots of an instance with their headline numbers, oldest first.

    \b
    Example:
      collabsync history nova
      collabsync history nova --format json
    """
    from collabsync.reading.query import resolve_instance
    from collabsync.report.history import History
    from collabsync.report.reporting import history_path
    from collabsync.report.rollup_model import jsonable

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
    click.echo(
        f"{'id':>4}  {'taken at (UTC)':16}  {'today':10}  {'health':6}  {'done':>9}  {'%':>5}  "
        f"{'overdue':>7}  {'blocked':>7}  {'variance':>8}  projected"
    )
    for h in heads:
        variance = "—" if h.variance_days is None else f"{h.variance_days:+g}"
        click.echo(
            f"{h.id:>4}  {h.taken_at.strftime('%Y-%m-%d %H:%M'):16}  {h.today.isoformat():10}  {h.health:6}  "
            f"{f'{h.done}/{h.total}':>9}  {h.percent_done:>5g}  {h.overdue:>7}  {h.blocked:>7}  "
            f"{variance:>8}  {h.projected_finish.isoformat() if h.projected_finish else '—'}"
        )


def _format_of(output: str) -> str:
    """The format an --output file's extension names; a usage error when it names none."""
    ext = Path(output).suffix.lower().lstrip(".")
    fmt = {"htm": "html", "markdown": "md"}.get(ext, ext)
    if fmt not in ("html", "md", "csv", "json"):
        raise click.UsageError(
            f"cannot tell the format of {output!r} from its extension; pass --format html, md, csv or json"
        )
    return fmt


def _say(run: InstanceRun) -> None:
    """One line per instance on stderr, as each finishes (a nightly log reads like a list)."""
    if run.error:
        click.echo(f"error: {run.instance}: {run.error}", err=True)
        return
    files = ", ".join(str(p) for p in run.files)
    click.echo(f"{run.instance}: {run.health}{' (stale data)' if run.stale else ''}; wrote {files}", err=True)
    _say_stale(run)


def _say_stale(run: InstanceRun) -> None:
    from collabsync.report.reporting import stale_warning

    for dept, why in run.stale.items():
        click.echo(stale_warning(run.instance, dept, run.stale_since.get(dept), why), err=True)
