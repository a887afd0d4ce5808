"""The root group's lazy loading: every command is listed, only the invoked one's module is imported (issue 17)."""

from __future__ import annotations

from importlib import import_module

import click

from collabsync.commands.support import CollabsyncGroup

__all__ = ["LAZY_COMMANDS", "LazyGroup"]

#: Commands defined in collabsync/commands/: name -> (module, attribute, the one-line help `--help` lists).
#: Only the invoked command's module is imported (issue 17: start-up); tests/test_startup_imports.py checks each
#: help line against the command's own docstring, so the two cannot drift apart.
LAZY_COMMANDS: dict[str, tuple[str, str, str]] = {
    "init": ("setup", "init", "Write a commented starter collabsync.toml."),
    "config": ("setup", "config", "Inspect and verify the configuration."),
    "templates": ("setup", "templates", "List, show and validate cross-department templates."),
    "report": (
        "report",
        "report",
        "One status report across every tool: health, progress, schedule, critical path, changes.",
    ),
    "history": (
        "report",
        "history",
        "The stored report snapshots of an instance with their headline numbers, oldest first.",
    ),
    "doctor": (
        "doctor",
        "doctor",
        "Check every destination against the live tools before stamping; writes nothing.",
    ),
    "sandbox": (
        "sandbox",
        "sandbox",
        "Run Jira, Trello and Asana emulators on loopback with a config that uses all four tools.",
    ),
    "reschedule": (
        "daytwo",
        "reschedule",
        "Recompute every date of INSTANCE from its template and new variables; move open tasks in every tool.",
    ),
    "diff": (
        "daytwo",
        "diff",
        "Show where the tools differ from what was stamped, and the stamp from the template as it is now.",
    ),
    "archive": (
        "daytwo",
        "archive",
        "Close INSTANCE in every tool: resolve the Jira epic, archive the Trello board (or its cards), the Asana project.",
    ),
    "people": (
        "people",
        "people",
        "List each person with their id in each tool, and where they could not be found.",
    ),
    "reassign": (
        "people",
        "reassign",
        "Give a role's open tasks in every tool to another person; done tasks keep their assignee.",
    ),
    "publish": ("publish", "publish", "Write the joint status into each department's tool, in that tool's own form."),
    "track": (
        "track",
        "track",
        "Add existing work (a Jira project or JQL, a Trello board, an Asana project, a local container) to INSTANCE.",
    ),
    "untrack": ("track", "untrack", "Stop tracking a source in INSTANCE (nothing in the tool is touched)."),
}


class LazyGroup(CollabsyncGroup):
    """The root group: lists every command but imports a command module only when that command runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command, those defined in cli.py and the lazy ones, sorted as click sorts them."""
        return sorted({*self.commands, *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command, importing its module on first use; None (click's own error) for an unknown name."""
        if cmd_name not in self.commands and cmd_name in LAZY_COMMANDS:
            module, attr, _ = LAZY_COMMANDS[cmd_name]
            self.add_command(getattr(import_module(f"collabsync.commands.{module}"), attr), cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """`collabsync --help` from the table, so listing the commands imports none of their modules."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:  # a bare Command shortens the table's line exactly as the real one shortens its help
            cmd = self.commands.get(name) or click.Command(name, help=LAZY_COMMANDS[name][2])
            if not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)
