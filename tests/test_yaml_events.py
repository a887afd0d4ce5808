"""The event-built loader gives exactly what the reference loaders give, and hands every other file to them."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
import yaml

from collabsync.templating.yamlevents import NOT_PLAIN, load_plain
from collabsync.templating.yamlines import MAX_DEPTH, LazyLines, load_fast, load_with_lines

SCALARS = [
    "plain",
    "'quoted'",
    '"dq"',
    "1",
    "-7",
    "0x1f",
    "0o17",
    "1_000",
    "3.5",
    ".inf",
    "-.Inf",
    ".nan",
    "1e3",
    "true",
    "False",
    "yes",
    "No",
    "on",
    "off",
    "null",
    "~",
    "''",
    "2028-06-01",
    "2028-06-01 10:00:00",
    "2001-12-14t21:59:43.10-05:00",
    "launch - 5bd",
    "'2028-06-01'",
    "!!str 12",
    "!!int '12'",
    "!!float 1",
    "Q&A",
    "R&D",
    "a: b" if False else "'a: b'",
    "|\n      block\n      text\n",
    ">\n      folded\n      text\n",
    "=",
    "!!binary aGVsbG8=",
    "'{{ product }}'",
]


def _doc(rng: random.Random, depth: int = 0) -> str:
    """A random block-style document."""
    if depth > 2 or rng.random() < 0.3:
        return rng.choice(SCALARS)
    pad = "  " * (depth + 1)
    if rng.random() < 0.5:
        items = [f"{pad}- {_inline(rng, depth)}" for _ in range(rng.randint(0, 4))]
        return ("\n" + "\n".join(items)) if items else "[]"
    keys = rng.sample(["a", "b", "key", "1", "true", "null", "2028-01-01", "x y", "'q'"], rng.randint(0, 4))
    items = [f"{pad}{k}: {_inline(rng, depth)}" for k in keys]
    return ("\n" + "\n".join(items)) if items else "{}"


def _inline(rng: random.Random, depth: int) -> str:
    if rng.random() < 0.2:
        return (
            "[" + ", ".join(rng.choice(["1", "x", "null", "'s'", "2028-01-02"]) for _ in range(rng.randint(0, 3))) + "]"
        )
    if rng.random() < 0.1:
        return "{a: 1, b: [x, y], c: {d: ~}}"
    return _doc(rng, depth + 1)


def test_random_documents_match_safe_load() -> None:
    rng = random.Random(17)
    built = 0
    for _ in range(600):
        text = "root:" + _doc(rng) + "\n"
        try:
            want = yaml.safe_load(text)
        except yaml.YAMLError:
            assert load_plain(text, MAX_DEPTH - 1) is NOT_PLAIN
            continue
        got = load_plain(text, MAX_DEPTH - 1)
        if got is not NOT_PLAIN:
            built += 1
            assert got == want and repr(got) == repr(want), text
            assert load_fast(text)[0] == want
    assert built > 300  # most plain documents take the event path


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\na: 2\n",  # duplicate key
        "1: x\n1.0: y\n",  # keys equal once built
        "a: !custom 1\n",  # a tag the safe loader refuses
        "a: !!set {x, y}\n",  # a tagged collection
        "a: *nowhere\n",  # an alias without its anchor
        "--- 1\n--- 2\n",  # two documents
        "a: [1, 2\n",  # a parse error
        "=: 1\n",  # the value key
        "a: !!omap [b: 1]\n",
    ],
)
def test_other_documents_go_to_the_reference_loader(text: str) -> None:
    assert load_plain(text, MAX_DEPTH - 1) is NOT_PLAIN
    try:
        want = load_with_lines(text)
    except yaml.YAMLError as exc:
        with pytest.raises(type(exc)) as got:
            load_fast(text)
        assert str(got.value) == str(exc)
    else:
        assert load_fast(text) == want


def test_empty_and_scalar_documents() -> None:
    assert load_plain("", 5) is None
    assert load_plain("---\n", 5) is None
    assert load_plain("2028-06-01\n", 5) == dt.date(2028, 6, 1)
    assert load_plain("- a\n- [b]\n", 5) == ["a", ["b"]]
    assert load_plain("? [a]\n: 1\n", 5) is NOT_PLAIN  # a key that is not a scalar


def test_depth_bound_is_the_reference_one() -> None:
    """Containers nested to the limit are built here; one deeper goes to the tracking loader (and its error)."""

    def nested(n: int) -> str:
        return "[" * n + "]" * n + "\n"

    assert load_plain(nested(MAX_DEPTH), MAX_DEPTH - 1) == yaml.safe_load(nested(MAX_DEPTH))
    assert load_plain(nested(MAX_DEPTH + 1), MAX_DEPTH - 1) is NOT_PLAIN


def test_shipped_templates_load_as_before() -> None:
    root = Path(__file__).parent.parent / "templates"
    for path in sorted(root.glob("*.yaml")):
        text = path.read_text("utf-8")
        data, lines, dups = load_fast(text)
        ref, ref_lines, ref_dups = load_with_lines(text)
        assert data == ref and dups == ref_dups and dict(lines) == ref_lines, path.name
        assert isinstance(lines, LazyLines)


def test_a_key_that_is_not_a_scalar_is_a_template_error() -> None:
    from collabsync.errors import TemplateError
    from collabsync.templating.template import parse_template

    with pytest.raises(yaml.constructor.ConstructorError, match="found unhashable key"):
        load_fast("a: 1\n? [b]\n: 2\n")
    with pytest.raises(TemplateError) as got:
        parse_template("template: t\n? {x: 1}\n: 2\n", "t.yaml")
    assert [(p.line, "unhashable key" in p.message) for p in got.value.problems] == [(2, True)]
