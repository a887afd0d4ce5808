"""Varied instances for bench/diffcheck.py: a template, a two-tool config and changes made in the tools afterwards.

Every choice comes from one seeded `random.Random`, so a seed names an instance. The template has several
departments and sections, chains and fans of dependencies crossing departments and the two local tools,
tasks with no dates, no estimate, zero or fractional estimates, milestones, calendar-day, business-day and
week offsets from one or two anchors and a holiday calendar. The changes are made in each tool's SQLite file
as a person using the tool would (statuses, dates moved or cleared, tasks deleted or added by hand, a title
renamed, a dependency cycle), with fixed `updated` times so both copies of a home stay identical.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from contextlib import closing
from pathlib import Path

DEPARTMENTS = ("sales", "marketing", "engineering", "finance", "it", "hr", "support")
SECTIONS = ("plan", "build", "launch", "follow-up")
CALENDARS = ("", "calendar: {country: US}", "calendar: {country: DE}", "calendar: {country: US, subdivision: CA}")
ANCHORS = (dt.date(2027, 3, 1), dt.date(2027, 7, 5), dt.date(2027, 12, 27), dt.date(2028, 1, 3))
STATUSES = ("todo", "in_progress", "blocked", "done", "cancelled")
#: Titles as people edit them: markup, quotes, non-ASCII, emoji, line and paragraph separators, control characters.
TITLE_SUFFIXES = (
    " (renamed)",
    " <b>&amp; \"quoted\" 'single'</b>",
    " — ünïcødé 🚀",
    " line\u2028sep\u2029para",
    " tab\there\x7fdel\x1b[31mred",
    " back\\slash / </script>",
)
#: (due, estimate) a person may set by hand.
ODD_VALUES = (
    ("2199-01-01", 1e-7),
    ("1970-01-01", 1234.5),
    ("2028-02-29", None),
    (None, 1e5),
    ("2030-12-31", 0.3),
)
#: The local tools of every generated config; `local2` keeps its file in the home too, so a copied home is whole.
CONFIG_HEAD = '[defaults]\nprovider = "local"\n[providers.local]\ntype = "local"\n'
CONFIG_HEAD += '[providers.local2]\ntype = "local"\npath = "${COLLABSYNC_HOME}/local2.sqlite"\n'


def _offset(anchor: str, days: int, unit: str) -> str:
    """`anchor + N unit` or `anchor - N unit`."""
    return f"{anchor} {'-' if days < 0 else '+'} {abs(days)}{unit}"


def template_text(rng: random.Random, name: str, n: int) -> tuple[str, list[str]]:
    """A valid template of n tasks and its departments."""
    departments = rng.sample(DEPARTMENTS, rng.randint(2, 6))
    sections = SECTIONS[: rng.randint(0, len(SECTIONS))]
    two_anchors = rng.random() < 0.4
    lines = [f"template: {name}", 'title: "{{ product }} diff"', "variables:"]
    lines += ["  product: {type: string, description: Product}", "  launch: {type: date, description: Launch}"]
    lines += ["  kickoff: {type: date, description: Kickoff}"] if two_anchors else []
    lines += [c for c in [rng.choice(CALENDARS)] if c]
    lines.append(f"departments: [{', '.join(departments)}]")
    if sections:
        lines += ["sections:"] + [f"  - {{key: {s}, title: {s.title()}}}" for s in sections]
    lines.append("tasks:")
    hubs: list[int] = []
    for i in range(n):
        dept = departments[i % len(departments)] if rng.random() < 0.7 else rng.choice(departments)
        lines += [f"  - key: t{i}", f'    title: "Task {i} of {{{{ product }}}}"', f"    department: {dept}"]
        if sections and rng.random() < 0.8:
            lines.append(f"    section: {sections[min(i * len(sections) // n, len(sections) - 1)]}")
        anchor = "kickoff" if two_anchors and rng.random() < 0.3 else "launch"
        unit = rng.choice(("bd", "bd", "d", "w"))
        span = {"bd": 120, "d": 170, "w": 25}[unit]
        due = -span + (i * 2 * span // max(n, 1)) + rng.randint(-3, 3)
        form = rng.random()
        if form < 0.1:  # no dates
            pass
        elif form < 0.2:  # a due date only
            lines.append(f"    due: {_offset(anchor, due, unit)}")
        elif form < 0.25:  # a start only
            lines.append(f"    start: {_offset(anchor, due, unit)}")
        else:
            lines.append(f"    start: {_offset(anchor, due - rng.randint(0, 6), unit)}")
            lines.append(f"    due: {_offset(anchor, due, unit)}")
        est = rng.random()
        if est < 0.6:
            lines.append(f"    estimate: {rng.randint(1, 8)}")
        elif est < 0.7:
            lines.append("    estimate: 0")
        elif est < 0.85:
            lines.append(f"    estimate: {rng.choice((0.5, 1.25, 2.75, 0.1))}")
        deps: set[int] = set()
        if i and rng.random() < 0.6:
            deps.add(i - 1 - min(rng.randint(0, 3), i - 1))  # chains
        if hubs and rng.random() < 0.25:
            deps.add(rng.choice(hubs))  # fans out of a hub
        if i > 4 and rng.random() < 0.05:
            deps.update(rng.sample(range(i), min(i, rng.randint(2, 6))))  # a fan in
        if deps:
            lines.append(f"    depends_on: [{', '.join(f't{d}' for d in sorted(deps))}]")
        if rng.random() < 0.05:
            lines.append("    milestone: true")
            hubs.append(i)
        if rng.random() < 0.2:
            lines.append(f"    assignee: {rng.choice(('ana@x.example', 'ben@x.example', 'chen'))}")
    return "\n".join(lines) + "\n", departments


def config_text(rng: random.Random, departments: list[str]) -> str:
    """Both local tools; each department in one of them, some sharing a space (one container for several)."""
    out = [CONFIG_HEAD]
    for dept in departments:
        provider = rng.choice(("local", "local2"))
        space = rng.choice((dept, dept, "shared"))
        out.append(f'[departments.{dept}]\nprovider = "{provider}"\nspace = "{space}"\n')
    return "".join(out)


def anchors(rng: random.Random) -> dict[str, dt.date]:
    """The anchors' values."""
    launch = rng.choice(ANCHORS)
    return {"launch": launch, "kickoff": launch - dt.timedelta(days=rng.randint(60, 200))}


def days_to_check(launch: dt.date, rng: random.Random) -> list[dt.date]:
    """Before the start, mid-way, on a weekend, on a holiday, after the end: in order."""
    saturday = launch + dt.timedelta(days=(5 - launch.weekday()) % 7 - 14)
    holiday = dt.date(launch.year - 1, 12, 25) if launch.month < 7 else dt.date(launch.year, 7, 4)
    mid = launch - dt.timedelta(days=rng.randint(20, 80))
    return sorted({launch - dt.timedelta(days=700), mid, saturday, holiday, launch + dt.timedelta(days=500)})


def offset_ids(home: Path, first: int = 100_000) -> None:
    """Start `local2`'s ids far from `local`'s with a container of other work: two tools reusing ids is read3's fix,
    whose difference would otherwise hide every other one."""
    from collabsync.providers.local_plumbing import _SCHEMA

    with closing(sqlite3.connect(home / "local2.sqlite")) as db, db:
        db.executescript(_SCHEMA)
        made = "2026-01-01T00:00:00+00:00"
        cid = db.execute("INSERT INTO containers (space, name, created) VALUES ('other', 'Other work', ?)", (made,))
        db.execute(
            "INSERT INTO tasks (id, container_id, title, created, updated) VALUES (?, ?, 'Unrelated', ?, ?)",
            (first - 1, cid.lastrowid, made, made),
        )


def change_tools(home: Path, rng: random.Random, moment: dt.datetime, share: float) -> list[str]:
    """Changes in both tools' files as a person would make them; what was done, one line each."""
    done: list[str] = []
    stamp = moment.astimezone(dt.UTC).isoformat(timespec="microseconds")
    for file in ("local.sqlite", "local2.sqlite"):
        path = home / file
        if not path.exists():
            continue
        with closing(sqlite3.connect(path)) as db, db:
            rows = db.execute(
                "SELECT id, container_id, due FROM tasks WHERE container_id IN"
                " (SELECT id FROM containers WHERE name != 'Other work') ORDER BY id"
            ).fetchall()
            if len(rows) < 2:
                continue
            for tid, _, due in rows:
                r = rng.random()
                if r < share:
                    status = rng.choice(STATUSES)
                    db.execute("UPDATE tasks SET status = ?, updated = ? WHERE id = ?", (status, stamp, tid))
                    done.append(f"{file}:{tid} status {status}")
                elif r < share * 1.3 and due:
                    moved = dt.date.fromisoformat(due) + dt.timedelta(days=rng.choice((-9, -2, 1, 3, 14, 30)))
                    db.execute("UPDATE tasks SET due = ?, updated = ? WHERE id = ?", (moved.isoformat(), stamp, tid))
                    done.append(f"{file}:{tid} due {moved}")
                elif r < share * 1.35:
                    db.execute("UPDATE tasks SET due = NULL, estimate = NULL, updated = ? WHERE id = ?", (stamp, tid))
                    done.append(f"{file}:{tid} no due, no estimate")
            victim = rng.choice(rows)[0]
            db.execute("DELETE FROM dependencies WHERE task_id = ? OR depends_on_id = ?", (victim, victim))
            db.execute("DELETE FROM tasks WHERE id = ?", (victim,))
            done.append(f"{file}:{victim} deleted")
            for renamed in {rng.choice(rows)[0] for _ in range(3)} - {victim}:
                suffix = rng.choice(TITLE_SUFFIXES)
                db.execute("UPDATE tasks SET title = title || ?, updated = ? WHERE id = ?", (suffix, stamp, renamed))
                done.append(f"{file}:{renamed} renamed")
            odd = rng.choice(rows)[0]  # what a person may type: far dates, tiny or huge estimates
            if odd != victim:
                due_odd, est_odd = rng.choice(ODD_VALUES)
                db.execute(
                    "UPDATE tasks SET due = ?, estimate = ?, updated = ? WHERE id = ?", (due_odd, est_odd, stamp, odd)
                )
                done.append(f"{file}:{odd} due {due_odd} estimate {est_odd}")
            copied = rng.choice(rows)[0]  # a task duplicated in the tool: its marker, so its key, comes twice
            if copied != victim:
                db.execute(
                    "INSERT INTO tasks (container_id, section_id, title, description, status, due, estimate, created,"
                    " updated) SELECT container_id, section_id, title || ' (copy)', description, 'todo', due, estimate,"
                    " ?, ? FROM tasks WHERE id = ?",
                    (stamp, stamp, copied),
                )
                done.append(f"{file}:{copied} copied")
            live = [r for r in rows if r[0] != victim]
            for k in range(
                rng.randint(1, 3)
            ):  # added by hand: no marker, so no key (and no department in a shared one)
                cid = rng.choice(live)[1]
                due_by_hand = (moment.date() + dt.timedelta(days=rng.randint(-20, 20))).isoformat()
                db.execute(
                    "INSERT INTO tasks (container_id, title, status, due, estimate, created, updated)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        cid,
                        f"By hand {k} on {moment.date()}",
                        rng.choice(STATUSES),
                        due_by_hand,
                        rng.choice((None, 0, 1.5, 3)),
                        stamp,
                        stamp,
                    ),
                )
                done.append(f"{file}: added by hand in container {cid}")
            same = [r for r in live if r[1] == live[0][1]]
            if len(same) > 2 and rng.random() < 0.6:  # a cycle of two or three tasks within one container
                ring = [r[0] for r in rng.sample(same, rng.choice((2, 3)))]
                for x, y in zip(ring, ring[1:] + ring[:1], strict=True):
                    db.execute("INSERT OR IGNORE INTO dependencies (task_id, depends_on_id) VALUES (?, ?)", (x, y))
                done.append(f"{file}: cycle {ring}")
    return done


def side_work(home: Path, rng: random.Random, launch: dt.date) -> int:
    """A container made by hand in `local` (no marker, no plan): tasks with and without dates, for tracking."""
    made = "2026-06-01T00:00:00+00:00"
    from collabsync.providers.local_plumbing import _SCHEMA

    with closing(sqlite3.connect(home / "local.sqlite")) as db, db:
        db.executescript(_SCHEMA)  # no department may use `local`
        cid = db.execute("INSERT INTO containers (space, name, created) VALUES ('side', 'Side work', ?)", (made,))
        section = db.execute(
            "INSERT INTO sections (container_id, name, position) VALUES (?, 'Ops', 0)", (cid.lastrowid,)
        )
        for k in range(rng.randint(3, 12)):
            due = (launch + dt.timedelta(days=rng.randint(-200, 30))).isoformat() if k % 4 else None
            db.execute(
                "INSERT INTO tasks (container_id, section_id, title, status, due, estimate, created, updated)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    cid.lastrowid,
                    section.lastrowid if k % 2 else None,
                    f"Side task {k}",
                    rng.choice(STATUSES),
                    due,
                    rng.choice((None, 0, 2, 0.5)),
                    made,
                    made,
                ),
            )
        return int(cid.lastrowid or 0)


def containers(home: Path, file: str) -> list[tuple[int, str]]:
    """(id, space) of a tool's containers, but the ones made here."""
    if not (home / file).exists():
        return []
    with closing(sqlite3.connect(home / file)) as db, db:
        return db.execute("SELECT id, space FROM containers WHERE name NOT IN ('Other work', 'Side work')").fetchall()
