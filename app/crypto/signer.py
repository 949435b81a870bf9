"""The signing interface used by Data Integrity proofs and JWS, and its in-memory implementation.

Proof code only ever sees a `Signer`, so a key held elsewhere (KMS, HSM, another process) can
be plugged in later without touching it.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from app.crypto import keys
from app.crypto.errors import KeyFormatError
from app.crypto.multikey import public_key_to_multikey

JWS_ALGORITHMS = {"Ed25519": "EdDSA", "P-256": "ES256"}


@runtime_checkable
class Signer(Protocol):
    """Something that signs with one private key and knows how that key is named."""

    @property
    def key_id(self) -> str:
        """The verification method URL, e.g. `did:web:host:issuers:x#key-1` (JWS `kid`)."""
        ...

    @property
    def key_type(self) -> str:
        """ "Ed25519" or "P-256"."""
        ...

    @property
    def public_key(self) -> keys.PublicKey: ...

    @property
    def jws_algorithm(self) -> str:
        """ "EdDSA" or "ES256"."""
        ...

    def sign(self, data: bytes) -> bytes:
        """Ed25519 (RFC 8032) signature, or P-256 SHA-256 ECDSA as raw r‖s (64 bytes)."""
        ...

    def public_multikey(self) -> str: ...

    def public_jwk(self) -> dict[str, str]: ...


class LocalSigner:
    """A `Signer` over a private key held in memory; its repr never shows key material.

    P-256 signatures are deterministic (RFC 6979), so signing the same bytes twice gives the
    same value, which is what the W3C ecdsa test vectors expect, and they are raw r‖s (IEEE
    P1363) as both ecdsa-rdfc-2019 and JWS ES256 require, not DER.
    """

    __slots__ = ("_key_id", "_key_type", "_private_key", "_public_key")

    def __init__(self, private_key: keys.PrivateKey, key_id: str) -> None:
        key_type = keys.key_type_of(private_key)
        if key_type not in JWS_ALGORITHMS:
            raise KeyFormatError(f"{key_type} keys are not used for signing")
        if not key_id:
            raise ValueError("key_id (the verification method URL) is required")
        self._private_key = private_key
        self._key_id = key_id
        self._key_type = key_type
        self._public_key = private_key.public_key()

    @property
    def key_id(self) -> str:
        return self._key_id

    @property
    def key_type(self) -> str:
        return self._key_type

    @property
    def public_key(self) -> keys.PublicKey:
        return self._public_key

    @property
    def jws_algorithm(self) -> str:
        return JWS_ALGORITHMS[self._key_type]

    def sign(self, data: bytes) -> bytes:
        key = self._private_key
        if isinstance(key, Ed25519PrivateKey):
            return key.sign(data)
        der = key.sign(data, ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
        r, s = decode_dss_signature(der)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    def public_multikey(self) -> str:
        return public_key_to_multikey(self._public_key)

    def public_jwk(self) -> dict[str, str]:
        return keys.public_jwk(self._public_key)

    def __repr__(self) -> str:
        return f"LocalSigner(key_id={self._key_id!r}, key_type={self._key_type!r})"

    __str__ = __repr__

    def __reduce__(self) -> str | tuple[object, ...]:
        # Pickling would copy the private key into caches, queues or logs.
        raise TypeError("LocalSigner holds a private key and cannot be pickled")
