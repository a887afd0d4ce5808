"""Everything a stamp can check without the network is checked before its first write, in every tool at once.

A 300-character title must not fail in Jira after Trello and Asana were written: a re-run cannot
succeed either. The checks here use the plan, the rendered spec and each adapter's documented
`text_limits`; the template's own problems (syntax, dates, calendar) and the config's (shapes,
time zones, paths) are found earlier, when those files are loaded. Every problem is listed together.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from collabsync.errors import Problem, TemplateError
from collabsync.model import TaskSpec, marker, with_marker
from collabsync.providers.base import Capability, TextLimits
from collabsync.stamping.stamp import Plan, _description
from collabsync.templating.yamlines import line_of

if TYPE_CHECKING:
    from collabsync.runtime import Workspace
    from collabsync.templating.template import Template

__all__ = ["precheck", "find_problems", "ANNOTATION_RESERVE"]

#: Characters kept free in a description for each cross-tool link line written after creation (its URL is not known yet).
ANNOTATION_RESERVE = 200


def precheck(plan: Plan, ws: Workspace, template: Template | None = None) -> None:
    """Raise TemplateError listing every problem that would make a tool refuse a write of this plan."""
    problems = find_problems(plan, ws, template)
    if problems:
        raise TemplateError(problems)
    plan.checked = True


def find_problems(plan: Plan, ws: Workspace, template: Template | None = None) -> list[Problem]:
    """Each task, checklist item and container title against the limits of the tool it goes to."""
    spec = plan.spec
    source = template.path if template else spec.template
    index = {t.get("key"): i for i, t in enumerate(template.data.get("tasks") or [])} if template else {}

    def line(key: str | None, fld: str) -> int | None:
        if template is None:
            return None
        path = ("tasks", index[key], fld) if key in index else (fld,)
        return line_of(template.lines, path)

    problems: list[Problem] = []
    crossings: dict[str, int] = {}  # cross-tool links per task, counted once (a scan per task is quadratic)
    for pair in plan.cross_links:
        for key in set(pair):
            crossings[key] = crossings.get(key, 0) + 1
    for dp in plan.departments:
        cls = ws.provider_type(dp.provider)
        limits, tool = cls.text_limits, f"{cls.type_name} (provider {dp.provider!r})"
        if limits.container_title and len(spec.title) > limits.container_title:
            problems.append(
                Problem(
                    source,
                    line(None, "title"),
                    f"project title is {len(spec.title)} characters; {tool} accepts at most "
                    f"{limits.container_title} ({limits.source}); shorten it",
                )
            )
        native_checklists = Capability.CHECKLISTS in cls.capabilities
        to_create = set(dp.to_create)
        for task in dp.tasks:
            if task.key not in to_create:
                continue
            problems += _task_problems(
                task,
                spec.instance,
                limits,
                tool,
                native_checklists,
                crossings.get(task.key, 0),
                functools.partial(line, task.key),
                source,
            )
    return problems


def _task_problems(
    task: TaskSpec,
    instance: str,
    limits: TextLimits,
    tool: str,
    native_checklists: bool,
    cross: int,
    line: Callable[[str], int | None],
    source: str,
) -> list[Problem]:
    """One task's title, description (as it will be written, marker included) and checklist items."""
    out: list[Problem] = []
    where = f"task {task.key!r} ({task.department})"
    if not task.title.strip():
        out.append(Problem(source, line("title"), f"{where}: title is empty after rendering; every tool needs one"))
    if limits.title and len(task.title) > limits.title:
        out.append(
            Problem(
                source,
                line("title"),
                f"{where}: title is {len(task.title)} characters; {tool} accepts "
                f"at most {limits.title} ({limits.source}); shorten it",
            )
        )
    if limits.description:
        body = with_marker(_description(task, native_checklists), marker(instance, task.key))
        size = len(body) + cross * ANNOTATION_RESERVE
        if size > limits.description:
            extra = (
                f", {cross} cross-tool link line{'s' if cross > 1 else ''} and the collabsync marker"
                if cross
                else " and the collabsync marker"
            )
            out.append(
                Problem(
                    source,
                    line("notes"),
                    f"{where}: description would be {size} characters with its checklist{extra}; "
                    f"{tool} accepts at most {limits.description} ({limits.source}); shorten the notes",
                )
            )
    if native_checklists and limits.checklist_item:
        for item in task.checklist:
            if len(item) > limits.checklist_item:
                out.append(
                    Problem(
                        source,
                        line("checklist"),
                        f"{where}: a checklist item is {len(item)} characters; {tool} accepts at most "
                        f"{limits.checklist_item} ({limits.source}); shorten it",
                    )
                )
    return out
