"""A remote issuer (did:key) and the status list URL it publishes at, for status tests."""

from __future__ import annotations

from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.crypto.multikey import did_key_for
from app.crypto.signer import LocalSigner

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
LIST_URL = "https://status.example/lists/1"
V2 = "https://www.w3.org/ns/credentials/v2"


def did_key_signer() -> tuple[str, LocalSigner]:
    key = Ed25519PrivateKey.generate()
    did = did_key_for(key.public_key())
    return did, LocalSigner(key, key_id=f"{did}#{did.removeprefix('did:key:')}")
