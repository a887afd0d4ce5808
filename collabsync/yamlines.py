"""YAML loading that remembers the line of every node, so errors can point into the file."""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["load_with_lines", "line_of", "Path_"]

Path_ = tuple[Any, ...]
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_with_lines(text: str) -> tuple[Any, dict[Path_, int], list[tuple[int, str]]]:
    """Parse YAML; return (data, {path: 1-based line}, [(line, duplicate-key message)]).

    Raises yaml.YAMLError (with a problem_mark) on syntax errors.
    """
    node = yaml.compose(text, Loader=_Loader)
    lines: dict[Path_, int] = {}
    dups: list[tuple[int, str]] = []
    if node is None:
        return None, lines, dups
    _walk(node, (), lines, dups)
    data = yaml.load(text, Loader=_Loader)
    return data, lines, dups


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int], dups: list[tuple[int, str]]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                where = ".".join(str(p) for p in path) or "top level"
                dups.append((line, f"duplicate key {key!r} in {where} (first at line {seen[key]}); remove one"))
            seen[key] = line
            _walk(value_node, (*path, key), lines, dups)
            lines[(*path, key)] = line
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), lines, dups)


def line_of(lines: dict[Path_, int], path: Path_) -> int | None:
    """The line of a path, or of its nearest ancestor that has one."""
    path = tuple(path)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())
