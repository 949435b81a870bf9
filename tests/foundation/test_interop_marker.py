"""The conftest hook marks every test that reaches Node ``interop``."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.markers import calls_node, uses_node


def fake_node(script: str) -> Any:  # stands in for tests.interop.node.run_node
    return script


def _helper() -> Any:
    return fake_node("verify-di.mjs")


def _indirect() -> Any:
    return _helper()


def test_direct_indirect_and_nested_calls_are_found() -> None:
    def nested() -> Any:
        return [fake_node(name) for name in ("a", "b")]

    assert calls_node(_helper, "fake_node")
    assert calls_node(_indirect, "fake_node")
    assert calls_node(nested, "fake_node")


def test_other_tests_are_left_alone() -> None:
    def pure() -> int:
        return len("run")

    assert not calls_node(pure, "fake_node")
    assert not calls_node(test_other_tests_are_left_alone, "fake_node")


@pytest.fixture
def reference_result() -> Any:
    return _helper()


@pytest.fixture
def built_on_it(reference_result: Any) -> Any:
    return [reference_result]


def test_a_fixture_that_reaches_node_marks_the_test(
    request: pytest.FixtureRequest, built_on_it: Any
) -> None:
    assert uses_node(request.node, "fake_node")
    assert not uses_node(request.node, "no_such_entry")
