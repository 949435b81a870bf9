"""RDFC-1.0 limits (poison graphs) and canonical N-Quads escaping."""

from __future__ import annotations

import random
import time
from typing import Any

import pytest

from app.crypto.errors import CanonicalizationLimitExceeded
from app.crypto.jsonld import canonize
from app.crypto.rdfc import DEFAULT_LIMITS, CanonicalizationLimits

EX = "http://example.org/vocab#"


def _clique(size: int) -> dict[str, Any]:
    """The shape of RDFC-1.0 test074 "poison": blank nodes all linked to one another."""
    return {
        "@context": {"p": {"@id": f"{EX}p", "@type": "@id"}},
        "@graph": [
            {"@id": f"_:e{i}", "p": [f"_:e{j}" for j in range(size) if j != i]} for i in range(size)
        ],
    }


def test_poison_clique_stops_quickly_with_default_limits() -> None:
    start = time.monotonic()

    with pytest.raises(CanonicalizationLimitExceeded, match="deep iterations"):
        canonize(_clique(10))

    assert time.monotonic() - start < 1.0


def test_deadline_stops_work_the_iteration_budget_would_allow() -> None:
    generous = CanonicalizationLimits(max_work_factor=50, timeout_seconds=0.3)
    start = time.monotonic()

    with pytest.raises(CanonicalizationLimitExceeded, match="exceeded 0.3 s"):
        canonize(_clique(10), limits=generous)

    assert time.monotonic() - start < 1.5


def test_small_clique_is_still_canonicalized_when_allowed() -> None:
    """The guard bounds work; it does not reject every graph that needs deep comparison."""
    result = canonize(_clique(3), limits=CanonicalizationLimits(max_work_factor=3))

    assert result.count("\n") == 6
    assert "_:c14n2" in result


def test_identical_blank_nodes_need_deep_iteration_and_are_labelled_deterministically() -> None:
    nodes = [{"q": "same"}, {"q": "same"}, {"q": "other"}, {"q": "same", "r": {"q": "x"}}]
    context = {"s": f"{EX}s", "q": f"{EX}q", "r": f"{EX}r"}
    outputs = set()
    for seed in range(5):
        shuffled = nodes[:]
        random.Random(seed).shuffle(shuffled)
        outputs.add(canonize({"@context": context, "@id": "urn:x:a", "s": shuffled}))

    assert len(outputs) == 1
    assert "_:c14n4" in outputs.pop()


def test_no_deep_iteration_at_all_when_the_work_factor_is_zero() -> None:
    duplicates = {
        "@context": {"s": f"{EX}s", "q": f"{EX}q"},
        "@id": "urn:x",
        "s": [{"q": 1}, {"q": 1}],
    }

    with pytest.raises(CanonicalizationLimitExceeded):
        canonize(duplicates, limits=CanonicalizationLimits(max_work_factor=0))
    assert canonize(duplicates)


def test_quad_and_blank_node_caps() -> None:
    many = {"@context": {"v": f"{EX}v"}, "@id": "urn:x", "v": list(range(50))}
    nested = {"@context": {"v": f"{EX}v"}, "@id": "urn:x", "v": [{"v": i} for i in range(50)]}

    with pytest.raises(CanonicalizationLimitExceeded, match="quads"):
        canonize(many, limits=CanonicalizationLimits(max_quads=49))
    with pytest.raises(CanonicalizationLimitExceeded, match="blank nodes"):
        canonize(nested, limits=CanonicalizationLimits(max_blank_nodes=49))
    assert canonize(many).count("\n") == 50


@pytest.mark.parametrize(
    "limits",
    [
        {"max_quads": -1},
        {"max_blank_nodes": -1},
        {"max_work_factor": -1},
        {"timeout_seconds": 0},
    ],
)
def test_limits_are_validated(limits: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="must"):
        CanonicalizationLimits(**limits)


def test_default_limits_are_generous() -> None:
    assert DEFAULT_LIMITS.max_quads >= 10_000
    assert DEFAULT_LIMITS.max_work_factor == 1  # what rdf-canonize (@digitalbazaar/vc) allows
    assert DEFAULT_LIMITS.timeout_seconds >= 1


def test_literals_and_iris_are_escaped_as_rdf_canonize_does() -> None:
    """RDFC-1.0 test060 territory: pyld would emit these characters raw."""
    document = {
        "@context": {"s": f"{EX}s"},
        "@id": "urn:x:a{b}",
        "s": 'nul\x00 bell\x07 bs\b ff\f tab\t lf\n cr\r quote" backslash\\ del\x7f é',
    }

    assert canonize(document) == (
        "<urn:x:a\\u007Bb\\u007D> <http://example.org/vocab#s> "
        '"nul\\u0000 bell\\u0007 bs\\b ff\\f tab\\t lf\\n cr\\r quote\\" backslash\\\\ '
        'del\\u007F é" .\n'
    )


def test_escaping_also_feeds_blank_node_labels() -> None:
    """First-degree hashes use the escaped serialization too. For these two values the raw and
    the escaped forms hash in opposite orders, so pyld's raw output would swap the labels."""
    document = {
        "@context": {"s": f"{EX}s", "q": f"{EX}q"},
        "@id": "urn:x",
        "s": [{"q": "a\x01"}, {"q": "a\x04"}],
    }

    assert canonize(document).splitlines()[-2:] == [
        '_:c14n0 <http://example.org/vocab#q> "a\\u0004" .',
        '_:c14n1 <http://example.org/vocab#q> "a\\u0001" .',
    ]
