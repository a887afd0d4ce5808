"""Unattended report runs: several instances and formats into a folder, one run at a time, fresh data.

The `report` command is a thin layer over this module. A run takes the report lock under
COLLABSYNC_HOME (fcntl.flock, non-blocking), reads each instance once with the HTTP cache off,
renders every asked format from that one read, writes `<instance>.<ext>` atomically and stores one
history snapshot per instance. Exit codes follow `RunResult.exit_code`: 0 all tools answered,
3 some tool did not (its departments shown from the last good snapshot, marked stale), 1 error.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Self

from collabsync.errors import CollabsyncError, ConfigError
from collabsync.private import FILE_MODE, private_file
from collabsync.redact import redact

if TYPE_CHECKING:
    from collabsync.dates import Calendar
    from collabsync.ledger import InstanceRecord
    from collabsync.report.history import History
    from collabsync.report.rollup_model import Report
    from collabsync.runtime import Workspace

__all__ = [
    "EXIT_ERROR",
    "EXIT_OK",
    "EXIT_STALE",
    "LOCK_FILE",
    "InstanceRun",
    "RunLock",
    "RunLockedError",
    "RunResult",
    "calendar_of",
    "parse_formats",
    "report_instance",
    "run_reports",
    "select_instances",
    "write_atomically",
]

LOCK_FILE = "report.lock"
EXIT_OK, EXIT_ERROR, EXIT_STALE = 0, 1, 3


class RunLockedError(CollabsyncError):
    """Another report run holds the lock: two runs would interleave snapshots and half-written files."""

    def __init__(self, since: str, pid: int | None) -> None:
        self.since, self.pid = since, pid
        super().__init__(f"another report run holds the lock since {since} (pid {pid if pid else 'unknown'})")


class RunLock:
    """An exclusive, non-blocking flock on COLLABSYNC_HOME/report.lock holding the owner's pid and start time.

    The kernel drops the lock when the process dies, so a crashed run never blocks the next one;
    the file itself is left in place (unlinking a flock file lets two runs lock different inodes).
    """

    def __init__(self, home: Path) -> None:
        self.path = Path(home) / LOCK_FILE
        self._fh: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock or raise RunLockedError naming the holder."""
        private_file(self.path)
        fh = open(self.path, "a+", encoding="utf-8")  # held until release()
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            fh.close()
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            since, pid = self.holder()
            raise RunLockedError(since, pid) from None
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps({"pid": os.getpid(), "since": now.isoformat().replace("+00:00", "Z")}) + "\n")
        fh.flush()
        self._fh = fh

    def holder(self) -> tuple[str, int | None]:
        """The start time and pid the current holder wrote ('unknown' while it is still writing)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            data = {}
        pid = data.get("pid")
        return str(data.get("since") or "unknown"), pid if isinstance(pid, int) else None

    def release(self) -> None:
        """Let the next run in."""
        if self._fh is not None:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None

    def __enter__(self) -> Self:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


@dataclass
class InstanceRun:
    """What one instance's part of a run produced: texts per format, files written, stale or failed."""

    instance: str
    texts: dict[str, str] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    health: str | None = None
    stale: dict[str, str] = field(default_factory=dict)  # department -> why its tool did not answer
    stale_since: dict[str, dt.datetime | None] = field(default_factory=dict)  # department -> last good
    error: str | None = None
    report: Report | None = None  # the rolled-up report, for publishing and the e-mail digest


@dataclass
class RunResult:
    """Every instance of a run; the exit code a scheduler sees."""

    runs: list[InstanceRun] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """1 when an instance failed, else 3 when some tool did not answer, else 0."""
        if any(r.error for r in self.runs):
            return EXIT_ERROR
        return EXIT_STALE if any(r.stale for r in self.runs) else EXIT_OK


def parse_formats(text: str | Iterable[str]) -> list[str]:
    """`html,md` -> ['html', 'md'] in the order given, duplicates dropped; ValueError naming the formats."""
    from collabsync.report.render import FORMATS

    parts = text.split(",") if isinstance(text, str) else [p for item in text for p in item.split(",")]
    out: list[str] = []
    for raw in parts:
        fmt = raw.strip().lower()
        if fmt == "markdown":
            fmt = "md"
        if not fmt:
            continue
        if fmt not in FORMATS:
            raise ValueError(
                f"unknown report format {raw.strip()!r}; use a comma-separated list of {', '.join(FORMATS)}"
            )
        if fmt not in out:
            out.append(fmt)
    if not out:
        raise ValueError(f"no format given; use a comma-separated list of {', '.join(FORMATS)}")
    return out


def select_instances(ws: Workspace, names: Sequence[str], every: bool = False) -> list[InstanceRecord]:
    """The named instances (each must exist), every instance in the ledger, or the only one there is."""
    from collabsync.reading.query import resolve_instance

    if every:
        if names:
            raise ConfigError.single("INSTANCE", "name instances or pass --all, not both")
        records = ws.ledger.instances(lean=True)  # a report reads, so each plan stays in the ledger until used
        if not records:
            raise ConfigError.single(
                "--all", "the ledger has no instances yet: run `collabsync stamp` or `collabsync track`"
            )
        return records
    if not names:
        return [resolve_instance(ws, None)]
    seen: dict[str, InstanceRecord] = {}
    for name in names:
        record = resolve_instance(ws, name)
        seen.setdefault(record.name, record)
    return list(seen.values())


def calendar_of(record: InstanceRecord, template_dirs: Sequence[Path] = ()) -> Calendar:
    """The business-day calendar of the instance's template; weekends only when it cannot be found."""
    from collabsync.dates import Calendar
    from collabsync.templating.template import find_template

    ref = record.source or record.template
    if not ref:
        return Calendar()
    try:
        return find_template(ref, list(template_dirs)).calendar
    except (CollabsyncError, OSError, ValueError):
        return Calendar()


def report_instance(
    ws: Workspace,
    record: InstanceRecord,
    formats: Sequence[str],
    *,
    today: dt.date,
    store: History | None,
    save: bool = True,
    template_dirs: Sequence[Path] = (),
) -> InstanceRun:
    """Read one instance fresh (all tools concurrently), roll it up once and render it in every format."""
    from collabsync.reading.query import collect
    from collabsync.report.render import render
    from collabsync.report.reporting import make_report

    if ws.use_cache:
        raise ValueError("a report reads fresh data: open the workspace with use_cache=False")
    read = collect(ws, record)
    report, _ = make_report(read, today, store=store, save=save, calendar=calendar_of(record, template_dirs))
    run = InstanceRun(
        record.name,
        health=report.overall.health,
        stale={d: redact(w) for d, w in read.stale.items()},
        stale_since=_stale_since(report),
        report=report,
    )
    run.texts = {fmt: render(report, fmt) for fmt in formats}
    return run


def run_reports(
    ws: Workspace,
    records: Sequence[InstanceRecord],
    formats: Sequence[str],
    *,
    out_dir: Path,
    today: dt.date,
    store: History | None,
    save: bool = True,
    template_dirs: Sequence[Path] = (),
    on_done: Callable[[InstanceRun], Any] | None = None,
) -> RunResult:
    """Report each instance in turn into out_dir as `<instance>.<ext>`; one failing instance does not stop the rest.

    Instances run one after another so each tool sees at most query.PER_TOOL_CONCURRENCY requests at
    once; within an instance every tool is read concurrently.
    """
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError.single("--out", f"cannot create the output folder {out_dir}: {exc.strerror or exc}") from None
    result = RunResult()
    for record in records:
        try:
            run = report_instance(ws, record, formats, today=today, store=store, save=save, template_dirs=template_dirs)
            for fmt, text in run.texts.items():
                path = out_dir / f"{_safe_name(record.name)}.{fmt}"
                write_atomically(path, text)
                run.files.append(path)
        except CollabsyncError as exc:
            run = InstanceRun(record.name, error=redact(str(exc)))
        except OSError as exc:  # the output folder: full disk, no permission
            run = InstanceRun(record.name, error=redact(f"cannot write the report: {exc}"))
        result.runs.append(run)
        if on_done is not None:
            on_done(run)
    return result


_SLICE = 1 << 20  # characters per write of a report file


def write_atomically(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder, so a reader never sees half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            # in slices: one write of a 177 MB JSON report (100,000 tasks) would encode a second whole copy at once
            for at in range(0, len(text), _SLICE):
                fh.write(text[at : at + _SLICE])
        os.chmod(tmp, FILE_MODE)  # reports hold tool data: owner only (mkstemp's 0600, kept explicit)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _stale_since(report: Report) -> dict[str, dt.datetime | None]:
    return {g.name: g.stale_since for g in report.departments if g.stale}


def _safe_name(name: str) -> str:
    """An instance name as a file name (the ledger only holds safe names; this keeps it so)."""
    if not name or name.startswith(".") or "/" in name or "\\" in name or "\0" in name:
        raise ConfigError.single("INSTANCE", f"instance name {name!r} cannot be used as a file name")
    return name
