"""`collabsync sandbox`: try all four tools in one command, with no account anywhere.

Starts the Jira, Trello and Asana emulators of `collabsync.testing` on 127.0.0.1 in this process,
seeds what the config routes to (a Jira project, a Trello workspace, an Asana team), writes a
config that spreads departments across Jira, Trello, Asana and `local`, and serves until stopped.
"""

from __future__ import annotations

import shlex
import shutil
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import click

from collabsync.errors import ConfigError

__all__ = ["sandbox", "SANDBOX_ROUTES", "MARKER"]

#: Engineering on Jira, sales on Trello, marketing on Asana; every other department on `local`.
SANDBOX_ROUTES = {"engineering": "jira", "sales": "trello", "marketing": "asana"}
#: Written into a folder the sandbox owns, so a later run may clear it and never another folder.
MARKER = ".collabsync-sandbox"


def prepare_folder(folder: Path) -> Path:
    """The folder, emptied of an earlier sandbox's state; refuses a non-empty folder it did not make."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = [p for p in folder.iterdir() if p.name != MARKER]
    if entries and not (folder / MARKER).exists():
        raise ConfigError.single(
            "--dir", f"{folder} is not empty and was not made by `collabsync sandbox`; pick an empty or new folder"
        )
    for name in ("collabsync.toml", "env.sh"):
        (folder / name).unlink(missing_ok=True)
    home = folder / "home"
    if home.exists():  # the emulators keep data in memory: an old ledger would point at nothing
        shutil.rmtree(home)
    home.mkdir()
    (folder / MARKER).write_text("made by collabsync sandbox; safe to delete\n", encoding="utf-8")
    return home


@contextmanager
def stop_signals() -> Iterator[threading.Event]:
    """An event set by Ctrl-C or SIGTERM; the previous handlers come back afterwards."""
    stop = threading.Event()

    def handle(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@click.command()
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False),
    default="collabsync-sandbox",
    show_default=True,
    help="Folder for the sandbox's config, env file and collabsync home (cleared on each start).",
)
def sandbox(folder: str) -> None:
    """Run Jira, Trello and Asana emulators on loopback with a config that uses all four tools.

    Engineering goes to Jira, sales to Trello, marketing to Asana and every other department to the
    built-in local tool. The emulators keep their data in memory until you stop the sandbox with
    Ctrl-C (or SIGTERM); use it from another terminal with the commands it prints.

    \b
    Example:
      collabsync sandbox --dir /tmp/sandbox
    """
    from collabsync.testing.stack import running_stack

    root = Path(folder).resolve()
    home = prepare_folder(root)
    with stop_signals() as stop, running_stack() as stack:
        config = stack.write_config(root / "collabsync.toml", SANDBOX_ROUTES)
        config.chmod(0o600)  # emulator credentials only, but a config is a secrets file all the same
        exports = f"export COLLABSYNC_CONFIG={shlex.quote(str(config))} COLLABSYNC_HOME={shlex.quote(str(home))}"
        (root / "env.sh").write_text(exports + "\n", encoding="utf-8")
        routes = ", ".join(f"{dept} -> {tool}" for dept, tool in SANDBOX_ROUTES.items())
        click.echo(
            f"collabsync sandbox: Jira {stack.jira.root_url} (project {stack.jira_project}), "
            f"Trello {stack.trello.root_url} (workspace {stack.trello_workspace}), "
            f"Asana {stack.asana.root_url} (team {stack.asana.team_gid}); loopback only"
        )
        click.echo(f"config: {config} ({routes}, every other department -> local)")
        click.echo("In another terminal:")
        click.echo(f"  . {shlex.quote(str(root / 'env.sh'))}")
        click.echo("  collabsync stamp product-launch --name nova --var product=Nova --var launch=2027-03-01 --yes")
        click.echo("  collabsync status nova")
        click.echo("  collabsync report nova --format html --output nova.html")
        click.echo("Press Ctrl-C to stop; the tools' data lives in memory and goes with them.")
        while not stop.wait(0.5):
            pass
    click.echo("collabsync sandbox: stopped", err=True)
