"""The 1EdTech CLR 2.0 Data Integrity test vector (OB 3.0 Implementation Guide): our
canonicalization reproduces its hashes, our signer its proof, and our verifier accepts the
record and the credential inside it, with one report each."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.crypto import data_integrity
from app.crypto.cryptosuites import CRYPTOSUITES, hash_data
from app.crypto.jsonld import canonize
from app.crypto.multikey import public_key_from_multikey
from app.crypto.rdfc import DEFAULT_LIMITS
from app.crypto.signer import LocalSigner
from app.verification.did_documents import VerificationMethod
from app.verification.resolver import Resolver
from app.verification.service import Verifier

VECTOR = Path(__file__).parents[1] / "vectors" / "clr-2.0-eddsa-rdfc-2022"
ISSUER = "https://example.edu/issuers/565049"


def _json(name: str) -> Any:
    return json.loads((VECTOR / name).read_text())


def _without_proof(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != "proof"}


def test_the_document_hash_reproduces_with_the_xsd_any_uri_quirk() -> None:
    canonical = canonize(_json("credential-unsigned.json"))
    assert hashlib.sha256(canonical.encode()).hexdigest() == _json("vector.json")["documentHashHex"]
    # The CLR context types sourceId/targetId as "xsd:anyURI" without defining "xsd".
    assert "^^<xsd:anyURI> ." in canonical
    # The included credential's proof is a named graph of its own.
    assert canonical.count("<https://w3id.org/security#proofValue>") == 1


def test_the_proof_hash_and_signature_reproduce() -> None:
    vector = _json("vector.json")
    signed = _json("credential-signed.json")
    proof = signed["proof"][0]
    config = {
        **{k: v for k, v in proof.items() if k != "proofValue"},
        "@context": signed["@context"],
    }
    seed = bytes.fromhex(vector["privateKeyHex"])[:32]
    signer = LocalSigner(Ed25519PrivateKey.from_private_bytes(seed), proof["verificationMethod"])
    data = hash_data(
        CRYPTOSUITES["eddsa-rdfc-2022"], _without_proof(signed), config, "Ed25519", DEFAULT_LIMITS
    )
    assert data[:32].hex() == vector["proofHashHex"]
    assert data[32:].hex() == vector["documentHashHex"]
    assert signer.sign(data).hex() == vector["signatureHex"]
    secured = data_integrity.add_proof(
        _json("credential-unsigned.json"),
        signer,
        cryptosuite="eddsa-rdfc-2022",
        created=datetime.fromisoformat(proof["created"]),
    )
    assert secured == signed


class _VectorResolver(Resolver):
    """Serves the vector's key as its issuer's controller document would."""

    def __init__(self) -> None:
        super().__init__(None)

    def verification_method(self, url: str) -> VerificationMethod:
        key = _json("vector.json")["publicKeyMultibase"]
        if url != f"{ISSUER}#{key}":
            return super().verification_method(url)
        return VerificationMethod(
            id=url,
            controller=ISSUER,
            document_id=ISSUER,
            public_key=public_key_from_multikey(key),
            relationships=frozenset({"assertionMethod"}),
        )


def _outcomes(report: Any, check: str) -> list[str]:
    return [c.outcome for c in report.checks if c.check == check]


def test_our_verifier_reports_on_the_record_and_each_included_credential() -> None:
    """Both proofs verify. The included credential writes ``type`` as a string where the
    official OB 3.0 JSON Schema wants an array (the guide's example predates the schema), and
    the report says exactly that, for that credential."""
    verifier = Verifier(resolver=_VectorResolver(), now=datetime(2026, 1, 1, tzinfo=UTC))
    report = verifier.credential(_json("credential-signed.json"))
    assert _outcomes(report, "proof") == ["passed"]
    # The CLR 2.0 JSON Schema is not bundled: the report says it was not applied.
    assert _outcomes(report, "structure") == ["passed", "warning"]
    [inner] = report.nested
    assert _outcomes(inner, "proof") == ["passed"]
    [structure] = [c for c in inner.checks if c.check == "structure"]
    assert "Open Badges 3.0 schema" in structure.reason
    assert "is not of type 'array'" in structure.reason
    assert [c.check for c in report.failed] == ["credentials"]
    body = report.to_json(problem_base="https://x/problems")
    assert [item["verified"] for item in body["credentials"]] == [False]
    assert body["credentials"][0]["checks"][0]["check"] == "parsing"

    tampered = _json("credential-signed.json")
    tampered["credentialSubject"]["verifiableCredential"][0]["name"] = "Forged Degree"
    report = verifier.credential(tampered)
    assert not report.verified
    assert not report.nested[0].verified
    assert any("included credentials did not verify" in c.reason for c in report.failed)
