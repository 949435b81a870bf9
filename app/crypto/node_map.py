"""Linear-time duplicate checks in pyld's node map (toRdf), instead of quadratic ones.

pyld 3.3 builds the node map (JSON-LD 1.1 API §7.2, run by every toRdf) by adding each
value of a property with `add_value(..., allowDuplicate=False)`, which scans every value the
property already holds (`has_value`). A property with n distinct values costs n²/2
comparisons: 19,000 names in one `credentialSubject.name` took 96 s of CPU. jsonld.js has
the same shape; we only need the same answers, faster.

While `indexed_values()` is active in a thread, `has_value` looks the value up in a set of
keys built incrementally per value array. A key is equal for exactly the values pyld's
`compare_values` calls equal (same primitive, booleans apart from numbers; same @value,
@type, @language and @index; same @id); values without such a key (a node without @id, an
@json literal) fall back to pyld's scan, which only ever matches them by identity or shape.
The index is dropped when the node map is done, and other threads see pyld unchanged.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from typing import Any

from pyld.jsonld import JsonLdProcessor

_ORIGINAL_HAS_VALUE = JsonLdProcessor.has_value
_STATE = threading.local()

# id(value array) -> [the array, keys of its first `count` items, count]
_Index = dict[int, list[Any]]


def value_key(value: Any) -> Hashable | None:
    """A hashable key with `compare_values` semantics, or None when there is none."""
    if isinstance(value, dict):
        if "@value" in value:
            literal = value["@value"]
            key: Hashable = (
                "v",
                value.get("@type"),
                value.get("@language"),
                value.get("@index"),
                type(literal) is bool,
                literal,
            )
        elif isinstance(value.get("@id"), str):
            key = ("id", value["@id"])
        else:
            return None
    elif isinstance(value, str | int | float):  # bool is an int: told apart below
        key = ("p", type(value) is bool, value)
    else:
        return None
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _keys_of(index: _Index, values: list[Any]) -> set[Hashable]:
    entry = index.get(id(values))
    if entry is None or entry[0] is not values or len(values) < entry[2]:
        entry = [values, set(), 0]
        index[id(values)] = entry
    keys: set[Hashable] = entry[1]
    for item in values[entry[2] :]:
        key = value_key(item)
        if key is not None:
            keys.add(key)
    entry[2] = len(values)
    return keys


def _indexed_has_value(subject: Any, property: Any, value: Any) -> bool:
    index: _Index | None = getattr(_STATE, "index", None)
    if index is None or not isinstance(subject, dict):
        return bool(_ORIGINAL_HAS_VALUE(subject, property, value))
    values = subject.get(property)
    if isinstance(values, dict) and "@list" in values:
        values = values["@list"]
    key = value_key(value)
    if key is None or not isinstance(values, list) or not values:
        return bool(_ORIGINAL_HAS_VALUE(subject, property, value))
    return key in _keys_of(index, values)


JsonLdProcessor.has_value = staticmethod(_indexed_has_value)


@contextmanager
def indexed_values() -> Iterator[None]:
    """Index value arrays for `has_value` in this thread (re-entrant: the outer call wins)."""
    if getattr(_STATE, "index", None) is not None:
        yield
        return
    _STATE.index = {}
    try:
        yield
    finally:
        _STATE.index = None
