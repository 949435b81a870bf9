from __future__ import annotations

import stat
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import ConfigError, Settings
from app.crypto import keys as crypto_keys
from app.crypto.multikey import public_key_to_multikey
from app.issuers.keystore import MasterKey, check_master_key, load_master_key
from app.issuers.models import SigningKey
from app.issuers.signing import associated_data
from app.main import create_app
from tests.conftest import TEST_PUBLIC_URL
from tests.support.issuers import create_issuer


def test_private_keys_are_encrypted_at_rest(
    client: TestClient, admin_headers: dict[str, str], session: Session
) -> None:
    create_issuer(client, admin_headers)
    [row] = session.scalars(select(SigningKey)).all()
    master = load_master_key(client.app.state.settings)  # type: ignore[attr-defined]
    raw = master.decrypt(
        row.encrypted_private_key, associated_data=associated_data(row.id, row.issuer_id)
    )
    private_key = crypto_keys.private_key_from_bytes("Ed25519", raw)
    assert public_key_to_multikey(private_key.public_key()) == row.public_multikey
    assert raw not in row.encrypted_private_key
    assert raw.hex().encode() not in row.encrypted_private_key
    assert row.encrypted_private_key.hex() not in repr(row)
    keyring = client.app.state.keyring  # type: ignore[attr-defined]
    signer = keyring.signer(row, verification_method="did:example:x#key-1")
    assert raw.hex() not in repr(signer)
    assert raw.hex() not in repr(keyring)


def test_master_key_file_is_generated_owner_only(tmp_path: Path) -> None:
    settings = Settings(env="development", keys_dir=tmp_path / "keys")
    first = load_master_key(settings)
    path = tmp_path / "keys" / "master.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_master_key(settings).fingerprint == first.fingerprint
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_master_key(settings)


def test_wrong_master_key_is_refused(session: Session, now: datetime) -> None:
    right = MasterKey(b"r" * 32)
    check_master_key(session, right, now=now)
    check_master_key(session, right, now=now)
    with pytest.raises(ConfigError, match="does not match"):
        check_master_key(session, MasterKey(b"w" * 32), now=now)


def test_wrong_master_key_cannot_decrypt() -> None:
    blob = MasterKey(b"r" * 32).encrypt(b"secret", associated_data=b"row-1")
    with pytest.raises(ConfigError, match="cannot be decrypted"):
        MasterKey(b"w" * 32).decrypt(blob, associated_data=b"row-1")
    with pytest.raises(ConfigError):
        MasterKey(b"r" * 32).decrypt(blob, associated_data=b"row-2")


def test_app_refuses_to_start_with_another_master_key(app: object, settings: Settings) -> None:
    with TestClient(app, base_url=TEST_PUBLIC_URL):  # type: ignore[arg-type]
        pass  # records the fingerprint of the test master key
    other = settings.model_copy(update={"master_key": None, "env": "development"})
    factory = app.state.sessionmaker  # type: ignore[attr-defined]
    wrong = create_app(other, session_factory=factory)
    with pytest.raises(ConfigError, match="does not match"), TestClient(wrong):
        pass
