"""The fast paths of issue 17 give the same answers as the careful ones they stand in front of."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema
import pytest
import yaml

from collabsync.dates import parse_date_expr
from collabsync.errors import NotFoundError
from collabsync.ledger import Ledger
from collabsync.ledger_rows import spec_from_json, spec_to_json
from collabsync.model import NewTask, ProjectSpec, SectionSpec, TaskSpec, marker
from collabsync.providers.base import ProviderContext
from collabsync.providers.local import LocalProvider
from collabsync.templating.template import _fast_validator, parse_template, template_schema
from collabsync.templating.yamlines import LazyLines, load_fast, load_with_lines

ROOT = Path(__file__).resolve().parent.parent
YAML_FILES = sorted([*(ROOT / "tests" / "bad_inputs").glob("*.yaml"), *(ROOT / "templates").glob("*.yaml")])


def _texts() -> list[tuple[str, str]]:
    out = []
    for path in YAML_FILES:
        try:
            out.append((path.name, path.read_text("utf-8")))
        except UnicodeDecodeError:
            continue  # refused before YAML by read_utf8
    return out


@pytest.mark.parametrize(("name", "text"), _texts(), ids=[n for n, _ in _texts()])
def test_fast_load_equals_tracking_load(name: str, text: str) -> None:
    try:
        slow = load_with_lines(text)
    except (yaml.YAMLError, RecursionError) as exc:
        with pytest.raises(type(exc)) as fast_exc:
            load_fast(text)
        assert str(fast_exc.value) == str(exc)
        return
    data, lines, dups = load_fast(text)
    assert data == slow[0] and dups == slow[2] and dict(lines) == slow[1]


def test_lines_are_built_only_when_asked() -> None:
    data, lines, dups = load_fast("template: a\ntasks:\n  - key: t1\n    title: T\n")
    assert isinstance(lines, LazyLines) and lines._text is not None and dups == []
    assert lines[("tasks", 0, "title")] == 4 and ("tasks", 0) in lines and lines._text is None


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\na: 2\n",  # duplicate key: reported with its line
        "a: &x [1]\nb: *x\n",  # an anchor: aliases are bounded by the tracking loader
        "base: {k: 1}\nother:\n  <<: {k: 2}\n",  # a merge key
        "a: " + "[" * 70 + "]" * 70 + "\n",  # nested past MAX_DEPTH
    ],
)
def test_files_the_fast_path_hands_over(text: str) -> None:
    try:
        expected: Any = load_with_lines(text)
    except yaml.YAMLError as exc:
        with pytest.raises(type(exc)):
            load_fast(text)
        return
    data, lines, dups = load_fast(text)
    assert (data, dict(lines), dups) == expected and isinstance(lines, dict)


def _valid() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "templates" / "product-launch.yaml").read_text("utf-8"))


def _mutations() -> list[tuple[str, Any]]:
    """Values a hand-written template gets wrong, at the places the schema guards."""
    return [
        ("estimate", True),
        ("estimate", 1.0),
        ("estimate", -1),
        ("estimate", "2"),
        ("milestone", "yes"),
        ("key", "Bad Key"),
        ("key", ""),
        ("title", 3),
        ("title", ""),
        ("depends_on", "t1"),
        ("labels", [1]),
        ("start", None),
        ("due", 20270101),
        ("checklist", ["ok", 2]),
        ("unknown", 1),
        ("department", None),
    ]


@pytest.mark.parametrize(("field", "value"), _mutations(), ids=[f"{f}={v!r}" for f, v in _mutations()])
def test_compiled_schema_agrees_with_jsonschema(field: str, value: Any) -> None:
    data = _valid()
    data["tasks"][0][field] = value
    full = list(jsonschema.Draft202012Validator(template_schema()).iter_errors(data))
    try:
        _fast_validator()(data)
        compiled_ok = True
    except fastjsonschema.JsonSchemaException:
        compiled_ok = False
    assert compiled_ok == (not full)


def test_a_valid_template_is_accepted_without_mutation() -> None:
    data = _valid()
    before = repr(data)
    _fast_validator()(data)
    assert repr(data) == before


def test_schema_problems_keep_their_lines_on_the_fast_path() -> None:
    text = (ROOT / "templates" / "product-launch.yaml").read_text("utf-8").replace("estimate: 2", "estimate: two", 1)
    with pytest.raises(Exception) as exc:
        parse_template(text, "t.yaml")
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "estimate: two" in ln)
    assert f"t.yaml:{line}:" in str(exc.value) and "'two' is not of type 'number'" in str(exc.value)


def test_date_expressions_of_any_shape_still_fail_clearly() -> None:
    with pytest.raises(ValueError, match="bad date expression"):
        parse_date_expr(["launch"])  # type: ignore[arg-type]
    assert parse_date_expr("launch - 3bd") is parse_date_expr("launch - 3bd")


def test_spec_json_round_trips() -> None:
    import datetime as dt

    spec = ProjectSpec(
        "i",
        "t",
        "T",
        "d",
        ("a",),
        (SectionSpec("s", "S"),),
        (
            TaskSpec(
                "k",
                "K",
                "a",
                "s",
                dt.date(2027, 1, 4),
                dt.date(2027, 1, 8),
                1.5,
                ("j",),
                ("x",),
                "n",
                None,
                ("c",),
                True,
                "r",
            ),
            TaskSpec("j", "J", "a"),
        ),
        {"launch": "2027-02-01", "n": [1, {"x": 2}]},
    )
    assert spec_from_json(spec_to_json(spec)) == spec


def test_grouped_ledger_rows_are_committed_by_count_and_on_error(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.sqlite")
    other = sqlite3.connect(tmp_path / "ledger.sqlite")

    def seen() -> int:
        return other.execute("SELECT count(*) FROM objects").fetchone()[0]

    with pytest.raises(RuntimeError), ledger.grouped(max_rows=2, max_seconds=3600):
        ledger.record("i", "d", "p", "task", "a", ref="1")
        assert seen() == 0  # not yet committed
        ledger.record("i", "d", "p", "task", "b", ref="2")
        assert seen() == 2  # the group was full
        ledger.record("i", "d", "p", "task", "c", ref="3")
        raise RuntimeError("the tool went away")
    assert seen() == 3  # what was recorded before the failure is kept
    ledger.record("i", "d", "p", "task", "d", ref="4")
    assert seen() == 4  # outside a group, each write commits at once
    other.close()
    ledger.close()


@pytest.fixture
def local(tmp_path: Path) -> LocalProvider:
    with LocalProvider("local", {}, ProviderContext(home=tmp_path)) as p:
        yield p


def _new(key: str, section_ref: str | None = None) -> NewTask:
    return NewTask(TaskSpec(key=key, title=f"Task {key}", department="sales"), marker("inst", key), section_ref)


def test_a_failure_inside_a_batch_keeps_the_tasks_before_it(local: LocalProvider) -> None:
    container = local.ensure_container("inst", "Inst", "", {})
    outcomes = local.create_tasks(container, [_new("a"), _new("b"), _new("c", section_ref="not-a-number")])
    made = [next(outcomes), next(outcomes)]
    with pytest.raises(ValueError):
        next(outcomes)
    assert [m.key for m in made] == ["a", "b"]
    assert sorted(t.key for t in local.read_tasks(container)) == ["a", "b"]
    links = local.link_dependencies(container, [(made[0].ref, made[1].ref), (made[0].ref, "999")])
    assert next(links).blocking_ref == made[1].ref
    with pytest.raises(NotFoundError):
        next(links)
    assert next(t for t in local.read_tasks(container) if t.key == "a").depends_on == [made[1].ref]


@pytest.mark.parametrize(
    ("text", "may"),
    [
        ("a: &x 1\nb: *x\n", True),
        ("&a [1]\n", True),
        ("a: [1, &x 2]\n", True),
        ("a: {<<: {b: 1}}\n", True),
        ("title: R&D\n", False),
        ("title: Q&A for {{ product }}\n", False),
        ("title: plain\n", False),
    ],
)
def test_anchor_scan_is_conservative(text: str, may: bool) -> None:
    from collabsync.templating.yamlines import _may_alias

    assert _may_alias(text) is may
    data, lines, _ = load_fast(text)
    assert data == yaml.safe_load(text) and isinstance(lines, LazyLines) is (not may)
