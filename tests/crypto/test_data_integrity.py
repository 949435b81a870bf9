"""Adding Data Integrity proofs and verifying them: shapes, purity, tampering, refusals."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from app.crypto.data_integrity import (
    PROOF_TRANSFORMATION_ERROR,
    PROOF_VERIFICATION_ERROR,
    ProofResult,
    add_proof,
    list_proofs,
    verify_proof,
)
from app.crypto.errors import ProofGenerationError, UnsafeJsonLd
from app.crypto.keys import PublicKey, generate_private_key
from app.crypto.multikey import did_key_for
from app.crypto.signer import LocalSigner

VECTORS = Path(__file__).parents[1] / "vectors"
CREATED = datetime(2025, 3, 1, 12, 30, 5, 123456, tzinfo=UTC)


def _ob_credential() -> dict[str, Any]:
    signed = json.loads(
        (VECTORS / "di-openbadges-3.0-eddsa-rdfc-2022" / "signed-credential.json").read_text()
    )
    return {key: value for key, value in signed.items() if key != "proof"}


def _signer(key_type: str = "Ed25519") -> LocalSigner:
    private_key = generate_private_key("P-256" if key_type == "P-256" else "Ed25519")
    did = did_key_for(private_key.public_key())
    return LocalSigner(private_key, f"{did}#{did.removeprefix('did:key:')}")


@pytest.fixture(scope="module")
def ed_signer() -> LocalSigner:
    return _signer()


@pytest.fixture(scope="module")
def secured(ed_signer: LocalSigner) -> dict[str, Any]:
    return add_proof(_ob_credential(), ed_signer, created=CREATED)


def _verify(document: dict[str, Any], key: PublicKey, **options: Any) -> ProofResult:
    options.setdefault("expected_purpose", "assertionMethod")
    return verify_proof(document, list_proofs(document)[-1], key, **options)


def test_default_proof_is_a_one_element_eddsa_rdfc_array(
    secured: dict[str, Any], ed_signer: LocalSigner
) -> None:
    assert isinstance(secured["proof"], list)
    assert len(secured["proof"]) == 1
    proof = secured["proof"][0]
    assert proof == {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2025-03-01T12:30:05Z",
        "verificationMethod": ed_signer.key_id,
        "proofPurpose": "assertionMethod",
        "proofValue": proof["proofValue"],
    }
    assert proof["proofValue"].startswith("z")
    assert _verify(secured, ed_signer.public_key).verified


def test_add_proof_does_not_touch_its_input(ed_signer: LocalSigner) -> None:
    credential = _ob_credential()
    before = copy.deepcopy(credential)

    secured = add_proof(credential, ed_signer, created=CREATED)
    secured["credentialSubject"]["achievement"]["name"] = "changed afterwards"

    assert credential == before


@pytest.mark.parametrize("cryptosuite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_verify_proof_does_not_touch_its_input(cryptosuite: str, ed_signer: LocalSigner) -> None:
    """Verification hashes a top-level copy; the JCS proof @context and previousProof paths
    replace members of that copy, never of the caller's document."""
    chained = add_proof(
        add_proof(_ob_credential(), ed_signer, cryptosuite=cryptosuite, created=CREATED),
        ed_signer,
        cryptosuite=cryptosuite,
        created=CREATED,
    )
    # Verification results do not matter here, only that every path runs.
    chained["proof"][0]["id"] = "urn:uuid:first"
    chained["proof"][1]["previousProof"] = "urn:uuid:first"
    before = copy.deepcopy(chained)

    for proof in chained["proof"]:
        verify_proof(chained, proof, ed_signer.public_key, expected_purpose="assertionMethod")

    assert chained == before


@pytest.mark.parametrize(
    ("cryptosuite", "key_type"),
    [
        ("eddsa-rdfc-2022", "Ed25519"),
        ("eddsa-jcs-2022", "Ed25519"),
        ("ecdsa-rdfc-2019", "P-256"),
        ("ecdsa-jcs-2019", "P-256"),
    ],
)
def test_every_suite_round_trips(cryptosuite: str, key_type: str) -> None:
    signer = _signer(key_type)
    secured = add_proof(_ob_credential(), signer, cryptosuite=cryptosuite, created=CREATED)

    result = _verify(secured, signer.public_key)

    assert result.verified, result.reason
    assert result.cryptosuite == cryptosuite
    jcs = cryptosuite.endswith("jcs-2022") or cryptosuite.endswith("jcs-2019")
    assert ("@context" in secured["proof"][0]) is jcs


def test_single_object_proof_when_not_as_array(ed_signer: LocalSigner) -> None:
    secured = add_proof(_ob_credential(), ed_signer, created=CREATED, as_array=False)

    assert isinstance(secured["proof"], dict)
    assert verify_proof(
        secured, secured["proof"], ed_signer.public_key, expected_purpose="assertionMethod"
    ).verified


def test_second_proof_makes_a_proof_set_where_both_verify(
    secured: dict[str, Any], ed_signer: LocalSigner
) -> None:
    other = _signer("P-256")
    both = add_proof(secured, other, cryptosuite="ecdsa-rdfc-2019", created=CREATED)

    assert len(both["proof"]) == 2
    first, second = both["proof"]
    assert first == secured["proof"][0]
    purpose = "assertionMethod"
    assert verify_proof(both, first, ed_signer.public_key, expected_purpose=purpose).verified
    assert verify_proof(both, second, other.public_key, expected_purpose=purpose).verified


def test_document_without_its_proof_verifies_with_the_proof_given_apart(
    secured: dict[str, Any], ed_signer: LocalSigner
) -> None:
    bare = {key: value for key, value in secured.items() if key != "proof"}

    result = verify_proof(
        bare, secured["proof"][0], ed_signer.public_key, expected_purpose="assertionMethod"
    )

    assert result.verified


def test_list_proofs_accepts_object_array_or_nothing() -> None:
    proof = {"type": "DataIntegrityProof"}
    assert list_proofs({"proof": proof}) == [proof]
    assert list_proofs({"proof": [proof, proof]}) == [proof, proof]
    assert list_proofs({"id": "x"}) == []


TOP_LEVEL_TAMPERING = {
    "id": "http://example.com/credentials/9999",
    "type": ["VerifiableCredential", "EndorsementCredential"],
    "issuer": {"id": "https://evil.example/issuers/1", "type": ["Profile"], "name": "Evil"},
    "validFrom": "2030-01-01T00:00:00Z",
    "name": "Master Badge",
    "credentialSubject": {
        "id": "did:example:someone-else",
        "type": ["AchievementSubject"],
        "achievement": {
            "id": "https://example.com/achievements/21st-century-skills/teamwork",
            "type": ["Achievement"],
            "criteria": {"narrative": "Nothing."},
            "description": "Forged.",
            "name": "Teamwork",
        },
    },
}


def test_tampering_covers_every_top_level_field() -> None:
    assert set(TOP_LEVEL_TAMPERING) == set(_ob_credential()) - {"@context"}


@pytest.mark.parametrize("field", sorted(TOP_LEVEL_TAMPERING))
def test_changing_a_top_level_field_breaks_the_proof(
    secured: dict[str, Any], ed_signer: LocalSigner, field: str
) -> None:
    tampered = {**secured, field: TOP_LEVEL_TAMPERING[field]}

    result = _verify(tampered, ed_signer.public_key)

    assert not result.verified
    assert result.error_code == PROOF_VERIFICATION_ERROR
    assert result.error_url == "https://w3id.org/security#PROOF_VERIFICATION_ERROR"
    assert result.supported


def test_adding_a_field_breaks_the_proof(secured: dict[str, Any], ed_signer: LocalSigner) -> None:
    assert not _verify({**secured, "description": "added"}, ed_signer.public_key).verified


def test_changing_the_context_breaks_the_proof(
    secured: dict[str, Any], ed_signer: LocalSigner
) -> None:
    without_ob = {**secured, "@context": ["https://www.w3.org/ns/credentials/v2"]}

    assert not _verify(without_ob, ed_signer.public_key).verified


def test_rdfc_signs_meaning_not_bytes(secured: dict[str, Any], ed_signer: LocalSigner) -> None:
    """An alias type or an unused extra context yields the same RDF, so the proof still holds."""
    alias = {**secured, "type": ["VerifiableCredential", "AchievementCredential"]}
    extended = {
        **secured,
        "@context": [
            *secured["@context"],
            "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
        ],
    }

    assert _verify(alias, ed_signer.public_key).verified
    assert _verify(extended, ed_signer.public_key).verified


@pytest.mark.parametrize(
    ("member", "value"),
    [
        ("proofValue", "flip"),
        ("created", "2025-03-01T12:30:06Z"),
        ("verificationMethod", "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#x"),
        ("cryptosuite", "eddsa-jcs-2022"),
    ],
)
def test_changing_the_proof_breaks_it(
    secured: dict[str, Any], ed_signer: LocalSigner, member: str, value: str
) -> None:
    proof = dict(secured["proof"][0])
    if value == "flip":
        value = proof["proofValue"][:-2] + ("A" if proof["proofValue"][-2] != "A" else "B")
        value += proof["proofValue"][-1]
    proof[member] = value

    result = verify_proof(secured, proof, ed_signer.public_key, expected_purpose="assertionMethod")

    assert not result.verified
    assert result.error_code == PROOF_VERIFICATION_ERROR


def test_another_key_does_not_verify(secured: dict[str, Any]) -> None:
    result = _verify(secured, _signer().public_key)

    assert not result.verified
    assert result.reason == "signature does not match the document"


def test_key_of_the_wrong_type_is_reported(secured: dict[str, Any]) -> None:
    result = _verify(secured, _signer("P-256").public_key)

    assert not result.verified
    assert "Ed25519" in result.reason


@pytest.mark.parametrize(
    "proof_update",
    [
        {"cryptosuite": "bbs-2023"},
        {"cryptosuite": "eddsa-2022"},
        {"cryptosuite": None},
        {"type": "SomeProofType"},
        {"type": "JsonWebSignature2020"},
    ],
)
def test_unknown_suites_are_unsupported_never_valid(
    secured: dict[str, Any], ed_signer: LocalSigner, proof_update: dict[str, Any]
) -> None:
    proof = {**secured["proof"][0], **proof_update}

    result = verify_proof(secured, proof, ed_signer.public_key, expected_purpose="assertionMethod")

    assert not result.verified
    assert not result.supported
    assert "unsupported" in result.reason


def test_add_proof_refuses_unknown_or_mismatched_suites(ed_signer: LocalSigner) -> None:
    with pytest.raises(ProofGenerationError, match="unsupported cryptosuite"):
        add_proof(_ob_credential(), ed_signer, cryptosuite="bbs-2023", created=CREATED)
    with pytest.raises(ProofGenerationError, match="Ed25519"):
        add_proof(_ob_credential(), ed_signer, cryptosuite="ecdsa-rdfc-2019", created=CREATED)


def test_add_proof_refuses_naive_times(ed_signer: LocalSigner) -> None:
    with pytest.raises(ProofGenerationError, match="timezone"):
        add_proof(_ob_credential(), ed_signer, created=datetime(2025, 1, 1))


def test_add_proof_refuses_control_characters(ed_signer: LocalSigner) -> None:
    credential = _ob_credential()
    credential["credentialSubject"]["achievement"]["name"] = "Team\x07work"

    with pytest.raises(ProofGenerationError, match=r"\$\.credentialSubject\.achievement\.name"):
        add_proof(credential, ed_signer, created=CREATED)


def test_add_proof_refuses_terms_the_contexts_do_not_define(ed_signer: LocalSigner) -> None:
    credential = {**_ob_credential(), "credentialStatus": {"id": "x:1", "type": "Unknown2021"}}

    with pytest.raises(UnsafeJsonLd, match="Unknown2021"):
        add_proof(credential, ed_signer, created=CREATED)


def test_undefined_terms_fail_verification_as_a_transformation_error(
    secured: dict[str, Any], ed_signer: LocalSigner
) -> None:
    v1 = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:1",
        "issuanceDate": "2020-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:2"},
    }
    signed = add_proof(
        {**v1, "@context": [*v1["@context"], "https://w3id.org/security/data-integrity/v2"]},
        ed_signer,
        created=CREATED,
    )
    signed["unsignedClaim"] = "not covered by the signature"

    result = _verify(signed, ed_signer.public_key)

    assert not result.verified
    assert result.error_code == PROOF_TRANSFORMATION_ERROR
    assert "unsignedClaim" in result.reason
