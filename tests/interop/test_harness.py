"""The interop harness itself, checked on known data, so that its verdicts on our credentials mean
something: W3C vectors and third-party credentials whose verdicts are known must come out right.
"""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import base58
import jwt
import pytest

from tests.interop.node import NodeHarnessError, run_node

pytestmark = pytest.mark.interop

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "interop"
THIRD_PARTY = VECTORS / "third-party"
ED25519_2020_CONTEXT_URL = "https://w3id.org/security/suites/ed25519-2020/v1"
DCC_STATUS_LIST_URL = (
    "https://raw.githubusercontent.com/digitalcredentials/verifier-core/refs/heads/main/"
    "src/test-fixtures/status/e5WK8CbZ1GjycuPombrj"
)
LEGACY_DID = "did:web:digitalcredentials.github.io:vc-test-fixtures:dids:legacy"
ONE_EDTECH_LIST_URL = (
    "https://raw.githubusercontent.com/1EdTech/digital-credentials-public-validator/refs/heads/"
    "main/inspector-vc/src/test/resources/ob30/bit-string-list/testlist"
)


def load(relative: str) -> Any:
    return json.loads((VECTORS / relative).read_text(encoding="utf-8"))


def served(source: str, url_path: str) -> Any:
    return json.loads((THIRD_PARTY / source / "served" / url_path).read_text(encoding="utf-8"))


def third_party_documents() -> dict[str, Any]:
    """Everything the third-party credentials point to, keyed by URL (the served/ trees)."""
    dcc = "digitalcredentials-vc-test-fixtures"
    return {
        ED25519_2020_CONTEXT_URL: load("contexts/ed25519-signature-2020-v1.jsonld"),
        DCC_STATUS_LIST_URL: served(
            dcc,
            "digitalcredentials/verifier-core/refs/heads/main/src/test-fixtures/status/"
            "e5WK8CbZ1GjycuPombrj",
        ),
        "https://digitalcredentials.github.io/vc-test-fixtures/dids/legacy/did.json": served(
            dcc, "vc-test-fixtures/dids/legacy/did.json"
        ),
        ONE_EDTECH_LIST_URL: served(
            "1edtech-digital-credentials-public-validator",
            "1EdTech/digital-credentials-public-validator/refs/heads/main/inspector-vc/src/test/"
            "resources/ob30/bit-string-list/testlist",
        ),
    }


def valid_didkey_fixtures() -> list[str]:
    manifest = json.loads((THIRD_PARTY / "manifest.json").read_text(encoding="utf-8"))
    return [
        row["file"]
        for row in manifest
        if row["expected"] == ["valid"]
        and row["issuer"] == "did:key"
        and row["file"].endswith(".json")
        and row["offline"] == "yes"
    ]


def verify_di(credential: dict[str, Any], **options: Any) -> dict[str, Any]:
    return run_node("verify-di.mjs", {"credential": credential, **options})


# --- W3C vc-di-eddsa / vc-di-ecdsa vectors ---------------------------------------------------


def test_w3c_eddsa_vector_verifies() -> None:
    result = verify_di(load("w3c-vc-di-eddsa/signedDataInt.json"), checkIssuer=False)
    assert result["verified"] is True, result
    assert result["proofs"][0]["cryptosuite"] == "eddsa-rdfc-2022"


def test_w3c_eddsa_vector_fails_issuer_binding() -> None:
    # The vector's issuer (https://vc.example/...) is not the did:key controller: the default
    # CredentialIssuancePurpose must notice, which shows the issuer check is active.
    result = verify_di(load("w3c-vc-di-eddsa/signedDataInt.json"))
    assert result["verified"] is False
    assert "Credential issuer must match the verification method controller." in result["errors"]


def test_w3c_eddsa_vector_tampered_fails() -> None:
    credential = load("w3c-vc-di-eddsa/signedDataInt.json")
    credential["credentialSubject"]["alumniOf"] = "The School of Tampering"
    result = verify_di(credential, checkIssuer=False)
    assert result["verified"] is False
    assert "Invalid signature." in result["errors"]


def test_w3c_ecdsa_p256_vector_verifies() -> None:
    result = verify_di(load("w3c-vc-di-ecdsa/signedECDSAP256.json"), checkIssuer=False)
    assert result["verified"] is True, result
    assert result["proofs"][0]["cryptosuite"] == "ecdsa-rdfc-2019"


def test_sign_di_reproduces_w3c_proof_value() -> None:
    """Ed25519 is deterministic: the W3C key and `created` must give the vector's proofValue."""
    key_pair = load("w3c-vc-di-eddsa/keyPair.json")
    secret = base58.b58decode(key_pair["privateKeyMultibase"][1:])
    assert secret[:2] == b"\x80\x26"  # multicodec ed25519-priv
    result = run_node(
        "sign-di.mjs",
        {
            "credential": load("w3c-vc-di-eddsa/unsigned.json"),
            "seed": secret[2:].hex(),
            "created": load("w3c-vc-di-eddsa/proofConfigDataInt.json")["created"],
        },
    )
    expected = load("w3c-vc-di-eddsa/signedDataInt.json")
    assert result["did"] == f"did:key:{key_pair['publicKeyMultibase']}"
    assert (
        result["signed"]["proof"]["verificationMethod"] == expected["proof"]["verificationMethod"]
    )
    assert result["signed"]["proof"]["proofValue"] == expected["proof"]["proofValue"]


# --- third-party credentials (manifest verdicts) ---------------------------------------------


@pytest.mark.parametrize("relative", valid_didkey_fixtures())
def test_third_party_valid_didkey_verifies(relative: str) -> None:
    credential = json.loads((THIRD_PARTY / relative).read_text(encoding="utf-8"))
    result = verify_di(credential, documents=third_party_documents())
    assert result["verified"] is True, result


def test_manifest_selection_is_not_empty() -> None:
    assert "digitalcredentials-vc-test-fixtures/v2-di-didkey-basic-obv3.json" in (
        valid_didkey_fixtures()
    )


def test_third_party_tampered_fails() -> None:
    credential = load(
        "third-party/digitalcredentials-verifier-core/v2-eddsa-didkey-tampered.derived.json"
    )
    result = verify_di(credential, documents=third_party_documents())
    assert result["verified"] is False
    assert "Invalid signature." in result["errors"]


def test_third_party_valid_fixture_tampered_here_fails() -> None:
    credential = load(
        "third-party/digitalcredentials-vc-test-fixtures/v2-di-didkey-basic-obv3.json"
    )
    credential["credentialSubject"]["achievement"]["name"] = "Something else"
    result = verify_di(credential)
    assert result["verified"] is False
    assert "Invalid signature." in result["errors"]


@pytest.mark.parametrize(
    ("relative", "now", "message"),
    [
        (
            "digitalcredentials-vc-test-fixtures/v2-di-didkey-not-yet-valid.json",
            "2030-01-01T00:00:00Z",
            'is before "validFrom"',
        ),
        ("digitalcredentials-vc-test-fixtures/v1-di-didkey-expired.json", None, "has expired"),
    ],
)
def test_third_party_dates_are_checked(relative: str, now: str | None, message: str) -> None:
    credential = json.loads((THIRD_PARTY / relative).read_text(encoding="utf-8"))
    options = {"now": now} if now else {}
    result = verify_di(credential, **options)
    assert result["verified"] is False
    assert any(message in error for error in result["errors"]), result["errors"]


def test_not_yet_valid_fixture_verifies_with_now_inside_window() -> None:
    credential = load(
        "third-party/digitalcredentials-vc-test-fixtures/v2-di-didkey-not-yet-valid.json"
    )
    assert verify_di(credential, now="2100-01-01T00:00:00Z")["verified"] is True


def test_unknown_context_fails_closed() -> None:
    credential = load(
        "third-party/digitalcredentials-vc-test-fixtures/v1-di-didkey-dcc-context.json"
    )
    result = verify_di(credential, documents=third_party_documents())
    assert result["verified"] is False
    assert any(
        'Refusing to load unknown URL "https://w3id.org/dcc/v1"' in e for e in result["errors"]
    )


def test_contexts_dir_env_is_honoured_and_fails_closed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LEARNPROOF_CONTEXTS_DIR", str(tmp_path))
    result = verify_di(load("w3c-vc-di-eddsa/signedDataInt.json"), checkIssuer=False)
    assert result["verified"] is False
    assert any(
        'Refusing to load unknown URL "https://www.w3.org/ns/credentials/v2"' in e
        for e in result["errors"]
    ), result["errors"]


def test_did_web_resolves_only_from_supplied_documents() -> None:
    credential = load("third-party/digitalcredentials-vc-test-fixtures/v2-di-didweb-revoked.json")
    resolved = verify_di(credential, documents=third_party_documents())
    assert resolved["verified"] is True, resolved
    assert resolved["proofs"][0]["verificationMethod"].startswith(f"{LEGACY_DID}#")
    assert resolved["warnings"] == ["credentialStatus present but not checked (checkStatus false)"]

    offline = verify_di(
        credential,
        documents={ED25519_2020_CONTEXT_URL: third_party_documents()[ED25519_2020_CONTEXT_URL]},
    )
    assert offline["verified"] is False
    assert any(f'no DID document supplied for "{LEGACY_DID}"' in e for e in offline["errors"])


# --- status lists ------------------------------------------------------------------------------


def test_status_check_decodes_bits() -> None:
    documents = third_party_documents()
    revoked = run_node(
        "status-check.mjs",
        {
            "credential": load(
                "third-party/digitalcredentials-vc-test-fixtures/v2-di-didkey-revoked.json"
            ),
            "documents": documents,
        },
    )
    unset = run_node(
        "status-check.mjs",
        {
            "credential": load(
                "third-party/digitalcredentials-verifier-core/v2-eddsa-didkey-status-unset.json"
            ),
            "documents": documents,
        },
    )
    numeric_index = run_node(
        "status-check.mjs",
        {
            "credential": load(
                "third-party/1edtech-digital-credentials-public-validator/ob30-bsl-revoked.json"
            ),
            "documents": documents,
        },
    )
    assert [(r["statusListIndex"], r["status"]) for r in revoked["results"]] == [("8", True)]
    assert [(r["statusListIndex"], r["status"]) for r in unset["results"]] == [("9", False)]
    assert [(r["statusListIndex"], r["status"]) for r in numeric_index["results"]] == [(23, True)]


def test_status_list_not_found_is_an_entry_error() -> None:
    credential = load("third-party/digitalcredentials-vc-test-fixtures/v2-di-didkey-revoked.json")
    result = run_node("status-check.mjs", {"credential": credential})
    [entry] = result["results"]
    assert entry["status"] is None
    assert "Refusing to load unknown URL" in entry["error"]


def test_verify_di_with_status_reports_revocation() -> None:
    # The DCC list is signed with Ed25519Signature2020 and issued by another DID, so only the bit is
    # read here; with full checks the list itself must fail.
    credential = load("third-party/digitalcredentials-vc-test-fixtures/v2-di-didkey-revoked.json")
    lenient = {"verifyStatusListCredential": False, "verifyMatchingIssuers": False}
    revoked = verify_di(credential, documents=third_party_documents(), checkStatus=lenient)
    assert revoked["verified"] is False
    assert revoked["statusResult"]["results"][0]["status"] is True
    assert any('credential status "revocation" is set (index 8' in e for e in revoked["errors"])

    strict = verify_di(credential, documents=third_party_documents(), checkStatus=True)
    assert strict["verified"] is False
    assert strict["statusResult"]["verified"] is False


# --- round trip and batch ----------------------------------------------------------------------


def test_sign_then_verify_round_trip() -> None:
    unsigned = load("w3c-vc-di-eddsa/unsigned.json")
    unsigned.pop("issuer")
    signed = run_node("sign-di.mjs", {"credential": unsigned})
    assert signed["signed"]["issuer"] == signed["did"]
    assert signed["verificationMethod"].startswith(f"{signed['did']}#z6Mk")

    assert verify_di(signed["signed"])["verified"] is True
    changed = copy.deepcopy(signed["signed"])
    changed["name"] = "Changed after signing"
    result = verify_di(changed)
    assert result["verified"] is False
    assert "Invalid signature." in result["errors"]


def test_batch_mode_matches_single_calls() -> None:
    good = load("w3c-vc-di-eddsa/signedDataInt.json")
    bad = copy.deepcopy(good)
    bad["credentialSubject"]["alumniOf"] = "Elsewhere"
    result = run_node(
        "verify-di.mjs",
        {
            "items": [
                {"credential": good, "checkIssuer": False},
                {"credential": bad, "checkIssuer": False},
            ]
        },
    )
    assert [r["verified"] for r in result["results"]] == [True, False]


def test_harness_crash_raises() -> None:
    with pytest.raises(NodeHarnessError, match="exited with 2"):
        run_node("sign-di.mjs", {"credential": {}, "seed": "not-hex"})


def test_one_call_is_fast_enough() -> None:
    start = time.perf_counter()
    verify_di(load("w3c-vc-di-eddsa/signedDataInt.json"), checkIssuer=False)
    assert time.perf_counter() - start < 5  # ~0.3 s here; generous for slow CI machines


# --- VC-JOSE-COSE ------------------------------------------------------------------------------


def sign_jwt(payload: dict[str, Any], vm: dict[str, Any], alg: str) -> str:
    key = jwt.PyJWK(vm["secretKeyJwk"])
    return jwt.encode(payload, key.key, algorithm=alg, headers={"typ": "vc+jwt", "kid": vm["id"]})


def vc_payload() -> dict[str, Any]:
    return {**load("w3c-vc-di-eddsa/unsigned.json"), "iat": 1700000000}


def flip_payload(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = jwt.utils.base64url_decode(payload)
    changed = claims.replace(b"The School of Examples", b"The School of Tampering")
    assert changed != claims
    return ".".join([header, jwt.utils.base64url_encode(changed).decode(), signature])


@pytest.mark.parametrize(
    ("vm_file", "alg"), [("vm-ed25519.json", "EdDSA"), ("vm-p256.json", "ES256")]
)
def test_verify_jwt_accepts_w3c_key(vm_file: str, alg: str) -> None:
    vm = load(f"w3c-vc-jose-cose/{vm_file}")
    token = sign_jwt(vc_payload(), vm, alg)
    result = run_node("verify-jwt.mjs", {"jwt": token, "jwk": vm["publicKeyJwk"], "typ": "vc+jwt"})
    assert result["verified"] is True, result
    assert result["header"] == {"alg": alg, "kid": vm["id"], "typ": "vc+jwt"}
    assert result["payload"] == vc_payload()


def test_verify_jwt_with_jwks_and_private_members_dropped() -> None:
    vm = load("w3c-vc-jose-cose/vm-ed25519.json")
    jwk = {**vm["secretKeyJwk"], "kid": vm["id"]}  # the harness must strip `d`
    token = sign_jwt(vc_payload(), vm, "EdDSA")
    result = run_node("verify-jwt.mjs", {"jwt": token, "jwks": {"keys": [jwk]}})
    assert result["verified"] is True, result


def test_verify_jwt_rejects_tampered_payload() -> None:
    vm = load("w3c-vc-jose-cose/vm-ed25519.json")
    token = flip_payload(sign_jwt(vc_payload(), vm, "EdDSA"))
    result = run_node("verify-jwt.mjs", {"jwt": token, "jwk": vm})
    assert result["verified"] is False
    assert result["errorCode"] == "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
    assert result["payload"]["credentialSubject"]["alumniOf"] == "The School of Tampering"


def test_verify_jwt_rejects_wrong_key_and_typ() -> None:
    ed25519 = load("w3c-vc-jose-cose/vm-ed25519.json")
    token = sign_jwt(vc_payload(), ed25519, "EdDSA")
    other = run_node("verify-jwt.mjs", {"jwt": token, "jwk": load("w3c-vc-jose-cose/vm-p256.json")})
    assert other["verified"] is False
    wrong_typ = run_node("verify-jwt.mjs", {"jwt": token, "jwk": ed25519, "typ": "JWT"})
    assert wrong_typ["verified"] is False
    assert wrong_typ["errorCode"] == "ERR_JWT_CLAIM_VALIDATION_FAILED"


def test_verify_jwt_checks_exp_against_now() -> None:
    vm = load("w3c-vc-jose-cose/vm-ed25519.json")
    token = sign_jwt({**vc_payload(), "exp": 1800000000}, vm, "EdDSA")
    before = run_node("verify-jwt.mjs", {"jwt": token, "jwk": vm, "now": "2026-01-01T00:00:00Z"})
    after = run_node("verify-jwt.mjs", {"jwt": token, "jwk": vm, "now": "2030-01-01T00:00:00Z"})
    assert before["verified"] is True, before
    assert after["verified"] is False
    assert after["errorCode"] == "ERR_JWT_EXPIRED"


def test_w3c_suite_jwt_signature_verifies_in_jws_mode() -> None:
    # The W3C suite JWTs carry an ISO-string `iat`, which jose's JWT mode rejects; jws mode checks
    # the signature alone (see third-party/README.md).
    token = (
        (THIRD_PARTY / "w3c-vc-jose-cose-test-suite/credential-issuer-match-eddsa.jwt")
        .read_text(encoding="utf-8")
        .strip()
    )
    jwks = served("w3c-vc-jose-cose-test-suite", "jwks.json")
    as_jwt = run_node("verify-jwt.mjs", {"jwt": token, "jwks": jwks})
    as_jws = run_node("verify-jwt.mjs", {"jwt": token, "jwks": jwks, "mode": "jws"})
    assert as_jwt["verified"] is False
    assert "iat" in as_jwt["error"]
    assert as_jws["verified"] is True, as_jws
