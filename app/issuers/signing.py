"""The key ring: creates signing keys, seals them, and hands out cached signers.

Decrypted keys are cached per key row, so signing costs no decryption per credential;
which key is *active* is read from the database each time, so a rotation made by
another instance takes effect at once.
"""

from __future__ import annotations

import threading
from typing import Any

from app.crypto import keys as crypto_keys
from app.crypto.multikey import public_key_to_multikey
from app.crypto.signer import LocalSigner, Signer
from app.issuers.keystore import MasterKey
from app.issuers.models import SigningKey


def _key_type(value: str) -> crypto_keys.KeyType:
    if value == "Ed25519":
        return "Ed25519"
    if value == "P-256":
        return "P-256"
    raise ValueError(f"unsupported signing key type {value!r}")


def associated_data(key_id: str, issuer_id: str) -> bytes:
    return f"learnproof-signing-key:{issuer_id}:{key_id}".encode()


class KeyRing:
    def __init__(self, master: MasterKey) -> None:
        self._master = master
        self._signers: dict[tuple[str, str], LocalSigner] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"KeyRing(cached={len(self._signers)})"

    def seal_new_key(
        self, key_type: str, *, key_id: str, issuer_id: str
    ) -> tuple[str, dict[str, Any], bytes]:
        """Generate a key; return its public Multikey, public JWK and the sealed private key."""
        private_key = crypto_keys.generate_private_key(_key_type(key_type))
        sealed = self._master.encrypt(
            crypto_keys.private_key_to_bytes(private_key),
            associated_data=associated_data(key_id, issuer_id),
        )
        public_key = private_key.public_key()
        return (
            public_key_to_multikey(public_key),
            crypto_keys.public_jwk(public_key),
            sealed,
        )

    def seal(self, plaintext: bytes, *, associated_data: bytes) -> bytes:
        """Encrypt another secret at rest under the master key (e.g. webhook secrets)."""
        return self._master.encrypt(plaintext, associated_data=associated_data)

    def unseal(self, blob: bytes, *, associated_data: bytes) -> bytes:
        return self._master.decrypt(blob, associated_data=associated_data)

    def signer(self, row: SigningKey, *, verification_method: str) -> Signer:
        with self._lock:
            cached = self._signers.get((row.id, verification_method))
            if cached is not None:
                return cached
        raw = self._master.decrypt(
            row.encrypted_private_key, associated_data=associated_data(row.id, row.issuer_id)
        )
        private_key = crypto_keys.private_key_from_bytes(_key_type(row.key_type), raw)
        signer = LocalSigner(private_key, key_id=verification_method)
        with self._lock:
            self._signers[(row.id, verification_method)] = signer
        return signer

    def forget(self, key_id: str) -> None:
        with self._lock:
            for cache_key in [k for k in self._signers if k[0] == key_id]:
                del self._signers[cache_key]
