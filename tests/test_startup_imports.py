"""Issue 17: paths that do not need an SDK, rich, jinja2, jsonschema or requests must not import them.

Each case runs the CLI in a fresh interpreter (imports are per process) and lists the heavy packages
in sys.modules afterwards; nothing is timed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = (
    "asana",
    "jira",
    "trello",
    "rich",
    "jinja2",
    "jsonschema",
    "requests",
    "urllib3",
    "holidays",
    "yaml",
    "werkzeug",
)
PROBE = """
import json, runpy, sys
sys.argv = ["collabsync", *sys.argv[1:]]
try:
    runpy.run_module("collabsync", run_name="__main__")
except SystemExit as exc:
    code = exc.code
else:
    code = 0
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(HEAVY))
ours = sorted(m for m in sys.modules if m.startswith("collabsync."))
sys.stderr.write("\\nIMPORTED " + json.dumps({"code": code, "heavy": heavy, "ours": ours}) + "\\n")
"""


def imported(home: Path, *args: str) -> tuple[object, list[str], str]:
    """(exit code, heavy packages imported, stdout) of one CLI run in a fresh interpreter."""
    code, heavy, out, _ = imported_all(home, *args)
    return code, heavy, out


def imported_all(home: Path, *args: str) -> tuple[object, list[str], str, list[str]]:
    """imported(), plus the collabsync modules the run loaded."""
    env = {**os.environ, "COLLABSYNC_HOME": str(home)}
    proc = subprocess.run(
        [sys.executable, "-c", f"HEAVY = {HEAVY!r}\n{PROBE}", *args],
        env=env,
        cwd=home,
        capture_output=True,
        text=True,
        timeout=60,
    )
    line = [ln for ln in proc.stderr.splitlines() if ln.startswith("IMPORTED ")][-1]
    found = json.loads(line.removeprefix("IMPORTED "))
    return found["code"], found["heavy"], proc.stdout, found["ours"]


#: What the warm `status` path never needs (issue 17: start-up): the other commands' modules, stamping,
#: template rendering, the report renderers and the emulators. Prefixes of module names.
NOT_ON_STATUS_PATH = (
    "collabsync.commands.daytwo",
    "collabsync.commands.doctor",
    "collabsync.commands.people",
    "collabsync.commands.publish",
    "collabsync.commands.report",
    "collabsync.commands.sandbox",
    "collabsync.commands.setup",
    "collabsync.commands.track",
    "collabsync.stamping",
    "collabsync.templating.template",
    "collabsync.templating.yamlines",
    "collabsync.report.render",
    "collabsync.report.nightly",
    "collabsync.report.publishing",
    "collabsync.testing",
)


def test_help_imports_nothing_heavy(isolated_home: Path) -> None:
    code, heavy, out, ours = imported_all(isolated_home, "--help")
    assert (code, heavy) == (0, [])
    assert "Usage: collabsync" in out
    commands = [m for m in ours if m.startswith("collabsync.commands.")]
    assert commands == ["collabsync.commands.lazy", "collabsync.commands.support"]
    assert not [m for m in ours if m.startswith(("collabsync.report", "collabsync.reading", "collabsync.stamping"))]
    assert "collabsync.config" not in ours  # listing the commands reads no config


def test_one_command_imports_only_its_own_module(isolated_home: Path) -> None:
    code, _, out, ours = imported_all(isolated_home, "templates", "list")
    assert code == 0 and "product-launch" in out
    commands = [m for m in ours if m.startswith("collabsync.commands.")]
    assert commands == ["collabsync.commands.lazy", "collabsync.commands.setup", "collabsync.commands.support"]


def test_the_lazy_table_matches_the_commands() -> None:
    """commands.lazy.LAZY_COMMANDS lists every command of collabsync/commands/ with its own one-line help."""
    import importlib
    import pkgutil

    import click

    import collabsync.commands
    from collabsync.cli import main
    from collabsync.commands.lazy import LAZY_COMMANDS

    defined = {}
    for info in pkgutil.iter_modules(collabsync.commands.__path__):
        module = importlib.import_module(f"collabsync.commands.{info.name}")
        found = {a: v for a, v in vars(module).items() if isinstance(v, click.Command) and v.callback}
        nested = {id(sub) for v in found.values() if isinstance(v, click.Group) for sub in v.commands.values()}
        for attr, value in found.items():  # the top-level commands this module defines (not a group's subcommands)
            if value.callback.__module__ == module.__name__ and id(value) not in nested:
                defined[value.name] = (info.name, attr, value)
    assert sorted(defined) == sorted(LAZY_COMMANDS)
    ctx = click.Context(main)
    for name, (module_name, attr, line) in LAZY_COMMANDS.items():
        cmd = defined[name][2]
        assert (module_name, attr) == defined[name][:2]
        assert main.get_command(ctx, name) is cmd
        for width in (30, 45, 80, 10_000):
            assert click.Command(name, help=line).get_short_help_str(width) == cmd.get_short_help_str(width), name


def test_help_lists_every_command_as_an_eager_group_would() -> None:
    import click

    from collabsync.cli import main
    from collabsync.commands.lazy import LAZY_COMMANDS

    ctx = click.Context(main)
    eager = click.Group("collabsync")
    for name in main.list_commands(ctx):
        command = main.get_command(ctx, name)
        assert command is not None
        eager.add_command(command, name)
    loaded = {name: main.commands.pop(name) for name in LAZY_COMMANDS}  # as at start-up: none loaded yet
    try:
        for width in (60, 80, 120):
            lazy_out, eager_out = click.HelpFormatter(width=width), click.HelpFormatter(width=width)
            main.format_commands(click.Context(main), lazy_out)
            eager.format_commands(click.Context(eager), eager_out)
            assert lazy_out.getvalue() == eager_out.getvalue() and "untrack" in lazy_out.getvalue()
        assert not set(main.commands) & set(LAZY_COMMANDS)  # listing them loaded none
    finally:
        main.commands.update(loaded)


@pytest.fixture
def stamped_local(isolated_home: Path) -> Path:
    """A local instance stamped in this home (the stamp itself may import what it needs)."""
    config = '[defaults]\nprovider = "local"\n[providers.local]\ntype = "local"\n'
    (isolated_home / "collabsync.toml").write_text(config)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "collabsync",
            "stamp",
            "product-launch",
            "--name",
            "nova",
            "--var",
            "product=Nova",
            "--var",
            "launch=2027-03-01",
            "--yes",
        ],
        env={**os.environ, "COLLABSYNC_HOME": str(isolated_home)},
        cwd=isolated_home,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return isolated_home


def test_status_on_local_imports_nothing_heavy(stamped_local: Path) -> None:
    code, heavy, out, ours = imported_all(stamped_local, "status", "nova", "--format", "json", "--today", "2027-01-04")
    assert (code, heavy) == (0, [])
    assert json.loads(out)["overall"]["total"] > 0
    assert [m for m in ours if m.startswith(NOT_ON_STATUS_PATH)] == []


def test_status_table_imports_only_rich(stamped_local: Path) -> None:
    code, heavy, out = imported(stamped_local, "status", "nova", "--today", "2027-01-04")
    assert (code, heavy) == (0, ["rich"])
    assert "overall" in out


def test_a_changed_config_is_checked_again(stamped_local: Path) -> None:
    """The schema memo answers only for the very settings that passed: an edit is validated anew."""
    config = stamped_local / "collabsync.toml"
    config.write_text(config.read_text() + 'path = "' + str(stamped_local / "local.sqlite") + '"\n')
    code, heavy, _ = imported(stamped_local, "status", "nova", "--format", "json", "--today", "2027-01-04")
    assert (code, heavy) == (0, ["jsonschema"])
    config.write_text(config.read_text() + "color = 1\n")
    code, heavy, _ = imported(stamped_local, "status", "nova", "--format", "json", "--today", "2027-01-04")
    assert code == 1 and "jsonschema" in heavy


def test_warm_status_of_a_trello_board_imports_no_sdk(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Secrets from the environment, as the starter config writes them: the config memo and the snapshot
    together answer a warm run without py-trello, requests or jsonschema."""
    import re

    from click.testing import CliRunner

    from collabsync.cli import main
    from collabsync.testing.stack import running_stack

    with running_stack() as stack:
        text = stack.config_toml(cache_ttl=600)
        for i, name in enumerate(("api_token", "api_key", "token")):
            for value in re.findall(rf'^{name} = "([^"]*)"', text, flags=re.M):
                monkeypatch.setenv(f"SECRET_{i}_{len(value)}", value)
                text = text.replace(f'{name} = "{value}"', f'{name} = "${{SECRET_{i}_{len(value)}}}"')
        (isolated_home / "collabsync.toml").write_text(text)
        (board,) = stack.trello.seed_bulk(1, 50, seed=4)
        result = CliRunner().invoke(
            main,
            ["--config", str(isolated_home / "collabsync.toml"), "track", "bulk", board["id"], "--department", "sales"],
        )
        assert result.exit_code == 0, result.output
        code, heavy, out = imported(isolated_home, "status", "bulk", "--format", "json", "--fresh")
        assert code == 0 and "trello" in heavy and json.loads(out)["overall"]["total"] == 50
        stack.trello.reset_log()
        code, heavy, out, ours = imported_all(isolated_home, "status", "bulk", "--format", "json")
        assert (code, heavy) == (0, []) and json.loads(out)["overall"]["total"] == 50
        no_adapter = ("collabsync.providers.", "collabsync.http", "collabsync.ratelimit", "collabsync.people_cache")
        assert [m for m in ours if m.startswith(NOT_ON_STATUS_PATH + no_adapter)] == ["collabsync.providers.registry"]
        assert stack.trello.requests == []


def test_built_in_adapters_are_the_packages_entry_points() -> None:
    """registry.BUILT_IN loads the adapters without the entry-point scan: it must name what pyproject.toml declares."""
    from importlib.metadata import entry_points

    from collabsync.providers.registry import BUILT_IN, ENTRY_POINT_GROUP, provider_class

    declared = {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.value.startswith("collabsync.")}
    assert declared == {name: f"{module}:{attr}" for name, (module, attr) in BUILT_IN.items()}
    for name, (_module, attr) in BUILT_IN.items():
        assert provider_class(name).__name__ == attr
