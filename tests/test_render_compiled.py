"""The HTML template compiled ahead renders what the template compiled at run time renders, and only while it fits."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import jinja2
import pytest

from collabsync.model import Status, Task
from collabsync.report.render import compiled, html
from collabsync.report.rollup import build_report
from collabsync.report.rollup_model import Report


def _report() -> Report:
    tasks = [
        Task(
            str(i),
            f"Step {i} <&>",
            (Status.TODO, Status.DONE, Status.BLOCKED)[i % 3],
            department=("a", "b")[i % 2],
            due=dt.date(2027, 1, 4) + dt.timedelta(days=i),
            url=f"https://x.test/{i}",
            provider="jira",
            depends_on=[str(i - 1)] if i else [],
        )
        for i in range(30)
    ]
    return build_report(tasks, today=dt.date(2027, 1, 20), instance="nova", generated_at=dt.datetime(2027, 1, 1))


def _no_compiling(*_: object, **__: object) -> None:
    raise AssertionError("the template was compiled from its text")


def test_the_shipped_file_was_made_from_the_current_template() -> None:
    head = html.COMPILED.read_text(encoding="utf-8").splitlines()[0].split()
    again = "run `python -m collabsync.report.render.compiled`"
    assert head[4] == compiled.source_digest(html.environment(), html.TEMPLATE_SOURCE), f"the template changed: {again}"
    assert head[6] == jinja2.__version__, f"jinja2 changed: {again}"


def test_the_shipped_file_renders_what_the_template_renders(monkeypatch: pytest.MonkeyPatch) -> None:
    report = _report()
    html._template.cache_clear()
    with monkeypatch.context() as patch:
        patch.setattr(jinja2.Environment, "from_string", _no_compiling)
        ahead = html.render_html(report)
    html._template.cache_clear()
    monkeypatch.setattr(html, "COMPILED", Path("/nonexistent/html.compiled"))
    try:
        assert html.render_html(report) == ahead
        assert "Step 3 &lt;&amp;&gt;" in ahead
    finally:
        html._template.cache_clear()


def test_another_template_or_a_damaged_file_is_compiled_from_its_text(tmp_path: Path) -> None:
    env = html.environment()
    path = tmp_path / "t.compiled"
    compiled.write(env, "<p>{{ x }} one</p>", path)
    assert compiled.template(env, "<p>{{ x }} one</p>", path).render(x="<b>") == "<p>&lt;b&gt; one</p>"
    assert compiled.template(env, "<p>{{ x }} two</p>", path).render(x="a") == "<p>a two</p>"  # edited template
    other = jinja2.Environment(autoescape=False)
    assert compiled.template(other, "<p>{{ x }} one</p>", path).render(x="<b>") == "<p><b> one</p>"  # other settings
    head = path.read_text(encoding="utf-8").splitlines()[0]
    path.write_text(head + "\n)(\n", encoding="utf-8")  # damaged
    assert compiled.template(env, "<p>{{ x }} one</p>", path).render(x="a") == "<p>a one</p>"
    path.write_bytes(b"\xff\xfe")
    assert compiled.template(env, "<p>{{ x }} one</p>", path).render(x="a") == "<p>a one</p>"
    assert compiled.template(env, "<p>{{ x }}</p>", tmp_path / "missing").render(x="a") == "<p>a</p>"
