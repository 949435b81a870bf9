"""The shape caches (app/crypto/rdf_template.py) are bounded by weight, not by count.

A verifier reuses shapes for documents anyone may send, so documents of many large shapes
must not pile up: each cached template weighs its shape's tokens and sixteen per quad, and
the caches together hold at most `_MAX_WEIGHT`.
"""

from __future__ import annotations

import tracemalloc
from typing import Any

from app.crypto import rdf_template, rdfc_template
from app.crypto.jsonld import canonize

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]


def _large(alignments: int) -> dict[str, Any]:
    """A credential whose achievement has `alignments` alignments: about 5 quads each."""
    return {
        "@context": CONTEXTS,
        "id": "urn:uuid:5f0c2d9e-0000-4000-8000-000000000001",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "did:example:issuer", "type": ["Profile"], "name": "Issuer"},
        "validFrom": "2026-12-06T00:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "urn:uuid:5f0c2d9e-0000-4000-8000-000000000002",
                "type": ["Achievement"],
                "name": "Large",
                "criteria": {"narrative": "Many alignments."},
                "alignment": [
                    {
                        "type": ["Alignment"],
                        "targetName": f"Target {n}",
                        "targetUrl": f"https://example.org/targets/{n}",
                        "targetCode": f"T{n}",
                    }
                    for n in range(alignments)
                ],
            },
        },
    }


def _cached_quads() -> int:
    return sum(
        sum(len(triples) for _name, triples in template.graphs)
        for template, _weight in rdf_template._TEMPLATES.values()
        if template is not None
    )


def test_many_large_shapes_do_not_pile_up(empty_caches: None) -> None:
    tracemalloc.start()
    try:
        baseline = tracemalloc.get_traced_memory()[0]
        for extra in range(30):
            document = _large(300 + extra)  # 30 shapes of about 1,500 quads each
            assert canonize(document, reuse_shape="verifying") == canonize(document)
        grown = tracemalloc.get_traced_memory()[0] - baseline
    finally:
        tracemalloc.stop()
    # Counted by entries (256), all thirty would stay: about 45,000 quads.
    assert 0 < _cached_quads() <= rdf_template._MAX_WEIGHT // rdf_template._QUAD_WEIGHT
    assert len(rdf_template._TEMPLATES.values()) < 30
    assert grown < 40_000_000, grown


def test_a_shape_heavier_than_the_cache_is_used_but_not_kept(empty_caches: None) -> None:
    document = _large(3_000)  # about 15,000 quads: 240,000 by weight
    assert canonize(document, reuse_shape="signing") == canonize(document)
    assert _cached_quads() == 0


def test_a_template_weighs_its_prepared_canonicalization(empty_caches: None) -> None:
    """What rdfc_template prepares per shape counts in the weight, at the bytes per unit that
    the caches' budget assumes (about 30 MB for twice `_MAX_WEIGHT`, 75 bytes a unit)."""
    document = _large(300)
    for _second_prepares in range(2):
        canonize(document, reuse_shape="signing")
    ((template, weight),) = rdf_template._TEMPLATES.values()
    assert template is not None
    assert template.canonical is not None
    assert weight > template.canonical.weight + rdf_template._QUAD_WEIGHT * _cached_quads()
    tracemalloc.start()
    try:
        baseline = tracemalloc.get_traced_memory()[0]
        prepared = rdfc_template.prepare(template.graphs)
        held = tracemalloc.get_traced_memory()[0] - baseline
    finally:
        tracemalloc.stop()
    assert prepared is not None
    assert prepared.weight == template.canonical.weight
    assert 0 < held <= 75 * prepared.weight, (held, prepared.weight)
