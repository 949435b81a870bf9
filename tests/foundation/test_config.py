from __future__ import annotations

import base64
import logging
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import SecretStr

from app.config import ConfigError, Settings, load_settings
from app.issuers.keystore import MasterKey, load_master_key, new_master_secret


def test_defaults_match_the_contract(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "PUBLIC_URL", "KEYS_DIR", "ENV", "FETCH_ALLOW_HOSTS"):
        monkeypatch.delenv(f"LEARNPROOF_{name}", raising=False)
    settings = load_settings()
    assert settings.database_url == "sqlite:///./var/learnproof.db"
    assert settings.public_url == "http://127.0.0.1:8000"
    assert str(settings.keys_dir) == "keys"
    assert settings.env == "development"
    assert settings.fetch_allow_hosts == []


def test_environment_is_read_with_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEARNPROOF_PUBLIC_URL", "https://badges.example.org/")
    monkeypatch.setenv("LEARNPROOF_FETCH_ALLOW_HOSTS", "127.0.0.1, 10.0.0.0/8")
    settings = load_settings()
    assert settings.public_url == "https://badges.example.org"
    assert settings.public_host == "badges.example.org"
    assert settings.fetch_allow_hosts == ["127.0.0.1", "10.0.0.0/8"]


def test_port_is_part_of_public_host() -> None:
    assert Settings(public_url="http://127.0.0.1:8000").public_host == "127.0.0.1:8000"


@pytest.mark.parametrize("url", ["ftp://example.org", "not a url", "https://x.org/?q=1"])
def test_bad_public_url_is_refused(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("LEARNPROOF_PUBLIC_URL", url)
    with pytest.raises(ConfigError, match="public_url"):
        load_settings()


def test_production_refuses_plain_http(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEARNPROOF_ENV", "production")
    monkeypatch.setenv("LEARNPROOF_MASTER_KEY", "x" * 44)
    monkeypatch.setenv("LEARNPROOF_PUBLIC_URL", "http://badges.example.org")
    with pytest.raises(ConfigError, match="LEARNPROOF_PUBLIC_URL must use https"):
        load_settings()


def test_production_refuses_missing_master_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEARNPROOF_ENV", "production")
    monkeypatch.delenv("LEARNPROOF_MASTER_KEY", raising=False)
    monkeypatch.setenv("LEARNPROOF_PUBLIC_URL", "https://badges.example.org")
    with pytest.raises(ConfigError, match="LEARNPROOF_MASTER_KEY must be set"):
        load_settings()


def test_production_accepts_secure_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = new_master_secret()
    monkeypatch.setenv("LEARNPROOF_ENV", "production")
    monkeypatch.setenv("LEARNPROOF_MASTER_KEY", secret)
    monkeypatch.setenv("LEARNPROOF_PUBLIC_URL", "https://badges.example.org")
    settings = load_settings()
    assert settings.log_as_json
    assert secret not in repr(settings)


@pytest.mark.parametrize(
    "secret",
    [
        "correcthorsebatterystaplewizard1",  # the 32-character passphrase of the review
        "correcthorsebatterystaplewizardcorrecthorse",  # 43 letters: base64 of 32 bytes
        "Tr0ub4dor&3-Tr0ub4dor&3-Tr0ub4dor&3!!",
        "x" * 44,
        "00" * 32,
        base64.b64encode(b"short but random?").decode(),
        "",
    ],
)
def test_production_refuses_a_master_key_that_is_not_random_bytes(
    monkeypatch: pytest.MonkeyPatch, secret: str
) -> None:
    monkeypatch.setenv("LEARNPROOF_ENV", "production")
    monkeypatch.setenv("LEARNPROOF_MASTER_KEY", secret)
    monkeypatch.setenv("LEARNPROOF_PUBLIC_URL", "https://badges.example.org")
    with pytest.raises(ConfigError, match="LEARNPROOF_MASTER_KEY must be") as refused:
        load_settings()
    assert "learnproof keys master-key" in str(refused.value)
    assert secret not in str(refused.value) or not secret


@pytest.mark.parametrize(
    "encode",
    [
        lambda raw: base64.urlsafe_b64encode(raw).decode().rstrip("="),
        lambda raw: base64.urlsafe_b64encode(raw).decode(),
        lambda raw: base64.b64encode(raw).decode(),
        lambda raw: raw.hex(),
        lambda raw: raw.hex().upper(),
    ],
)
def test_production_accepts_32_random_bytes_in_every_encoding(
    monkeypatch: pytest.MonkeyPatch, encode: Callable[[bytes], str]
) -> None:
    monkeypatch.setenv("LEARNPROOF_ENV", "production")
    monkeypatch.setenv("LEARNPROOF_MASTER_KEY", encode(os.urandom(32)))
    monkeypatch.setenv("LEARNPROOF_PUBLIC_URL", "https://badges.example.org")
    assert load_settings().master_key is not None


def test_development_warns_about_a_passphrase_but_keeps_working(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    passphrase = "correcthorsebatterystaplewizard1"
    settings = Settings(env="development", keys_dir=tmp_path, master_key=SecretStr(passphrase))
    with caplog.at_level(logging.WARNING, logger="learnproof.keys"):
        master = load_master_key(settings)
    assert master.fingerprint == MasterKey(passphrase.encode()).fingerprint
    assert "learnproof keys master-key" in caplog.text
    assert passphrase not in caplog.text
