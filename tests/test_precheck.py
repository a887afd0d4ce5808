"""The stamp checks every tool's limits before its first write, also when called as a library (issue 11 item 4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from collabsync.config import load_config
from collabsync.errors import TemplateError
from collabsync.runtime import Workspace
from collabsync.stamping.stamp import apply_plan, build_plan
from collabsync.templating.template import parse_template
from collabsync.testing.stack import running_stack

TEMPLATE = """\
template: limits
title: "Launch"
variables:
  launch: {type: date}
departments: [engineering, sales, marketing]
tasks:
  - {key: spec, title: "%s", department: engineering, due: launch}
  - {key: pitch, title: "Pitch", department: sales, due: launch, depends_on: [spec]}
  - {key: ads, title: "Ads", department: marketing, due: launch}
"""


def test_a_title_too_long_for_jira_stops_the_stamp_before_trello_and_asana(isolated_home: Path) -> None:
    with running_stack() as stack:
        stack.write_config(Path("collabsync.toml"))
        template = parse_template(TEMPLATE % ("S" * 300), "limits.yaml")
        spec = template.render("too-long", {"launch": "2027-03-01"})
        with Workspace(load_config(), isolated_home) as ws:
            plan = build_plan(spec, ws)
            with pytest.raises(TemplateError) as caught:
                apply_plan(plan, ws)
            assert ws.ledger.instance("too-long") is None
        requests = {tool: getattr(stack, tool).count() for tool in ("jira", "trello", "asana")}
    assert [str(p) for p in caught.value.problems] == [
        "limits: task 'spec' (engineering): title is 300 characters; jira (provider 'jira') accepts at most 255 "
        "(Jira REST API reference); shorten it"
    ]
    assert requests == {"jira": 0, "trello": 0, "asana": 0}


def test_the_same_title_fits_where_the_tool_allows_it(isolated_home: Path) -> None:
    with running_stack() as stack:
        stack.write_config(
            Path("collabsync.toml"), routes={"engineering": "trello", "sales": "trello", "marketing": "asana"}
        )
        spec = parse_template(TEMPLATE % ("S" * 300), "limits.yaml").render("fits", {"launch": "2027-03-01"})
        with Workspace(load_config(), isolated_home) as ws:
            result = apply_plan(build_plan(spec, ws), ws)
    assert result["created"] == 3
