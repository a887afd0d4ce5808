"""Plain YAML built straight from the C parser's events: no node tree, so a 100,000-task template is not held
twice (nodes with their marks, then data) and is not walked twice (construct, then the depth check).

Only what the safe loader builds the same way is handled here: untagged (or standard-tagged) mappings,
sequences and scalars, no anchors, one document. Anything else (a tag, an anchor or alias, a duplicate
key, a key that is not a scalar, a parse error, nesting past the limit) returns NOT_PLAIN, and the caller
takes the reference loader, which gives the exact data or error.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import ScalarNode

__all__ = ["NOT_PLAIN", "load_plain"]

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MAP, _SEQ, _STR = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:str"
#: Scalar tags whose safe constructor gives an immutable value from the text alone, so one text is built once.
_PURE = frozenset(f"tag:yaml.org,2002:{t}" for t in ("null", "bool", "int", "float", "timestamp", "binary"))


class _NotPlain(Exception):
    """Internal: the document needs the reference loader."""


#: Returned by load_plain for a document it does not build itself.
NOT_PLAIN: Any = object()


def load_plain(text: str, max_depth: int) -> Any:
    """The document as yaml.safe_load builds it, or NOT_PLAIN; containers nest at most max_depth deep."""
    loader = _Loader(text)
    try:
        if loader.yaml_path_resolvers:  # tags chosen by position: only the composer tracks positions
            return NOT_PLAIN
        return _build(loader, max_depth)
    except (_NotPlain, yaml.YAMLError, RecursionError, TypeError, ValueError):
        return NOT_PLAIN
    finally:
        loader.dispose()


def _build(loader: Any, max_depth: int) -> Any:
    get = loader.get_event
    resolve = loader.resolve
    ctors = loader.yaml_constructors
    plain: dict[tuple[str, Any], Any] = {}  # (text, implicit) of an untagged scalar -> its value, built once
    ScalarEvent, MappingStartEvent, SequenceStartEvent = (
        yaml.ScalarEvent,
        yaml.MappingStartEvent,
        yaml.SequenceStartEvent,
    )
    MappingEndEvent, SequenceEndEvent = yaml.MappingEndEvent, yaml.SequenceEndEvent

    def scalar(event: Any) -> Any:
        if event.anchor is not None:
            raise _NotPlain
        tag = event.tag
        untagged = tag is None or tag == "!"
        if untagged:
            tag = resolve(ScalarNode, event.value, event.implicit)
        if tag == _STR:
            value = event.value
        elif tag in _PURE:
            value = ctors[tag](loader, ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style))
        else:
            raise _NotPlain
        if untagged and event.tag is None:
            plain[(event.value, event.implicit)] = value
        return value

    def collection_tag(event: Any, kind: type, default: str) -> None:
        if event.anchor is not None:
            raise _NotPlain
        tag = event.tag
        if tag is None or tag == "!":
            tag = resolve(kind, None, event.implicit)
        if tag != default:
            raise _NotPlain

    # An explicit stack rather than recursion: a deep document must not overflow the interpreter's stack.
    if not isinstance(get(), yaml.StreamStartEvent):
        raise _NotPlain
    event = get()
    if isinstance(event, yaml.StreamEndEvent):
        return None
    if not isinstance(event, yaml.DocumentStartEvent):
        raise _NotPlain
    root: list[Any] = []
    stack: list[tuple[Any, list[Any] | None]] = [(root, None)]  # (container, pending mapping key holder)
    while True:
        event = get()
        top, key_box = stack[-1]
        kind = type(event)
        if kind is ScalarEvent:
            if event.tag is None and event.anchor is None:
                try:  # the common case: a text seen before
                    value = plain[(event.value, event.implicit)]
                except KeyError:
                    value = scalar(event)
            else:
                value = scalar(event)
        elif kind is MappingStartEvent:
            if event.tag is not None or event.anchor is not None:  # untagged: the default tag, as resolve gives
                collection_tag(event, yaml.MappingNode, _MAP)
            value = {}
        elif kind is SequenceStartEvent:
            if event.tag is not None or event.anchor is not None:
                collection_tag(event, yaml.SequenceNode, _SEQ)
            value = []
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            if key_box:  # a mapping ended between a key and its value
                raise _NotPlain
            stack.pop()
            continue
        elif kind is yaml.DocumentEndEvent:
            break
        else:  # an alias, or anything unexpected
            raise _NotPlain
        if key_box is None:  # a sequence (or the document root)
            top.append(value)
        elif not key_box:  # a mapping's key: a scalar only, and no repeat
            if isinstance(value, (dict, list)) or value in top:
                raise _NotPlain
            key_box.append(value)
            continue
        else:
            top[key_box.pop()] = value
        if isinstance(value, dict):
            if len(stack) > max_depth + 1:  # this container's depth is len(stack) - 1
                raise _NotPlain
            stack.append((value, []))
        elif isinstance(value, list):
            if len(stack) > max_depth + 1:
                raise _NotPlain
            stack.append((value, None))
    if len(stack) != 1 or len(root) != 1 or not isinstance(get(), yaml.StreamEndEvent):
        raise _NotPlain
    return root[0]
