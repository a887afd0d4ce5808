"""Lint hygiene that ruff cannot state itself: every suppression says why, and mypy's package layout holds."""

from __future__ import annotations

import functools
import io
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINTED = ("collabsync", "providers", "tests", "bench")
NOQA = re.compile(r"#\s*noqa\b(?P<rest>.*)", re.IGNORECASE)
JUSTIFIED = re.compile(r":\s*[A-Z]+\d+(\s*,\s*[A-Z]+\d+)*\s+-\s+\S")  # after noqa: "CODE[, CODE] - reason"
TYPE_IGNORE = re.compile(r"#\s*type:\s*ignore(?P<codes>\[[^\]]*\])?")


def _comments(path: Path) -> list[tuple[int, str]]:
    """The comments of a Python file (tokenized, so a '# noqa' inside a string does not count)."""
    source = path.read_text(encoding="utf-8")
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return [(tok.start[0], tok.string) for tok in tokens if tok.type == tokenize.COMMENT]


@functools.cache
def _linted_comments() -> list[tuple[str, int, str]]:
    """(file, line, comment) for every file `ruff check` is run on; read once for both tests."""
    files = [ROOT / "cli.py"]
    for top in LINTED:
        files += sorted(p for p in (ROOT / top).rglob("*.py") if p.is_file() and not p.is_symlink())
    return [(str(path.relative_to(ROOT)), line, comment) for path in files for line, comment in _comments(path)]


def test_every_noqa_names_its_codes_and_a_reason() -> None:
    bare = []
    for path, line, comment in _linted_comments():
        found = NOQA.search(comment)
        if found and not JUSTIFIED.match(found.group("rest")):
            bare.append(f"{path}:{line}: {comment}")
    assert not bare, "write `# noqa: CODE - why` (or fix the code):\n" + "\n".join(bare)


def test_every_type_ignore_names_its_codes() -> None:
    bare = []
    for path, line, comment in _linted_comments():
        found = TYPE_IGNORE.search(comment)
        if found and not found.group("codes"):
            bare.append(f"{path}:{line}: {comment}")
    assert not bare, "write `# type: ignore[code]`:\n" + "\n".join(bare)


def test_mypy_sees_the_package_as_installed() -> None:
    layout = ROOT / ".mypy" / "collabsync"
    assert (layout / "providers").resolve() == (ROOT / "providers").resolve()
    assert (layout / "templates").resolve() == (ROOT / "templates").resolve()
    assert not (layout / "__init__.py").exists()  # ./collabsync stays the package; this only adds to it
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"collabsync.providers" = "providers"' in pyproject  # the mapping the links mirror
