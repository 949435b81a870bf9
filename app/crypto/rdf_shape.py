"""A JSON-LD document's shape and strings, and its skeleton (rdf_template's input side).

The shape is what documents of one kind share (keys, structure, contexts, types and the other
bound values); the strings are what differs. A skeleton is the document with each unbound
string replaced by a sentinel that survives expansion and toRDF verbatim, so the sentinels
found in the skeleton's RDF show where each string went (see rdf_template for why).
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Mapping
from typing import Any

from pyld.jsonld import _is_absolute_iri

# Letters and digits only: valid inside IRIs, untouched by any escaping. Random per process,
# and a document that contains it anyway takes pyld's path.
MARK = "lpslot" + uuid.uuid4().hex[:12]
_SENTINEL = re.compile(MARK + r"(\d+)x")


class NotTemplatable(Exception):
    """The document's shape is outside what the template path handles."""


def _iri_parts(value: str, terms: frozenset[str]) -> tuple[str, str] | None:
    """(prefix, "//" or "") when `value` is an IRI that expands to itself everywhere."""
    if ":" not in value or value.startswith("_:") or value in terms or not _is_absolute_iri(value):
        return None
    prefix, _, suffix = value.partition(":")
    if prefix in terms:
        return None
    return prefix, "//" if suffix.startswith("//") else ""


# Strings under these keys steer expansion (type-scoped contexts, value objects' language,
# direction and datatype) or can make a skeleton invalid: kept from the start, which only
# saves rounds (any of them would be found bound anyway, or make the shape fall back).
_KEPT_UNDER = frozenset({"type", "@type", "@language", "@direction", "@index", "@vocab", "@base"})


class _Token:
    """A structural mark in a shape key, never equal to a key or to a leaf's kind."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


_OBJECT, _ARRAY, _END, _NULL, _TEXT = (_Token(n) for n in ("{", "[", "]", "null", "text"))
Shape = tuple[Any, ...]


def leaves(
    document: Mapping[str, Any], terms: frozenset[str]
) -> tuple[Shape, list[str], frozenset[int]]:
    """The shape key, the strings in walk order, and the strings kept from the start.

    The shape is the document as a flat tuple: structure marks, keys (the only plain strings
    in it), each string's kind (`_TEXT`, or `("iri", prefix, "//" or "")`) and the other
    scalars with their JSON type. Only plain JSON values are walked; anything else (tuples,
    other mappings, NaN) is not templated, as pyld may read it differently.
    """
    leaves: list[str] = []
    kept: set[int] = set()
    tokens: list[Any] = []
    append = tokens.append

    def walk(value: Any, keep: bool) -> None:
        kind = type(value)
        if kind is str:
            if MARK in value:
                raise NotTemplatable
            if keep:
                kept.add(len(leaves))
            leaves.append(value)
            parts = _iri_parts(value, terms)
            append(_TEXT if parts is None else ("iri", *parts))
        elif kind is dict:
            append(_OBJECT)
            for key, item in value.items():
                if type(key) is not str or key == "@context" or MARK in key:
                    raise NotTemplatable
                append(key)
                walk(item, key in _KEPT_UNDER)  # noqa: F821 (deleted below, once done)
            append(_END)
        elif kind is list:
            append(_ARRAY)
            for item in value:
                walk(item, keep)  # noqa: F821 (deleted below, once done)
            append(_END)
        elif value is None:
            append(_NULL)
        elif kind is bool or kind is int:
            append((kind.__name__, value))
        elif kind is float and math.isfinite(value):
            append(("float", repr(value)))
        else:
            raise NotTemplatable

    context = document.get("@context")
    if isinstance(context, list) and all(type(item) is str for item in context):
        context_key: Any = tuple(context)
    elif type(context) is str:
        context_key = context
    else:
        raise NotTemplatable
    try:
        walk({key: item for key, item in document.items() if key != "@context"}, False)
    finally:
        # ``walk`` refers to itself through its closure: a cycle, with everything it appended,
        # that only the garbage collector frees (README "Figures", evening).
        del walk
    return (context_key, *tokens), leaves, frozenset(kept)


def _sentinel(index: int, value: str, terms: frozenset[str]) -> str:
    parts = _iri_parts(value, terms)
    if parts is None:
        return f"{MARK}{index}x"
    return f"{parts[0]}:{parts[1]}{MARK}{index}x"


def skeleton(
    document: Mapping[str, Any], leaves: list[str], bound: frozenset[int], terms: frozenset[str]
) -> tuple[dict[str, Any], dict[str, int]]:
    """The document with every leaf not in `bound` replaced, and its sentinels' leaves."""
    counter = iter(range(len(leaves)))
    sentinels: dict[str, int] = {}

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            index = next(counter)
            if index in bound:
                return value
            sentinel = _sentinel(index, value, terms)
            sentinels[sentinel] = index
            return sentinel
        if type(value) is dict:
            return {key: walk(item) for key, item in value.items()}
        if type(value) is list:
            return [walk(item) for item in value]
        return value

    skeleton = {key: walk(item) for key, item in document.items() if key != "@context"}
    return {"@context": document["@context"], **skeleton}, sentinels


def marked(text: Any) -> set[int]:
    if not isinstance(text, str) or MARK not in text:
        return set()
    return {int(number) for number in _SENTINEL.findall(text)}
