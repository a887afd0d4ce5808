"""Roles: templates say who does a task by role, the stamp binds each role to a person (an e-mail).

A role is bound, most specific first, by `--role NAME=EMAIL`, by `[roles.DEPT] NAME = "EMAIL"` for the
task's department, by `[roles] NAME = "EMAIL"`, or by `[roles.DEPT]` of the department the template
declares for the role. An unbound role is a template problem with file and line, like a missing variable;
a role declared `required: false` may stay unbound: its tasks are created unassigned and the plan says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from collabsync.errors import ConfigError, Problem

if TYPE_CHECKING:  # yamlines imports yaml: not on the CLI's start-up path (tests/test_startup_imports.py)
    from collabsync.templating.yamlines import Path_

__all__ = ["RoleBinder", "role_problems", "parse_role_options", "config_role_problems", "EMAIL_HINT"]

EMAIL_HINT = "an e-mail address such as dana@acme.example"


def parse_role_options(options: tuple[str, ...] | list[str]) -> dict[str, str]:
    """`--role NAME=EMAIL` options as a dict; a malformed one is a ConfigError naming the option."""
    out: dict[str, str] = {}
    for raw in options:
        name, sep, person = raw.partition("=")
        if not sep or not name.strip() or not person.strip():
            raise ConfigError.single(
                "--role", f"{raw!r} is not NAME=EMAIL; write --role account_exec=dana@acme.example"
            )
        out[name.strip()] = person.strip()
    return out


def config_role_problems(data: Any, source: str, line: Callable[[str], int | None]) -> list[Problem]:
    """`[roles]` holds NAME = "EMAIL" entries and `[roles.DEPT]` tables of them; anything else is a problem."""
    if data is None:
        return []
    if not isinstance(data, dict):
        return [Problem(source, line("roles"), 'roles must be a table like [roles] account_exec = "dana@acme.example"')]
    out = []
    for key, value in data.items():
        if isinstance(value, dict):
            bad = [k for k, v in value.items() if not isinstance(v, str) or not v.strip()]
            if bad:
                out.append(Problem(source, line(f"roles.{key}"), f"roles.{key}.{bad[0]} must be {EMAIL_HINT}"))
        elif not isinstance(value, str) or not value.strip():
            out.append(Problem(source, line("roles"), f"roles.{key} must be {EMAIL_HINT}"))
    return out


class RoleBinder:
    """Who each declared role is, per department, from the stamp's options and the config's `[roles]`."""

    def __init__(
        self,
        declared: Mapping[str, Mapping[str, Any]],
        given: Mapping[str, str],
        config: Mapping[str, Any] | None = None,
    ) -> None:
        self.declared = dict(declared)
        self.given = dict(given)
        config = dict(config or {})
        self.shared = {k: v for k, v in config.items() if isinstance(v, str)}
        self.by_department = {k: dict(v) for k, v in config.items() if isinstance(v, dict)}

    def person(self, role: str, department: str) -> str | None:
        """The e-mail bound to a role for a task of a department, or None while unbound."""
        home = str(self.declared.get(role, {}).get("department") or "")
        for value in (
            self.given.get(role),
            self.by_department.get(department, {}).get(role),
            self.shared.get(role),
            self.by_department.get(home, {}).get(role),
        ):
            if value:
                return value
        return None

    def required(self, role: str) -> bool:
        """A declared role must be bound unless the template says `required: false` (its tasks go unassigned)."""
        decl = self.declared.get(role)
        return isinstance(decl, Mapping) and decl.get("required", True) is not False

    def problems(self, filename: str, lines: Mapping[Path_, int], tasks: list[dict[str, Any]]) -> list[Problem]:
        from collabsync.templating.yamlines import line_of

        """Roles given but not declared, and roles a task needs that nothing binds."""

        out = []
        for name in self.given:
            if name not in self.declared:
                known = ", ".join(sorted(self.declared)) or "(none)"
                out.append(
                    Problem(
                        filename,
                        line_of(dict(lines), ("roles",)) or 1,
                        f"role {name!r} is given but not declared; declared roles: {known}",
                    )
                )
        missing: dict[str, list[str]] = {}
        for t in tasks:
            role = t.get("role")
            if isinstance(role, str) and self.required(role) and not self.person(role, str(t.get("department"))):
                missing.setdefault(role, []).append(str(t.get("department")))
        for role, departments in missing.items():
            decl = self.declared[role]
            out.append(
                Problem(
                    filename,
                    line_of(dict(lines), ("roles", role)),
                    f"role {role!r} is declared but not bound ({decl.get('description', '')}): pass "
                    f'--role {role}=EMAIL or set [roles] {role} = "EMAIL" in collabsync.toml '
                    f"(needed by {', '.join(sorted(set(departments)))})",
                )
            )
        return out


def role_problems(
    data: dict[str, Any], tasks: list[dict[str, Any]], departments: list[str], add: Callable[[Path_, str], None]
) -> None:
    """Meaning checks of `roles:` and task `role:` that the schema cannot express."""
    roles: dict[str, Any] = data["roles"] if isinstance(data.get("roles"), dict) else {}
    used: set[str] = set()
    for i, t in enumerate(tasks):
        role = t.get("role")
        if not isinstance(role, str):
            continue
        used.add(role)
        key = t.get("key", f"#{i + 1}")
        if role not in roles:
            known = ", ".join(sorted(roles)) or "(no roles declared)"
            add(
                ("tasks", i, "role"),
                f"task {key!r}: unknown role {role!r}; declare it under roles or use one of: {known}",
            )
        if t.get("assignee"):
            add(("tasks", i, "role"), f"task {key!r} has both role and assignee; keep one")
    for name, decl in roles.items():
        dept = decl.get("department") if isinstance(decl, dict) else None
        if isinstance(dept, str) and dept not in departments:
            add(
                ("roles", name, "department"),
                f"role {name!r}: unknown department {dept!r}; use one of: {', '.join(departments)}",
            )
        if name not in used:
            add(("roles", name), f"role {name!r} is declared but no task has it; remove it or give it to a task")
