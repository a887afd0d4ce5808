"""Tracking existing work: local containers now, the SaaS tools through their resolve_source."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from collabsync.cli import main
from collabsync.config import load_config
from collabsync.model import NewTask, Status, TaskSpec
from collabsync.providers.base import ProviderContext
from collabsync.providers.local import LocalProvider
from collabsync.templating.template import find_template


def seed_local(home: Path) -> tuple[str, str]:
    """A person-made container with four tasks, labelled by team, one blocked and one done."""
    with LocalProvider("local", {}, ProviderContext(home=home)) as p:
        c = p.create_container("Website relaunch")
        specs = [
            TaskSpec("x1", "Copy", "x", labels=("Marketing",)),
            TaskSpec("x2", "Pricing page", "x", labels=("Sales",)),
            TaskSpec("x3", "CMS", "x", labels=("Web",)),
            TaskSpec("x4", "Launch mail", "x", labels=("Marketing",)),
        ]
        made = list(p.create_tasks(c, [NewTask(s, "") for s in specs]))
        p.link_dependencies(c, [(made[3].ref, made[0].ref)]).__next__()
        p.set_status(c, made[0].ref, Status.DONE)
        p.set_status(c, made[1].ref, Status.BLOCKED)
        return c.ref, made[0].ref


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_track_with_label_mapping_then_untrack(isolated_home: Path) -> None:
    ref, copy_ref = seed_local(isolated_home)
    out = run(
        "track",
        "web",
        "Website relaunch",
        "--provider",
        "local",
        "--map-by",
        "label",
        "--map",
        "Marketing=marketing",
        "--map",
        "Sales=sales",
        "--department",
        "it",
    )
    assert "web: tracking Website relaunch (local)" in out
    status = json.loads(run("status", "web", "--format", "json"))
    assert status["template"] is None
    depts = status["departments"]
    assert (depts["marketing"]["total"], depts["marketing"]["done"]) == (2, 1)
    assert (depts["sales"]["total"], depts["sales"]["blocked"]) == (1, 1)
    assert depts["it"]["total"] == 1 and depts["it"]["provider"] == "local"
    rows = json.loads(run("tasks", "web", "--department", "marketing", "--format", "json"))
    mail = next(r for r in rows if r["title"] == "Launch mail")
    assert mail["depends_on"] == [copy_ref] and mail["key"] != copy_ref
    run("untrack", "web", "Website relaunch")
    assert json.loads(run("status", "web", "--format", "json"))["overall"]["total"] == 0


def test_tracked_and_stamped_mix_in_one_instance(isolated_home: Path) -> None:
    ref, _ = seed_local(isolated_home)
    run(
        "stamp",
        "customer-onboarding",
        "--name",
        "acme",
        "--var",
        "customer=Acme",
        "--var",
        "kickoff=2027-01-11",
        "--yes",
    )
    run("track", "acme", ref, "--department", "support")
    status = json.loads(run("status", "acme", "--format", "json"))
    spec = find_template("customer-onboarding").render("acme", {"customer": "Acme", "kickoff": "2027-01-11"})
    stamped_support = len(spec.tasks_of("support"))
    assert status["departments"]["support"]["total"] == stamped_support + 4
    assert status["overall"]["total"] == len(spec.tasks) + 4


def test_track_errors_are_clear(isolated_home: Path) -> None:
    result = CliRunner().invoke(main, ["track", "web", "nope", "--department", "it"])
    assert result.exit_code == 1 and "local: container 'nope': no local container with that id or name" in result.output
    result = CliRunner().invoke(main, ["track", "web", "x"])
    assert result.exit_code == 1 and "give --department" in result.output
    result = CliRunner().invoke(main, ["untrack", "web", "x"])
    assert result.exit_code == 1 and "is not tracked" in result.output
    assert load_config().default_provider == "local"
