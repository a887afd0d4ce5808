"""YAML loading that remembers the line of every node, so errors can point into the file."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import yaml

from collabsync.gcpause import gc_paused
from collabsync.templating.yamlevents import NOT_PLAIN, load_plain

__all__ = ["load_with_lines", "load_fast", "LazyLines", "line_of", "Path_", "MAX_NODES", "MAX_DEPTH", "YamlTooComplex"]

Path_ = tuple[Any, ...]
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: Bounds of a parse: nodes after alias expansion (a "billion laughs" file is a few lines) and nesting depth.
#: A file without aliases needs at least two characters per value, so a large file may hold len(text) // 2.
MAX_NODES = 20_000
MAX_DEPTH = 64


class YamlTooComplex(yaml.MarkedYAMLError):
    """The document is bigger than a template can be once its aliases are expanded, nested too deep, or cyclic."""


def load_with_lines(text: str) -> tuple[Any, dict[Path_, int], list[tuple[int, str]]]:
    """Parse YAML; return (data, {path: 1-based line}, [(line, duplicate-key message)]).

    Raises yaml.YAMLError (with a problem_mark) on syntax errors.
    """
    with gc_paused():
        return _load_with_lines(text)


def _load_with_lines(text: str) -> tuple[Any, dict[Path_, int], list[tuple[int, str]]]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except RecursionError:
        raise YamlTooComplex(problem=f"nested deeper than {MAX_DEPTH} levels; flatten the document") from None
    lines: dict[Path_, int] = {}
    dups: list[tuple[int, str]] = []
    try:
        if node is None:
            return None, lines, dups
        _walk(node, (), lines, dups, [0, max(MAX_NODES, len(text) // 2)], set())
        data = loader.construct_document(node)  # from the composed tree: the text is parsed once
    finally:
        loader.dispose()
    return data, lines, dups


def _walk(
    node: yaml.Node,
    path: Path_,
    lines: dict[Path_, int],
    dups: list[tuple[int, str]],
    count: list[int],
    open_nodes: set[int],
) -> None:
    count[0] += 1
    if id(node) in open_nodes:
        raise YamlTooComplex(
            problem="an alias refers to a node that contains it (a recursive alias); remove the alias",
            problem_mark=node.start_mark,
        )
    if count[0] > count[1]:
        raise YamlTooComplex(
            problem=f"more than {count[1]} values once aliases are expanded "
            "(an alias bomb?); write the template out without nested aliases",
            problem_mark=node.start_mark,
        )
    if len(path) > MAX_DEPTH:
        raise YamlTooComplex(
            problem=f"nested deeper than {MAX_DEPTH} levels; flatten the document", problem_mark=node.start_mark
        )
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        open_nodes.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):  # the error constructing it gives, not a TypeError here
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping", node.start_mark, "found unhashable key", key_node.start_mark
                )
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                where = ".".join(str(p) for p in path) or "top level"
                dups.append((line, f"duplicate key {key!r} in {where} (first at line {seen[key]}); remove one"))
            seen[key] = line
            _walk(value_node, (*path, key), lines, dups, count, open_nodes)
            lines[(*path, key)] = line
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), lines, dups, count, open_nodes)
    open_nodes.discard(id(node))


#: Characters after which a ``&`` starts an anchor (any other ``&`` is text, as in "R&D").
_BEFORE_ANCHOR = frozenset(" \t\r\n[{,")


def _may_alias(text: str) -> bool:
    """Whether the text may hold an anchor or a merge key: such files take the tracking loader, which bounds
    aliases. Plain substring scans: a regular expression over an 18 MB file took 2 s."""
    if "<<" in text:
        return True
    at = text.find("&")
    while at != -1:
        if at == 0 or text[at - 1] in _BEFORE_ANCHOR:
            return True
        at = text.find("&", at + 1)
    return False


class LazyLines(Mapping[Path_, int]):
    """The line index of a file, built by the tracking loader the first time a problem asks for a line."""

    __slots__ = ("_text", "_lines")

    def __init__(self, text: str) -> None:
        self._text: str | None = text
        self._lines: dict[Path_, int] = {}

    def _index(self) -> dict[Path_, int]:
        if self._text is not None:
            _, self._lines, _ = load_with_lines(self._text)
            self._text = None
        return self._lines

    def __getitem__(self, path: Path_) -> int:
        return self._index()[path]

    def __iter__(self) -> Iterator[Path_]:
        return iter(self._index())

    def __len__(self) -> int:
        return len(self._index())

    def __contains__(self, path: object) -> bool:
        return path in self._index()


def load_fast(text: str) -> tuple[Any, Mapping[Path_, int], list[tuple[int, str]]]:
    """load_with_lines for the common case, without its per-node walk: the line index is built on demand.

    A file with anchors or merge keys, a duplicate key, deep nesting or any parse error is handed to the
    tracking loader, so every error and its line is exactly what load_with_lines gives.
    """
    if not _may_alias(text):
        with gc_paused():
            data = load_plain(text, MAX_DEPTH - 1)
        if data is not NOT_PLAIN:
            return data, LazyLines(text), []
    return load_with_lines(text)


def line_of(lines: Mapping[Path_, int], path: Path_) -> int | None:
    """The line of a path, or of its nearest ancestor that has one."""
    path = tuple(path)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())
