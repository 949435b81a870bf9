"""The memoized proof-configuration hash equals a fresh canonicalization, always."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from app.crypto import cryptosuites
from app.crypto.cryptosuites import CRYPTOSUITES, hash_data
from app.crypto.errors import TransformationError
from app.crypto.jsonld import canonize
from app.crypto.rdfc import DEFAULT_LIMITS

SUITE = CRYPTOSUITES["eddsa-rdfc-2022"]
CONTEXT = ["https://www.w3.org/ns/credentials/v2"]
DOCUMENT: dict[str, Any] = {
    "@context": CONTEXT,
    "type": ["VerifiableCredential"],
    "issuer": "did:example:issuer",
    "credentialSubject": {"id": "did:example:subject"},
}


def _config(**changes: Any) -> dict[str, Any]:
    return {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2026-12-06T08:00:00Z",
        "verificationMethod": "did:example:issuer#key-1",
        "proofPurpose": "assertionMethod",
        "@context": CONTEXT,
        **changes,
    }


def _fresh(config: dict[str, Any]) -> bytes:
    canonical = canonize(config, limits=DEFAULT_LIMITS, safe=True).encode()
    return hashlib.sha256(canonical).digest()


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"created": "2026-12-06T08:00:01Z"},
        {"verificationMethod": "did:example:issuer#key-2"},
        {"proofPurpose": "authentication"},
        {"challenge": "ünïcödé \\" + '"quoted"'},
        {"domain": ""},
    ],
)
def test_hits_and_misses_equal_a_fresh_canonicalization(changes: dict[str, Any]) -> None:
    cryptosuites._CONFIG_HASHES.clear()
    config = _config(**changes)
    first = hash_data(SUITE, DOCUMENT, config, "Ed25519", DEFAULT_LIMITS)
    second = hash_data(SUITE, DOCUMENT, dict(config), "Ed25519", DEFAULT_LIMITS)
    assert first == second
    assert first[:32] == _fresh(config)


def test_different_configurations_never_share_an_entry() -> None:
    cryptosuites._CONFIG_HASHES.clear()
    hashes = {
        hash_data(SUITE, DOCUMENT, _config(created=f"2026-12-06T08:00:0{i}Z"), "Ed25519",
                  DEFAULT_LIMITS)[:32]
        for i in range(5)
    }  # fmt: skip
    assert len(hashes) == 5


def test_a_failing_configuration_fails_every_time() -> None:
    bad = _config(undefinedTerm="x")
    for _ in range(2):
        with pytest.raises(TransformationError):
            hash_data(SUITE, DOCUMENT, bad, "Ed25519", DEFAULT_LIMITS)
