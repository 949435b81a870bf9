"""Issue 11 item 9: a Data Integrity proof created in the future is refused beyond the skew."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from app.crypto.data_integrity import add_proof
from app.crypto.keys import generate_private_key
from app.crypto.multikey import did_key_for
from app.crypto.signer import LocalSigner
from app.verification.service import Verifier
from tests.verification.conftest import MANIFEST_NOW


def _signed(created_after_now: timedelta) -> dict[str, Any]:
    key = generate_private_key("Ed25519")
    did = did_key_for(key.public_key())
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": did,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:learner"},
    }
    signer = LocalSigner(key, f"{did}#{did.removeprefix('did:key:')}")
    return add_proof(document, signer, created=MANIFEST_NOW + created_after_now)


def _proof_check(verifier: Verifier, credential: dict[str, Any]) -> Any:
    [proof] = [c for c in verifier.credential(credential).checks if c.check == "proof"]
    return proof


def test_a_proof_from_the_future_is_refused(offline_verifier: Verifier) -> None:
    proof = _proof_check(offline_verifier, _signed(timedelta(hours=2)))

    assert proof.outcome == "failed"
    assert "in the future" in proof.reason
    assert "300 s" in proof.reason


@pytest.mark.parametrize("ahead", [timedelta(0), timedelta(seconds=299), -timedelta(days=30)])
def test_within_the_skew_it_verifies(offline_verifier: Verifier, ahead: timedelta) -> None:
    assert _proof_check(offline_verifier, _signed(ahead)).outcome == "passed"
