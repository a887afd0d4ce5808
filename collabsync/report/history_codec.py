"""How one column of a history snapshot's tasks becomes bytes and back, exactly, in C-level passes over it.

Every form starts with a one-byte tag; each is tried only where it holds the column exactly, JSON last:

- `S` strings and None: the strings joined by US, None as RS alone (not used when an item holds either mark).
- `R` a string column that is a fixed prefix plus another column (a url from its ref, a marker from its key):
  the prefix and that column's index; the other column is one of the snapshot's own.
- `L` lists of strings: their lengths (a byte each, or as text when one has 256 items or more), then every
  item in `S` form.
- `X` dicts that all have the same string keys in the same order: the keys, then each key's values encoded
  by these same rules (a JSON-stored dict read the same way).
- `K` JSON scalars of one kind of number (ints, or floats; True and 1 would share a dict slot): each distinct
  value's JSON text, in `S` form.
- `D` aware datetimes with one fixed offset: their pickle state (10 bytes each, the form every pickled datetime
  loads through) after a JSON line with the offset.
- `J` JSON of the whole column.

Decoding gives what JSON of the same column would give (tuples as lists), with datetimes as datetimes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from itertools import accumulate, chain, repeat
from operator import add, attrgetter, itemgetter
from typing import Any

__all__ = ["encode", "decode", "encode_moments", "decode_moments"]

_SEP, _NONE = "\x1f", "\x1e"
_NONE_AS_MARK, _MARK_AS_NONE = {None: _NONE}, {_NONE: None}
_NUMBERS = frozenset((int, float, bool))
_SCALARS = frozenset((int, float, bool, str, type(None)))
_ZONE = attrgetter("tzinfo")
_STRINGS, _LISTS, _DICT = frozenset((str, type(None))), frozenset((list, tuple)), {dict}
#: datetime from its pickle state and zone: the form every pickled datetime loads through, so it stays.
_from_state: Callable[[bytes, dt.tzinfo], dt.datetime] = dt.datetime  # type: ignore[assignment]

#: Columns a string column may be derived from: the index of each in the snapshot and its values.
Bases = dict[int, Sequence[Any]]


def _json(column: Sequence[Any]) -> bytes:
    return b"J" + json.dumps(list(column)).encode()


def _joined(column: Sequence[Any], nones: bool = True) -> str | None:
    """The items joined by US, None as RS (when `nones`); None when an item is neither a string nor None or holds
    a mark (then splitting would not give the items back)."""
    if not column:
        return None
    try:  # strings alone, the common case: no pass over the items before the join
        text, count = _SEP.join(column), 0
    except TypeError:  # a None, or not a string
        if not nones:
            return None
        count = column.count(None)
        try:
            text = _SEP.join(map(_NONE_AS_MARK.get, column, column))
        except TypeError:  # not a string (nor hashable)
            return None
    if text.count(_SEP) != len(column) - 1 or text.count(_NONE) != count:
        return None
    return text


def _texts(column: Sequence[Any], nones: bool = True) -> bytes | None:
    """`S` form of strings (and None, when `nones`), or None when the column is not that."""
    text = _joined(column, nones)
    return None if text is None else b"S" + text.encode("utf-8", "surrogatepass")


def _derived(column: Sequence[Any], text: str, bases: Bases) -> bytes | None:
    """`R` form: every item is one prefix plus the item of a base column at the same place. `text` is the column
    joined (no item holds US), so comparing it with the base joined by US + prefix compares every item."""
    first = column[0]
    for at, base in bases.items():
        if len(base) != len(column) or type(base[0]) is not str or not first.endswith(base[0]):
            continue
        prefix = first[: len(first) - len(base[0])]
        try:
            if prefix + (_SEP + prefix).join(base) == text:
                return b"R" + json.dumps([at, prefix]).encode()
        except TypeError:  # not a string in the base
            continue
    return None


def _lists(column: Sequence[Any]) -> bytes | None:
    """`L` form of lists (or tuples) of strings."""
    try:
        sizes = b"B" + bytes(map(len, column))  # one byte each when every list has fewer than 256 items
    except ValueError:
        sizes = ",".join(map(str, map(len, column))).encode()
    empty = sizes[:1] == b"B" and sizes.count(0) == len(column)  # (lists of nothing need no pass over items)
    items = [] if empty else list(chain.from_iterable(column))
    flat = _texts(items) if items else b"S"
    if flat is None:
        return None
    return b"L" + sizes + b"\n" + flat


def _dicts(column: Sequence[Any], bases: Bases) -> bytes | None:
    """`X` form of dicts with one key order: each key's values encoded as a column of their own."""
    orders = set(map(tuple, column))
    if len(orders) != 1:
        return None
    keys = orders.pop()
    if not all(type(k) is str for k in keys):
        return None  # JSON would make them strings
    parts = [encode(list(map(itemgetter(k), column)), bases) for k in keys]
    head = json.dumps([list(keys), [len(p) for p in parts]]).encode()
    return b"X" + head + b"\n" + b"".join(parts)


def _scalars(column: Sequence[Any]) -> bytes | None:
    """`K` form: each distinct JSON scalar's text once, then the texts in `S` form."""
    try:
        text = {value: json.dumps(value) for value in set(column)}
    except TypeError:
        return None
    body = _texts(list(map(text.__getitem__, column)), nones=False)
    return b"K" + body[1:] if body is not None else None


def encode(column: Sequence[Any], bases: Bases | None = None) -> bytes:
    """A column's bytes in the first form that holds it exactly, chosen by the kinds of its items."""
    text = _joined(column, nones=False)  # strings alone (most columns) are tried without a pass over their kinds
    if text is not None:
        return (_derived(column, text, bases) if bases else None) or b"S" + text.encode("utf-8", "surrogatepass")
    kinds = set(map(type, column))
    data = None
    if not column:
        pass
    elif kinds <= _STRINGS:
        text = _joined(column, nones=type(None) in kinds)
        if text is not None and bases and type(None) not in kinds:
            data = _derived(column, text, bases)
        if text is not None and data is None:
            data = b"S" + text.encode("utf-8", "surrogatepass")
    elif kinds <= _LISTS:
        data = _lists(column)
    elif kinds == _DICT:
        data = _dicts(column, bases or {})
    elif kinds <= _SCALARS and len(kinds & _NUMBERS) <= 1:
        data = _scalars(column)
    return data or _json(column)


def decode(data: bytes, count: int, base: Callable[[int], list[Any]]) -> list[Any]:
    """Inverse of encode for a column of `count` items; `base(i)` gives the snapshot's column i (for `R`)."""
    tag, body = data[:1], data[1:]
    if tag in (b"S", b"K"):
        parts = body.decode("utf-8", "surrogatepass").split(_SEP) if count else []
        if tag == b"K":
            value = {text: json.loads(text) for text in set(parts)}
            return list(map(value.__getitem__, parts))
        return list(map(_MARK_AS_NONE.get, parts, parts))
    if tag == b"R":
        at, prefix = json.loads(body)
        return list(map(add, repeat(prefix), base(at)))
    if tag == b"L":
        head, _, flat = body.partition(b"\n")
        sizes = list(head[1:]) if head[:1] == b"B" else list(map(int, head.split(b","))) if count else []
        items = decode(flat, sum(sizes), base)
        ends = list(accumulate(sizes))
        return [items[end - size : end] for size, end in zip(sizes, ends, strict=True)]
    if tag == b"X":
        head, _, rest = body.partition(b"\n")
        keys, sizes = json.loads(head)
        values, at = [], 0
        for size in sizes:
            values.append(decode(rest[at : at + size], count, base))
            at += size
        if not keys:
            return [{} for _ in range(count)]
        return [dict(zip(keys, row, strict=True)) for row in zip(*values, strict=True)]
    if tag == b"D":
        return decode_moments(data)
    if tag == b"J":
        return list(json.loads(body))
    raise ValueError(f"unknown history column form {tag!r}")


def encode_moments(column: Sequence[Any]) -> bytes | None:
    """`D` form of aware datetimes sharing one fixed offset (None when the column is not that); streamed, so no
    reduced tuple per task is held."""
    try:
        zones = set(map(_ZONE, column))
    except AttributeError:  # None, or not a datetime
        return None
    zone = zones.pop() if len(zones) == 1 else None
    if type(zone) is not dt.timezone:
        return None  # naive, or several zones
    offset = zone.utcoffset(None)
    try:
        states = b"".join(map(itemgetter(0), map(itemgetter(1), map(dt.datetime.__reduce__, column))))
    except TypeError:  # a time of day, not a datetime
        return None
    if len(states) != 10 * len(column):
        return None
    return b"D" + json.dumps([offset.days, offset.seconds, offset.microseconds]).encode() + b"\n" + states


def decode_moments(data: bytes) -> list[dt.datetime]:
    """Inverse of encode_moments."""
    head, _, states = data[1:].partition(b"\n")
    zone = dt.timezone(dt.timedelta(*json.loads(head)))
    return list(map(_from_state, [states[i : i + 10] for i in range(0, len(states), 10)], repeat(zone)))
