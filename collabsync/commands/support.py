"""What every CLI module shares: the run context, error handling, common options and parsers."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:  # imported where an error is handled: `collabsync --help` loads neither errors nor the model
    from collabsync.errors import CollabsyncError

__all__ = [
    "Ctx",
    "pass_ctx",
    "CollabsyncGroup",
    "fail",
    "parse_vars",
    "today_option",
    "format_option",
    "yes_option",
    "fresh_option",
    "user_template_dirs",
    "INSTANCE_RE",
    "STATUSES",
    "wait_option",
]

F = TypeVar("F", bound=Callable[..., Any])
INSTANCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
#: collabsync.model.Status's values, for --status choices without importing the model (tests/test_first_request_path.py
#: checks they agree).
STATUSES = ["todo", "in_progress", "blocked", "done", "cancelled"]


class Ctx:
    """Options shared by every command."""

    def __init__(self, config: str | None, verbose: bool) -> None:
        self.config_path = config
        self.verbose = verbose
        self._warned: set[str] = set()

    def config(self, *, check_env: bool = False) -> Any:
        """Load and validate the config (errors before any write); its warnings go to stderr once."""
        from collabsync.config import load_config  # not at import: `collabsync --help` reads no config

        cfg = load_config(self.config_path, check_env=check_env)
        for warning in cfg.warnings:
            if warning not in self._warned:
                self._warned.add(warning)
                click.echo(f"warning: {warning}", err=True)
        return cfg

    def workspace(self, *, use_cache: bool = False) -> Any:
        """A workspace over the config and COLLABSYNC_HOME."""
        from collabsync.config import home_dir
        from collabsync.runtime import Workspace

        return Workspace(self.config(), home_dir(), use_cache=use_cache)


pass_ctx = click.make_pass_decorator(Ctx)


class CollabsyncGroup(click.Group):
    """Turns collabsync errors into one clear message and exit 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        from collabsync.errors import CollabsyncError

        try:
            return super().invoke(ctx)
        except CollabsyncError as exc:
            fail(exc)
        except BrokenPipeError:  # `collabsync tasks | head`: the reader left, nothing to report
            sys.stderr.close()
            sys.exit(0)
        except (KeyboardInterrupt, click.Abort):
            click.echo("aborted", err=True)
            sys.exit(130)
        except (click.ClickException, click.exceptions.Exit, SystemExit):
            raise
        except Exception as exc:  # a bug: say so briefly; --verbose shows the traceback
            import logging

            logging.getLogger("collabsync").debug("internal error", exc_info=True)
            from collabsync.redact import redact

            click.echo(
                f"error: internal error ({type(exc).__name__}: {redact(str(exc))}); run with --verbose for details",
                err=True,
            )
            sys.exit(1)


def fail(exc: CollabsyncError) -> None:
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


def parse_vars(pairs: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{pair!r}: write KEY=VALUE")
        out[key.strip()] = value.strip()
    return out


def today_option(f: F) -> F:
    return click.option(
        "--today",
        "today_",
        metavar="YYYY-MM-DD",
        envvar="COLLABSYNC_TODAY",
        help="Fix 'today' for overdue (default: the real date).",
    )(f)


def format_option(what: str) -> Callable[[F], F]:
    """--format table|json for a command that prints WHAT (the plan, the findings, ...)."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "json"]),
        default="table",
        show_default=True,
        help=f"How to print {what}.",
    )


def yes_option(f: F) -> F:
    """--yes/-y: a writing verb applies its plan without asking."""
    return click.option("--yes", "-y", is_flag=True, help="Apply without asking.")(f)


def fresh_option(f: F) -> F:
    """--fresh: skip the read cache (answers of the last [cache] ttl seconds) and ask every tool."""
    return click.option("--fresh", is_flag=True, help="Ask every tool now instead of reusing cached answers.")(f)


def wait_option(f: F) -> F:
    """--wait: how long a run that writes waits for another run of the same instance (the instance lock)."""
    from collabsync.lock import DEFAULT_WAIT

    return click.option(
        "--wait",
        "wait",
        type=click.FloatRange(min=0),
        default=DEFAULT_WAIT,
        show_default=True,
        metavar="SECONDS",
        help="Wait this long for another run of the instance, then exit 1.",
    )(f)


def user_template_dirs() -> list[Path]:
    """Where a user's own templates are listed from."""
    from collabsync.config import home_dir

    return [home_dir() / "templates"]
