from __future__ import annotations

import pytest

from app.config import ConfigError, Settings, load_settings


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
    monkeypatch.setenv("LEARNPROOF_ENV", "production")
    monkeypatch.setenv("LEARNPROOF_MASTER_KEY", "x" * 44)
    monkeypatch.setenv("LEARNPROOF_PUBLIC_URL", "https://badges.example.org")
    settings = load_settings()
    assert settings.log_as_json
    assert "x" * 44 not in repr(settings)
