"""Tests that run the reference JavaScript stack are marked ``interop`` without being told.

A test is one when its code, a function it defines inside, or a function of its module it
calls (at any depth) names ``run_node`` (tests/interop/node.py); or when a fixture it uses
(directly or through other fixtures) does.
"""

from __future__ import annotations

import types
from collections.abc import Iterable
from typing import Any

import pytest

NODE_ENTRY = "run_node"


def _codes(code: types.CodeType) -> Iterable[types.CodeType]:
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _codes(const)


def calls_node(function: Any, entry: str = NODE_ENTRY, seen: set[int] | None = None) -> bool:
    """Whether ``function`` reaches ``entry`` through its module's own functions."""
    code = getattr(function, "__code__", None)
    if code is None:
        return False
    seen = set() if seen is None else seen
    if id(code) in seen:
        return False
    seen.add(id(code))
    module_globals: dict[str, Any] = getattr(function, "__globals__", {})
    for inner in _codes(code):
        for name in inner.co_names:
            if name == entry:
                return True
            target = module_globals.get(name)
            if (
                isinstance(target, types.FunctionType)
                and target.__module__ == function.__module__
                and calls_node(target, entry, seen)
            ):
                return True
    return False


def uses_node(item: pytest.Item, entry: str = NODE_ENTRY) -> bool:
    """Whether the test or one of the fixtures it uses reaches ``entry``."""
    functions = [getattr(item, "function", None)]
    info = getattr(item, "_fixtureinfo", None)
    if info is not None:
        # name2fixturedefs covers the fixtures the test's fixtures request, too.
        for definitions in info.name2fixturedefs.values():
            functions += [getattr(d.func, "__wrapped__", d.func) for d in definitions]
    return any(f is not None and calls_node(f, entry) for f in functions)


def mark_interop(items: list[pytest.Item]) -> None:
    for item in items:
        if uses_node(item):
            item.add_marker(pytest.mark.interop)
