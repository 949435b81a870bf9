"""Private keys at rest: AES-256-GCM under a key derived from the master secret.

Keys live in the database, encrypted, so every LearnProof instance sharing one PostgreSQL
signs with the same keys and rotation is one row change; the master secret comes from
``LEARNPROOF_MASTER_KEY`` (or, in development only, a generated ``keys/master.key``).
The ciphertext is bound to its key row by associated data, so rows cannot be swapped.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
import stat
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import ConfigError, Settings
from app.core import master_secret
from app.issuers.models import KeystoreCheck

_NONCE_BYTES = 12
_FORMAT = b"\x01"
MASTER_KEY_FILE = "master.key"
log = logging.getLogger("learnproof.keys")


class MasterKey:
    """The master secret, held only as derived subkeys; repr never shows it."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 32:
            raise ConfigError("the master secret must be at least 32 bytes of entropy")
        self._encryption_key = self._derive(secret, b"learnproof/issuer-keys/aes-256-gcm/v1")
        self._check_key = self._derive(secret, b"learnproof/master-key-check/v1")

    @staticmethod
    def _derive(secret: bytes, info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret)

    def __repr__(self) -> str:
        return "MasterKey(<redacted>)"

    @property
    def fingerprint(self) -> str:
        return hmac.new(self._check_key, b"learnproof", hashlib.sha256).hexdigest()

    def encrypt(self, plaintext: bytes, *, associated_data: bytes) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = AESGCM(self._encryption_key).encrypt(nonce, plaintext, associated_data)
        return _FORMAT + nonce + sealed

    def decrypt(self, blob: bytes, *, associated_data: bytes) -> bytes:
        if blob[:1] != _FORMAT:
            raise ConfigError("a stored private key has an unknown encryption format")
        nonce, sealed = blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :]
        try:
            return AESGCM(self._encryption_key).decrypt(nonce, sealed, associated_data)
        except InvalidTag:
            raise ConfigError(
                "a stored private key cannot be decrypted: LEARNPROOF_MASTER_KEY is not the "
                "secret these keys were encrypted with"
            ) from None


def _decode_secret(text: str) -> bytes:
    text = text.strip()
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        if len(raw) >= 32:
            return raw
    except ValueError:
        pass
    return text.encode()


def new_master_secret() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def load_master_key(settings: Settings) -> MasterKey:
    """The configured master secret, or in development a generated 0600 key file."""
    if settings.master_key is not None and settings.master_key.get_secret_value():
        text = settings.master_key.get_secret_value()
        weak = master_secret.problem(text)
        if weak is not None:
            # Production refuses this when settings load; development keeps working.
            log.warning("%s (accepted outside production)", master_secret.describe(weak))
        return MasterKey(_decode_secret(text))
    if settings.env == "production":
        raise ConfigError("LEARNPROOF_MASTER_KEY must be set in production")
    path = Path(settings.keys_dir) / MASTER_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(new_master_secret() + "\n")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ConfigError(f"{path} must be readable by its owner only (chmod 600 {path})")
    return MasterKey(_decode_secret(path.read_text()))


def check_master_key(session: Session, master: MasterKey, *, now: datetime) -> None:
    """Refuse to start with a master secret other than the one this database was set up with."""
    stored = session.scalar(select(KeystoreCheck).where(KeystoreCheck.id == 1))
    if stored is None:
        session.add(KeystoreCheck(id=1, fingerprint=master.fingerprint, created_at=now))
        session.flush()
        return
    if not hmac.compare_digest(stored.fingerprint, master.fingerprint):
        raise ConfigError(
            "the master secret does not match the one this database's signing keys were "
            "encrypted with: set LEARNPROOF_MASTER_KEY (or restore keys/master.key) to the "
            "original secret; LearnProof never replaces it with a new one"
        )
