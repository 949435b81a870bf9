"""Fixtures shared by the crypto tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.crypto import rdf_template


@pytest.fixture
def empty_caches() -> Iterator[None]:
    """The shape-reuse caches empty before and after the test (their bounds and weights are
    counted from nothing)."""
    rdf_template._BOUND.clear()
    rdf_template._TEMPLATES.clear()
    yield
    rdf_template._BOUND.clear()
    rdf_template._TEMPLATES.clear()
