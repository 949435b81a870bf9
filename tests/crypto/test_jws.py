"""VC-JOSE-COSE JWS: round trips, the W3C suite inputs, and classic JWT attacks."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app.crypto.encoding import b64url_decode, b64url_encode
from app.crypto.errors import ProofGenerationError
from app.crypto.jws import KeyLookup, sign_vc_jwt, verify_jws
from app.crypto.keys import KeyType, PublicKey, generate_private_key, public_key_from_jwk
from app.crypto.multikey import did_key_for
from app.crypto.signer import LocalSigner

JOSE = Path(__file__).parents[1] / "vectors" / "vc-jose-cose"
CASE = json.loads((JOSE / "case.json").read_text())
ISSUED = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)
NOW = ISSUED + timedelta(days=1)

CREDENTIAL: dict[str, Any] = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ],
    "id": "urn:uuid:9f1b5a2e-2d6f-4c0e-8d3b-1f2a3b4c5d6e",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {"id": "did:web:learnproof.example:issuers:demo", "type": ["Profile"], "name": "D"},
    "validFrom": "2025-05-01T08:00:00Z",
    "credentialSubject": {"id": "did:example:learner", "type": ["AchievementSubject"]},
}


def _signer(key_type: KeyType) -> LocalSigner:
    private_key = generate_private_key(key_type)
    did = did_key_for(private_key.public_key())
    return LocalSigner(private_key, f"{did}#{did.removeprefix('did:key:')}")


def _lookup_for(signer: LocalSigner) -> KeyLookup:
    def lookup(header: Mapping[str, Any], payload: Mapping[str, Any]) -> PublicKey | None:
        return signer.public_key if header.get("kid") == signer.key_id else None

    return lookup


def _parts(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    header, payload, signature = token.split(".")
    return json.loads(b64url_decode(header)), json.loads(b64url_decode(payload)), signature


def _forge(header: dict[str, Any], payload: dict[str, Any], signer: LocalSigner) -> str:
    body = (
        f"{b64url_encode(json.dumps(header).encode())}."
        f"{b64url_encode(json.dumps(payload).encode())}"
    )
    return f"{body}.{b64url_encode(signer.sign(body.encode()))}"


@pytest.mark.parametrize(("key_type", "alg"), [("Ed25519", "EdDSA"), ("P-256", "ES256")])
def test_round_trip(key_type: KeyType, alg: str) -> None:
    signer = _signer(key_type)
    before = json.dumps(CREDENTIAL, sort_keys=True)

    token = sign_vc_jwt(CREDENTIAL, signer, issued_at=ISSUED)
    result = verify_jws(token, _lookup_for(signer), now=NOW)

    assert result.verified, result.reason
    assert result.media_type == "application/vc"
    assert result.header == {"alg": alg, "typ": "vc+jwt", "kid": signer.key_id}
    assert result.payload == {
        **CREDENTIAL,
        "iss": CREDENTIAL["issuer"]["id"],
        "jti": CREDENTIAL["id"],
        "sub": "did:example:learner",
        "iat": int(ISSUED.timestamp()),
    }
    assert json.dumps(CREDENTIAL, sort_keys=True) == before
    assert len(b64url_decode(token.rsplit(".", 1)[1])) == 64  # raw r‖s for ES256, not DER


def test_string_issuer_and_no_subject_id() -> None:
    signer = _signer("Ed25519")
    credential = {**CREDENTIAL, "issuer": "https://issuer.example", "credentialSubject": {}}

    _, payload, _ = _parts(sign_vc_jwt(credential, signer, issued_at=ISSUED))

    assert payload["iss"] == "https://issuer.example"
    assert "sub" not in payload


@pytest.mark.parametrize(
    ("credential", "match"),
    [
        ({**CREDENTIAL, "vc": {}}, "'vc' and 'vp'"),
        ({k: v for k, v in CREDENTIAL.items() if k != "issuer"}, "issuer"),
        ({**CREDENTIAL, "iss": "https://someone.else"}, "conflicting"),
    ],
)
def test_sign_refuses_what_it_cannot_express(credential: dict[str, Any], match: str) -> None:
    with pytest.raises(ProofGenerationError, match=match):
        sign_vc_jwt(credential, _signer("Ed25519"), issued_at=ISSUED)


def test_sign_refuses_naive_time_and_odd_typ() -> None:
    with pytest.raises(ProofGenerationError, match="timezone"):
        sign_vc_jwt(CREDENTIAL, _signer("Ed25519"), issued_at=datetime(2025, 1, 1))
    with pytest.raises(ProofGenerationError, match="typ"):
        sign_vc_jwt(CREDENTIAL, _signer("Ed25519"), issued_at=ISSUED, typ="at+jwt")


def _w3c_lookup(header: Mapping[str, Any], payload: Mapping[str, Any]) -> PublicKey:
    for path in JOSE.glob("vm-*.json"):
        method = json.loads(path.read_text())
        if method["publicKeyJwk"]["kid"] == header["kid"]:
            return public_key_from_jwk(method["publicKeyJwk"])
    raise LookupError(header["kid"])


@pytest.mark.parametrize("file", sorted(CASE["tokens"]))
def test_w3c_suite_inputs(file: str) -> None:
    expected = CASE["tokens"][file]

    result = verify_jws(
        (JOSE / file).read_text().strip(),
        _w3c_lookup,
        now=datetime.fromisoformat(CASE["now"]),
    )

    assert result.verified is expected["verified"], result.reason
    if expected["verified"]:
        assert result.media_type == expected["media_type"]
        assert result.payload is not None
    else:
        assert expected["reason"] in result.reason
        assert result.payload is None


def test_every_w3c_jose_input_has_an_expectation() -> None:
    assert set(CASE["tokens"]) == {path.name for path in JOSE.glob("*.txt")}


def test_iso_string_iat_is_tolerated_and_exp_is_enforced() -> None:
    token = (JOSE / "presentation-jose-multiple.txt").read_text().strip()
    _, payload, _ = _parts(token)
    expires = datetime.fromtimestamp(payload["exp"], UTC)

    assert verify_jws(token, _w3c_lookup, now=expires - timedelta(hours=1)).verified
    late = verify_jws(token, _w3c_lookup, now=expires + timedelta(hours=1))
    assert not late.verified
    assert "expired" in late.reason


def test_alg_none_is_refused() -> None:
    signer = _signer("Ed25519")
    header = {"alg": "none", "typ": "vc+jwt", "kid": signer.key_id}
    unsigned = (
        f"{b64url_encode(json.dumps(header).encode())}."
        f"{b64url_encode(json.dumps(CREDENTIAL).encode())}."
    )

    result = verify_jws(unsigned, _lookup_for(signer), allowed_algs=("none", "EdDSA"), now=NOW)

    assert not result.verified
    assert "only asymmetric" in result.reason


def test_hmac_with_the_public_key_as_secret_is_refused() -> None:
    """The classic key-confusion attack: HS256 keyed with the issuer's public key bytes."""
    signer = _signer("P-256")
    pem = signer.public_key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    header = {"alg": "HS256", "typ": "vc+jwt", "kid": signer.key_id}
    body = (
        f"{b64url_encode(json.dumps(header).encode())}."
        f"{b64url_encode(json.dumps(CREDENTIAL).encode())}"
    )
    mac = hmac.new(pem, body.encode(), hashlib.sha256).digest()

    result = verify_jws(
        f"{body}.{b64url_encode(mac)}", _lookup_for(signer), allowed_algs=("HS256",), now=NOW
    )

    assert not result.verified
    assert "HS256" in result.reason


@pytest.mark.parametrize("member", ["jwk", "jku", "x5u", "x5c"])
def test_keys_carried_by_the_token_are_refused(member: str) -> None:
    issuer, attacker = _signer("Ed25519"), _signer("Ed25519")
    embedded: Any = {
        "jwk": attacker.public_jwk(),
        "jku": "https://attacker.example/jwks.json",
        "x5u": "https://attacker.example/cert.pem",
        "x5c": ["MIIB"],
    }[member]
    header = {"alg": "EdDSA", "typ": "vc+jwt", "kid": issuer.key_id, member: embedded}

    result = verify_jws(_forge(header, CREDENTIAL, attacker), _lookup_for(issuer), now=NOW)

    assert not result.verified
    assert member in result.reason


def test_attacker_key_under_the_issuers_kid_fails() -> None:
    issuer, attacker = _signer("Ed25519"), _signer("Ed25519")
    header = {"alg": "EdDSA", "typ": "vc+jwt", "kid": issuer.key_id}

    result = verify_jws(_forge(header, CREDENTIAL, attacker), _lookup_for(issuer), now=NOW)

    assert result.reason == "the signature does not match"


def test_alg_must_fit_the_key() -> None:
    signer = _signer("Ed25519")
    header = {"alg": "ES256", "typ": "vc+jwt", "kid": signer.key_id}

    result = verify_jws(_forge(header, CREDENTIAL, signer), _lookup_for(signer), now=NOW)

    assert "cannot be verified with a Ed25519 key" in result.reason


@pytest.mark.parametrize(
    ("header_update", "payload_update", "match"),
    [
        ({"crit": ["b64"]}, {}, "crit"),
        ({"typ": "at+jwt"}, {}, "typ"),
        ({"typ": "vp+jwt"}, {}, "typ says"),
        ({}, {"vp": {}}, "'vc' and 'vp'"),
        ({}, {"iss": "https://someone.else"}, "iss"),
        ({}, {"jti": "urn:uuid:other"}, "jti"),
        ({}, {"sub": "did:example:other"}, "sub"),
        ({}, {"nbf": int((NOW + timedelta(hours=2)).timestamp())}, "not valid yet"),
        ({}, {"exp": "2030-01-01T00:00:00Z"}, "NumericDate"),
        ({}, {"type": ["OpenBadgeCredential"]}, "typ says"),
    ],
)
def test_header_and_claim_rules(
    header_update: dict[str, Any], payload_update: dict[str, Any], match: str
) -> None:
    signer = _signer("Ed25519")
    header = {"alg": "EdDSA", "typ": "vc+jwt", "kid": signer.key_id, **header_update}

    result = verify_jws(
        _forge(header, {**CREDENTIAL, **payload_update}, signer), _lookup_for(signer), now=NOW
    )

    assert not result.verified
    assert match in result.reason


@pytest.mark.parametrize("typ", [None, "JWT", "application/vc+jwt", "VC+JWT"])
def test_accepted_typ_values(typ: str | None) -> None:
    signer = _signer("Ed25519")
    header = {"alg": "EdDSA", "kid": signer.key_id} | ({"typ": typ} if typ else {})

    assert verify_jws(_forge(header, CREDENTIAL, signer), _lookup_for(signer), now=NOW).verified


def test_unknown_kid_and_failing_lookup() -> None:
    signer = _signer("Ed25519")
    token = sign_vc_jwt(CREDENTIAL, signer, issued_at=ISSUED)

    def failing(header: Mapping[str, Any], payload: Mapping[str, Any]) -> PublicKey:
        raise KeyError("unknown issuer")

    assert "no key" in verify_jws(token, lambda h, p: None, now=NOW).reason
    assert "unknown issuer" in verify_jws(token, failing, now=NOW).reason


@pytest.mark.parametrize("token", ["", "a.b", "a.b.c.d", "!!.e30.", "e30.e30.", 42])
def test_garbage_is_refused_not_raised(token: Any) -> None:
    result = verify_jws(token, lambda h, p: None, now=NOW)

    assert not result.verified
    assert result.reason
