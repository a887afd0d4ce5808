"""One `collabsync stamp` run around the stamping engine (stamp.py): render, reuse check, preflight, upgrade
then plan, and what was written remembered for later diffs. The CLI only parses and prints around these."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from collabsync.errors import ConfigError, TemplateError
from collabsync.ledger import InstanceRecord
from collabsync.model import ProjectSpec
from collabsync.runtime import Workspace
from collabsync.stamping.stamp import Plan, Progress, apply_plan

if TYPE_CHECKING:  # the template engine loads jinja2, the doctor the providers' base
    from collabsync.stamping.doctor import DoctorReport
    from collabsync.stamping.upgrade import UpgradePlan
    from collabsync.templating.template import Template

__all__ = ["render_for_stamp", "reused_instance", "preflight", "apply_stamp"]


def render_for_stamp(
    template: str,
    instance: str,
    values: Mapping[str, str],
    bound: Mapping[str, str],
    roles: Callable[[], Mapping[str, Any]],
    template_dirs: Sequence[Path] = (),
) -> tuple[Template, ProjectSpec]:
    """The template rendered for an instance; its problems and the config's are raised together, before any write."""
    from collabsync.templating.template import find_template

    problems: list[Any] = []
    role_config: Mapping[str, Any] = {}
    config_problems: list[Any] = []
    try:
        role_config = roles()
    except ConfigError as exc:
        config_problems = exc.problems
    try:
        tmpl = find_template(template, list(template_dirs))
        spec = tmpl.render(instance, values, bound, role_config)
    except TemplateError as exc:
        problems += exc.problems
    problems += config_problems
    if problems:
        raise TemplateError(problems)
    return tmpl, spec


def reused_instance(ws: Workspace, spec: ProjectSpec) -> InstanceRecord | None:
    """The instance already stamped under this name; a --name taken by another template is refused."""
    existing = ws.ledger.instance(spec.instance)
    if existing and existing.spec and existing.template != spec.template:
        raise ConfigError.single(
            "--name",
            f"instance {spec.instance!r} was stamped from template {existing.template}, not "
            f"{spec.template}; pick another --name",
        )
    return existing


def preflight(plan: Plan, ws: Workspace) -> DoctorReport | None:
    """The doctor's findings for a stamp; none for a re-run that has nothing left to write."""
    from collabsync.stamping.doctor import check

    return None if plan.up_to_date else check(plan.spec, ws)


def apply_stamp(
    plan: Plan, upgrade: UpgradePlan | None, ws: Workspace, template: Template, progress: Progress | None = None
) -> dict[str, Any]:
    """The template's changes to tasks already there first, then what is missing; then the template and the
    values written are remembered (for `diff` and `reschedule`). A plan that is up to date writes no task."""
    from collabsync.stamping.written import WrittenLog

    result: dict[str, Any] = {"instance": plan.spec.instance, "created": 0, "links": 0}
    if upgrade is not None:
        from collabsync.stamping.upgrade import apply_upgrade

        apply_upgrade(upgrade, ws, progress)
    if not plan.up_to_date or upgrade is not None:
        result = apply_plan(plan, ws, progress)
    WrittenLog(ws.ledger).stamped(plan.spec.instance, template, plan.spec)
    return result
