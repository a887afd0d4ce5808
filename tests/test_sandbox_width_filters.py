"""jinja2's truncate and wordwrap work in template text (they crashed every stamp with an internal AttributeError:
the width cap's wrapper hid jinja2's pass-environment mark; found by bench/diffstamp.py, in every version)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from collabsync.cli import main
from collabsync.templating.sandbox import RenderLimitError, bounded_env, render_field

TEXT = {"t": "Launch of the new product line"}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ t|truncate(14) }}", "Launch of..."),
        ("{{ t|truncate(14, killwords=True, end='~') }}", "Launch of the~"),
        ("{{ t|wordwrap(12) }}", "Launch of\nthe new\nproduct line"),
        ("{{ t|wordwrap(width=12, wrapstring=' / ') }}", "Launch of / the new / product line"),
        ("{{ 'x'|center(5) }}", "  x  "),
    ],
)
def test_width_filters_render_as_jinja2_does(source: str, expected: str) -> None:
    assert render_field(bounded_env(), source, TEXT) == expected


@pytest.mark.parametrize("source", ["{{ t|truncate(200000) }}", "{{ t|wordwrap(width=200000) }}"])
def test_a_width_past_the_cap_is_still_refused(source: str) -> None:
    with pytest.raises(RenderLimitError, match="a width above 100,000"):
        render_field(bounded_env(), source, TEXT)


def test_a_template_using_truncate_stamps(isolated_home: Path) -> None:
    template = Path("short.yaml")
    template.write_text(
        "template: short\n"
        'title: "{{ product }}"\n'
        "variables:\n"
        '  product: {type: string, description: "Product name"}\n'
        "departments: [sales]\n"
        "tasks:\n"
        '  - {key: pitch, title: "Pitch {{ product|truncate(12) }}", department: sales}\n',
        encoding="utf-8",
    )
    run = CliRunner().invoke
    result = run(main, ["stamp", str(template), "--name", "s", "--var", "product=Nova Enterprise Suite", "--yes"])
    assert result.exit_code == 0, result.output
    listed = run(main, ["tasks", "s", "--format", "json"])
    assert [t["title"] for t in json.loads(listed.output)] == ["Pitch Nova..."]
