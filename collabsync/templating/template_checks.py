"""What a template means, checked beyond its schema: keys, departments, dependencies and their cycles, dates,
roles and recurrence, every problem with its file and line (collabsync/templating/template.py runs these after the schema).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, meta
from jinja2.sandbox import SandboxedEnvironment

from collabsync.dates import Calendar, DateExpr, parse_date_expr, validate_country
from collabsync.errors import Problem
from collabsync.templating.recurrence import recurrence_problems
from collabsync.templating.roles import role_problems
from collabsync.templating.sandbox import bounded_env, plain_names
from collabsync.templating.yamlines import Path_, line_of

__all__ = ["date_vars_used", "TEXT_FIELDS"]

#: Task fields rendered with jinja2.
TEXT_FIELDS = ("title", "notes", "assignee")


def _env() -> SandboxedEnvironment:
    """Sandboxed, strict and bounded: no Python, a missing variable is an error, output and loops are capped."""
    return bounded_env(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)


def _semantic_problems(data: dict[str, Any], lines: Mapping[Path_, int], filename: str) -> list[Problem]:
    """Meaning checks that a schema cannot express; tolerant of shapes the schema already rejected."""
    out: list[Problem] = []

    def add(path: Path_, msg: str) -> None:
        out.append(Problem(filename, line_of(lines, path), msg))

    def add_at(i: int, fld: str, msg: str) -> None:
        add(("tasks", i, fld), msg)

    variables = found if isinstance(found := data.get("variables"), dict) else {}
    date_vars = {k for k, v in variables.items() if isinstance(v, dict) and v.get("type") == "date"}
    departments = [d for d in data.get("departments") or [] if isinstance(d, str)]
    _duplicates(departments, ("departments",), "department", add)
    sections = [s for s in data.get("sections") or [] if isinstance(s, dict)]
    section_keys = [s.get("key") for s in sections]
    _duplicates(section_keys, ("sections",), "section key", add, item_path=lambda i: ("sections", i, "key"))
    tasks = [
        t if isinstance(t, dict) else {}
        for t in (data.get("tasks") or [] if isinstance(data.get("tasks"), list) else [])
    ]
    task_keys = [t.get("key") for t in tasks]
    _duplicates(task_keys, ("tasks",), "task key", add, item_path=lambda i: ("tasks", i, "key"))
    known_tasks = set(k for k in task_keys if isinstance(k, str))
    calendar = found if isinstance(found := data.get("calendar"), dict) else {}
    country = calendar.get("country") if isinstance(calendar.get("country"), str) else None
    subdivision = calendar.get("subdivision") if isinstance(calendar.get("subdivision"), str) else None
    if country and (msg := validate_country(country)):
        add(("calendar", "country"), msg)
        country = None
    elif country and subdivision and (msg := validate_country(country, subdivision)):
        add(("calendar", "subdivision"), msg)
    elif subdivision and not country:
        add(("calendar", "subdivision"), f"calendar subdivision {subdivision!r} needs a calendar country; add country")

    used: set[str] = set()
    env = _env()

    scanned: dict[str, set[str]] = {}

    def scan_text(value: Any, path: Path_) -> None:
        if not isinstance(value, str) or "{" not in value:  # no delimiter, no variable and no syntax to check
            return
        if value in scanned:  # the same text in many tasks is parsed once
            used.update(scanned[value])
            return
        names = plain_names(value)
        try:
            scanned[value] = set(names) if names is not None else meta.find_undeclared_variables(env.parse(value))
            used.update(scanned[value])
        except TemplateSyntaxError as exc:
            add(path, f"template text syntax error: {exc.message}")

    scan_text(data.get("title"), ("title",))
    scan_text(data.get("description"), ("description",))
    graph: dict[str, list[str]] = {}
    inverted: dict[tuple[DateExpr, DateExpr], bool] = {}
    for i, t in enumerate(tasks):
        key = t.get("key", f"#{i + 1}")
        for f in TEXT_FIELDS:
            scan_text(t.get(f), ("tasks", i, f))
        for j, item in enumerate(t.get("checklist") or []):
            scan_text(item, ("tasks", i, "checklist", j))
        dept = t.get("department")
        if isinstance(dept, str) and dept not in departments:
            add(
                ("tasks", i, "department"),
                f"task {key!r}: unknown department {dept!r}; add it to departments or use one of: {', '.join(departments)}",
            )
        sec = t.get("section")
        if isinstance(sec, str) and sec not in section_keys:
            known = ", ".join(k for k in section_keys if isinstance(k, str)) or "(no sections declared)"
            add(("tasks", i, "section"), f"task {key!r}: unknown section {sec!r}; use one of: {known}")
        deps = found if isinstance(found := t.get("depends_on"), list) else []
        for j, dep in enumerate(deps):
            if dep == key:
                add(("tasks", i, "depends_on", j), f"task {key!r} depends on itself; remove it")
            elif isinstance(dep, str) and dep not in known_tasks:
                add(
                    ("tasks", i, "depends_on", j),
                    f"task {key!r}: unknown dependency {dep!r}; it must be the key of another task",
                )
        if isinstance(key, str):
            graph.setdefault(key, []).extend(d for d in deps if isinstance(d, str) and d in known_tasks and d != key)
        recurrence_problems(t, date_vars, functools.partial(add_at, i))
        exprs: dict[str, DateExpr] = {}
        for f in ("start", "due"):
            if t.get(f) is None:
                continue
            try:
                expr = parse_date_expr(t[f])
            except ValueError as exc:
                add(("tasks", i, f), f"task {key!r}: {exc}")
                continue
            if expr.anchor not in variables:
                add(
                    ("tasks", i, f),
                    f"task {key!r}: date anchor {expr.anchor!r} is not a declared variable; declare it with type: date",
                )
            elif expr.anchor not in date_vars:
                add(("tasks", i, f), f"task {key!r}: date anchor {expr.anchor!r} is not of type date")
            else:
                exprs[f] = expr
        if "start" in exprs and "due" in exprs and exprs["start"].anchor == exprs["due"].anchor:
            pair = (exprs["start"], exprs["due"])
            if pair not in inverted:  # a large template repeats a few hundred pairs
                inverted[pair] = _start_after_due(*pair, Calendar(country))
            if inverted[pair]:
                add(("tasks", i, "start"), f"task {key!r}: start is after due; move start earlier or due later")

    for name in sorted(used - set(variables)):
        add(_first_use(data, name, lines), f"variable {name!r} is used but not declared; add it under variables")
    for name in sorted(set(variables) - used - date_vars_used(tasks)):
        add(("variables", name), f"variable {name!r} is declared but never used; remove it or use it")
    role_problems(data, tasks, departments, add)
    cycle = _find_cycle(graph)
    if cycle:
        first = task_keys.index(cycle[0])
        add(
            ("tasks", first, "depends_on"),
            "dependency cycle: " + " -> ".join(cycle) + "; remove one of these dependencies",
        )
    return out


def _start_after_due(start: DateExpr, due: DateExpr, calendar: Calendar) -> bool:
    """Whether start falls after due whatever the anchor's value: probed on one Monday."""
    probe = {start.anchor: dt.date(2030, 1, 7)}
    return start.resolve(probe, calendar) > due.resolve(probe, calendar)


def date_vars_used(tasks: Iterable[dict[str, Any]]) -> set[str]:
    """Anchors referenced by task dates (they count as used)."""
    used = set()
    for t in tasks:
        for f in ("start", "due", "until"):
            if isinstance(t.get(f), str):
                try:
                    used.add(parse_date_expr(t[f]).anchor)
                except ValueError:
                    pass
    return used


def _first_use(data: dict[str, Any], name: str, lines: Mapping[Path_, int]) -> Path_:
    """Where an undeclared variable first appears, for the error's line."""
    for f in ("title", "description"):
        if isinstance(data.get(f), str) and name in data[f]:
            return (f,)
    for i, t in enumerate(data.get("tasks") or []):
        if isinstance(t, dict):
            for f in (*TEXT_FIELDS, "checklist"):
                if name in str(t.get(f, "")):
                    return ("tasks", i, f)
    return ()


def _duplicates(items: list[Any], path: Path_, what: str, add: Any, item_path: Any = None) -> None:
    seen: set[Any] = set()
    for i, item in enumerate(items):
        if item in seen and item is not None:
            add(item_path(i) if item_path else (*path, i), f"duplicate {what} {item!r}; each must be unique")
        seen.add(item)


def _find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """A dependency cycle as a closed path of keys, or None (iterative DFS)."""
    state: dict[str, int] = {}
    for root in graph:
        if state.get(root):
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        path: list[str] = []
        while stack:
            node, idx = stack.pop()
            if idx == 0:
                state[node] = 1
                path.append(node)
            deps = graph.get(node, [])
            if idx < len(deps):
                stack.append((node, idx + 1))
                nxt = deps[idx]
                if state.get(nxt) == 1:
                    return path[path.index(nxt) :] + [nxt]
                if not state.get(nxt):
                    stack.append((nxt, 0))
            else:
                state[node] = 2
                path.pop()
    return None
