"""Key generation, raw private bytes, JWKs and RFC 7638 thumbprints (app.crypto.keys)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from app.crypto.errors import KeyFormatError
from app.crypto.keys import (
    KEY_TYPES,
    KeyType,
    generate_private_key,
    jwk_thumbprint,
    key_type_of,
    private_key_from_bytes,
    private_key_to_bytes,
    public_jwk,
    public_key_from_jwk,
)

VECTORS = Path(__file__).parents[1] / "vectors"
VERIFICATION_METHODS = sorted((VECTORS / "vc-jose-cose").glob("vm-*.json"))


def test_signing_key_types() -> None:
    assert KEY_TYPES == ("Ed25519", "P-256")


@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_raw_private_bytes_round_trip(key_type: KeyType) -> None:
    key = generate_private_key(key_type)

    raw = private_key_to_bytes(key)
    again = private_key_from_bytes(key_type, raw)

    assert len(raw) == 32
    assert key_type_of(again) == key_type
    assert public_jwk(again.public_key()) == public_jwk(key.public_key())
    assert private_key_to_bytes(again) == raw


@pytest.mark.parametrize(
    ("key_type", "raw"),
    [
        ("Ed25519", bytes(31)),
        ("Ed25519", bytes(64)),
        ("P-256", bytes(32)),  # zero is not a scalar
        ("P-256", b"\xff" * 32),  # beyond the group order
        ("P-384", bytes(32)),
    ],
)
def test_bad_raw_private_keys_are_refused(key_type: Any, raw: bytes) -> None:
    with pytest.raises(KeyFormatError):
        private_key_from_bytes(key_type, raw)


@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_public_jwk_round_trip_has_no_private_parts(key_type: KeyType) -> None:
    public_key = generate_private_key(key_type).public_key()

    jwk = public_jwk(public_key)

    assert "d" not in jwk
    assert jwk["kty"] == ("OKP" if key_type == "Ed25519" else "EC")
    assert public_key_from_jwk(jwk) == public_key


@pytest.mark.parametrize("path", VERIFICATION_METHODS, ids=lambda path: path.name)
def test_thumbprints_match_the_w3c_kids(path: Path) -> None:
    """The VC-JOSE-COSE suite names each key by its RFC 7638 thumbprint."""
    jwk = json.loads(path.read_text())["publicKeyJwk"]

    assert jwk_thumbprint(jwk) == jwk["kid"]


@pytest.mark.parametrize(
    "path", [p for p in VERIFICATION_METHODS if "p521" not in p.name], ids=lambda path: path.name
)
def test_w3c_public_jwks_load(path: Path) -> None:
    method = json.loads(path.read_text())
    key = public_key_from_jwk(method["publicKeyJwk"])

    assert public_jwk(key) == {
        k: v for k, v in method["publicKeyJwk"].items() if k not in {"kid", "alg"}
    }
    assert public_key_from_jwk(method["secretKeyJwk"]) == key  # only public members are read


def test_thumbprint_ignores_optional_members() -> None:
    jwk = public_jwk(generate_private_key("P-256").public_key())

    assert jwk_thumbprint({**jwk, "kid": "x", "alg": "ES256", "use": "sig"}) == jwk_thumbprint(jwk)
    assert jwk_thumbprint({**jwk, "x": jwk["y"]}) != jwk_thumbprint(jwk)


def test_rsa_public_keys_for_verification() -> None:
    public_key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    jwk = public_jwk(public_key)

    assert key_type_of(public_key) == "RSA"
    assert jwk["e"] == "AQAB"
    assert public_key_from_jwk(jwk) == public_key
    assert len(jwk_thumbprint(jwk)) == 43


def test_p384_public_keys_for_verification() -> None:
    public_key = ec.generate_private_key(ec.SECP384R1()).public_key()

    assert public_key_from_jwk(public_jwk(public_key)) == public_key


def _p256() -> dict[str, str]:
    return public_jwk(generate_private_key("P-256").public_key())


@pytest.mark.parametrize(
    "jwk",
    [
        {"kty": "oct", "k": "c2VjcmV0"},
        {"kty": "OKP", "crv": "X25519", "x": "AAAA"},
        {"kty": "OKP", "crv": "Ed25519", "x": "AAAA"},
        {"kty": "OKP", "crv": "Ed25519"},
        {**_p256(), "crv": "P-521"},
        {**_p256(), "crv": "secp256k1"},
        {**_p256(), "y": _p256()["y"]},  # a point off the curve
        {**_p256(), "x": "AA"},
        {**_p256(), "x": _p256()["x"] + "="},
        {
            "kty": "RSA",
            "e": "AQAB",
            "n": public_jwk(
                rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
            )["n"],
        },
        "not a JWK",
    ],
)
def test_unusable_jwks_are_refused(jwk: Any) -> None:
    with pytest.raises(KeyFormatError):
        public_key_from_jwk(jwk)


def test_thumbprint_needs_the_required_members() -> None:
    with pytest.raises(KeyFormatError):
        jwk_thumbprint({"kty": "EC", "crv": "P-256", "x": "AA"})
    with pytest.raises(KeyFormatError):
        jwk_thumbprint({"kty": "oct", "k": "AA"})
