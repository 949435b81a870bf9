"""Verification failures of Data Integrity proofs and the DI §4.7 error each one reports."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.crypto.data_integrity import (
    ERROR_URLS,
    INVALID_CHALLENGE_ERROR,
    INVALID_DOMAIN_ERROR,
    PARSING_ERROR,
    PROOF_VERIFICATION_ERROR,
    ProofResult,
    add_proof,
    list_proofs,
    verify_proof,
)
from app.crypto.keys import PublicKey, generate_private_key
from app.crypto.multikey import did_key_for
from app.crypto.signer import LocalSigner

VECTORS = Path(__file__).parents[1] / "vectors"
CREATED = datetime(2025, 3, 1, 12, 30, 5, tzinfo=UTC)


def _ob_credential() -> dict[str, Any]:
    signed = json.loads(
        (VECTORS / "di-openbadges-3.0-eddsa-rdfc-2022" / "signed-credential.json").read_text()
    )
    return {key: value for key, value in signed.items() if key != "proof"}


@pytest.fixture(scope="module")
def ed_signer() -> LocalSigner:
    private_key = generate_private_key("Ed25519")
    did = did_key_for(private_key.public_key())
    return LocalSigner(private_key, f"{did}#{did.removeprefix('did:key:')}")


@pytest.fixture(scope="module")
def secured(ed_signer: LocalSigner) -> dict[str, Any]:
    return add_proof(_ob_credential(), ed_signer, created=CREATED)


def _verify(document: dict[str, Any], key: PublicKey, **options: Any) -> ProofResult:
    options.setdefault("expected_purpose", "assertionMethod")
    return verify_proof(document, list_proofs(document)[-1], key, **options)


def test_purpose_domain_and_challenge_are_checked(ed_signer: LocalSigner) -> None:
    presentation_proof = add_proof(
        _ob_credential(),
        ed_signer,
        proof_purpose="authentication",
        challenge="c-123",
        domain="verifier.example",
        created=CREATED,
    )
    key = ed_signer.public_key
    options = {"expected_purpose": "authentication"}

    ok = _verify(presentation_proof, key, challenge="c-123", domain="verifier.example", **options)
    wrong_purpose = _verify(presentation_proof, key)
    wrong_domain = _verify(presentation_proof, key, domain="other.example", **options)
    wrong_challenge = _verify(presentation_proof, key, challenge="c-999", **options)

    assert ok.verified
    assert wrong_purpose.error_code == PROOF_VERIFICATION_ERROR
    assert wrong_domain.error_code == INVALID_DOMAIN_ERROR
    assert wrong_challenge.error_code == INVALID_CHALLENGE_ERROR
    assert wrong_challenge.error_url == ERROR_URLS[INVALID_CHALLENGE_ERROR]


def test_expired_proof_fails_at_the_injected_time(
    secured: dict[str, Any], ed_signer: LocalSigner
) -> None:
    proof = {**secured["proof"][0], "expires": "2026-01-01T00:00:00Z"}
    before = datetime(2025, 12, 31, tzinfo=UTC)
    after = before + timedelta(days=2)
    key, purpose = ed_signer.public_key, "assertionMethod"

    # The added "expires" also breaks the signature; the date check runs first.
    early = verify_proof(secured, proof, key, expected_purpose=purpose, now=before)
    late = verify_proof(secured, proof, key, expected_purpose=purpose, now=after)

    assert early.reason == "signature does not match the document"
    assert late.reason == "proof has expired"


@pytest.mark.parametrize("created", ["2025-03-01", "yesterday", "2025-03-01T12:30:05", 1700000000])
def test_malformed_created_is_refused(
    secured: dict[str, Any], ed_signer: LocalSigner, created: Any
) -> None:
    proof = {**secured["proof"][0], "created": created}

    result = verify_proof(secured, proof, ed_signer.public_key, expected_purpose="assertionMethod")

    assert "dateTimeStamp" in result.reason


@pytest.mark.parametrize("missing", ["type", "verificationMethod", "proofPurpose"])
def test_required_proof_members(
    secured: dict[str, Any], ed_signer: LocalSigner, missing: str
) -> None:
    proof = {k: v for k, v in secured["proof"][0].items() if k != missing}

    result = verify_proof(secured, proof, ed_signer.public_key, expected_purpose="assertionMethod")

    assert result.error_code == PROOF_VERIFICATION_ERROR
    assert missing in result.reason


def test_non_object_proof_is_a_parsing_error(ed_signer: LocalSigner) -> None:
    result = verify_proof(
        {"proof": "z123"}, "z123", ed_signer.public_key, expected_purpose="assertionMethod"
    )

    assert result.error_code == PARSING_ERROR
    assert result.error_url == "https://www.w3.org/TR/vc-data-model#PARSING_ERROR"


@pytest.mark.parametrize("proof_value", ["uAAAA", "z0OIl", "", 42])
def test_malformed_proof_value(
    secured: dict[str, Any], ed_signer: LocalSigner, proof_value: Any
) -> None:
    proof = {**secured["proof"][0], "proofValue": proof_value}

    result = verify_proof(secured, proof, ed_signer.public_key, expected_purpose="assertionMethod")

    assert not result.verified
    assert "proofValue" in result.reason


def test_jcs_document_context_must_start_with_the_proof_context(ed_signer: LocalSigner) -> None:
    secured = add_proof(_ob_credential(), ed_signer, cryptosuite="eddsa-jcs-2022", created=CREATED)
    extended = {**secured, "@context": [*secured["@context"], "https://example.org/more"]}
    reordered = {**secured, "@context": list(reversed(secured["@context"]))}

    assert _verify(extended, ed_signer.public_key).verified
    assert "@context" in _verify(reordered, ed_signer.public_key).reason


def test_ed25519_signature_2020_needs_its_context(ed_signer: LocalSigner) -> None:
    legacy = {
        "type": "Ed25519Signature2020",
        "created": "2023-02-24T23:36:38Z",
        "verificationMethod": ed_signer.key_id,
        "proofPurpose": "assertionMethod",
        "proofValue": "z" + "1" * 80,
    }

    result = verify_proof(
        _ob_credential(), legacy, ed_signer.public_key, expected_purpose="assertionMethod"
    )

    assert not result.verified
    assert "ed25519-2020" in result.reason
