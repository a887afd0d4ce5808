"""Cross-department templates: load, validate (schema + meaning), render into a ProjectSpec.

Validation collects every problem of a file before raising, each with file, line and a fix.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import yaml

from collabsync.dates import Calendar, parse_date_expr
from collabsync.errors import Problem, TemplateError
from collabsync.model import ProjectSpec, SectionSpec, TaskSpec
from collabsync.templating.recurrence import expand_recurring
from collabsync.templating.roles import RoleBinder
from collabsync.templating.sandbox import RenderError, plain_names, render_field
from collabsync.templating.template_checks import TEXT_FIELDS, _env, _semantic_problems
from collabsync.templating.yamlines import Path_, YamlTooComplex, line_of, load_fast
from collabsync.textfile import UnreadableFile, read_utf8

if TYPE_CHECKING:
    import jsonschema

__all__ = ["Template", "load_template", "find_template", "list_templates", "template_schema", "TEXT_FIELDS"]


@lru_cache(maxsize=1)
def template_schema() -> dict[str, Any]:
    """The JSON Schema shipped in the package (editors can use it too)."""
    return json.loads((Path(__file__).parent.parent / "schemas" / "template.schema.json").read_text("utf-8"))


#: Largest template file read (the shipped ones are under 20 kB; 100,000 generated tasks take about 18 MB).
MAX_TEMPLATE_BYTES = 32_000_000


@dataclass
class Template:
    """A validated template file, ready to render with variable values."""

    name: str
    path: str
    data: dict[str, Any]
    lines: Mapping[Path_, int] = field(default_factory=dict)

    @property
    def title(self) -> str:
        """The raw (unrendered) title."""
        return str(self.data.get("title", ""))

    @property
    def variables(self) -> dict[str, dict[str, Any]]:
        """Declared variables with their type, description and optional default."""
        return dict(self.data.get("variables") or {})

    @property
    def calendar(self) -> Calendar:
        """The business-day calendar of the template."""
        cal = self.data.get("calendar") or {}
        return Calendar(cal.get("country"), cal.get("subdivision"))

    def render(
        self,
        instance: str,
        values: Mapping[str, Any],
        roles: Mapping[str, str] | None = None,
        role_config: Mapping[str, Any] | None = None,
    ) -> ProjectSpec:
        """Fill variables and roles, resolve dates, render text; TemplateError lists every bad value."""
        problems: list[Problem] = []
        context = self._coerce_values(values, problems)
        binder = RoleBinder(self.data.get("roles") or {}, roles or {}, role_config)
        problems += binder.problems(self.path, self.lines, self.data["tasks"])
        if problems:
            raise TemplateError(problems)
        env = _env()
        anchors = {k: v for k, v in context.items() if isinstance(v, dt.date)}
        cal = self.calendar

        rendered: dict[str, str] = {}  # texts of plain substitution only: they render the same every time

        def text(value: str, path: Path_) -> str:
            if value in rendered:
                return rendered[value]
            try:
                out = render_field(env, value, context).strip()
            except RenderError as exc:
                problems.append(Problem(self.path, line_of(self.lines, path), f"cannot render: {exc}"))
                return value
            if "{" not in value or plain_names(value) is not None:
                rendered[value] = out
            return out

        dates: dict[str, dt.date] = {}  # a large template repeats a few hundred expressions

        def when(expr: Any, path: Path_) -> dt.date | None:
            if not expr:
                return None
            if isinstance(expr, str) and expr in dates:
                return dates[expr]
            try:
                day = parse_date_expr(expr).resolve(anchors, cal)
            except ValueError as exc:  # past the calendar's ends
                problems.append(Problem(self.path, line_of(self.lines, path), str(exc)))
                return None
            if isinstance(expr, str):
                dates[expr] = day
            return day

        tasks = []
        for i, t in enumerate(self.data["tasks"]):
            start, due = when(t.get("start"), ("tasks", i, "start")), when(t.get("due"), ("tasks", i, "due"))
            if start and due and start > due:
                problems.append(
                    Problem(
                        self.path,
                        line_of(self.lines, ("tasks", i, "start")),
                        f"task {t['key']!r}: start {start} is after due {due}; move start earlier",
                    )
                )
            tasks.append(
                TaskSpec(
                    key=t["key"],
                    title=text(t["title"], ("tasks", i, "title")),
                    department=t["department"],
                    section=t.get("section"),
                    start=start,
                    due=due,
                    estimate=float(t["estimate"]) if t.get("estimate") is not None else None,
                    depends_on=tuple(t.get("depends_on") or ()),
                    labels=tuple(t.get("labels") or ()),
                    notes=text(t.get("notes", ""), ("tasks", i, "notes")),
                    assignee=(
                        binder.person(t["role"], t["department"])
                        if t.get("role")
                        else text(t["assignee"], ("tasks", i, "assignee")) or None
                        if t.get("assignee")
                        else None
                    ),
                    role=t.get("role"),
                    checklist=tuple(
                        text(c, ("tasks", i, "checklist", j)) for j, c in enumerate(t.get("checklist") or ())
                    ),
                    milestone=bool(t.get("milestone")),
                )
            )
        tasks = expand_recurring(
            tasks,
            self.data["tasks"],
            anchors,
            cal,
            lambda i, f, msg: problems.append(Problem(self.path, line_of(self.lines, ("tasks", i, f)), msg)),
        )
        title = text(self.data["title"], ("title",))
        description = text(self.data.get("description", ""), ("description",))
        if problems:
            raise TemplateError(problems)
        return ProjectSpec(
            instance=instance,
            template=self.name,
            title=title,
            description=description,
            departments=tuple(self.data["departments"]),
            sections=tuple(SectionSpec(s["key"], s["title"]) for s in self.data.get("sections") or ()),
            tasks=tuple(tasks),
            variables={k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in context.items()},
        )

    def _coerce_values(self, values: Mapping[str, Any], problems: list[Problem]) -> dict[str, Any]:
        """Check given values against declarations: none missing, none unknown, each of its type."""
        declared = self.variables
        out: dict[str, Any] = {}
        for name in values:
            if name not in declared:
                known = ", ".join(sorted(declared)) or "(none)"
                hint = (
                    f"{name!r} is a role, not a variable: pass --role {name}=EMAIL"
                    if name in (self.data.get("roles") or {})
                    else f"variable {name!r} is given but not declared; declared: {known}"
                )
                problems.append(Problem(self.path, line_of(self.lines, ("variables",)), hint))
        for name, decl in declared.items():
            raw = values.get(name, decl.get("default"))
            if raw is None:
                problems.append(
                    Problem(
                        self.path,
                        line_of(self.lines, ("variables", name)),
                        f"variable {name!r} is declared but not given: "
                        f"pass --var {name}=... ({decl.get('description', decl['type'])})",
                    )
                )
                continue
            try:
                out[name] = _coerce(decl["type"], raw)
            except ValueError:
                problems.append(
                    Problem(
                        self.path,
                        line_of(self.lines, ("variables", name)),
                        f"variable {name!r} must be a {decl['type']}"
                        + (" (YYYY-MM-DD)" if decl["type"] == "date" else "")
                        + f", got {raw!r}",
                    )
                )
        return out


def _coerce(kind: str, raw: Any) -> Any:
    """Turn a CLI string (or YAML default) into the declared type."""
    if kind == "date":
        return raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw).strip())
    if kind == "integer":
        return int(raw)
    if kind == "number":
        return float(raw)
    return str(raw)


def load_template(source: str | Path, *, display: str | None = None) -> Template:
    """Read and validate a template file; TemplateError carries every problem found."""
    path = Path(source)
    name = display or str(path)
    try:
        text = read_utf8(path, what="template", max_bytes=MAX_TEMPLATE_BYTES)
    except UnreadableFile as exc:
        raise TemplateError([Problem(name, exc.line, exc.message)]) from None
    return parse_template(text, name)


def parse_template(text: str, filename: str) -> Template:
    """Validate template text; all problems at once, nothing partial."""
    try:
        data, lines, dups = load_fast(text)
    except YamlTooComplex as exc:
        mark = exc.problem_mark
        raise TemplateError(
            [Problem(filename, mark.line + 1 if mark else None, f"YAML too complex: {exc.problem}")]
        ) from None
    except yaml.reader.ReaderError as exc:  # a character YAML never allows (NUL, other C0 controls)
        at = text[: exc.position].count("\n") + 1
        raise TemplateError(
            [
                Problem(
                    filename,
                    at,
                    f"YAML cannot hold character #x{exc.character:04x} (position {exc.position}); remove it",
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise TemplateError(
            [Problem(filename, line, f"YAML syntax error: {problem}; fix the indentation or quoting")]
        ) from None
    problems = [Problem(filename, line, msg) for line, msg in dups]
    if not isinstance(data, dict):
        raise TemplateError(
            problems + [Problem(filename, 1, "a template is a YAML mapping with template, title, departments, tasks")]
        )
    problems += _schema_problems(data, lines, filename)
    problems += _semantic_problems(data, lines, filename)
    if problems:
        problems.sort(key=lambda p: p.line or 0)
        raise TemplateError(problems)
    return Template(name=data["template"], path=filename, data=data, lines=lines)


@lru_cache(maxsize=1)
def _fast_validator() -> Callable[[Any], Any]:
    """The schema compiled to Python once per process: it accepts a valid 10,000-task file in milliseconds.

    Its keywords are all draft-07's; no defaults are filled in and no reference is fetched.
    """
    import fastjsonschema

    schema = {**template_schema(), "$schema": "http://json-schema.org/draft-07/schema#"}
    return cast("Callable[[Any], Any]", fastjsonschema.compile(schema, handlers={}, use_default=False))


def _schema_problems(data: dict[str, Any], lines: Mapping[Path_, int], filename: str) -> list[Problem]:
    """Every schema problem with its line; a file the compiled check accepts needs no slower look."""
    import fastjsonschema

    try:
        _fast_validator()(data)
        return []
    except fastjsonschema.JsonSchemaException:
        pass  # jsonschema lists every problem, with the messages users know
    import jsonschema

    validator = jsonschema.Draft202012Validator(template_schema())
    out = []
    for err in validator.iter_errors(data):
        path = tuple(err.absolute_path)
        where = ".".join(str(p) for p in path) or "top level"
        out.append(Problem(filename, line_of(lines, path), f"{where}: {_friendly(err)}"))
    return out


def _friendly(err: jsonschema.ValidationError) -> str:
    """Turn a jsonschema message into what to fix."""
    if err.validator == "additionalProperties":
        allowed = ", ".join(sorted(err.schema.get("properties", {}) if isinstance(err.schema, Mapping) else ()))
        return f"{err.message}; allowed keys: {allowed}"
    if err.validator == "required":
        return f"{err.message}; add it"
    if err.validator == "pattern":
        return f"{err.instance!r} is not allowed; use lowercase letters, digits and dashes"
    if err.validator == "enum":
        return f"{err.instance!r} is not one of {', '.join(map(str, cast('list[Any]', err.validator_value)))}"
    return err.message


def shipped_dir() -> Path:
    """Where the shipped templates live (package data of collabsync.templates)."""
    return Path(str(resources.files("collabsync.templates")))


def list_templates(extra_dirs: Iterable[Path] = ()) -> list[tuple[str, Path]]:
    """Every template name with its file: shipped ones, then user dirs (which may override)."""
    found: dict[str, Path] = {}
    for folder in (shipped_dir(), *extra_dirs):
        if folder.is_dir():
            for path in sorted(folder.glob("*.yaml")):
                found[path.stem] = path
    return sorted(found.items())


def find_template(ref: str, extra_dirs: Iterable[Path] = ()) -> Template:
    """A template by shipped name or by path."""
    path = Path(ref)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return load_template(path)
    templates = dict(list_templates(extra_dirs))
    if ref not in templates:
        known = ", ".join(templates) or "(none)"
        raise TemplateError(
            [Problem(ref, None, f"no template named {ref!r}; shipped: {known}; or give a path to a .yaml file")]
        )
    return load_template(templates[ref])
