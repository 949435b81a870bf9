"""Multibase, Multikey (CID 1.0 §2.2.2) and did:key (did-key spec, Multikey format).

A Multikey is multibase base58btc (`z…`) of a multicodec varint header followed by the key:

| header      | multicodec            | key bytes                                   |
|-------------|-----------------------|---------------------------------------------|
| `0xed 0x01` | ed25519-pub (0xed)    | 32                                          |
| `0x80 0x26` | ed25519-priv (0x1300) | 32-byte seed                                |
| `0x80 0x24` | p256-pub (0x1200)     | 33, compressed SEC1 point                   |
| `0x86 0x26` | p256-priv (0x1306)    | 32-byte scalar                              |
| `0x81 0x24` | p384-pub (0x1201)     | 49, compressed point (verification only)    |

Any other header is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app.core.cache import LruCache
from app.crypto.encoding import b58_decode, b58_encode, b64url_decode, b64url_encode
from app.crypto.errors import EncodingError, KeyFormatError
from app.crypto.keys import PrivateKey, PublicKey, key_type_of, private_key_from_bytes

_ED25519_PUB: Final = b"\xed\x01"
_ED25519_PRIV: Final = b"\x80\x26"
_P256_PUB: Final = b"\x80\x24"
_P256_PRIV: Final = b"\x86\x26"
_P384_PUB: Final = b"\x81\x24"

_PUBLIC_HEADERS: Final[Mapping[str, bytes]] = {
    "Ed25519": _ED25519_PUB,
    "P-256": _P256_PUB,
    "P-384": _P384_PUB,
}
_POINT_CURVES: Final[Mapping[bytes, tuple[ec.EllipticCurve, int]]] = {
    _P256_PUB: (ec.SECP256R1(), 33),
    _P384_PUB: (ec.SECP384R1(), 49),
}

DID_CONTEXT: Final = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT: Final = "https://w3id.org/security/multikey/v1"


def multibase_encode(data: bytes, base: Literal["base58btc", "base64url"] = "base58btc") -> str:
    """`z` + base58btc, or `u` + unpadded base64url."""
    return "z" + b58_encode(data) if base == "base58btc" else "u" + b64url_encode(data)


def multibase_decode(text: str) -> bytes:
    """Decode `z…` (base58btc) or `u…` (base64url); other multibase prefixes are refused."""
    if not isinstance(text, str) or not text:
        raise EncodingError("empty multibase value")
    if text[0] == "z":
        return b58_decode(text[1:])
    if text[0] == "u":
        return b64url_decode(text[1:])
    raise EncodingError(f"unsupported multibase prefix {text[0]!r}")


def _decode_multikey(value: str) -> tuple[bytes, bytes]:
    if not isinstance(value, str) or not value.startswith("z"):
        raise KeyFormatError("a Multikey is base58btc multibase ('z…')")
    try:
        data = multibase_decode(value)
    except EncodingError as error:
        raise KeyFormatError(f"invalid Multikey: {error}") from error
    return data[:2], data[2:]


def public_key_to_multikey(public_key: PublicKey) -> str:
    key_type = key_type_of(public_key)
    header = _PUBLIC_HEADERS.get(key_type)
    if isinstance(public_key, Ed25519PublicKey):
        return multibase_encode(_ED25519_PUB + public_key.public_bytes_raw())
    if isinstance(public_key, ec.EllipticCurvePublicKey) and header is not None:
        point = public_key.public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
        return multibase_encode(header + point)
    raise KeyFormatError(f"no Multikey encoding for {key_type} keys")


# Decoding (base58 in Python, then the curve point) is most of resolving a key, and a few
# issuers' keys verify most credentials: keys are immutable, so one decoding serves them all.
_PUBLIC_KEYS: Final[LruCache[str, PublicKey]] = LruCache(1024)


def public_key_from_multikey(value: str) -> PublicKey:
    """Ed25519, P-256 or P-384 public key from its `publicKeyMultibase`."""
    key = _PUBLIC_KEYS.get(value)
    if key is None:
        key = _public_key(value)
        _PUBLIC_KEYS.put(value, key)
    return key


def _public_key(value: str) -> PublicKey:
    header, body = _decode_multikey(value)
    if header == _ED25519_PUB:
        if len(body) != 32:
            raise KeyFormatError("an Ed25519 Multikey holds 32 bytes")
        return Ed25519PublicKey.from_public_bytes(body)
    if header in _POINT_CURVES:
        curve, size = _POINT_CURVES[header]
        if len(body) != size or body[0] not in (2, 3):
            raise KeyFormatError(f"a {curve.name} Multikey holds a {size}-byte compressed point")
        try:
            return ec.EllipticCurvePublicKey.from_encoded_point(curve, body)
        except ValueError as error:
            raise KeyFormatError(f"invalid {curve.name} point: {error}") from error
    raise KeyFormatError(f"unsupported Multikey header 0x{header.hex()}")


def secret_key_to_multikey(private_key: PrivateKey) -> str:
    """`secretKeyMultibase` of an Ed25519 or P-256 private key."""
    key_type = key_type_of(private_key)
    if isinstance(private_key, Ed25519PrivateKey):
        return multibase_encode(_ED25519_PRIV + private_key.private_bytes_raw())
    if key_type == "P-256":
        scalar = private_key.private_numbers().private_value.to_bytes(32, "big")
        return multibase_encode(_P256_PRIV + scalar)
    raise KeyFormatError(f"no secret Multikey encoding for {key_type} keys")


def secret_key_from_multikey(value: str) -> PrivateKey:
    """Ed25519 or P-256 private key from its `secretKeyMultibase`.

    For Ed25519 the 64-byte seed‖public form (used by the 1EdTech OB 3.0 example) is also
    read, but only when its public half matches the seed.
    """
    header, body = _decode_multikey(value)
    if header == _ED25519_PRIV:
        if len(body) == 64:
            key = Ed25519PrivateKey.from_private_bytes(body[:32])
            if key.public_key().public_bytes_raw() != body[32:]:
                raise KeyFormatError("Ed25519 secret Multikey: public half does not match")
            return key
        return private_key_from_bytes("Ed25519", body)
    if header == _P256_PRIV:
        return private_key_from_bytes("P-256", body)
    raise KeyFormatError(f"unsupported secret Multikey header 0x{header.hex()}")


def did_key_for(public_key: PublicKey) -> str:
    """`did:key:z…` for an Ed25519, P-256 or P-384 public key."""
    return "did:key:" + public_key_to_multikey(public_key)


def _multikey_of_did(did: str) -> str:
    if not isinstance(did, str) or not did.startswith("did:key:"):
        raise KeyFormatError(f"not a did:key: {did!r}")
    multikey = did.removeprefix("did:key:")
    public_key_from_multikey(multikey)  # validates header, length and point
    return multikey


def resolve_did_key(did: str) -> dict[str, Any]:
    """DID document of a did:key (did-key spec §3.1.1, publicKeyFormat Multikey).

    Takes the bare DID; use `public_key_from_did_key_url` for a verification method URL.
    """
    multikey = _multikey_of_did(did)
    method_id = f"{did}#{multikey}"
    return {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": [
            {
                "id": method_id,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": multikey,
            }
        ],
        "authentication": [method_id],
        "assertionMethod": [method_id],
        "capabilityInvocation": [method_id],
        "capabilityDelegation": [method_id],
    }


def public_key_from_did_key_url(url: str) -> PublicKey:
    """Key of `did:key:z…#z…` (or of the bare DID); a fragment naming another key is refused."""
    did, _, fragment = url.partition("#") if isinstance(url, str) else ("", "", "")
    multikey = _multikey_of_did(did)
    if fragment and fragment != multikey:
        raise KeyFormatError("did:key fragment does not name the DID's own key")
    return public_key_from_multikey(multikey)
