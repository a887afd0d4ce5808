"""Shared by the Jira and Asana day-two fault tests: the emulator-level fault gate, a subject on a SaaS emulator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from collabsync.testing.asana import AsanaEmulator
from collabsync.testing.core import Emulator
from collabsync.testing.jira import JiraEmulator
from test_day_two_faults import V1, V2

#: three sales tasks sharing their dates: a Jira Cloud reschedule moves them with one bulk edit
TRIO = "".join(
    f'  - {{key: g{i}, title: "Check {{{{ product }}}} list {i}", department: sales, due: launch - 1bd}}\n'
    for i in (1, 2, 3)
)


class EmulatorGate:
    """The fault gate at the HTTP layer: the emulator refuses (503) or applies and drops the connection."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu

    def writes_seen(self) -> int:
        return len(self.emu.write_log())

    def write_log(self) -> list[str]:
        return self.emu.write_log()

    def fail_writes_after(self, n: int | None, *, lose_reply: bool = False) -> None:
        self.emu._writes = 0  # counted only while a stop is armed
        self.emu.faults.stop_after_writes = n
        self.emu.faults.lose_reply_after_stop = lose_reply


def saas_subject(kind: str) -> Iterator[Emulator]:
    """Sales on the `subject` provider (Jira Cloud or Asana on its emulator, no retries); ops on local."""
    emu: Emulator
    if kind == "jira":
        jira = JiraEmulator(rate_limits=[]).start()
        jira.add_project("ENG", "Engineering")
        subject = (
            f'type = "jira"\nurl = "{jira.root_url}"\nemail = "{jira.email}"\napi_token = "{jira.api_token}"\n'
            'deployment = "cloud"\n'
        )
        dest, emu = 'project = "ENG"\n', jira
    else:
        asana = AsanaEmulator(rate_limits=[]).start()
        subject = (
            f'type = "asana"\ntoken = "{asana.token}"\nworkspace = "{asana.workspace_gid}"\n'
            f'team = "{asana.team_gid}"\nbase_url = "{asana.base_url}"\n'
            "requests_per_minute = 100000\n"
        )  # a loopback emulator: not the free plan's 150 a minute
        dest, emu = f'team = "{asana.team_gid}"\n', asana
    Path("collabsync.toml").write_text(
        '[defaults]\nprovider = "local"\n\n[providers.local]\ntype = "local"\n\n'
        f"[providers.subject]\n{subject}max_retries = 0\nbackoff = 0\n\n"
        f'[departments.sales]\nprovider = "subject"\n{dest}'
    )
    Path("tiny.yaml").write_text(V1 + TRIO)
    Path("tiny2.yaml").write_text(V2 + TRIO)
    yield emu
    emu.stop()
