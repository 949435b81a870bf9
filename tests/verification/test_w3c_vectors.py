"""W3C and 1EdTech test vectors (tests/vectors/*), positive and tampered.

The W3C Data Integrity vectors sign with a did:key but name `https://vc.example/issuers/5678`
as issuer, so their signatures verify while key binding (rightly) fails; the OB 3.0 vector
verifies completely once its issuer publishes a controller document.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from app.verification.resolver import Resolver
from app.verification.service import Verifier
from tests.verification.conftest import VECTORS, FakeWeb

DI_CASES = sorted(p.parent for p in VECTORS.glob("di-*/case.json"))


def _signed(case_dir: Path) -> list[dict[str, Any]]:
    case = json.loads((case_dir / "case.json").read_text())
    names = case["signed"] if isinstance(case["signed"], list) else [case["signed"]]
    return [json.loads((case_dir / name).read_text()) for name in names]


def _outcomes(verifier: Verifier, document: Any, check: str) -> list[str]:
    return [c.outcome for c in verifier.credential(document).checks if c.check == check]


W3C_DI = [
    (d.name, i, doc)
    for d in DI_CASES
    if "openbadges" not in d.name
    for i, doc in enumerate(_signed(d))
]


@pytest.mark.parametrize(
    ("case", "index", "document"), W3C_DI, ids=[f"{c}-{i}" for c, i, _ in W3C_DI]
)
def test_w3c_data_integrity_vectors_verify(
    case: str, index: int, document: dict[str, Any], offline_verifier: Verifier
) -> None:
    report = offline_verifier.credential(document)

    proofs = [c for c in report.checks if c.check == "proof"]
    assert proofs
    assert all(c.outcome == "passed" for c in proofs), proofs
    # The vectors' keys are did:keys, not the stated issuer's: signatures hold, binding fails
    # (in a proof set, each key is bound to its own controller, and none is the issuer's).
    failed = [c for c in report.checks if c.check == "key_binding" and c.outcome == "failed"]
    assert failed
    assert all("https://vc.example/issuers/5678" in c.reason for c in failed)
    assert report.verified is False


@pytest.mark.parametrize(
    ("case", "index", "document"), W3C_DI, ids=[f"{c}-{i}" for c, i, _ in W3C_DI]
)
def test_w3c_data_integrity_vectors_detect_tampering(
    case: str, index: int, document: dict[str, Any], offline_verifier: Verifier
) -> None:
    tampered = copy.deepcopy(document)
    tampered["credentialSubject"]["id"] = "did:example:mallory"

    assert "failed" in _outcomes(offline_verifier, tampered, "proof")


def test_proof_value_tampering_is_caught(offline_verifier: Verifier) -> None:
    [document] = _signed(VECTORS / "di-eddsa-rdfc-2022")
    proof = document["proof"]
    last = proof["proofValue"][-1]
    proof["proofValue"] = proof["proofValue"][:-1] + ("2" if last != "2" else "3")

    assert _outcomes(offline_verifier, document, "proof") == ["failed"]


def test_openbadges_vector_verifies_with_its_controller_document(
    fake_web: FakeWeb, offline_verifier: Verifier
) -> None:
    keys = json.loads(
        (VECTORS / "di-openbadges-3.0-eddsa-rdfc-2022/key-and-expected-values.json").read_text()
    )
    controller = keys["controller"]
    fake_web.add_json(
        "example.edu",
        "/issuers/565049",
        {
            "@context": ["https://www.w3.org/ns/cid/v1"],
            "id": controller,
            "verificationMethod": [
                {
                    "id": keys["verificationMethod"],
                    "type": "Multikey",
                    "controller": controller,
                    "publicKeyMultibase": keys["publicKeyMultibase"],
                }
            ],
            "assertionMethod": [keys["verificationMethod"]],
        },
    )
    [document] = _signed(VECTORS / "di-openbadges-3.0-eddsa-rdfc-2022")

    report = offline_verifier.credential(document)

    assert report.verified, report.checks
    assert report.meaning is not None
    assert report.meaning["achievement"]["name"]


def test_controller_document_must_grant_assertion_method(
    fake_web: FakeWeb, offline_verifier: Verifier
) -> None:
    keys = json.loads(
        (VECTORS / "di-openbadges-3.0-eddsa-rdfc-2022/key-and-expected-values.json").read_text()
    )
    method = {
        "id": keys["verificationMethod"],
        "type": "Multikey",
        "controller": keys["controller"],
        "publicKeyMultibase": keys["publicKeyMultibase"],
    }
    fake_web.add_json(
        "example.edu",
        "/issuers/565049",
        {
            "id": keys["controller"],
            "verificationMethod": [method],
            "authentication": [method["id"]],
        },
    )
    [document] = _signed(VECTORS / "di-openbadges-3.0-eddsa-rdfc-2022")

    report = offline_verifier.credential(document)

    assert not report.verified
    [binding] = [c for c in report.checks if c.check == "key_binding"]
    assert binding.outcome == "failed"
    assert "assertionMethod" in binding.reason


JOSE_DIR = VECTORS / "vc-jose-cose"
JOSE_CREDENTIALS = {
    "credential-jose-minimal.txt": True,
    "credential-issuer-match-signed.txt": True,
    "credential-jose-bad-signature.txt": False,
    "credential-jose-vc-vp-claims.txt": False,
    "credential-jose-bad-media-type.txt": False,
    # ES512 (P-521) is outside our profile (EdDSA, ES256, RS256): never valid here.
    "credential-jose-unknown-extensions.txt": False,
}


@pytest.mark.parametrize(("name", "verified"), JOSE_CREDENTIALS.items())
def test_vc_jose_cose_inputs(name: str, verified: bool, fetcher: Any) -> None:
    verifier = Verifier(resolver=Resolver(fetcher), now=datetime(2024, 12, 15, tzinfo=UTC))

    report = verifier.credential((JOSE_DIR / name).read_text().strip())

    assert report.verified is verified, report.checks
    assert report.media_type == "application/vc+jwt"
    if verified:
        assert [c.outcome for c in report.checks if c.check == "key_binding"] == ["passed"]
