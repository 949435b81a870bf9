"""Key kinds, raw private-key bytes, public JWKs and JWK thumbprints.

We sign with Ed25519 (eddsa-rdfc-2022, EdDSA JWS) or P-256 (ecdsa-rdfc-2019, ES256). Other
issuers' keys may also be P-384 or RSA, which we accept for verification only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, Final, Literal, get_args

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.crypto.encoding import b64url_decode, b64url_encode
from app.crypto.errors import EncodingError, KeyFormatError

KeyType = Literal["Ed25519", "P-256"]
KEY_TYPES: Final[tuple[KeyType, ...]] = get_args(KeyType)

PrivateKey = Ed25519PrivateKey | ec.EllipticCurvePrivateKey
PublicKey = Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey

_CURVES: Final[Mapping[str, ec.EllipticCurve]] = {"P-256": ec.SECP256R1(), "P-384": ec.SECP384R1()}
_CURVE_NAMES: Final[Mapping[str, str]] = {"secp256r1": "P-256", "secp384r1": "P-384"}
_COORDINATE_SIZES: Final[Mapping[str, int]] = {"P-256": 32, "P-384": 48}
# Smaller RSA moduli are breakable; refuse them rather than report a "valid" signature.
MIN_RSA_BITS: Final = 2048


def generate_private_key(key_type: KeyType = "Ed25519") -> PrivateKey:
    if key_type == "Ed25519":
        return Ed25519PrivateKey.generate()
    if key_type == "P-256":
        return ec.generate_private_key(ec.SECP256R1())
    raise KeyFormatError(f"unsupported signing key type {key_type!r}")


def key_type_of(key: PrivateKey | PublicKey) -> str:
    """ "Ed25519", "P-256", "P-384" or "RSA"; KeyFormatError for anything else."""
    if isinstance(key, Ed25519PrivateKey | Ed25519PublicKey):
        return "Ed25519"
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        try:
            return _CURVE_NAMES[key.curve.name]
        except KeyError:
            raise KeyFormatError(f"unsupported curve {key.curve.name}") from None
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA"
    raise KeyFormatError(f"unsupported key {type(key).__name__}")


def private_key_to_bytes(key: PrivateKey) -> bytes:
    """Raw secret: the 32-byte Ed25519 seed or the 32-byte big-endian P-256 scalar."""
    key_type = key_type_of(key)
    if isinstance(key, Ed25519PrivateKey):
        return key.private_bytes_raw()
    if key_type == "P-256":
        return key.private_numbers().private_value.to_bytes(32, "big")
    raise KeyFormatError(f"{key_type} keys are not used for signing")


def private_key_from_bytes(key_type: KeyType, raw: bytes) -> PrivateKey:
    """Inverse of `private_key_to_bytes`."""
    if len(raw) != 32:
        raise KeyFormatError(f"a {key_type} private key is 32 bytes, got {len(raw)}")
    if key_type == "Ed25519":
        return Ed25519PrivateKey.from_private_bytes(raw)
    if key_type == "P-256":
        try:
            return ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
        except ValueError as error:
            raise KeyFormatError(f"invalid P-256 private key: {error}") from error
    raise KeyFormatError(f"unsupported signing key type {key_type!r}")


def public_jwk(public_key: PublicKey) -> dict[str, str]:
    """The public JWK (RFC 7517/8037) of a key: only public members, no `kid` or `alg`."""
    key_type = key_type_of(public_key)
    if isinstance(public_key, Ed25519PublicKey):
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(public_key.public_bytes_raw())}
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        size = _COORDINATE_SIZES[key_type]
        numbers = public_key.public_numbers()
        return {
            "kty": "EC",
            "crv": key_type,
            "x": b64url_encode(numbers.x.to_bytes(size, "big")),
            "y": b64url_encode(numbers.y.to_bytes(size, "big")),
        }
    numbers_rsa = public_key.public_numbers()
    return {
        "kty": "RSA",
        "n": b64url_encode(numbers_rsa.n.to_bytes((numbers_rsa.n.bit_length() + 7) // 8, "big")),
        "e": b64url_encode(numbers_rsa.e.to_bytes((numbers_rsa.e.bit_length() + 7) // 8, "big")),
    }


def _member(jwk: Mapping[str, Any], name: str) -> bytes:
    value = jwk.get(name)
    if not isinstance(value, str):
        raise KeyFormatError(f"JWK member {name!r} is missing or not a string")
    try:
        return b64url_decode(value)
    except EncodingError as error:
        raise KeyFormatError(f"JWK member {name!r}: {error}") from error


def public_key_from_jwk(jwk: Mapping[str, Any]) -> PublicKey:
    """Public key from a JWK: OKP Ed25519, EC P-256/P-384, or RSA (>= 2048 bits).

    Private members, if any, are ignored: only the public parameters are read.
    """
    if not isinstance(jwk, Mapping):
        raise KeyFormatError("a JWK must be a JSON object")
    kty, crv = jwk.get("kty"), jwk.get("crv")
    try:
        if kty == "OKP" and crv == "Ed25519":
            x = _member(jwk, "x")
            if len(x) != 32:
                raise KeyFormatError("an Ed25519 JWK 'x' is 32 bytes")
            return Ed25519PublicKey.from_public_bytes(x)
        if kty == "EC" and isinstance(crv, str) and crv in _CURVES:
            x, y = _member(jwk, "x"), _member(jwk, "y")
            size = _COORDINATE_SIZES[crv]
            if len(x) != size or len(y) != size:
                raise KeyFormatError(f"{crv} JWK coordinates are {size} bytes each")
            numbers = ec.EllipticCurvePublicNumbers(
                int.from_bytes(x, "big"), int.from_bytes(y, "big"), _CURVES[crv]
            )
            return numbers.public_key()  # raises ValueError for a point off the curve
        if kty == "RSA":
            n = int.from_bytes(_member(jwk, "n"), "big")
            e = int.from_bytes(_member(jwk, "e"), "big")
            if n.bit_length() < MIN_RSA_BITS:
                raise KeyFormatError(f"RSA keys under {MIN_RSA_BITS} bits are refused")
            return rsa.RSAPublicNumbers(e, n).public_key()
    except KeyFormatError:
        raise
    except ValueError as error:
        raise KeyFormatError(f"invalid {kty} JWK: {error}") from error
    raise KeyFormatError(f"unsupported JWK kty={kty!r} crv={crv!r}")


_THUMBPRINT_MEMBERS: Final[Mapping[str, tuple[str, ...]]] = {
    "EC": ("crv", "kty", "x", "y"),
    "OKP": ("crv", "kty", "x"),
    "RSA": ("e", "kty", "n"),
}


def jwk_thumbprint(jwk: Mapping[str, Any]) -> str:
    """RFC 7638 SHA-256 thumbprint (base64url) over the required public members."""
    members = _THUMBPRINT_MEMBERS.get(str(jwk.get("kty")))
    if members is None:
        raise KeyFormatError(f"no thumbprint rule for kty={jwk.get('kty')!r}")
    if not all(isinstance(jwk.get(name), str) for name in members):
        raise KeyFormatError(f"JWK lacks one of {members}")
    # RFC 7638 §3: members in lexicographic order, no whitespace (already sorted above).
    canonical = json.dumps({name: jwk[name] for name in members}, separators=(",", ":"))
    return b64url_encode(hashlib.sha256(canonical.encode("utf-8")).digest())
