"""Running the click app in-process in tests: the output of a command that must succeed."""

from __future__ import annotations


def cli(*args: str) -> str:
    """Invoke `collabsync ARGS`; assert exit 0 (showing the output otherwise) and return stdout."""
    from click.testing import CliRunner

    from collabsync.cli import main

    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout
