"""Published Data Integrity test vectors, one folder each under tests/vectors/di-*/ (case.json)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import rfc8785

from app.crypto import data_integrity
from app.crypto.cryptosuites import CRYPTOSUITES, LEGACY_ED25519_2020, hash_data
from app.crypto.jsonld import canonize
from app.crypto.keys import key_type_of
from app.crypto.multikey import public_key_from_multikey, secret_key_from_multikey
from app.crypto.rdfc import DEFAULT_LIMITS
from app.crypto.signer import LocalSigner

VECTORS = Path(__file__).parents[1] / "vectors"
CASES = sorted(path.parent.name for path in VECTORS.glob("di-*/case.json"))
DI_CASES = [name for name in CASES if name != "di-proof-set-chain"]
REPRODUCIBLE = [
    name for name in DI_CASES if json.loads((VECTORS / name / "case.json").read_text())["reproduce"]
]


def _case(name: str) -> dict[str, Any]:
    case: dict[str, Any] = json.loads((VECTORS / name / "case.json").read_text())
    return case


def _json(name: str, file: str) -> Any:
    return json.loads((VECTORS / name / file).read_text())


def _text(name: str, file: str) -> str:
    return (VECTORS / name / file).read_text()


def _without_proof(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != "proof"}


def _proof_config(name: str) -> dict[str, Any]:
    case = _case(name)
    if case["proof_config"]:
        config: dict[str, Any] = _json(name, case["proof_config"])
        return config
    signed = _json(name, case["signed"])
    config = {key: value for key, value in signed["proof"].items() if key != "proofValue"}
    return {**config, "@context": signed["@context"]}


def _expected_hex(name: str, file_field: str, expected_field: str) -> str:
    case = _case(name)
    if case[file_field]:
        return _text(name, case[file_field]).strip()
    return str(_json(name, case["key_pair"])["expected"][expected_field])


def test_every_vector_folder_is_exercised() -> None:
    assert len(DI_CASES) == 8
    assert {_case(name)["cryptosuite"] for name in DI_CASES} == {
        *CRYPTOSUITES,
        "Ed25519Signature2020",
    }


@pytest.mark.parametrize("name", DI_CASES)
def test_canonical_forms_match(name: str) -> None:
    case = _case(name)
    unsigned = _without_proof(_json(name, case["signed"]))
    if case["unsigned"]:
        assert unsigned == _json(name, case["unsigned"])
    suite = CRYPTOSUITES.get(case["cryptosuite"], LEGACY_ED25519_2020)
    if suite.transform == "rdfc":
        assert canonize(unsigned) == _text(name, case["canonical_document"])
        assert canonize(_proof_config(name)) == _text(name, case["canonical_proof"])
    else:
        assert rfc8785.dumps(unsigned).decode() == _text(name, case["canonical_document"])
        assert rfc8785.dumps(_proof_config(name)).decode() == _text(name, case["canonical_proof"])


@pytest.mark.parametrize("name", DI_CASES)
def test_hashes_match(name: str) -> None:
    case = _case(name)
    signed = _json(name, case["signed"])
    suite = CRYPTOSUITES.get(case["cryptosuite"], LEGACY_ED25519_2020)
    public_key = public_key_from_multikey(_json(name, case["key_pair"])["publicKeyMultibase"])
    data = hash_data(
        suite, _without_proof(signed), _proof_config(name), key_type_of(public_key), DEFAULT_LIMITS
    )
    half = len(data) // 2
    assert data[:half].hex() == _expected_hex(name, "proof_hash", "proofHashHex")
    assert data[half:].hex() == _expected_hex(name, "document_hash", "documentHashHex")
    algorithm = "sha384" if half == 48 else "sha256"
    assert hashlib.new(algorithm, _text(name, case["canonical_document"]).encode()).hexdigest() == (
        data[half:].hex()
    )


@pytest.mark.parametrize("name", DI_CASES)
def test_signed_vector_verifies(name: str) -> None:
    case = _case(name)
    signed = _json(name, case["signed"])
    public_key = public_key_from_multikey(_json(name, case["key_pair"])["publicKeyMultibase"])
    result = data_integrity.verify_proof(
        signed, signed["proof"], public_key, expected_purpose="assertionMethod"
    )
    assert result.verified, result.reason
    assert result.cryptosuite == case["cryptosuite"]
    assert result.verification_method == signed["proof"]["verificationMethod"]


@pytest.mark.parametrize("name", REPRODUCIBLE)
def test_signing_reproduces_the_exact_proof(name: str) -> None:
    """Ed25519 and deterministic ECDSA: same key, same input, same proofValue as published."""
    case = _case(name)
    signed = _json(name, case["signed"])
    keys = _json(name, case["key_pair"])
    secret = keys.get("secretKeyMultibase") or keys["privateKeyMultibase"]
    signer = LocalSigner(secret_key_from_multikey(secret), signed["proof"]["verificationMethod"])

    secured = data_integrity.add_proof(
        _without_proof(signed),
        signer,
        cryptosuite=case["cryptosuite"],
        created=datetime.fromisoformat(signed["proof"]["created"]),
        as_array=False,
    )

    assert secured["proof"]["proofValue"] == signed["proof"]["proofValue"]
    assert secured == signed
    if case["signature_hex"]:
        signature_hex = _text(name, case["signature_hex"]).strip()
    else:
        signature_hex = keys["expected"]["signatureHex"]
    assert (
        signer.sign(
            hash_data(
                CRYPTOSUITES[case["cryptosuite"]],
                _without_proof(signed),
                _proof_config(name),
                signer.key_type,
                DEFAULT_LIMITS,
            )
        ).hex()
        == signature_hex
    )


def _chain_vectors() -> list[tuple[str, int]]:
    case = _case("di-proof-set-chain")
    return [
        (file, index)
        for file in case["signed"]
        for index, _ in enumerate(data_integrity.list_proofs(_json("di-proof-set-chain", file)))
    ]


@pytest.mark.parametrize(("file", "index"), _chain_vectors())
def test_proof_sets_and_chains_verify(file: str, index: int) -> None:
    signed = _json("di-proof-set-chain", file)
    proof = data_integrity.list_proofs(signed)[index]
    multikey = proof["verificationMethod"].partition("#")[2]
    result = data_integrity.verify_proof(
        signed, proof, public_key_from_multikey(multikey), expected_purpose="assertionMethod"
    )
    assert result.verified, result.reason


def test_chained_proof_fails_without_the_proof_it_names() -> None:
    signed = _json("di-proof-set-chain", "signedProofChain2.json")
    last = signed["proof"][-1]
    assert last["previousProof"]
    kept = [proof for proof in signed["proof"] if proof.get("id") != last["previousProof"]]
    multikey = last["verificationMethod"].partition("#")[2]

    result = data_integrity.verify_proof(
        {**signed, "proof": kept},
        last,
        public_key_from_multikey(multikey),
        expected_purpose="assertionMethod",
    )

    assert not result.verified
    assert "previousProof" in result.reason
