"""The provider conformance kit: behavioural tests every adapter must pass (docs/writing-a-provider.md).

A provider's test module subclasses `ProviderConformance` and defines a `subject` fixture returning a
`Subject`: the adapter's config, a department destination, an inventory of what the tool holds for an
instance (read by content, so duplicates show) and, when the tool is an emulator, its write faults.
The kit stamps a small template that uses every kind of write (container, sections, labels, tasks,
checklists, native and cross-tool dependencies) into the subject plus a `local` peer, and proves:
a refused write and a write whose reply is lost, at every write, and a SIGKILL at points during the
stamp, are all repaired by a re-run with 0 duplicates and 0 missing; a ledger that lost its rows is
rebuilt from the tools' markers; the neutral fields survive a create/read round trip; and, through the
adapter's own reads, status moves, annotations, tracking and declared capabilities hold
(collabsync/testing/conformance_behaviour.py). A provider that declares `Capability.READ_CHANGES` also
proves its incremental reads merge to exactly its full read.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import pytest

from .conformance_behaviour import BehaviourChecks
from .conformance_support import (
    BoundaryFaults,
    WriteFaults,
    child_main,
    describe_task,
    local_inventory,
    register_plugins,
    wrap_subject,
)

if TYPE_CHECKING:
    import datetime as dt

    from collabsync.model import Container, Task
    from collabsync.providers.base import Changes

__all__ = [
    "ProviderConformance",
    "Subject",
    "WriteFaults",
    "BoundaryFaults",
    "local_inventory",
    "describe_task",
    "TEMPLATE",
    "child_main",
]

#: The kit's template: two departments, `team` on the provider under test and `peer` on `local`.
TEMPLATE = textwrap.dedent("""\
    template: conformance
    title: "Conformance {{ run }}"
    description: "Exercises every kind of write a stamp makes."
    variables:
      run: {type: string, description: "Which run"}
      day0: {type: date, description: "Anchor day"}
    departments: [team, peer]
    sections:
      - {key: plan, title: Plan}
      - {key: build, title: Build}
    tasks:
      - key: brief
        title: "Write the brief"
        department: team
        section: plan
        start: day0
        due: day0 + 2d
        labels: [kickoff]
        notes: "Who, what, by when."
        checklist: ["Goals agreed", "Risks listed", "Owner named"]
      - key: design
        title: "Design the thing"
        department: team
        section: build
        start: day0 + 2d
        due: day0 + 5d
        depends_on: [brief]
        checklist: ["Sketch", "Review"]
      - key: ship
        title: "Ship it"
        department: team
        section: build
        due: day0 + 9d
        labels: [release]
        depends_on: [design, budget]
      - key: budget
        title: "Approve the budget"
        department: peer
        due: day0 + 3d
        depends_on: [brief]
    """)
VARS = ("--var", "run=kit", "--var", "day0=2027-03-01")


@dataclass
class Subject:
    """The provider under test, as its test module hands it to the kit."""

    #: Body of the `[providers.subject]` table: `type = "..."` and the adapter's settings.
    settings_toml: str
    #: Keys of the `[departments.team]` table besides `provider`.
    destination: Mapping[str, str]
    #: What the tool holds for an instance, one string per object described by content (see local_inventory).
    inventory: Callable[[str], Counter[str]]
    #: The emulator's write faults; None injects at the adapter's write methods instead.
    faults: WriteFaults | None = None
    #: "http": SIGKILL the stamp after its Nth write request; "provider": after its Nth adapter write.
    kill_scope: str = "http"
    #: Neutral fields the tool keeps, checked by the round trip (drop what the tool has no place for).
    round_trip: frozenset[str] = frozenset({"title", "status", "start", "due", "labels", "section", "depends_on"})
    #: Provider types not installed as entry points: type name -> "module:Class" (registered here and in children).
    plugins: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Kit:
    """One test's files and runner: config, template, home, peer, and the subject's faults."""

    subject: Subject
    root: Path
    faults: WriteFaults
    reference: dict[str, Any] = field(default_factory=dict)

    @property
    def config(self) -> Path:
        return self.root / "collabsync.toml"

    @property
    def template(self) -> Path:
        return self.root / "conformance.yaml"

    def args(self, instance: str, *extra: str) -> list[str]:
        """CLI arguments of a stamp of `instance`."""
        return ["--config", str(self.config), "stamp", str(self.template), "--name", instance, *VARS, "--yes", *extra]

    def stamp(self, instance: str) -> Any:
        """Run `collabsync stamp` in this process; the click result."""
        from click.testing import CliRunner

        from collabsync.cli import main

        return CliRunner().invoke(main, self.args(instance))

    def inventory(self, instance: str) -> Counter[str]:
        """Subject and peer, by content, the instance's name masked so runs compare."""
        whole = Counter({f"subject {k}": v for k, v in self.subject.inventory(instance).items()})
        whole.update({f"peer {k}": v for k, v in local_inventory(self.root / "peer.sqlite", instance).items()})
        return Counter({k.replace(instance, "<instance>"): v for k, v in whole.items()})

    def clean(self) -> dict[str, Any]:
        """A fault-free stamp: its write count and inventory, the yardstick of every other run."""
        if not self.reference:
            log = getattr(self.faults, "write_log", None)
            before = self.faults.writes_seen()
            result = self.stamp("clean")
            assert result.exit_code == 0, result.output
            writes = self.faults.writes_seen() - before
            assert writes > 0
            kinds = log()[-writes:] if log else [str(n) for n in range(writes)]  # unknown kinds: each is its own
            self.reference = {"writes": writes, "kinds": kinds, "inventory": self.inventory("clean")}
        return self.reference

    def fault_points(self, lose_reply: bool) -> list[int]:
        """Write indices to fault: the first write of each kind refused; the first and last of each kind lost."""
        kinds: list[str] = self.clean()["kinds"]
        first = {k: kinds.index(k) for k in kinds}
        last = {k: len(kinds) - 1 - kinds[::-1].index(k) for k in kinds}
        return sorted(set(first.values()) | (set(last.values()) if lose_reply else set()))

    def resumed(self, instance: str) -> None:
        """Re-run after a fault: exit 0, then the same objects as a clean stamp, then nothing left to do."""
        self.faults.fail_writes_after(None)
        again = self.stamp(instance)
        assert again.exit_code == 0, again.output
        assert self.inventory(instance) == self.clean()["inventory"], instance
        settled = self.stamp(instance)
        assert settled.exit_code == 0 and "up to date" in settled.output, settled.output


class ProviderConformance(BehaviourChecks):
    """Subclass in a provider's tests and define a `subject` fixture returning a `Subject`."""

    #: How many points of a stamp a SIGKILL is tried at (spread over its writes).
    kill_points: ClassVar[int] = 2

    @pytest.fixture
    def kit(self, subject: Subject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Kit:
        """Files in a fresh folder, COLLABSYNC_HOME there, and boundary faults when the subject has none."""
        root = tmp_path / "kit"
        root.mkdir()
        monkeypatch.setenv("COLLABSYNC_HOME", str(root / "home"))
        monkeypatch.delenv("COLLABSYNC_CONFIG", raising=False)
        destination = "\n".join(f'{k} = "{v}"' for k, v in subject.destination.items())
        (root / "collabsync.toml").write_text(
            f'[providers.peer]\ntype = "local"\npath = "{root / "peer.sqlite"}"\n\n'
            f"[providers.subject]\n{subject.settings_toml}\n\n"
            f'[departments.team]\nprovider = "subject"\n{destination}\n\n'
            '[departments.peer]\nprovider = "peer"\n\n[cache]\nttl = 0\n',
            encoding="utf-8",
        )
        (root / "conformance.yaml").write_text(TEMPLATE, encoding="utf-8")
        register_plugins(subject.plugins)
        faults = subject.faults
        if faults is None:
            boundary = BoundaryFaults()
            wrap_subject(monkeypatch, boundary)
            faults = boundary
        return Kit(subject, root, faults)

    def test_round_trip_of_neutral_fields(self, kit: Kit) -> None:
        """What the template says comes back from the tool's own read."""
        kit.clean()
        from collabsync.config import load_config
        from collabsync.runtime import Workspace

        with Workspace(load_config(kit.config), kit.root / "home") as ws:
            placed = ws.ledger.container("clean", "team")
            assert placed is not None
            refs = {k: r.ref for k, r in ws.ledger.objects("clean").items()}
            read = {t.key: t for t in ws.provider("subject").read_tasks(placed[1])}
        assert set(read) == {"brief", "design", "ship"}
        brief, design, ship = read["brief"], read["design"], read["ship"]
        fields = kit.subject.round_trip
        got = {
            "title": (brief.title, ship.title),
            "status": (brief.status.value, ship.status.value),
            "start": (str(brief.start), str(design.start)),
            "due": (str(brief.due), str(ship.due)),
            "labels": ("kickoff" in brief.labels, "release" in ship.labels),
            "section": (brief.section in ("plan", "Plan"), design.section in ("build", "Build")),  # key or title
            "depends_on": (refs["brief"] in design.depends_on, refs["design"] in ship.depends_on),
        }
        want = {
            "title": ("Write the brief", "Ship it"),
            "status": ("todo", "todo"),
            "start": ("2027-03-01", "2027-03-03"),
            "due": ("2027-03-03", "2027-03-10"),
            "labels": (True, True),
            "section": (True, True),
            "depends_on": (True, True),
        }
        assert {k: got[k] for k in fields} == {k: want[k] for k in fields}

    def test_rerun_is_up_to_date(self, kit: Kit) -> None:
        """A second stamp writes nothing."""
        kit.clean()
        before = kit.faults.writes_seen()
        again = kit.stamp("clean")
        assert again.exit_code == 0 and "up to date" in again.output, again.output
        assert kit.faults.writes_seen() == before

    @pytest.mark.parametrize("lose_reply", [False, True], ids=["refused", "reply-lost"])
    def test_fault_at_every_write(self, kit: Kit, lose_reply: bool) -> None:
        """Every kind of write refused (or applied with its reply lost): the re-run repairs it exactly."""
        for n in kit.fault_points(lose_reply):
            instance = f"w{n}{'l' if lose_reply else 'r'}"
            kit.faults.fail_writes_after(n, lose_reply=lose_reply)
            first = kit.stamp(instance)
            assert first.exit_code == 1 and "Traceback" not in first.output, (n, first.output)
            kit.resumed(instance)

    def test_sigkill_during_stamp_then_resume(self, kit: Kit) -> None:
        """A stamp killed (SIGKILL, in a real process) after its Nth write; the re-run completes it exactly."""
        writes = kit.clean()["writes"]
        points = sorted({max(1, round(writes * (i + 1) / (self.kill_points + 1))) for i in range(self.kill_points)})
        for n in points:
            instance = f"k{n}"
            scope = kit.subject.kill_scope if kit.subject.faults is not None else "provider"
            env = {
                **os.environ,
                "COLLABSYNC_HOME": str(kit.root / "home"),
                "COLLABSYNC_KIT_PLUGINS": json.dumps(dict(kit.subject.plugins)),
                "PYTHONPATH": os.pathsep.join(p for p in sys.path if p and os.path.isdir(p)),
            }
            child = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "from collabsync.testing.conformance import child_main; child_main()",
                    scope,
                    str(n),
                    *kit.args(instance),
                ],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert child.returncode == -signal.SIGKILL, (n, child.returncode, child.stderr[-2000:])
            kit.resumed(instance)

    @pytest.mark.parametrize("lost", ["task-rows", "whole-ledger"])
    def test_ledger_rebuilt_from_markers(self, kit: Kit, lost: str) -> None:
        """A ledger that lost its task and link rows (or everything) re-creates nothing."""
        kit.clean()
        ledger = kit.root / "home" / "ledger.sqlite"
        if lost == "whole-ledger":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{ledger}{suffix}").unlink(missing_ok=True)
        else:
            db = sqlite3.connect(str(ledger))
            with db:
                for table in ("objects", "links", "subwrites"):
                    db.execute(f"DELETE FROM {table}")  # fixed table names
            db.close()
        again = kit.stamp("clean")
        assert again.exit_code == 0, again.output
        assert kit.inventory("clean") == kit.clean()["inventory"]

    def test_incremental_read_equals_full_read(self, kit: Kit) -> None:
        """Declared READ_CHANGES: unchanged, then after a status change, the merged read is the full read."""
        kit.clean()
        from collabsync.config import load_config
        from collabsync.model import Status
        from collabsync.providers.base import Capability
        from collabsync.reading.incremental import ReadStore, read
        from collabsync.runtime import Workspace

        with Workspace(load_config(kit.config), kit.root / "home") as ws:
            provider = ws.provider("subject")
            if Capability.READ_CHANGES not in provider.capabilities:
                pytest.skip(f"{provider.type_name} does not declare {Capability.READ_CHANGES.value}")
            placed = ws.ledger.container("clean", "team")
            assert placed is not None
            container, refs = placed[1], {k: str(r.ref) for k, r in ws.ledger.objects("clean").items()}
            provider.settings.update(incremental=True, read_overlap_minutes=0)
            answered: list[bool] = []
            inner = provider.read_changes

            def spied(
                container: Container, since: dt.datetime, known: Mapping[str, Task], cursor: str | None = None
            ) -> Changes | None:
                changes = inner(container, since, known, cursor)
                answered.append(changes is not None)
                return changes

            provider.read_changes = spied  # type: ignore[method-assign]  # a spy on this instance only
            store = ReadStore(kit.root / "reads.sqlite")
            try:
                read(provider, "subject", container, store)
                for change in (None, lambda: provider.set_status(container, refs["brief"], Status.DONE)):
                    if change is not None:
                        change()
                    merged = [t.to_dict() for t in read(provider, "subject", container, store)]
                    assert merged == [t.to_dict() for t in provider.read_tasks(container)]
            finally:
                store.close()
            assert answered == [True, True]  # both reads were incremental, not silent full reads
            assert next(t for t in merged if t["ref"] == refs["brief"])["status"] == "done"
